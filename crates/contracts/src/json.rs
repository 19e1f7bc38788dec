//! Parsing contract values from JSON with errors that say *where* the problem is.
//!
//! A record with the same key twice in any object, at any depth, is refused:
//! `{"command": "rm -rf /", "command": "ls"}` means one thing to a parser that keeps the first
//! value and another to one that keeps the last, so a monitor must not pick either. The check
//! runs in the same pass as the parse ([`crate::unique_keys`]).

use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeOwned, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::unique_keys::UniqueKeys;
use crate::{Error, Result};

/// Parses one JSON document into a contract type.
///
/// Errors carry the path of the offending field, so a bad value deep in a window reads
/// `window[3].operation: unknown operation "fly" (...)`. An object with the same key twice is
/// refused wherever it is, naming the object's path and the key.
///
/// ```
/// use vigil_contracts::{from_json_str, NormalizedIntent, Plan};
/// let err = from_json_str::<NormalizedIntent>(r#"{"tool":"bash","operation":"fly","target_kind":"workdir"}"#)
///     .unwrap_err()
///     .to_string();
/// assert!(err.starts_with("operation: unknown operation \"fly\""), "{err}");
///
/// let twice = r#"{"steps": [{"tool": "bash", "args": {"command": "rm -rf /", "command": "ls"}}]}"#;
/// let err = from_json_str::<Plan>(twice).unwrap_err().to_string();
/// assert_eq!(err, "steps[0].args: duplicate key \"command\" at column 69");
/// ```
pub fn from_json_str<T: DeserializeOwned>(text: &str) -> Result<T> {
    let _budget = ValueBudget::arm();
    parse_whole(text)
}

/// The duplicate-key check of [`from_json_str`] alone, for a reader that parses the record its
/// own way (its error is the one [`from_json_str`] gives). It keeps nothing, so no
/// [`MAX_VALUES_PER_RECORD`] applies.
pub(crate) fn check_unique_keys(text: &str) -> Result<()> {
    parse_whole::<de::IgnoredAny>(text).map(|_| ())
}

/// The most JSON values one record may hold when [`from_json_str`] parses it into memory: each
/// array element counts one, each object entry [`OBJECT_ENTRY_COST`] (its key is a string of its
/// own and a map slot). A tiny JSON value costs 30–80 times its text once parsed (a `0,` is two
/// bytes, its `serde_json::Value` 32 and more), so a 15 MB line of zeros or of one-key objects
/// took 430–570 MB; past this budget the record is refused, naming where it stopped, and a
/// refused 15 MB line peaked at 94–155 MB when measured (`docs/memory.md`). Real records sit
/// below it: a session of 10,000 calls with four arguments each counts about 220,000. A plan
/// parsed whole counts about 13 a short step, so one
/// of more than about 75,000 steps is refused: read it with
/// [`RawPlan`](crate::plan::RawPlan) (as `vigil plan-risk` does), which parses each step on its
/// own, each with a budget of its own.
pub const MAX_VALUES_PER_RECORD: usize = 1_000_000;

/// What one object entry counts against [`MAX_VALUES_PER_RECORD`].
pub const OBJECT_ENTRY_COST: usize = 3;

thread_local! {
    /// Values the record being parsed on this thread may still hold (`None`: no budget).
    static VALUE_BUDGET: std::cell::Cell<Option<usize>> = const { std::cell::Cell::new(None) };
}

/// Arms [`MAX_VALUES_PER_RECORD`] for the parse in progress on this thread, and puts back the
/// budget that was there when dropped (parses nest: a record's part parsed by a visitor).
struct ValueBudget(Option<usize>);

impl ValueBudget {
    fn arm() -> Self {
        ValueBudget(VALUE_BUDGET.with(|b| b.replace(Some(MAX_VALUES_PER_RECORD))))
    }
}

impl Drop for ValueBudget {
    fn drop(&mut self) {
        VALUE_BUDGET.with(|b| b.set(self.0));
    }
}

/// Counts `cost` (1 for an array element, [`OBJECT_ENTRY_COST`] for an object entry) against
/// the armed budget (nothing when none is armed); an error once the record holds more than
/// [`MAX_VALUES_PER_RECORD`].
pub(crate) fn spend_value<E: de::Error>(cost: usize) -> std::result::Result<(), E> {
    VALUE_BUDGET.with(|b| match b.get() {
        None => Ok(()),
        Some(n) if n >= cost => {
            b.set(Some(n - cost));
            Ok(())
        }
        Some(_) => {
            b.set(Some(0));
            Err(E::custom(format_args!(
                "the record holds more than {MAX_VALUES_PER_RECORD} JSON values (an array \
                 element counts 1, an object entry {OBJECT_ENTRY_COST}), more than one record may \
                 hold in memory; the count ran out here"
            )))
        }
    })
}

/// Parses an already-decoded JSON value into a contract type, with the same path-aware errors.
///
/// A [`serde_json::Value`] has already kept one of any duplicate keys; parse untrusted text with
/// [`from_json_str`] (into a `Value` if need be), which refuses them.
pub fn from_json_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T> {
    serde_path_to_error::deserialize(value).map_err(|e| Error::Json {
        path: e.path().to_string(),
        message: strip_position(&e.inner().to_string()),
    })
}

/// Deserializes a JSON object of free-form arguments into a [`serde_json::Map`] (and every
/// object and array inside it) sized to what it holds.
///
/// serde_json grows a map one insertion at a time, so an object of one key keeps room for three
/// (about 300 bytes more than it needs per object); a plan of 300,000 steps pays that 300,000
/// times. Use with `#[serde(deserialize_with = "vigil_contracts::compact_map")]`.
///
/// ```
/// #[derive(serde::Deserialize)]
/// struct Call {
///     #[serde(deserialize_with = "vigil_contracts::compact_map")]
///     args: serde_json::Map<String, serde_json::Value>,
/// }
/// let c: Call = vigil_contracts::from_json_str(r#"{"args": {"a": [1, {"b": "c"}], "d": null}}"#).unwrap();
/// assert_eq!(serde_json::Value::Object(c.args), serde_json::json!({"a": [1, {"b": "c"}], "d": null}));
/// ```
pub fn compact_map<'de, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<serde_json::Map<String, serde_json::Value>, D::Error> {
    struct MapVisitor;
    impl<'de> Visitor<'de> for MapVisitor {
        type Value = serde_json::Map<String, serde_json::Value>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a map")
        }
        fn visit_map<A: MapAccess<'de>>(
            self,
            map: A,
        ) -> std::result::Result<Self::Value, A::Error> {
            compact_entries(map)
        }
    }
    d.deserialize_map(MapVisitor)
}

/// A tool's output as text: a string as it is; `null` as none; any other JSON value (an API
/// tool's object or array, a number) as its compact JSON text — tool outputs arrive in every
/// shape, and refusing a plan whose observation is an object left it unjudged (a runtime that
/// reads an error as "no objection" let it run).
///
/// ```
/// #[derive(serde::Deserialize)]
/// struct Out {
///     #[serde(default, deserialize_with = "vigil_contracts::observation_text")]
///     observation: Option<String>,
/// }
/// let o: Out = vigil_contracts::from_json_str(r#"{"observation": {"items": [{"name": "api-1"}]}}"#).unwrap();
/// assert_eq!(o.observation.as_deref(), Some(r#"{"items":[{"name":"api-1"}]}"#));
/// let o: Out = vigil_contracts::from_json_str(r#"{"observation": "plain"}"#).unwrap();
/// assert_eq!(o.observation.as_deref(), Some("plain"));
/// let o: Out = vigil_contracts::from_json_str(r#"{"observation": null}"#).unwrap();
/// assert_eq!(o.observation, None);
/// ```
pub fn observation_text<'de, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<String>, D::Error> {
    let CompactValue(value) = CompactValue::deserialize(d)?;
    Ok(match value {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s),
        other => Some(other.to_string()),
    })
}

/// The entries of `map`, collected first and then put in a map of exactly their number.
fn compact_entries<'de, A: MapAccess<'de>>(
    mut map: A,
) -> std::result::Result<serde_json::Map<String, serde_json::Value>, A::Error> {
    let mut entries: Vec<(String, serde_json::Value)> = Vec::new();
    while let Some(key) = map.next_key::<String>()? {
        let CompactValue(value) = map.next_value()?;
        entries.push((key, value));
    }
    let mut out = serde_json::Map::with_capacity(entries.len());
    out.extend(entries);
    Ok(out)
}

/// A JSON value whose objects and arrays are sized to what they hold.
struct CompactValue(serde_json::Value);

impl<'de> Deserialize<'de> for CompactValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        use serde_json::Value;
        struct ValueVisitor;
        impl<'de> Visitor<'de> for ValueVisitor {
            type Value = CompactValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_bool<E>(self, v: bool) -> std::result::Result<CompactValue, E> {
                Ok(CompactValue(Value::Bool(v)))
            }
            fn visit_i64<E>(self, v: i64) -> std::result::Result<CompactValue, E> {
                Ok(CompactValue(Value::from(v)))
            }
            fn visit_u64<E>(self, v: u64) -> std::result::Result<CompactValue, E> {
                Ok(CompactValue(Value::from(v)))
            }
            fn visit_f64<E>(self, v: f64) -> std::result::Result<CompactValue, E> {
                Ok(CompactValue(
                    serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number),
                ))
            }
            fn visit_str<E>(self, v: &str) -> std::result::Result<CompactValue, E> {
                Ok(CompactValue(Value::String(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> std::result::Result<CompactValue, E> {
                Ok(CompactValue(Value::String(v)))
            }
            fn visit_unit<E>(self) -> std::result::Result<CompactValue, E> {
                Ok(CompactValue(Value::Null))
            }
            fn visit_none<E>(self) -> std::result::Result<CompactValue, E> {
                Ok(CompactValue(Value::Null))
            }
            fn visit_some<D: Deserializer<'de>>(
                self,
                d: D,
            ) -> std::result::Result<CompactValue, D::Error> {
                CompactValue::deserialize(d)
            }
            fn visit_seq<A: SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> std::result::Result<CompactValue, A::Error> {
                let mut items = Vec::new();
                while let Some(CompactValue(v)) = seq.next_element()? {
                    items.push(v);
                }
                items.shrink_to_fit();
                Ok(CompactValue(Value::Array(items)))
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                map: A,
            ) -> std::result::Result<CompactValue, A::Error> {
                compact_entries(map).map(|m| CompactValue(Value::Object(m)))
            }
        }
        d.deserialize_any(ValueVisitor)
    }
}

/// Deserializes all of `text` (trailing characters are an error) with path-aware errors.
///
/// The common case, a valid record, is parsed without tracking paths (tracking costs about as
/// much as the parse itself); only a record that fails is parsed again with tracking, which
/// fails the same way and names where.
fn parse_whole<T: DeserializeOwned>(text: &str) -> Result<T> {
    let mut de = serde_json::Deserializer::from_str(text);
    match T::deserialize(UniqueKeys(&mut de)).and_then(|value| de.end().map(|()| value)) {
        Ok(value) => Ok(value),
        Err(_) => parse_whole_tracked(text),
    }
}

/// [`parse_whole`] with the path of the failing field tracked.
fn parse_whole_tracked<T: DeserializeOwned>(text: &str) -> Result<T> {
    // The failed first pass spent part of the budget: this pass starts from a full one.
    let _budget = VALUE_BUDGET
        .with(|b| b.get())
        .is_some()
        .then(ValueBudget::arm);
    let mut de = serde_json::Deserializer::from_str(text);
    // The adapter sits above the path tracker: a duplicate is refused after the tracker has
    // taken the key, and the path names the object that holds it, not the key itself.
    let mut track = serde_path_to_error::Track::new();
    let tracked = serde_path_to_error::Deserializer::new(&mut de, &mut track);
    let value = T::deserialize(UniqueKeys(tracked)).map_err(|e| Error::Json {
        path: track.path().to_string(),
        message: strip_position(&e.to_string()),
    })?;
    de.end().map_err(|e| Error::Json {
        path: ".".into(),
        message: strip_position(&e.to_string()),
    })?;
    Ok(value)
}

/// serde_json appends " at line 1 column 57"; inside a JSON Lines record the column is what helps,
/// so keep it but drop the always-1 line number.
fn strip_position(message: &str) -> String {
    message.replace(" at line 1 column ", " at column ")
}

#[cfg(test)]
mod tests {
    use rand::Rng;
    use rand_chacha::ChaCha8Rng;
    use rand_chacha::rand_core::SeedableRng;
    use std::borrow::Cow;
    use std::collections::HashSet;

    use super::*;
    use crate::{Plan, TaskSignal};

    /// The two-pass check this module used before [`UniqueKeys`]: a walk of its own ahead of the
    /// parse, kept as the oracle the one-pass adapter must agree with.
    struct KeyWalk;

    impl<'de> Deserialize<'de> for KeyWalk {
        fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
            d.deserialize_any(KeyWalkVisitor)
        }
    }

    struct KeyWalkVisitor;

    impl<'de> Visitor<'de> for KeyWalkVisitor {
        type Value = KeyWalk;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("any JSON value")
        }

        fn visit_bool<E>(self, _: bool) -> std::result::Result<KeyWalk, E> {
            Ok(KeyWalk)
        }
        fn visit_i64<E>(self, _: i64) -> std::result::Result<KeyWalk, E> {
            Ok(KeyWalk)
        }
        fn visit_u64<E>(self, _: u64) -> std::result::Result<KeyWalk, E> {
            Ok(KeyWalk)
        }
        fn visit_f64<E>(self, _: f64) -> std::result::Result<KeyWalk, E> {
            Ok(KeyWalk)
        }
        fn visit_str<E>(self, _: &str) -> std::result::Result<KeyWalk, E> {
            Ok(KeyWalk)
        }
        fn visit_unit<E>(self) -> std::result::Result<KeyWalk, E> {
            Ok(KeyWalk)
        }

        fn visit_seq<A: SeqAccess<'de>>(
            self,
            mut seq: A,
        ) -> std::result::Result<KeyWalk, A::Error> {
            while seq.next_element::<KeyWalk>()?.is_some() {}
            Ok(KeyWalk)
        }

        fn visit_map<A: MapAccess<'de>>(
            self,
            mut map: A,
        ) -> std::result::Result<KeyWalk, A::Error> {
            // Objects are small (an intent has 13 keys): a linear scan of a short list beats
            // hashing every key; past SMALL keys a set keeps big objects linear.
            const SMALL: usize = 24;
            let mut few: Vec<Cow<'de, str>> = Vec::new();
            let mut many: Option<HashSet<Cow<'de, str>>> = None;
            while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
                let duplicate = match &many {
                    Some(set) => set.contains(&key),
                    None => few.contains(&key),
                };
                if duplicate {
                    return Err(de::Error::custom(format_args!(
                        "duplicate key {:?}",
                        crate::text::ellipsize(&key, crate::text::MAX_ECHOED_CHARS)
                    )));
                }
                match &mut many {
                    Some(set) => {
                        set.insert(key);
                    }
                    None if few.len() == SMALL => {
                        let mut set: HashSet<Cow<'de, str>> = few.drain(..).collect();
                        set.insert(key);
                        many = Some(set);
                    }
                    None => few.push(key),
                }
                map.next_value::<KeyWalk>()?;
            }
            Ok(KeyWalk)
        }
    }

    /// An object key, borrowed from the input when it has no escapes.
    struct Key<'de>(Cow<'de, str>);

    impl<'de> Deserialize<'de> for Key<'de> {
        fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
            struct KeyVisitor;
            impl<'de> Visitor<'de> for KeyVisitor {
                type Value = Key<'de>;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("an object key")
                }
                fn visit_borrowed_str<E>(self, v: &'de str) -> std::result::Result<Key<'de>, E> {
                    Ok(Key(Cow::Borrowed(v)))
                }
                fn visit_str<E>(self, v: &str) -> std::result::Result<Key<'de>, E> {
                    Ok(Key(Cow::Owned(v.to_owned())))
                }
                fn visit_string<E>(self, v: String) -> std::result::Result<Key<'de>, E> {
                    Ok(Key(Cow::Owned(v)))
                }
            }
            d.deserialize_str(KeyVisitor)
        }
    }

    #[test]
    fn one_pass_check_agrees_with_a_separate_walk() {
        // Seeded random documents: nested objects and arrays whose keys come from a tiny
        // alphabet (so duplicates are common), some keys escaped, some values typed records.
        let mut rng = ChaCha8Rng::seed_from_u64(0x9e37_79b9_7f4a_7c15);
        let mut next = |n: u64| rng.gen_range(0..n);
        fn value(next: &mut dyn FnMut(u64) -> u64, depth: usize, out: &mut String) {
            match if depth > 3 { 3 + next(3) } else { next(6) } {
                0 | 1 => {
                    out.push('{');
                    for i in 0..next(5) {
                        if i > 0 {
                            out.push(',');
                        }
                        let key = ["a", "b", "c", "\\u0061", "tool"][next(5) as usize];
                        out.push_str(&format!("\"{key}\":"));
                        value(next, depth + 1, out);
                    }
                    out.push('}');
                }
                2 => {
                    out.push('[');
                    for i in 0..next(4) {
                        if i > 0 {
                            out.push(',');
                        }
                        value(next, depth + 1, out);
                    }
                    out.push(']');
                }
                3 => out.push_str("\"x\""),
                4 => out.push_str("1.5"),
                _ => out.push_str("null"),
            }
        }
        let (mut refused, mut accepted) = (0, 0);
        for _ in 0..3000 {
            let mut text = String::new();
            value(&mut next, 0, &mut text);
            let walked = parse_whole::<KeyWalk>(&text).map_err(|e| e.to_string());
            let one_pass = from_json_str::<serde_json::Value>(&text).map_err(|e| e.to_string());
            assert_eq!(
                walked.as_ref().map(|_| ()),
                one_pass.as_ref().map(|_| ()),
                "{text}"
            );
            assert_eq!(
                walked.as_ref().map(|_| ()),
                check_unique_keys(&text)
                    .map_err(|e| e.to_string())
                    .as_ref()
                    .copied(),
                "{text}"
            );
            if walked.is_ok() {
                accepted += 1;
            } else {
                refused += 1;
            }
        }
        // Both outcomes are exercised.
        assert!(refused > 300 && accepted > 300, "{refused} {accepted}");
    }

    /// `value` as JSON text, with the `dup`-th object key (in document order) written twice.
    fn write_with_duplicate(
        value: &serde_json::Value,
        dup: usize,
        seen: &mut usize,
        out: &mut String,
    ) {
        use serde_json::Value;
        match value {
            Value::Object(map) => {
                out.push('{');
                for (i, (k, v)) in map.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    let entry = |out: &mut String, seen: &mut usize| {
                        out.push_str(&serde_json::to_string(k).unwrap());
                        out.push(':');
                        write_with_duplicate(v, dup, seen, out);
                    };
                    let this = *seen;
                    *seen += 1;
                    entry(out, seen);
                    if this == dup {
                        out.push(',');
                        // The copy holds a plain value, so it neither adds keys nor shifts
                        // the numbering of the keys after it.
                        out.push_str(&serde_json::to_string(k).unwrap());
                        out.push_str(":null");
                    }
                }
                out.push('}');
            }
            Value::Array(items) => {
                out.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_with_duplicate(v, dup, seen, out);
                }
                out.push(']');
            }
            other => out.push_str(&other.to_string()),
        }
    }

    /// Typed records: the one-pass parse accepts exactly what the separate walk and the parse
    /// accepted, with the same value, and refuses a duplicate of any key of any object.
    #[test]
    fn typed_plans_parse_the_same_and_every_duplicate_is_refused() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut plans = 0;
        for file in [
            "fixtures/plan-risk/plans.jsonl",
            "fixtures/plan-risk/holdout.jsonl",
        ] {
            let body = std::fs::read_to_string(root.join(file)).unwrap();
            for line in body.lines().filter(|l| l.starts_with('{')) {
                let record: serde_json::Value = serde_json::from_str(line).unwrap();
                let Some(plan) = record.get("plan") else {
                    continue;
                };
                let text = plan.to_string();
                // Every fixture plan is valid: both parses must accept it, with one value.
                let two_pass = parse_whole::<KeyWalk>(&text)
                    .and_then(|_| parse_whole::<Plan>(&text))
                    .unwrap_or_else(|e| panic!("{text}: {e}"));
                assert_eq!(from_json_str::<Plan>(&text).unwrap(), two_pass, "{text}");
                let mut keys = 0;
                write_with_duplicate(plan, usize::MAX, &mut keys, &mut String::new());
                for dup in 0..keys {
                    let mut twice = String::new();
                    write_with_duplicate(plan, dup, &mut 0, &mut twice);
                    let err = from_json_str::<Plan>(&twice).unwrap_err().to_string();
                    assert!(err.contains("duplicate key"), "{twice}: {err}");
                    assert!(parse_whole::<KeyWalk>(&twice).is_err(), "{twice}");
                }
                plans += 1;
            }
        }
        assert!(plans > 150, "{plans}");
    }

    #[test]
    fn duplicates_are_refused_in_fields_a_record_ignores_and_in_enums() {
        // `Call` has no field "meta": serde would skip it unseen.
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Call {
            tool: String,
        }
        let err = from_json_str::<Call>(r#"{"tool": "x", "meta": {"k": 1, "k": 2}}"#)
            .unwrap_err()
            .to_string();
        assert_eq!(err, "meta: duplicate key \"k\" at column 34");
        // A repeated known field is named the same way as a free-form key.
        let err = from_json_str::<crate::Step>(r#"{"tool": "x", "tool": "y"}"#)
            .unwrap_err()
            .to_string();
        assert_eq!(err, "duplicate key \"tool\" at column 20");
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        enum Tagged {
            Call { name: String },
        }
        let err = from_json_str::<Tagged>(r#"{"Call": {"name": "a", "name": "b"}}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("duplicate key \"name\""), "{err}");
    }

    #[test]
    fn trailing_garbage_is_refused() {
        let err = from_json_str::<Plan>(r#"{"steps": []} x"#).unwrap_err();
        assert!(err.to_string().contains("trailing characters"), "{err}");
    }

    #[test]
    fn nested_path_is_reported() {
        let err = from_json_str::<Plan>(
            r#"{"steps": [{"tool": "a", "args": {}}, {"tool": "b", "args": "rm -rf /"}]}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.starts_with("steps[1].args: invalid type: string \"rm -rf /\""),
            "{err}"
        );
    }

    #[test]
    fn duplicate_keys_are_refused_at_any_depth_with_their_path() {
        let err = |text: &str| {
            from_json_str::<serde_json::Value>(text)
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            err(r#"{"a": 1, "b": {"c": [{"d": 1, "e": 2, "d": 3}]}}"#),
            "b.c[0]: duplicate key \"d\" at column 41"
        );
        assert_eq!(err(r#"{"a":1,"a":1}"#), "duplicate key \"a\" at column 10");
        // Escapes do not hide a duplicate: "\u0061" is "a".
        assert_eq!(
            err(r#"{"a":1,"\u0061":2}"#),
            "duplicate key \"a\" at column 15"
        );
        // The same key in sibling objects, or as a value, is fine.
        let ok: serde_json::Value =
            from_json_str(r#"[{"a": 1}, {"a": 2}, {"k": "a", "a": "k"}]"#).unwrap();
        assert_eq!(ok[1]["a"], 2);
        // Typed records are checked too, inside free-form maps and at the top level.
        let err = from_json_str::<Plan>(
            r#"{"steps": [{"tool": "x", "args": {"to": "a@b.c", "cc": "", "to": "x@evil.example"}}]}"#,
        )
        .unwrap_err()
        .to_string();
        assert_eq!(err, "steps[0].args: duplicate key \"to\" at column 63");
        let err = from_json_str::<Plan>(r#"{"steps": [], "steps": [{"tool": "rm"}]}"#)
            .unwrap_err()
            .to_string();
        assert_eq!(err, "duplicate key \"steps\" at column 21");
    }

    #[test]
    fn a_long_duplicate_key_is_quoted_cut_short() {
        let key = "k".repeat(1000);
        let err = from_json_str::<serde_json::Value>(&format!(r#"{{"{key}":1,"{key}":2}}"#))
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            format!("duplicate key \"{}…\" at column 2008", "k".repeat(64))
        );
    }

    #[test]
    fn duplicates_are_found_in_small_and_big_objects() {
        let object = |n: usize, dup: Option<usize>| {
            let mut keys: Vec<String> = (0..n).map(|i| format!("\"k{i}\":{i}")).collect();
            if let Some(d) = dup {
                keys.push(format!("\"k{d}\":0"));
            }
            format!("{{{}}}", keys.join(","))
        };
        for n in [1, 23, 24, 25, 200] {
            assert!(
                from_json_str::<serde_json::Value>(&object(n, None)).is_ok(),
                "{n}"
            );
            for d in [0, n / 2, n - 1] {
                let err = from_json_str::<serde_json::Value>(&object(n, Some(d)))
                    .unwrap_err()
                    .to_string();
                assert!(
                    err.starts_with(&format!("duplicate key \"k{d}\" at column ")),
                    "{n} {d}: {err}"
                );
            }
        }
        // A valid record parses to the same value on the fast path as with tracking.
        let text = r#"{"a": [1, {"b": "c"}], "d": null}"#;
        assert_eq!(
            parse_whole::<serde_json::Value>(text).unwrap(),
            parse_whole_tracked::<serde_json::Value>(text).unwrap()
        );
    }

    #[test]
    fn value_path_is_reported() {
        let v = serde_json::json!({"raw_input": "x", "complexity": "huge", "nature": "readonly"});
        let err = from_json_value::<TaskSignal>(v).unwrap_err().to_string();
        assert!(
            err.starts_with("complexity: unknown complexity \"huge\""),
            "{err}"
        );
    }

    /// A record of tiny values is refused past the budget, naming where it stopped; one at the
    /// budget parses, and the budget is the record's own (the next record starts afresh).
    #[test]
    fn a_record_packed_with_tiny_values_is_refused_past_the_budget() {
        let zeros = |n: usize| format!("[{}0]", "0,".repeat(n - 1));
        let at = from_json_str::<serde_json::Value>(&zeros(MAX_VALUES_PER_RECORD)).unwrap();
        // Object entries count three each.
        let keys = |n: usize| {
            let body: Vec<String> = (0..n).map(|i| format!("\"k{i}\":0")).collect();
            format!("{{{}}}", body.join(","))
        };
        assert!(from_json_str::<serde_json::Value>(&keys(MAX_VALUES_PER_RECORD / 3)).is_ok());
        assert!(from_json_str::<serde_json::Value>(&keys(MAX_VALUES_PER_RECORD / 3 + 1)).is_err());
        assert_eq!(at.as_array().map(Vec::len), Some(MAX_VALUES_PER_RECORD));
        let err = from_json_str::<serde_json::Value>(&zeros(MAX_VALUES_PER_RECORD + 1))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("the record holds more than 1000000 JSON values")
                && err.ends_with("at column 2000003"),
            "{err}"
        );
        // In a plan step's free-form arguments, read step by step, the path names the step.
        let plan = format!(
            r#"{{"steps": [{{"tool": "x", "args": {{"ok": 1}}}}, {{"tool": "y", "args": {{"z": {}}}}}]}}"#,
            zeros(MAX_VALUES_PER_RECORD + 5)
        );
        let err = crate::plan::RawPlan::parse(&plan)
            .err()
            .unwrap()
            .to_string();
        assert!(
            err.contains("steps[1].args.z") && err.contains("more than 1000000 JSON values"),
            "{err}"
        );
        // Records parsed one after another each get the whole budget; the duplicate-key check
        // alone keeps nothing and has none.
        let big = zeros(MAX_VALUES_PER_RECORD * 3 / 4);
        for _ in 0..2 {
            assert!(from_json_str::<serde_json::Value>(&big).is_ok());
        }
        assert!(check_unique_keys(&zeros(MAX_VALUES_PER_RECORD + 1)).is_ok());
        assert_eq!(VALUE_BUDGET.with(|b| b.get()), None);
    }
}
