//! JSON Lines output: what `cargo xtask data <model>` writes, one compact JSON record a line.

use std::path::Path;

use serde::Serialize;
use vigil_contracts::artifact::write_atomic;

use crate::Result;

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
