//! The injection classifier's stored model — n-gram encoder, two-class softmax, risk thresholds
//! and a per-channel prior shift — with the committed default ([`EMBEDDED`]), its feature schema, and
//! loading: explicit path, then [`MODEL_ENV`], then the embedded model.

use std::path::Path;

use serde::{Deserialize, Serialize};
use vigil_contracts::artifact::ModelSource;
use vigil_contracts::{Artifact, FeatureSchema};
use vigil_features::linear::SoftmaxModel;
use vigil_features::text::{TextFeaturizer, TextParams};

use crate::cues::CUE_NAMES;
use crate::{Error, Result};

/// Artifact kind of the injection model.
pub const KIND: &str = "preflight-injection";
/// Environment variable naming a model file to use instead of the embedded one.
pub const MODEL_ENV: &str = "VIGIL_PREFLIGHT_MODEL";
/// The committed default model, trained by `cargo xtask train injection`.
pub const EMBEDDED: &[u8] = include_bytes!("../models/injection.vgl");

/// The text-hashing parameters the injection model is trained with.
pub fn text_params() -> TextParams {
    TextParams::default()
}

/// The feature schema: the text recipe, then each cue per source, then the tool-source flag.
pub fn feature_schema() -> FeatureSchema {
    let text = text_params().schema();
    let mut features = text.features;
    for source in ["user", "tool"] {
        for cue in CUE_NAMES {
            features.push(format!("cue.{source}.{cue}"));
        }
    }
    features.push("source.tool".into());
    FeatureSchema::new("vigil-preflight-injection", 2, features)
}

/// Thresholds on the calibrated injection probability.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RiskThresholds {
    /// At or above: `suspicious` (advisory).
    pub suspicious: f64,
    /// At or above: `high_risk`.
    pub high_risk: f64,
}

impl Default for RiskThresholds {
    fn default() -> Self {
        RiskThresholds {
            suspicious: 0.25,
            high_risk: 0.5,
        }
    }
}

impl RiskThresholds {
    /// Checks 0 < suspicious ≤ high_risk < 1.
    pub fn check(&self) -> Result<()> {
        if !(self.suspicious > 0.0 && self.suspicious <= self.high_risk && self.high_risk < 1.0) {
            return Err(Error::Model(format!(
                "risk thresholds suspicious = {}, high_risk = {}: need 0 < suspicious ≤ high_risk < 1",
                self.suspicious, self.high_risk
            )));
        }
        Ok(())
    }
}

/// The stored model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InjectionModel {
    /// The n-gram encoder with its idf weights.
    pub text: TextFeaturizer,
    /// Two classes, `benign` and `injection`, over text + cue features.
    pub linear: SoftmaxModel,
    /// Probability → risk level.
    pub thresholds: RiskThresholds,
    /// Log-odds added to the calibrated (class-balanced) score, per channel: a prior shift
    /// chosen at training time so that each channel's operating point — the out-of-fold score
    /// at which that channel's benign texts are flagged at the target rate — lands on the shared
    /// `high_risk` threshold. Tool outputs and user messages have different benign
    /// distributions (and different base rates of injections), so one threshold on one scale
    /// would be too strict for one channel or too loose for the other.
    pub channel_log_odds: ChannelLogOdds,
}

/// A log-odds shift per [`Channel`](crate::Channel).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct ChannelLogOdds {
    /// For user messages.
    pub user: f64,
    /// For tool outputs and other untrusted content.
    pub tool: f64,
}

impl ChannelLogOdds {
    /// The shift of `channel`.
    pub fn of(&self, channel: crate::Channel) -> f64 {
        match channel {
            crate::Channel::User => self.user,
            crate::Channel::Tool => self.tool,
        }
    }
}

impl InjectionModel {
    /// Checks that the parts fit together.
    pub fn validate(&self) -> Result<()> {
        self.linear.validate()?;
        self.thresholds.check()?;
        for (channel, shift) in [
            ("user", self.channel_log_odds.user),
            ("tool", self.channel_log_odds.tool),
        ] {
            if !shift.is_finite() || shift.abs() > 10.0 {
                return Err(Error::Model(format!(
                    "injection model channel_log_odds.{channel} = {shift}: must be finite and within ±10"
                )));
            }
        }
        if *self.text.params() != text_params() {
            return Err(Error::Model(format!(
                "injection model text params {:?} differ from this build's {:?}",
                self.text.params(),
                text_params()
            )));
        }
        let expected = n_features();
        if self.linear.n_features() != expected || self.linear.classes() != ["benign", "injection"]
        {
            return Err(Error::Model(format!(
                "injection model has {} features and classes {:?}; expected {expected} features and [benign, injection]",
                self.linear.n_features(),
                self.linear.classes()
            )));
        }
        Ok(())
    }
}

/// Total feature dimension.
pub fn n_features() -> usize {
    text_params().dim() + 2 * CUE_NAMES.len() + 1
}

impl InjectionModel {
    /// Decodes an artifact and validates the model.
    pub fn from_bytes(bytes: &[u8]) -> Result<Artifact<InjectionModel>> {
        let artifact = Artifact::<InjectionModel>::from_bytes(bytes, KIND, &feature_schema())?;
        artifact.model.validate()?;
        Ok(artifact)
    }

    /// Reads an artifact file and validates the model; a model that does not fit names the file.
    pub fn read(path: &Path) -> Result<Artifact<InjectionModel>> {
        let artifact = Artifact::<InjectionModel>::read(path, KIND, &feature_schema())?;
        artifact
            .model
            .validate()
            .map_err(|e| Error::Model(format!("{}: {e}", path.display())))?;
        Ok(artifact)
    }

    /// Decodes and validates the committed default model, [`EMBEDDED`].
    pub fn embedded() -> Result<Artifact<InjectionModel>> {
        Self::from_bytes(EMBEDDED)
            .map_err(|e| Error::Model(format!("embedded injection model: {e}")))
    }

    /// `path`, else the file in `$VIGIL_PREFLIGHT_MODEL` (if set and non-empty), else [`EMBEDDED`]
    /// ([`ModelSource::resolve`]), with the source it used; a named file that is missing or bad
    /// is an error, never a silent fall-back.
    pub fn load(path: Option<&Path>) -> Result<(Artifact<InjectionModel>, ModelSource)> {
        let source = ModelSource::resolve(path, MODEL_ENV);
        let artifact = source.load(Self::read, Self::embedded)?;
        Ok((artifact, source))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_has_text_recipe_and_both_cue_blocks() {
        let s = feature_schema();
        assert_eq!(s.features.len(), 4 + 2 * CUE_NAMES.len() + 1);
        assert_eq!(s.features[4], "cue.user.override_instructions");
        assert_eq!(s.features.last().unwrap(), "source.tool");
    }
}
