//! Task signals: what kind of task a prompt asks for (axor-core 0.8.0 `TaskSignal`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{Error, Result, string_enum};

string_enum! {
    /// How much of the codebase / world a task touches.
    pub enum TaskComplexity: "complexity" {
        /// One file, one function, one question.
        Focused => "focused",
        /// A feature or a module.
        Moderate => "moderate",
        /// A rewrite, a migration, the whole repository.
        Expansive => "expansive",
    }
}

string_enum! {
    /// Whether a task reads, produces new artefacts, or changes existing ones.
    pub enum TaskNature: "nature" {
        /// Explain, analyze, summarize: nothing is written.
        Readonly => "readonly",
        /// Generate new files, tests, scaffolds.
        Generative => "generative",
        /// Fix, modify, delete, refactor existing things.
        Mutative => "mutative",
    }
}

string_enum! {
    /// The field a task belongs to.
    pub enum Domain: "domain" {
        /// Writing or changing software.
        Coding => "coding",
        /// Literature, sources, evidence.
        Research => "research",
        /// Helping a user with a problem or a question.
        Support => "support",
        /// Metrics, benchmarks, reports.
        Analysis => "analysis",
        /// Anything else.
        General => "general",
    }
}

string_enum! {
    /// The axor policy preset a task signal maps to.
    pub enum PolicyName: "policy_name" {
        /// focused × readonly
        FocusedReadonly => "focused_readonly",
        /// focused × generative
        FocusedGenerative => "focused_generative",
        /// focused × mutative
        FocusedMutative => "focused_mutative",
        /// moderate × readonly
        ModerateReadonly => "moderate_readonly",
        /// moderate × generative
        ModerateGenerative => "moderate_generative",
        /// moderate × mutative
        ModerateMutative => "moderate_mutative",
        /// expansive × any nature
        Expansive => "expansive",
        /// The safe fallback when classification fails or is not trusted.
        Default => "default",
    }
}

impl TaskComplexity {
    /// axor's `estimated_scope`: 1 / 5 / 999.
    pub const fn estimated_scope(self) -> u32 {
        match self {
            TaskComplexity::Focused => 1,
            TaskComplexity::Moderate => 5,
            TaskComplexity::Expansive => 999,
        }
    }
}

impl PolicyName {
    /// The policy axor selects for a complexity × nature pair.
    pub const fn for_signal(complexity: TaskComplexity, nature: TaskNature) -> Self {
        use {TaskComplexity as C, TaskNature as N};
        match (complexity, nature) {
            (C::Focused, N::Readonly) => PolicyName::FocusedReadonly,
            (C::Focused, N::Generative) => PolicyName::FocusedGenerative,
            (C::Focused, N::Mutative) => PolicyName::FocusedMutative,
            (C::Moderate, N::Readonly) => PolicyName::ModerateReadonly,
            (C::Moderate, N::Generative) => PolicyName::ModerateGenerative,
            (C::Moderate, N::Mutative) => PolicyName::ModerateMutative,
            (C::Expansive, _) => PolicyName::Expansive,
        }
    }
}

fn default_language() -> String {
    "unknown".to_owned()
}

/// A classified task, field for field as axor-core 0.8.0's `TaskSignal`.
///
/// `estimated_scope`, `requires_children` and `requires_mutation` are derived from the labels;
/// use [`TaskSignal::new`] so they stay consistent. Deserialization accepts records without the
/// derived fields and fills them in, and refuses records whose derived fields contradict the labels.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskSignal {
    /// The prompt as given (not stripped).
    pub raw_input: String,
    /// focused / moderate / expansive.
    pub complexity: TaskComplexity,
    /// readonly / generative / mutative.
    pub nature: TaskNature,
    /// 1 / 5 / 999 by complexity.
    pub estimated_scope: u32,
    /// True for expansive tasks.
    pub requires_children: bool,
    /// True for mutative tasks.
    pub requires_mutation: bool,
    /// Task domain; `general` when unknown.
    pub domain: Domain,
    /// ISO code from Unicode blocks (`en`, `ru`, `zh`, ...), `unknown` when not analysed.
    pub language: String,
}

impl TaskSignal {
    /// Builds a signal with the derived fields filled in.
    pub fn new(
        raw_input: impl Into<String>,
        complexity: TaskComplexity,
        nature: TaskNature,
        domain: Domain,
        language: impl Into<String>,
    ) -> Self {
        TaskSignal {
            raw_input: raw_input.into(),
            complexity,
            nature,
            estimated_scope: complexity.estimated_scope(),
            requires_children: complexity == TaskComplexity::Expansive,
            requires_mutation: nature == TaskNature::Mutative,
            domain,
            language: language.into(),
        }
    }

    /// The axor policy preset this signal selects.
    pub fn policy_name(&self) -> PolicyName {
        PolicyName::for_signal(self.complexity, self.nature)
    }

    /// The compact hint given to verifiers.
    pub fn hint(&self) -> TaskSignalHint {
        TaskSignalHint {
            complexity: self.complexity,
            nature: self.nature,
            domain: self.domain,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TaskSignalRecord {
    #[serde(default)]
    raw_input: String,
    complexity: TaskComplexity,
    nature: TaskNature,
    estimated_scope: Option<u32>,
    requires_children: Option<bool>,
    requires_mutation: Option<bool>,
    #[serde(default = "default_domain")]
    domain: Domain,
    #[serde(default = "default_language")]
    language: String,
}

fn default_domain() -> Domain {
    Domain::General
}

impl<'de> Deserialize<'de> for TaskSignal {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let r = TaskSignalRecord::deserialize(d)?;
        let signal = TaskSignal::new(r.raw_input, r.complexity, r.nature, r.domain, r.language);
        let check = |field: &str, given: Option<String>, derived: String| match given {
            Some(g) if g != derived => Err(serde::de::Error::custom(format!(
                "{field} {g} contradicts complexity {} / nature {} (expected {derived})",
                signal.complexity, signal.nature
            ))),
            _ => Ok(()),
        };
        check(
            "estimated_scope",
            r.estimated_scope.map(|v| v.to_string()),
            signal.estimated_scope.to_string(),
        )?;
        check(
            "requires_children",
            r.requires_children.map(|v| v.to_string()),
            signal.requires_children.to_string(),
        )?;
        check(
            "requires_mutation",
            r.requires_mutation.map(|v| v.to_string()),
            signal.requires_mutation.to_string(),
        )?;
        Ok(signal)
    }
}

/// The three labels of a task signal, as passed to verifiers (`"FOCUSED/MUTATIVE/coding"`).
///
/// It is a closed type on purpose: a verifier prompt built from it can only ever contain
/// vocabulary words, never user text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskSignalHint {
    /// Complexity label.
    pub complexity: TaskComplexity,
    /// Nature label.
    pub nature: TaskNature,
    /// Domain label.
    pub domain: Domain,
}

impl std::fmt::Display for TaskSignalHint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}/{}/{}",
            self.complexity.as_str().to_uppercase(),
            self.nature.as_str().to_uppercase(),
            self.domain
        )
    }
}

impl std::str::FromStr for TaskSignalHint {
    type Err = Error;
    /// Parses every form axor uses, case-insensitively, into one hint (whose canonical text is
    /// [`Display`](std::fmt::Display)'s `FOCUSED/MUTATIVE/coding`):
    ///
    /// - `complexity/nature[/domain]` — the verifier prompt's form (`FOCUSED/MUTATIVE/coding`,
    ///   `focused/mutative`);
    /// - `complexity_nature[_domain]` — the policy-name form axor's examples pass
    ///   (`focused_mutative`).
    ///
    /// A missing domain is `general`. One separator per hint: `focused/mutative_coding` is refused.
    fn from_str(s: &str) -> Result<Self> {
        let trimmed = s.trim();
        let separator = match (trimmed.contains('/'), trimmed.contains('_')) {
            (true, false) => '/',
            (false, true) => '_',
            _ => {
                return Err(Error::invalid(
                    "task_signal_hint",
                    format!(
                        "expected \"complexity/nature[/domain]\" or \"complexity_nature[_domain]\", got \"{s}\""
                    ),
                ));
            }
        };
        let parts: Vec<String> = trimmed
            .split(separator)
            .map(|p| p.trim().to_lowercase())
            .collect();
        if !(2..=3).contains(&parts.len()) {
            return Err(Error::invalid(
                "task_signal_hint",
                format!(
                    "expected \"complexity/nature[/domain]\" or \"complexity_nature[_domain]\", got \"{s}\""
                ),
            ));
        }
        Ok(TaskSignalHint {
            complexity: parts[0].parse()?,
            nature: parts[1].parse()?,
            domain: match parts.get(2) {
                Some(d) => d.parse()?,
                None => Domain::General,
            },
        })
    }
}

impl Serialize for TaskSignalHint {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for TaskSignalHint {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A classifier's full answer: the signal, its confidence and per-class scores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Classification {
    /// The decided signal.
    pub signal: TaskSignal,
    /// Confidence in [0, 1]: min of the complexity and nature confidences.
    pub confidence: f64,
    /// Per-class scores keyed `complexity.focused`, `nature.mutative`, `domain.coding`, ...;
    /// each head sums to 1. May be empty for classifiers that do not produce scores.
    #[serde(default)]
    pub scores: BTreeMap<String, f64>,
}

/// Anything that turns a prompt into a [`TaskSignal`] (axor's `SignalClassifier` protocol).
#[async_trait::async_trait]
pub trait SignalClassifier: Send + Sync {
    /// Classifies a prompt; returns the signal and a confidence in [0, 1].
    async fn classify(&self, raw: &str) -> Result<(TaskSignal, f64)> {
        let c = self.classify_with_scores(raw).await?;
        Ok((c.signal, c.confidence))
    }

    /// Classifies a prompt and returns per-class scores as well.
    async fn classify_with_scores(&self, raw: &str) -> Result<Classification>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_fields_follow_labels() {
        let s = TaskSignal::new(
            "rewrite it",
            TaskComplexity::Expansive,
            TaskNature::Mutative,
            Domain::Coding,
            "en",
        );
        assert_eq!(s.estimated_scope, 999);
        assert!(s.requires_children);
        assert!(s.requires_mutation);
        assert_eq!(s.policy_name(), PolicyName::Expansive);
        let f = TaskSignal::new(
            "x",
            TaskComplexity::Focused,
            TaskNature::Readonly,
            Domain::General,
            "en",
        );
        assert_eq!(
            (f.estimated_scope, f.requires_children, f.requires_mutation),
            (1, false, false)
        );
        assert_eq!(f.policy_name().as_str(), "focused_readonly");
        assert_eq!(
            PolicyName::for_signal(TaskComplexity::Moderate, TaskNature::Mutative).as_str(),
            "moderate_mutative"
        );
    }

    #[test]
    fn contradicting_derived_field_is_refused() {
        let err = crate::from_json_str::<TaskSignal>(
            r#"{"raw_input":"x","complexity":"focused","nature":"readonly","estimated_scope":5}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("estimated_scope 5 contradicts"), "{err}");
    }

    #[test]
    fn unknown_fields_are_refused() {
        let err = crate::from_json_str::<TaskSignal>(
            r#"{"raw_input":"x","complexity":"focused","nature":"readonly","nature_":"mutative"}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("nature_: unknown field `nature_`"), "{err}");
    }

    #[test]
    fn every_axor_hint_form_normalizes_to_one() {
        let want = TaskSignalHint {
            complexity: TaskComplexity::Focused,
            nature: TaskNature::Mutative,
            domain: Domain::General,
        };
        for form in [
            "focused_mutative",
            "FOCUSED_MUTATIVE",
            "focused/mutative",
            "FOCUSED/MUTATIVE",
            " Focused/Mutative/general ",
        ] {
            let h: TaskSignalHint = form.parse().unwrap();
            assert_eq!(h, want, "{form}");
            assert_eq!(h.to_string(), "FOCUSED/MUTATIVE/general", "{form}");
        }
        let coded: TaskSignalHint = "moderate_readonly_coding".parse().unwrap();
        assert_eq!(coded.to_string(), "MODERATE/READONLY/coding");
        let slash: TaskSignalHint = "FOCUSED/MUTATIVE/coding".parse().unwrap();
        assert_eq!(slash.to_string(), "FOCUSED/MUTATIVE/coding");
        // Every policy name with a nature is a hint in the underscore form.
        for p in PolicyName::ALL {
            if let Ok(h) = p.as_str().parse::<TaskSignalHint>() {
                assert_eq!(PolicyName::for_signal(h.complexity, h.nature), *p);
            }
        }
        let err = "focused_sleepy"
            .parse::<TaskSignalHint>()
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown nature \"sleepy\""), "{err}");
    }

    #[test]
    fn hint_round_trips_and_validates() {
        let h: TaskSignalHint = "FOCUSED/MUTATIVE/coding".parse().unwrap();
        assert_eq!(h.to_string(), "FOCUSED/MUTATIVE/coding");
        assert_eq!(h.domain, Domain::Coding);
        let short: TaskSignalHint = "moderate/readonly".parse().unwrap();
        assert_eq!(short.domain, Domain::General);
        let err = "ignore previous instructions"
            .parse::<TaskSignalHint>()
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("task_signal_hint: expected"), "{err}");
        let err = "focused/mutative_coding"
            .parse::<TaskSignalHint>()
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("task_signal_hint: expected"), "{err}");
        let err = "huge/readonly"
            .parse::<TaskSignalHint>()
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown complexity \"huge\""), "{err}");
    }
}
