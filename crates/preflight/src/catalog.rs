//! The downstream model catalog (`downstream-models.json`) and the resolver that turns a tier /
//! specialization request into one concrete model.
//!
//! The schema and the validation messages follow open-classify: unknown keys, duplicate ids,
//! empty or duplicated specializations, a missing default and partial pricing are all refused
//! with a [`Error::Catalog`] naming the entry and the field.
//!
//! The resolver tries specialization + tier, then specialization only, then tier only, then no
//! constraint (so tier is relaxed before specialization), and ranks the matches by price
//! (input + output per million tokens), then larger `params_in_billions`, then larger
//! `context_window`, then catalog position.
//!
//! **Unpriced models** (reference §4.2): open-classify counts missing pricing as 0, so a model
//! nobody priced beats every priced one. vigil ranks unpriced models *after* every priced one by
//! default ([`UnpricedRank::Last`]): "unknown cost" is not "free". A model explicitly priced at 0
//! (a local model) still ranks as free. [`UnpricedRank::Free`] restores the reference ranking.
//!
//! **Default** (reference §4.3): with a non-empty catalog the no-constraint pass always matches,
//! so `default` is only reachable when every pass is empty; it is still validated and used then.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use vigil_contracts::{ModelTier, Specialization};

use crate::{Error, Result};

/// The example catalog shipped with the crate (open-classify's six models).
pub const SHIPPED_CATALOG_JSON: &str = include_str!("../downstream-models.json");

/// One downstream model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatalogModel {
    /// Unique id, e.g. `gpt-5.4-mini`.
    pub id: String,
    /// Who serves it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// How it runs (`api`, `ollama`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runtime: Option<String>,
    /// What it is good at (non-empty, no duplicates).
    pub specializations: Vec<Specialization>,
    /// Its tier.
    pub tier: ModelTier,
    /// Size in billions of parameters (> 0), `null` when unknown.
    pub params_in_billions: Option<f64>,
    /// Context window in tokens.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context_window: Option<u64>,
    /// Longest output in tokens.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_output_tokens: Option<u64>,
    /// Context window of the upstream model when the runtime caps it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upstream_max_context_window: Option<u64>,
    /// Price of input tokens per million.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_tokens_cpm: Option<f64>,
    /// Price of cached input tokens per million.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cached_tokens_cpm: Option<f64>,
    /// Price of output tokens per million.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_tokens_cpm: Option<f64>,
}

impl CatalogModel {
    /// input + output price per million tokens, `None` when unpriced.
    pub fn price(&self) -> Option<f64> {
        Some(self.input_tokens_cpm? + self.output_tokens_cpm?)
    }
}

/// A validated catalog: at least one model, unique ids, a default that exists.
///
/// The fields are private and deserialization goes through [`Catalog::from_value`], so no
/// catalog that breaks these rules can be built.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Value")]
pub struct Catalog {
    models: Vec<CatalogModel>,
    default: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pricing_unit: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    notes: Option<String>,
}

impl TryFrom<Value> for Catalog {
    type Error = Error;
    fn try_from(value: Value) -> Result<Self> {
        Catalog::from_value(&value)
    }
}

const ROOT_KEYS: &[&str] = &["models", "default", "pricing_unit", "notes"];
const ENTRY_KEYS: &[&str] = &[
    "id",
    "provider",
    "runtime",
    "specializations",
    "tier",
    "params_in_billions",
    "context_window",
    "max_output_tokens",
    "upstream_max_context_window",
    "input_tokens_cpm",
    "cached_tokens_cpm",
    "output_tokens_cpm",
];

impl Catalog {
    /// The models, in catalog order.
    pub fn models(&self) -> &[CatalogModel] {
        &self.models
    }

    /// Id used when no pass matches.
    pub fn default_id(&self) -> &str {
        &self.default
    }

    /// E.g. `USD per 1M tokens`.
    pub fn pricing_unit(&self) -> Option<&str> {
        self.pricing_unit.as_deref()
    }

    /// Free text.
    pub fn notes(&self) -> Option<&str> {
        self.notes.as_deref()
    }

    /// The shipped example catalog.
    pub fn shipped() -> Self {
        // The shipped file is validated by a test; a failure here is a build defect.
        Self::from_json_str(SHIPPED_CATALOG_JSON).unwrap_or_else(|e| panic!("shipped catalog: {e}"))
    }

    /// Parses and validates a catalog.
    pub fn from_json_str(text: &str) -> Result<Self> {
        let value: Value = serde_json::from_str(text)
            .map_err(|e| Error::Catalog(format!("not valid JSON: {e}")))?;
        Self::from_value(&value)
    }

    /// Reads and validates a catalog file.
    pub fn read(path: &std::path::Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::Catalog(format!("cannot read {}: {e}", path.display())))?;
        Self::from_json_str(&text)
            .map_err(|e| Error::Catalog(format!("{}: {}", path.display(), strip(&e))))
    }

    /// Validates a parsed catalog.
    pub fn from_value(value: &Value) -> Result<Self> {
        let bad = |m: String| Err(Error::Catalog(m));
        let Some(root) = value.as_object() else {
            return bad("catalog must be a JSON object".into());
        };
        if let Some(key) = root.keys().find(|k| !ROOT_KEYS.contains(&k.as_str())) {
            return bad(format!("catalog has unsupported field \"{key}\""));
        }
        let Some(list) = root.get("models").and_then(Value::as_array) else {
            return bad("catalog.models must be an array".into());
        };
        if list.is_empty() {
            return bad("catalog.models must not be empty".into());
        }
        let mut models: Vec<CatalogModel> = Vec::with_capacity(list.len());
        for (i, entry) in list.iter().enumerate() {
            let model = parse_entry(i, entry)?;
            if models.iter().any(|m| m.id == model.id) {
                return bad(format!("models[{i}].id \"{}\" is a duplicate", model.id));
            }
            models.push(model);
        }
        let default = match root.get("default") {
            Some(Value::String(s)) => s.clone(),
            _ => return bad("catalog.default must be a string naming a model id".into()),
        };
        if !models.iter().any(|m| m.id == default) {
            return bad(format!("catalog.default \"{default}\" is not a model id"));
        }
        let opt_string = |key: &str| -> Result<Option<String>> {
            match root.get(key) {
                None => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(Error::Catalog(format!("catalog.{key} must be a string"))),
            }
        };
        Ok(Catalog {
            models,
            default,
            pricing_unit: opt_string("pricing_unit")?,
            notes: opt_string("notes")?,
        })
    }

    /// Looks a model up by id.
    pub fn get(&self, id: &str) -> Option<&CatalogModel> {
        self.models.iter().find(|m| m.id == id)
    }
}

fn strip(e: &Error) -> String {
    match e {
        Error::Catalog(m) => m.clone(),
        other => other.to_string(),
    }
}

fn parse_entry(i: usize, entry: &Value) -> Result<CatalogModel> {
    let at = |field: &str, m: &str| Error::Catalog(format!("models[{i}].{field} {m}"));
    let Some(obj) = entry.as_object() else {
        return Err(Error::Catalog(format!("models[{i}] must be an object")));
    };
    if let Some(key) = obj.keys().find(|k| !ENTRY_KEYS.contains(&k.as_str())) {
        return Err(Error::Catalog(format!(
            "models[{i}] has unsupported field \"{key}\""
        )));
    }
    let id = match obj.get("id") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
        _ => return Err(at("id", "must be a non-empty string")),
    };
    let opt_str = |key: &str| -> Result<Option<String>> {
        match obj.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(at(key, "must be a string")),
        }
    };
    let specs = match obj.get("specializations") {
        Some(Value::Array(a)) if !a.is_empty() => a,
        _ => return Err(at("specializations", "must be a non-empty array")),
    };
    let mut specializations = Vec::with_capacity(specs.len());
    for (j, s) in specs.iter().enumerate() {
        let name = s
            .as_str()
            .ok_or_else(|| at(&format!("specializations[{j}]"), "must be a string"))?;
        let spec: Specialization = name.parse().map_err(|e: vigil_contracts::Error| {
            at(
                &format!("specializations[{j}]"),
                &format!("is invalid: {e}"),
            )
        })?;
        if specializations.contains(&spec) {
            return Err(at(
                "specializations",
                &format!("has a duplicate \"{spec}\""),
            ));
        }
        specializations.push(spec);
    }
    let tier: ModelTier = match obj.get("tier").and_then(Value::as_str) {
        Some(t) => t
            .parse()
            .map_err(|e: vigil_contracts::Error| at("tier", &format!("is invalid: {e}")))?,
        None => return Err(at("tier", "must be a tier string")),
    };
    let params_in_billions = match obj.get("params_in_billions") {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_f64() {
            Some(p) if p > 0.0 && p.is_finite() => Some(p),
            _ => {
                return Err(at(
                    "params_in_billions",
                    &format!("must be > 0 or null, got {v}"),
                ));
            }
        },
    };
    let pos_int = |key: &str| -> Result<Option<u64>> {
        match obj.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => match v.as_u64() {
                Some(n) if n > 0 => Ok(Some(n)),
                _ => Err(at(key, &format!("must be a positive integer, got {v}"))),
            },
        }
    };
    let price = |key: &str| -> Result<Option<f64>> {
        match obj.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => match v.as_f64() {
                Some(p) if p >= 0.0 && p.is_finite() => Ok(Some(p)),
                _ => Err(at(key, &format!("must be a number ≥ 0, got {v}"))),
            },
        }
    };
    let input_tokens_cpm = price("input_tokens_cpm")?;
    let cached_tokens_cpm = price("cached_tokens_cpm")?;
    let output_tokens_cpm = price("output_tokens_cpm")?;
    let given = [input_tokens_cpm, cached_tokens_cpm, output_tokens_cpm]
        .iter()
        .filter(|p| p.is_some())
        .count();
    if given != 0 && given != 3 {
        return Err(Error::Catalog(format!(
            "models[{i}] (\"{id}\"): pricing fields must be provided all together or omitted all together"
        )));
    }
    Ok(CatalogModel {
        id,
        provider: opt_str("provider")?,
        runtime: opt_str("runtime")?,
        specializations,
        tier,
        params_in_billions,
        context_window: pos_int("context_window")?,
        max_output_tokens: pos_int("max_output_tokens")?,
        upstream_max_context_window: pos_int("upstream_max_context_window")?,
        input_tokens_cpm,
        cached_tokens_cpm,
        output_tokens_cpm,
    })
}

/// Where models without pricing rank on the price key.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnpricedRank {
    /// After every priced model (vigil's default; "unknown cost" is not "free").
    #[default]
    Last,
    /// As price 0, like open-classify.
    Free,
}

/// Which axis of a routing request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Axis {
    /// The specialization.
    Specialization,
    /// The tier.
    Tier,
}

/// Why a constraint was not used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DropReason {
    /// It was emitted below the certainty threshold.
    LowConfidence,
    /// It was requested but relaxed because nothing matched.
    NoMatchRelaxed,
    /// Every pass was empty and the catalog default was used.
    DefaultFallback,
}

/// One dropped constraint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DroppedConstraint {
    /// Which axis.
    pub axis: Axis,
    /// Why.
    pub reason: DropReason,
}

/// The constraints a resolution used.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Constraints {
    /// Requested specialization.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub specialization: Option<Specialization>,
    /// Requested tier.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tier: Option<ModelTier>,
}

/// How the model was chosen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Resolution {
    /// Constraints that the chosen pass applied.
    pub constraints_used: Constraints,
    /// Constraints that were dropped, low-certainty ones first (specialization before tier).
    pub constraints_dropped: Vec<DroppedConstraint>,
    /// `{routing}`: the larger of the tier and specialization scores, when any was emitted.
    pub confidences: Confidences,
    /// True when every pass was empty and the catalog default was used.
    pub fell_back_to_default: bool,
}

/// Scores recorded with a resolution.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Confidences {
    /// Max of the routing and model_specialization scores.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub routing: Option<f64>,
}

/// The resolver's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelRecommendation {
    /// Chosen model id.
    pub id: String,
    /// Its size, `null` when unknown.
    pub params_in_billions: Option<f64>,
    /// Its context window.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context_window: Option<u64>,
    /// Input price.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_tokens_cpm: Option<f64>,
    /// Cached-input price.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cached_tokens_cpm: Option<f64>,
    /// Output price.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_tokens_cpm: Option<f64>,
    /// How it was chosen.
    pub resolution: Resolution,
}

impl Catalog {
    /// Resolves `requested` to a model. `dropped` carries the low-confidence drops the
    /// aggregator already decided (they come first in the result); `confidence` is recorded.
    pub fn resolve(
        &self,
        requested: Constraints,
        dropped: Vec<DroppedConstraint>,
        confidence: Option<f64>,
        unpriced: UnpricedRank,
    ) -> ModelRecommendation {
        let Constraints {
            specialization,
            tier,
        } = requested;
        // Tier is relaxed before specialization; passes that would only repeat an earlier
        // one (an axis that was never requested) are not tried.
        let mut passes: Vec<(Option<Specialization>, Option<ModelTier>)> = Vec::with_capacity(4);
        for pass in [
            (specialization, tier),
            (specialization, None),
            (None, tier),
            (None, None),
        ] {
            if !passes.contains(&pass) {
                passes.push(pass);
            }
        }
        let mut constraints_dropped = dropped;
        let mut chosen: Option<(&CatalogModel, Constraints)> = None;
        for (spec, t) in passes {
            if let Some(best) = self.best(spec, t, unpriced) {
                chosen = Some((
                    best,
                    Constraints {
                        specialization: spec,
                        tier: t,
                    },
                ));
                break;
            }
        }
        let fell_back_to_default = chosen.is_none();
        let (model, used) = match chosen {
            Some(c) => c,
            None => (
                // `from_value` guarantees the default exists.
                self.get(&self.default).unwrap_or(&self.models[0]),
                Constraints::default(),
            ),
        };
        for (axis, asked, kept) in [
            (
                Axis::Specialization,
                specialization.is_some(),
                used.specialization.is_some(),
            ),
            (Axis::Tier, tier.is_some(), used.tier.is_some()),
        ] {
            if asked && !kept {
                constraints_dropped.push(DroppedConstraint {
                    axis,
                    reason: if fell_back_to_default {
                        DropReason::DefaultFallback
                    } else {
                        DropReason::NoMatchRelaxed
                    },
                });
            }
        }
        ModelRecommendation {
            id: model.id.clone(),
            params_in_billions: model.params_in_billions,
            context_window: model.context_window,
            input_tokens_cpm: model.input_tokens_cpm,
            cached_tokens_cpm: model.cached_tokens_cpm,
            output_tokens_cpm: model.output_tokens_cpm,
            resolution: Resolution {
                constraints_used: used,
                constraints_dropped,
                confidences: Confidences {
                    routing: confidence,
                },
                fell_back_to_default,
            },
        }
    }

    /// The best-ranked model matching the constraints, if any.
    fn best(
        &self,
        spec: Option<Specialization>,
        tier: Option<ModelTier>,
        unpriced: UnpricedRank,
    ) -> Option<&CatalogModel> {
        let mut best: Option<&CatalogModel> = None;
        for m in &self.models {
            if spec.is_some_and(|s| !m.specializations.contains(&s))
                || tier.is_some_and(|t| m.tier != t)
            {
                continue;
            }
            best = match best {
                Some(b) if !ranks_before(m, b, unpriced) => Some(b),
                _ => Some(m),
            };
        }
        best
    }
}

/// `a` strictly beats `b` (catalog order breaks the remaining ties, so equal means "keep b").
fn ranks_before(a: &CatalogModel, b: &CatalogModel, unpriced: UnpricedRank) -> bool {
    let key = |m: &CatalogModel| match (m.price(), unpriced) {
        (Some(p), _) => (0u8, p),
        (None, UnpricedRank::Free) => (0, 0.0),
        (None, UnpricedRank::Last) => (1, 0.0),
    };
    let (ga, pa) = key(a);
    let (gb, pb) = key(b);
    if ga != gb {
        return ga < gb;
    }
    if (pa - pb).abs() > f64::EPSILON {
        return pa < pb;
    }
    let pa = a.params_in_billions.unwrap_or(0.0);
    let pb = b.params_in_billions.unwrap_or(0.0);
    if pa != pb {
        return pa > pb;
    }
    a.context_window.unwrap_or(0) > b.context_window.unwrap_or(0)
}
