//! One input record in, one output record out, for every model: the functions both `vigil`
//! (one JSON line per record) and `vigil serve` (a JSON body, or each element of a JSON array)
//! call, so the two accept, refuse and answer exactly alike.
//!
//! Every function takes the record's JSON text and parses it with
//! [`vigil_contracts::from_json_str`], which refuses duplicate keys anywhere.

use anyhow::bail;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use vigil_anomaly::MLAnomalyDetector;
use vigil_contracts::text::{MAX_ECHOED_CHARS, ellipsize};
use vigil_contracts::{
    AgentEvent, AnomalyResult, NormalizedIntent, Plan, PolicyName, TaskSignalHint, from_json_str,
};
use vigil_features::intent::{IntentNormalizer, RawCall};
use vigil_injection::InjectionScratch;
use vigil_injection::{Channel, InjectionDetector};
use vigil_isolation_baseline::Verdict;
use vigil_plan_risk::Assessment;
use vigil_preflight::Preflight;
use vigil_preflight::normalize::{normalize_value, sanitize};
use vigil_task_signal::{Cascade, Decision};

/// Agent id of baseline events without one.
pub const DEFAULT_AGENT: &str = "default";

// ---------------------------------------------------------------- normalize

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Session {
    calls: Vec<RawCall>,
}

/// One `normalize` answer: the session's intents, in call order.
#[derive(Debug, Serialize)]
pub struct Intents {
    intents: Vec<NormalizedIntent>,
}

/// `normalize`: `{"calls": [{"tool", "args"}, ...]}` → `{"intents": [...]}`. Typed, so the CLI
/// writes it straight out instead of building a `Value` tree (about 30× the JSON's size).
pub fn normalize(workdir: &str, record: &str) -> anyhow::Result<Intents> {
    let s: Session = from_json_str(record)?;
    let intents = IntentNormalizer::new(workdir).normalize_session(&s.calls)?;
    Ok(Intents { intents })
}

// ---------------------------------------------------------------- task-signal

#[derive(Debug, Deserialize)]
struct TaskInput {
    text: String,
}

/// The `task-signal` output record of one decision.
pub fn task_signal_output(d: &Decision) -> Value {
    let c = &d.classification;
    json!({
        "complexity": c.signal.complexity,
        "nature": c.signal.nature,
        "domain": c.signal.domain,
        "confidence": c.confidence,
        "classifier": d.classifier.as_str(),
        "policy": c.signal.policy_name(),
        "language": c.signal.language,
        "scores": c.scores,
    })
}

/// `task-signal`: `{"text"}` → the classification, by `classify`.
pub fn task_signal(classify: &dyn Fn(&str) -> Decision, record: &str) -> anyhow::Result<Value> {
    let input: TaskInput = from_json_str(record)?;
    Ok(task_signal_output(&classify(&input.text)))
}

// ---------------------------------------------------------------- anomaly

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AnomalyInput {
    #[serde(default)]
    window: Option<Vec<NormalizedIntent>>,
    #[serde(default)]
    calls: Option<Vec<RawCall>>,
    #[serde(default)]
    task_signal_hint: Option<String>,
    #[serde(default)]
    policy_name: Option<String>,
}

fn optional<T: std::str::FromStr<Err = vigil_contracts::Error>>(
    v: Option<&str>,
) -> anyhow::Result<Option<T>> {
    match v.map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => Ok(Some(s.parse()?)),
    }
}

/// A parsed, validated `anomaly` record.
#[derive(Debug, Clone)]
pub struct AnomalyRequest {
    /// The window (normalized from `calls` when given as raw calls).
    pub window: Vec<NormalizedIntent>,
    /// `task_signal_hint`.
    pub hint: Option<TaskSignalHint>,
    /// `policy_name`.
    pub policy: Option<PolicyName>,
    /// Whether the record gave raw `calls` (a session, judged on its worst window:
    /// [`MLAnomalyDetector::worst_window`]) rather than a `window` (judged on its last intents,
    /// as axor does).
    pub session: bool,
}

impl AnomalyRequest {
    /// The intents to score: a session's worst window, or the window as given.
    pub fn scored<'a>(&'a self, detector: &MLAnomalyDetector) -> &'a [NormalizedIntent] {
        if self.session {
            detector.worst_window(&self.window)
        } else {
            &self.window
        }
    }
}

/// Parses an `anomaly` record: `{"window": [...]}` or `{"calls": [...]}`.
pub fn anomaly_request(workdir: &str, record: &str) -> anyhow::Result<AnomalyRequest> {
    let input: AnomalyInput = from_json_str(record)?;
    // Every axor hint form is accepted (`focused_mutative`, `FOCUSED/MUTATIVE/coding`,
    // `focused/mutative`); errors name the field, as `vigil verify`'s do.
    let hint: Option<TaskSignalHint> =
        optional(input.task_signal_hint.as_deref()).map_err(|e| {
            let message = e.to_string();
            if message.starts_with("task_signal_hint") {
                e
            } else {
                anyhow::anyhow!("task_signal_hint: {message}")
            }
        })?;
    let policy: Option<PolicyName> = optional(input.policy_name.as_deref())?;
    let session = input.calls.is_some();
    let window = match (input.window, input.calls) {
        (Some(w), None) => w,
        (None, Some(calls)) => IntentNormalizer::new(workdir).normalize_session(&calls)?,
        (Some(_), Some(_)) => bail!("give either \"window\" or \"calls\", not both"),
        (None, None) => bail!("missing field \"window\" (or \"calls\")"),
    };
    MLAnomalyDetector::validate_window(&window)?;
    Ok(AnomalyRequest {
        window,
        hint,
        policy,
        session,
    })
}

/// `anomaly` without a verifier: the detector's result.
pub fn anomaly(
    detector: &MLAnomalyDetector,
    workdir: &str,
    record: &str,
) -> anyhow::Result<AnomalyResult> {
    let request = anomaly_request(workdir, record)?;
    Ok(detector.score_window(request.scored(detector)))
}

// ---------------------------------------------------------------- plan-risk

/// Parses a `plan-risk` record (a plan).
pub fn plan(record: &str) -> anyhow::Result<Plan> {
    Ok(from_json_str(record)?)
}

/// Parses a `plan-risk` record for `vigil serve`: a plan, plus an optional `"session_id"` that
/// names the session whose memory the turn uses. The plan is parsed from the record's own text
/// with the `session_id` member blanked out (spaces), so errors point at the line and column
/// of the text the client sent.
pub fn plan_with_session(record: &str) -> anyhow::Result<(Plan, Option<String>)> {
    let value: Value = from_json_str(record)?;
    let Some(id) = value.as_object().and_then(|m| m.get("session_id")) else {
        return Ok((from_json_str(record)?, None));
    };
    let session = match id {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => bail!(
            "session_id: expected a string, got {}",
            ellipsize(&other.to_string(), MAX_ECHOED_CHARS)
        ),
    };
    drop(value);
    Ok((from_json_str(&blank_member(record, "session_id"))?, session))
}

/// The top-level members of a JSON object, each value as its text in the record.
struct Members<'a>(Vec<(String, &'a serde_json::value::RawValue)>);

impl<'de> Deserialize<'de> for Members<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Members<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Members<'de>, A::Error> {
                let mut out = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    out.push(entry);
                }
                Ok(Members(out))
            }
        }
        d.deserialize_map(Visitor)
    }
}

/// `record` (a JSON object) with its top-level member `key` and one adjacent comma replaced by
/// spaces: every other byte keeps its offset, line and column. Unchanged when there is no such
/// member.
fn blank_member(record: &str, key: &str) -> String {
    let Ok(Members(members)) = serde_json::from_str::<Members<'_>>(record) else {
        return record.to_owned();
    };
    let base = record.as_ptr() as usize;
    // Byte range of each member's value in `record`.
    let spans: Vec<(usize, usize)> = members
        .iter()
        .map(|(_, v)| {
            let start = v.get().as_ptr() as usize - base;
            (start, start + v.get().len())
        })
        .collect();
    let Some(i) = members.iter().position(|(k, _)| k == key) else {
        return record.to_owned();
    };
    let open = record.find('{').map_or(0, |p| p + 1);
    let bytes = record.as_bytes();
    let skip = |mut p: usize| {
        while p < bytes.len() && (bytes[p].is_ascii_whitespace() || bytes[p] == b',') {
            p += 1;
        }
        p
    };
    let previous_end = if i == 0 { open } else { spans[i - 1].1 };
    let key_start = skip(previous_end);
    let mut out = bytes.to_vec();
    out[key_start..spans[i].1].fill(b' ');
    // One comma goes with it: the one after it, or, for the last member, the one before.
    let comma = if i + 1 < members.len() {
        (spans[i].1..skip(spans[i].1)).find(|&p| bytes[p] == b',')
    } else {
        (previous_end..key_start).find(|&p| bytes[p] == b',')
    };
    if let Some(p) = comma {
        out[p] = b' ';
    }
    // Whole members (char boundaries) became ASCII spaces: still UTF-8.
    String::from_utf8(out).unwrap_or_else(|_| record.to_owned())
}

/// The `plan-risk` output record as a [`Value`] (for `vigil serve`, which answers with values).
pub fn assessment_output(a: &Assessment) -> anyhow::Result<Value> {
    Ok(serde_json::to_value(AssessmentOutput(a))?)
}

/// The `plan-risk` output record, serialized straight from the assessment:
/// `{"intervention", "risk", "violations", "features": {name: value, …}}`. `vigil plan-risk`
/// writes it without building a [`Value`] tree first (a tree of 500,000 violations took about
/// 900 bytes each, several times the memory of the plan itself).
#[derive(Debug, Clone, Copy)]
pub struct AssessmentOutput<'a>(pub &'a Assessment);

impl Serialize for AssessmentOutput<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        struct Features<'a>(&'a [f64; 9]);
        impl Serialize for Features<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut m = s.serialize_map(Some(9))?;
                for (name, x) in vigil_features::plan::PLAN_FEATURES.iter().zip(self.0) {
                    m.serialize_entry(name, x)?;
                }
                m.end()
            }
        }
        let a = self.0;
        let mut m = s.serialize_map(Some(4))?;
        m.serialize_entry("intervention", a.decision.intervention.as_str())?;
        m.serialize_entry("risk", &a.decision.risk)?;
        m.serialize_entry("violations", &a.decision.violations)?;
        m.serialize_entry("features", &Features(&a.features))?;
        m.end()
    }
}

// ---------------------------------------------------------------- injection

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct InjectionInput {
    text: String,
    #[serde(default, deserialize_with = "source")]
    source: Channel,
}

fn source<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Channel, D::Error> {
    const ACCEPTED: &[&str] = &["user", "tool"];
    struct SourceVisitor;
    impl serde::de::Visitor<'_> for SourceVisitor {
        type Value = Channel;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("`user` or `tool`")
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Channel, E> {
            match v {
                "user" => Ok(Channel::User),
                "tool" => Ok(Channel::Tool),
                other => Err(E::unknown_variant(
                    &ellipsize(other, MAX_ECHOED_CHARS),
                    ACCEPTED,
                )),
            }
        }
    }
    d.deserialize_any(SourceVisitor)
}

/// `injection`: `{"text", "source"?}` → `{"risk_level", "certainty", "score"}`.
pub fn injection(
    classifier: &InjectionDetector,
    scratch: &mut InjectionScratch,
    record: &str,
) -> anyhow::Result<Value> {
    let request: InjectionInput = from_json_str(record)?;
    // The same cleaning `preflight` applies (BOM, NFC, control characters, trim), so a text
    // scores the same through either.
    let text = sanitize(&request.text);
    if text.is_empty() {
        bail!("text: must not be empty");
    }
    let v = classifier.score_detailed_with(&text, request.source, scratch);
    // Spans are byte ranges into the sanitized text, as `[start, end]` pairs.
    let spans: Vec<[usize; 2]> = v.spans.iter().map(|r| [r.start, r.end]).collect();
    Ok(json!({
        "risk_level": v.risk_level,
        "certainty": v.certainty,
        "score": v.score,
        "spans": spans,
    }))
}

// ---------------------------------------------------------------- preflight

/// `preflight`: `{"messages": [...]}` → open-classify's PipelineResult.
pub fn preflight(
    preflight: &Preflight,
    tasks: Option<&Cascade>,
    record: &str,
) -> anyhow::Result<Value> {
    // Through the shared parser, which refuses duplicate keys (a second "messages" must not
    // replace the first).
    let value: Value = from_json_str(record)?;
    let input = normalize_value(&value)?;
    let result = match tasks {
        Some(cascade) => {
            let task = cascade.classify_text(&input.target().text).classification;
            preflight.decide_classified(&input, &task)
        }
        None => preflight.decide(&input, None),
    };
    Ok(serde_json::to_value(result)?)
}

// ---------------------------------------------------------------- baseline

/// Parses a `baseline` record: an agent event, and its agent (`default` when absent).
pub fn agent_event(record: &str) -> anyhow::Result<(String, AgentEvent)> {
    let event: AgentEvent = from_json_str(record)?;
    let agent = event
        .agent_id
        .clone()
        .unwrap_or_else(|| DEFAULT_AGENT.to_owned());
    Ok((agent, event))
}

/// The `baseline` output record: harombe's `AnomalyResult` plus `"baseline"` (the learner's
/// factors and combined score) and, when the agent has a model, `"components"` and
/// `"reference_score"`.
pub fn baseline_output(verdict: &Verdict) -> anyhow::Result<Value> {
    let mut out = match serde_json::to_value(&verdict.result)? {
        Value::Object(map) => map,
        other => bail!("unexpected result shape {other}"),
    };
    let mut baseline: Map<String, Value> = verdict
        .baseline
        .factors
        .iter()
        .map(|(k, v)| (k.clone(), json!(v)))
        .collect();
    if let Some(c) = verdict.baseline.combined {
        baseline.insert("combined".into(), json!(c));
    }
    out.insert("baseline".into(), Value::Object(baseline));
    if let Some(scores) = &verdict.scores {
        let components: Map<String, Value> = scores
            .components
            .named()
            .iter()
            .map(|(k, v)| ((*k).to_owned(), json!(v)))
            .collect();
        out.insert("components".into(), Value::Object(components));
        out.insert("reference_score".into(), json!(scores.reference.score));
    }
    Ok(Value::Object(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blanking_keeps_every_other_byte_in_place() {
        let r = r#"{"session_id": "S", "steps": []}"#;
        assert_eq!(
            blank_member(r, "session_id"),
            r#"{                   "steps": []}"#
        );
        let r = "{\"steps\": [],\n \"session_id\":\"é\" }";
        let b = blank_member(r, "session_id");
        assert_eq!(b.len(), r.len());
        assert_eq!(b, "{\"steps\": [] \n                   }");
        let r = r#"{"a":1,"session_id":null,"b":2}"#;
        assert_eq!(
            blank_member(r, "session_id"),
            r#"{"a":1,                  "b":2}"#
        );
        assert_eq!(blank_member("[1]", "session_id"), "[1]");
        assert_eq!(blank_member(r#"{"a":1}"#, "session_id"), r#"{"a":1}"#);
    }

    #[test]
    fn plan_errors_point_at_the_text_sent() {
        let with = "{\"session_id\": \"S\",\n \"steps\": [{\"tool\": 5}]}";
        let e = plan_with_session(with).unwrap_err().to_string();
        assert!(e.contains("line 2 column 21"), "{e}");
        let member = "\"session_id\": \"S\",";
        let blanked = with.replacen(member, &" ".repeat(member.len()), 1);
        assert_eq!(e, plan(&blanked).unwrap_err().to_string());
        let (_, s) = plan_with_session(r#"{"steps": [], "session_id": "S"}"#).unwrap();
        assert_eq!(s.as_deref(), Some("S"));
    }
}
