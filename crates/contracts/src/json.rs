//! Parsing contract values from JSON with errors that say *where* the problem is.

use serde::de::DeserializeOwned;

use crate::{Error, Result};

/// Parses one JSON document into a contract type.
///
/// Errors carry the path of the offending field, so a bad value deep in a window reads
/// `window[3].operation: unknown operation "fly" (...)`.
///
/// ```
/// use vigil_contracts::{from_json_str, NormalizedIntent};
/// let err = from_json_str::<NormalizedIntent>(r#"{"tool":"bash","operation":"fly","target_kind":"workdir"}"#)
///     .unwrap_err()
///     .to_string();
/// assert!(err.starts_with("operation: unknown operation \"fly\""), "{err}");
/// ```
pub fn from_json_str<T: DeserializeOwned>(text: &str) -> Result<T> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| Error::Json {
        path: e.path().to_string(),
        message: strip_position(&e.inner().to_string()),
    })?;
    de.end().map_err(|e| Error::Json {
        path: ".".into(),
        message: strip_position(&e.to_string()),
    })?;
    Ok(value)
}

/// Parses an already-decoded JSON value into a contract type, with the same path-aware errors.
pub fn from_json_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T> {
    serde_path_to_error::deserialize(value).map_err(|e| Error::Json {
        path: e.path().to_string(),
        message: strip_position(&e.inner().to_string()),
    })
}

/// serde_json appends " at line 1 column 57"; inside a JSON Lines record the column is what helps,
/// so keep it but drop the always-1 line number.
fn strip_position(message: &str) -> String {
    message.replace(" at line 1 column ", " at column ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Plan, TaskSignal};

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
    fn value_path_is_reported() {
        let v = serde_json::json!({"raw_input": "x", "complexity": "huge", "nature": "readonly"});
        let err = from_json_value::<TaskSignal>(v).unwrap_err().to_string();
        assert!(
            err.starts_with("complexity: unknown complexity \"huge\""),
            "{err}"
        );
    }
}
