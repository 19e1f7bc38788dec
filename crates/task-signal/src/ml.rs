//! The ML task classifier: hashed tf-idf features, three calibrated softmax heads.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::Path;

use vigil_contracts::{
    Classification, Domain, SignalClassifier, TaskComplexity, TaskNature, TaskSignal,
};
use vigil_features::sparse::SparseVec;
use vigil_features::text::TextScratch;

use crate::language::detect_language;
use crate::model::TaskSignalModel;
use crate::{Error, Result, bounded, empty_input_classification};

/// The environment variable naming a model file that replaces the embedded one.
pub const MODEL_ENV: &str = "VIGIL_TASK_SIGNAL_MODEL";

/// The committed default model, trained by `cargo xtask train task-signal`.
static EMBEDDED: &[u8] = include_bytes!("../models/task-signal.vgl");

thread_local! {
    /// Featurization buffers reused across calls on the same thread, so `classify_text`
    /// allocates nothing per n-gram.
    static SCRATCH: RefCell<(TextScratch, SparseVec)> = RefCell::new((TextScratch::default(), SparseVec::new()));
}

pub use vigil_contracts::artifact::ModelSource;

/// Per-class probabilities of the three heads, in enum declaration order.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct HeadProbabilities {
    /// focused, moderate, expansive.
    pub complexity: [f32; 3],
    /// readonly, generative, mutative.
    pub nature: [f32; 3],
    /// coding, research, support, analysis, general.
    pub domain: [f32; 5],
}

/// axor's `TaskSignalClassifier`: three multinomial logistic-regression heads with
/// temperature-calibrated probabilities; confidence = min(max p_complexity, max p_nature).
#[derive(Debug, Clone)]
pub struct TaskSignalClassifier {
    model: TaskSignalModel,
    metrics: BTreeMap<String, f64>,
}

impl TaskSignalClassifier {
    /// The model compiled into this crate.
    pub fn embedded() -> Result<Self> {
        Self::from_bytes(EMBEDDED)
    }

    /// Decodes and checks an artifact.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let artifact = TaskSignalModel::from_artifact_bytes(bytes)?;
        Ok(TaskSignalClassifier {
            model: artifact.model,
            metrics: artifact.metrics,
        })
    }

    /// Reads and checks an artifact file.
    pub fn from_path(path: &Path) -> Result<Self> {
        let bytes = std::fs::read(path).map_err(|source| Error::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_bytes(&bytes).map_err(|e| match e {
            Error::Artifact(inner) => Error::InvalidModel(format!("{}: {inner}", path.display())),
            Error::InvalidModel(m) => Error::InvalidModel(format!("{}: {m}", path.display())),
            other => other,
        })
    }

    /// Loads with the reference precedence: `explicit` path, then [`MODEL_ENV`] (if set and
    /// non-empty), then the embedded model. A named file that is missing or bad is an error,
    /// never a silent fall-back.
    pub fn load(explicit: Option<&Path>) -> Result<(Self, ModelSource)> {
        let source = ModelSource::resolve(explicit, MODEL_ENV);
        let model = source.load(Self::from_path, Self::embedded)?;
        Ok((model, source))
    }

    /// Wraps a model built in memory (the trainer uses this), validating it.
    pub fn from_model(model: TaskSignalModel) -> Result<Self> {
        model.validate()?;
        Ok(TaskSignalClassifier {
            model,
            metrics: BTreeMap::new(),
        })
    }

    /// The model.
    pub fn model(&self) -> &TaskSignalModel {
        &self.model
    }

    /// Held-out metrics recorded in the artifact at training time.
    pub fn metrics(&self) -> &BTreeMap<String, f64> {
        &self.metrics
    }

    /// Calibrated probabilities of the three heads for `text` (no blank-input special case).
    pub fn probabilities(&self, text: &str) -> HeadProbabilities {
        let mut p = HeadProbabilities::default();
        SCRATCH.with(|cell| {
            let mut guard = cell.borrow_mut();
            let (scratch, x) = &mut *guard;
            self.model.featurizer.transform_into(text, scratch, x);
            self.model
                .complexity
                .probabilities_into(x, &mut p.complexity);
            self.model.nature.probabilities_into(x, &mut p.nature);
            self.model.domain.probabilities_into(x, &mut p.domain);
        });
        p
    }

    /// Classifies `raw` (the sync fast path). Blank input gets the defined low-confidence answer
    /// of [`crate::empty_input_classification`].
    pub fn classify_text(&self, raw: &str) -> Classification {
        if raw.trim().is_empty() {
            return empty_input_classification(raw);
        }
        let text = bounded(raw.trim());
        let p = self.probabilities(text);
        let (ci, cp) = arg_max(&p.complexity);
        let (ni, np) = arg_max(&p.nature);
        let (di, _) = arg_max(&p.domain);
        let mut scores = BTreeMap::new();
        for (c, v) in TaskComplexity::ALL.iter().zip(p.complexity) {
            scores.insert(format!("complexity.{c}"), f64::from(v));
        }
        for (n, v) in TaskNature::ALL.iter().zip(p.nature) {
            scores.insert(format!("nature.{n}"), f64::from(v));
        }
        for (d, v) in Domain::ALL.iter().zip(p.domain) {
            scores.insert(format!("domain.{d}"), f64::from(v));
        }
        Classification {
            signal: TaskSignal::new(
                raw,
                TaskComplexity::ALL[ci],
                TaskNature::ALL[ni],
                Domain::ALL[di],
                detect_language(text),
            ),
            confidence: f64::from(cp.min(np)),
            scores,
        }
    }
}

/// Index and value of the largest entry (first on ties).
fn arg_max(p: &[f32]) -> (usize, f32) {
    let mut best = 0;
    for (i, &v) in p.iter().enumerate() {
        if v > p[best] {
            best = i;
        }
    }
    (best, p[best])
}

#[async_trait::async_trait]
impl SignalClassifier for TaskSignalClassifier {
    async fn classify_with_scores(&self, raw: &str) -> vigil_contracts::Result<Classification> {
        Ok(self.classify_text(raw))
    }
}
