//! Where "now" comes from. Library logic never reads the wall clock directly, so tests and
//! log replays run on a fixed or event-driven clock.

use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, FixedOffset, Utc};

/// A source of the current time.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current time.
    fn now(&self) -> DateTime<FixedOffset>;
}

/// The wall clock (UTC).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<FixedOffset> {
        Utc::now().fixed_offset()
    }
}

/// A clock that stands still until told otherwise; clones share the same time.
///
/// ```
/// use vigil_isolation_baseline::{Clock, ManualClock};
/// let t = chrono::DateTime::parse_from_rfc3339("2026-11-21T10:00:00Z").unwrap();
/// let clock = ManualClock::new(t);
/// let shared = clock.clone();
/// clock.advance_to(t + chrono::Duration::hours(1));
/// assert_eq!(shared.now(), t + chrono::Duration::hours(1));
/// clock.advance_to(t); // never goes backwards
/// assert_eq!(shared.now(), t + chrono::Duration::hours(1));
/// ```
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<Mutex<DateTime<FixedOffset>>>);

impl ManualClock {
    /// A clock at the earliest representable time, for an event-time clock that only moves
    /// forward with [`advance_to`](Self::advance_to).
    pub fn earliest() -> Self {
        Self::new(DateTime::<Utc>::MIN_UTC.fixed_offset())
    }

    /// A clock showing `now`.
    pub fn new(now: DateTime<FixedOffset>) -> Self {
        ManualClock(Arc::new(Mutex::new(now)))
    }

    /// Sets the time, forwards or backwards.
    pub fn set(&self, now: DateTime<FixedOffset>) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = now;
    }

    /// Moves the time forward to `t` if `t` is later (an event-time clock for log replays).
    pub fn advance_to(&self, t: DateTime<FixedOffset>) {
        let mut now = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if t > *now {
            *now = t;
        }
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<FixedOffset> {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Parses an RFC 3339 time (`2026-11-21T10:00:00+02:00`).
pub fn parse_time(text: &str) -> crate::Result<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(text)
        .map_err(|e| crate::Error::InvalidData(format!("time {text:?} is not RFC 3339: {e}")))
}
