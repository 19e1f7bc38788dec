//! harombe's `BaselineLearner`: statistical per-agent baselines over a rolling window.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use chrono::{DateTime, Datelike, Duration, FixedOffset, Timelike};
use serde::{Deserialize, Serialize};
use vigil_contracts::AgentEvent;

use crate::clock::{Clock, SystemClock};
use crate::{Error, Result};

/// Hyperparameters of [`BaselineLearner`], with harombe's defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LearnerParams {
    /// Events older than this many days are dropped (30).
    pub window_days: i64,
    /// Fewer events than this give no baseline (100).
    pub min_samples: usize,
}

impl Default for LearnerParams {
    fn default() -> Self {
        LearnerParams {
            window_days: 30,
            min_samples: 100,
        }
    }
}

impl LearnerParams {
    /// Checks every value is usable.
    pub fn check(&self) -> Result<()> {
        if !(1..=36_500).contains(&self.window_days) {
            return Err(Error::param(
                "window_days",
                self.window_days,
                "between 1 and 36500",
            ));
        }
        if self.min_samples == 0 {
            return Err(Error::param("min_samples", 0, "at least 1"));
        }
        Ok(())
    }
}

/// Mean and population standard deviation of `values` after each is clamped into Tukey's
/// far-out fences, `[Q1 − 3·IQR, Q3 + 3·IQR]` (when the quartiles coincide, into the values
/// at the 1st and 99th percentile ranks) — fix 4: harombe takes the raw mean and std, so one
/// event with `duration_ms` 1.7e308 (or a `resource_count` of 2⁶³ − 1) among a hundred
/// ordinary ones made the std so large that every later event, however extreme, read as
/// usual (duration factor 1.0 → 0.0). The fences move only values more than about 4.7 standard
/// deviations out on normal data, and hold while fewer than a quarter of the events are
/// extreme. Memory: one sorted copy of the values.
fn fenced_mean_std(mut values: Vec<f64>) -> (f64, f64) {
    if values.is_empty() {
        return (0.0, 0.0);
    }
    let mut sorted = values.clone();
    sorted.sort_by(f64::total_cmp);
    let at = |q: f64| {
        let rank = q * (sorted.len() - 1) as f64;
        let (lo, hi) = (rank.floor() as usize, rank.ceil() as usize);
        sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo as f64)
    };
    let (q1, q3) = (at(0.25), at(0.75));
    let iqr = q3 - q1;
    let (low, high) = if iqr > 0.0 && iqr.is_finite() {
        (q1 - 3.0 * iqr, q3 + 3.0 * iqr)
    } else {
        let n = sorted.len() - 1;
        (
            sorted[(0.01 * n as f64).floor() as usize],
            sorted[(0.99 * n as f64).ceil() as usize],
        )
    };
    // `max`/`min`, not `clamp`: no panic should a NaN reach here.
    values.iter_mut().for_each(|v| *v = v.max(low).min(high));
    let total = values.len() as f64;
    // Summed over the clamped values, which lie within the fences: no overflow.
    let mean = values.iter().map(|v| v / total).sum::<f64>();
    let var = values
        .iter()
        .map(|v| (v - mean).powi(2) / total)
        .sum::<f64>();
    (mean, var.sqrt())
}

/// What an agent's normal behaviour looks like (harombe's `BehavioralPattern`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BehavioralPattern {
    /// Share of events per local hour (24 values summing to 1).
    pub hourly_distribution: Vec<f64>,
    /// Share of events per weekday, index 0 = Monday (7 values summing to 1).
    pub daily_distribution: Vec<f64>,
    /// Mean resource count.
    pub avg_resources_per_event: f64,
    /// Population std of the resource count.
    pub std_resources_per_event: f64,
    /// Event type → share of events.
    pub common_event_types: BTreeMap<String, f64>,
    /// Mean duration.
    pub avg_event_duration_ms: f64,
    /// Population std of the duration.
    pub std_event_duration_ms: f64,
    /// 3600 / mean gap between time-sorted events; `None` when all events share one instant
    /// (harombe divides by zero there, and goes negative for newest-first histories).
    pub avg_events_per_hour: Option<f64>,
}

/// A learned baseline (harombe's `BehavioralBaseline`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BehavioralBaseline {
    /// The agent.
    pub agent_id: String,
    /// When it was computed (the injected clock).
    pub learned_at: DateTime<FixedOffset>,
    /// Events it was computed from.
    pub event_count: usize,
    /// The window it covers.
    pub time_window_days: i64,
    /// The statistics.
    pub pattern: BehavioralPattern,
}

/// Per-factor deviations of one event from the baseline, and a combined score.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Deviation {
    /// harombe's factors: `temporal`, `event_type` always; `resource`, `duration` when their
    /// std is above 0. Empty when there is no baseline.
    pub factors: BTreeMap<String, f64>,
    /// `max(resource, duration, type rarity relative to the seen types, ½ · time rarity relative
    /// to uniform)`; `None` when there is no baseline. Unlike `temporal` and `event_type`, which
    /// sit near 0.95 and 0.67 for normal events, both relative terms are 0 for a slot or type at
    /// least as common as average, so the combined value stays low for normal events.
    pub combined: Option<f64>,
}

/// Rolling per-agent statistics (harombe's `BaselineLearner`).
///
/// ```
/// use vigil_isolation_baseline::{BaselineLearner, LearnerParams, ManualClock};
/// let now = chrono::DateTime::parse_from_rfc3339("2026-11-20T12:00:00Z").unwrap();
/// let clock = ManualClock::new(now);
/// let params = LearnerParams { window_days: 7, min_samples: 10 };
/// let mut learner = BaselineLearner::with_clock(params, clock).unwrap();
/// // 200 events, one every 20 minutes over the last three days.
/// for i in 0..200 {
///     learner.record_event("a1", vigil_contracts::AgentEvent {
///         agent_id: None,
///         timestamp: now - chrono::Duration::minutes(20 * (200 - i)),
///         event_type: if i % 3 == 0 { "api_call" } else { "tool_call" }.into(),
///         resource_count: 2 + i % 3,
///         duration_ms: 300.0,
///         success: true,
///         extra: Default::default(),
///     });
/// }
/// assert!(learner.compute_baseline("a1").is_some());
/// ```
#[derive(Debug, Clone)]
pub struct BaselineLearner {
    params: LearnerParams,
    clock: Arc<dyn Clock>,
    baselines: BTreeMap<String, BehavioralBaseline>,
    history: BTreeMap<String, VecDeque<AgentEvent>>,
}

impl BaselineLearner {
    /// A learner on the wall clock.
    pub fn new(params: LearnerParams) -> Result<Self> {
        Self::with_clock(params, SystemClock)
    }

    /// A learner on an injected clock.
    pub fn with_clock(params: LearnerParams, clock: impl Clock + 'static) -> Result<Self> {
        params.check()?;
        Ok(BaselineLearner {
            params,
            clock: Arc::new(clock),
            baselines: BTreeMap::new(),
            history: BTreeMap::new(),
        })
    }

    /// The parameters.
    pub fn params(&self) -> &LearnerParams {
        &self.params
    }

    /// The clock's current time.
    pub fn now(&self) -> DateTime<FixedOffset> {
        self.clock.now()
    }

    /// Cached baselines.
    pub fn baselines(&self) -> &BTreeMap<String, BehavioralBaseline> {
        &self.baselines
    }

    /// The agent's recorded events, oldest first.
    pub fn history(&self, agent_id: &str) -> impl ExactSizeIterator<Item = &AgentEvent> {
        static EMPTY: VecDeque<AgentEvent> = VecDeque::new();
        self.history.get(agent_id).unwrap_or(&EMPTY).iter()
    }

    /// Records an event, then drops events not newer than `now − window_days`.
    ///
    /// The history is kept in time order, so an in-order event is a push at the back and
    /// pruning pops from the front: O(1) amortized (harombe rebuilt the list: 6.9 s for 5,000).
    /// A late event is inserted at its place by binary search.
    pub fn record_event(&mut self, agent_id: &str, event: AgentEvent) {
        let cutoff = self.clock.now() - Duration::days(self.params.window_days);
        let history = match self.history.get_mut(agent_id) {
            Some(h) => h,
            None => self.history.entry(agent_id.to_owned()).or_default(),
        };
        match history.back() {
            Some(last) if event.timestamp < last.timestamp => {
                let at = history.partition_point(|e| e.timestamp <= event.timestamp);
                history.insert(at, event);
            }
            _ => history.push_back(event),
        }
        while history.front().is_some_and(|e| e.timestamp <= cutoff) {
            history.pop_front();
        }
    }

    /// Computes and caches the agent's baseline; `None` with fewer than `min_samples` events.
    pub fn compute_baseline(&mut self, agent_id: &str) -> Option<&BehavioralBaseline> {
        let history = self.history.get(agent_id)?;
        let n = history.len();
        if n < self.params.min_samples || n == 0 {
            return None;
        }
        let total = n as f64;
        let mut hours = [0.0; 24];
        let mut days = [0.0; 7];
        let mut types: BTreeMap<String, f64> = BTreeMap::new();
        for e in history {
            hours[e.timestamp.hour() as usize] += 1.0;
            days[e.timestamp.weekday().num_days_from_monday() as usize] += 1.0;
            *types.entry(e.event_type.clone()).or_default() += 1.0;
        }
        let (rc_mean, rc_std) =
            fenced_mean_std(history.iter().map(|e| e.resource_count as f64).collect());
        let (dur_mean, dur_std) = fenced_mean_std(history.iter().map(|e| e.duration_ms).collect());
        types.values_mut().for_each(|c| *c /= total);
        // The history is time-sorted, so the mean gap is the span over n − 1 (fix 3).
        let rate = match (history.front(), history.back()) {
            (Some(first), Some(last)) if n >= 2 => {
                let span = (last.timestamp - first.timestamp).num_milliseconds() as f64 / 1000.0;
                let mean_gap = span / (n - 1) as f64;
                (mean_gap > 0.0).then(|| 3600.0 / mean_gap)
            }
            _ => None,
        };
        let baseline = BehavioralBaseline {
            agent_id: agent_id.to_owned(),
            learned_at: self.clock.now(),
            event_count: n,
            time_window_days: self.params.window_days,
            pattern: BehavioralPattern {
                hourly_distribution: hours.iter().map(|c| c / total).collect(),
                daily_distribution: days.iter().map(|c| c / total).collect(),
                avg_resources_per_event: rc_mean,
                std_resources_per_event: rc_std,
                common_event_types: types,
                avg_event_duration_ms: dur_mean,
                std_event_duration_ms: dur_std,
                avg_events_per_hour: rate,
            },
        };
        self.baselines.insert(agent_id.to_owned(), baseline);
        self.baselines.get(agent_id)
    }

    /// The cached baseline while younger than `window_days` whole days, else a fresh one.
    pub fn get_baseline(&mut self, agent_id: &str) -> Option<&BehavioralBaseline> {
        let now = self.clock.now();
        let fresh = self
            .baselines
            .get(agent_id)
            .is_some_and(|b| (now - b.learned_at).num_days() < self.params.window_days);
        if fresh {
            self.baselines.get(agent_id)
        } else {
            self.compute_baseline(agent_id)
        }
    }

    /// Deviations of `event` from the agent's baseline (empty without one).
    pub fn detect_anomalies(&mut self, agent_id: &str, event: &AgentEvent) -> Deviation {
        match self.get_baseline(agent_id) {
            Some(b) => deviation(&b.pattern, event),
            None => Deviation::default(),
        }
    }

    /// Feedback: a normal event is recorded (and the baseline recomputed each time the history
    /// length reaches a multiple of 100); an anomalous one is kept out, and removed if it was
    /// recorded. Returns whether the history changed.
    pub fn update_from_feedback(
        &mut self,
        agent_id: &str,
        event: &AgentEvent,
        is_anomaly: bool,
    ) -> bool {
        if is_anomaly {
            let Some(history) = self.history.get_mut(agent_id) else {
                return false;
            };
            let before = history.len();
            history.retain(|e| !same_event(e, event));
            return history.len() != before;
        }
        self.record_event(agent_id, event.clone());
        if self
            .history
            .get(agent_id)
            .is_some_and(|h| h.len() % 100 == 0)
        {
            self.compute_baseline(agent_id);
        }
        true
    }

    /// Replaces the agent's history (from the store), pruned to the window.
    pub fn import_history(&mut self, agent_id: &str, events: Vec<AgentEvent>) {
        self.history.remove(agent_id);
        self.baselines.remove(agent_id);
        let mut events = events;
        events.sort_by_key(|e| e.timestamp);
        for e in events {
            self.record_event(agent_id, e);
        }
    }
}

fn same_event(a: &AgentEvent, b: &AgentEvent) -> bool {
    a.timestamp == b.timestamp
        && a.event_type == b.event_type
        && a.resource_count == b.resource_count
        && a.duration_ms == b.duration_ms
        && a.success == b.success
}

fn deviation(p: &BehavioralPattern, event: &AgentEvent) -> Deviation {
    let hour = event.timestamp.hour() as usize;
    let day = event.timestamp.weekday().num_days_from_monday() as usize;
    let slot = p.hourly_distribution[hour] * p.daily_distribution[day];
    let mut factors = BTreeMap::new();
    factors.insert("temporal".to_owned(), 1.0 - slot);
    let sigma3 = |x: f64, mean: f64, std: f64| ((x - mean).abs() / std / 3.0).min(1.0);
    let mut combined: f64 = 0.0;
    if p.std_resources_per_event > 0.0 {
        let r = sigma3(
            event.resource_count as f64,
            p.avg_resources_per_event,
            p.std_resources_per_event,
        );
        factors.insert("resource".to_owned(), r);
        combined = combined.max(r);
    }
    let freq = p
        .common_event_types
        .get(&event.event_type)
        .copied()
        .unwrap_or(0.0);
    factors.insert("event_type".to_owned(), 1.0 - freq);
    if p.std_event_duration_ms > 0.0 {
        let d = sigma3(
            event.duration_ms,
            p.avg_event_duration_ms,
            p.std_event_duration_ms,
        );
        factors.insert("duration".to_owned(), d);
        combined = combined.max(d);
    }
    let type_rarity = 1.0 - (freq * p.common_event_types.len() as f64).min(1.0);
    let time_rarity = 1.0 - (slot * 24.0 * 7.0).min(1.0);
    combined = combined.max(type_rarity).max(0.5 * time_rarity);
    Deviation {
        factors,
        combined: Some(combined),
    }
}
