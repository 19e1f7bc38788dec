//! The stored ML model — a shared hashed tf-idf text featurizer and three softmax heads — with
//! the committed default ([`EMBEDDED`]) and loading: explicit path, then [`MODEL_ENV`], then the
//! embedded model.

use std::path::Path;

use serde::{Deserialize, Serialize};
pub use vigil_contracts::artifact::ModelSource;
use vigil_contracts::artifact::{Artifact, FeatureSchema};
use vigil_contracts::{Domain, TaskComplexity, TaskNature};
use vigil_features::linear::SoftmaxModel;
use vigil_features::text::{TextFeaturizer, TextParams};

use crate::{Error, Result};

/// The artifact kind a task-signal model is stored under.
pub const KIND: &str = "task-signal";

/// The committed default model, trained by `cargo xtask train task-signal`.
pub const EMBEDDED: &[u8] = include_bytes!("../models/task-signal.vgl");

/// The environment variable naming a model file that replaces the embedded one.
pub const MODEL_ENV: &str = "VIGIL_TASK_SIGNAL_MODEL";

/// The text-hashing parameters every task-signal model reads (the artifact's feature schema is
/// derived from them, so a model hashed differently is refused at load time).
pub const TEXT_PARAMS: TextParams = TextParams {
    char_buckets: 1 << 15,
    word_buckets: 1 << 14,
    char_min: 1,
    char_max: 4,
    word_max: 2,
    seed: 0x5157_4e41_4c00_0001,
};

/// The feature schema of [`TEXT_PARAMS`].
pub fn feature_schema() -> FeatureSchema {
    TEXT_PARAMS.schema()
}

/// Three multinomial logistic-regression heads over one shared text featurizer. Head classes are
/// in the declaration order of [`TaskComplexity`], [`TaskNature`] and [`Domain`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskSignalModel {
    /// Hashed char_wb 1–4 + word 1–2 tf-idf.
    pub featurizer: TextFeaturizer,
    /// focused / moderate / expansive.
    pub complexity: SoftmaxModel,
    /// readonly / generative / mutative.
    pub nature: SoftmaxModel,
    /// coding / research / support / analysis / general.
    pub domain: SoftmaxModel,
}

impl TaskSignalModel {
    /// Checks that the featurizer uses [`TEXT_PARAMS`] and every head is consistent with it.
    pub fn validate(&self) -> Result<()> {
        if *self.featurizer.params() != TEXT_PARAMS {
            return Err(Error::InvalidModel(format!(
                "featurizer parameters {:?} differ from this build's {:?}",
                self.featurizer.params(),
                TEXT_PARAMS
            )));
        }
        vigil_features::text::TextFeaturizer::from_parts(
            *self.featurizer.params(),
            self.featurizer.idf().to_vec(),
        )
        .map_err(|e| Error::InvalidModel(format!("featurizer: {e}")))?;
        let dim = self.featurizer.dim();
        let heads: [(&str, &SoftmaxModel, Vec<&str>); 3] = [
            (
                "complexity",
                &self.complexity,
                TaskComplexity::names().collect(),
            ),
            ("nature", &self.nature, TaskNature::names().collect()),
            ("domain", &self.domain, Domain::names().collect()),
        ];
        for (name, head, expected) in heads {
            head.validate()
                .map_err(|e| Error::InvalidModel(format!("{name} head: {e}")))?;
            if head.n_features() != dim {
                return Err(Error::InvalidModel(format!(
                    "{name} head reads {} features, the featurizer produces {dim}",
                    head.n_features()
                )));
            }
            if head.classes() != expected.as_slice() {
                return Err(Error::InvalidModel(format!(
                    "{name} head classes {:?}, expected {expected:?}",
                    head.classes()
                )));
            }
        }
        Ok(())
    }

    /// Decodes an artifact (envelope checks by [`Artifact::from_bytes`]) and validates the model.
    pub fn from_bytes(bytes: &[u8]) -> Result<Artifact<TaskSignalModel>> {
        let artifact: Artifact<TaskSignalModel> =
            Artifact::from_bytes(bytes, KIND, &feature_schema())?;
        artifact.model.validate()?;
        Ok(artifact)
    }

    /// Reads an artifact file and checks it like [`Self::from_bytes`]; errors name the file.
    pub fn read(path: &Path) -> Result<Artifact<TaskSignalModel>> {
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

    /// Decodes and checks the committed default model, [`EMBEDDED`].
    pub fn embedded() -> Result<Artifact<TaskSignalModel>> {
        Self::from_bytes(EMBEDDED)
    }

    /// `explicit`, else the file in `$VIGIL_TASK_SIGNAL_MODEL` (if set and non-empty), else [`EMBEDDED`]
    /// ([`ModelSource::resolve`]), with the source it used; a named file that is missing or bad
    /// is an error, never a silent fall-back.
    pub fn load(explicit: Option<&Path>) -> Result<(Artifact<TaskSignalModel>, ModelSource)> {
        let source = ModelSource::resolve(explicit, MODEL_ENV);
        let artifact = source.load(Self::read, Self::embedded)?;
        Ok((artifact, source))
    }
}
