//! axor-core's `HeuristicClassifier`: a weighted regex table and its confidence rules, plus the
//! TaskAnalyzer's keyword domain rule.
//!
//! The table, weights and rules are the reference's exactly (see `reference/axor.md` §2–3);
//! the regexes are compiled once per process.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::RegexSet;
use vigil_contracts::{
    Classification, Domain, SignalClassifier, TaskComplexity, TaskNature, TaskSignal,
};

use crate::language::detect_language;
use crate::{bounded, empty_input_classification};

/// The five pattern groups, in the order [`Table::new`] takes them.
const GROUPS: usize = 5;

/// The whole weighted regex table as one [`RegexSet`]: a text is scanned once for all 40
/// patterns (one `is_match` per pattern took about 1.5 µs a prompt; the set, 0.8), and each
/// match adds its weight to its group. Matches come in pattern order, so each group's sum adds
/// the same weights in the same order as the reference's loop.
struct Table {
    set: RegexSet,
    /// Per pattern: its group (0 expansive, 1 moderate, 2 readonly, 3 mutative, 4 generative)
    /// and weight.
    weights: Vec<(usize, f64)>,
}

impl Table {
    fn new(groups: [&[(f64, &str)]; GROUPS]) -> Self {
        let mut patterns = Vec::new();
        let mut weights = Vec::new();
        for (g, table) in groups.iter().enumerate() {
            for &(w, re) in *table {
                patterns.push(format!("(?i){re}"));
                weights.push((g, w));
            }
        }
        // The patterns are constants; a failure here is a programming error caught by the
        // unit tests, never by user input.
        let set = RegexSet::new(&patterns).unwrap_or_else(|e| panic!("heuristic table: {e}"));
        Table { set, weights }
    }

    /// Each group's sum of the weights of its matching patterns.
    fn sums(&self, text: &str) -> [f64; GROUPS] {
        // From +0.0: an empty `sum()` of f64 is -0.0, which would print as "-0.0".
        let mut sums = [0.0; GROUPS];
        let stand_in;
        let haystack = if text.is_ascii() {
            text
        } else {
            stand_in = ascii_stand_in(text);
            &stand_in
        };
        for i in self.set.matches(haystack).iter() {
            let (g, w) = self.weights[i];
            sums[g] += w;
        }
        sums
    }
}

/// `text` with every non-ASCII character replaced by an ASCII one the table's patterns treat
/// alike: a word character by `_`, white space by a space, the two characters that case-fold to
/// ASCII letters (the Kelvin sign, the long s) by those letters, anything else by `#`.
///
/// Why: the patterns' Unicode `\b` stops the lazy DFA at the first non-ASCII word character, and
/// the set then runs in the PikeVM — 45 µs for a 60-byte Russian prompt, 15× an English one. The
/// patterns are ASCII words joined by `\b`, `\s`, `\w`, groups, alternations and repetitions
/// under `(?i)` (a test checks), so they match the stand-in exactly when they match the text:
/// `\w`, `\s` and `\b` see the same classes at the same places, and no ASCII letter is made.
fn ascii_stand_in(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            _ if c.is_ascii() => c,
            '\u{212A}' => 'k',
            '\u{017F}' => 's',
            _ if c.is_whitespace() => ' ',
            _ if regex_syntax::try_is_word_character(c).unwrap_or(true) => '_',
            _ => '#',
        })
        .collect()
}

static TABLE: LazyLock<Table> = LazyLock::new(|| {
    Table::new([
        &[
            (1.0, r"\brewrite\s+(entire|whole|full|the)\b"),
            (1.0, r"\bmigrate\s+(entire|whole|full|the|all)\b"),
            (1.0, r"\bport\s+(entire|whole|full|the|all)\b"),
            (0.8, r"\brewrite\s+\w+\s+(to|in|into)\s+\w+"),
            (0.8, r"\bmigrate\s+\w+\s+(to|from)\b"),
            (0.9, r"\brefactor\s+(entire|whole|all|the\s+entire)\b"),
            (1.0, r"\barchitecture\s+(overhaul|redesign|rework)\b"),
            (0.9, r"\bconvert\s+(the\s+)?(entire|whole|full)\b"),
        ],
        &[
            (0.8, r"\badd\s+(a\s+)?feature\b"),
            (0.6, r"\bimplement\s+\w+"),
            (0.7, r"\brefactor\s+\w+"),
            (0.5, r"\bupdate\s+\w+"),
            (0.6, r"\bextend\s+\w+"),
            (0.7, r"\bintegrate\s+\w+"),
            (0.7, r"\breplace\s+\w+\s+with\b"),
        ],
        &[
            (0.9, r"\bexplain\b"),
            (0.8, r"\banalyze\b"),
            (0.7, r"\bwhat\s+(is|are|does)\b"),
            (0.7, r"\bhow\s+does\b"),
            (0.7, r"\bwhy\s+(is|does|did)\b"),
            (0.9, r"\bsummarize\b"),
            (0.6, r"\breview\b"),
            (0.6, r"\bcheck\s+(if|whether|that)\b"),
            (0.5, r"\bfind\s+(all|the|where|any)\b"),
        ],
        &[
            (0.7, r"\bfix\b"),
            (0.8, r"\bwrite\s+(a\s+)?(test|spec|function|class|module)\b"),
            (0.6, r"\bcreate\b"),
            (0.8, r"\bmodify\b"),
            (0.8, r"\bdelete\b"),
            (0.7, r"\bremove\b"),
            (0.8, r"\brename\b"),
            (0.5, r"\bmove\b"),
            (0.7, r"\brefactor\b"),
            (0.9, r"\brewrite\b"),
        ],
        &[
            (0.9, r"\bwrite\s+(a\s+)?(test|spec|mock|stub)\b"),
            (0.8, r"\bgenerate\b"),
            (
                0.8,
                r"\bcreate\s+(a\s+)?(new\s+)?(file|module|class|function)\b",
            ),
            (0.9, r"\bscaffold\b"),
            (0.9, r"\bboilerplate\b"),
            (0.6, r"\btemplate\b"),
        ],
    ])
});

/// The TaskAnalyzer's domain keywords, in tie-breaking order (research, support, analysis, coding).
const DOMAIN_KEYWORDS: &[(Domain, &[&str])] = &[
    (
        Domain::Research,
        &[
            "research",
            "literature",
            "papers",
            "survey",
            "summarize",
            "findings",
            "compare studies",
            "review",
            "bibliography",
            "citations",
            "academic",
            "analyze data",
            "dataset",
            "hypothesis",
            "evidence",
            "sources",
        ],
    ),
    (
        Domain::Support,
        &[
            "help me",
            "how do i",
            "why is",
            "what is",
            "explain",
            "i'm getting",
            "error:",
            "traceback",
            "doesn't work",
            "broken",
            "fix my",
            "issue with",
            "question",
            "confused",
            "understand",
            "guide me",
        ],
    ),
    (
        Domain::Analysis,
        &[
            "analyze",
            "metrics",
            "performance",
            "benchmark",
            "profil",
            "measure",
            "report",
            "dashboard",
            "visuali",
            "statistics",
            "trend",
            "pattern",
            "compare",
            "evaluate",
            "assess",
            "audit",
            "review the code",
        ],
    ),
    (
        Domain::Coding,
        &[
            "write",
            "implement",
            "refactor",
            "add",
            "create",
            "build",
            "test",
            "fix",
            "debug",
            "migrate",
            "update",
            "edit",
            "change",
            "modify",
        ],
    ),
];

/// Raw group scores of one text (exposed for tests and diagnostics).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct HeuristicScores {
    /// complexity.expansive group sum.
    pub expansive: f64,
    /// complexity.moderate group sum.
    pub moderate: f64,
    /// nature.readonly group sum.
    pub readonly: f64,
    /// nature.mutative group sum.
    pub mutative: f64,
    /// nature.generative group sum.
    pub generative: f64,
}

/// axor's regex heuristic. Cheap to construct (the table is shared and compiled once).
///
/// ```
/// use vigil_task_signal::HeuristicClassifier;
/// let c = HeuristicClassifier::new().classify_text("rewrite the entire backend in Rust");
/// assert_eq!(c.signal.complexity.as_str(), "expansive");
/// assert_eq!(c.signal.nature.as_str(), "mutative");
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct HeuristicClassifier;

impl HeuristicClassifier {
    /// A heuristic classifier.
    pub fn new() -> Self {
        HeuristicClassifier
    }

    /// The group sums for `text`.
    pub fn group_scores(&self, text: &str) -> HeuristicScores {
        let [expansive, moderate, readonly, mutative, generative] = TABLE.sums(text);
        HeuristicScores {
            expansive,
            moderate,
            readonly,
            mutative,
            generative,
        }
    }

    /// Classifies `raw` (the sync fast path).
    pub fn classify_text(&self, raw: &str) -> Classification {
        let read = crate::read_as(raw);
        let c = if read.trim().is_empty() {
            empty_input_classification(&read)
        } else {
            self.verdict(bounded(&read)).classification(&read)
        };
        crate::keep_raw_input(c, raw)
    }

    /// The complexity, nature and confidence of `text` (already [`bounded`]) from the regex
    /// table alone: what the cascade needs to decide whether to escalate, without the keyword
    /// domain, the language and the score map that [`HeuristicVerdict::classification`] adds.
    pub fn verdict(&self, text: &str) -> HeuristicVerdict {
        let s = self.group_scores(text);

        let (complexity, c_conf) = if s.expansive >= 0.8 {
            (TaskComplexity::Expansive, s.expansive.min(1.0))
        } else if s.moderate >= 0.7 {
            (TaskComplexity::Moderate, (s.moderate / 0.8).min(1.0))
        } else if s.expansive == 0.0 && s.moderate == 0.0 {
            (TaskComplexity::Focused, 0.6)
        } else {
            (TaskComplexity::Focused, 0.5)
        };

        // argmax over (mutative, generative, readonly), ties to the first.
        let mut nature = TaskNature::Mutative;
        let mut best = s.mutative;
        for (n, v) in [
            (TaskNature::Generative, s.generative),
            (TaskNature::Readonly, s.readonly),
        ] {
            if v > best {
                nature = n;
                best = v;
            }
        }
        let n_conf = if best == 0.0 {
            nature = TaskNature::Generative;
            0.5
        } else {
            (best / 1.5).min(1.0)
        };

        let mut confidence = c_conf.min(n_conf);
        if s.expansive > 0.0 && s.readonly > 0.0 {
            confidence -= 0.2;
        }
        if s.mutative > 0.0 && s.readonly > 0.0 {
            confidence -= 0.2;
        }
        HeuristicVerdict {
            complexity,
            nature,
            confidence: confidence.clamp(0.0, 1.0),
            scores: s,
        }
    }
}

/// The regex table's answer for one text, before the keyword domain, the language and the
/// score map are attached ([`HeuristicClassifier::verdict`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HeuristicVerdict {
    /// Complexity.
    pub complexity: TaskComplexity,
    /// Nature.
    pub nature: TaskNature,
    /// Confidence, in [0, 1].
    pub confidence: f64,
    /// The group sums it came from.
    pub scores: HeuristicScores,
}

impl HeuristicVerdict {
    /// The full classification of `raw`, whose [`bounded`] prefix this verdict is of: the
    /// keyword domain, the language and the score map added.
    pub fn classification(&self, raw: &str) -> Classification {
        let text = bounded(raw);
        let s = &self.scores;
        let lower = text.to_lowercase();
        let (domain, domain_scores) = keyword_domain(&lower);

        let mut scores = BTreeMap::new();
        let focused = (1.0 - s.expansive - s.moderate).max(0.0);
        let c_sum = focused + s.expansive + s.moderate;
        for (c, v) in [
            (TaskComplexity::Focused, focused),
            (TaskComplexity::Moderate, s.moderate),
            (TaskComplexity::Expansive, s.expansive),
        ] {
            scores.insert(format!("complexity.{c}"), v / c_sum);
        }
        let n_sum = s.readonly + s.generative + s.mutative;
        for (n, v) in [
            (TaskNature::Readonly, s.readonly),
            (TaskNature::Generative, s.generative),
            (TaskNature::Mutative, s.mutative),
        ] {
            let p = if n_sum > 0.0 { v / n_sum } else { 1.0 / 3.0 };
            scores.insert(format!("nature.{n}"), p);
        }
        for (d, p) in domain_scores {
            scores.insert(format!("domain.{d}"), p);
        }

        Classification {
            signal: TaskSignal::new(
                raw,
                self.complexity,
                self.nature,
                domain,
                detect_language(text),
            ),
            confidence: self.confidence,
            scores,
        }
    }
}

/// The TaskAnalyzer's keyword domain: most keyword hits wins, ties in the order research,
/// support, analysis, coding; no hit at all → coding. Also returns hit shares per domain (all
/// five domains, summing to 1).
fn keyword_domain(lower: &str) -> (Domain, [(Domain, f64); 5]) {
    let hits: Vec<(Domain, usize)> = DOMAIN_KEYWORDS
        .iter()
        .map(|(d, words)| (*d, words.iter().filter(|w| lower.contains(*w)).count()))
        .collect();
    let mut best = (Domain::Coding, 0usize);
    for &(d, n) in &hits {
        if n > best.1 {
            best = (d, n);
        }
    }
    let total: usize = hits.iter().map(|(_, n)| n).sum();
    let mut shares = [
        (Domain::Coding, 0.0),
        (Domain::Research, 0.0),
        (Domain::Support, 0.0),
        (Domain::Analysis, 0.0),
        (Domain::General, 0.0),
    ];
    for (d, p) in shares.iter_mut() {
        *p = if total == 0 {
            if *d == Domain::Coding { 1.0 } else { 0.0 }
        } else {
            hits.iter()
                .find(|(h, _)| h == d)
                .map_or(0.0, |(_, n)| *n as f64 / total as f64)
        };
    }
    (best.0, shares)
}

#[async_trait::async_trait]
impl SignalClassifier for HeuristicClassifier {
    async fn classify_with_scores(&self, raw: &str) -> vigil_contracts::Result<Classification> {
        Ok(self.classify_text(raw))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn the_regex_set_sums_each_group_exactly_as_one_regex_at_a_time() {
        // The reference's loop: every pattern compiled alone, matched alone, summed in order.
        let alone: Vec<(regex::Regex, (usize, f64))> = TABLE
            .set
            .patterns()
            .iter()
            .zip(&TABLE.weights)
            .map(|(p, &gw)| (regex::Regex::new(p).expect("pattern"), gw))
            .collect();
        assert_eq!(alone.len(), 40);
        let texts = [
            "Rewrite the ENTIRE backend and fix the broken tests",
            "migrate all services, then port the whole CLI into Rust",
            "explain how the scheduler works and summarize the design doc",
            "write a test for the parser; refactor, rename and delete the old module",
            "Überarbeite das gesamte Modul – rewrite the entire módulo ünd fix it",
            "Исправь опечатку: fix функцию, implement функцию, explain\u{a0}why is it",
            "fiЖ Ѳfix fixЖ fix‿it rewrite\u{2003}the checK if ſummarize",
            "what\u{3000}is 重写 refactor 全部 – ﬁx",
            "",
            "   ",
            &"create a new page and analyze the logs ".repeat(300),
        ];
        let mut matched = 0;
        for t in texts {
            let mut want = [0.0f64; GROUPS];
            for (re, (g, w)) in &alone {
                if re.is_match(t) {
                    want[*g] += w;
                    matched += 1;
                }
            }
            let got = TABLE.sums(t);
            // Bit for bit: same weights, same order.
            assert_eq!(got.map(f64::to_bits), want.map(f64::to_bits), "{t:?}");
        }
        assert!(
            matched >= 15,
            "the texts exercise the table: {matched} matches"
        );
    }

    #[test]
    fn only_two_non_ascii_characters_case_fold_to_ascii_letters() {
        // What `ascii_stand_in` relies on: under `(?i)`, no other character matches a letter.
        let letter = regex::Regex::new("(?i)^[a-z]$").expect("pattern");
        let folding: Vec<char> = ('\u{80}'..=char::MAX)
            .filter(|c| letter.is_match(c.encode_utf8(&mut [0; 4])))
            .collect();
        assert_eq!(folding, ['\u{017F}', '\u{212A}']);
    }

    #[test]
    fn the_patterns_use_only_what_the_ascii_stand_in_preserves() {
        for p in TABLE.set.patterns() {
            let body = p.strip_prefix("(?i)").expect("case-insensitive");
            let mut chars = body.chars();
            while let Some(c) = chars.next() {
                let ok = match c {
                    '\\' => matches!(chars.next(), Some('b' | 's' | 'w')),
                    c => c.is_ascii_lowercase() || "()|?+ ".contains(c),
                };
                assert!(ok, "{p}: `{c}`");
            }
        }
    }

    #[test]
    fn refactor_the_auth_module() {
        let c = HeuristicClassifier::new().classify_text("refactor the auth module");
        // moderate: "refactor \w+" 0.7 → conf 0.875; mutative: "refactor" 0.7 → conf 0.4667.
        assert_eq!(c.signal.complexity, TaskComplexity::Moderate);
        assert_eq!(c.signal.nature, TaskNature::Mutative);
        assert_eq!(c.signal.domain, Domain::Coding);
        assert!(close(c.confidence, 0.7 / 1.5), "{}", c.confidence);
        assert!(close(c.scores["complexity.moderate"], 0.7));
        assert!(close(c.scores["complexity.focused"], 0.3));
        assert!(close(c.scores["nature.mutative"], 1.0));
    }

    #[test]
    fn penalties_and_clamping() {
        // expansive 1.0 ("rewrite the"), readonly 0.9 (explain), mutative 0.9 (rewrite):
        // min(1.0, 0.6) − 0.2 − 0.2 = 0.2; nature mutative (0.9 ties readonly 0.9, mutative first).
        let c = HeuristicClassifier::new().classify_text("explain then rewrite the parser");
        assert_eq!(c.signal.complexity, TaskComplexity::Expansive);
        assert_eq!(c.signal.nature, TaskNature::Mutative);
        assert!(close(c.confidence, 0.2), "{}", c.confidence);
        assert_eq!(c.signal.domain, Domain::Support); // "explain" is a support keyword
    }

    #[test]
    fn nothing_matches_gives_the_reference_defaults() {
        let c = HeuristicClassifier::new().classify_text("zzz zzz zzz");
        assert_eq!(c.signal.complexity, TaskComplexity::Focused);
        assert_eq!(c.signal.nature, TaskNature::Generative);
        assert!(close(c.confidence, 0.5));
        assert!(close(c.scores["nature.readonly"], 1.0 / 3.0));
        assert!(close(c.scores["complexity.focused"], 1.0));
        assert!(close(c.scores["domain.coding"], 1.0));
        assert_eq!(c.signal.language, "en");
    }

    #[test]
    fn matching_is_case_insensitive_and_summed() {
        let h = HeuristicClassifier::new();
        let s = h.group_scores("SUMMARIZE and Explain what is going on");
        assert!(close(s.readonly, 0.9 + 0.9 + 0.7));
        let c = h.classify_text("Summarize the findings of these papers");
        assert_eq!(c.signal.nature, TaskNature::Readonly);
        assert_eq!(c.signal.domain, Domain::Research);
        assert!(close(c.confidence, 0.6)); // complexity focused 0.6, nature 0.9/1.5 = 0.6
    }

    #[test]
    fn blank_input_is_defined() {
        let c = HeuristicClassifier::new().classify_text(" \n\t");
        assert_eq!(c.confidence, 0.0);
        assert_eq!(c.signal.language, "unknown");
    }

    #[test]
    fn every_head_sums_to_one() {
        let c = HeuristicClassifier::new().classify_text("add a feature to review the report");
        for head in ["complexity", "nature", "domain"] {
            let sum: f64 = c
                .scores
                .iter()
                .filter(|(k, _)| k.starts_with(head))
                .map(|(_, v)| v)
                .sum();
            assert!(close(sum, 1.0), "{head}: {sum}");
        }
        assert_eq!(c.scores.len(), 11);
    }
}
