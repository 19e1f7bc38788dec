//! `vigil baseline`: per-agent behavioural baselines (harombe's detector and learner).
//!
//! `--train FILE` fits one model per `agent_id` (default `default`) on a JSON Lines file of
//! `AgentEvent`s; `--store [DIR|redis://…]` loads agents from a store (a directory, or Redis
//! shared by many processes) and, with `--train`, **adds** the training events to each agent's
//! event log there and refits on the whole log (see `vigil_isolation_baseline::store`): training
//! again accumulates, and concurrent trainers never lose each other's events. An agent that
//! cannot be saved stops the run with status 2 before any input is read. Each input event then gets harombe's `AnomalyResult` plus `"baseline"` (the
//! learner's factors and their combined score) and `"components"` (the evidence behind the
//! combined score). Agent ids in log lines are escaped and cut ([`crate::diagnostics`]).
//!
//! "Now" for the learner's window is `--now` when given; otherwise an event-time clock: the newest
//! event of the training log that is not an outlier dated far ahead of the rest
//! (`store::event_time_now`), then the newest input event, so replaying old logs behaves like
//! live use.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Args;
use vigil_contracts::{AgentEvent, from_json_str};
use vigil_isolation_baseline::store::{self as bstore, EventLog};
use vigil_isolation_baseline::{
    AgentMonitor, BaselineStore, Error, EventDetectorParams, FileStore, LearnerParams, ManualClock,
    RedisStore, ScoreMode, StoredEvent, TrainOutcome, clock::parse_time,
};
use vigil_server::records::{self, DEFAULT_AGENT};

use crate::diagnostics;
use crate::io::Io;

/// Arguments of `vigil baseline`.
#[derive(Debug, Args)]
pub struct BaselineArgs {
    /// Train on this JSON Lines file of AgentEvents, one model per agent_id (default `default`).
    #[arg(long, value_name = "FILE")]
    train: Option<PathBuf>,
    /// Load agents from DIR or a Redis URL (redis://host:port/db), and add the events of
    /// --train to each agent's log there (training accumulates; concurrent trainers lose
    /// nothing); `--store` alone means the default directory [default: ~/.vigil/baselines]. An
    /// agent that cannot be saved stops the run (exit status 2).
    #[arg(long, value_name = "DIR|URL", num_args = 0..=1)]
    store: Option<Option<String>>,
    /// Key prefix in a Redis store, one per deployment.
    #[arg(long, value_name = "PREFIX", default_value = "vigil:")]
    store_prefix: String,
    /// Report harombe's score (forest s(x), contamination offset) instead of the combined score.
    #[arg(long)]
    reference: bool,
    /// The learner's "now" (RFC 3339); default: the newest event seen so far.
    #[arg(long, value_name = "TIME")]
    now: Option<String>,
    /// Days of history the learner keeps.
    #[arg(long, default_value_t = 30)]
    window_days: i64,
    /// Events the learner needs for a baseline.
    #[arg(long, default_value_t = 100)]
    min_samples: usize,
    #[command(flatten)]
    io: Io,
}

/// Runs `vigil baseline`.
pub fn run(args: BaselineArgs) -> anyhow::Result<bool> {
    if args.train.is_none() && args.store.is_none() {
        bail!("nothing to compare against: give --train FILE, --store [DIR] or both");
    }
    let store: Option<Box<dyn BaselineStore>> = match &args.store {
        None => None,
        Some(None) => Some(Box::new(FileStore::new(
            FileStore::default_dir()
                .context("no home directory for the default store; pass --store DIR")?,
        ))),
        Some(Some(place)) => Some(open_store(place, &args.store_prefix)?),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let fixed_now = match &args.now {
        Some(t) => Some(parse_time(t).context("--now")?),
        None => None,
    };
    let clock = fixed_now.map_or_else(ManualClock::earliest, ManualClock::new);
    let detector = EventDetectorParams {
        mode: if args.reference {
            ScoreMode::Reference
        } else {
            ScoreMode::Combined
        },
        ..EventDetectorParams::default()
    };
    let learner = LearnerParams {
        window_days: args.window_days,
        min_samples: args.min_samples,
    };
    let mut monitor = AgentMonitor::new(detector, learner, clock.clone())?;
    let follow_events = fixed_now.is_none();

    // Agents already in memory (trained, or loaded from the store).
    let mut ready: BTreeMap<String, Result<(), String>> = BTreeMap::new();
    if let Some(path) = &args.train {
        let groups = read_training_file(path)?;
        if follow_events {
            if let Some(newest) = groups.values().flatten().map(|e| e.timestamp).max() {
                clock.advance_to(newest);
            }
        }
        let mut unsaved = 0;
        for (agent, events) in &groups {
            let shown = diagnostics::agent(agent);
            let trained = match &store {
                Some(store) => runtime
                    .block_on(bstore::train(
                        store.as_ref(),
                        &mut monitor,
                        &clock,
                        fixed_now,
                        agent,
                        events,
                    ))
                    .map(|r| (r.outcome, r.log_events, r.future_events)),
                None => {
                    let log = EventLog {
                        events: events.iter().map(StoredEvent::from).collect(),
                        version: String::new(),
                    };
                    bstore::fit_log(&mut monitor, &clock, fixed_now, agent, &log)
                        .map(|(o, future, _)| (o, events.len(), future))
                }
            };
            match trained {
                Ok((outcome, log_events, future)) => {
                    if future > 0 {
                        eprintln!(
                            "vigil baseline: {shown}: {future} event{} dated after the others left out of the baseline",
                            if future == 1 { "" } else { "s" }
                        );
                    }
                    match outcome {
                        TrainOutcome::Trained { events } => {
                            eprintln!("vigil baseline: trained {shown} on {events} events");
                        }
                        TrainOutcome::InsufficientData { events, needed } => eprintln!(
                            "vigil baseline: Insufficient training data for {shown}: {events} (need {needed})"
                        ),
                    }
                    if let Some(store) = &store {
                        eprintln!(
                            "vigil baseline: saved {shown} to {} ({log_events} events in its log)",
                            diagnostics::message(&store.describe())
                        );
                    }
                }
                Err(
                    e @ (Error::InvalidAgentId { .. }
                    | Error::Io { .. }
                    | Error::Unavailable(_)
                    | Error::Artifact(_)),
                ) if store.is_some() => {
                    unsaved += 1;
                    eprintln!("vigil baseline: cannot save {shown}: {}", store_error(&e));
                }
                Err(e) => eprintln!(
                    "vigil baseline: cannot train {shown}: {}",
                    diagnostics::message(&e.to_string())
                ),
            }
            ready.insert(agent.clone(), Ok(()));
        }
        if let (Some(store), 1..) = (&store, unsaved) {
            bail!(
                "{unsaved} trained agent{} could not be saved to {}",
                if unsaved == 1 { "" } else { "s" },
                store.describe()
            );
        }
    }

    args.io.run(|_, line| {
        let (agent, event) = records::agent_event(line)?;
        if follow_events {
            clock.advance_to(event.timestamp);
        }
        if !ready.contains_key(&agent) {
            let status = match &store {
                Some(store) => runtime
                    .block_on(bstore::load(
                        store.as_ref(),
                        &mut monitor,
                        &clock,
                        fixed_now,
                        &agent,
                    ))
                    .map(|_| ())
                    .map_err(|e| store_error(&e)),
                None => Ok(()),
            };
            ready.insert(agent.clone(), status);
        }
        if let Some(Err(message)) = ready.get(&agent) {
            bail!("{message}");
        }
        let verdict = monitor.check(&agent, &event);
        records::baseline_output(&verdict)
    })
}

/// Reads the training file, reporting bad lines on stderr with their number and skipping them.
fn read_training_file(path: &PathBuf) -> anyhow::Result<BTreeMap<String, Vec<AgentEvent>>> {
    let file = File::open(path)
        .with_context(|| format!("cannot open training file {}", path.display()))?;
    let mut groups: BTreeMap<String, Vec<AgentEvent>> = BTreeMap::new();
    for (i, line) in BufReader::new(file).split(b'\n').enumerate() {
        let line_no = i + 1;
        let bytes =
            line.with_context(|| format!("cannot read training file {}", path.display()))?;
        let parsed = match std::str::from_utf8(&bytes) {
            Err(e) => Err(format!(
                "line is not valid UTF-8 (invalid byte at offset {})",
                e.valid_up_to()
            )),
            Ok(text) if text.trim().is_empty() => continue,
            Ok(text) => {
                from_json_str::<AgentEvent>(text.trim_end_matches('\r')).map_err(|e| e.to_string())
            }
        };
        match parsed {
            Ok(event) => {
                let agent = event
                    .agent_id
                    .clone()
                    .unwrap_or_else(|| DEFAULT_AGENT.to_owned());
                groups.entry(agent).or_default().push(event);
            }
            Err(message) => eprintln!(
                "vigil baseline: {}:{line_no}: {} (line skipped)",
                diagnostics::message(&path.display().to_string()),
                diagnostics::message(&message)
            ),
        }
    }
    Ok(groups)
}

/// Why an agent could not be saved or loaded, for a log line or an error record: an id the store
/// refuses is shown escaped and cut short, anything else escaped.
fn store_error(e: &Error) -> String {
    match e {
        Error::InvalidAgentId { id, reason } => {
            format!("invalid agent id \"{}\": {reason}", diagnostics::agent(id))
        }
        other => diagnostics::message(&other.to_string()),
    }
}

/// A store from `--store`: a `redis://` or `rediss://` URL, otherwise a directory.
pub fn open_store(place: &str, prefix: &str) -> anyhow::Result<Box<dyn BaselineStore>> {
    if place.starts_with("redis://") || place.starts_with("rediss://") {
        Ok(Box::new(RedisStore::new(place, prefix)?))
    } else {
        Ok(Box::new(FileStore::new(PathBuf::from(place))))
    }
}
