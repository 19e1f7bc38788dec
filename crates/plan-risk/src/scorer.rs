//! The risk scorer ρ(P): standardized 9-D features → logistic regression → Platt calibration,
//! in closed form (31 floats), plus the policy thresholds (τ_b, τ_c) chosen at training time.

use std::path::Path;

use serde::{Deserialize, Serialize};
use vigil_contracts::Artifact;
use vigil_features::plan::plan_schema;

use crate::{Error, Result};

/// Artifact kind of plan-risk models.
pub const KIND: &str = "plan-risk";
/// Environment variable naming a model file that replaces the embedded default.
pub const MODEL_ENV: &str = "VIGIL_PLAN_RISK_MODEL";

/// ρ(P) = 1 / (1 + exp(A·z + B)), z = b + Σ wᵢ (xᵢ − μᵢ)/σᵢ; and the policy thresholds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskModel {
    /// Feature means μ (9).
    pub mean: Vec<f64>,
    /// Feature scales σ (population std, 1 for zero variance) (9).
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

    /// The uncalibrated logistic score z.
    pub fn logit(&self, x: &[f64; 9]) -> f64 {
        let terms = x.iter().zip(&self.mean).zip(&self.scale).zip(&self.weights);
        self.intercept + terms.map(|(((x, m), s), w)| w * (x - m) / s).sum::<f64>()
    }

    /// Calibrated risk ρ ∈ [0, 1].
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
        Artifact::new(KIND, &plan_schema(), seed, self.clone())
    }

    /// Decodes and validates an artifact.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let a = Artifact::<RiskModel>::from_bytes(bytes, KIND, &plan_schema())?;
        a.model.validate()?;
        Ok(a.model)
    }

    /// Reads and validates an artifact file.
    pub fn read(path: &Path) -> Result<Self> {
        let a = Artifact::<RiskModel>::read(path, KIND, &plan_schema())?;
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
        if let Some(p) = explicit {
            return Self::read(p);
        }
        match std::env::var_os(MODEL_ENV) {
            Some(p) if !p.is_empty() => {
                Self::read(Path::new(&p)).map_err(|e| Error::Model(format!("{MODEL_ENV}: {e}")))
            }
            _ => Self::embedded(),
        }
    }
}

/// The committed default artifact.
pub static EMBEDDED: &[u8] = include_bytes!("../models/plan-risk.vgl");
