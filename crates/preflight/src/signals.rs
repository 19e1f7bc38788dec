//! The preflight signals vigil decides with rules: terminal replies (greetings, thanks, tiny
//! arithmetic, spelling) and acknowledgements, the tools hint, and the model tier and
//! specialization derived from a task signal.
//!
//! Certainty tags of rule-based signals are fixed per rule (documented below); the tier and
//! specialization take the task-signal classifier's calibrated confidence.

use regex::Regex;
use regex::bytes::RegexSet;
use serde::{Deserialize, Serialize};
use vigil_contracts::{
    Certainty, Classification, Domain, ModelTier, Specialization, TaskComplexity, TaskNature,
    TaskSignal,
};

/// A reply text (`{reply}` in open-classify 0.1.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplySignal {
    /// 1–200 characters.
    pub reply: String,
}

/// What preflight decided about a message.
#[derive(Debug, Clone, PartialEq)]
pub struct PreflightDecision {
    /// Terminal reply: the answer itself.
    pub final_reply: Option<ReplySignal>,
    /// Acknowledgement to show while the downstream model works.
    pub ack_reply: Option<ReplySignal>,
    /// Certainty of the decision.
    pub certainty: Certainty,
    /// Short reason (≤ 120 characters).
    pub reason: &'static str,
}

/// Tool ids of open-classify's allow-list, in order.
pub const TOOL_IDS: &[&str] = &[
    "workspace",
    "web",
    "communications",
    "documents",
    "spreadsheets",
    "project_management",
    "developer_platforms",
];

const TOOL_PATTERNS: &[&str] = &[
    r"(?-u)(?i)\b(calendar|meeting|schedule a|my drive|google drive|onedrive|dropbox|shared folder|workspace)\b",
    r"(?-u)(?i)(\b(search|browse|google|look up|lookup)\b.{0,30}\b(web|internet|online|news|site)|\b(latest|current|today'?s|this week'?s)\b.{0,30}\b(news|price|weather|score|version|release)s?\b|https?://|\bwebsite\b|\bweb ?page\b)",
    r"(?-u)(?i)\b(e-?mails?|inbox|slack|teams message|send (a |an )?message|text message|dm)\b",
    r"(?-u)(?i)\b(documents?|docx?|pdfs?|google docs|word file|notion page|contract|memo)\b",
    r"(?-u)(?i)\b(spreadsheets?|excel|csv|xlsx|google sheets?|pivot tables?)\b",
    r"(?-u)(?i)\b(jira|asana|trello|linear ticket|tickets?|backlog|sprint|milestone|kanban)\b",
    r"(?-u)(?i)\b(github|gitlab|bitbucket|pull requests?|merge requests?|\bpr\b|ci/cd|ci pipeline|deploy(ment)?|npm|pypi|crates\.io|docker hub|aws|gcp|azure|vercel|heroku)\b",
];

/// Compiled rules.
#[derive(Debug, Clone)]
pub struct Rules {
    greeting: Regex,
    thanks: Regex,
    arithmetic: Regex,
    spelling: Regex,
    task_verb: Regex,
    check_verb: Regex,
    tools: RegexSet,
}

impl Default for Rules {
    fn default() -> Self {
        Self::new()
    }
}

fn compile(p: &str) -> Regex {
    // Constant patterns covered by tests; a failure is a build defect.
    Regex::new(p).unwrap_or_else(|e| panic!("rule pattern {p}: {e}"))
}

impl Rules {
    /// Compiles the rules.
    pub fn new() -> Self {
        Rules {
            greeting: compile(
                r"(?i)^(hi|hello|hey|hiya|howdy|yo|hey there|hello there|hi there|good (morning|afternoon|evening|day)|greetings|heya|sup)( there| all| everyone| folks| friend| again)?[\s!.,~]*(:\)|:d|😊|👋|🙂)?[\s!.]*$",
            ),
            thanks: compile(
                r"(?i)^((ok|okay|great|perfect|awesome|cool|nice|got it|that works|that helped|brilliant)[\s,!.]+)?(thanks|thank you|thx|ty|cheers|many thanks|much appreciated|thanks a lot|thank you so much|thanks so much|tysm)( so much| a lot| again| very much| for (the|your) help)?[\s!.,]*(:\)|🙏|🙂|😊)?[\s!.]*$",
            ),
            arithmetic: compile(
                // Binary operators need spaces around `-`, `/` and `x` (so dates, phone numbers
                // and "24/7" or "9/11" are not sums); `+ * × ÷` and word operators are unambiguous.
                r"(?i)^(what'?s|what is|how much is|calculate|compute|evaluate|quick,? what'?s)?\s*(?P<expr>-?\d+(\.\d+)?((\s*[+*×÷]\s*|\s+[-/x]\s+|\s+(plus|minus|times|multiplied by|divided by|over)\s+)-?\d+(\.\d+)?){1,5})\s*(=\s*)?\??\s*$",
            ),
            spelling: compile(
                r#"(?i)^(how (do|would|should) (you|i|we|one) spell|what'?s the (correct )?spelling of|what is the (correct )?spelling of|spell|spelling of|can you spell)\s+(the word\s+)?["'“]?(?P<word>[a-z][a-z'\-]{1,44})["'”]?(\s+spelled|\s+spelt)?\s*\??$"#,
            ),
            task_verb: compile(
                r"(?i)^(please\s+|can you\s+|could you\s+|i need you to\s+|help me\s+)?(draft|write|review|refactor|implement|analy[sz]e|summari[sz]e|research|compare|plan|design|build|create|fix|debug|translate|investigate|migrate|rewrite|generate|prepare|compose|outline|audit|evaluate|optimi[sz]e|set up|port|document|test)\b",
            ),
            check_verb: compile(
                r"(?i)\b(review|analy[sz]e|investigate|debug|research|audit|evaluate|compare|look into)\b",
            ),
            tools: RegexSet::new(TOOL_PATTERNS).unwrap_or_else(|e| panic!("tool patterns: {e}")),
        }
    }

    /// Preflight: a terminal reply, an acknowledgement, or neither.
    ///
    /// | case | reply | certainty |
    /// |---|---|---|
    /// | greeting | `final_reply` "Hi! How can I help?" | near_certain |
    /// | thanks | `final_reply` "Anytime." | near_certain |
    /// | tiny arithmetic (≤ 6 numbers) | `final_reply` the exact result | very_strong |
    /// | spelling of one word | `final_reply` the word as asked | strong |
    /// | a task verb and ≥ 5 words, or ≥ 40 words | `ack_reply` "Let me check." / "On it." | strong |
    /// | anything else | none | strong |
    pub fn preflight(&self, text: &str) -> PreflightDecision {
        let decided =
            |final_reply: Option<String>, ack: Option<&str>, certainty, reason| PreflightDecision {
                final_reply: final_reply.map(|reply| ReplySignal { reply }),
                ack_reply: ack.map(|a| ReplySignal {
                    reply: a.to_owned(),
                }),
                certainty,
                reason,
            };
        let short = text.len() <= 200;
        if short && self.greeting.is_match(text) {
            return decided(
                Some("Hi! How can I help?".into()),
                None,
                Certainty::NearCertain,
                "Greeting.",
            );
        }
        if short && self.thanks.is_match(text) {
            return decided(
                Some("Anytime.".into()),
                None,
                Certainty::NearCertain,
                "Closing acknowledgement.",
            );
        }
        if short {
            if let Some(expr) = self.arithmetic.captures(text).and_then(|c| c.name("expr")) {
                if let Some(answer) = evaluate(expr.as_str()) {
                    return decided(
                        Some(answer),
                        None,
                        Certainty::VeryStrong,
                        "Trivial arithmetic.",
                    );
                }
            }
            if let Some(word) = self.spelling.captures(text).and_then(|c| c.name("word")) {
                return decided(
                    Some(word.as_str().to_lowercase()),
                    None,
                    Certainty::Strong,
                    "Spelling lookup.",
                );
            }
        }
        let words = text.split_whitespace().count();
        if (self.task_verb.is_match(text) && words >= 5) || words >= 40 {
            let ack = if self.check_verb.is_match(text) {
                "Let me check."
            } else {
                "On it."
            };
            return decided(
                None,
                Some(ack),
                Certainty::Strong,
                "Substantial task; acknowledge and route.",
            );
        }
        decided(
            None,
            None,
            Certainty::Strong,
            "No terminal reply; needs downstream model.",
        )
    }

    /// The tools hint: allow-list ids whose keywords occur in the text, in allow-list order.
    pub fn tools(&self, text: &str) -> Vec<String> {
        self.tools
            .matches(text.as_bytes())
            .iter()
            .map(|i| TOOL_IDS[i].to_owned())
            .collect()
    }
}

/// Largest magnitude of an operand (and of the exact result): beyond this a "tiny" sum is not.
const OPERAND_LIMIT: i128 = 1_000_000_000_000;
/// Most decimal digits a non-integer reply may carry.
const MAX_DECIMALS: u32 = 6;

/// Evaluates a tiny arithmetic expression (+ − × ÷ with the usual precedence) exactly, over
/// rationals with `i128` parts. `None` for a division by zero, an overflow, an operand beyond
/// 10¹², or a result that is not an integer or a decimal with at most six digits after the
/// point (1/3 has no exact short answer, so no terminal reply is given).
pub fn evaluate(expr: &str) -> Option<String> {
    let normalized = expr
        .to_lowercase()
        .replace("multiplied by", "*")
        .replace("divided by", "/")
        .replace("times", "*")
        .replace("plus", "+")
        .replace("minus", "-")
        .replace("over", "/")
        .replace(['x', '×'], "*")
        .replace('÷', "/");
    // Tokenize into numbers and operators; a '-' right after an operator (or first) is a sign.
    let mut numbers: Vec<Ratio> = Vec::new();
    let mut ops: Vec<char> = Vec::new();
    let mut chars = normalized.chars().filter(|c| !c.is_whitespace()).peekable();
    let mut expect_number = true;
    while let Some(&c) = chars.peek() {
        if expect_number {
            let mut lit = String::new();
            if c == '-' {
                lit.push('-');
                chars.next();
            }
            while let Some(&d) = chars.peek() {
                if d.is_ascii_digit() || d == '.' {
                    lit.push(d);
                    chars.next();
                } else {
                    break;
                }
            }
            numbers.push(Ratio::parse_decimal(&lit)?);
            expect_number = false;
        } else {
            if !matches!(c, '+' | '-' | '*' | '/') {
                return None;
            }
            ops.push(c);
            chars.next();
            expect_number = true;
        }
    }
    if expect_number || numbers.len() != ops.len() + 1 {
        return None;
    }
    // First pass: * and /.
    let mut terms = vec![numbers[0]];
    let mut signs: Vec<char> = Vec::new();
    for (op, &n) in ops.iter().zip(&numbers[1..]) {
        match op {
            '*' => {
                let last = terms.last_mut()?;
                *last = last.mul(n)?;
            }
            '/' => {
                let last = terms.last_mut()?;
                *last = last.div(n)?;
            }
            _ => {
                signs.push(*op);
                terms.push(n);
            }
        }
    }
    let mut total = terms[0];
    for (op, &t) in signs.iter().zip(&terms[1..]) {
        total = if *op == '+' {
            total.add(t)?
        } else {
            total.add(t.neg()?)?
        };
    }
    total.to_short_decimal()
}

/// An exact rational `num / den` in lowest terms, `den > 0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Ratio {
    num: i128,
    den: i128,
}

fn gcd(mut a: i128, mut b: i128) -> i128 {
    a = a.abs();
    b = b.abs();
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

impl Ratio {
    fn new(num: i128, den: i128) -> Option<Ratio> {
        if den == 0 {
            return None;
        }
        let g = gcd(num, den).max(1);
        let (mut num, mut den) = (num / g, den / g);
        if den < 0 {
            num = num.checked_neg()?;
            den = den.checked_neg()?;
        }
        Some(Ratio { num, den })
    }

    /// `-?digits(.digits)?`, at most 12 digits after the point and |value| ≤ 10¹².
    fn parse_decimal(lit: &str) -> Option<Ratio> {
        let (negative, body) = match lit.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, lit),
        };
        let (int, frac) = body.split_once('.').unwrap_or((body, ""));
        if int.is_empty()
            || frac.len() > 12
            || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
            || (body.contains('.') && frac.is_empty())
        {
            return None;
        }
        let mut num: i128 = 0;
        for b in int.bytes().chain(frac.bytes()) {
            num = num.checked_mul(10)?.checked_add(i128::from(b - b'0'))?;
        }
        let den = 10i128.checked_pow(frac.len() as u32)?;
        let r = Ratio::new(if negative { -num } else { num }, den)?;
        (r.num.abs() <= OPERAND_LIMIT.checked_mul(r.den)?).then_some(r)
    }

    fn neg(self) -> Option<Ratio> {
        Some(Ratio {
            num: self.num.checked_neg()?,
            den: self.den,
        })
    }

    fn add(self, o: Ratio) -> Option<Ratio> {
        let num = self
            .num
            .checked_mul(o.den)?
            .checked_add(o.num.checked_mul(self.den)?)?;
        Ratio::new(num, self.den.checked_mul(o.den)?)
    }

    fn mul(self, o: Ratio) -> Option<Ratio> {
        Ratio::new(self.num.checked_mul(o.num)?, self.den.checked_mul(o.den)?)
    }

    fn div(self, o: Ratio) -> Option<Ratio> {
        if o.num == 0 {
            return None;
        }
        Ratio::new(self.num.checked_mul(o.den)?, self.den.checked_mul(o.num)?)
    }

    /// The exact decimal, if it has at most [`MAX_DECIMALS`] digits after the point: the
    /// denominator must be 2^a·5^b with max(a, b) ≤ 6.
    fn to_short_decimal(self) -> Option<String> {
        let mut rest = self.den;
        let (mut twos, mut fives) = (0u32, 0u32);
        while rest % 2 == 0 {
            rest /= 2;
            twos += 1;
        }
        while rest % 5 == 0 {
            rest /= 5;
            fives += 1;
        }
        let places = twos.max(fives);
        if rest != 1 || places > MAX_DECIMALS {
            return None;
        }
        let scaled = self.num.checked_mul(10i128.pow(places) / self.den)?;
        if places == 0 {
            return Some(scaled.to_string());
        }
        let scale = 10i128.pow(places);
        let sign = if scaled < 0 { "-" } else { "" };
        let (int, frac) = (scaled.abs() / scale, scaled.abs() % scale);
        let frac = format!("{frac:0width$}", width = places as usize);
        Some(format!("{sign}{int}.{}", frac.trim_end_matches('0')))
    }
}

/// Model tier from a task signal.
///
/// | domain | focused | moderate | expansive |
/// |---|---|---|---|
/// | coding | local_coding | frontier_coding | frontier_coding |
/// | research, analysis | frontier_fast | frontier_fast | frontier_strong |
/// | support, general | local_small | frontier_fast | frontier_strong |
pub fn tier_for(signal: &TaskSignal) -> ModelTier {
    tier_of(signal.domain, signal.complexity)
}

fn tier_of(domain: Domain, complexity: TaskComplexity) -> ModelTier {
    use TaskComplexity as C;
    match (domain, complexity) {
        (Domain::Coding, C::Focused) => ModelTier::LocalCoding,
        (Domain::Coding, _) => ModelTier::FrontierCoding,
        (Domain::Research | Domain::Analysis, C::Expansive) => ModelTier::FrontierStrong,
        (Domain::Research | Domain::Analysis, _) => ModelTier::FrontierFast,
        (_, C::Focused) => ModelTier::LocalSmall,
        (_, C::Moderate) => ModelTier::FrontierFast,
        (_, C::Expansive) => ModelTier::FrontierStrong,
    }
}

/// Specialization from a task signal: coding → coding; research and analysis → reasoning;
/// otherwise expansive → planning, generative → writing, readonly and mutative → chat.
pub fn specialization_for(signal: &TaskSignal) -> Specialization {
    specialization_of(signal.domain, signal.complexity, signal.nature)
}

fn specialization_of(
    domain: Domain,
    complexity: TaskComplexity,
    nature: TaskNature,
) -> Specialization {
    match domain {
        Domain::Coding => Specialization::Coding,
        Domain::Research | Domain::Analysis => Specialization::Reasoning,
        Domain::Support | Domain::General => match (complexity, nature) {
            (TaskComplexity::Expansive, _) => Specialization::Planning,
            (_, TaskNature::Generative) => Specialization::Writing,
            _ => Specialization::Chat,
        },
    }
}

/// How sure a classification is of the tier and the specialization it implies.
///
/// Several label combinations lead to the same tier (coding × moderate and coding × expansive
/// are both `frontier_coding`), so the certainty of a routing decision is the probability of
/// its *outcome*, summed over every (domain, complexity, nature) combination that yields it,
/// with the heads' calibrated distributions taken as independent. Falls back to the
/// classification's own confidence when it carries no per-class scores.
pub fn routing_certainties(c: &Classification) -> (f64, f64) {
    let head = |name: &str, label: &str| c.scores.get(&format!("{name}.{label}")).copied();
    let tier = tier_for(&c.signal);
    let specialization = specialization_for(&c.signal);
    let (mut p_tier, mut p_spec) = (0.0, 0.0);
    for &d in Domain::ALL {
        for &k in TaskComplexity::ALL {
            for &n in TaskNature::ALL {
                let (Some(pd), Some(pk), Some(pn)) = (
                    head("domain", d.as_str()),
                    head("complexity", k.as_str()),
                    head("nature", n.as_str()),
                ) else {
                    return (c.confidence, c.confidence);
                };
                let p = pd * pk * pn;
                if tier_of(d, k) == tier {
                    p_tier += p;
                }
                if specialization_of(d, k, n) == specialization {
                    p_spec += p;
                }
            }
        }
    }
    (p_tier.clamp(0.0, 1.0), p_spec.clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classification(scores: &[(&str, f64)]) -> Classification {
        Classification {
            signal: TaskSignal::new(
                "x",
                TaskComplexity::Moderate,
                TaskNature::Mutative,
                Domain::Coding,
                "en",
            ),
            confidence: 0.55,
            scores: scores.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect(),
        }
    }

    #[test]
    fn routing_certainty_sums_every_combination_with_the_same_outcome() {
        let c = classification(&[
            ("complexity.focused", 0.1),
            ("complexity.moderate", 0.5),
            ("complexity.expansive", 0.4),
            ("nature.readonly", 0.2),
            ("nature.generative", 0.25),
            ("nature.mutative", 0.55),
            ("domain.coding", 0.9),
            ("domain.research", 0.05),
            ("domain.support", 0.05),
            ("domain.analysis", 0.0),
            ("domain.general", 0.0),
        ]);
        let (tier, spec) = routing_certainties(&c);
        // frontier_coding = coding × (moderate or expansive) = 0.9 × 0.9.
        assert!((tier - 0.81).abs() < 1e-12, "{tier}");
        // coding specialization = P(domain coding) whatever the other heads say.
        assert!((spec - 0.9).abs() < 1e-12, "{spec}");
        // Without scores the classification's own confidence is used.
        assert_eq!(routing_certainties(&classification(&[])), (0.55, 0.55));
    }

    #[test]
    fn terminal_replies_match_the_reference_examples() {
        let r = Rules::new();
        let reply = |t: &str| r.preflight(t).final_reply.map(|s| s.reply);
        assert_eq!(reply("hi"), Some("Hi! How can I help?".into()));
        assert_eq!(reply("Hello there!"), Some("Hi! How can I help?".into()));
        assert_eq!(reply("thanks!"), Some("Anytime.".into()));
        assert_eq!(reply("ok, thank you so much"), Some("Anytime.".into()));
        assert_eq!(reply("what's 2 + 2?"), Some("4".into()));
        assert_eq!(reply("what is 12 * 7 - 4"), Some("80".into()));
        assert_eq!(reply("calculate 10 / 4"), Some("2.5".into()));
        assert_eq!(reply("how much is 7 times 8?"), Some("56".into()));
        assert_eq!(reply("what is 1 / 0"), None);
        assert_eq!(reply("what's 2+2"), Some("4".into()));
        assert_eq!(reply("what is 0.1 + 0.2"), Some("0.3".into()));
        assert_eq!(reply("what is 1 / 8"), Some("0.125".into()));
        assert_eq!(reply("what is -3 - 4"), Some("-7".into()));
        assert_eq!(
            reply("what is 6 × 999999999999"),
            Some("5999999999994".into())
        );
        assert_eq!(reply("6×999999999999"), Some("5999999999994".into()));
    }

    #[test]
    fn no_terminal_reply_for_non_sums_or_inexact_results() {
        let r = Rules::new();
        let reply = |t: &str| r.preflight(t).final_reply.map(|s| s.reply);
        // Dates, phone numbers and idioms written with `/` or `-` between digits.
        assert_eq!(reply("what is 9/11"), None);
        assert_eq!(reply("what's 24/7?"), None);
        assert_eq!(reply("what is 555-1234"), None);
        assert_eq!(reply("what is 2024-05-01"), None);
        // Results without a short exact decimal, and operands or results out of range.
        assert_eq!(reply("what is 10 / 3"), None);
        assert_eq!(reply("what is 9 / 11"), None);
        assert_eq!(reply("what is 0.0000001 + 0"), None);
        assert_eq!(reply("what is 1 / 128"), None);
        assert_eq!(reply("what is 1 / 64"), Some("0.015625".into()));
        assert_eq!(reply("what is 1 / 32"), Some("0.03125".into()));
        assert_eq!(reply("what is 1000000000001 + 1"), None);
        assert_eq!(
            evaluate("999999999999 * 999999999999 * 999999999999 * 999999999999"),
            None
        );
        // "How is X" / "how's X" are not spelling questions.
        assert_eq!(reply("How is everything?"), None);
        assert_eq!(reply("how's life?"), None);
        assert_eq!(reply("How is Paris in the spring?"), None);
        assert_eq!(reply("spell rhythm"), Some("rhythm".into()));
        assert_eq!(
            reply("what's the spelling of accommodate?"),
            Some("accommodate".into())
        );
        assert_eq!(
            reply("how do you spell necessary?"),
            Some("necessary".into())
        );
        assert_eq!(
            r.preflight("how do you spell necessary?").certainty,
            Certainty::Strong
        );
        assert_eq!(r.preflight("hi").certainty, Certainty::NearCertain);
        assert_eq!(reply("hi, can you review my essay?"), None);
    }

    #[test]
    fn long_tasks_get_an_acknowledgement() {
        let r = Rules::new();
        let d = r.preflight("draft an email apologizing to the team for the missed deadline");
        assert_eq!(d.ack_reply.map(|a| a.reply), Some("On it.".into()));
        assert!(d.final_reply.is_none());
        let d = r.preflight("review the routing code in this repo");
        assert_eq!(d.ack_reply.map(|a| a.reply), Some("Let me check.".into()));
        let d = r.preflight("what should I do about the contract?");
        assert!(d.ack_reply.is_none() && d.final_reply.is_none());
        assert_eq!(d.certainty, Certainty::Strong);
    }

    #[test]
    fn tools_hint_uses_the_allow_list() {
        let r = Rules::new();
        assert_eq!(
            r.tools("open a pull request on github and email the team"),
            ["communications", "developer_platforms"]
        );
        assert_eq!(
            r.tools("search the web for the latest rust release"),
            ["web"]
        );
        assert!(r.tools("write a haiku about autumn").is_empty());
    }

    #[test]
    fn tier_and_specialization_follow_the_task_signal() {
        let s = |d, c, n| TaskSignal::new("x", c, n, d, "en");
        let fix = s(
            Domain::Coding,
            TaskComplexity::Focused,
            TaskNature::Mutative,
        );
        assert_eq!(
            (tier_for(&fix), specialization_for(&fix)),
            (ModelTier::LocalCoding, Specialization::Coding)
        );
        let study = s(
            Domain::Research,
            TaskComplexity::Expansive,
            TaskNature::Readonly,
        );
        assert_eq!(
            (tier_for(&study), specialization_for(&study)),
            (ModelTier::FrontierStrong, Specialization::Reasoning)
        );
        let letter = s(
            Domain::General,
            TaskComplexity::Focused,
            TaskNature::Generative,
        );
        assert_eq!(
            (tier_for(&letter), specialization_for(&letter)),
            (ModelTier::LocalSmall, Specialization::Writing)
        );
        let big = s(
            Domain::Support,
            TaskComplexity::Expansive,
            TaskNature::Mutative,
        );
        assert_eq!(
            (tier_for(&big), specialization_for(&big)),
            (ModelTier::FrontierStrong, Specialization::Planning)
        );
    }
}
