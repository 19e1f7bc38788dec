//! What the crate answers with a model — [`TaskSignalClassifier`]: hashed tf-idf features, three
//! calibrated softmax heads.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::Path;

use vigil_contracts::artifact::{Artifact, ModelSource};
use vigil_contracts::{
    Classification, Domain, SignalClassifier, TaskComplexity, TaskNature, TaskSignal,
};
use vigil_features::sparse::SparseVec;
use vigil_features::text::TextScratch;

use crate::language::detect_language;
use crate::model::TaskSignalModel;
use crate::{Result, bounded, empty_input_classification};

thread_local! {
    /// Featurization buffers reused across calls on the same thread, so `classify_text`
    /// allocates nothing per n-gram.
    static SCRATCH: RefCell<(TextScratch, SparseVec)> = RefCell::new((TextScratch::default(), SparseVec::new()));
}

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
    /// The model compiled into this crate ([`EMBEDDED`](crate::model::EMBEDDED)).
    pub fn embedded() -> Result<Self> {
        Ok(Self::from_artifact(TaskSignalModel::embedded()?))
    }

    /// Decodes and checks an artifact.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        Ok(Self::from_artifact(TaskSignalModel::from_bytes(bytes)?))
    }

    /// Reads and checks an artifact file.
    pub fn from_path(path: &Path) -> Result<Self> {
        Ok(Self::from_artifact(TaskSignalModel::read(path)?))
    }

    /// Loads with the reference precedence: `explicit` path, then
    /// [`MODEL_ENV`](crate::model::MODEL_ENV) (if set and non-empty), then the embedded model
    /// ([`TaskSignalModel::load`]). A named file that is missing or bad is an error, never a
    /// silent fall-back.
    pub fn load(explicit: Option<&Path>) -> Result<(Self, ModelSource)> {
        let (artifact, source) = TaskSignalModel::load(explicit)?;
        Ok((Self::from_artifact(artifact), source))
    }

    /// A classifier around a decoded and checked artifact, with its recorded metrics.
    fn from_artifact(artifact: Artifact<TaskSignalModel>) -> Self {
        TaskSignalClassifier {
            model: artifact.model,
            metrics: artifact.metrics,
        }
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
        // Look-alikes read as what they look like (see [`crate::read_as`]); `raw_input` stays
        // the prompt as sent.
        crate::keep_raw_input(self.classify_read(&crate::read_as(raw)), raw)
    }

    /// [`Self::classify_text`] of a text already read ([`crate::read_as`]): the cascade reads
    /// a prompt once for both of its classifiers.
    pub(crate) fn classify_read(&self, raw: &str) -> Classification {
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
