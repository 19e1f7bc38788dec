//! The versioned model-artifact envelope every trained model is stored in.
//!
//! On disk an artifact is
//!
//! ```text
//! b"VIGILART" | u64 LE payload length | payload (MessagePack, named fields) | u64 LE FNV-1a of payload
//! ```
//!
//! and the payload is the [`Artifact`] envelope `{format_version, kind, feature_schema, seed,
//! metrics, model}`. [`Artifact::from_bytes`] checks the magic, the length, the checksum, the
//! format version, the model kind and the feature-schema fingerprint, and refuses anything off
//! with an [`Error::Artifact`] that says what and by how much — never a panic, never a model
//! that silently reads features in the wrong order.

use std::collections::BTreeMap;
use std::path::Path;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::hash::Fnv1a64;
use crate::{Error, Result};

/// Magic bytes at the start of every artifact file.
pub const MAGIC: &[u8; 8] = b"VIGILART";
/// The envelope format this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;

/// The ordered list of feature names a model was trained on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeatureSchema {
    /// Schema name, e.g. `axor-v1` or `vigil-window-v1`.
    pub name: String,
    /// Schema version; bump when the meaning of any feature changes.
    pub version: u32,
    /// Feature names in order. For hashed features, a description of the hashing instead.
    pub features: Vec<String>,
}

impl FeatureSchema {
    /// Builds a schema.
    pub fn new(name: impl Into<String>, version: u32, features: Vec<String>) -> Self {
        FeatureSchema {
            name: name.into(),
            version,
            features,
        }
    }

    /// Stable fingerprint of name, version and every feature name in order (16 hex digits).
    pub fn fingerprint(&self) -> String {
        let mut h = Fnv1a64::new();
        h.write(self.name.as_bytes());
        h.write(b"\n");
        h.write(self.version.to_string().as_bytes());
        for f in &self.features {
            h.write(b"\n");
            h.write(f.as_bytes());
        }
        format!("{:016x}", h.finish())
    }

    /// The short reference stored in artifacts.
    pub fn reference(&self) -> SchemaRef {
        SchemaRef {
            name: self.name.clone(),
            version: self.version,
            fingerprint: self.fingerprint(),
        }
    }
}

/// Name, version and fingerprint of a feature schema, as stored in an artifact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchemaRef {
    /// Schema name.
    pub name: String,
    /// Schema version.
    pub version: u32,
    /// [`FeatureSchema::fingerprint`].
    pub fingerprint: String,
}

/// A trained model with everything needed to trust it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Artifact<M> {
    /// Envelope format version ([`FORMAT_VERSION`]).
    pub format_version: u32,
    /// Model kind, e.g. `task-signal`; a loader refuses other kinds.
    pub kind: String,
    /// The feature schema the model reads.
    pub feature_schema: SchemaRef,
    /// Seed the training run used.
    pub seed: u64,
    /// Held-out metrics recorded at training time.
    pub metrics: BTreeMap<String, f64>,
    /// The model itself.
    pub model: M,
}

impl<M> Artifact<M> {
    /// Wraps a model in the current envelope format.
    pub fn new(kind: impl Into<String>, schema: &FeatureSchema, seed: u64, model: M) -> Self {
        Artifact {
            format_version: FORMAT_VERSION,
            kind: kind.into(),
            feature_schema: schema.reference(),
            seed,
            metrics: BTreeMap::new(),
            model,
        }
    }
}

impl<M: Serialize> Artifact<M> {
    /// Encodes the artifact (magic, length, MessagePack payload, checksum).
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let payload = rmp_serde::to_vec_named(self)
            .map_err(|e| Error::Artifact(format!("cannot encode {} model: {e}", self.kind)))?;
        let mut out = Vec::with_capacity(payload.len() + 24);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
        out.extend_from_slice(&payload);
        let mut h = Fnv1a64::new();
        h.write(&payload);
        out.extend_from_slice(&h.finish().to_le_bytes());
        Ok(out)
    }

    /// Writes the artifact atomically: to a temporary file beside `path`, then renamed.
    pub fn write(&self, path: &Path) -> Result<()> {
        let bytes = self.to_bytes()?;
        write_atomic(path, &bytes)
    }
}

impl<M: DeserializeOwned> Artifact<M> {
    /// Decodes and checks an artifact of `kind` reading features `schema`.
    pub fn from_bytes(bytes: &[u8], kind: &str, schema: &FeatureSchema) -> Result<Self> {
        let payload = unwrap_frame(bytes)?;
        // Check the envelope before the model, so a foreign or outdated artifact is named as
        // such instead of failing somewhere inside the model's fields.
        let header: Header = rmp_serde::from_slice(payload)
            .map_err(|e| Error::Artifact(format!("envelope does not decode: {e}")))?;
        if header.format_version != FORMAT_VERSION {
            return Err(Error::Artifact(format!(
                "format version {} is not supported (this build reads version {FORMAT_VERSION})",
                header.format_version
            )));
        }
        if header.kind != kind {
            return Err(Error::Artifact(format!(
                "expected model kind \"{kind}\", found \"{}\"",
                header.kind
            )));
        }
        let expected = schema.reference();
        if header.feature_schema != expected {
            return Err(Error::Artifact(format!(
                "feature schema mismatch: artifact has {} v{} ({}), this build computes {} v{} ({})",
                header.feature_schema.name,
                header.feature_schema.version,
                header.feature_schema.fingerprint,
                expected.name,
                expected.version,
                expected.fingerprint
            )));
        }
        rmp_serde::from_slice(payload)
            .map_err(|e| Error::Artifact(format!("{kind} model payload does not decode: {e}")))
    }

    /// Reads and checks an artifact file.
    pub fn read(path: &Path, kind: &str, schema: &FeatureSchema) -> Result<Self> {
        let bytes = std::fs::read(path).map_err(|source| Error::Io {
            context: format!("cannot read model file {}", path.display()),
            source,
        })?;
        Self::from_bytes(&bytes, kind, schema).map_err(|e| match e {
            Error::Artifact(m) => Error::Artifact(format!("{}: {m}", path.display())),
            other => other,
        })
    }
}

/// The envelope fields checked before the model is decoded.
#[derive(Deserialize)]
struct Header {
    format_version: u32,
    kind: String,
    feature_schema: SchemaRef,
}

/// Where a model is loaded from, by the precedence every vigil model follows: an explicit path,
/// then the model's environment variable (when set and non-empty), then the embedded default.
/// A named file that is missing or bad is an error for the caller, never a silent fall-back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelSource {
    /// A path the caller gave.
    Path(std::path::PathBuf),
    /// The path in the environment variable named here.
    Env {
        /// The variable, e.g. `VIGIL_ANOMALY_MODEL`.
        var: &'static str,
        /// Its value.
        path: std::path::PathBuf,
    },
    /// The model compiled into the crate.
    Embedded,
}

impl ModelSource {
    /// Applies the precedence: `explicit`, then `$env_var`, then embedded.
    ///
    /// ```
    /// use std::path::Path;
    /// use vigil_contracts::artifact::ModelSource;
    /// let s = ModelSource::resolve(Some(Path::new("m.vgl")), "VIGIL_NO_SUCH_VARIABLE");
    /// assert_eq!(s.path(), Some(Path::new("m.vgl")));
    /// assert_eq!(ModelSource::resolve(None, "VIGIL_NO_SUCH_VARIABLE"), ModelSource::Embedded);
    /// ```
    pub fn resolve(explicit: Option<&Path>, env_var: &'static str) -> Self {
        if let Some(p) = explicit {
            return ModelSource::Path(p.to_path_buf());
        }
        match std::env::var_os(env_var) {
            Some(v) if !v.is_empty() => ModelSource::Env {
                var: env_var,
                path: v.into(),
            },
            _ => ModelSource::Embedded,
        }
    }

    /// The file to read, or `None` for the embedded model.
    pub fn path(&self) -> Option<&Path> {
        match self {
            ModelSource::Path(p) | ModelSource::Env { path: p, .. } => Some(p),
            ModelSource::Embedded => None,
        }
    }

    /// Loads the model this source names: `from_file` for a path, `embedded` otherwise.
    ///
    /// This is the loader every model shares. `from_file`'s errors name the file; when the path
    /// came from the environment the error also names the variable, because a stale environment
    /// is a common way to load the wrong file — or none:
    ///
    /// ```
    /// use std::path::Path;
    /// use vigil_contracts::artifact::ModelSource;
    /// use vigil_contracts::Error;
    ///
    /// let read = |p: &Path| -> Result<Vec<u8>, Error> {
    ///     std::fs::read(p).map_err(|source| Error::Io {
    ///         context: format!("cannot read model file {}", p.display()),
    ///         source,
    ///     })
    /// };
    /// let source = ModelSource::Env { var: "VIGIL_ANOMALY_MODEL", path: "/nonexistent/a.vgl".into() };
    /// let err = source.load(read, || Ok(Vec::new())).unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     "VIGIL_ANOMALY_MODEL: cannot read model file /nonexistent/a.vgl: \
    ///      No such file or directory (os error 2)"
    /// );
    /// assert_eq!(ModelSource::Embedded.load(read, || Ok(vec![7])).unwrap(), [7]);
    /// ```
    pub fn load<T, E>(
        &self,
        from_file: impl FnOnce(&Path) -> std::result::Result<T, E>,
        embedded: impl FnOnce() -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E>
    where
        E: From<Error> + std::fmt::Display,
    {
        match self {
            ModelSource::Embedded => embedded(),
            ModelSource::Path(path) => from_file(path),
            ModelSource::Env { var, path } => {
                from_file(path).map_err(|e| Error::invalid(*var, e.to_string()).into())
            }
        }
    }
}

impl std::fmt::Display for ModelSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ModelSource::Path(p) => write!(f, "{}", p.display()),
            ModelSource::Env { var, path } => write!(f, "{} (from {var})", path.display()),
            ModelSource::Embedded => f.write_str("embedded model"),
        }
    }
}

/// Checks magic, length and checksum and returns the payload.
fn unwrap_frame(bytes: &[u8]) -> Result<&[u8]> {
    if bytes.len() < MAGIC.len() + 16 {
        return Err(Error::Artifact(format!(
            "file is {} bytes, too short to be a vigil artifact",
            bytes.len()
        )));
    }
    if &bytes[..8] != MAGIC {
        return Err(Error::Artifact(
            "not a vigil artifact (magic bytes VIGILART missing)".into(),
        ));
    }
    let mut len_bytes = [0u8; 8];
    len_bytes.copy_from_slice(&bytes[8..16]);
    let declared = u64::from_le_bytes(len_bytes);
    let available = (bytes.len() - 24) as u64;
    if declared != available {
        return Err(Error::Artifact(format!(
            "truncated or padded: header declares {declared} payload bytes, file holds {available}"
        )));
    }
    let payload = &bytes[16..bytes.len() - 8];
    let mut sum_bytes = [0u8; 8];
    sum_bytes.copy_from_slice(&bytes[bytes.len() - 8..]);
    let stored = u64::from_le_bytes(sum_bytes);
    let mut h = Fnv1a64::new();
    h.write(payload);
    if h.finish() != stored {
        return Err(Error::Artifact(format!(
            "checksum mismatch (stored {stored:016x}, computed {:016x}): the file is corrupt",
            h.finish()
        )));
    }
    Ok(payload)
}

/// Writes `bytes` to `path` through a temporary file in the same directory and a rename, so a
/// crash never leaves a half-written file under the final name.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let io = |context: String| move |source| Error::Io { context, source };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io(format!("cannot create {}", dir.display())))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "artifact".into());
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let mut file =
        std::fs::File::create(&tmp).map_err(io(format!("cannot create {}", tmp.display())))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(io(format!("cannot write {}", tmp.display())))?;
    drop(file);
    std::fs::rename(&tmp, path).map_err(io(format!(
        "cannot move {} to {}",
        tmp.display(),
        path.display()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Toy {
        weights: Vec<f64>,
    }

    fn schema() -> FeatureSchema {
        FeatureSchema::new("toy", 1, vec!["a".into(), "b".into()])
    }

    fn toy() -> Artifact<Toy> {
        let mut a = Artifact::new(
            "toy",
            &schema(),
            42,
            Toy {
                weights: vec![0.5, -1.25],
            },
        );
        a.metrics.insert("accuracy".into(), 0.93);
        a
    }

    #[test]
    fn round_trip_is_exact_and_deterministic() {
        let bytes = toy().to_bytes().unwrap();
        assert_eq!(bytes, toy().to_bytes().unwrap());
        let back = Artifact::<Toy>::from_bytes(&bytes, "toy", &schema()).unwrap();
        assert_eq!(back, toy());
    }

    #[test]
    fn fingerprint_depends_on_order() {
        let ab = schema().fingerprint();
        let ba = FeatureSchema::new("toy", 1, vec!["b".into(), "a".into()]).fingerprint();
        assert_ne!(ab, ba);
        assert_eq!(ab.len(), 16);
    }

    #[test]
    fn corruption_is_refused_with_a_reason() {
        let bytes = toy().to_bytes().unwrap();
        let err = |b: &[u8]| {
            Artifact::<Toy>::from_bytes(b, "toy", &schema())
                .unwrap_err()
                .to_string()
        };
        assert!(err(&bytes[..bytes.len() - 3]).contains("truncated"));
        let mut flipped = bytes.clone();
        flipped[20] ^= 0xff;
        assert!(err(&flipped).contains("checksum mismatch"));
        assert!(err(b"PK\x03\x04 not a model at all, sorry").contains("magic"));
        assert!(err(b"").contains("too short"));
    }

    #[test]
    fn wrong_kind_or_schema_is_refused() {
        let bytes = toy().to_bytes().unwrap();
        let e = Artifact::<Toy>::from_bytes(&bytes, "anomaly", &schema()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "model artifact: expected model kind \"anomaly\", found \"toy\""
        );
        let other = FeatureSchema::new("toy", 2, vec!["a".into(), "b".into()]);
        let e = Artifact::<Toy>::from_bytes(&bytes, "toy", &other).unwrap_err();
        assert!(e.to_string().contains("feature schema mismatch"), "{e}");
    }

    #[test]
    fn foreign_kind_is_named_even_when_the_model_differs() {
        let other = Artifact::new("anomaly", &schema(), 1, vec!["not", "a", "toy"]);
        let e =
            Artifact::<Toy>::from_bytes(&other.to_bytes().unwrap(), "toy", &schema()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "model artifact: expected model kind \"toy\", found \"anomaly\""
        );
        let mut future = toy();
        future.format_version = 2;
        let e =
            Artifact::<Toy>::from_bytes(&future.to_bytes().unwrap(), "toy", &schema()).unwrap_err();
        assert!(
            e.to_string().contains("format version 2 is not supported"),
            "{e}"
        );
    }

    #[test]
    fn atomic_write_then_read() {
        let dir = std::env::temp_dir().join(format!("vigil-artifact-test-{}", std::process::id()));
        let path = dir.join("toy.vgl");
        toy().write(&path).unwrap();
        let back = Artifact::<Toy>::read(&path, "toy", &schema()).unwrap();
        assert_eq!(back.model.weights, vec![0.5, -1.25]);
        let missing = Artifact::<Toy>::read(&dir.join("nope.vgl"), "toy", &schema()).unwrap_err();
        assert!(missing.to_string().starts_with("cannot read model file"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
