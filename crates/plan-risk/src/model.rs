//! The plan-risk model: the artifact type [`RiskModel`] (ρ and the policy thresholds), the
//! embedded default ([`EMBEDDED`]) and loading by precedence (explicit path, [`MODEL_ENV`],
//! embedded).
//!
//! ρ(P): the 9 NEXUS plan features → a fixed, versioned input transform ([`scorer_inputs`]) →
//! standardize → logistic regression → Platt calibration, in closed form (31 floats), plus the
//! policy thresholds (τ_b, τ_c) chosen at training time.
//!
//! **Why a transform.** The features keep NEXUS's published names, order and meaning; the scorer
//! reads counts and amounts through `log1p` and clips budget utilisation at
//! [`UTILISATION_CAP`] first. On a linear logit a raw count or amount extrapolates without bound:
//! a $12,500 transfer or a 1,000-step plan outweighed every other feature and pinned ρ to 1.0,
//! so ρ alone blocked plans a careful operator would only confirm. After `log1p` a value 1,000×
//! larger moves the logit by a bounded, roughly constant step. The transform is part of the
//! artifact's schema ([`scorer_schema`], version [`SCORER_VERSION`]), so an artifact trained on
//! untransformed features is refused at load time instead of being silently misread.

use std::path::Path;

use serde::{Deserialize, Serialize};
use vigil_contracts::artifact::ModelSource;
use vigil_contracts::{Artifact, FeatureSchema};

use crate::{Error, Result};

/// Artifact kind of plan-risk models.
pub const KIND: &str = "plan-risk";
/// Environment variable naming a model file that replaces the embedded default.
pub const MODEL_ENV: &str = "VIGIL_PLAN_RISK_MODEL";
/// The committed default artifact (trained by `cargo xtask train plan-risk`).
pub const EMBEDDED: &[u8] = include_bytes!("../models/plan-risk.vgl");

/// Version of the scorer's input transform (1: raw features; 2: `log1p` counts and amounts,
/// clipped utilisation). Bump it whenever [`scorer_inputs`] changes.
pub const SCORER_VERSION: u32 = 2;

/// Budget utilisation above this (100× over budget) is read as this: past that point "how far
/// over" carries no more risk.
pub const UTILISATION_CAP: f64 = 100.0;

/// Largest value any feature is read as before the transform (non-finite values too).
const FEATURE_CAP: f64 = 1e12;

/// What the scorer reads, in the NEXUS feature order (the names are the schema's features).
pub const SCORER_INPUTS: [&str; 9] = [
    "log1p(num_steps)",
    "has_irreversible",
    "has_sensitive",
    "has_network",
    "log1p(num_distinct_tools)",
    "log1p(permissions_required)",
    "log1p(est_total_cost)",
    "log1p(min(budget_utilisation, 100))",
    "log1p(external_endpoint_count)",
];

/// The fingerprinted schema of the scorer's inputs, stored in (and checked against) artifacts.
pub fn scorer_schema() -> FeatureSchema {
    FeatureSchema::new(
        "nexus-plan-scorer",
        SCORER_VERSION,
        SCORER_INPUTS.iter().map(|s| (*s).to_owned()).collect(),
    )
}

/// The scorer's inputs from the 9 NEXUS features: `log1p` of every count and amount,
/// utilisation clipped at [`UTILISATION_CAP`], the three booleans unchanged. Negative or NaN
/// values (which `plan_features` never produces) read as 0, infinite ones as 1e12.
pub fn scorer_inputs(x: &[f64; 9]) -> [f64; 9] {
    let clean = |v: f64| {
        if v.is_nan() {
            0.0
        } else {
            v.clamp(0.0, FEATURE_CAP)
        }
    };
    let mut out = [0.0; 9];
    for (j, (o, &v)) in out.iter_mut().zip(x).enumerate() {
        let v = clean(v);
        *o = match j {
            1..=3 => v,
            7 => v.min(UTILISATION_CAP).ln_1p(),
            _ => v.ln_1p(),
        };
    }
    out
}

/// ρ(P) = 1 / (1 + exp(A·z + B)), z = b + Σ wᵢ (uᵢ − μᵢ)/σᵢ with u = [`scorer_inputs`]`(x)`;
/// and the policy thresholds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskModel {
    /// Means μ of the scorer inputs (9).
    pub mean: Vec<f64>,
    /// Scales σ of the scorer inputs (population std, 1 for zero variance) (9).
    pub scale: Vec<f64>,
    /// Logistic weights w on standardized features (9).
    pub weights: Vec<f64>,
    /// Logistic intercept b.
    pub intercept: f64,
    /// Platt slope A (negative when z grows with risk).
    pub platt_a: f64,
    /// Platt intercept B.
    pub platt_b: f64,
    /// τ_b: ρ at or above which a plan with any violation is blocked.
    pub tau_block: f64,
    /// τ_c: ρ at or above which a plan is at least confirmed.
    pub tau_confirm: f64,
}

impl RiskModel {
    /// Checks dimensions and values (finite numbers, σ > 0, thresholds in [0, 1]).
    pub fn validate(&self) -> Result<()> {
        for (name, v) in [
            ("mean", &self.mean),
            ("scale", &self.scale),
            ("weights", &self.weights),
        ] {
            if v.len() != 9 {
                return Err(Error::Model(format!(
                    "{name} has {} values, expected 9",
                    v.len()
                )));
            }
            if let Some((i, x)) = v.iter().enumerate().find(|(_, x)| !x.is_finite()) {
                return Err(Error::Model(format!("{name}[{i}] = {x} is not finite")));
            }
        }
        if let Some((i, s)) = self.scale.iter().enumerate().find(|(_, s)| **s <= 0.0) {
            return Err(Error::Model(format!("scale[{i}] = {s} must be > 0")));
        }
        // Monotonicity: every feature only grows when a step is added, so with w ≥ 0 and A ≤ 0
        // adding (or repeating) a step can never lower ρ.
        if let Some((i, w)) = self.weights.iter().enumerate().find(|(_, w)| **w < 0.0) {
            return Err(Error::Model(format!(
                "weights[{i}] = {w} must be ≥ 0 (ρ must never fall when a step is added)"
            )));
        }
        if self.platt_a > 0.0 {
            return Err(Error::Model(format!(
                "platt_a = {} must be ≤ 0 (ρ must grow with the logistic score)",
                self.platt_a
            )));
        }
        for (name, x) in [
            ("intercept", self.intercept),
            ("platt_a", self.platt_a),
            ("platt_b", self.platt_b),
        ] {
            if !x.is_finite() {
                return Err(Error::Model(format!("{name} = {x} is not finite")));
            }
        }
        for (name, t) in [
            ("tau_block", self.tau_block),
            ("tau_confirm", self.tau_confirm),
        ] {
            if !(0.0..=1.0).contains(&t) {
                return Err(Error::Model(format!("{name} = {t} must be in [0, 1]")));
            }
        }
        Ok(())
    }

    /// The uncalibrated logistic score z of the 9 NEXUS features `x`.
    pub fn logit(&self, x: &[f64; 9]) -> f64 {
        let u = scorer_inputs(x);
        let terms = u.iter().zip(&self.mean).zip(&self.scale).zip(&self.weights);
        self.intercept + terms.map(|(((x, m), s), w)| w * (x - m) / s).sum::<f64>()
    }

    /// Calibrated risk ρ ∈ [0, 1] of the 9 NEXUS features `x`.
    pub fn risk(&self, x: &[f64; 9]) -> f64 {
        let t = self.platt_a * self.logit(x) + self.platt_b;
        let p = if t >= 0.0 {
            let e = (-t).exp();
            e / (1.0 + e)
        } else {
            1.0 / (1.0 + t.exp())
        };
        if p.is_nan() { 1.0 } else { p.clamp(0.0, 1.0) }
    }

    /// Wraps the model in an artifact envelope.
    pub fn to_artifact(&self, seed: u64) -> Artifact<RiskModel> {
        Artifact::new(KIND, &scorer_schema(), seed, self.clone())
    }

    /// Decodes and validates an artifact.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let a = Artifact::<RiskModel>::from_bytes(bytes, KIND, &scorer_schema())?;
        a.model.validate()?;
        Ok(a.model)
    }

    /// Reads and validates an artifact file.
    pub fn read(path: &Path) -> Result<Self> {
        let a = Artifact::<RiskModel>::read(path, KIND, &scorer_schema())?;
        a.model
            .validate()
            .map_err(|e| Error::Model(format!("{}: {e}", path.display())))?;
        Ok(a.model)
    }

    /// The model embedded in this crate (trained by `cargo xtask train plan-risk`).
    pub fn embedded() -> Result<Self> {
        Self::from_bytes(EMBEDDED)
    }

    /// Loads by precedence: explicit path, then `VIGIL_PLAN_RISK_MODEL`, then the embedded model.
    pub fn load(explicit: Option<&Path>) -> Result<Self> {
        match ModelSource::resolve(explicit, MODEL_ENV) {
            ModelSource::Embedded => Self::embedded(),
            // Name the variable: a stale environment is a common way to load the wrong file.
            ModelSource::Env { var, path } => {
                Self::read(&path).map_err(|e| Error::Model(format!("{var}: {e}")))
            }
            ModelSource::Path(path) => Self::read(&path),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_are_log_scaled_and_clipped() {
        let x = [3.0, 1.0, 0.0, 1.0, 2.0, 2.0, 12_500.0, 1e6, 30.0];
        let u = scorer_inputs(&x);
        assert_eq!(u[0], 4f64.ln());
        assert_eq!(&u[1..4], &[1.0, 0.0, 1.0]);
        assert_eq!(u[6], 12_501f64.ln());
        assert_eq!(u[7], 101f64.ln(), "utilisation is clipped at 100");
        assert_eq!(u[8], 31f64.ln());
        let odd = scorer_inputs(&[f64::NAN, -1.0, 0.0, 0.0, 0.0, 0.0, f64::INFINITY, 0.0, 0.0]);
        assert_eq!(odd[0], 0.0);
        assert_eq!(odd[1], 0.0);
        assert_eq!(odd[6], 1e12f64.ln_1p());
    }

    #[test]
    fn schema_names_the_transform_and_its_version() {
        let s = scorer_schema();
        assert_eq!(s.version, SCORER_VERSION);
        assert_eq!(s.features[6], "log1p(est_total_cost)");
        assert_ne!(
            s.fingerprint(),
            vigil_features::plan::plan_schema().fingerprint()
        );
    }
}
