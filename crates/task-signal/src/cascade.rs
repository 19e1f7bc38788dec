//! The heuristic → ML escalation of axor's TaskAnalyzer.

use vigil_contracts::{Classification, SignalClassifier};

use crate::heuristic::HeuristicVerdict;
use crate::{Error, HeuristicClassifier, Result, TaskSignalClassifier, bounded};

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
    ///
    /// The heuristic's regex table decides first; its keyword domain, language and score map
    /// are built only when its answer is the one returned (most prompts escalate, and the
    /// model's answer then replaces it whole), which keeps the cascade within a microsecond or
    /// so of the model alone.
    pub fn classify_text(&self, raw: &str) -> Decision {
        let mut d = self.classify_read(&crate::read_as(raw));
        d.classification = crate::keep_raw_input(d.classification, raw);
        d
    }

    /// [`Self::classify_text`] of the text as read ([`crate::read_as`]).
    fn classify_read(&self, raw: &str) -> Decision {
        let heuristic = LazyHeuristic::of(&self.heuristic, raw);
        let confidence = heuristic.confidence();
        let heuristic_answer = |h: LazyHeuristic| Decision {
            classification: h.classification(raw),
            classifier: Decider::Heuristic,
        };
        let Some(ml) = &self.ml else {
            return heuristic_answer(heuristic);
        };
        if confidence >= self.params.escalate_below {
            return heuristic_answer(heuristic);
        }
        let learned = ml.classify_read(raw);
        if learned.confidence > confidence {
            return Decision {
                classification: learned,
                classifier: Decider::Ml,
            };
        }
        // The heuristic keeps complexity/nature; the model's domain head replaces the keywords.
        Decision {
            classification: with_model_domain(heuristic.classification(raw), &learned),
            classifier: Decider::Heuristic,
        }
    }
}

/// The heuristic's classification with the model's domain head in place of its keywords (it
/// keeps its complexity and nature).
fn with_model_domain(mut kept: Classification, learned: &Classification) -> Classification {
    kept.signal.domain = learned.signal.domain;
    for (k, v) in learned
        .scores
        .iter()
        .filter(|(k, _)| k.starts_with("domain."))
    {
        kept.scores.insert(k.clone(), *v);
    }
    kept
}

/// The heuristic's answer, with its classification built only on demand.
enum LazyHeuristic {
    /// Blank input: the defined empty answer, already built.
    Blank(Classification),
    /// The regex verdict of the bounded text.
    Verdict(HeuristicVerdict),
}

impl LazyHeuristic {
    fn of(heuristic: &HeuristicClassifier, raw: &str) -> Self {
        if raw.trim().is_empty() {
            return LazyHeuristic::Blank(heuristic.classify_text(raw));
        }
        LazyHeuristic::Verdict(heuristic.verdict(bounded(raw)))
    }

    fn confidence(&self) -> f64 {
        match self {
            LazyHeuristic::Blank(c) => c.confidence,
            LazyHeuristic::Verdict(v) => v.confidence,
        }
    }

    fn classification(self, raw: &str) -> Classification {
        match self {
            LazyHeuristic::Blank(c) => c,
            LazyHeuristic::Verdict(v) => v.classification(raw),
        }
    }
}

#[async_trait::async_trait]
impl SignalClassifier for Cascade {
    async fn classify_with_scores(&self, raw: &str) -> vigil_contracts::Result<Classification> {
        Ok(self.classify_text(raw).classification)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Which way a prompt went: the heuristic confident, the model adopted, or the heuristic kept
    /// with the model's domain.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
    enum Branch {
        HeuristicConfident,
        ModelAdopted,
        HeuristicKeptModelDomain,
    }

    /// The cascade as first written: the heuristic's full classification, then the model's.
    fn reference(c: &Cascade, raw: &str) -> (Decision, Branch) {
        let heuristic = c.heuristic.classify_text(raw);
        let ml = c.ml.as_ref().expect("a model");
        if heuristic.confidence >= c.params.escalate_below {
            let d = Decision {
                classification: heuristic,
                classifier: Decider::Heuristic,
            };
            return (d, Branch::HeuristicConfident);
        }
        let learned = ml.classify_text(raw);
        if learned.confidence > heuristic.confidence {
            let d = Decision {
                classification: learned,
                classifier: Decider::Ml,
            };
            return (d, Branch::ModelAdopted);
        }
        let d = Decision {
            classification: with_model_domain(heuristic, &learned),
            classifier: Decider::Heuristic,
        };
        (d, Branch::HeuristicKeptModelDomain)
    }

    #[test]
    fn the_lazy_cascade_answers_exactly_as_the_full_one_on_every_branch() {
        let ml = TaskSignalClassifier::embedded().expect("embedded model");
        let c = Cascade::new(Some(ml), CascadeParams::default()).expect("cascade");
        let prompts = [
            "rewrite the entire backend in Rust",
            "rewrite the entire backend and fix the broken tests",
            "migrate the whole billing service to the new queue and port all handlers",
            "explain how the scheduler works",
            "fix the typo in README.md",
            "why is the checkout API returning 404 since the deploy?",
            "draft a press release for the Q3 launch",
            "summarize the latest papers on retrieval-augmented generation",
            "show me the DAU trend for the last 30 days",
            "refactor the auth module and add tests",
            "list every file in src and explain what each does",
            "delete the old branches",
            "write a poem",
            "hi",
            "   ",
            "",
        ];
        let mut seen = std::collections::BTreeSet::new();
        for p in prompts {
            let (want, branch) = reference(&c, p);
            seen.insert(branch);
            assert_eq!(c.classify_text(p), want, "{p:?}");
        }
        assert_eq!(seen.len(), 3, "every branch exercised: {seen:?}");
    }
}
