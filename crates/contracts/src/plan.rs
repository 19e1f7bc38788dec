//! Plans: a request and the sequence of tool calls an agent intends to make (NEXUS-style).

use serde::{Deserialize, Serialize};

use crate::string_enum;

/// A planned sequence of tool calls, checked before it runs.
///
/// ```
/// let plan: vigil_contracts::Plan = vigil_contracts::from_json_str(
///     r#"{"request": "email the report", "budget": 1.0,
///         "steps": [{"tool": "send_email", "args": {"to": "boss@example.com"}}]}"#,
/// ).unwrap();
/// assert_eq!(plan.steps[0].tool, "send_email");
/// assert_eq!(plan.steps[0].irreversible, None); // not annotated: the annotator decides
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// What the user asked for, when known; used to tell grounded steps from injected ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<String>,
    /// Cost budget for the whole plan, in the unit of `estimated_cost`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "non_negative_opt"
    )]
    pub budget: Option<f64>,
    /// Request-level policy (NEXUS `allow_sensitive`).
    #[serde(default, skip_serializing_if = "PlanPolicy::is_default")]
    pub policy: PlanPolicy,
    /// The tool calls, in order.
    pub steps: Vec<Step>,
}

/// A plan whose steps stay JSON text borrowed from the record, each parsed into a [`Step`] only
/// while it is walked ([`RawPlan::step`]).
///
/// A `Plan` of 300,000 steps holds every step as a `Step` with an argument map (about 550 bytes
/// a step, 10 times its JSON); a `RawPlan` holds 16 bytes a step besides the record itself.
/// [`RawPlan::parse`] accepts exactly what [`from_json_str`](crate::from_json_str) accepts as a
/// [`Plan`] and fails with the same message, so the two read a record the same way.
///
/// ```
/// let text = r#"{"request": "email the report", "steps": [{"tool": "send_email", "args": {"to": "boss@example.com"}}]}"#;
/// let raw = vigil_contracts::plan::RawPlan::parse(text).unwrap();
/// let plan: vigil_contracts::Plan = vigil_contracts::from_json_str(text).unwrap();
/// assert_eq!(raw.step(0), plan.steps[0]);
/// assert_eq!(raw.request, plan.request);
/// ```
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPlan<'a> {
    /// [`Plan::request`].
    #[serde(default)]
    pub request: Option<String>,
    /// [`Plan::budget`].
    #[serde(default, deserialize_with = "non_negative_opt")]
    pub budget: Option<f64>,
    /// [`Plan::policy`].
    #[serde(default)]
    pub policy: PlanPolicy,
    /// Each step's JSON text, checked to parse as a [`Step`] (private, so that [`Self::step`]
    /// only ever parses text [`Self::parse`] has checked).
    #[serde(borrow)]
    steps: Vec<&'a serde_json::value::RawValue>,
}

impl<'a> RawPlan<'a> {
    /// Reads a plan record, checking every step (one at a time) as [`from_json_str`] would.
    ///
    /// [`from_json_str`]: crate::from_json_str
    pub fn parse(text: &'a str) -> crate::Result<Self> {
        // Whatever fails is told by the full parser, so the message is the one a `Plan` gets.
        let canonical = || match crate::from_json_str::<Plan>(text) {
            Err(e) => e,
            Ok(_) => crate::Error::Json {
                path: ".".into(),
                message: "the plan parses whole but not step by step".into(),
            },
        };
        crate::json::check_unique_keys(text)?;
        let mut de = serde_json::Deserializer::from_str(text);
        let raw = match RawPlan::deserialize(&mut de).and_then(|raw| de.end().map(|()| raw)) {
            Ok(raw) => raw,
            Err(_) => return Err(canonical()),
        };
        if raw
            .steps
            .iter()
            // Each step parsed as a record of its own, with its own value budget.
            .any(|s| crate::from_json_str::<Step>(s.get()).is_err())
        {
            return Err(canonical());
        }
        Ok(raw)
    }

    /// The number of steps.
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    /// Whether the plan has no steps.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// Step `index`, parsed from its text (panics if out of range).
    pub fn step(&self, index: usize) -> Step {
        crate::from_json_str(self.steps[index].get())
            .expect("every step was checked by RawPlan::parse")
    }
}

pub use echo::Plan as PlanEcho;

/// [`PlanEcho`], in a module of its own so that it can be called `Plan`: serde names the type
/// in its errors ("expected struct Plan", "struct Plan with 4 elements"), and the echo must fail
/// exactly as the plan does.
mod echo {
    use serde::{Deserialize, Serialize};

    use super::{PlanPolicy, Step, non_negative_opt};

    /// A [`Plan`](super::Plan) read for echoing in canonical form (`vigil check plan`): the same fields,
    /// validation and errors as [`Plan`](super::Plan), but each step is written out as canonical JSON as soon as
    /// it is parsed and dropped, so a 300,000-step plan is never held as 300,000 [`Step`]s with
    /// their argument maps (about 500 bytes each, ten times the JSON they come from).
    ///
    /// Serialized, it is byte for byte what serializing the [`Plan`](super::Plan) gives.
    ///
    /// ```
    /// use vigil_contracts::{from_json_str, plan::PlanEcho, Plan};
    /// let text = r#"{"steps": [{"tool": "send_email", "args": {"to": "a@b.example"}, "network": true}],
    ///                "request": "email a"}"#;
    /// let echo: PlanEcho = from_json_str(text).unwrap();
    /// let plan: Plan = from_json_str(text).unwrap();
    /// assert_eq!(serde_json::to_string(&echo).unwrap(), serde_json::to_string(&plan).unwrap());
    /// ```
    #[derive(Debug, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Plan {
        // Keep in step with `Plan` (the tests compare the two on every field).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        request: Option<String>,
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            deserialize_with = "non_negative_opt"
        )]
        budget: Option<f64>,
        #[serde(default, skip_serializing_if = "PlanPolicy::is_default")]
        policy: PlanPolicy,
        steps: StepsJson,
    }

    /// The canonical JSON of a step list, written one [`Step`] at a time while it is parsed.
    #[derive(Debug, Serialize)]
    #[serde(transparent)]
    struct StepsJson(Box<serde_json::value::RawValue>);

    impl<'de> Deserialize<'de> for StepsJson {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
            struct StepsVisitor;
            impl<'de> serde::de::Visitor<'de> for StepsVisitor {
                type Value = StepsJson;
                fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str("a sequence")
                }
                fn visit_seq<A: serde::de::SeqAccess<'de>>(
                    self,
                    mut seq: A,
                ) -> std::result::Result<StepsJson, A::Error> {
                    let mut out = b"[".to_vec();
                    while let Some(step) = seq.next_element::<Step>()? {
                        if out.len() > 1 {
                            out.push(b',');
                        }
                        serde_json::to_writer(&mut out, &step).map_err(serde::de::Error::custom)?;
                    }
                    out.push(b']');
                    let text = String::from_utf8(out).map_err(serde::de::Error::custom)?;
                    serde_json::value::RawValue::from_string(text)
                        .map(StepsJson)
                        .map_err(serde::de::Error::custom)
                }
            }
            d.deserialize_seq(StepsVisitor)
        }
    }
}

/// Request-level policy switches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanPolicy {
    /// The user explicitly allowed sensitive data access for this request.
    #[serde(default)]
    pub allow_sensitive: bool,
}

impl PlanPolicy {
    fn is_default(&self) -> bool {
        *self == PlanPolicy::default()
    }
}

/// One planned tool call. The annotation fields are optional: when absent, vigil's tool annotator
/// infers them from the tool name and arguments; when present, they always win.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Tool name as the agent emits it.
    pub tool: String,
    /// Tool arguments (NEXUS datasets call this `arguments`).
    #[serde(
        default,
        alias = "arguments",
        deserialize_with = "crate::json::compact_map"
    )]
    pub args: serde_json::Map<String, serde_json::Value>,
    /// What the tool returned, when the plan is checked after the fact or mid-way. Untrusted.
    /// An output that is not a string (an API tool's object or array) is kept as its compact
    /// JSON text ([`crate::observation_text`]).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::json::observation_text"
    )]
    pub observation: Option<String>,
    /// NEXUS dataset `category` (e.g. `file`), informational.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// NEXUS dataset `side_effects`, informational.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub side_effects: Option<Vec<String>>,
    /// The step cannot be undone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub irreversible: Option<bool>,
    /// The step touches sensitive data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sensitive: Option<bool>,
    /// The step makes an external network call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<bool>,
    /// Permission scopes the step needs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions: Option<Vec<String>>,
    /// Estimated cost of the step.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "non_negative_opt"
    )]
    pub estimated_cost: Option<f64>,
    /// Outbound endpoints the step contacts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoints: Option<Vec<String>>,
}

fn non_negative_opt<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<f64>, D::Error> {
    match Option::<f64>::deserialize(d)? {
        Some(v) if !v.is_finite() || v < 0.0 => Err(serde::de::Error::custom(format!(
            "{} must be a finite number ≥ 0",
            crate::text::format_number(v)
        ))),
        other => Ok(other),
    }
}

string_enum! {
    /// Severity of a rule or inspector violation (NEXUS CRIT/HIGH/MED/LOW).
    pub enum Severity: "severity" {
        /// Informational.
        Low => "low",
        /// Worth a revision.
        Med => "med",
        /// Needs a human confirmation.
        High => "high",
        /// Always blocks.
        Crit => "crit",
    }
}

impl PartialOrd for Severity {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Severity {
    /// low < med < high < crit.
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.index().cmp(&other.index())
    }
}

string_enum! {
    /// What the monitor decides about a plan (NEXUS Π).
    pub enum Intervention: "intervention" {
        /// Run it.
        Allow => "allow",
        /// Do not run it.
        Block => "block",
        /// Ask a human first.
        Confirm => "confirm",
        /// Ask the agent to revise the plan.
        Revise => "revise",
    }
}

/// One rule or inspector finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Violation {
    /// Rule identifier, e.g. `network_egress` or `args.credential`.
    pub rule: String,
    /// How bad it is.
    pub severity: Severity,
    /// Index of the step that triggered it (0-based), `None` for plan-level findings.
    #[serde(default)]
    pub step: Option<usize>,
    /// What was found, with the value that triggered it.
    pub detail: String,
}

/// The monitor's decision on a plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanDecision {
    /// What to do.
    pub intervention: Intervention,
    /// Calibrated risk ρ in [0, 1].
    #[serde(deserialize_with = "crate::trajectory::unit_interval")]
    pub risk: f64,
    /// The violations that drove the decision.
    #[serde(default)]
    pub violations: Vec<Violation>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_orders_low_to_crit() {
        assert!(Severity::Low < Severity::Med);
        assert!(Severity::Med < Severity::High);
        assert!(Severity::High < Severity::Crit);
        assert_eq!(
            [Severity::High, Severity::Low, Severity::Crit]
                .into_iter()
                .max(),
            Some(Severity::Crit)
        );
    }

    #[test]
    fn nexus_arguments_alias_is_accepted() {
        let step: Step = crate::from_json_str(
            r#"{"tool": "file_read", "arguments": {"path": "/data/x"}, "category": "file", "side_effects": []}"#,
        )
        .unwrap();
        assert_eq!(step.args["path"], "/data/x");
        assert_eq!(step.category.as_deref(), Some("file"));
    }

    #[test]
    fn negative_budget_is_refused() {
        let err = crate::from_json_str::<Plan>(r#"{"budget": -3, "steps": []}"#)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("budget: -3 must be a finite number"),
            "{err}"
        );
    }

    #[test]
    fn a_plan_echo_is_the_plans_canonical_json_and_fails_alike() {
        for text in [
            r#"{"steps": []}"#,
            r#"{"request": "r", "budget": 2.5, "policy": {"allow_sensitive": true}, "steps": [
                {"tool": "t", "arguments": {"a": [1, {"b": null}], "c": 1e3}, "observation": "o",
                 "category": "c", "side_effects": ["x"], "irreversible": true, "sensitive": false,
                 "network": true, "permissions": ["p:q"], "estimated_cost": 0, "endpoints": ["h"]},
                {"tool": "u"}]}"#,
            r#"["r", 2, {"allow_sensitive": true}, [{"tool": "t"}]]"#,
            r#"{"policy": {}, "steps": [{"tool": "ｇｍａｉｌ", "args": {"z": "\u0000", "a": 1}}], "request": null}"#,
        ] {
            let echo: PlanEcho = crate::from_json_str(text).unwrap();
            let plan: Plan = crate::from_json_str(text).unwrap();
            assert_eq!(
                serde_json::to_string(&echo).unwrap(),
                serde_json::to_string(&plan).unwrap()
            );
        }
        for text in [
            r#"{"steps": [{"tool": "t"}, {"tool": "t", "args": {"a": 1, "a": 2}}]}"#,
            r#"{"steps": [{"tool": "t"}, {"tool": 5}]}"#,
            r#"{"steps": [{"tool": "t", "args": "ls"}]}"#,
            r#"{"steps": [{"tool": "t", "estimated_cost": -1}]}"#,
            r#"{"steps": null}"#,
            r#"{"steps": 3}"#,
            r#"{"request": "r"}"#,
            r#"{"steps": [], "extra": 1}"#,
            r#"{"budget": -3, "steps": []}"#,
            r#"{"steps": [{"tool": "t"}]} x"#,
            r#"[1]"#,
            r#"-92233720368547758093372036854775809"#,
            r#"[]"#,
            r#"["r", null, {}, [], 5]"#,
            r#"["r", -1, {}, []]"#,
        ] {
            let echo = crate::from_json_str::<PlanEcho>(text)
                .unwrap_err()
                .to_string();
            let plan = crate::from_json_str::<Plan>(text).unwrap_err().to_string();
            assert_eq!(echo, plan, "{text}");
        }
    }
}
