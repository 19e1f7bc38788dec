//! What a transfer step's argument keys name, for the [`money`](super::money) rules, read
//! once per key: [`KeyClass::of`] answers every question the money walkers ask of a key (a
//! recipient or the payer's side, an amount, a currency, an asset, a quantity, a scale, a list
//! of payments, a recurrence) from one snake-casing and one split of it, where each question
//! used to snake-case, split and scan the key again.
//!
//! A key is read in snake case ([`snake_case`]: `payTo`, `PAY_TO`, `pay-to` are `pay_to`) and
//! split at `_` into words; each word is looked up once ([`word_bits`]) in one sorted table of
//! every word list below, which gives the lists it belongs to as bits. The key's answers are
//! those bits, or-ed over its words, plus the few tests on the whole key (its exact spelling,
//! its prefix, its words glued together).

use std::borrow::Cow;
use std::sync::OnceLock;

use serde_json::Value;

use super::amounts::{Currency, CurrencyValue, currencies_in, currency_word, currency_words};
use super::amounts::{number_values, scale_word};
use super::money::{AMOUNT_KEYS, MAX_AMOUNT_TEXT, RECIPIENT_KEYS, RECIPIENT_WORDS};

/// Words that make a key the payer's side (`from_account`, `source_iban`, `my_wallet`).
pub(super) const PAYER_WORDS: &[&str] = &[
    "from", "source", "src", "sender", "origin", "own", "my", "debit",
];

/// Words besides [`PAYER_WORDS`] whose value is never searched for recipients: the payer and
/// the message (`payer`, `note`, `subject`).
const PAYER_SIDE_WORDS: &[&str] = &[
    "payer",
    "sender",
    "originator",
    "memo",
    "note",
    "notes",
    "subject",
];

/// Verbs that make a `…_to` key the recipient (`payTo`, `send_to`, `remitTo`).
const PAY_VERBS: &[&str] = &[
    "pay", "payable", "payout", "send", "transfer", "wire", "remit", "credit", "deposit",
];

/// How a recipient key may begin when written without separators (`beneficiaryiban`,
/// `creditorname`, `payeeaccount`).
const RECIPIENT_PREFIXES: &[&str] = &[
    "recipient",
    "payee",
    "beneficiar",
    "creditor",
    "receiver",
    "counterpart",
    "destination",
    "biller",
];

/// The fields of a recipient object that name it (`{"name": "Bob", "iban": "…"}`).
const NAME_FIELDS: &[&str] = &[
    "name", "id", "email", "iban", "account", "address", "number", "handle", "phone",
];

/// Words of an amount-like key ([`KeyClass::amount`]); their plurals too (`amounts`).
const AMOUNT_WORDS: &[&str] = &[
    "amount", "amt", "sum", "total", "subtotal", "price", "cost", "value", "fee", "tip",
];

/// Words that make a key something other than an amount (`payment_date`, `amount_currency`,
/// `total_count`, `price_id`).
const NOT_AMOUNT_WORDS: &[&str] = &[
    "date",
    "time",
    "timestamp",
    "day",
    "days",
    "id",
    "ids",
    "currency",
    "ccy",
    "type",
    "code",
    "method",
    "status",
    "ref",
    "reference",
    "number",
    "no",
    "name",
    "description",
    "desc",
    "memo",
    "note",
    "notes",
    "subject",
    "account",
    "iban",
    "recipient",
    "payee",
    "sender",
    "frequency",
    "interval",
    "schedule",
    "period",
    "percent",
    "percentage",
    "pct",
    "rate",
    "count",
    "quantity",
    "qty",
    "items",
    "pages",
    "results",
];

/// Words of an amount key in cents (`amount_cents`, `minor_units`).
const CENTS_WORDS: &[&str] = &["cents", "cent", "minor", "pence"];

/// Words of a key naming the currency of an amount (`currency`, `currencyCode`, `ccy`).
const CURRENCY_KEY_WORDS: &[&str] = &["currency", "ccy", "coin", "denomination"];

/// Words of a quantity key (`quantity`, `qty`, `num_copies`, `times`).
const QUANTITY_WORDS: &[&str] = &[
    "quantity",
    "qty",
    "copies",
    "count",
    "times",
    "repeat",
    "repetitions",
];

/// Words that make a key a retry, page or limit count rather than a quantity.
const NOT_QUANTITY_WORDS: &[&str] = &[
    "retry", "retries", "page", "max", "min", "limit", "attempt", "attempts", "id",
];

/// Words of a key whose list holds one payment per item.
const PAYMENT_LIST_WORDS: &[&str] = &[
    "payments",
    "transfers",
    "transactions",
    "batch",
    "instructions",
    "remittances",
];

/// Words of a key that may hold a currency code (`"asset": "BTC"`, `"token": "ETH"`).
const ASSET_WORDS: &[&str] = &[
    "asset",
    "token",
    "symbol",
    "ticker",
    "crypto",
    "cryptocurrency",
    "instrument",
];

/// Words of a scale key that multiplies the amounts beside it (`"multiplier": 1000`).
const MULTIPLIER_WORDS: &[&str] = &[
    "multiplier",
    "multiple",
    "scale",
    "scaling",
    "factor",
    "magnitude",
];

/// Words of a scale key giving decimal places (`"decimals": -3`).
const DECIMALS_WORDS: &[&str] = &["decimals", "decimal", "precision"];

/// Words of a scale key giving a power of ten (`"exponent": 3`).
const EXPONENT_WORDS: &[&str] = &["exponent", "exp"];

/// Words of a scale key giving a unit (`"units": "thousands"`).
const UNIT_WORDS: &[&str] = &["unit", "units", "denomination"];

/// Words of a key that sets a recurrence, whatever its value (`"recurring": true`).
const RECURRENCE_STRONG_WORDS: &[&str] = &[
    "recurring",
    "recurrence",
    "recur",
    "recurs",
    "repeat",
    "repeats",
    "repeating",
    "frequency",
    "freq",
    "cadence",
    "periodicity",
    "rrule",
];

/// Words of a key that sets a recurrence when its value names a frequency (`"schedule":
/// "weekly"`).
const RECURRENCE_WEAK_WORDS: &[&str] = &["schedule", "interval", "every"];

/// Words of a key holding a repeat count (`"occurrences": 52`).
const RECURRENCE_COUNT_WORDS: &[&str] = &[
    "occurrences",
    "occurrence",
    "installments",
    "instalments",
    "cycles",
    "recurrences",
    "repetitions",
];

/// Words that make a count key a limit rather than a repeat count (`max_occurrences`).
const NOT_RECURRENCE_COUNT_WORDS: &[&str] = &["max", "limit", "retry", "retries"];

/// Words of a key whose number is a repeat count (`"repeat": 3`).
const REPEAT_COUNT_WORDS: &[&str] = &["repeat", "repeats", "recur"];

// One bit per word list: what [`word_bits`] answers for a word.
const PAYER: u32 = 1 << 0;
const PAYER_SIDE: u32 = 1 << 1;
const PAY_VERB: u32 = 1 << 2;
const RECIPIENT_WORD: u32 = 1 << 3;
const TO: u32 = 1 << 4;
const AMOUNT_WORD: u32 = 1 << 5;
const NOT_AMOUNT: u32 = 1 << 6;
const CENTS: u32 = 1 << 7;
const CURRENCY_NAME: u32 = 1 << 8;
const CURRENCY_KEY: u32 = 1 << 9;
const QUANTITY: u32 = 1 << 10;
const NOT_QUANTITY: u32 = 1 << 11;
const PAYMENT_LIST: u32 = 1 << 12;
const ASSET: u32 = 1 << 13;
const MULTIPLIER: u32 = 1 << 14;
const DECIMALS: u32 = 1 << 15;
const EXPONENT: u32 = 1 << 16;
const UNIT: u32 = 1 << 17;
const RECUR_STRONG: u32 = 1 << 18;
const RECUR_WEAK: u32 = 1 << 19;
const RECUR_COUNT: u32 = 1 << 20;
const NOT_RECUR_COUNT: u32 = 1 << 21;
const REPEAT_COUNT: u32 = 1 << 22;
/// The bits above: those of a key's words, or-ed.
const WORD_LISTS: u32 = (1 << 23) - 1;
// Bits for whole keys looked up in the same table: one of [`RECIPIENT_KEYS`], one of them
// with its underscores taken out (`payto`), one of [`AMOUNT_KEYS`], one of [`NAME_FIELDS`].
const RECIPIENT_KEY_EXACT: u32 = 1 << 23;
const RECIPIENT_KEY_GLUED: u32 = 1 << 24;
const AMOUNT_KEY_EXACT: u32 = 1 << 25;
const NAME_FIELD_EXACT: u32 = 1 << 26;

/// Every word of the lists above (and every whole key of the key lists), sorted, with the bits
/// of the lists it is in.
fn word_table() -> &'static [(Cow<'static, str>, u32)] {
    static TABLE: OnceLock<Vec<(Cow<'static, str>, u32)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let lists: &[(&[&str], u32)] = &[
            (PAYER_WORDS, PAYER),
            (PAYER_SIDE_WORDS, PAYER_SIDE),
            (PAY_VERBS, PAY_VERB),
            (RECIPIENT_WORDS, RECIPIENT_WORD),
            (&["to"], TO),
            (AMOUNT_WORDS, AMOUNT_WORD),
            (NOT_AMOUNT_WORDS, NOT_AMOUNT),
            (CENTS_WORDS, CENTS),
            (CURRENCY_KEY_WORDS, CURRENCY_KEY),
            (QUANTITY_WORDS, QUANTITY),
            (NOT_QUANTITY_WORDS, NOT_QUANTITY),
            (PAYMENT_LIST_WORDS, PAYMENT_LIST),
            (ASSET_WORDS, ASSET),
            (MULTIPLIER_WORDS, MULTIPLIER),
            (DECIMALS_WORDS, DECIMALS),
            (EXPONENT_WORDS, EXPONENT),
            (UNIT_WORDS, UNIT),
            (RECURRENCE_STRONG_WORDS, RECUR_STRONG),
            (RECURRENCE_WEAK_WORDS, RECUR_WEAK),
            (RECURRENCE_COUNT_WORDS, RECUR_COUNT),
            (NOT_RECURRENCE_COUNT_WORDS, NOT_RECUR_COUNT),
            (REPEAT_COUNT_WORDS, REPEAT_COUNT),
            (RECIPIENT_KEYS, RECIPIENT_KEY_EXACT),
            (AMOUNT_KEYS, AMOUNT_KEY_EXACT),
            (NAME_FIELDS, NAME_FIELD_EXACT),
        ];
        let mut table: Vec<(Cow<'static, str>, u32)> = lists
            .iter()
            .flat_map(|(words, bit)| words.iter().map(|w| (Cow::Borrowed(*w), *bit)))
            .chain(currency_words().map(|w| (Cow::Borrowed(w), CURRENCY_NAME)))
            // Plural amount words (`amounts`, `prices`) are amount words.
            .chain(
                AMOUNT_WORDS
                    .iter()
                    .map(|w| (Cow::Owned(format!("{w}s")), AMOUNT_WORD)),
            )
            .chain(
                RECIPIENT_KEYS
                    .iter()
                    .map(|k| (Cow::Owned(k.replace('_', "")), RECIPIENT_KEY_GLUED)),
            )
            .collect();
        table.sort_by(|a, b| a.0.cmp(&b.0));
        table.dedup_by(|later, kept| {
            let same = later.0 == kept.0;
            if same {
                kept.1 |= later.1;
            }
            same
        });
        table
    })
}

/// The bits of the lists `word` (lower-case) is in; 0 for none.
fn word_bits(word: &str) -> u32 {
    let table = word_table();
    table
        .binary_search_by(|(w, _)| w.as_ref().cmp(word))
        .map_or(0, |i| table[i].1)
}

/// Builds the word table (monitor construction).
pub(super) fn warm_up() {
    word_table();
}

/// `key` in snake case, lower-cased: `recipientIban` → `recipient_iban`, `toAccount` →
/// `to_account`, `payee-id` → `payee_id`. Snake-casing a snake-case key changes nothing.
pub(super) fn snake_case(key: &str) -> Cow<'_, str> {
    // Most keys are already lower-case snake case: no copy then.
    if !key
        .bytes()
        .any(|b| b.is_ascii_uppercase() || matches!(b, b'-' | b' ' | b'.'))
    {
        return key.into();
    }
    let mut out = String::with_capacity(key.len() + 4);
    let mut previous_lower = false;
    for c in key.chars() {
        if c.is_ascii_uppercase() && previous_lower {
            out.push('_');
        }
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        out.push(if matches!(c, '-' | ' ' | '.') {
            '_'
        } else {
            c.to_ascii_lowercase()
        });
    }
    out.into()
}

/// An amount-like key: how to read the number under it and the currency its name gives.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct AmountKey {
    /// 0.01 for amounts in cents (`amount_cents`, `minor_units`).
    pub(super) scale: f64,
    /// `value_usd`, `amount_eur`, `btc`.
    pub(super) currency: Option<Currency>,
}

/// How a scale key ([`KeyClass::scale_factor`]) reads its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Scale {
    /// `multiplier`, `scale`, `factor`: a number or a scale word (`"thousands"`).
    Multiplier,
    /// `decimals`, `precision`: `-3` is × 1000; a positive count does not shrink the amount.
    Decimals,
    /// `exponent`: × 10^|n|.
    Exponent,
    /// `unit`, `units`: a scale word.
    Unit,
}

/// What one argument key names, read once ([`KeyClass::of`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct KeyClass {
    /// Or of the word bits of the key's words.
    words: u32,
    /// Answers about the whole key ([`RECIPIENT_KEY`], …).
    key: u8,
    amount: Option<AmountKey>,
    units: Option<AmountKey>,
    scale: Option<Scale>,
}

// Answers about a whole key, beyond its words' bits.
const RECIPIENT_KEY: u8 = 1 << 0;
const QUANTITY_KEY: u8 = 1 << 1;
const NAME_FIELD: u8 = 1 << 2;

impl KeyClass {
    /// Reads `key` (any case and separators) once.
    pub(super) fn of(key: &str) -> Self {
        let k = snake_case(key);
        let mut words = 0u32;
        let mut first = 0u32;
        let mut count = 0usize;
        let mut currency = None;
        for w in k.split('_').filter(|w| !w.is_empty()) {
            let bits = word_bits(w);
            if count == 0 {
                first = bits;
            }
            if currency.is_none() && bits & CURRENCY_NAME != 0 {
                currency = currency_word(w);
            }
            words |= bits & WORD_LISTS;
            count += 1;
        }
        // The whole key's bits: a key without `_` is its one word.
        let whole = if k.contains('_') {
            word_bits(&k)
        } else {
            first
        };
        let has = |bits: u32| words & bits != 0;
        let amount = if has(NOT_AMOUNT) {
            None
        } else {
            let amountish = whole & AMOUNT_KEY_EXACT != 0
                || has(AMOUNT_WORD)
                || (currency.is_some() && count == 1);
            amountish.then(|| AmountKey {
                scale: if has(CENTS) { 0.01 } else { 1.0 },
                currency,
            })
        };
        let units = match k.as_ref() {
            "units" => Some(AmountKey {
                scale: 1.0,
                currency: None,
            }),
            "minor_units" => Some(AmountKey {
                scale: 0.01,
                currency: None,
            }),
            _ => None,
        };
        let quantity = !has(NOT_QUANTITY)
            && (has(QUANTITY)
                || matches!(k.as_ref(), "n" | "num")
                || k.starts_with("num_")
                || k.starts_with("number_of_"));
        let scale = if amount.is_some() || quantity {
            None
        } else if has(MULTIPLIER) {
            Some(Scale::Multiplier)
        } else if has(DECIMALS) {
            Some(Scale::Decimals)
        } else if has(EXPONENT) {
            Some(Scale::Exponent)
        } else if has(UNIT) {
            Some(Scale::Unit)
        } else {
            None
        };
        let mut key_bits = 0;
        if recipient_key(&k, whole, words, first) {
            key_bits |= RECIPIENT_KEY;
        }
        if quantity {
            key_bits |= QUANTITY_KEY;
        }
        if whole & NAME_FIELD_EXACT != 0 {
            key_bits |= NAME_FIELD;
        }
        KeyClass {
            words,
            key: key_bits,
            amount,
            units,
            scale,
        }
    }

    /// Names who receives the money, whatever its case and separators (`payTo`, `PAY_TO`,
    /// `payto`): [`RECIPIENT_KEYS`], any `to_*`, a [`PAY_VERBS`] verb with `to` (`pay_to`,
    /// `remitTo`), a key starting with one of [`RECIPIENT_PREFIXES`], and any key with a
    /// [`RECIPIENT_WORDS`] word; never a key with a [`PAYER_WORDS`] word (`from_account`,
    /// `source_iban`).
    pub(super) fn is_recipient(&self) -> bool {
        self.key & RECIPIENT_KEY != 0
    }

    /// Its value is the payer's side or a message, never searched for recipients (`from`,
    /// `sender`, `source_account`, `note`).
    pub(super) fn is_payer(&self) -> bool {
        self.words & (PAYER | PAYER_SIDE) != 0
    }

    /// One of the [`NAME_FIELDS`] of a recipient object.
    pub(super) fn is_name_field(&self) -> bool {
        self.key & NAME_FIELD != 0
    }

    /// Amount-like (in snake case, no [`NOT_AMOUNT_WORDS`] word): [`AMOUNT_KEYS`], a key with an
    /// [`AMOUNT_WORDS`] word or its plural (`transferAmount`, `value_usd`, `unit_price`,
    /// `prices`), or a currency name alone (`"usd": 5000`).
    pub(super) fn amount(&self) -> Option<AmountKey> {
        self.amount
    }

    /// The amount fields of a money object besides amount keys (`{"units": 50}`,
    /// `minor_units`).
    pub(super) fn money_units(&self) -> Option<AmountKey> {
        self.units
    }

    /// Names the currency of an amount (`currency`, `currencyCode`, `ccy`, `coin`).
    pub(super) fn is_currency(&self) -> bool {
        self.words & CURRENCY_KEY != 0
    }

    /// Gives how many of an amount are bought or sent (`quantity`, `qty`, `count`,
    /// `num_cards`, `number_of_tickets`, `copies`, `times`), not a retry or page count.
    pub(super) fn is_quantity(&self) -> bool {
        self.key & QUANTITY_KEY != 0
    }

    /// Its list holds one payment per item (`payments`, `transfers`, `transactions`,
    /// `batch`).
    pub(super) fn is_payment_list(&self) -> bool {
        self.words & PAYMENT_LIST != 0
    }

    /// The key sets a recurrence whatever its value (`recurring`, `frequency`, `rrule`).
    pub(super) fn is_strong_recurrence(&self) -> bool {
        self.words & RECUR_STRONG != 0
    }

    /// The key sets a recurrence when its value names one (`schedule`, `interval`).
    pub(super) fn is_weak_recurrence(&self) -> bool {
        self.words & RECUR_WEAK != 0
    }

    /// The key's number is a repeat count (`occurrences`, `installments`, `repeat`; not
    /// `max_occurrences`).
    pub(super) fn is_repeat_count(&self) -> bool {
        (self.words & RECUR_COUNT != 0 && self.words & NOT_RECUR_COUNT == 0)
            || self.words & REPEAT_COUNT != 0
    }

    /// The factor a scale key sets for the amounts beside it: `"multiplier": 1000`,
    /// `"scale": "1e3"`, `"units": "thousands"`, `"decimals": -3` (× 1000; a positive
    /// `decimals` is read as not shrinking the amount, the larger reading), `"exponent": 3`
    /// (× 1000 either way); `None` for any other key or value. The result is finite or
    /// infinite, never `NaN`.
    pub(super) fn scale_factor(&self, v: &Value) -> Option<f64> {
        let number = || match v {
            Value::Number(n) => n.as_f64(),
            Value::String(x) if x.len() <= MAX_AMOUNT_TEXT => number_values(x).first().copied(),
            _ => None,
        };
        let power = |n: f64| 10f64.powi(n.clamp(-400.0, 400.0) as i32);
        let factor = match self.scale? {
            Scale::Multiplier => match v {
                Value::String(x) if x.len() <= MAX_AMOUNT_TEXT => {
                    scale_word(x).or_else(|| number_values(x).first().copied())
                }
                _ => number(),
            },
            Scale::Decimals => number().map(|n| power(-n).max(1.0)),
            Scale::Exponent => number().map(|n| power(n.abs())),
            Scale::Unit => v.as_str().and_then(scale_word),
        }?;
        (!factor.is_nan()).then_some(factor)
    }

    /// The currency an asset-like key names (`"asset": "BTC"`, `"token": "ETH"`,
    /// `"symbol": "$"`): a currency the value names, or a code of 3 to 5 upper-case letters
    /// and digits; `None` for another key or value (`"token": "tok_visa"`).
    pub(super) fn asset_currency(&self, v: &Value) -> Option<CurrencyValue> {
        if self.words & ASSET == 0 {
            return None;
        }
        let v = v.as_str()?.trim();
        if v.len() > MAX_AMOUNT_TEXT {
            return None;
        }
        if let Some(c) = currencies_in(v, 1).first() {
            return Some(CurrencyValue::Known(c));
        }
        let code = (3..=5).contains(&v.len())
            && v.starts_with(|c: char| c.is_ascii_uppercase())
            && v.bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        code.then(|| CurrencyValue::Other(v.to_owned()))
    }
}

/// [`KeyClass::is_recipient`] of the snake-case key `k`, given its own bits, the or of its
/// words' bits and the bits of its first word.
fn recipient_key(k: &str, whole: u32, words: u32, first: u32) -> bool {
    if whole & RECIPIENT_KEY_EXACT != 0 || k.starts_with("to_") {
        return true;
    }
    // The key's words glued together (`pay_to` → `payto`): a recipient key glued so is one.
    let glued: Cow<'_, str> = if k.contains('_') {
        k.replace('_', "").into()
    } else {
        k.into()
    };
    let glued_bits = if glued.len() == k.len() {
        whole
    } else {
        word_bits(&glued)
    };
    if glued_bits & RECIPIENT_KEY_GLUED != 0 {
        return true;
    }
    if words & PAYER != 0
        || PAYER_WORDS
            .iter()
            .any(|p| p.len() >= 3 && glued.starts_with(p))
    {
        return false;
    }
    words & RECIPIENT_WORD != 0
        || (words & TO != 0 && first & PAY_VERB != 0)
        || PAY_VERBS
            .iter()
            .any(|v| glued.strip_prefix(v) == Some("to"))
        || RECIPIENT_PREFIXES.iter().any(|p| glued.starts_with(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_reading_answers_every_question() {
        let c = KeyClass::of("recipientIban");
        assert!(c.is_recipient() && !c.is_payer() && c.amount().is_none());
        let c = KeyClass::of("from_account");
        assert!(!c.is_recipient() && c.is_payer());
        let c = KeyClass::of("PAY_TO");
        assert!(c.is_recipient() && !c.is_payer());
        assert!(KeyClass::of("payto").is_recipient());
        assert!(KeyClass::of("remitTo").is_recipient());
        assert!(KeyClass::of("beneficiaryiban").is_recipient());
        assert!(!KeyClass::of("sourceiban").is_recipient());
        assert!(KeyClass::of("memo").is_payer() && !KeyClass::of("memo").is_recipient());

        let a = KeyClass::of("amount_cents").amount().unwrap();
        assert_eq!((a.scale, a.currency), (0.01, None));
        let a = KeyClass::of("valueUsd").amount().unwrap();
        assert_eq!((a.scale, a.currency), (1.0, Some(&["USD"][..])));
        assert_eq!(
            KeyClass::of("usd").amount().unwrap().currency,
            Some(&["USD"][..])
        );
        assert!(KeyClass::of("prices").amount().is_some());
        assert!(KeyClass::of("price_id").amount().is_none());
        assert!(KeyClass::of("total_count").amount().is_none());
        assert_eq!(
            KeyClass::of("minor_units").money_units().unwrap().scale,
            0.01
        );
        assert_eq!(KeyClass::of("units").money_units().unwrap().scale, 1.0);
        assert!(KeyClass::of("unit").money_units().is_none());

        assert!(KeyClass::of("currencyCode").is_currency());
        assert!(KeyClass::of("num_tickets").is_quantity());
        assert!(KeyClass::of("qty").is_quantity() && KeyClass::of("n").is_quantity());
        assert!(!KeyClass::of("max_count").is_quantity());
        assert!(KeyClass::of("payments").is_payment_list());
        assert!(KeyClass::of("name").is_name_field());
        assert!(!KeyClass::of("full_name").is_name_field());

        assert_eq!(KeyClass::of("multiplier").scale, Some(Scale::Multiplier));
        assert_eq!(KeyClass::of("decimals").scale, Some(Scale::Decimals));
        assert_eq!(KeyClass::of("exp").scale, Some(Scale::Exponent));
        assert_eq!(KeyClass::of("units").scale, Some(Scale::Unit));
        // An amount or a quantity key is never a scale key.
        assert_eq!(KeyClass::of("unit_price").scale, None);
        assert_eq!(KeyClass::of("repeat_scale").scale, None);

        assert!(KeyClass::of("recurring").is_strong_recurrence());
        assert!(KeyClass::of("schedule").is_weak_recurrence());
        assert!(KeyClass::of("occurrences").is_repeat_count());
        assert!(!KeyClass::of("max_occurrences").is_repeat_count());
        assert!(KeyClass::of("max_repeat").is_repeat_count());
    }

    #[test]
    fn scale_factors_and_asset_currencies_read_the_value() {
        let f = |k: &str, v: Value| KeyClass::of(k).scale_factor(&v);
        assert_eq!(f("multiplier", Value::from(1000)), Some(1000.0));
        assert_eq!(f("scale", Value::from("thousands")), Some(1000.0));
        assert_eq!(f("decimals", Value::from(-3)), Some(1000.0));
        assert_eq!(f("decimals", Value::from(2)), Some(1.0));
        assert_eq!(f("exponent", Value::from(-3)), Some(1000.0));
        assert_eq!(f("units", Value::from("millions")), Some(1e6));
        assert_eq!(f("amount", Value::from(3)), None);
        let a = |k: &str, v: &str| KeyClass::of(k).asset_currency(&Value::from(v));
        assert_eq!(a("asset", "BTC"), Some(CurrencyValue::Known(&["BTC"])));
        assert_eq!(a("token", "XMR"), Some(CurrencyValue::Other("XMR".into())));
        assert_eq!(a("token", "tok_visa"), None);
        assert_eq!(a("memo", "BTC"), None);
    }

    #[test]
    fn words_in_several_lists_carry_every_bit() {
        assert_eq!(
            word_bits("account"),
            RECIPIENT_WORD | NOT_AMOUNT | NAME_FIELD_EXACT
        );
        assert_eq!(
            word_bits("iban"),
            RECIPIENT_WORD
                | NOT_AMOUNT
                | NAME_FIELD_EXACT
                | RECIPIENT_KEY_EXACT
                | RECIPIENT_KEY_GLUED
        );
        assert_eq!(word_bits("pay_to"), RECIPIENT_KEY_EXACT);
        assert_eq!(word_bits("payto"), RECIPIENT_KEY_GLUED);
        assert_eq!(word_bits("value_eth"), AMOUNT_KEY_EXACT);
        assert_eq!(word_bits("denomination"), CURRENCY_KEY | UNIT);
        assert_eq!(word_bits("repeat"), QUANTITY | RECUR_STRONG | REPEAT_COUNT);
        assert_eq!(word_bits("amounts"), AMOUNT_WORD);
        assert_eq!(word_bits("usd"), CURRENCY_NAME);
        assert_eq!(word_bits("zebra"), 0);
        assert_eq!(snake_case("recipientIban"), "recipient_iban");
        assert_eq!(snake_case("payee-id"), "payee_id");
    }
}
