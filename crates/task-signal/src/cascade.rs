//! The heuristic → ML escalation of axor's TaskAnalyzer.

use vigil_contracts::{Classification, SignalClassifier};

use crate::{Error, HeuristicClassifier, Result, TaskSignalClassifier};

/// Which classifier decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decider {
    /// The regex heuristic.
    Heuristic,
    /// The ML model.
    Ml,
}

impl Decider {
    /// `"heuristic"` or `"ml"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Decider::Heuristic => "heuristic",
            Decider::Ml => "ml",
        }
    }
}

/// A cascade answer and who gave it.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// The adopted classification.
    pub classification: Classification,
    /// Which classifier it came from.
    pub classifier: Decider,
}

/// Cascade settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CascadeParams {
    /// Escalate to the ML model when the heuristic's confidence is below this (reference 0.75).
    pub escalate_below: f64,
}

impl Default for CascadeParams {
    fn default() -> Self {
        CascadeParams {
            escalate_below: 0.75,
        }
    }
}

impl CascadeParams {
    /// Checks that the threshold is a probability.
    pub fn check(&self) -> Result<()> {
        if !(0.0..=1.0).contains(&self.escalate_below) {
            return Err(Error::InvalidModel(format!(
                "cascade.escalate_below = {}: must be in [0, 1]",
                self.escalate_below
            )));
        }
        Ok(())
    }
}

/// Heuristic first; when its confidence is below the threshold and a model is present, the ML
/// model runs and its complexity/nature answer is adopted only if strictly more confident. The
/// ML domain head is used whenever the model ran (the heuristic's keyword domain is a fallback:
/// it has no notion of `general` and defaults to `coding`).
///
/// ```
/// use vigil_task_signal::{Cascade, CascadeParams, Decider};
/// let cascade = Cascade::heuristic_only();
/// let d = cascade.classify_text("explain how the scheduler works");
/// assert_eq!(d.classifier, Decider::Heuristic);
/// ```
#[derive(Debug, Clone)]
pub struct Cascade {
    heuristic: HeuristicClassifier,
    ml: Option<TaskSignalClassifier>,
    params: CascadeParams,
}

impl Cascade {
    /// A cascade over `ml` with checked `params`.
    pub fn new(ml: Option<TaskSignalClassifier>, params: CascadeParams) -> Result<Self> {
        params.check()?;
        Ok(Cascade {
            heuristic: HeuristicClassifier::new(),
            ml,
            params,
        })
    }

    /// The heuristic alone (no escalation possible).
    pub fn heuristic_only() -> Self {
        Cascade {
            heuristic: HeuristicClassifier::new(),
            ml: None,
            params: CascadeParams::default(),
        }
    }

    /// The ML model, if any.
    pub fn ml(&self) -> Option<&TaskSignalClassifier> {
        self.ml.as_ref()
    }

    /// Classifies `raw` (the sync fast path).
    pub fn classify_text(&self, raw: &str) -> Decision {
        let heuristic = self.heuristic.classify_text(raw);
        let Some(ml) = &self.ml else {
            return Decision {
                classification: heuristic,
                classifier: Decider::Heuristic,
            };
        };
        if heuristic.confidence >= self.params.escalate_below {
            return Decision {
                classification: heuristic,
                classifier: Decider::Heuristic,
            };
        }
        let learned = ml.classify_text(raw);
        if learned.confidence > heuristic.confidence {
            return Decision {
                classification: learned,
                classifier: Decider::Ml,
            };
        }
        // The heuristic keeps complexity/nature; the model's domain head replaces the keywords.
        let mut kept = heuristic;
        kept.signal.domain = learned.signal.domain;
        for (k, v) in learned
            .scores
            .iter()
            .filter(|(k, _)| k.starts_with("domain."))
        {
            kept.scores.insert(k.clone(), *v);
        }
        Decision {
            classification: kept,
            classifier: Decider::Heuristic,
        }
    }
}

#[async_trait::async_trait]
impl SignalClassifier for Cascade {
    async fn classify_with_scores(&self, raw: &str) -> vigil_contracts::Result<Classification> {
        Ok(self.classify_text(raw).classification)
    }
}
