//! The robust behavioural profile behind the combined score.
//!
//! The Isolation Forest alone saturates: its score s(x) stops growing once a point leaves the
//! training range (harombe: 0.61 for both rc 50 and rc 999999), and a feature that was constant in
//! training (one event type) is ignored. The profile adds evidence that keeps growing with the
//! size of the deviation and sees categories the forest cannot:
//!
//! | component | evidence | max |
//! |---|---|---|
//! | `resource_count`, `duration_ms` | robust z of `sign(x)·ln(1+|x|)` against the median and 1.4826·MAD of the event's own type (its global values when the type has too few samples): `1 − exp(−(z − 3)/3)` above 3 | 1 |
//! | `event_type` | never seen: `unseen_type`; seen but rare: grows as the frequency drops below 1% | `unseen_type` (0.75) |
//! | `time` | hour × weekday frequency relative to uniform (add-one smoothed), from 1× down to 1/100×; the weekday counts only once the history spans 14 days | `time_weight` (0.45) |
//! | `failure` | a failure, weighted by how rare failures were in training | `failure_weight` (0.25) |
//! | `forest` | s(x) above the 95th percentile of the training scores | `forest_weight` (0.5) |
//!
//! The combined score is the noisy-or `1 − Π(1 − c_i)`: independent pieces of evidence add up,
//! any one component near 1 is enough, and only the magnitude components can reach 1 on their own.

use std::collections::BTreeMap;

use chrono::{Datelike, Timelike};
use serde::{Deserialize, Serialize};
use vigil_contracts::AgentEvent;

use crate::forest::quantile;
use crate::{Error, Result};

/// Weights and cut-offs of the combined score. The defaults were chosen on normal data from the
/// seeded generator (`vigil_trainer::isolation_baseline::Generator`, seeds distinct from the
/// evaluation seeds) so that
/// fewer than 5% of fresh normal events reach `alert_threshold` at 100, 1,000 and 10,000 training
/// events.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ScoreParams {
    /// Combined score from which an event is flagged (0.5).
    pub alert_threshold: f64,
    /// Robust z below which a magnitude is not evidence at all (3.0).
    pub z_start: f64,
    /// Robust z span over which magnitude evidence climbs to 1 − 1/e (3.0).
    pub z_span: f64,
    /// Smallest robust scale, in `ln(1+x)` units, so a constant training column does not make any
    /// change infinitely surprising (0.25, about ×1.3).
    pub min_log_scale: f64,
    /// Samples of a type needed before its own medians are used (30).
    pub min_type_samples: usize,
    /// Evidence of a never-seen event type (0.75: alone, a MEDIUM anomaly).
    pub unseen_type: f64,
    /// Maximum evidence of a seen but rare (< 1%) event type (0.45).
    pub rare_type_weight: f64,
    /// Maximum evidence of an hour × weekday never seen in training (0.45).
    pub time_weight: f64,
    /// Maximum evidence of a failure when failures never happened in training (0.25).
    pub failure_weight: f64,
    /// Maximum evidence of the forest (0.5).
    pub forest_weight: f64,
}

impl Default for ScoreParams {
    fn default() -> Self {
        ScoreParams {
            alert_threshold: 0.5,
            z_start: 2.5,
            z_span: 3.0,
            min_log_scale: 0.25,
            min_type_samples: 12,
            unseen_type: 0.75,
            rare_type_weight: 0.45,
            time_weight: 0.45,
            failure_weight: 0.25,
            forest_weight: 0.5,
        }
    }
}

impl ScoreParams {
    /// Checks every value is usable.
    pub fn check(&self) -> Result<()> {
        let unit = |name, v: f64| {
            if (0.0..=1.0).contains(&v) {
                Ok(())
            } else {
                Err(Error::param(name, v, "in [0, 1]"))
            }
        };
        unit("alert_threshold", self.alert_threshold)?;
        unit("unseen_type", self.unseen_type)?;
        unit("rare_type_weight", self.rare_type_weight)?;
        unit("time_weight", self.time_weight)?;
        unit("failure_weight", self.failure_weight)?;
        unit("forest_weight", self.forest_weight)?;
        if !(self.z_start >= 0.0 && self.z_start.is_finite()) {
            return Err(Error::param("z_start", self.z_start, "finite and >= 0"));
        }
        if !(self.z_span > 0.0 && self.z_span.is_finite()) {
            return Err(Error::param("z_span", self.z_span, "finite and > 0"));
        }
        if !(self.min_log_scale > 0.0 && self.min_log_scale.is_finite()) {
            return Err(Error::param(
                "min_log_scale",
                self.min_log_scale,
                "finite and > 0",
            ));
        }
        Ok(())
    }
}

/// The evidence of each component, each in [0, 1].
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct ScoreComponents {
    /// Resource count far from the type's usual.
    pub resource_count: f64,
    /// Duration far from the type's usual.
    pub duration_ms: f64,
    /// Never-seen or rare event type.
    pub event_type: f64,
    /// Rare hour × weekday.
    pub time: f64,
    /// A failure where failures are rare.
    pub failure: f64,
    /// The Isolation Forest above its training range.
    pub forest: f64,
}

impl ScoreComponents {
    /// Names and values, in a fixed order.
    pub fn named(&self) -> [(&'static str, f64); 6] {
        [
            ("resource_count", self.resource_count),
            ("duration_ms", self.duration_ms),
            ("event_type", self.event_type),
            ("time", self.time),
            ("failure", self.failure),
            ("forest", self.forest),
        ]
    }

    /// Noisy-or of the components: `1 − Π(1 − c_i)`.
    pub fn combined(&self) -> f64 {
        let keep: f64 = self
            .named()
            .iter()
            .map(|(_, c)| 1.0 - c.clamp(0.0, 1.0))
            .product();
        (1.0 - keep).clamp(0.0, 1.0)
    }
}

/// History needed before the weekday is evidence, in days.
const MIN_SPAN_FOR_WEEKDAYS: f64 = 14.0;

fn span_days(events: &[AgentEvent]) -> f64 {
    let first = events.iter().map(|e| e.timestamp).min();
    let last = events.iter().map(|e| e.timestamp).max();
    match (first, last) {
        (Some(a), Some(b)) => (b - a).num_seconds() as f64 / 86_400.0,
        _ => 0.0,
    }
}

/// Median and robust scale of `sign(x)·ln(1+|x|)`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RobustStat {
    /// Median of the log values.
    pub median: f64,
    /// max(1.4826·MAD, floor).
    pub scale: f64,
}

/// `sign(x)·ln(1+|x|)`: multiplicative deviations for counts and durations, defined at 0 and
/// below.
pub fn signed_log(x: f64) -> f64 {
    x.signum() * x.abs().ln_1p()
}

impl RobustStat {
    fn fit(values: &mut [f64], floor: f64) -> Self {
        let median = quantile(values, 0.5);
        for v in values.iter_mut() {
            *v = (*v - median).abs();
        }
        let mad = quantile(values, 0.5);
        RobustStat {
            median,
            scale: (1.4826 * mad).max(floor),
        }
    }

    /// Robust z of a raw value.
    pub fn z(&self, x: f64) -> f64 {
        let z = (signed_log(x) - self.median).abs() / self.scale;
        if z.is_nan() { f64::INFINITY } else { z }
    }
}

/// What one event type usually looks like.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TypeProfile {
    /// Training events of this type.
    pub count: u64,
    /// Its own resource statistics, when it had enough samples.
    pub resource_count: Option<RobustStat>,
    /// Its own duration statistics, when it had enough samples.
    pub duration_ms: Option<RobustStat>,
}

/// Everything the combined score knows about an agent's normal behaviour.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BehaviourProfile {
    /// Training events.
    pub n: u64,
    /// Resource statistics over all types.
    pub resource_count: RobustStat,
    /// Duration statistics over all types.
    pub duration_ms: RobustStat,
    /// Per event type.
    pub types: BTreeMap<String, TypeProfile>,
    /// Events per local hour.
    pub hours: [u64; 24],
    /// Events per weekday (0 = Monday).
    pub days: [u64; 7],
    /// Failed events.
    pub failures: u64,
    /// Days between the first and the last training event.
    pub span_days: f64,
    /// 95th percentile of the forest's s(x) on the training events.
    pub forest_q95: f64,
    /// Maximum of s(x) on the training events.
    pub forest_max: f64,
}

impl BehaviourProfile {
    /// Builds the profile of `events` (at least one), given the forest scores s(x) of the same
    /// events.
    pub fn fit(events: &[AgentEvent], forest_scores: &mut [f64], params: &ScoreParams) -> Self {
        let floor = params.min_log_scale;
        let mut rc: Vec<f64> = events
            .iter()
            .map(|e| signed_log(e.resource_count as f64))
            .collect();
        let mut dur: Vec<f64> = events.iter().map(|e| signed_log(e.duration_ms)).collect();
        let mut by_type: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        let mut hours = [0u64; 24];
        let mut days = [0u64; 7];
        for (i, e) in events.iter().enumerate() {
            by_type.entry(e.event_type.as_str()).or_default().push(i);
            hours[e.timestamp.hour() as usize] += 1;
            days[e.timestamp.weekday().num_days_from_monday() as usize] += 1;
        }
        let types = by_type
            .into_iter()
            .map(|(t, idx)| {
                let own = |col: &[f64]| {
                    (idx.len() >= params.min_type_samples).then(|| {
                        let mut v: Vec<f64> = idx.iter().map(|&i| col[i]).collect();
                        RobustStat::fit(&mut v, floor)
                    })
                };
                let profile = TypeProfile {
                    count: idx.len() as u64,
                    resource_count: own(&rc),
                    duration_ms: own(&dur),
                };
                (t.to_owned(), profile)
            })
            .collect();
        BehaviourProfile {
            n: events.len() as u64,
            resource_count: RobustStat::fit(&mut rc, floor),
            duration_ms: RobustStat::fit(&mut dur, floor),
            types,
            hours,
            days,
            failures: events.iter().filter(|e| !e.success).count() as u64,
            span_days: span_days(events),
            forest_q95: quantile(forest_scores, 0.95),
            forest_max: forest_scores.iter().copied().fold(0.0, f64::max),
        }
    }

    /// The evidence of each component for `event`, whose forest score is `s`.
    pub fn components(&self, event: &AgentEvent, s: f64, params: &ScoreParams) -> ScoreComponents {
        let n = self.n.max(1) as f64;
        let magnitude = |z: f64| {
            if z <= params.z_start {
                0.0
            } else {
                1.0 - (-(z - params.z_start) / params.z_span).exp()
            }
        };
        let own = self.types.get(&event.event_type);
        let rc_stat = own
            .and_then(|t| t.resource_count)
            .unwrap_or(self.resource_count);
        let dur_stat = own.and_then(|t| t.duration_ms).unwrap_or(self.duration_ms);

        let event_type = match own {
            // A new type is less telling when the agent has barely been observed.
            None => params.unseen_type * (n / 50.0).min(1.0),
            Some(t) => {
                let freq = t.count as f64 / n;
                // 1% → 0, 0.01% → full weight.
                params.rare_type_weight * ((0.01 / freq).log10() / 2.0).clamp(0.0, 1.0)
            }
        };

        let hour = event.timestamp.hour() as usize;
        let day = event.timestamp.weekday().num_days_from_monday() as usize;
        let p_hour = (self.hours[hour] as f64 + 1.0) / (n + 24.0);
        // Weekdays only count once the history covers two weeks: an agent observed Monday to
        // Wednesday has not shown that it never works on Thursday.
        let day_ratio = if self.span_days >= MIN_SPAN_FOR_WEEKDAYS {
            7.0 * (self.days[day] as f64 + 1.0) / (n + 7.0)
        } else {
            1.0
        };
        let relative = 24.0 * p_hour * day_ratio;
        let time = params.time_weight * (-relative.log10() / 2.0).clamp(0.0, 1.0);

        let failure = if event.success {
            0.0
        } else {
            let rate = (self.failures as f64 + 1.0) / (n + 2.0);
            params.failure_weight * ((-rate.log10() - 1.0) / 2.0).clamp(0.0, 1.0)
        };

        let spread = 2.0 * (self.forest_max - self.forest_q95).max(0.01);
        let forest = params.forest_weight * ((s - self.forest_q95) / spread).clamp(0.0, 1.0);

        ScoreComponents {
            resource_count: magnitude(rc_stat.z(event.resource_count as f64)),
            duration_ms: magnitude(dur_stat.z(event.duration_ms)),
            event_type,
            time,
            failure,
            forest,
        }
    }
}
