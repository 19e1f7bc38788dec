//! Prometheus metrics: request counts by endpoint and status, latency histograms by endpoint,
//! verdict counts by endpoint and class, requests turned away before handling by reason, in
//! the text exposition format.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds.
pub const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

#[derive(Debug, Default, Clone)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

#[derive(Debug, Default)]
struct Inner {
    requests: BTreeMap<(String, u16), u64>,
    latency: BTreeMap<String, Histogram>,
    verdicts: BTreeMap<(String, String), u64>,
    refusals: BTreeMap<&'static str, u64>,
}

/// The server's counters.
#[derive(Debug, Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
}

fn escape(label: &str) -> String {
    label
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

impl Metrics {
    fn with<T>(&self, f: impl FnOnce(&mut Inner) -> T) -> T {
        f(&mut self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner))
    }

    /// Counts one request and its latency.
    pub fn request(&self, endpoint: &str, status: u16, elapsed: Duration) {
        let secs = elapsed.as_secs_f64();
        self.with(|m| {
            *m.requests.entry((endpoint.to_owned(), status)).or_default() += 1;
            let h = m.latency.entry(endpoint.to_owned()).or_default();
            for (i, le) in BUCKETS.iter().enumerate() {
                if secs <= *le {
                    h.counts[i] += 1;
                }
            }
            h.sum += secs;
            h.count += 1;
        });
    }

    /// Counts one verdict of `class` (e.g. `block`, `high`, `true`).
    pub fn verdict(&self, endpoint: &str, class: &str) {
        self.with(|m| {
            *m.verdicts
                .entry((endpoint.to_owned(), class.to_owned()))
                .or_default() += 1;
        });
    }

    /// Counts one request turned away before it was handled, by reason (`busy`, `body_budget`,
    /// `body_too_large`, `body_timeout`, `body_unreadable`).
    pub fn refusal(&self, reason: &'static str) {
        self.with(|m| *m.refusals.entry(reason).or_default() += 1);
    }

    /// Refusals counted for `reason`.
    pub fn refusals(&self, reason: &str) -> u64 {
        self.with(|m| m.refusals.get(reason).copied().unwrap_or(0))
    }

    /// Requests counted for `endpoint` with `status`.
    pub fn requests(&self, endpoint: &str, status: u16) -> u64 {
        self.with(|m| {
            m.requests
                .get(&(endpoint.to_owned(), status))
                .copied()
                .unwrap_or(0)
        })
    }

    /// The text exposition.
    pub fn render(&self) -> String {
        self.with(|m| {
            let mut out = String::new();
            out.push_str("# HELP vigil_requests_total Requests by endpoint and HTTP status.\n");
            out.push_str("# TYPE vigil_requests_total counter\n");
            for ((e, s), n) in &m.requests {
                let _ = writeln!(
                    out,
                    "vigil_requests_total{{endpoint=\"{}\",status=\"{s}\"}} {n}",
                    escape(e)
                );
            }
            out.push_str("# HELP vigil_request_duration_seconds Request latency by endpoint.\n");
            out.push_str("# TYPE vigil_request_duration_seconds histogram\n");
            for (e, h) in &m.latency {
                let e = escape(e);
                for (le, c) in BUCKETS.iter().zip(h.counts) {
                    let _ = writeln!(
                        out,
                        "vigil_request_duration_seconds_bucket{{endpoint=\"{e}\",le=\"{le}\"}} {c}"
                    );
                }
                let _ = writeln!(
                    out,
                    "vigil_request_duration_seconds_bucket{{endpoint=\"{e}\",le=\"+Inf\"}} {}",
                    h.count
                );
                let _ = writeln!(
                    out,
                    "vigil_request_duration_seconds_sum{{endpoint=\"{e}\"}} {}",
                    h.sum
                );
                let _ = writeln!(
                    out,
                    "vigil_request_duration_seconds_count{{endpoint=\"{e}\"}} {}",
                    h.count
                );
            }
            out.push_str("# HELP vigil_verdicts_total Answers by endpoint and class.\n");
            out.push_str("# TYPE vigil_verdicts_total counter\n");
            for ((e, c), n) in &m.verdicts {
                let _ = writeln!(
                    out,
                    "vigil_verdicts_total{{endpoint=\"{}\",class=\"{}\"}} {n}",
                    escape(e),
                    escape(c)
                );
            }
            out.push_str(
                "# HELP vigil_refusals_total Requests turned away before handling, by reason.\n",
            );
            out.push_str("# TYPE vigil_refusals_total counter\n");
            for (reason, n) in &m.refusals {
                let _ = writeln!(out, "vigil_refusals_total{{reason=\"{reason}\"}} {n}");
            }
            out
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_histograms_and_verdicts() {
        let m = Metrics::default();
        m.request("plan-risk", 200, Duration::from_micros(700));
        m.request("plan-risk", 400, Duration::from_millis(30));
        m.verdict("plan-risk", "block");
        m.refusal("busy");
        m.refusal("busy");
        m.refusal("body_budget");
        let text = m.render();
        assert!(text.contains("vigil_refusals_total{reason=\"busy\"} 2\n"));
        assert!(text.contains("vigil_refusals_total{reason=\"body_budget\"} 1\n"));
        assert_eq!(m.refusals("busy"), 2);
        assert_eq!(m.refusals("body_timeout"), 0);
        assert!(text.contains("vigil_requests_total{endpoint=\"plan-risk\",status=\"200\"} 1\n"));
        assert!(text.contains(
            "vigil_request_duration_seconds_bucket{endpoint=\"plan-risk\",le=\"0.001\"} 1\n"
        ));
        assert!(text.contains(
            "vigil_request_duration_seconds_bucket{endpoint=\"plan-risk\",le=\"0.05\"} 2\n"
        ));
        assert!(text.contains("vigil_request_duration_seconds_count{endpoint=\"plan-risk\"} 2\n"));
        assert!(text.contains("vigil_verdicts_total{endpoint=\"plan-risk\",class=\"block\"} 1\n"));
        assert_eq!(m.requests("plan-risk", 400), 1);
    }
}
