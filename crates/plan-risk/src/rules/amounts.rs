//! Reading money as people and payment APIs write it, for the [`money`](super::money) rules.
//!
//! - **numbers** ([`number_values`]): digit runs with thousands separators and a decimal part
//!   (`$10,000.00`, European `1.234,56`; `1.234` is read both as 1.234 and as 1234), an
//!   exponent (`50e3`), a scale suffix (`10k`, `1.5m`, `2bn`), scale words (`10 thousand`,
//!   `1.5 million`) and numbers in words (`fifty thousand`, `one hundred and twenty-five`,
//!   `a hundred`);
//! - **currencies** ([`currencies_in`]): signs (`$`, `€`, `£`, `¥`, `₹`, `₿`), codes and
//!   words (`usd`, `dollars`, `euro`, `btc`, `bitcoin`, `eth`, …); `$` and "dollar" stand for
//!   any dollar ([`DOLLARS`]).
//!
//! Everything here is one linear pass over its text; no input panics (huge numbers become
//! infinite, `NaN` and `inf` are no numbers at all).

use std::borrow::Cow;
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickKind};

/// `text` lower-cased ([`str::to_lowercase`]), borrowed when it is ASCII without capitals (a
/// lower-cased request, most words and argument values): then nothing is copied.
pub(super) fn lower(text: &str) -> Cow<'_, str> {
    if text
        .bytes()
        .all(|b| b.is_ascii() && !b.is_ascii_uppercase())
    {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.to_lowercase())
    }
}

/// The dollar currencies `$` and "dollar" may mean.
pub(super) const DOLLARS: &[&str] = &["USD", "CAD", "AUD", "NZD", "HKD", "SGD"];

/// One mention of a currency: the codes it may stand for (`$`: any of [`DOLLARS`]).
pub(super) type Currency = &'static [&'static str];

/// Currency codes and the words that name them (lower-case, whole words).
const CURRENCY_WORDS: &[(Currency, &[&str])] = &[
    (&["USD"], &["usd"]),
    (DOLLARS, &["dollar", "dollars", "bucks"]),
    (&["EUR"], &["eur", "euro", "euros"]),
    (&["GBP"], &["gbp", "pound", "pounds", "sterling", "quid"]),
    (&["JPY"], &["jpy", "yen"]),
    (&["CNY"], &["cny", "rmb", "yuan", "renminbi"]),
    (&["CHF"], &["chf", "franc", "francs"]),
    (&["CAD"], &["cad"]),
    (&["AUD"], &["aud"]),
    (&["NZD"], &["nzd"]),
    (&["HKD"], &["hkd"]),
    (&["SGD"], &["sgd"]),
    (&["INR"], &["inr", "rupee", "rupees"]),
    (&["MXN"], &["mxn", "peso", "pesos"]),
    (&["SEK"], &["sek", "kronor", "krona"]),
    (&["NOK"], &["nok", "kroner", "krone"]),
    (&["DKK"], &["dkk"]),
    (&["PLN"], &["pln", "zloty", "zlotys"]),
    (&["BRL"], &["brl", "reais"]),
    (
        &["BTC"],
        &[
            "btc", "xbt", "bitcoin", "bitcoins", "sats", "satoshi", "satoshis",
        ],
    ),
    (&["ETH"], &["eth", "ether", "ethereum", "wei", "gwei"]),
    (&["USDC"], &["usdc"]),
    (&["USDT"], &["usdt", "tether"]),
];

const SIGNS: &[(char, Currency)] = &[
    ('$', DOLLARS),
    ('€', &["EUR"]),
    ('£', &["GBP"]),
    ('¥', &["JPY", "CNY"]),
    ('₹', &["INR"]),
    ('₿', &["BTC"]),
];

/// The currency a lower-case word names ([`CURRENCY_WORDS`]): a binary search of
/// [`currency_table`], as every word of the text is looked up.
pub(super) fn currency_word(word: &str) -> Option<Currency> {
    let table = currency_table();
    table
        .binary_search_by(|(w, _)| (*w).cmp(word))
        .ok()
        .map(|i| table[i].1)
}

/// Every word of [`CURRENCY_WORDS`] with its currency, sorted by word (each word names one
/// currency only).
fn currency_table() -> &'static [(&'static str, Currency)] {
    static TABLE: OnceLock<Vec<(&'static str, Currency)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table: Vec<(&'static str, Currency)> = CURRENCY_WORDS
            .iter()
            .flat_map(|(c, words)| words.iter().map(move |w| (*w, *c)))
            .collect();
        table.sort_unstable_by_key(|(w, _)| *w);
        table
    })
}

/// Builds the currency word table (monitor construction).
pub(super) fn warm_up() {
    currency_table();
    for cues in [currency_cues(), spoken_price_cues(), freq_cues()] {
        let _ = cues.is_match("warm up");
    }
}

/// An automaton that answers whether a text holds any of `cues` as a substring, in one pass:
/// the gate of a reading that only finds something next to one of them. Most requests and
/// argument values name no currency, frequency or spoken price, and are not split into words
/// at all then; a request is searched for a dozen delegation or negation words per plan.
pub(crate) fn cue_automaton<S: AsRef<[u8]>>(cues: impl IntoIterator<Item = S>) -> AhoCorasick {
    AhoCorasick::builder()
        .kind(Some(AhoCorasickKind::DFA))
        .build(cues)
        .expect("cue automaton")
}

/// What every currency [`currencies_in`] finds is written with: a sign or a currency word.
fn currency_cues() -> &'static AhoCorasick {
    static A: OnceLock<AhoCorasick> = OnceLock::new();
    A.get_or_init(|| {
        let signs = SIGNS.iter().map(|(sign, _)| sign.to_string());
        cue_automaton(currency_words().map(str::to_owned).chain(signs))
    })
}

/// The words a [`spoken_prices`] reading starts with: ten to nineteen, or a multiple of ten.
fn spoken_price_cues() -> &'static AhoCorasick {
    static A: OnceLock<AhoCorasick> = OnceLock::new();
    A.get_or_init(|| cue_automaton(UNITS[10..].iter().chain(TENS)))
}

/// The words [`freq_word`] reads.
fn freq_cues() -> &'static AhoCorasick {
    static A: OnceLock<AhoCorasick> = OnceLock::new();
    A.get_or_init(|| cue_automaton(FREQ_WORDS.iter().map(|(w, _, _)| w)))
}

/// Every word of [`CURRENCY_WORDS`].
pub(super) fn currency_words() -> impl Iterator<Item = &'static str> {
    CURRENCY_WORDS
        .iter()
        .flat_map(|(_, words)| words.iter().copied())
}

/// The currencies `text` mentions (signs anywhere, codes and words as whole words), in order;
/// at most `max` of them.
pub(super) fn currencies_in(text: &str, max: usize) -> Vec<Currency> {
    let mut out: Vec<Currency> = Vec::new();
    // A word that lower-cases to a currency word is one in the lower-cased text too.
    if !currency_cues().is_match(lower(text).as_ref()) {
        return out;
    }
    let mut word_start: Option<usize> = None;
    let push = |c: Currency, out: &mut Vec<Currency>| {
        if out.len() < max && !out.contains(&c) {
            out.push(c);
        }
    };
    for (i, ch) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        if ch.is_alphanumeric() {
            word_start.get_or_insert(i);
            continue;
        }
        if let Some(start) = word_start.take() {
            let word = lower(&text[start..i]);
            if let Some(c) = currency_word(&word) {
                push(c, &mut out);
            }
        }
        if let Some((_, c)) = SIGNS.iter().find(|(s, _)| *s == ch) {
            push(c, &mut out);
        }
    }
    out
}

/// An argument's currency value (`"BTC"`, `"usd"`, `"€"`, `"Bitcoin"`) as the codes it may
/// stand for; an unknown one is its own upper-cased code (`"XMR"`).
pub(super) fn currency_value(value: &str) -> Option<CurrencyValue> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    if let Some(c) = currencies_in(v, 1).first() {
        return Some(CurrencyValue::Known(c));
    }
    let code: String = v.chars().take(16).flat_map(char::to_uppercase).collect();
    Some(CurrencyValue::Other(code))
}

/// A currency an argument names.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum CurrencyValue {
    /// One of the currencies this module knows (any of these codes).
    Known(Currency),
    /// Any other code, upper-cased.
    Other(String),
}

impl CurrencyValue {
    /// Whether one of `codes` (a request's currencies) is this one.
    pub(super) fn within(&self, codes: &[&str]) -> bool {
        match self {
            CurrencyValue::Known(c) => c.iter().any(|x| codes.contains(x)),
            CurrencyValue::Other(code) => codes.contains(&code.as_str()),
        }
    }

    /// How a text would name it (lower-case codes), to look for it in trusted text.
    pub(super) fn codes(&self) -> Vec<String> {
        match self {
            CurrencyValue::Known(c) => c.iter().map(|x| x.to_lowercase()).collect(),
            CurrencyValue::Other(code) => vec![code.to_lowercase()],
        }
    }

    pub(super) fn name(&self) -> String {
        match self {
            CurrencyValue::Known(c) if c.len() > 1 => "dollars".to_owned(),
            CurrencyValue::Known(c) => c.first().copied().unwrap_or("").to_owned(),
            CurrencyValue::Other(code) => code.clone(),
        }
    }
}

/// The value of a run of digits with `,` and `.` between them, as
/// [`numbers_in`](super::money::numbers_in) reads it: a decimal comma (`84,20`, `1.250,00`),
/// else `,` groups thousands and the part after a second `.` is dropped (`1.2.3` → 1.2).
pub(super) fn run_value(run: &str) -> Option<f64> {
    if let Some(x) = decimal_comma(run) {
        return Some(x);
    }
    let digits: String = run.chars().filter(|c| *c != ',').collect();
    let mut parts = digits.splitn(3, '.');
    let whole = parts.next().unwrap_or("");
    let number = match parts.next() {
        Some(frac) => format!("{whole}.{frac}"),
        None => whole.to_owned(),
    };
    number.parse::<f64>().ok()
}

/// The other reading of a run whose dots may group thousands, as in most of Europe:
/// `1.234` → 1234, `10.000.000` → 10,000,000 (one to three digits, then groups of three).
fn dotted_thousands(run: &str) -> Option<f64> {
    let mut groups = run.split('.');
    let first = groups.next()?;
    if first.is_empty() || first.len() > 3 || !first.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut n = 0;
    for g in groups {
        if g.len() != 3 || !g.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        n += 1;
    }
    (n > 0).then(|| run.replace('.', "").parse().ok()).flatten()
}

/// A number written with a decimal comma, as most of Europe writes money: its last `,`
/// followed by exactly two digits that end the number, with no `.` after it (`84,20` → 84.2,
/// `1.250,00` → 1250, `12,5`… not: one digit; `1,200` not: three). Dots before the comma
/// group thousands.
pub(super) fn decimal_comma(run: &str) -> Option<f64> {
    let comma = run.rfind(',')?;
    let cents = &run[comma + 1..];
    if cents.len() != 2 || !cents.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // `1,000,00` is not a European amount either: thousands groups use dots there.
    if run[..comma].contains(',') {
        return None;
    }
    let whole: String = run[..comma]
        .chars()
        .filter(|c| c.is_ascii_digit())
        .collect();
    format!("{whole}.{cents}").parse().ok()
}

/// Numbers one to nineteen.
const UNITS: &[&str] = &[
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];

/// Twenty to ninety.
const TENS: &[&str] = &[
    "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
];

/// The multiplier a scale word or a suffix glued to a number stands for.
fn scale(word: &str) -> Option<f64> {
    Some(match word {
        "hundred" => 100.0,
        "thousand" | "grand" | "k" => 1e3,
        "million" | "mio" | "mil" | "mn" | "mm" | "m" => 1e6,
        "billion" | "bn" | "bln" | "b" => 1e9,
        "trillion" | "tn" => 1e12,
        _ => return None,
    })
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Last {
    Unit,
    Tens,
    Hundred,
    Big,
    Numeric,
}

/// A number being read from words: `total` of the completed thousands groups, `current` the
/// group being read.
#[derive(Debug, Default)]
struct Reading {
    total: f64,
    current: f64,
    last: Option<Last>,
}

impl Reading {
    fn flush(&mut self, out: &mut Vec<f64>) {
        if self.last.is_some() {
            out.push(self.total + self.current);
        }
        *self = Reading::default();
    }

    fn start(&mut self, v: f64, last: Last, out: &mut Vec<f64>) {
        self.flush(out);
        self.current = v;
        self.last = Some(last);
    }

    fn word(&mut self, w: &str, after_a: bool, out: &mut Vec<f64>) {
        if let Some(v) = UNITS.iter().position(|u| *u == w) {
            let v = v as f64;
            match self.last {
                Some(Last::Tens) if (1.0..10.0).contains(&v) => self.current += v,
                Some(Last::Hundred | Last::Big) => self.current += v,
                _ => return self.start(v, Last::Unit, out),
            }
            self.last = Some(Last::Unit);
        } else if let Some(t) = TENS.iter().position(|u| *u == w) {
            let v = 20.0 + 10.0 * t as f64;
            match self.last {
                Some(Last::Hundred | Last::Big) => self.current += v,
                _ => return self.start(v, Last::Tens, out),
            }
            self.last = Some(Last::Tens);
        } else if w == "hundred" {
            match self.last {
                Some(Last::Unit | Last::Tens | Last::Numeric) => self.current *= 100.0,
                Some(Last::Big) => self.current = 100.0,
                Some(Last::Hundred) => return self.flush(out),
                None => self.current = 100.0,
            }
            self.last = Some(Last::Hundred);
        } else if let Some(s) = scale(w).filter(|_| w.len() > 2) {
            // thousand, grand, million, billion, trillion (`k`, `m`, `bn` only glued to digits).
            match self.last {
                Some(Last::Big) if self.current == 0.0 => self.total *= s,
                Some(_) => {
                    self.total += self.current * s;
                    self.current = 0.0;
                }
                None if w == "grand" && !after_a => return,
                None => self.total = s,
            }
            self.last = Some(Last::Big);
        } else if w == "and" && matches!(self.last, Some(Last::Hundred | Last::Big)) {
            // "one hundred and twenty"
        } else {
            self.flush(out);
        }
    }
}

/// Every number `text` writes ([module docs](self)), in order.
pub(super) fn number_values(text: &str) -> Vec<f64> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut reading = Reading::default();
    let mut after_a = false;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_digit() {
            let start = i;
            while i < b.len()
                && (b[i].is_ascii_digit()
                    || (matches!(b[i], b',' | b'.')
                        && b.get(i + 1).is_some_and(u8::is_ascii_digit)))
            {
                i += 1;
            }
            let run = &text[start..i];
            let Some(mut v) = run_value(run) else {
                reading.flush(&mut out);
                continue;
            };
            let mut alt = dotted_thousands(run);
            // An exponent: `50e3`, `1.5E+6`, not `50eur`.
            if matches!(b.get(i), Some(b'e' | b'E')) {
                let mut j = i + 1;
                let negative = b.get(j) == Some(&b'-');
                if matches!(b.get(j), Some(b'+' | b'-')) {
                    j += 1;
                }
                let digits_from = j;
                while j < b.len() && b[j].is_ascii_digit() {
                    j += 1;
                }
                if j > digits_from && !b.get(j).is_some_and(u8::is_ascii_alphanumeric) {
                    let e: i32 = text[digits_from..j].parse().unwrap_or(9999).min(9999);
                    let factor = 10f64.powi(if negative { -e } else { e });
                    v *= factor;
                    alt = alt.map(|a| a * factor);
                    i = j;
                }
            }
            // A scale suffix glued to the digits: `10k`, `1.5m`, `2bn`.
            let mut j = i;
            while j < b.len() && b[j].is_ascii_alphabetic() {
                j += 1;
            }
            if j > i
                && !b.get(j).is_some_and(u8::is_ascii_alphanumeric)
                && let Some(s) = scale(&text[i..j].to_ascii_lowercase())
            {
                v *= s;
                alt = alt.map(|a| a * s);
                i = j;
            }
            reading.start(v, Last::Numeric, &mut out);
            if let Some(a) = alt {
                out.push(a);
            }
            after_a = false;
            continue;
        }
        let ch = text[i..].chars().next().unwrap_or(' ');
        if ch.is_alphabetic() {
            let start = i;
            while i < b.len() {
                let ch = text[i..].chars().next().unwrap_or(' ');
                if !ch.is_alphabetic() {
                    break;
                }
                i += ch.len_utf8();
            }
            let word = lower(&text[start..i]);
            reading.word(&word, after_a, &mut out);
            after_a = matches!(word.as_ref(), "a" | "an");
            continue;
        }
        if !(ch.is_whitespace() || ch == '-') {
            reading.flush(&mut out);
            after_a = false;
        }
        i += ch.len_utf8();
    }
    reading.flush(&mut out);
    out
}

/// The factor a scale word under a `units`/`scale` argument stands for: `thousands` → 1000,
/// `millions`, `k`, `hundreds`, `cents` → 0.01, `ones`/`units` → 1.
pub(super) fn scale_word(word: &str) -> Option<f64> {
    let w = lower(word.trim());
    let w = w.trim_end_matches(|c: char| !c.is_alphanumeric());
    match w {
        "cents" | "cent" | "pence" | "penny" | "minor" | "minor_units" => return Some(0.01),
        "ones" | "one" | "unit" | "units" | "major" | "whole" | "x1" => return Some(1.0),
        "000s" | "000" => return Some(1e3),
        _ => {}
    }
    scale(w).or_else(|| scale(w.strip_suffix('s')?))
}

/// The money idiom "forty-two fifty" (42.50): a number from ten to ninety-nine in words
/// followed right away by another, not followed by a scale word; every such reading in
/// `text`, at most `max`.
pub(super) fn spoken_prices(text: &str, max: usize) -> Vec<f64> {
    let lower = lower(text);
    if !spoken_price_cues().is_match(lower.as_ref()) {
        return Vec::new();
    }
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .take(4096)
        .collect();
    // A number 10..=99 written in words from `i`: its value and the index after it.
    let two_digit = |i: usize| -> Option<(f64, usize)> {
        let w = *words.get(i)?;
        if let Some(u) = UNITS.iter().position(|u| *u == w) {
            return (u >= 10).then_some((u as f64, i + 1));
        }
        let t = TENS.iter().position(|u| *u == w)?;
        let tens = 20.0 + 10.0 * t as f64;
        match words
            .get(i + 1)
            .and_then(|n| UNITS.iter().position(|u| u == n))
        {
            Some(u) if (1..10).contains(&u) => Some((tens + u as f64, i + 2)),
            _ => Some((tens, i + 1)),
        }
    };
    let is_number_word =
        |w: &str| UNITS.contains(&w) || TENS.contains(&w) || scale(w).is_some_and(|_| w.len() > 2);
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() && out.len() < max {
        if i > 0 && is_number_word(words[i - 1]) {
            i += 1;
            continue;
        }
        if let Some((a, j)) = two_digit(i)
            && let Some((b, k)) = two_digit(j)
            && !words.get(k).is_some_and(|w| is_number_word(w))
        {
            out.push(a + b / 100.0);
            i = k;
            continue;
        }
        i += 1;
    }
    out
}

/// How often a recurring payment recurs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Freq {
    Hourly,
    Daily,
    Weekly,
    Biweekly,
    Monthly,
    Quarterly,
    Yearly,
}

/// The frequency a word names by itself (`weekly`, `annually`: true) or as a unit after
/// "every", "each", "per", "a" (`week`, `months`: false).
const FREQ_WORDS: &[(&str, Freq, bool)] = &[
    ("hourly", Freq::Hourly, true),
    ("daily", Freq::Daily, true),
    ("nightly", Freq::Daily, true),
    ("everyday", Freq::Daily, true),
    ("weekly", Freq::Weekly, true),
    ("biweekly", Freq::Biweekly, true),
    ("fortnightly", Freq::Biweekly, true),
    ("monthly", Freq::Monthly, true),
    ("quarterly", Freq::Quarterly, true),
    ("yearly", Freq::Yearly, true),
    ("annually", Freq::Yearly, true),
    ("annual", Freq::Yearly, true),
    ("hour", Freq::Hourly, false),
    ("hours", Freq::Hourly, false),
    ("day", Freq::Daily, false),
    ("days", Freq::Daily, false),
    ("week", Freq::Weekly, false),
    ("weeks", Freq::Weekly, false),
    ("fortnight", Freq::Biweekly, false),
    ("month", Freq::Monthly, false),
    ("months", Freq::Monthly, false),
    ("quarter", Freq::Quarterly, false),
    ("quarters", Freq::Quarterly, false),
    ("year", Freq::Yearly, false),
    ("years", Freq::Yearly, false),
];

/// The frequency a word names ([`FREQ_WORDS`]), and whether by itself.
fn freq_word(word: &str) -> Option<(Freq, bool)> {
    FREQ_WORDS
        .iter()
        .find(|(w, _, _)| *w == word)
        .map(|&(_, f, alone)| (f, alone))
}

/// The frequencies `text` names: `weekly`, `every week`, `each month`, `$50 a month`,
/// `every other week` / `every two weeks` (biweekly); with `bare_units`, a unit alone too
/// (an argument's `"month"`, `"FREQ=WEEKLY"`).
pub(super) fn freqs_in(text: &str, bare_units: bool) -> Vec<Freq> {
    let lower = lower(text);
    if !freq_cues().is_match(lower.as_ref()) {
        return Vec::new();
    }
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(4096)
        .collect();
    let mut out = Vec::new();
    for (i, w) in words.iter().enumerate() {
        let Some((mut f, adjective)) = freq_word(w) else {
            continue;
        };
        let before = |n: usize| i.checked_sub(n).and_then(|j| words.get(j)).copied();
        let counted = matches!(before(1), Some("other" | "two" | "2"));
        if f == Freq::Weekly && counted {
            f = Freq::Biweekly;
        }
        let anchored = matches!(before(1), Some("every" | "each" | "per" | "a" | "an"))
            || (counted && matches!(before(2), Some("every" | "each")));
        if (adjective || anchored || bare_units) && !out.contains(&f) {
            out.push(f);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_currency_word_names_one_currency() {
        let table = currency_table();
        assert!(table.windows(2).all(|p| p[0].0 < p[1].0), "a word twice");
        assert_eq!(currency_word("dollars"), Some(DOLLARS));
        assert_eq!(currency_word("usd"), Some(&["USD"][..]));
        assert_eq!(currency_word("gwei"), Some(&["ETH"][..]));
        assert_eq!(currency_word("tether"), Some(&["USDT"][..]));
        assert_eq!(currency_word("USD"), None);
        assert_eq!(currency_word("dollarz"), None);
    }

    #[test]
    fn lower_borrows_lower_case_ascii_and_lower_cases_the_rest() {
        assert!(matches!(lower("pay bob $50"), Cow::Borrowed("pay bob $50")));
        assert_eq!(lower("Pay BOB"), "pay bob");
        assert!(matches!(lower("Pay"), Cow::Owned(_)));
        assert_eq!(lower("ÉTÉ Σ"), "ÉTÉ Σ".to_lowercase());
        assert!(matches!(lower("café"), Cow::Owned(_)));
    }

    #[test]
    fn numbers_in_words_digits_suffixes_and_exponents() {
        let n = number_values;
        assert_eq!(n("fifty thousand"), [50000.0]);
        assert_eq!(n("pay bob ten thousand dollars"), [10000.0]);
        assert_eq!(n("one hundred and twenty-five"), [125.0]);
        assert_eq!(n("two thousand five hundred"), [2500.0]);
        assert_eq!(n("a hundred bucks"), [100.0]);
        assert_eq!(n("one million two hundred thousand"), [1_200_000.0]);
        assert_eq!(n("nineteen"), [19.0]);
        assert_eq!(n("twenty one"), [21.0]);
        assert_eq!(n("one two"), [1.0, 2.0]);
        assert_eq!(n("50e3"), [50000.0]);
        assert_eq!(n("1.5E+6"), [1_500_000.0]);
        assert_eq!(n("50eur"), [50.0]);
        assert_eq!(n("10k"), [10000.0]);
        assert_eq!(n("1.5m"), [1_500_000.0]);
        assert_eq!(n("10 thousand"), [10000.0]);
        assert_eq!(n("1.5 million"), [1_500_000.0]);
        assert_eq!(n("$10,000.00"), [10000.0]);
        assert_eq!(n("1.234,56 EUR"), [1234.56]);
        assert_eq!(n("1.234"), [1234.0, 1.234]);
        assert_eq!(n("$20 for lunch and another $20"), [20.0, 20.0]);
        assert_eq!(n("one grand"), [1000.0]);
        assert!(n("NaN inf infinity").is_empty());
        assert!(n("grand canyon").is_empty());
        assert_eq!(n("1e999"), [f64::INFINITY]);
        assert_eq!(n(&"9".repeat(5000)), [f64::INFINITY]);
        assert_eq!(n(&"thousand ".repeat(5000)).len(), 1);
    }

    #[test]
    fn currencies_by_sign_code_and_word() {
        assert_eq!(currencies_in("pay bob $50", 4), [DOLLARS]);
        assert_eq!(currencies_in("50 btc", 4), [&["BTC"][..]]);
        assert_eq!(currencies_in("Transfer 1.234,56 EUR", 4), [&["EUR"][..]]);
        assert_eq!(currencies_in("ten thousand dollars", 4), [DOLLARS]);
        assert!(currencies_in("pay the ethernet bill", 4).is_empty());
        assert_eq!(
            currency_value("bitcoin"),
            Some(CurrencyValue::Known(&["BTC"]))
        );
        assert_eq!(
            currency_value("xmr"),
            Some(CurrencyValue::Other("XMR".into()))
        );
        assert!(CurrencyValue::Known(&["CAD"]).within(DOLLARS));
        assert!(!CurrencyValue::Known(&["BTC"]).within(DOLLARS));
    }

    #[test]
    fn scale_words_spoken_prices_and_frequencies() {
        assert_eq!(scale_word("thousands"), Some(1e3));
        assert_eq!(scale_word("Millions"), Some(1e6));
        assert_eq!(scale_word("cents"), Some(0.01));
        assert_eq!(scale_word("units"), Some(1.0));
        assert_eq!(scale_word("USD"), None);
        assert_eq!(spoken_prices("pay Bob forty-two fifty for it", 8), [42.5]);
        assert_eq!(spoken_prices("nineteen ninety-nine", 8), [19.99]);
        assert!(spoken_prices("fifty thousand", 8).is_empty());
        assert!(spoken_prices("one hundred and twenty five", 8).is_empty());
        assert!(spoken_prices("forty two", 8).is_empty());
        assert_eq!(freqs_in("Pay Bob $50 every week", false), [Freq::Weekly]);
        assert_eq!(freqs_in("my monthly rent", false), [Freq::Monthly]);
        assert_eq!(freqs_in("every other week", false), [Freq::Biweekly]);
        assert_eq!(freqs_in("$10 a day", false), [Freq::Daily]);
        assert!(freqs_in("Pay Bob for last month", false).is_empty());
        assert_eq!(freqs_in("FREQ=WEEKLY", true), [Freq::Weekly]);
        assert_eq!(freqs_in("1 month", true), [Freq::Monthly]);
    }
}
