//! The preflight config file: `{"catalog"?: path, "aggregator"?: {...}, "resolver"?: {...}}`.
//!
//! `aggregator` takes open-classify's keys — `certaintyThreshold` (0..1), its deprecated alias
//! `confidenceThreshold`, `certaintyGate` (`min_score` | `avg_score` | `off`), `gateRouting`
//! (whether the routing classifiers count toward the gate; reference `true`, vigil `false`). `resolver.unpriced`
//! (`last` | `free`) chooses how unpriced catalog models rank. Unknown keys are refused.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::aggregate::{AggregatorConfig, GateMode};
use crate::catalog::UnpricedRank;
use crate::{Error, Result};

/// A parsed config file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PreflightConfig {
    /// Catalog path, relative to the config file's directory.
    pub catalog: Option<PathBuf>,
    /// Aggregator settings.
    pub aggregator: AggregatorConfig,
}

impl PreflightConfig {
    /// Reads a config file.
    pub fn read(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::Config(format!("cannot read {}: {e}", path.display())))?;
        let value: Value = serde_json::from_str(&text)
            .map_err(|e| Error::Config(format!("{} is not valid JSON: {e}", path.display())))?;
        let mut config = Self::from_value(&value)?;
        if let (Some(c), Some(dir)) = (&config.catalog, path.parent()) {
            if c.is_relative() {
                config.catalog = Some(dir.join(c));
            }
        }
        Ok(config)
    }

    /// Validates a parsed config.
    pub fn from_value(value: &Value) -> Result<Self> {
        let bad = |m: String| Err(Error::Config(m));
        let Some(root) = value.as_object() else {
            return bad("config must be a JSON object".into());
        };
        let mut config = PreflightConfig::default();
        for (key, v) in root {
            match key.as_str() {
                "catalog" => match v.as_str() {
                    Some(s) => config.catalog = Some(PathBuf::from(s)),
                    None => return bad("catalog must be a string path".into()),
                },
                "aggregator" => {
                    let Some(agg) = v.as_object() else {
                        return bad("aggregator must be an object".into());
                    };
                    let mut threshold = None;
                    let mut alias = None;
                    for (k, v) in agg {
                        match k.as_str() {
                            "certaintyThreshold" | "confidenceThreshold" => {
                                let t = v.as_f64().filter(|t| (0.0..=1.0).contains(t)).ok_or_else(|| {
                                    Error::Config(format!(
                                        "aggregator.{k} must be a finite number between 0 and 1 inclusive, got {v}"
                                    ))
                                })?;
                                if k == "certaintyThreshold" {
                                    threshold = Some(t)
                                } else {
                                    alias = Some(t)
                                }
                            }
                            "certaintyGate" => {
                                config.aggregator.certainty_gate = match v.as_str() {
                                    Some("min_score") => GateMode::MinScore,
                                    Some("avg_score") => GateMode::AvgScore,
                                    Some("off") => GateMode::Off,
                                    _ => {
                                        return bad(format!(
                                            "aggregator.certaintyGate must be one of min_score, avg_score, off, got {v}"
                                        ));
                                    }
                                }
                            }
                            "gateRouting" => {
                                config.aggregator.gate_routing = v.as_bool().ok_or_else(|| {
                                    Error::Config(format!(
                                        "aggregator.gateRouting must be true or false, got {v}"
                                    ))
                                })?;
                            }
                            other => {
                                return bad(format!(
                                    "aggregator has unsupported field \"{other}\""
                                ));
                            }
                        }
                    }
                    if let Some(t) = threshold.or(alias) {
                        config.aggregator.certainty_threshold = t;
                    }
                }
                "resolver" => {
                    let Some(res) = v.as_object() else {
                        return bad("resolver must be an object".into());
                    };
                    for (k, v) in res {
                        match (k.as_str(), v.as_str()) {
                            ("unpriced", Some("last")) => {
                                config.aggregator.unpriced = UnpricedRank::Last
                            }
                            ("unpriced", Some("free")) => {
                                config.aggregator.unpriced = UnpricedRank::Free
                            }
                            ("unpriced", _) => {
                                return bad(format!(
                                    "resolver.unpriced must be \"last\" or \"free\", got {v}"
                                ));
                            }
                            (other, _) => {
                                return bad(format!("resolver has unsupported field \"{other}\""));
                            }
                        }
                    }
                }
                other => return bad(format!("config has unsupported field \"{other}\"")),
            }
        }
        config.aggregator.check()?;
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_are_validated_with_named_errors() {
        let c = PreflightConfig::from_value(&json!({
            "aggregator": {"confidenceThreshold": 0.8, "certaintyGate": "avg_score", "gateRouting": true},
            "resolver": {"unpriced": "free"}
        }))
        .unwrap();
        assert_eq!(c.aggregator.certainty_threshold, 0.8);
        assert_eq!(c.aggregator.certainty_gate, GateMode::AvgScore);
        assert!(c.aggregator.gate_routing);
        assert_eq!(c.aggregator.unpriced, UnpricedRank::Free);
        // certaintyThreshold wins over the deprecated alias.
        let c = PreflightConfig::from_value(
            &json!({"aggregator": {"confidenceThreshold": 0.8, "certaintyThreshold": 0.5}}),
        )
        .unwrap();
        assert_eq!(c.aggregator.certainty_threshold, 0.5);
        let err = |v: Value| PreflightConfig::from_value(&v).unwrap_err().to_string();
        assert_eq!(
            err(json!({"runner": {}})),
            "config: config has unsupported field \"runner\""
        );
        assert_eq!(
            err(json!({"aggregator": {"certaintyThreshold": 1.5}})),
            "config: aggregator.certaintyThreshold must be a finite number between 0 and 1 inclusive, got 1.5"
        );
        assert_eq!(
            err(json!({"aggregator": {"certaintyGate": "max"}})),
            "config: aggregator.certaintyGate must be one of min_score, avg_score, off, got \"max\""
        );
    }
}
