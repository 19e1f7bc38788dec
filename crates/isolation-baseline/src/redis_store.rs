//! [`RedisStore`]: the [`BaselineStore`] on Redis, for baselines shared by many processes and
//! hosts (feature `redis`).
//!
//! Keys, under a per-deployment prefix (default `vigil:`):
//! - `{prefix}baseline:{agent}:log` — a list; each append is one `RPUSH` of one element (a JSON
//!   array of events), so an append is atomic and appends never conflict. The log's version is
//!   its length, read in the same `LRANGE`.
//! - `{prefix}baseline:{agent}:model` — the cached fit: the same versioned artifact bytes a
//!   [`FileStore`](crate::FileStore) writes, carrying the log version it was fitted from.
//!
//! The connection is opened on first use and re-opened after a failure, so a process started
//! while Redis is down works once it is back; every command has a timeout, and "cannot reach
//! Redis" is [`Error::Unavailable`].

use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use tokio::sync::Mutex;
use vigil_contracts::Artifact;
use vigil_features::event;

use crate::model::{AgentSnapshot, KIND};
use crate::store::{BaselineStore, EventLog, validate_agent_id};
use crate::stored::StoredEvent;
use crate::{Error, Result};

/// Default key prefix.
pub const DEFAULT_PREFIX: &str = "vigil:";

/// A baseline store on Redis.
pub struct RedisStore {
    client: redis::Client,
    shown: String,
    prefix: String,
    timeout: Duration,
    conn: Mutex<Option<ConnectionManager>>,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("url", &self.shown)
            .field("prefix", &self.prefix)
            .finish()
    }
}

/// `redis://user:secret@host` → `redis://host` (no credentials in messages).
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}{}", &url[..scheme + 3], &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}

pub(crate) fn unavailable(shown: &str, e: &redis::RedisError) -> Error {
    Error::Unavailable(format!("Redis at {shown}: {e}"))
}

impl RedisStore {
    /// A store at `url` (`redis://host:port/db`) under `prefix` (e.g. `vigil:prod:`). Nothing is
    /// connected until first use; a malformed URL is refused here.
    pub fn new(url: &str, prefix: &str) -> Result<Self> {
        let shown = redact_url(url);
        let client = redis::Client::open(url)
            .map_err(|e| Error::InvalidData(format!("{shown:?} is not a valid Redis URL: {e}")))?;
        Ok(RedisStore {
            client,
            shown,
            prefix: prefix.to_owned(),
            timeout: Duration::from_secs(2),
            conn: Mutex::new(None),
        })
    }

    /// The key prefix.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    fn key(&self, agent_id: &str, what: &str) -> Result<String> {
        validate_agent_id(agent_id)?;
        Ok(format!("{}baseline:{agent_id}:{what}", self.prefix))
    }

    async fn connection(&self) -> Result<ConnectionManager> {
        let mut slot = self.conn.lock().await;
        if let Some(c) = slot.as_ref() {
            return Ok(c.clone());
        }
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(self.timeout)
            .set_response_timeout(self.timeout)
            .set_number_of_retries(1)
            .set_max_delay(200);
        let c = tokio::time::timeout(
            self.timeout * 2,
            self.client.get_connection_manager_with_config(config),
        )
        .await
        .map_err(|_| Error::Unavailable(format!("Redis at {}: connect timed out", self.shown)))?
        .map_err(|e| unavailable(&self.shown, &e))?;
        *slot = Some(c.clone());
        Ok(c)
    }

    async fn query<T: redis::FromRedisValue>(&self, cmd: &redis::Cmd) -> Result<T> {
        let mut c = self.connection().await?;
        match cmd.query_async::<T>(&mut c).await {
            Ok(v) => Ok(v),
            Err(e) => {
                if e.is_io_error() || e.is_connection_dropped() || e.is_timeout() {
                    // Start afresh next time (the manager may still be backing off).
                    *self.conn.lock().await = None;
                    Err(unavailable(&self.shown, &e))
                } else {
                    Err(Error::InvalidData(format!("Redis at {}: {e}", self.shown)))
                }
            }
        }
    }
}

#[async_trait::async_trait]
impl BaselineStore for RedisStore {
    fn describe(&self) -> String {
        format!("{} (prefix {:?})", self.shown, self.prefix)
    }

    async fn append(&self, agent_id: &str, events: &[StoredEvent]) -> Result<()> {
        let key = self.key(agent_id, "log")?;
        if events.is_empty() {
            return Ok(());
        }
        let json = serde_json::to_string(events)
            .map_err(|e| Error::InvalidData(format!("cannot encode events: {e}")))?;
        self.query::<i64>(redis::cmd("RPUSH").arg(&key).arg(json))
            .await
            .map(|_| ())
    }

    async fn read_log(&self, agent_id: &str) -> Result<EventLog> {
        let key = self.key(agent_id, "log")?;
        let segments: Vec<String> = self
            .query(redis::cmd("LRANGE").arg(&key).arg(0).arg(-1))
            .await?;
        let mut events = Vec::new();
        for (i, s) in segments.iter().enumerate() {
            let batch: Vec<StoredEvent> = serde_json::from_str(s).map_err(|e| {
                Error::InvalidData(format!("{key} element {i}: not a list of events: {e}"))
            })?;
            events.extend(batch);
        }
        let version = if segments.is_empty() {
            String::new()
        } else {
            format!("{}-r", segments.len())
        };
        Ok(EventLog { events, version })
    }

    async fn load_cached(&self, agent_id: &str) -> Result<Option<AgentSnapshot>> {
        let key = self.key(agent_id, "model")?;
        let bytes: Option<Vec<u8>> = self.query(redis::cmd("GET").arg(&key)).await?;
        let Some(bytes) = bytes else { return Ok(None) };
        let artifact: Artifact<AgentSnapshot> =
            Artifact::from_bytes(&bytes, KIND, &event::schema()).map_err(|e| {
                Error::Artifact(vigil_contracts::Error::Artifact(format!("{key}: {e}")))
            })?;
        if artifact.model.agent_id != agent_id {
            return Err(Error::Artifact(vigil_contracts::Error::Artifact(format!(
                "{key} holds agent {:?}, not {agent_id:?}",
                artifact.model.agent_id
            ))));
        }
        Ok(Some(artifact.model))
    }

    async fn save_cached(&self, snapshot: &AgentSnapshot) -> Result<()> {
        let key = self.key(&snapshot.agent_id, "model")?;
        let seed = snapshot
            .detector
            .model
            .as_ref()
            .map_or(0, |m| m.params.seed);
        let bytes = Artifact::new(KIND, &event::schema(), seed, snapshot).to_bytes()?;
        self.query::<()>(redis::cmd("SET").arg(&key).arg(bytes))
            .await
    }

    async fn ping(&self) -> Result<()> {
        self.query::<String>(&redis::cmd("PING")).await.map(|_| ())
    }
}
