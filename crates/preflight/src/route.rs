//! What the crate answers — [`Preflight`]: runs every local classifier on the target message
//! (rules, the injection classifier, the task-signal mapping) and aggregates route / reply /
//! block.

use vigil_contracts::{Certainty, Classification, RiskLevel, SignalClassifier, TaskSignal};

use crate::Result;
use crate::aggregate::{
    self, AggregatorConfig, ClassifierOutput, OutputSource, PipelineResult, Signal, Signals, Status,
};
use crate::catalog::Catalog;
use crate::normalize::NormalizedInput;
use crate::signals::{self, Rules};
use vigil_injection::{Channel, InjectionDetector};

const RULES_VERSION: &str = concat!("vigil-rules-", env!("CARGO_PKG_VERSION"));
const MODEL_VERSION: &str = concat!("vigil-injection-", env!("CARGO_PKG_VERSION"));
const TASK_VERSION: &str = concat!("vigil-task-signal-map-", env!("CARGO_PKG_VERSION"));

/// The whole preflight layer: injection model, rules, catalog and aggregator settings.
#[derive(Debug, Clone)]
pub struct Preflight {
    injection: InjectionDetector,
    rules: Rules,
    catalog: Catalog,
    config: AggregatorConfig,
}

impl Preflight {
    /// Builds a preflight layer.
    pub fn new(
        injection: InjectionDetector,
        catalog: Catalog,
        config: AggregatorConfig,
    ) -> Result<Self> {
        config.check()?;
        injection.warm_up_thread();
        Ok(Preflight {
            injection,
            rules: Rules::new(),
            catalog,
            config,
        })
    }

    /// The embedded injection model, the shipped catalog and the default settings.
    pub fn embedded() -> Result<Self> {
        Self::new(
            InjectionDetector::embedded()?,
            Catalog::shipped(),
            AggregatorConfig::default(),
        )
    }

    /// The injection classifier.
    pub fn injection(&self) -> &InjectionDetector {
        &self.injection
    }

    /// The catalog.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// The aggregator settings.
    pub fn config(&self) -> &AggregatorConfig {
        &self.config
    }

    /// Runs every local classifier on the target message. `task` is a task signal with its
    /// confidence (e.g. from `vigil-task-signal`); without it the routing and specialization
    /// classifiers do not run and the resolver gets no constraints.
    pub fn signals(&self, input: &NormalizedInput, task: Option<(&TaskSignal, f64)>) -> Signals {
        self.signals_with(input, task.map(|(s, c)| (s, c, c)))
    }

    /// Like [`Self::signals`], with separate tier and specialization certainties.
    fn signals_with(
        &self,
        input: &NormalizedInput,
        task: Option<(&TaskSignal, f64, f64)>,
    ) -> Signals {
        let text = input.target().text.as_str();
        let pre = self.rules.preflight(text);
        let preflight = ClassifierOutput::new(
            pre.reason,
            pre.certainty,
            Signal::Preflight {
                final_reply: pre.final_reply,
                ack_reply: pre.ack_reply,
            },
            Status::ok(OutputSource::Rules),
            RULES_VERSION,
        );
        let (routing, model_specialization) = match task {
            Some((signal, tier_certainty, specialization_certainty)) => {
                let reason = |what: &str, p: f64| {
                    format!("Task signal {}; {what} probability {p:.2}.", signal.hint())
                };
                (
                    Some(ClassifierOutput::new(
                        &reason("tier", tier_certainty),
                        Certainty::from_probability(tier_certainty),
                        Signal::Routing {
                            model_tier: Some(signals::tier_for(signal)),
                        },
                        Status::ok(OutputSource::Model),
                        TASK_VERSION,
                    )),
                    Some(ClassifierOutput::new(
                        &reason("specialization", specialization_certainty),
                        Certainty::from_probability(specialization_certainty),
                        Signal::Specialization {
                            specialization: Some(signals::specialization_for(signal)),
                        },
                        Status::ok(OutputSource::Model),
                        TASK_VERSION,
                    )),
                )
            }
            None => (None, None),
        };
        let tool_ids = self.rules.tools(text);
        let tools = ClassifierOutput::new(
            if tool_ids.is_empty() {
                "No tool keywords."
            } else {
                "Tool keywords present."
            },
            Certainty::Strong,
            Signal::Tools { tools: tool_ids },
            Status::ok(OutputSource::Rules),
            RULES_VERSION,
        );
        let v = self.injection.classify(text, Channel::User);
        let reason = match v.risk_level {
            RiskLevel::HighRisk => "Injection patterns in the target message.",
            RiskLevel::Suspicious => "Some injection-like content; advisory.",
            _ => "No injection patterns.",
        };
        let prompt_injection = ClassifierOutput::new(
            reason,
            v.certainty,
            Signal::PromptInjection {
                risk_level: v.risk_level,
                score: Some(v.score),
            },
            Status::ok(OutputSource::Model),
            MODEL_VERSION,
        );
        Signals {
            preflight,
            routing,
            model_specialization,
            tools,
            prompt_injection,
        }
    }

    /// Decides route / reply / block for a normalized input.
    pub fn decide(
        &self,
        input: &NormalizedInput,
        task: Option<(&TaskSignal, f64)>,
    ) -> PipelineResult {
        let signals = self.signals(input, task);
        aggregate::aggregate(&signals, input, &self.catalog, &self.config)
    }

    /// Decides with a full task-signal classification (e.g. from vigil-task-signal's cascade):
    /// tier and specialization each get the probability of their own outcome as certainty
    /// ([`signals::routing_certainties`]) rather than the task's overall confidence, so a
    /// prompt whose nature is uncertain but whose routing is clear is not blocked by the gate.
    pub fn decide_classified(
        &self,
        input: &NormalizedInput,
        task: &Classification,
    ) -> PipelineResult {
        let (tier, specialization) = signals::routing_certainties(task);
        let signals = self.signals_with(input, Some((&task.signal, tier, specialization)));
        aggregate::aggregate(&signals, input, &self.catalog, &self.config)
    }

    /// Classifies the target message with `classifier` (e.g. vigil-task-signal's) and decides.
    /// If the classifier fails, the routing and model_specialization classifiers are recorded
    /// as failed (fallback, `no_signal`) and the message is blocked with `classification_error`.
    pub async fn decide_with(
        &self,
        input: &NormalizedInput,
        classifier: &dyn SignalClassifier,
    ) -> PipelineResult {
        match classifier.classify_with_scores(&input.target().text).await {
            Ok(task) => self.decide_classified(input, &task),
            Err(e) => {
                let mut signals = self.signals(input, None);
                let failed = |reason: &str, signal| {
                    ClassifierOutput::new(
                        reason,
                        Certainty::NoSignal,
                        signal,
                        Status::failed("error", e.to_string()),
                        TASK_VERSION,
                    )
                };
                signals.routing = Some(failed(
                    "Classifier failed; no routing signal.",
                    Signal::Routing { model_tier: None },
                ));
                signals.model_specialization = Some(failed(
                    "Classifier failed; no specialization signal.",
                    Signal::Specialization {
                        specialization: None,
                    },
                ));
                aggregate::aggregate(&signals, input, &self.catalog, &self.config)
            }
        }
    }
}
