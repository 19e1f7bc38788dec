//! Walking the strings inside JSON tool arguments, with the one nesting limit every encoder
//! shares.
//!
//! Tool arguments arrive as `serde_json::Value`s of any shape. Whoever looks inside them — the
//! intent normalizer (which refuses deeper nesting) and the plan annotator (which stops looking)
//! — stops at [`MAX_ARG_DEPTH`] levels, so a hand-built, absurdly deep value can neither overflow
//! the stack nor be read differently by two encoders.

use serde_json::Value;

/// Arguments nested deeper than this are not looked into (serde_json itself stops at 128; a
/// caller building `Value`s by hand could go deeper and overflow the stack, and a lower limit
/// than the parser's gives a crafted argument less room to hide in).
pub const MAX_ARG_DEPTH: usize = 64;

/// Calls `f` on every string inside `v` — values and object keys, depth-first in document
/// order — down to [`MAX_ARG_DEPTH`] levels. The strings are borrowed from `v`, so `f` may keep
/// them.
pub fn for_each_string_in<'v>(v: &'v Value, f: &mut impl FnMut(&'v str)) {
    fn walk<'v>(v: &'v Value, depth: usize, f: &mut impl FnMut(&'v str)) {
        if depth > MAX_ARG_DEPTH {
            return;
        }
        match v {
            Value::String(s) => f(s),
            Value::Array(items) => items.iter().for_each(|i| walk(i, depth + 1, f)),
            Value::Object(map) => {
                for (k, v) in map {
                    f(k);
                    walk(v, depth + 1, f);
                }
            }
            _ => {}
        }
    }
    walk(v, 0, f);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_visited_in_order_down_to_the_depth_limit() {
        let v = serde_json::json!({"a": ["x", {"b": "y"}], "n": 3});
        let mut seen = Vec::new();
        for_each_string_in(&v, &mut |s| seen.push(s.to_owned()));
        assert_eq!(seen, ["a", "x", "b", "y", "n"]);
        let mut deep = Value::String("bottom".into());
        for _ in 0..10_000 {
            deep = Value::Array(vec![deep]);
        }
        let mut count = 0;
        for_each_string_in(&deep, &mut |_| count += 1);
        assert_eq!(
            count, 0,
            "nothing below the depth limit is read, and nothing overflows"
        );
        // Dropping a 10,000-deep Value recursively is itself a stack risk; unwind it iteratively.
        while let Value::Array(mut items) = deep {
            deep = items.pop().unwrap_or(Value::Null);
        }
    }

    #[test]
    fn a_string_exactly_at_the_depth_limit_is_read_and_one_level_deeper_is_not() {
        let nested = |levels: usize| {
            let mut v = Value::String("bottom".into());
            for _ in 0..levels {
                v = Value::Array(vec![v]);
            }
            v
        };
        let count = |v: &Value| {
            let mut n = 0;
            for_each_string_in(v, &mut |_| n += 1);
            n
        };
        assert_eq!(count(&nested(MAX_ARG_DEPTH)), 1);
        assert_eq!(count(&nested(MAX_ARG_DEPTH + 1)), 0);
    }
}
