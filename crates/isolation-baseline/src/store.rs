//! Where per-agent baselines live: the [`BaselineStore`] trait, its file backend [`FileStore`]
//! and (feature `redis`) [`RedisStore`](crate::redis_store::RedisStore).
//!
//! ## The write protocol: an append-only event log, and a fit that is only a cache
//!
//! The truth about an agent is its **event log**; the fitted model is a cache of one fit over
//! one state of that log. Training appends the new events to the log (one atomic, uniquely
//! named segment file; one `ZADD` on Redis) and then refits on the whole log within the
//! learner's window. Two trainers of one agent, at once or one after the other, therefore never
//! lose each other's events: neither ever rewrites what the other wrote, and whichever refits
//! last fits on the union. The cached fit carries the log version it was fitted from
//! ([`AgentSnapshot::log_version`]); a reader whose log has moved on refits from the log.
//!
//! Why not compare-and-swap on the model? A CAS loser must re-read, re-merge and refit, and
//! a refit is the expensive part (a forest of 100 trees); with an append-only log appends never
//! conflict, every writer succeeds first time, and the fit is a pure, seeded function of the log,
//! so two processes that refit the same log produce byte-identical models. Stale caches cost a
//! refit, never an event.
//!
//! ## "Now" for the window, robust to a future-dated event
//!
//! Replayed logs carry their own time, so the learner's "now" is event time. It is not the
//! newest event (one event dated months ahead would push every other event out of the window
//! and empty the baseline): it is [`event_time_now`], the newest event whose window holds
//! enough of the log. Events after it stay in the log but out of the fit.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Duration, FixedOffset};
use vigil_contracts::{AgentEvent, Artifact};
use vigil_features::event;

use crate::clock::ManualClock;
use crate::detect::{EventDetectorParams, TrainOutcome};
use crate::model::{AgentSnapshot, KIND};
use crate::monitor::AgentMonitor;
use crate::stored::StoredEvent;
use crate::{Error, LearnerParams, Result};

/// File name suffix (harombe wrote `{agent_id}_anomaly_model.pkl` plus a scaler pickle).
pub const FILE_SUFFIX: &str = "_anomaly_model.vgl";
/// Suffix of an agent's event-log directory in a [`FileStore`].
pub const LOG_SUFFIX: &str = "_events";
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

/// One state of an agent's event log.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventLog {
    /// Every event appended so far, in a deterministic order (append order within a writer;
    /// the fit sorts by time).
    pub events: Vec<StoredEvent>,
    /// Changes whenever the log does; equal versions mean equal logs.
    pub version: String,
}

/// Shared, multi-process storage of per-agent event logs and cached fits.
///
/// Implementations must make [`append`](Self::append) atomic and never lose an event appended by
/// another process; see the module page for the protocol. Errors that mean "the backend is not
/// reachable" are [`Error::Unavailable`].
#[async_trait::async_trait]
pub trait BaselineStore: Send + Sync + std::fmt::Debug {
    /// Where the store is, for messages (a directory, a `redis://` URL without password).
    fn describe(&self) -> String;

    /// Appends `events` to the agent's log, atomically.
    async fn append(&self, agent_id: &str, events: &[StoredEvent]) -> Result<()>;

    /// The agent's whole log (empty with version `""` when the agent has none).
    async fn read_log(&self, agent_id: &str) -> Result<EventLog>;

    /// The cached fit, if any (its [`AgentSnapshot::log_version`] says what it was fitted from).
    async fn load_cached(&self, agent_id: &str) -> Result<Option<AgentSnapshot>>;

    /// Replaces the cached fit.
    async fn save_cached(&self, snapshot: &AgentSnapshot) -> Result<()>;

    /// Whether the backend answers (for readiness probes).
    async fn ping(&self) -> Result<()>;
}

/// What [`train`] did.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainReport {
    /// The fit on the whole log.
    pub outcome: TrainOutcome,
    /// Events in the log after the append (every writer's).
    pub log_events: usize,
    /// Events of the log dated after the learner's "now" (left out of the fit).
    pub future_events: usize,
    /// The learner's "now" the fit used.
    pub now: Option<DateTime<FixedOffset>>,
}

/// The learner's event-time "now" for a log: the newest event whose window
/// `(t − window_days, t]` holds at least `min(min_samples, ⌈n/2⌉)` events (at least 1).
///
/// A lone event dated far ahead of the rest has a window holding only itself, so it does not
/// drag "now" forward and empty everyone else's window.
///
/// ```
/// use chrono::{DateTime, Duration};
/// use vigil_isolation_baseline::{LearnerParams, store::event_time_now};
/// let t0 = DateTime::parse_from_rfc3339("2026-03-02T09:00:00Z").unwrap();
/// let mut times: Vec<_> = (0..300).map(|i| t0 + Duration::minutes(10 * i)).collect();
/// times.push(t0 + Duration::days(120)); // one event dated months ahead
/// let now = event_time_now(&times, &LearnerParams::default()).unwrap();
/// assert_eq!(now, t0 + Duration::minutes(10 * 299));
/// ```
pub fn event_time_now(
    times: &[DateTime<FixedOffset>],
    params: &LearnerParams,
) -> Option<DateTime<FixedOffset>> {
    let mut sorted = times.to_vec();
    sorted.sort();
    let n = sorted.len();
    let needed = params.min_samples.min(n.div_ceil(2)).max(1);
    let window = Duration::days(params.window_days);
    for hi in (0..n).rev() {
        let t = sorted[hi];
        // Events in (t − window, t]: indices [first, hi], first being the first after t − window.
        let cutoff = t - window;
        let first = sorted[..=hi].partition_point(|e| *e <= cutoff);
        if hi + 1 - first >= needed {
            return Some(t);
        }
    }
    sorted.last().copied()
}

/// FNV-1a, 64 bit (stable across processes and versions).
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The parameters a fit depends on, as a short stable tag.
fn params_tag(detector: &EventDetectorParams, learner: &LearnerParams) -> String {
    format!(
        "{:016x}",
        fnv1a(format!("{detector:?}|{learner:?}").as_bytes())
    )
}

/// Fits `monitor` for `agent_id` on the log's events within the window ending at
/// [`event_time_now`] (or `fixed_now` when given); `clock` (the monitor's) is set to that "now".
/// Returns the outcome, the number of events dated after "now" (left out) and "now".
pub fn fit_log(
    monitor: &mut AgentMonitor,
    clock: &ManualClock,
    fixed_now: Option<DateTime<FixedOffset>>,
    agent_id: &str,
    log: &EventLog,
) -> Result<(TrainOutcome, usize, Option<DateTime<FixedOffset>>)> {
    let learner = *monitor.learner().params();
    let times: Vec<_> = log.events.iter().map(|e| e.timestamp).collect();
    let now = fixed_now.or_else(|| event_time_now(&times, &learner));
    let mut events: Vec<AgentEvent> = Vec::with_capacity(log.events.len());
    let mut future = 0;
    if let Some(now) = now {
        clock.set(now);
        let cutoff = now - Duration::days(learner.window_days);
        for e in &log.events {
            if e.timestamp > now {
                future += 1;
            } else if e.timestamp > cutoff {
                events.push(AgentEvent::from(e.clone()));
            }
        }
    }
    // A stable order, independent of which writer appended first.
    events.sort_by(|a, b| {
        a.timestamp
            .cmp(&b.timestamp)
            .then_with(|| a.event_type.cmp(&b.event_type))
            .then_with(|| a.resource_count.cmp(&b.resource_count))
            .then_with(|| a.duration_ms.total_cmp(&b.duration_ms))
            .then_with(|| a.success.cmp(&b.success))
    });
    let outcome = monitor.train(agent_id, &events)?;
    Ok((outcome, future, now))
}

/// Adds `new_events` to the agent's shared log, refits on the whole log and caches the fit.
///
/// `clock` must be the clock `monitor` was built on; it is set to `fixed_now` when given,
/// otherwise to the log's [`event_time_now`].
pub async fn train(
    store: &dyn BaselineStore,
    monitor: &mut AgentMonitor,
    clock: &ManualClock,
    fixed_now: Option<DateTime<FixedOffset>>,
    agent_id: &str,
    new_events: &[AgentEvent],
) -> Result<TrainReport> {
    validate_agent_id(agent_id)?;
    let stored: Vec<StoredEvent> = new_events.iter().map(StoredEvent::from).collect();
    store.append(agent_id, &stored).await?;
    let log = store.read_log(agent_id).await?;
    let (outcome, future_events, now) = fit_log(monitor, clock, fixed_now, agent_id, &log)?;
    cache_fit(store, monitor, agent_id, &log).await?;
    Ok(TrainReport {
        outcome,
        log_events: log.events.len(),
        future_events,
        now,
    })
}

async fn cache_fit(
    store: &dyn BaselineStore,
    monitor: &AgentMonitor,
    agent_id: &str,
    log: &EventLog,
) -> Result<()> {
    if let Some(mut snapshot) = monitor.snapshot(agent_id) {
        if snapshot.detector.model.is_some() {
            let p = monitor.detector().params();
            snapshot.log_version = Some(format!(
                "{}/{}",
                log.version,
                params_tag(p, monitor.learner().params())
            ));
            store.save_cached(&snapshot).await?;
        }
    }
    Ok(())
}

/// Loads an agent into `monitor`: the cached fit when it matches the current log and
/// parameters, otherwise a refit from the log (which is then cached). Returns `false` when the
/// store knows nothing of the agent.
pub async fn load(
    store: &dyn BaselineStore,
    monitor: &mut AgentMonitor,
    clock: &ManualClock,
    fixed_now: Option<DateTime<FixedOffset>>,
    agent_id: &str,
) -> Result<bool> {
    validate_agent_id(agent_id)?;
    let log = store.read_log(agent_id).await?;
    let cached = store.load_cached(agent_id).await?;
    let tag = format!(
        "{}/{}",
        log.version,
        params_tag(monitor.detector().params(), monitor.learner().params())
    );
    match cached {
        // A store written before event logs existed: the saved fit is all there is.
        Some(snapshot) if log.events.is_empty() => {
            restore_with_clock(monitor, clock, fixed_now, snapshot)?;
            Ok(true)
        }
        Some(snapshot) if snapshot.log_version.as_deref() == Some(tag.as_str()) => {
            restore_with_clock(monitor, clock, fixed_now, snapshot)?;
            Ok(true)
        }
        _ if log.events.is_empty() => Ok(false),
        _ => {
            fit_log(monitor, clock, fixed_now, agent_id, &log)?;
            cache_fit(store, monitor, agent_id, &log).await?;
            Ok(true)
        }
    }
}

fn restore_with_clock(
    monitor: &mut AgentMonitor,
    clock: &ManualClock,
    fixed_now: Option<DateTime<FixedOffset>>,
    snapshot: AgentSnapshot,
) -> Result<()> {
    if fixed_now.is_none() {
        let times: Vec<_> = snapshot.history.iter().map(|e| e.timestamp).collect();
        if let Some(now) = event_time_now(&times, monitor.learner().params()) {
            clock.advance_to(now);
        }
    }
    monitor.restore(snapshot)
}

/// A directory of per-agent event logs and cached fits.
///
/// Layout: `{agent}_events/` holds the log as segment files, one per append, each written to a
/// unique temporary name and renamed into place (a crash or `kill -9` leaves a whole segment or
/// none); `{agent}_anomaly_model.vgl` is the cached fit, a versioned artifact written the same
/// way. Segments are never rewritten, so concurrent writers cannot lose each other's events.
#[derive(Debug, Clone)]
pub struct FileStore {
    dir: PathBuf,
}

static UNIQUE: AtomicU64 = AtomicU64::new(0);

/// A name no other writer (thread or process) uses: time, process id and a counter.
fn unique_name() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!(
        "{nanos:020}-{}-{}",
        std::process::id(),
        UNIQUE.fetch_add(1, Ordering::Relaxed)
    )
}

fn io_error(context: String) -> impl FnOnce(std::io::Error) -> Error {
    move |source| Error::Io { context, source }
}

/// Writes through a uniquely named temporary file in the same directory and a rename.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io_error(format!("cannot create {}", dir.display())))?;
    let tmp = dir.join(format!(".tmp-{}", unique_name()));
    let mut file = std::fs::File::create(&tmp)
        .map_err(io_error(format!("cannot create {}", tmp.display())))?;
    let written = file.write_all(bytes).and_then(|()| file.sync_all());
    drop(file);
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(io_error(format!("cannot write {}", tmp.display()))(e));
    }
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io_error(format!(
            "cannot move {} to {}",
            tmp.display(),
            path.display()
        ))(e)
    })
}

impl FileStore {
    /// A store in `dir` (created on first save).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        FileStore { dir: dir.into() }
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

    /// `{dir}/{agent_id}_events`, after [`validate_agent_id`].
    pub fn log_dir_for(&self, agent_id: &str) -> Result<PathBuf> {
        validate_agent_id(agent_id)?;
        Ok(self.dir.join(format!("{agent_id}{LOG_SUFFIX}")))
    }

    /// Writes the agent's artifact atomically and returns its path.
    pub fn save(&self, snapshot: &AgentSnapshot) -> Result<PathBuf> {
        let path = self.path_for(&snapshot.agent_id)?;
        if self.dir.exists() && !self.dir.is_dir() {
            return Err(Error::Io {
                context: format!("cannot save to {}", self.dir.display()),
                source: std::io::Error::other("it is not a directory"),
            });
        }
        let seed = snapshot
            .detector
            .model
            .as_ref()
            .map_or(0, |m| m.params.seed);
        let bytes = Artifact::new(KIND, &event::schema(), seed, snapshot).to_bytes()?;
        write_atomic(&path, &bytes)?;
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

    /// Appends one segment to the agent's log (see [`BaselineStore::append`]).
    pub fn append_sync(&self, agent_id: &str, events: &[StoredEvent]) -> Result<()> {
        let dir = self.log_dir_for(agent_id)?;
        if events.is_empty() {
            return Ok(());
        }
        let mut text = String::new();
        for e in events {
            text.push_str(
                &serde_json::to_string(e)
                    .map_err(|e| Error::InvalidData(format!("cannot encode an event: {e}")))?,
            );
            text.push('\n');
        }
        write_atomic(
            &dir.join(format!("{}.jsonl", unique_name())),
            text.as_bytes(),
        )
    }

    /// Reads the agent's log (see [`BaselineStore::read_log`]); the version is a hash of the
    /// sorted segment names, which never change once written.
    pub fn read_log_sync(&self, agent_id: &str) -> Result<EventLog> {
        let dir = self.log_dir_for(agent_id)?;
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(EventLog::default()),
            Err(e) => return Err(io_error(format!("cannot list {}", dir.display()))(e)),
        };
        let mut names: Vec<String> = entries
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|n| n.ends_with(".jsonl") && !n.starts_with('.'))
            .collect();
        names.sort();
        let mut events = Vec::new();
        for name in &names {
            let path = dir.join(name);
            let text = std::fs::read_to_string(&path)
                .map_err(io_error(format!("cannot read {}", path.display())))?;
            for (i, line) in text.lines().enumerate() {
                let e: StoredEvent = serde_json::from_str(line).map_err(|e| {
                    Error::InvalidData(format!("{}:{}: {e}", path.display(), i + 1))
                })?;
                events.push(e);
            }
        }
        let version = if names.is_empty() {
            String::new()
        } else {
            format!("{}-{:016x}", names.len(), fnv1a(names.join("/").as_bytes()))
        };
        Ok(EventLog { events, version })
    }

    /// Agent ids with an artifact or an event log in the directory, sorted.
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
                let id = name
                    .strip_suffix(FILE_SUFFIX)
                    .or_else(|| name.strip_suffix(LOG_SUFFIX))?
                    .to_owned();
                validate_agent_id(&id).is_ok().then_some(id)
            })
            .collect();
        ids.sort();
        ids.dedup();
        Ok(ids)
    }
}

#[async_trait::async_trait]
impl BaselineStore for FileStore {
    fn describe(&self) -> String {
        self.dir.display().to_string()
    }

    async fn append(&self, agent_id: &str, events: &[StoredEvent]) -> Result<()> {
        self.append_sync(agent_id, events)
    }

    async fn read_log(&self, agent_id: &str) -> Result<EventLog> {
        self.read_log_sync(agent_id)
    }

    async fn load_cached(&self, agent_id: &str) -> Result<Option<AgentSnapshot>> {
        match self.load(agent_id) {
            Ok(s) => Ok(Some(s)),
            Err(Error::NoSavedModel(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn save_cached(&self, snapshot: &AgentSnapshot) -> Result<()> {
        self.save(snapshot).map(|_| ())
    }

    async fn ping(&self) -> Result<()> {
        if self.dir.exists() && !self.dir.is_dir() {
            return Err(Error::Unavailable(format!(
                "{} is not a directory",
                self.dir.display()
            )));
        }
        Ok(())
    }
}
