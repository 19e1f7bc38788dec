//! The isolation-baseline data: a seeded generator of realistic normal agent activity (the smoke
//! fit's training and fresh events, and the tests, examples and benches that tune and check
//! `vigil-isolation-baseline`), and the hand-written anomalies of
//! `fixtures/isolation-baseline/anomalies.jsonl`.
//!
//! One simulated agent works office hours: events arrive as a Poisson process (mean gap 12
//! minutes) thinned by an activity curve — weekdays 08–18 at full rate, 06–07 and 19–22 at 25%,
//! nights at 3%, weekends at 15% of that. Six event types with skewed frequencies each have their
//! own log-normal resource count and duration:
//!
//! | type | share | resources (median, σ) | duration ms (median, σ) |
//! |---|---|---|---|
//! | `tool_call` | 40% | 3, 0.5 | 300, 0.6 |
//! | `api_call` | 25% | 1, 0.4 | 800, 0.5 |
//! | `file_read` | 17% | 4, 0.6 | 60, 0.7 |
//! | `file_write` | 9% | 2, 0.5 | 150, 0.6 |
//! | `search` | 6% | 6, 0.5 | 1500, 0.5 |
//! | `shell_exec` | 3% | 2, 0.4 | 2500, 0.8 |
//!
//! and 2.5% of events fail. Fresh normal events for an evaluation come from the same generator
//! after the training events (later in time, unseen by the model).

use std::path::Path;

use chrono::{DateTime, Datelike, Duration, FixedOffset, Timelike};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use vigil_contracts::AgentEvent;

use crate::{Error, Result};

/// Training events of the smoke agent.
pub const TRAIN_EVENTS: usize = 1_000;
/// Fresh events the false-positive rate is measured on.
pub const FRESH_EVENTS: usize = 2_000;

const ANOMALIES: &str = include_str!("../../../../fixtures/isolation-baseline/anomalies.jsonl");

/// The hand-written anomalies of `fixtures/isolation-baseline/anomalies.jsonl`.
pub fn anomalies() -> Result<Vec<AgentEvent>> {
    ANOMALIES
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            vigil_contracts::from_json_str(l)
                .map_err(|e| Error::Invalid(format!("anomalies.jsonl:{}: {e}", i + 1)))
        })
        .collect()
}

/// Writes the smoke agent's training events as JSON Lines.
pub fn write_data(seed: u64, out: &Path) -> Result<usize> {
    let events = Generator::new(seed).events(TRAIN_EVENTS);
    let mut text = String::new();
    for e in &events {
        text.push_str(&serde_json::to_string(e)?);
        text.push('\n');
    }
    vigil_contracts::artifact::write_atomic(out, text.as_bytes())?;
    Ok(events.len())
}

/// (type, share, resource median, resource σ, duration median, duration σ).
const TYPES: [(&str, f64, f64, f64, f64, f64); 6] = [
    ("tool_call", 0.40, 3.0, 0.5, 300.0, 0.6),
    ("api_call", 0.25, 1.0, 0.4, 800.0, 0.5),
    ("file_read", 0.17, 4.0, 0.6, 60.0, 0.7),
    ("file_write", 0.09, 2.0, 0.5, 150.0, 0.6),
    ("search", 0.06, 6.0, 0.5, 1500.0, 0.5),
    ("shell_exec", 0.03, 2.0, 0.4, 2500.0, 0.8),
];

/// Mean gap between candidate events, in seconds.
const MEAN_GAP_S: f64 = 720.0;
/// Share of failed events.
const FAILURE_RATE: f64 = 0.025;

/// Seeded stream of normal events for one agent.
#[derive(Debug, Clone)]
pub struct Generator {
    rng: ChaCha8Rng,
    t: DateTime<FixedOffset>,
}

impl Generator {
    /// A generator starting on Monday 2026-01-05 00:00 UTC.
    pub fn new(seed: u64) -> Self {
        // 2026-01-05T00:00:00Z; never the wall clock, so a seed fixes every timestamp.
        let start = DateTime::from_timestamp(1_767_571_200, 0)
            .unwrap_or_default()
            .fixed_offset();
        Self::starting_at(seed, start)
    }

    /// A generator starting at `start`.
    pub fn starting_at(seed: u64, start: DateTime<FixedOffset>) -> Self {
        Generator {
            rng: ChaCha8Rng::seed_from_u64(seed),
            t: start,
        }
    }

    /// The time of the last event produced.
    pub fn now(&self) -> DateTime<FixedOffset> {
        self.t
    }

    /// The next event.
    pub fn event(&mut self) -> AgentEvent {
        loop {
            let gap = -MEAN_GAP_S * (1.0 - self.rng.r#gen::<f64>()).ln();
            self.t += Duration::milliseconds((gap * 1000.0) as i64 + 1);
            if self.rng.r#gen::<f64>() < activity(self.t) {
                break;
            }
        }
        let pick = self.rng.r#gen::<f64>();
        let mut acc = 0.0;
        let mut chosen = TYPES[0];
        for t in TYPES {
            acc += t.1;
            if pick < acc {
                chosen = t;
                break;
            }
        }
        let (name, _, rc_median, rc_sigma, dur_median, dur_sigma) = chosen;
        let rc = (rc_median * (rc_sigma * self.normal()).exp()).round() as i64;
        let duration = (dur_median * (dur_sigma * self.normal()).exp()).round();
        AgentEvent {
            agent_id: None,
            timestamp: self.t,
            event_type: name.to_owned(),
            resource_count: rc.max(0),
            duration_ms: duration.max(1.0),
            success: self.rng.r#gen::<f64>() >= FAILURE_RATE,
            extra: Default::default(),
        }
    }

    /// The next `n` events.
    pub fn events(&mut self, n: usize) -> Vec<AgentEvent> {
        (0..n).map(|_| self.event()).collect()
    }

    /// A standard normal draw (Box–Muller).
    fn normal(&mut self) -> f64 {
        let u1: f64 = 1.0 - self.rng.r#gen::<f64>();
        let u2: f64 = self.rng.r#gen();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

/// Relative event rate at `t`.
fn activity(t: DateTime<FixedOffset>) -> f64 {
    let hourly = match t.hour() {
        8..=18 => 1.0,
        6 | 7 | 19..=22 => 0.25,
        _ => 0.03,
    };
    if t.weekday().num_days_from_monday() >= 5 {
        hourly * 0.15
    } else {
        hourly
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_time_ordered_and_mostly_office_hours() {
        let a = Generator::new(3).events(2000);
        assert_eq!(a, Generator::new(3).events(2000));
        assert!(a.windows(2).all(|w| w[0].timestamp < w[1].timestamp));
        let office = a
            .iter()
            .filter(|e| (8..=18).contains(&e.timestamp.hour()))
            .count();
        assert!(office > 1500, "{office}");
        let tool_calls = a.iter().filter(|e| e.event_type == "tool_call").count();
        assert!((700..900).contains(&tool_calls), "{tool_calls}");
        let failures = a.iter().filter(|e| !e.success).count();
        assert!((25..80).contains(&failures), "{failures}");
    }
}
