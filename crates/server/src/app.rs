//! The HTTP application: routes, state, limits, authentication and shutdown.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::value::RawValue;
use serde_json::{Value, json};
use tokio::sync::OwnedSemaphorePermit;
use vigil_anomaly::MLAnomalyDetector;
use vigil_contracts::text::bounded_message;
use vigil_features::intent::IntentNormalizer;
use vigil_features::plan::ToolAnnotator;
use vigil_injection::InjectionDetector;
use vigil_injection::InjectionScratch;
use vigil_isolation_baseline::store::{self as bstore, BaselineStore};
use vigil_isolation_baseline::{
    AgentMonitor, EventDetectorParams, FileStore, LearnerParams, ManualClock, RedisStore,
};
use vigil_plan_risk::session_store::{self, SessionStore};
use vigil_plan_risk::{FileSessionStore, PlanMonitor, RedisSessionStore};
use vigil_preflight::config::PreflightConfig;
use vigil_preflight::{Catalog, Preflight};
use vigil_task_signal::{Cascade, CascadeParams, TaskSignalClassifier};

use crate::metrics::Metrics;
use crate::{Error, Result, diagnostics, records};

/// Every stateless and stateful record endpoint, as `POST /v1/{name}`.
pub const ENDPOINTS: [&str; 7] = [
    "task-signal",
    "normalize",
    "anomaly",
    "plan-risk",
    "injection",
    "preflight",
    "baseline",
];

/// Where shared state lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StateLocation {
    /// A directory (baselines in it, sessions in `sessions/` under it): one process.
    Dir(PathBuf),
    /// A Redis URL: any number of processes and hosts.
    Redis(String),
}

impl StateLocation {
    /// `redis://…` / `rediss://…` is Redis, anything else a directory.
    pub fn parse(text: &str) -> Self {
        if text.starts_with("redis://") || text.starts_with("rediss://") {
            StateLocation::Redis(text.to_owned())
        } else {
            StateLocation::Dir(PathBuf::from(text))
        }
    }
}

/// How to serve.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Address to listen on (default `127.0.0.1:8787`).
    pub listen: SocketAddr,
    /// Shared state.
    pub state: StateLocation,
    /// Key prefix on Redis, one per deployment.
    pub prefix: String,
    /// Bearer token required on `/v1/*` (none: no authentication).
    pub token: Option<String>,
    /// Largest request body, in bytes.
    pub body_limit: usize,
    /// Per-request time limit.
    pub timeout: Duration,
    /// Plan-risk sessions expire this long after their last turn.
    pub session_ttl: Duration,
    /// A baseline agent is reloaded (and refitted on the shared log when it changed) after this
    /// many events appended through this process.
    pub refit_every: usize,
    /// Working directory the intent normalizer resolves relative paths against.
    pub workdir: String,
    /// Most connections open at once; further clients wait to be accepted
    /// ([`crate::listener`]).
    pub max_connections: usize,
    /// A connection with no traffic either way for this long is closed (a client that sends
    /// half its headers and stops, an idle keep-alive connection).
    pub idle_timeout: Duration,
    /// Browser origins (`https://app.example`) allowed to call `/v1/*`. A `/v1/*` request that
    /// carries an `Origin` header not listed here is refused (403): agents are not browsers,
    /// and a web page the user visits must not be able to append events or alter sessions.
    pub allow_origins: Vec<String>,
    /// Most `/v1/*` requests handled at once; further ones wait (holding no body) for a slot,
    /// up to the request time limit, then get 503. Bounds memory near
    /// `max_in_flight × (body_limit + the answer's working set)`.
    pub max_in_flight: usize,
}

/// The default `--max-in-flight`: twice the CPUs (the default worker threads).
pub fn default_max_in_flight() -> usize {
    2 * std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get)
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            listen: SocketAddr::from(([127, 0, 0, 1], 8787)),
            state: StateLocation::Dir(PathBuf::from(".vigil-state")),
            prefix: "vigil:".to_owned(),
            token: None,
            body_limit: 4 * 1024 * 1024,
            timeout: Duration::from_secs(10),
            session_ttl: Duration::from_secs(24 * 3600),
            refit_every: 100,
            workdir: IntentNormalizer::DEFAULT_WORKDIR.to_owned(),
            max_connections: 1024,
            idle_timeout: Duration::from_secs(60),
            allow_origins: Vec::new(),
            max_in_flight: default_max_in_flight(),
        }
    }
}

/// The loaded models (embedded defaults, or the `VIGIL_*_MODEL` overrides).
pub struct Engines {
    cascade: Cascade,
    anomaly: MLAnomalyDetector,
    plan: PlanMonitor,
    injection: InjectionDetector,
    preflight: Preflight,
    workdir: String,
}

fn model_error(model: &'static str) -> impl FnOnce(String) -> Error {
    move |message| Error::Model { model, message }
}

impl Engines {
    /// Loads every model.
    pub fn load(workdir: &str) -> Result<Self> {
        let (ml, _) = TaskSignalClassifier::load(None)
            .map_err(|e| model_error("task-signal")(e.to_string()))?;
        let cascade = Cascade::new(Some(ml), CascadeParams::default())
            .map_err(|e| model_error("task-signal")(e.to_string()))?;
        let anomaly =
            MLAnomalyDetector::load(None).map_err(|e| model_error("anomaly")(e.to_string()))?;
        let plan = PlanMonitor::load(None, ToolAnnotator::default())
            .map_err(|e| model_error("plan-risk")(e.to_string()))?;
        let injection =
            InjectionDetector::load(None).map_err(|e| model_error("preflight")(e.to_string()))?;
        let preflight = Preflight::new(
            InjectionDetector::load(None).map_err(|e| model_error("preflight")(e.to_string()))?,
            Catalog::shipped(),
            PreflightConfig::default().aggregator,
        )
        .map_err(|e| model_error("preflight")(e.to_string()))?;
        Ok(Engines {
            cascade,
            anomaly,
            plan,
            injection,
            preflight,
            workdir: workdir.to_owned(),
        })
    }

    /// One stateless record through the same function the CLI uses.
    pub fn stateless(&self, endpoint: &str, record: &str) -> anyhow::Result<Value> {
        match endpoint {
            "task-signal" => records::task_signal(&|t| self.cascade.classify_text(t), record),
            "normalize" => Ok(serde_json::to_value(records::normalize(
                &self.workdir,
                record,
            )?)?),
            "anomaly" => Ok(serde_json::to_value(records::anomaly(
                &self.anomaly,
                &self.workdir,
                record,
            )?)?),
            "plan-risk" => records::assessment_output(&self.plan.assess(&records::plan(record)?)),
            "injection" => {
                let mut scratch = InjectionScratch::default();
                records::injection(&self.injection, &mut scratch, record)
            }
            "preflight" => records::preflight(&self.preflight, Some(&self.cascade), record),
            other => anyhow::bail!("no endpoint {other:?}"),
        }
    }
}

struct AgentEntry {
    monitor: AgentMonitor,
    clock: ManualClock,
    loaded: bool,
    appended: usize,
}

/// What every handler shares.
pub struct AppState {
    engines: Arc<Engines>,
    baselines: Arc<dyn BaselineStore>,
    sessions: Arc<dyn SessionStore>,
    /// Agents whose baseline model is in memory, most recently used kept
    /// ([`MAX_CACHED_AGENTS`]); the shared log is the truth, so an evicted agent is reloaded.
    agents: std::sync::Mutex<AgentCache>,
    /// The counters behind `/metrics`.
    pub metrics: Metrics,
    /// Slots for `/v1/*` requests being handled ([`ServeOptions::max_in_flight`]).
    in_flight: Arc<tokio::sync::Semaphore>,
    /// KiB of request bodies being received or handled ([`read_body`]).
    body_budget: Arc<tokio::sync::Semaphore>,
    options: ServeOptions,
}

impl AppState {
    /// Loads the models and opens (lazily) the stores.
    pub fn new(options: ServeOptions) -> Result<Self> {
        let engines = Arc::new(Engines::load(&options.workdir)?);
        let (baselines, sessions): (Arc<dyn BaselineStore>, Arc<dyn SessionStore>) =
            match &options.state {
                StateLocation::Dir(dir) => (
                    Arc::new(FileStore::new(dir.join("baselines"))),
                    Arc::new(FileSessionStore::new(
                        dir.join("sessions"),
                        options.session_ttl,
                    )),
                ),
                StateLocation::Redis(url) => (
                    Arc::new(
                        RedisStore::new(url, &options.prefix)
                            .map_err(|e| Error::Config(format!("--state: {e}")))?,
                    ),
                    Arc::new(
                        RedisSessionStore::new(url, &options.prefix, options.session_ttl)
                            .map_err(|e| Error::Config(format!("--state: {e}")))?,
                    ),
                ),
            };
        Ok(AppState {
            engines,
            baselines,
            sessions,
            agents: std::sync::Mutex::new(AgentCache::default()),
            metrics: Metrics::default(),
            in_flight: Arc::new(tokio::sync::Semaphore::new(
                options
                    .max_in_flight
                    .clamp(1, tokio::sync::Semaphore::MAX_PERMITS),
            )),
            body_budget: Arc::new(tokio::sync::Semaphore::new(body_budget_units(&options))),
            options,
        })
    }

    fn agent(&self, id: &str) -> Arc<tokio::sync::Mutex<AgentEntry>> {
        let mut agents = self
            .agents
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        agents.get_or_insert(id, || {
            let clock = ManualClock::earliest();
            let monitor = AgentMonitor::new(
                EventDetectorParams::default(),
                LearnerParams::default(),
                clock.clone(),
            )
            .expect("default parameters are valid");
            AgentEntry {
                monitor,
                clock,
                loaded: false,
                appended: 0,
            }
        })
    }
}

/// Most agents whose baseline model `vigil serve` keeps in memory. A fitted agent takes about
/// 260 KB, so this bounds the cache near 270 MB however many agent ids clients send (every id
/// used to stay in memory for good: 100,000 ids took 250 MB, and a 4 MB body could fit models
/// for 250 agents). Past it, the least recently used eighth is dropped; those agents are
/// reloaded from the shared log on their next event.
pub const MAX_CACHED_AGENTS: usize = 1024;

/// The in-memory agents, each with when it was last used.
#[derive(Default)]
struct AgentCache {
    entries: HashMap<String, (Arc<tokio::sync::Mutex<AgentEntry>>, u64)>,
    tick: u64,
}

impl AgentCache {
    fn get_or_insert(
        &mut self,
        id: &str,
        new: impl FnOnce() -> AgentEntry,
    ) -> Arc<tokio::sync::Mutex<AgentEntry>> {
        self.tick += 1;
        if let Some((entry, used)) = self.entries.get_mut(id) {
            *used = self.tick;
            return entry.clone();
        }
        if self.entries.len() >= MAX_CACHED_AGENTS {
            self.evict_oldest(MAX_CACHED_AGENTS / 8);
        }
        let entry = Arc::new(tokio::sync::Mutex::new(new()));
        self.entries
            .insert(id.to_owned(), (entry.clone(), self.tick));
        entry
    }

    /// Drops the `count` least recently used entries (a request holding one finishes with it).
    fn evict_oldest(&mut self, count: usize) {
        let mut ticks: Vec<u64> = self.entries.values().map(|(_, t)| *t).collect();
        if ticks.is_empty() {
            return;
        }
        let count = count.clamp(1, ticks.len());
        let (_, &mut cutoff, _) = ticks.select_nth_unstable(count - 1);
        self.entries.retain(|_, (_, t)| *t > cutoff);
    }
}

/// Why one record failed.
#[derive(Debug)]
enum Failure {
    /// The record is bad: 400 (422 inside a batch), the CLI's message.
    Bad(String),
    /// Shared state cannot be reached: 503 for the whole request.
    Unavailable(String),
    /// A fault of the server or of its stored state (a corrupt file in the state directory):
    /// 500 for the whole request, with a message that names no path (the details are logged).
    Internal(String),
}

fn bad(e: &anyhow::Error) -> Failure {
    Failure::Bad(diagnostics::chain(e))
}

/// Whether a store message may be shown to clients: Redis messages name the server
/// (`Redis at host:port: …`, useful and documented); file-store ones name paths on this host,
/// which stay in the log.
fn shown_store_message(m: &str) -> bool {
    m.starts_with("Redis at ")
}

fn baseline_failure(e: vigil_isolation_baseline::Error) -> Failure {
    use vigil_isolation_baseline::Error as E;
    match e {
        E::InvalidAgentId { .. } => Failure::Bad(e.to_string()),
        E::Unavailable(m) if shown_store_message(&m) => {
            Failure::Unavailable(format!("baseline store unavailable: {m}"))
        }
        E::Unavailable(_) | E::Io { .. } => {
            tracing::error!("baseline store: {e}");
            Failure::Unavailable(
                "baseline store unavailable: the state directory cannot be read or written \
                 (details in the server log)"
                    .into(),
            )
        }
        other => {
            tracing::error!("baseline store: {other}");
            Failure::Internal(
                "the baseline store holds data that cannot be used (details in the server log)"
                    .into(),
            )
        }
    }
}

fn session_failure(e: vigil_plan_risk::Error) -> Failure {
    use vigil_plan_risk::Error as E;
    match e {
        E::InvalidSessionId { .. } => Failure::Bad(e.to_string()),
        E::SessionUnavailable(ref m) | E::SessionStore(ref m)
            if shown_store_message(m) || m.contains("attempts in a row") =>
        {
            Failure::Unavailable(e.to_string())
        }
        E::SessionUnavailable(_) => {
            tracing::error!("session store: {e}");
            Failure::Unavailable(
                "session store unavailable: the state directory cannot be read or written \
                 (details in the server log)"
                    .into(),
            )
        }
        other => {
            tracing::error!("session store: {other}");
            Failure::Internal(
                "the session store failed or holds data that cannot be used (details in the \
                 server log)"
                    .into(),
            )
        }
    }
}

fn join_failure(e: tokio::task::JoinError) -> Failure {
    tracing::error!("a request's worker task failed: {e}");
    Failure::Internal("internal error (details in the server log)".into())
}

/// The class counted in `vigil_verdicts_total` for an answer.
fn verdict_class(endpoint: &str, out: &Value) -> Option<String> {
    let field = match endpoint {
        "task-signal" => "complexity",
        "anomaly" => "class",
        "plan-risk" => "intervention",
        "injection" => "risk_level",
        "preflight" => "action",
        "baseline" => "threat_level",
        _ => return None,
    };
    match out.get(field)? {
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

async fn one_record(state: &Arc<AppState>, endpoint: &str, record: &str) -> Result<Value, Failure> {
    match endpoint {
        // Off the async workers: loading an agent refits its forest on the whole shared log.
        "baseline" => {
            let state = state.clone();
            let record = record.to_owned();
            let runtime = tokio::runtime::Handle::current();
            tokio::task::spawn_blocking(move || runtime.block_on(baseline_record(&state, &record)))
                .await
                .map_err(join_failure)?
        }
        // Parsing, assessing and the session's store calls all off the async workers: a plan
        // at the body limit takes a few hundred milliseconds, which would stall every other
        // request (and the time limit) on a 2-thread runtime.
        "plan-risk" => {
            let state = state.clone();
            let record = record.to_owned();
            let runtime = tokio::runtime::Handle::current();
            tokio::task::spawn_blocking(move || {
                let (plan, session) = records::plan_with_session(&record).map_err(|e| bad(&e))?;
                let assessment = match session {
                    Some(id) => runtime
                        .block_on(session_store::assess_turn(
                            state.sessions.as_ref(),
                            &state.engines.plan,
                            &id,
                            &plan,
                        ))
                        .map_err(session_failure)?,
                    None => state.engines.plan.assess(&plan),
                };
                records::assessment_output(&assessment).map_err(|e| bad(&e))
            })
            .await
            .map_err(join_failure)?
        }
        _ => {
            let engines = state.engines.clone();
            let (endpoint, record) = (endpoint.to_owned(), record.to_owned());
            tokio::task::spawn_blocking(move || engines.stateless(&endpoint, &record))
                .await
                .map_err(join_failure)?
                .map_err(|e| bad(&e))
        }
    }
}

/// A baseline event: appended to its agent's shared log, then scored against the agent's model
/// (loaded, or refitted from the shared log, on first use and every `refit_every` appends).
async fn baseline_record(state: &Arc<AppState>, record: &str) -> Result<Value, Failure> {
    let (agent, event) = records::agent_event(record).map_err(|e| bad(&e))?;
    vigil_isolation_baseline::store::validate_agent_id(&agent).map_err(baseline_failure)?;
    let stored = vigil_isolation_baseline::StoredEvent::from(&event);
    state
        .baselines
        .append(&agent, std::slice::from_ref(&stored))
        .await
        .map_err(baseline_failure)?;
    let entry = state.agent(&agent);
    let mut entry = entry.lock().await;
    entry.appended += 1;
    if !entry.loaded || entry.appended >= state.options.refit_every {
        let AgentEntry { monitor, clock, .. } = &mut *entry;
        bstore::load(state.baselines.as_ref(), monitor, clock, None, &agent)
            .await
            .map_err(baseline_failure)?;
        entry.loaded = true;
        entry.appended = 0;
    }
    entry.clock.advance_to(event.timestamp);
    let verdict = entry.monitor.check(&agent, &event);
    records::baseline_output(&verdict).map_err(|e| bad(&e))
}

/// The most records one `POST /v1/*` array may hold. Every answer is kept until the array's is
/// written (about 1 KB each), so without a cap a 4 MB body of a million `{}` records took 1.8 GB
/// and ran past `--timeout-ms`; with it an answer stays within about 10 MB.
pub const MAX_BATCH_RECORDS: usize = 10_000;

fn error_body(message: &str) -> Value {
    json!({"error": {"message": bounded_message(message)}})
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// The answer when a request stops part-way (timeout, or shared state unreachable): 503, with
/// `processed`, the number of records answered before it stopped, so a client can resend
/// from that index. On the stateful endpoints (`baseline`, `plan-risk` with a `session_id`)
/// those records were applied, and the record at that index may have been too: its write can
/// land before the stop.
fn stopped_part_way(status: StatusCode, message: &str, processed: usize) -> Response {
    json_response(
        status,
        &json!({"error": {
            "message": bounded_message(&format!(
                "{message}; {processed} record(s) were processed before it stopped"
            )),
            "processed": processed,
        }}),
    )
}

async fn handle(state: Arc<AppState>, endpoint: &'static str, body: Bytes) -> Response {
    let started = Instant::now();
    let processed = std::sync::atomic::AtomicUsize::new(0);
    let work = async {
        let text = match std::str::from_utf8(&body) {
            Ok(t) => t,
            Err(e) => {
                return json_response(
                    StatusCode::BAD_REQUEST,
                    &error_body(&format!(
                        "body is not valid UTF-8 (invalid byte at offset {})",
                        e.valid_up_to()
                    )),
                );
            }
        };
        // A leading byte-order mark is dropped, as the CLI drops it.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let trimmed = text.trim_start();
        if trimmed.is_empty() {
            return json_response(StatusCode::BAD_REQUEST, &error_body("empty body"));
        }
        if trimmed.starts_with('[') {
            // Borrowed: a body of a million `{}` costs a pointer each here, not an allocation.
            let items: Vec<&RawValue> = match serde_json::from_str(text) {
                Ok(items) => items,
                Err(e) => {
                    return json_response(
                        StatusCode::BAD_REQUEST,
                        &error_body(&format!("body is not a JSON array of records: {e}")),
                    );
                }
            };
            if items.len() > MAX_BATCH_RECORDS {
                return json_response(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    &error_body(&format!(
                        "a batch holds at most {MAX_BATCH_RECORDS} records; this one has {}: \
                         send it in several requests",
                        items.len()
                    )),
                );
            }
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                match one_record(&state, endpoint, item.get()).await {
                    Ok(v) => {
                        if let Some(c) = verdict_class(endpoint, &v) {
                            state.metrics.verdict(endpoint, &c);
                        }
                        out.push(v);
                    }
                    Err(Failure::Bad(m)) => {
                        out.push(json!({"error": {"index": i, "message": bounded_message(&m)}}));
                    }
                    Err(Failure::Unavailable(m)) => {
                        return stopped_part_way(StatusCode::SERVICE_UNAVAILABLE, &m, i);
                    }
                    Err(Failure::Internal(m)) => {
                        return stopped_part_way(StatusCode::INTERNAL_SERVER_ERROR, &m, i);
                    }
                }
                processed.store(i + 1, std::sync::atomic::Ordering::Relaxed);
            }
            json_response(StatusCode::OK, &Value::Array(out))
        } else {
            match one_record(&state, endpoint, text).await {
                Ok(v) => {
                    if let Some(c) = verdict_class(endpoint, &v) {
                        state.metrics.verdict(endpoint, &c);
                    }
                    json_response(StatusCode::OK, &v)
                }
                Err(failure) => failure_response(failure),
            }
        }
    };
    let response = match tokio::time::timeout(state.options.timeout, work).await {
        Ok(r) => r,
        Err(_) => stopped_part_way(
            StatusCode::SERVICE_UNAVAILABLE,
            &format!(
                "request timed out after {} ms",
                state.options.timeout.as_millis()
            ),
            processed.load(std::sync::atomic::Ordering::Relaxed),
        ),
    };
    let status = response.status().as_u16();
    state.metrics.request(endpoint, status, started.elapsed());
    tracing::info!(
        endpoint,
        status,
        micros = started.elapsed().as_micros() as u64,
        "request"
    );
    response
}

async fn healthz() -> Response {
    json_response(StatusCode::OK, &json!({"status": "ok"}))
}

async fn readyz(State(state): State<Arc<AppState>>) -> Response {
    let (b, s) = tokio::join!(state.baselines.ping(), state.sessions.ping());
    let message = match (b, s) {
        (Ok(()), Ok(())) => return json_response(StatusCode::OK, &json!({"status": "ready"})),
        (Err(e), _) => match baseline_failure(e) {
            Failure::Bad(m) | Failure::Unavailable(m) | Failure::Internal(m) => m,
        },
        (_, Err(e)) => match session_failure(e) {
            Failure::Bad(m) | Failure::Unavailable(m) | Failure::Internal(m) => m,
        },
    };
    json_response(
        StatusCode::SERVICE_UNAVAILABLE,
        &json!({"status": "unavailable", "error": {"message": message}}),
    )
}

async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
        .into_response()
}

/// `GET /v1/baseline/{agent_id}`: how many events the agent's shared log holds.
async fn baseline_log(State(state): State<Arc<AppState>>, Path(agent): Path<String>) -> Response {
    const ENDPOINT: &str = "baseline-log";
    let started = Instant::now();
    let _slot = match take_slot(&state).await {
        Ok(slot) => slot,
        Err(refusal) => return refuse(&state, ENDPOINT, &refusal),
    };
    // Off the async workers: a file store reads and parses the agent's whole log.
    let read = {
        let (state, agent) = (state.clone(), agent.clone());
        let runtime = tokio::runtime::Handle::current();
        tokio::task::spawn_blocking(move || runtime.block_on(state.baselines.read_log(&agent)))
    };
    let response = match tokio::time::timeout(state.options.timeout, read).await {
        Ok(Ok(Ok(log))) => json_response(
            StatusCode::OK,
            &json!({"agent_id": agent, "log_events": log.events.len(), "log_version": log.version}),
        ),
        Ok(Ok(Err(e))) => failure_response(baseline_failure(e)),
        Ok(Err(e)) => failure_response(join_failure(e)),
        Err(_) => json_response(
            StatusCode::SERVICE_UNAVAILABLE,
            &error_body(&format!(
                "request timed out after {} ms",
                state.options.timeout.as_millis()
            )),
        ),
    };
    state
        .metrics
        .request(ENDPOINT, response.status().as_u16(), started.elapsed());
    response
}

/// The answer to a request that failed as a whole.
fn failure_response(failure: Failure) -> Response {
    match failure {
        Failure::Bad(m) => json_response(StatusCode::BAD_REQUEST, &error_body(&m)),
        Failure::Unavailable(m) => json_response(StatusCode::SERVICE_UNAVAILABLE, &error_body(&m)),
        Failure::Internal(m) => json_response(StatusCode::INTERNAL_SERVER_ERROR, &error_body(&m)),
    }
}

/// Constant-time comparison of the presented token.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The credentials of an `Authorization: Bearer <token>` header; the scheme is
/// case-insensitive (RFC 7235), so `bearer` and `BEARER` are accepted too.
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim_start_matches(' '))
}

async fn auth(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    request: Request,
    next: Next,
) -> Response {
    if let Some(token) = &state.options.token {
        let presented = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(bearer_token);
        if !presented.is_some_and(|p| same(p.as_bytes(), token.as_bytes())) {
            return (
                StatusCode::UNAUTHORIZED,
                [
                    (header::CONTENT_TYPE, "application/json"),
                    (header::WWW_AUTHENTICATE, "Bearer"),
                ],
                error_body("missing or wrong bearer token").to_string(),
            )
                .into_response();
        }
    }
    next.run(request).await
}

/// Whether a `Host` header names this machine's loopback interface: `localhost`, an address in
/// 127.0.0.0/8 or `[::1]`, with any port (or none).
pub fn loopback_host(host: &str) -> bool {
    let port_ok = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if let Some(rest) = host.strip_prefix('[') {
        let Some((ip, after)) = rest.split_once(']') else {
            return false;
        };
        let port = match after.strip_prefix(':') {
            Some(p) => p,
            None if after.is_empty() => "",
            None => return false,
        };
        return port_ok(port)
            && ip
                .parse::<std::net::Ipv6Addr>()
                .is_ok_and(|a| a.is_loopback());
    }
    let name = match host.rsplit_once(':') {
        Some((name, port)) if port_ok(port) => name,
        Some(_) => return false,
        None => host,
    };
    name.eq_ignore_ascii_case("localhost")
        || name
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|a| a.is_loopback())
}

/// Browser protection, before anything else (and before any body is read):
/// - on a loopback listen address, a `Host` that is not loopback is refused (421): a page that
///   rebinds its own DNS name to 127.0.0.1 sends its own name as `Host`, so it cannot read
///   answers;
/// - a `/v1/*` request with an `Origin` header is refused (403) unless that origin is allowed
///   (`--allow-origin`): browsers always send `Origin` on cross-site POSTs (including the
///   `text/plain` ones that need no preflight), agents and curl send none. Allowed origins get
///   CORS headers, and their preflight `OPTIONS` is answered.
async fn browser_guard(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    if state.options.listen.ip().is_loopback() {
        for host in request.headers().get_all(header::HOST) {
            let text = host.to_str().unwrap_or("");
            if !loopback_host(text) {
                return json_response(
                    StatusCode::MISDIRECTED_REQUEST,
                    &error_body(&format!(
                        "Host {:?} refused: vigil serve listens on a loopback address and \
                         answers only Host localhost, 127.0.0.0/8 or [::1] (DNS rebinding \
                         protection)",
                        vigil_contracts::text::ellipsize(text, 100)
                    )),
                );
            }
        }
    }
    if !request.uri().path().starts_with("/v1/") {
        return next.run(request).await;
    }
    let mut allowed_origin = None;
    for origin in request.headers().get_all(header::ORIGIN) {
        let text = origin.to_str().unwrap_or("");
        let listed = state
            .options
            .allow_origins
            .iter()
            .any(|o| o.trim_end_matches('/').eq_ignore_ascii_case(text));
        if !listed {
            return json_response(
                StatusCode::FORBIDDEN,
                &error_body(&format!(
                    "cross-origin request from {:?} refused: /v1/* does not answer browsers \
                     unless their origin is allowed (vigil serve --allow-origin ORIGIN)",
                    vigil_contracts::text::ellipsize(text, 100)
                )),
            );
        }
        allowed_origin = Some(origin.clone());
    }
    let Some(origin) = allowed_origin else {
        return next.run(request).await;
    };
    let mut response = if request.method() == axum::http::Method::OPTIONS {
        let mut r = StatusCode::NO_CONTENT.into_response();
        let h = r.headers_mut();
        h.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            header::HeaderValue::from_static("GET, POST"),
        );
        h.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            header::HeaderValue::from_static("authorization, content-type"),
        );
        h.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            header::HeaderValue::from_static("600"),
        );
        r
    } else {
        next.run(request).await
    };
    let h = response.headers_mut();
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    h.insert(header::VARY, header::HeaderValue::from_static("Origin"));
    response
}

/// Whether the request declares a `Content-Length` over `--body-limit` (refused at once, 413,
/// before any of the body is read).
fn declared_too_large(state: &AppState, headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .is_some_and(|n| n > state.options.body_limit as u64)
}

/// A handling slot ([`ServeOptions::max_in_flight`]), taken once the request's body is in: a
/// request waits for one up to the request time limit, then gets 503 with `Retry-After`.
async fn take_slot(state: &AppState) -> Result<OwnedSemaphorePermit, Refusal> {
    match tokio::time::timeout(
        state.options.timeout,
        state.in_flight.clone().acquire_owned(),
    )
    .await
    {
        Ok(Ok(permit)) => Ok(permit),
        _ => Err(Refusal::Busy(format!(
            "busy: {} requests in flight (--max-in-flight) for longer than {} ms; try again",
            state.options.max_in_flight,
            state.options.timeout.as_millis()
        ))),
    }
}

/// Why a `/v1/*` request was turned away before it was handled: each is counted in
/// `vigil_refusals_total{reason}` and answered with its own status.
#[derive(Debug)]
enum Refusal {
    /// 413: the body is over `--body-limit` (declared or as it arrived).
    BodyTooLarge,
    /// 408: the body did not arrive within [`body_read_timeout`].
    BodyTimeout(Duration),
    /// 400: the connection failed while the body was being read.
    BodyUnreadable(String),
    /// 503: the bodies being received hold the whole body budget.
    BodyBudget(String),
    /// 503: every handling slot stayed taken for the request time limit.
    Busy(String),
}

impl Refusal {
    /// The label of `vigil_refusals_total`.
    fn reason(&self) -> &'static str {
        match self {
            Refusal::BodyTooLarge => "body_too_large",
            Refusal::BodyTimeout(_) => "body_timeout",
            Refusal::BodyUnreadable(_) => "body_unreadable",
            Refusal::BodyBudget(_) => "body_budget",
            Refusal::Busy(_) => "busy",
        }
    }

    fn response(&self, state: &AppState) -> Response {
        let close = |mut r: Response| {
            r.headers_mut().insert(
                header::CONNECTION,
                header::HeaderValue::from_static("close"),
            );
            r
        };
        let retry = |mut r: Response| {
            r.headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
            r
        };
        match self {
            Refusal::BodyTooLarge => body_too_large(state.options.body_limit),
            Refusal::BodyTimeout(deadline) => close(json_response(
                StatusCode::REQUEST_TIMEOUT,
                &error_body(&format!(
                    "the request body did not arrive within {} ms",
                    deadline.as_millis()
                )),
            )),
            Refusal::BodyUnreadable(m) => json_response(StatusCode::BAD_REQUEST, &error_body(m)),
            // The rest of the body is not read: the connection cannot be reused.
            Refusal::BodyBudget(m) => close(retry(json_response(
                StatusCode::SERVICE_UNAVAILABLE,
                &error_body(m),
            ))),
            Refusal::Busy(m) => retry(json_response(
                StatusCode::SERVICE_UNAVAILABLE,
                &error_body(m),
            )),
        }
    }
}

/// A refusal answered and counted (`vigil_requests_total` under `endpoint`, and
/// `vigil_refusals_total`).
fn refuse(state: &AppState, endpoint: &str, refusal: &Refusal) -> Response {
    let response = refusal.response(state);
    state
        .metrics
        .request(endpoint, response.status().as_u16(), Duration::ZERO);
    state.metrics.refusal(refusal.reason());
    tracing::info!(endpoint, reason = refusal.reason(), "refused");
    response
}

fn body_too_large(limit: usize) -> Response {
    let mut r = json_response(
        StatusCode::PAYLOAD_TOO_LARGE,
        &error_body(&format!(
            "body over the limit of {limit} bytes (--body-limit)"
        )),
    );
    r.headers_mut().insert(
        header::CONNECTION,
        header::HeaderValue::from_static("close"),
    );
    r
}

/// The body budget's unit: a body holds one permit per started KiB it has delivered.
const BUDGET_UNIT: usize = 1024;

/// Permits of the body budget for a body of `bytes` (at least one, so every body being read is
/// counted).
fn budget_units(bytes: usize) -> usize {
    bytes.div_ceil(BUDGET_UNIT).max(1)
}

/// The body budget of a server: `max_in_flight × body_limit`, in [`BUDGET_UNIT`]s.
fn body_budget_units(options: &ServeOptions) -> usize {
    options
        .max_in_flight
        .max(1)
        .saturating_mul(budget_units(options.body_limit))
        .clamp(1, tokio::sync::Semaphore::MAX_PERMITS)
}

/// Reads a request body whole, within `--body-limit` and [`body_read_timeout`] in total (not per
/// chunk: a body trickled a byte at a time is cut off at the deadline too).
///
/// The bytes a body holds are taken from the server's body budget as they arrive, never
/// waited for: when the bodies being received hold the whole budget the request is refused at
/// once (503), so memory stays bounded however many clients send, no reader waits on another
/// (no deadlock among half-read bodies), and a client that trickles its body holds a KiB of
/// the budget, not a handling slot (it used to hold one of `--max-in-flight`, locking everyone
/// out until its deadline). The permit returned holds the body's share until it is dropped.
async fn read_body(
    state: &AppState,
    body: axum::body::Body,
) -> Result<(Bytes, OwnedSemaphorePermit), Refusal> {
    use axum::body::HttpBody;
    let limit = state.options.body_limit;
    let deadline = body_read_timeout(state.options.timeout);
    let take = |units: usize| {
        u32::try_from(units)
            .ok()
            .and_then(|n| state.body_budget.clone().try_acquire_many_owned(n).ok())
            .ok_or_else(|| {
                Refusal::BodyBudget(format!(
                    "busy: the request bodies being received hold the whole body budget \
                     ({} KiB = --max-in-flight × --body-limit); try again",
                    body_budget_units(&state.options)
                ))
            })
    };
    let read = async {
        let mut held = take(budget_units(0))?;
        let mut body = std::pin::pin!(body);
        let mut buf = Vec::new();
        while let Some(frame) = std::future::poll_fn(|cx| body.as_mut().poll_frame(cx)).await {
            let frame = frame.map_err(|e| {
                Refusal::BodyUnreadable(format!("cannot read the request body: {e}"))
            })?;
            if let Ok(data) = frame.into_data() {
                let len = buf.len() + data.len();
                if len > limit {
                    return Err(Refusal::BodyTooLarge);
                }
                let more = budget_units(len) - held.num_permits();
                if more > 0 {
                    held.merge(take(more)?);
                }
                buf.extend_from_slice(&data);
            }
        }
        Ok((Bytes::from(buf), held))
    };
    match tokio::time::timeout(deadline, read).await {
        Ok(result) => result,
        Err(_) => Err(Refusal::BodyTimeout(deadline)),
    }
}

/// A `/v1/*` POST: a declared oversized body refused at once, the body read (within its
/// deadline and the body budget), a handling slot taken, then the records handled.
async fn admit_and_handle(
    state: Arc<AppState>,
    endpoint: &'static str,
    request: Request,
) -> Response {
    if declared_too_large(&state, request.headers()) {
        return refuse(&state, endpoint, &Refusal::BodyTooLarge);
    }
    let (body, _body_share) = match read_body(&state, request.into_body()).await {
        Ok(read) => read,
        Err(refusal) => return refuse(&state, endpoint, &refusal),
    };
    let _slot = match take_slot(&state).await {
        Ok(slot) => slot,
        Err(refusal) => return refuse(&state, endpoint, &refusal),
    };
    handle(state, endpoint, body).await
}

macro_rules! endpoint {
    ($name:literal) => {
        post(
            |State(state): State<Arc<AppState>>, request: Request| async move {
                admit_and_handle(state, $name, request).await
            },
        )
    };
}

/// The router: `POST /v1/{endpoint}` (bearer token when configured), `GET /v1/baseline/{agent}`,
/// `GET /healthz`, `GET /readyz`, `GET /metrics`; browser requests refused ([`ServeOptions`]'s
/// `allow_origins`, and `Host` on loopback); `/v1/*` bodies read within the body budget and
/// handled at most `max_in_flight` at a time ([`read_body`], [`take_slot`]).
pub fn router(state: Arc<AppState>) -> Router {
    let limit = state.options.body_limit;
    let v1 = Router::new()
        .route("/v1/task-signal", endpoint!("task-signal"))
        .route("/v1/normalize", endpoint!("normalize"))
        .route("/v1/anomaly", endpoint!("anomaly"))
        .route("/v1/plan-risk", endpoint!("plan-risk"))
        .route("/v1/injection", endpoint!("injection"))
        .route("/v1/preflight", endpoint!("preflight"))
        .route("/v1/baseline", endpoint!("baseline"))
        .route("/v1/baseline/{agent}", get(baseline_log))
        .route_layer(middleware::from_fn_with_state(state.clone(), auth));
    Router::new()
        .merge(v1)
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .layer(DefaultBodyLimit::max(limit))
        .layer(middleware::from_fn_with_state(state.clone(), browser_guard))
        .with_state(state)
}

/// How long a request body may take to arrive, in total: the request timeout, and never less
/// than [`MIN_BODY_READ`] (a short processing limit must not refuse a large body on a slow
/// link). The request head has the same limit ([`crate::listener::serve_connections`]), and
/// shutdown waits at most this long for open connections.
pub fn body_read_timeout(request_timeout: Duration) -> Duration {
    request_timeout.max(MIN_BODY_READ)
}

/// The shortest time a request body is given to arrive ([`body_read_timeout`]).
pub const MIN_BODY_READ: Duration = Duration::from_secs(5);

/// Serves until SIGTERM or Ctrl-C, then finishes the requests in flight (for at most
/// [`body_read_timeout`], then closes the connections still open).
pub async fn serve(options: ServeOptions) -> Result<()> {
    let listen = options.listen;
    let state = Arc::new(AppState::new(options)?);
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|source| Error::Io {
            context: format!("cannot listen on {listen}"),
            source,
        })?;
    let local = listener.local_addr().map_err(|source| Error::Io {
        context: "cannot read the listening address".into(),
        source,
    })?;
    tracing::warn!(
        "vigil serve: listening on http://{local} (state: {})",
        state.baselines.describe()
    );
    serve_on(listener, state, shutdown_signal()).await;
    tracing::warn!("vigil serve: stopped");
    Ok(())
}

/// Serves `state` on a bound `listener` until `shutdown` resolves: the guarded listener
/// ([`crate::listener`]), a hard deadline on every request head, and a bounded graceful stop.
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    state: Arc<AppState>,
    shutdown: impl std::future::Future<Output = ()> + Send,
) {
    let deadline = body_read_timeout(state.options.timeout);
    let listener = crate::listener::GuardedListener::new(
        listener,
        state.options.max_connections,
        // Never shorter than a request may take to be answered.
        state.options.idle_timeout.max(state.options.timeout),
    );
    crate::listener::serve_connections(listener, router(state), deadline, deadline, shutdown).await;
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A request that finds every handling slot taken waits for one up to the request time
    /// limit, then is refused as busy (503, `Retry-After`), counted in `/metrics`; a slot that
    /// comes free within the limit is taken.
    #[tokio::test]
    async fn a_request_waits_for_a_slot_up_to_the_time_limit() {
        let dir = tempfile::tempdir().unwrap();
        let state = AppState::new(ServeOptions {
            state: StateLocation::Dir(dir.path().into()),
            timeout: Duration::from_millis(300),
            max_in_flight: 1,
            ..ServeOptions::default()
        })
        .unwrap();
        let held = take_slot(&state).await.unwrap();
        let started = Instant::now();
        let refusal = take_slot(&state).await.unwrap_err();
        assert!(started.elapsed() >= Duration::from_millis(300));
        assert_eq!(refusal.reason(), "busy");
        let response = refuse(&state, "task-signal", &refusal);
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.headers()[header::RETRY_AFTER], "1");
        assert_eq!(state.metrics.refusals("busy"), 1);
        assert_eq!(state.metrics.requests("task-signal", 503), 1);
        // Freed within the limit: taken.
        let release = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(100)).await;
            drop(held);
        });
        assert!(take_slot(&state).await.is_ok());
        release.await.unwrap();
    }

    #[test]
    fn the_body_budget_is_max_in_flight_bodies_in_kib() {
        assert_eq!(budget_units(0), 1);
        assert_eq!(budget_units(1024), 1);
        assert_eq!(budget_units(1025), 2);
        let options = ServeOptions {
            max_in_flight: 3,
            body_limit: 4 * 1024 * 1024 + 1,
            ..ServeOptions::default()
        };
        assert_eq!(body_budget_units(&options), 3 * 4097);
        let huge = ServeOptions {
            max_in_flight: usize::MAX,
            body_limit: usize::MAX,
            ..ServeOptions::default()
        };
        assert_eq!(
            body_budget_units(&huge),
            tokio::sync::Semaphore::MAX_PERMITS
        );
    }

    fn entry() -> AgentEntry {
        let clock = ManualClock::earliest();
        AgentEntry {
            monitor: AgentMonitor::new(
                EventDetectorParams::default(),
                LearnerParams::default(),
                clock.clone(),
            )
            .unwrap(),
            clock,
            loaded: false,
            appended: 0,
        }
    }

    #[test]
    fn the_agent_cache_is_bounded_and_keeps_the_recently_used() {
        let mut cache = AgentCache::default();
        let first = cache.get_or_insert("agent-0", entry);
        for i in 1..MAX_CACHED_AGENTS {
            cache.get_or_insert(&format!("agent-{i}"), entry);
        }
        assert_eq!(cache.entries.len(), MAX_CACHED_AGENTS);
        // agent-0 is used again, so agent-1 is now the oldest.
        assert!(Arc::ptr_eq(&cache.get_or_insert("agent-0", entry), &first));
        for i in 0..5 * MAX_CACHED_AGENTS {
            cache.get_or_insert(&format!("new-{i}"), entry);
            assert!(cache.entries.len() <= MAX_CACHED_AGENTS);
        }
        assert!(!cache.entries.contains_key("agent-1"));
        // The most recent ones are all there.
        let last = 5 * MAX_CACHED_AGENTS - 1;
        assert!((last - 100..=last).all(|i| cache.entries.contains_key(&format!("new-{i}"))));
        let before = cache.entries.len();
        cache.evict_oldest(10);
        assert_eq!(cache.entries.len(), before - 10);
        let mut empty = AgentCache::default();
        empty.evict_oldest(3);
        assert!(empty.entries.is_empty());
    }
}
