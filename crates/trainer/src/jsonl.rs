//! JSON Lines: what `cargo xtask data <model>` writes, one compact JSON record a line, and the
//! reader of the evaluation sets.

use std::path::Path;

use serde::Serialize;
use serde::de::DeserializeOwned;
use vigil_contracts::artifact::write_atomic;

use crate::{Error, Result};

/// Reads one JSON object a line (blank lines skipped) through the contracts' strict parser
/// (duplicate keys refused); a malformed line is named by path and line number.
pub fn read<T: DeserializeOwned>(path: &Path) -> Result<Vec<T>> {
    read_checked(path, |_: &T| Ok(()))
}

/// [`read`], with `check` run on every record: what it refuses is named by path and line
/// number too.
pub fn read_checked<T: DeserializeOwned>(
    path: &Path,
    check: impl Fn(&T) -> std::result::Result<(), String>,
) -> Result<Vec<T>> {
    let text = std::fs::read_to_string(path)
        .map_err(Error::io(format!("cannot read {}", path.display())))?;
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let at = || format!("{} line {}", path.display(), i + 1);
        let row: T = vigil_contracts::from_json_str(line)
            .map_err(|e| Error::Invalid(format!("{}: {e}", at())))?;
        check(&row).map_err(|e| Error::Invalid(format!("{}: {e}", at())))?;
        rows.push(row);
    }
    Ok(rows)
}

/// Writes `records` to `out` (atomically), one compact JSON object a line; returns how many.
pub fn write<T: Serialize>(out: &Path, records: impl IntoIterator<Item = T>) -> Result<usize> {
    let mut bytes = Vec::new();
    let mut count = 0;
    for record in records {
        serde_json::to_writer(&mut bytes, &record)?;
        bytes.push(b'\n');
        count += 1;
    }
    write_atomic(out, &bytes)?;
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_line_is_named_and_a_check_applies_to_every_record() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("in.jsonl");
        std::fs::write(&path, "{\"n\": 1}\n\n{\"n\": 7}\n{\"n\": 1, \"n\": 2}\n").unwrap();
        #[derive(Debug, serde::Deserialize)]
        struct R {
            n: u32,
        }
        let e = read::<R>(&path).unwrap_err().to_string();
        assert!(
            e.contains("in.jsonl line 4") && e.contains("duplicate"),
            "{e}"
        );
        std::fs::write(&path, "{\"n\": 1}\n\n{\"n\": 7}\n").unwrap();
        assert_eq!(
            read::<R>(&path).unwrap().iter().map(|r| r.n).sum::<u32>(),
            8
        );
        let small = |r: &R| {
            if r.n < 5 {
                Ok(())
            } else {
                Err(format!("n = {}: too big", r.n))
            }
        };
        let e = read_checked(&path, small).unwrap_err().to_string();
        assert!(e.contains("in.jsonl line 3: n = 7: too big"), "{e}");
    }

    #[test]
    fn one_compact_record_a_line() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("data.jsonl");
        let records = [
            serde_json::json!({"text": "a b", "n": 1}),
            serde_json::json!([]),
        ];
        assert_eq!(write(&out, &records).unwrap(), 2);
        let text = std::fs::read_to_string(&out).unwrap();
        assert_eq!(text, "{\"text\":\"a b\",\"n\":1}\n[]\n");
    }
}
