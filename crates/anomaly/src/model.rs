//! The trained model an artifact holds — a tree ensemble over `vigil-window-v1` features and the
//! score calibration that maps its probabilities onto the reference bands — with the committed
//! default ([`EMBEDDED`]) and loading: explicit path, then [`MODEL_ENV`], then the embedded model.

use std::path::Path;

use serde::{Deserialize, Serialize};
use vigil_contracts::artifact::ModelSource;
use vigil_contracts::{AnomalyClass, Artifact, FeatureSchema};
use vigil_features::window::{VigilWindowV1, WindowEncoder};

use crate::trees::TreeEnsemble;
use crate::{Error, Result};

/// Artifact kind of anomaly models.
pub const KIND: &str = "anomaly";

/// The committed default model, trained by `cargo xtask train anomaly`.
pub const EMBEDDED: &[u8] = include_bytes!("../models/anomaly.vgl");

/// Environment variable naming a model file to use instead of the embedded one.
pub const MODEL_ENV: &str = "VIGIL_ANOMALY_MODEL";

/// Class order of the ensemble's outputs.
pub const CLASSES: [AnomalyClass; 3] = [
    AnomalyClass::Normal,
    AnomalyClass::Suspicious,
    AnomalyClass::Critical,
];

/// Maps the model's expected severity `e = 0.5·p_suspicious + p_critical` (in [0, 1]) onto a score
/// whose reference bands are the model's decision regions.
///
/// The map is piecewise linear through `(0, 0)`, `(normal_upper, 0.40)`, `(0.5, 0.575)`,
/// `(critical_lower, 0.75)`, `(1, 1)`: continuous and strictly increasing, so the score is
/// monotone in risk, and the class read off the score with the reference thresholds is the class
/// whose severity cut-offs were fitted on scenario-held-out windows. Unlike axor's
/// `p_critical + 0.55·p_suspicious`, a confidently suspicious window (severity 0.5) lands in the
/// middle of the suspicious band wherever the cut-offs fall, so it reaches the verifier's gray
/// zone (score ≥ 0.50), and nothing caps a score below its band. (The middle knot is used only
/// when the cut-offs straddle 0.5, as fitted ones do; otherwise the band is one line.)
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ScoreCalibration {
    /// Expected severity at which the suspicious band starts.
    pub normal_upper: f32,
    /// Expected severity at which the critical band starts.
    pub critical_lower: f32,
}

impl Default for ScoreCalibration {
    /// The uncalibrated cut-offs: suspicious from `p_suspicious ≈ 0.5`, critical from
    /// `p_critical ≈ 0.5`.
    fn default() -> Self {
        ScoreCalibration {
            normal_upper: 0.25,
            critical_lower: 0.60,
        }
    }
}

impl ScoreCalibration {
    /// Checks `0 < normal_upper < critical_lower < 1`.
    pub fn validate(&self) -> Result<()> {
        let (a, b) = (self.normal_upper, self.critical_lower);
        if a.is_finite() && b.is_finite() && 0.0 < a && a < b && b < 1.0 {
            Ok(())
        } else {
            Err(Error::Model(format!(
                "calibration cut-offs {a} / {b} must satisfy 0 < normal_upper < critical_lower < 1"
            )))
        }
    }

    /// Expected severity of class probabilities `[normal, suspicious, critical]`.
    #[inline]
    pub fn severity(p: &[f32]) -> f64 {
        (0.5 * f64::from(p[1]) + f64::from(p[2])).clamp(0.0, 1.0)
    }

    /// The calibrated score of an expected severity.
    #[inline]
    pub fn score(&self, severity: f64) -> f64 {
        let (a, b) = (f64::from(self.normal_upper), f64::from(self.critical_lower));
        let s = severity.clamp(0.0, 1.0);
        let (s_t, c_t) = (
            AnomalyClass::SUSPICIOUS_THRESHOLD,
            AnomalyClass::CRITICAL_THRESHOLD,
        );
        // The pure-suspicious severity and its score, the middle of the band.
        let (m, m_t) = (0.5, (s_t + c_t) / 2.0);
        let out = if s < a {
            s / a * s_t
        } else if s < b {
            if a < m && m < b {
                if s < m {
                    s_t + (s - a) / (m - a) * (m_t - s_t)
                } else {
                    m_t + (s - m) / (b - m) * (c_t - m_t)
                }
            } else {
                s_t + (s - a) / (b - a) * (c_t - s_t)
            }
        } else {
            c_t + (s - b) / (1.0 - b) * (1.0 - c_t)
        };
        out.clamp(0.0, 1.0)
    }
}

/// A trained anomaly model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnomalyModel {
    /// Boosted trees over [`VigilWindowV1`] features, classes in [`CLASSES`] order.
    pub trees: TreeEnsemble,
    /// Score calibration.
    pub calibration: ScoreCalibration,
}

impl AnomalyModel {
    /// The feature schema every anomaly model reads.
    pub fn schema() -> FeatureSchema {
        VigilWindowV1.schema()
    }

    /// Checks shapes and numbers.
    pub fn validate(&self) -> Result<()> {
        self.trees.validate()?;
        self.calibration.validate()?;
        if self.trees.n_classes as usize != CLASSES.len() {
            return Err(Error::Model(format!(
                "model has {} classes, expected 3",
                self.trees.n_classes
            )));
        }
        if self.trees.n_features as usize != VigilWindowV1::LEN {
            return Err(Error::Model(format!(
                "model reads {} features, vigil-window-v1 has {}",
                self.trees.n_features,
                VigilWindowV1::LEN
            )));
        }
        Ok(())
    }

    /// Decodes and checks an artifact.
    pub fn from_bytes(bytes: &[u8]) -> Result<Artifact<AnomalyModel>> {
        let a = Artifact::<AnomalyModel>::from_bytes(bytes, KIND, &Self::schema())?;
        a.model.validate()?;
        Ok(a)
    }

    /// Reads and checks an artifact file.
    pub fn read(path: &Path) -> Result<Artifact<AnomalyModel>> {
        let a = Artifact::<AnomalyModel>::read(path, KIND, &Self::schema())?;
        a.model
            .validate()
            .map_err(|e| Error::Model(format!("{}: {e}", path.display())))?;
        Ok(a)
    }

    /// Decodes and checks the committed default model, [`EMBEDDED`].
    pub fn embedded() -> Result<Artifact<AnomalyModel>> {
        Self::from_bytes(EMBEDDED)
    }

    /// `path`, else the file in `$VIGIL_ANOMALY_MODEL` (if set and non-empty), else [`EMBEDDED`]
    /// ([`ModelSource::resolve`]), with the source it used; a named file that is missing or bad
    /// is an error, never a silent fall-back.
    pub fn load(path: Option<&Path>) -> Result<(Artifact<AnomalyModel>, ModelSource)> {
        let source = ModelSource::resolve(path, MODEL_ENV);
        let artifact = source.load(Self::read, Self::embedded)?;
        Ok((artifact, source))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calibration_is_monotone_and_hits_the_bands() {
        let c = ScoreCalibration {
            normal_upper: 0.3,
            critical_lower: 0.7,
        };
        c.validate().unwrap();
        assert_eq!(c.score(0.0), 0.0);
        assert!((c.score(0.3) - 0.40).abs() < 1e-6);
        assert!((c.score(0.7) - 0.75).abs() < 1e-6);
        assert_eq!(c.score(1.0), 1.0);
        let mut last = -1.0;
        for i in 0..=1000 {
            let s = c.score(f64::from(i) / 1000.0);
            assert!(s > last && (0.0..=1.0).contains(&s));
            last = s;
        }
        // Pure suspicious (e = 0.5) lands mid-band, not at axor's 0.55 cap, wherever the
        // cut-offs fall (here and with a suspicious cut-off close to it).
        assert!((c.score(0.5) - 0.575).abs() < 1e-9);
        let lopsided = ScoreCalibration {
            normal_upper: 0.37,
            critical_lower: 0.91,
        };
        assert!((lopsided.score(0.5) - 0.575).abs() < 1e-9);
        assert!((lopsided.score(0.37) - 0.40).abs() < 1e-6);
        assert!((lopsided.score(0.91) - 0.75).abs() < 1e-6);
        assert!((lopsided.score(0.435) - 0.4875).abs() < 1e-6);
        let mut last = -1.0;
        for i in 0..=1000 {
            let s = lopsided.score(f64::from(i) / 1000.0);
            assert!(s > last && (0.0..=1.0).contains(&s));
            last = s;
        }
        // Cut-offs that do not straddle 0.5: one line across the band.
        let high = ScoreCalibration {
            normal_upper: 0.6,
            critical_lower: 0.8,
        };
        assert!((high.score(0.7) - 0.575).abs() < 1e-6);
        assert!(
            ScoreCalibration {
                normal_upper: 0.8,
                critical_lower: 0.2
            }
            .validate()
            .is_err()
        );
    }
}
