//! `vigil baseline`: per-agent behavioural baselines (harombe's detector and learner).
//!
//! `--train FILE` fits one model per `agent_id` (default `default`) on a JSON Lines file of
//! `AgentEvent`s; `--store [DIR]` loads agents from (and, with `--train`, saves them to) a
//! directory of artifacts. Each input event then gets harombe's `AnomalyResult` plus
//! `"baseline"` (the learner's factors and their combined score) and `"components"` (the evidence
//! behind the combined score).
//!
//! "Now" for the learner's window is `--now` when given; otherwise an event-time clock: the newest
//! event seen so far (training, stored or input), so replaying old logs behaves like live use.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Args;
use serde_json::{Map, Value, json};
use vigil_contracts::{AgentEvent, from_json_str};
use vigil_isolation_baseline::{
    AgentMonitor, AgentSnapshot, BaselineStore, Error, EventDetectorParams, LearnerParams,
    ManualClock, ScoreMode, TrainOutcome, clock::parse_time,
};

use crate::io::Io;

/// Agent id of events without one.
const DEFAULT_AGENT: &str = "default";

/// Arguments of `vigil baseline`.
#[derive(Debug, Args)]
pub struct BaselineArgs {
    /// Train on this JSON Lines file of AgentEvents, one model per agent_id (default `default`).
    #[arg(long, value_name = "FILE")]
    train: Option<PathBuf>,
    /// Load agents from DIR, and save the agents trained with --train there
    /// [default: ~/.vigil/baselines].
    #[arg(long, value_name = "DIR", num_args = 0..=1, default_missing_value = "")]
    store: Option<PathBuf>,
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
    let store = match &args.store {
        None => None,
        Some(dir) if dir.as_os_str().is_empty() => Some(BaselineStore::new(
            BaselineStore::default_dir()
                .context("no home directory for the default store; pass --store DIR")?,
        )),
        Some(dir) => Some(BaselineStore::new(dir)),
    };
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
        for (agent, events) in &groups {
            match monitor.train(agent, events) {
                Ok(TrainOutcome::Trained { events }) => {
                    eprintln!("vigil baseline: trained {agent} on {events} events");
                }
                Ok(TrainOutcome::InsufficientData { events, needed }) => eprintln!(
                    "vigil baseline: Insufficient training data for {agent}: {events} (need {needed})"
                ),
                Err(e) => eprintln!("vigil baseline: cannot train {agent}: {e}"),
            }
            if let Some(store) = &store {
                if monitor.detector().has_model(agent) {
                    match monitor.save(agent, store) {
                        Ok(p) => eprintln!("vigil baseline: saved {agent} to {}", p.display()),
                        Err(e) => eprintln!("vigil baseline: cannot save {agent}: {e}"),
                    }
                }
            }
            ready.insert(agent.clone(), Ok(()));
        }
    }

    args.io.run(|_, line| {
        let event: AgentEvent = from_json_str(line)?;
        let agent = event
            .agent_id
            .clone()
            .unwrap_or_else(|| DEFAULT_AGENT.to_owned());
        if follow_events {
            clock.advance_to(event.timestamp);
        }
        if !ready.contains_key(&agent) {
            let status = match &store {
                Some(store) => load_agent(&mut monitor, store, &agent, &clock, follow_events),
                None => Ok(()),
            };
            ready.insert(agent.clone(), status);
        }
        if let Some(Err(message)) = ready.get(&agent) {
            bail!("{message}");
        }
        let verdict = monitor.check(&agent, &event);
        let mut out = match serde_json::to_value(&verdict.result)? {
            Value::Object(map) => map,
            other => bail!("unexpected result shape {other}"),
        };
        let mut baseline: Map<String, Value> = verdict
            .baseline
            .factors
            .iter()
            .map(|(k, v)| (k.clone(), json!(v)))
            .collect();
        if let Some(c) = verdict.baseline.combined {
            baseline.insert("combined".into(), json!(c));
        }
        out.insert("baseline".into(), Value::Object(baseline));
        if let Some(scores) = verdict.scores {
            let components: Map<String, Value> = scores
                .components
                .named()
                .iter()
                .map(|(k, v)| ((*k).to_owned(), json!(v)))
                .collect();
            out.insert("components".into(), Value::Object(components));
            out.insert("reference_score".into(), json!(scores.reference.score));
        }
        Ok(Value::Object(out))
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
                "vigil baseline: {}:{line_no}: {message} (line skipped)",
                path.display()
            ),
        }
    }
    Ok(groups)
}

/// Loads an agent from the store; a missing file is not an error (the agent has no model).
fn load_agent(
    monitor: &mut AgentMonitor,
    store: &BaselineStore,
    agent: &str,
    clock: &ManualClock,
    follow_events: bool,
) -> Result<(), String> {
    let snapshot: AgentSnapshot = match store.load(agent) {
        Ok(s) => s,
        Err(Error::NoSavedModel(_)) => return Ok(()),
        Err(e) => return Err(e.to_string()),
    };
    if follow_events {
        if let Some(newest) = snapshot.history.iter().map(|e| e.timestamp).max() {
            clock.advance_to(newest);
        }
    }
    monitor.restore(snapshot).map_err(|e| e.to_string())
}
