//! One versioned artifact per agent under a directory.

use std::path::{Path, PathBuf};

use vigil_contracts::Artifact;
use vigil_features::event;

use crate::model::{AgentSnapshot, KIND};
use crate::{Error, Result};

/// File name suffix (harombe wrote `{agent_id}_anomaly_model.pkl` plus a scaler pickle).
pub const FILE_SUFFIX: &str = "_anomaly_model.vgl";
/// Longest accepted agent id, in bytes.
pub const MAX_AGENT_ID_LEN: usize = 128;

/// Refuses agent ids that could name anything but a plain file in the store directory:
/// ASCII letters, digits, `_`, `-`, `.` and `@` only, not starting with `.`, at most 128 bytes.
///
/// ```
/// use vigil_isolation_baseline::store::validate_agent_id;
/// assert!(validate_agent_id("agent-7.prod@eu").is_ok());
/// assert!(validate_agent_id("../../etc").is_err());
/// ```
pub fn validate_agent_id(id: &str) -> Result<()> {
    let refuse = |reason| {
        Err(Error::InvalidAgentId {
            id: id.to_owned(),
            reason,
        })
    };
    if id.is_empty() {
        return refuse("it is empty");
    }
    if id.len() > MAX_AGENT_ID_LEN {
        return refuse("it is longer than 128 bytes");
    }
    if !id
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'@'))
    {
        return refuse("only ASCII letters, digits and _ - . @ are allowed in a file name");
    }
    if id.starts_with('.') {
        return refuse("it starts with '.'");
    }
    Ok(())
}

/// A directory of per-agent artifacts, written atomically (temporary file + rename).
#[derive(Debug, Clone)]
pub struct BaselineStore {
    dir: PathBuf,
}

impl BaselineStore {
    /// A store in `dir` (created on first save).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        BaselineStore { dir: dir.into() }
    }

    /// `$HOME/.vigil/baselines`, when a home directory is known.
    pub fn default_dir() -> Option<PathBuf> {
        std::env::var_os("HOME")
            .filter(|h| !h.is_empty())
            .map(|h| PathBuf::from(h).join(".vigil").join("baselines"))
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// `{dir}/{agent_id}_anomaly_model.vgl`, after [`validate_agent_id`].
    pub fn path_for(&self, agent_id: &str) -> Result<PathBuf> {
        validate_agent_id(agent_id)?;
        Ok(self.dir.join(format!("{agent_id}{FILE_SUFFIX}")))
    }

    /// Writes the agent's artifact atomically and returns its path.
    pub fn save(&self, snapshot: &AgentSnapshot) -> Result<PathBuf> {
        let path = self.path_for(&snapshot.agent_id)?;
        let seed = snapshot
            .detector
            .model
            .as_ref()
            .map_or(0, |m| m.params.seed);
        Artifact::new(KIND, &event::schema(), seed, snapshot).write(&path)?;
        Ok(path)
    }

    /// Reads the agent's artifact. A missing file is [`Error::NoSavedModel`]; a corrupt,
    /// truncated or foreign one an [`Error::Artifact`] naming the file and the problem.
    pub fn load(&self, agent_id: &str) -> Result<AgentSnapshot> {
        let path = self.path_for(agent_id)?;
        if !path.exists() {
            return Err(Error::NoSavedModel(agent_id.to_owned()));
        }
        let artifact: Artifact<AgentSnapshot> = Artifact::read(&path, KIND, &event::schema())?;
        if artifact.model.agent_id != agent_id {
            return Err(Error::Artifact(vigil_contracts::Error::Artifact(format!(
                "{} holds agent {:?}, not {agent_id:?}",
                path.display(),
                artifact.model.agent_id
            ))));
        }
        Ok(artifact.model)
    }

    /// Agent ids with an artifact in the directory, sorted.
    pub fn agents(&self) -> Result<Vec<String>> {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(source) => {
                return Err(Error::Io {
                    context: format!("cannot list {}", self.dir.display()),
                    source,
                });
            }
        };
        let mut ids: Vec<String> = entries
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                let name = e.file_name().into_string().ok()?;
                let id = name.strip_suffix(FILE_SUFFIX)?.to_owned();
                validate_agent_id(&id).is_ok().then_some(id)
            })
            .collect();
        ids.sort();
        Ok(ids)
    }
}
