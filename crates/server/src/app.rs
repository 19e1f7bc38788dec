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
}

fn bad(e: &anyhow::Error) -> Failure {
    Failure::Bad(diagnostics::chain(e))
}

fn baseline_failure(e: vigil_isolation_baseline::Error) -> Failure {
    use vigil_isolation_baseline::Error as E;
    match e {
        E::Unavailable(m) => Failure::Unavailable(format!("baseline store unavailable: {m}")),
        E::Io { .. } => Failure::Unavailable(e.to_string()),
        other => Failure::Bad(other.to_string()),
    }
}

fn session_failure(e: vigil_plan_risk::Error) -> Failure {
    match e {
        vigil_plan_risk::Error::SessionUnavailable(_) | vigil_plan_risk::Error::SessionStore(_) => {
            Failure::Unavailable(e.to_string())
        }
        other => Failure::Bad(other.to_string()),
    }
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
        "baseline" => baseline_record(state, record).await,
        "plan-risk" => {
            let (plan, session) = records::plan_with_session(record).map_err(|e| bad(&e))?;
            let assessment = match session {
                Some(id) => session_store::assess_turn(
                    state.sessions.as_ref(),
                    &state.engines.plan,
                    &id,
                    &plan,
                )
                .await
                .map_err(session_failure)?,
                // Off the async workers: a plan at the body limit takes a few hundred
                // milliseconds, which would stall every other request on this 2-thread runtime.
                None => {
                    let engines = state.engines.clone();
                    tokio::task::spawn_blocking(move || engines.plan.assess(&plan))
                        .await
                        .map_err(|e| Failure::Bad(format!("internal error: {e}")))?
                }
            };
            records::assessment_output(&assessment).map_err(|e| bad(&e))
        }
        _ => {
            let engines = state.engines.clone();
            let (endpoint, record) = (endpoint.to_owned(), record.to_owned());
            tokio::task::spawn_blocking(move || engines.stateless(&endpoint, &record))
                .await
                .map_err(|e| Failure::Bad(format!("internal error: {e}")))?
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
fn stopped_part_way(message: &str, processed: usize) -> Response {
    json_response(
        StatusCode::SERVICE_UNAVAILABLE,
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
                    Err(Failure::Unavailable(m)) => return stopped_part_way(&m, i),
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
                Err(Failure::Bad(m)) => json_response(StatusCode::BAD_REQUEST, &error_body(&m)),
                Err(Failure::Unavailable(m)) => {
                    json_response(StatusCode::SERVICE_UNAVAILABLE, &error_body(&m))
                }
            }
        }
    };
    let response = match tokio::time::timeout(state.options.timeout, work).await {
        Ok(r) => r,
        Err(_) => stopped_part_way(
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
    match (b, s) {
        (Ok(()), Ok(())) => json_response(StatusCode::OK, &json!({"status": "ready"})),
        (Err(e), _) => json_response(
            StatusCode::SERVICE_UNAVAILABLE,
            &json!({"status": "unavailable", "error": {"message": e.to_string()}}),
        ),
        (_, Err(e)) => json_response(
            StatusCode::SERVICE_UNAVAILABLE,
            &json!({"status": "unavailable", "error": {"message": e.to_string()}}),
        ),
    }
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
    match state.baselines.read_log(&agent).await {
        Ok(log) => json_response(
            StatusCode::OK,
            &json!({"agent_id": agent, "log_events": log.events.len(), "log_version": log.version}),
        ),
        Err(e) => match baseline_failure(e) {
            Failure::Bad(m) => json_response(StatusCode::BAD_REQUEST, &error_body(&m)),
            Failure::Unavailable(m) => {
                json_response(StatusCode::SERVICE_UNAVAILABLE, &error_body(&m))
            }
        },
    }
}

/// Constant-time comparison of the presented token.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
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
            .and_then(|v| v.strip_prefix("Bearer "));
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

macro_rules! endpoint {
    ($name:literal) => {
        post(
            |State(state): State<Arc<AppState>>, body: Bytes| async move {
                handle(state, $name, body).await
            },
        )
    };
}

/// The router: `POST /v1/{endpoint}` (bearer token when configured), `GET /v1/baseline/{agent}`,
/// `GET /healthz`, `GET /readyz`, `GET /metrics`.
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
        // A body must arrive in time: a client that sends its headers and then trickles (or
        // withholds) the body is refused and its connection freed, instead of holding it open
        // for as long as it likes.
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
            body_read_timeout(state.options.timeout),
        ))
        .with_state(state)
}

/// How long a request body may take to arrive: the request timeout, and never less than
/// [`MIN_BODY_READ`] (a short processing limit must not refuse a large body on a slow link).
pub fn body_read_timeout(request_timeout: Duration) -> Duration {
    request_timeout.max(MIN_BODY_READ)
}

/// The shortest time a request body is given to arrive ([`body_read_timeout`]).
pub const MIN_BODY_READ: Duration = Duration::from_secs(5);

/// Serves until SIGTERM or Ctrl-C, then finishes the requests in flight.
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
    let listener = crate::listener::GuardedListener::new(
        listener,
        state.options.max_connections,
        // Never shorter than a request may take to be answered.
        state.options.idle_timeout.max(state.options.timeout),
    );
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|source| Error::Io {
            context: "server failed".into(),
            source,
        })?;
    tracing::warn!("vigil serve: stopped");
    Ok(())
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
