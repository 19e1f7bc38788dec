//! The aggregator: classifier outputs in, one `route` / `reply` / `block` decision out.
//!
//! Semantics follow open-classify v0.1.2 (certainty threshold 0.65 passed with `>=`, gate
//! `min_score` / `avg_score` / `off` over the classifiers that ran — routing and specialization
//! only with `gate_routing` — `composeEnvelope`, the
//! PipelineResult shapes) with the **action priority of 1.4.0** (reference §4.1):
//!
//! 1. **prompt-injection block** — a `high_risk` or `unknown` risk level, whatever its certainty
//!    (1.4.0; in v0.1.2 it also needed certainty ≥ threshold, so a weak `high_risk` routed when
//!    the gate was `off`). A `final_reply` can no longer short-circuit past an injection (the
//!    v0.1.2 ordering hole).
//! 2. **classification error** — any classifier that failed (fell back) blocks with
//!    `kind: "classification_error"`, *whatever the gate mode*. In v0.1.2 a failed
//!    prompt-injection classifier only tripped the gate, so with the gate `off` it routed
//!    (fail-open, reference §4.5); here it fails closed.
//! 3. **reply** — a confident preflight `final_reply`.
//! 4. **certainty gate** — v0.1.2's low-certainty block, with its details.
//! 5. **route**.
//!
//! Nothing is aborted locally (every signal costs microseconds), so `audit.meta.classifiers`
//! always lists every classifier that ran and every result carries the envelope.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use vigil_contracts::{Certainty, ModelTier, RiskLevel, Specialization};

use crate::catalog::{
    Axis, Catalog, Constraints, DropReason, DroppedConstraint, ModelRecommendation, UnpricedRank,
};
use crate::normalize::NormalizedInput;
use crate::signals::ReplySignal;
use crate::{Error, Result};

/// Default certainty threshold.
pub const DEFAULT_CERTAINTY_THRESHOLD: f64 = 0.65;

/// How the certainty gate combines classifier scores.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GateMode {
    /// The lowest score must reach the threshold.
    #[default]
    MinScore,
    /// The mean score must reach the threshold.
    AvgScore,
    /// No gate.
    Off,
}

impl GateMode {
    /// The wire string.
    pub const fn as_str(self) -> &'static str {
        match self {
            GateMode::MinScore => "min_score",
            GateMode::AvgScore => "avg_score",
            GateMode::Off => "off",
        }
    }
}

/// Aggregator and resolver settings.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AggregatorConfig {
    /// A classifier is confident when its score is ≥ this (0..=1; reference 0.65).
    pub certainty_threshold: f64,
    /// Gate mode (reference `min_score`).
    pub certainty_gate: GateMode,
    /// Where unpriced catalog models rank (vigil: last; reference: as free).
    pub unpriced: UnpricedRank,
    /// Whether the routing classifiers (`routing`, `model_specialization`) count toward the
    /// certainty gate. The reference counts them, so an unsure model-tier guess blocks the
    /// message (it blocked about half of vigil's hand-written benign prompts). vigil's default
    /// is `false`: an unsure routing axis is dropped as a constraint (`low_confidence`), as the
    /// envelope already does, and the gate judges only the classifiers that bear on safety and
    /// replies. Config key `aggregator.gateRouting`.
    pub gate_routing: bool,
}

impl Default for AggregatorConfig {
    fn default() -> Self {
        AggregatorConfig {
            certainty_threshold: DEFAULT_CERTAINTY_THRESHOLD,
            certainty_gate: GateMode::MinScore,
            unpriced: UnpricedRank::Last,
            gate_routing: false,
        }
    }
}

impl AggregatorConfig {
    /// Checks the threshold.
    pub fn check(&self) -> Result<()> {
        if !(self.certainty_threshold.is_finite()
            && (0.0..=1.0).contains(&self.certainty_threshold))
        {
            return Err(Error::Config(format!(
                "aggregator.certaintyThreshold must be a finite number between 0 and 1 inclusive, got {}",
                self.certainty_threshold
            )));
        }
        Ok(())
    }
}

/// Where a classifier's output came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutputSource {
    /// A trained model.
    Model,
    /// Deterministic rules.
    Rules,
    /// Supplied by the caller (an external classifier, e.g. an LLM).
    External,
    /// The classifier failed; this is its fallback.
    Fallback,
}

/// `{ok, source, reason?, error?}` as in open-classify's `meta.classifiers[name].status`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Status {
    /// False when the classifier failed.
    pub ok: bool,
    /// Where the output came from.
    pub source: OutputSource,
    /// `error` or `timeout` for failures.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The failure message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Status {
    /// A successful output.
    pub fn ok(source: OutputSource) -> Self {
        Status {
            ok: true,
            source,
            reason: None,
            error: None,
        }
    }

    /// A failure with its message.
    pub fn failed(reason: &str, error: impl Into<String>) -> Self {
        Status {
            ok: false,
            source: OutputSource::Fallback,
            reason: Some(reason.to_owned()),
            error: Some(error.into()),
        }
    }
}

/// The typed signal of one classifier.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Signal {
    /// preflight.
    Preflight {
        /// Terminal reply.
        #[serde(skip_serializing_if = "Option::is_none")]
        final_reply: Option<ReplySignal>,
        /// Acknowledgement.
        #[serde(skip_serializing_if = "Option::is_none")]
        ack_reply: Option<ReplySignal>,
    },
    /// routing.
    Routing {
        /// Tier, if emitted.
        #[serde(skip_serializing_if = "Option::is_none")]
        model_tier: Option<ModelTier>,
    },
    /// model_specialization.
    Specialization {
        /// Specialization, if emitted.
        #[serde(skip_serializing_if = "Option::is_none")]
        specialization: Option<Specialization>,
    },
    /// tools.
    Tools {
        /// Tool ids.
        tools: Vec<String>,
    },
    /// prompt_injection.
    PromptInjection {
        /// Risk level.
        risk_level: RiskLevel,
        /// Calibrated injection probability, when a local model produced it.
        #[serde(skip_serializing_if = "Option::is_none")]
        score: Option<f64>,
    },
}

/// One classifier's output, as recorded in `audit.meta.classifiers`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassifierOutput {
    /// Short justification (≤ 120 characters; longer is truncated, as in v0.1.2).
    pub reason: String,
    /// Certainty tag.
    pub certainty: Certainty,
    /// The signal fields.
    #[serde(flatten)]
    pub signal: Signal,
    /// Status.
    pub status: Status,
    /// Classifier version.
    pub version: String,
}

impl ClassifierOutput {
    /// Builds an output, truncating the reason to 120 characters (v0.1.2 behaviour: slice,
    /// then trim the end).
    pub fn new(
        reason: &str,
        certainty: Certainty,
        signal: Signal,
        status: Status,
        version: &str,
    ) -> Self {
        let reason = match reason.char_indices().nth(120) {
            Some((cut, _)) => reason[..cut].trim_end().to_owned(),
            None => reason.to_owned(),
        };
        ClassifierOutput {
            reason,
            certainty,
            signal,
            status,
            version: version.to_owned(),
        }
    }

    /// The certainty score; a failed classifier scores 0.
    pub fn score(&self) -> f64 {
        if self.status.ok {
            self.certainty.score()
        } else {
            0.0
        }
    }
}

/// Every classifier's output for one message, in registry order. `routing` and
/// `model_specialization` are `None` when no task signal was available (they did not run and
/// are not counted by the gate).
#[derive(Debug, Clone, PartialEq)]
pub struct Signals {
    /// preflight (order 10).
    pub preflight: ClassifierOutput,
    /// routing (order 20).
    pub routing: Option<ClassifierOutput>,
    /// model_specialization (order 30).
    pub model_specialization: Option<ClassifierOutput>,
    /// tools (order 40).
    pub tools: ClassifierOutput,
    /// prompt_injection (order 50).
    pub prompt_injection: ClassifierOutput,
}

impl Signals {
    /// `(name, output)` in registry order, skipping classifiers that did not run.
    pub fn entries(&self) -> Vec<(&'static str, &ClassifierOutput)> {
        let mut v = vec![("preflight", &self.preflight)];
        if let Some(r) = &self.routing {
            v.push(("routing", r));
        }
        if let Some(s) = &self.model_specialization {
            v.push(("model_specialization", s));
        }
        v.push(("tools", &self.tools));
        v.push(("prompt_injection", &self.prompt_injection));
        v
    }
}

/// `{model_tier?, specialization?}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RoutingSignal {
    /// Tier from a confident routing classifier.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model_tier: Option<ModelTier>,
    /// Specialization from a confident model_specialization classifier.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub specialization: Option<Specialization>,
}

/// `{tools}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ToolsSignal {
    /// Tool ids.
    pub tools: Vec<String>,
}

/// `{risk_level}` (plus vigil's calibrated score).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct InjectionSignal {
    /// Risk level.
    pub risk_level: RiskLevel,
    /// Calibrated injection probability, when available.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
}

/// open-classify's envelope (`composeEnvelope`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Envelope {
    /// Included only when preflight is confident.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub final_reply: Option<ReplySignal>,
    /// Included only when preflight is confident.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ack_reply: Option<ReplySignal>,
    /// Confident routing axes; absent when neither is set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub routing: Option<RoutingSignal>,
    /// Included only when the tools classifier is confident.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tools: Option<ToolsSignal>,
    /// Included only when prompt_injection is confident.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prompt_injection: Option<InjectionSignal>,
    /// Custom classifiers' outputs (vigil has none; always empty).
    pub custom_outputs: Vec<Value>,
    /// The resolved downstream model.
    pub model_recommendation: ModelRecommendation,
}

/// Which step produced a short-circuit or a block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FiredBy {
    /// A confident final reply.
    Preflight,
    /// A confident high_risk / unknown injection verdict.
    PromptInjection,
    /// A failed classifier.
    ClassificationError,
    /// The certainty gate.
    CertaintyGate,
}

/// The certainty gate's details.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LowCertainty {
    /// Gate mode.
    pub mode: GateMode,
    /// Threshold.
    pub threshold: f64,
    /// The min or mean score.
    pub score: f64,
    /// Every counted classifier's score.
    pub classifier_scores: BTreeMap<String, f64>,
    /// Those below the threshold.
    pub low_classifiers: Vec<String>,
}

/// Why a message was blocked.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BlockReason {
    /// `{kind: "prompt_injection", risk_level}`.
    PromptInjection {
        /// The risk level.
        risk_level: RiskLevel,
        /// Its certainty.
        certainty: Certainty,
    },
    /// `{kind: "classification_error", failed_classifiers}`.
    ClassificationError {
        /// Names of the failed classifiers.
        failed_classifiers: Vec<String>,
    },
    /// `{kind: "low_certainty", mode, threshold, score, classifier_scores, low_classifiers}`.
    LowCertainty(LowCertainty),
}

/// `audit.meta`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Meta {
    /// Every classifier that ran, by name.
    pub classifiers: BTreeMap<&'static str, ClassifierOutput>,
}

/// The audit block of every result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Audit {
    /// The step that decided a reply or block.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fired_by: Option<FiredBy>,
    /// The gate's details, on gate blocks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certainty_gate: Option<LowCertainty>,
    /// The envelope.
    #[serde(flatten)]
    pub envelope: Envelope,
    /// Per-classifier outputs.
    pub meta: Meta,
}

/// `{text}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReplyText {
    /// The reply.
    pub text: String,
}

/// `{role: "user", text, hash}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TargetMessage {
    /// Always `user`.
    pub role: &'static str,
    /// The normalized target text.
    pub text: String,
    /// `target_message_hash`.
    pub hash: String,
}

/// Where a routed message goes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Downstream {
    /// Resolved model id.
    pub model_id: String,
    /// The target message (not the history).
    pub target_message: TargetMessage,
    /// Tools hint (`{tools: []}` by default).
    pub tools: ToolsSignal,
}

/// The decision: a discriminated union on `action`, as open-classify's `PipelineResult`.
/// Every variant carries `message_id` (v0.1.2's name) and `target_message_hash` (its later
/// name), both the target hash, plus `classifier_outputs` (empty: no custom classifiers).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum PipelineResult {
    /// Answer directly.
    Reply {
        /// Target hash.
        message_id: String,
        /// Target hash.
        target_message_hash: String,
        /// The answer.
        reply: ReplyText,
        /// Always `preflight_reply`.
        reason: &'static str,
        /// Empty.
        classifier_outputs: Map<String, Value>,
        /// Audit.
        audit: Box<Audit>,
    },
    /// Refuse.
    Block {
        /// Target hash.
        message_id: String,
        /// Target hash.
        target_message_hash: String,
        /// The step that blocked.
        fired_by: FiredBy,
        /// Why.
        reason: BlockReason,
        /// Empty.
        classifier_outputs: Map<String, Value>,
        /// Audit.
        audit: Box<Audit>,
    },
    /// Send downstream.
    Route {
        /// Target hash.
        message_id: String,
        /// Target hash.
        target_message_hash: String,
        /// Model, target message and tools.
        downstream: Downstream,
        /// Empty.
        classifier_outputs: Map<String, Value>,
        /// Audit.
        audit: Box<Audit>,
    },
}

impl PipelineResult {
    /// The action.
    pub fn action(&self) -> vigil_contracts::Action {
        match self {
            PipelineResult::Reply { .. } => vigil_contracts::Action::Reply,
            PipelineResult::Block { .. } => vigil_contracts::Action::Block,
            PipelineResult::Route { .. } => vigil_contracts::Action::Route,
        }
    }

    /// The audit block.
    pub fn audit(&self) -> &Audit {
        match self {
            PipelineResult::Reply { audit, .. }
            | PipelineResult::Block { audit, .. }
            | PipelineResult::Route { audit, .. } => audit,
        }
    }
}

/// Builds the envelope (open-classify's `composeEnvelope`).
pub fn compose_envelope(
    signals: &Signals,
    catalog: &Catalog,
    config: &AggregatorConfig,
) -> Envelope {
    let threshold = config.certainty_threshold;
    let confident = |o: &ClassifierOutput| o.score() >= threshold;
    let (final_reply, ack_reply) = match (&signals.preflight.signal, confident(&signals.preflight))
    {
        (
            Signal::Preflight {
                final_reply,
                ack_reply,
            },
            true,
        ) => (final_reply.clone(), ack_reply.clone()),
        _ => (None, None),
    };
    let tier_emitted = signals.routing.as_ref().and_then(|o| match o.signal {
        Signal::Routing { model_tier } => model_tier.map(|t| (t, confident(o))),
        _ => None,
    });
    let spec_emitted = signals
        .model_specialization
        .as_ref()
        .and_then(|o| match o.signal {
            Signal::Specialization { specialization } => specialization.map(|s| (s, confident(o))),
            _ => None,
        });
    let tier = tier_emitted.filter(|(_, c)| *c).map(|(t, _)| t);
    let specialization = spec_emitted.filter(|(_, c)| *c).map(|(s, _)| s);
    let mut dropped = Vec::new();
    if matches!(spec_emitted, Some((_, false))) {
        dropped.push(DroppedConstraint {
            axis: Axis::Specialization,
            reason: DropReason::LowConfidence,
        });
    }
    if matches!(tier_emitted, Some((_, false))) {
        dropped.push(DroppedConstraint {
            axis: Axis::Tier,
            reason: DropReason::LowConfidence,
        });
    }
    let routing_confidence = [&signals.routing, &signals.model_specialization]
        .into_iter()
        .flatten()
        .map(ClassifierOutput::score)
        .reduce(f64::max);
    let routing = (tier.is_some() || specialization.is_some()).then_some(RoutingSignal {
        model_tier: tier,
        specialization,
    });
    let tools = match (&signals.tools.signal, confident(&signals.tools)) {
        (Signal::Tools { tools }, true) => Some(ToolsSignal {
            tools: tools.clone(),
        }),
        _ => None,
    };
    let prompt_injection = match (
        &signals.prompt_injection.signal,
        confident(&signals.prompt_injection),
    ) {
        (Signal::PromptInjection { risk_level, score }, true) => Some(InjectionSignal {
            risk_level: *risk_level,
            score: *score,
        }),
        _ => None,
    };
    let model_recommendation = catalog.resolve(
        Constraints {
            specialization,
            tier,
        },
        dropped,
        routing_confidence,
        config.unpriced,
    );
    Envelope {
        final_reply,
        ack_reply,
        routing,
        tools,
        prompt_injection,
        custom_outputs: Vec::new(),
        model_recommendation,
    }
}

/// The certainty gate's verdict: `Some(details)` when it blocks.
pub fn certainty_gate(signals: &Signals, config: &AggregatorConfig) -> Option<LowCertainty> {
    let mode = config.certainty_gate;
    if mode == GateMode::Off {
        return None;
    }
    let threshold = config.certainty_threshold;
    let mut entries = signals.entries();
    if !config.gate_routing {
        entries.retain(|(name, _)| !matches!(*name, "routing" | "model_specialization"));
    }
    if entries.is_empty() {
        return None;
    }
    let scores: Vec<f64> = entries.iter().map(|(_, o)| o.score()).collect();
    let score = match mode {
        GateMode::MinScore => scores.iter().copied().fold(f64::INFINITY, f64::min),
        GateMode::AvgScore => scores.iter().sum::<f64>() / scores.len() as f64,
        GateMode::Off => return None,
    };
    if score >= threshold {
        return None;
    }
    Some(LowCertainty {
        mode,
        threshold,
        score,
        classifier_scores: entries
            .iter()
            .map(|(n, o)| ((*n).to_owned(), o.score()))
            .collect(),
        low_classifiers: entries
            .iter()
            .filter(|(_, o)| o.score() < threshold)
            .map(|(n, _)| (*n).to_owned())
            .collect(),
    })
}

/// Decides the action for one normalized input. See the module docs for the priority.
pub fn aggregate(
    signals: &Signals,
    input: &NormalizedInput,
    catalog: &Catalog,
    config: &AggregatorConfig,
) -> PipelineResult {
    let envelope = compose_envelope(signals, catalog, config);
    let meta = Meta {
        classifiers: signals
            .entries()
            .into_iter()
            .map(|(n, o)| (n, o.clone()))
            .collect(),
    };
    let hash = input.target_message_hash().to_owned();
    let audit = |fired_by, certainty_gate, envelope| {
        Box::new(Audit {
            fired_by,
            certainty_gate,
            envelope,
            meta: meta.clone(),
        })
    };
    let block = |fired_by: FiredBy, reason: BlockReason, audit: Box<Audit>| PipelineResult::Block {
        message_id: hash.clone(),
        target_message_hash: hash.clone(),
        fired_by,
        reason,
        classifier_outputs: Map::new(),
        audit,
    };

    // 1. Prompt-injection block.
    let injection = &signals.prompt_injection;
    if let Signal::PromptInjection { risk_level, .. } = injection.signal {
        // Whatever the certainty (1.4.0): a `high_risk` verdict below the certainty threshold
        // used to fall through to the gate, which routes it with the gate `off` or `avg_score`.
        if injection.status.ok && matches!(risk_level, RiskLevel::HighRisk | RiskLevel::Unknown) {
            return block(
                FiredBy::PromptInjection,
                BlockReason::PromptInjection {
                    risk_level,
                    certainty: injection.certainty,
                },
                audit(Some(FiredBy::PromptInjection), None, envelope),
            );
        }
    }
    // 2. Classification error (fail closed, whatever the gate mode).
    let failed: Vec<String> = signals
        .entries()
        .into_iter()
        .filter(|(_, o)| !o.status.ok)
        .map(|(n, _)| n.to_owned())
        .collect();
    if !failed.is_empty() {
        return block(
            FiredBy::ClassificationError,
            BlockReason::ClassificationError {
                failed_classifiers: failed,
            },
            audit(Some(FiredBy::ClassificationError), None, envelope),
        );
    }
    // 3. Reply.
    if let Some(reply) = envelope.final_reply.clone() {
        return PipelineResult::Reply {
            message_id: hash.clone(),
            target_message_hash: hash.clone(),
            reply: ReplyText {
                text: reply.reply.clone(),
            },
            reason: "preflight_reply",
            classifier_outputs: Map::new(),
            audit: audit(Some(FiredBy::Preflight), None, envelope),
        };
    }
    // 4. Certainty gate.
    if let Some(low) = certainty_gate(signals, config) {
        return block(
            FiredBy::CertaintyGate,
            BlockReason::LowCertainty(low.clone()),
            audit(Some(FiredBy::CertaintyGate), Some(low), envelope),
        );
    }
    // 5. Route.
    let target = input.target();
    PipelineResult::Route {
        message_id: hash.clone(),
        target_message_hash: hash.clone(),
        downstream: Downstream {
            model_id: envelope.model_recommendation.id.clone(),
            target_message: TargetMessage {
                role: "user",
                text: target.text.clone(),
                hash: hash.clone(),
            },
            tools: envelope
                .tools
                .clone()
                .unwrap_or(ToolsSignal { tools: Vec::new() }),
        },
        classifier_outputs: Map::new(),
        audit: audit(None, None, envelope),
    }
}
