//! Held-out accuracy on the seeded generator (seed 77: neither a tuning seed, 101–105, nor an
//! `examples/isolation_baseline_fpr.rs` evaluation seed, 1–5) and on the hand-written fixtures.

use vigil_contracts::{AgentEvent, ThreatLevel};
use vigil_isolation_baseline::{EventDetector, EventDetectorParams};
use vigil_trainer::isolation_baseline::Generator;

fn fixture(name: &str) -> Vec<AgentEvent> {
    let path = format!(
        "{}/../../fixtures/isolation-baseline/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| vigil_contracts::from_json_str(l).unwrap())
        .collect()
}

fn category(e: &AgentEvent) -> &str {
    e.extra["category"].as_str().unwrap()
}

#[test]
fn fresh_normal_events_rarely_alert_and_clear_anomalies_always_do() {
    for n in [100usize, 1_000] {
        let mut g = Generator::new(77);
        let mut d = EventDetector::new(EventDetectorParams::default()).unwrap();
        let train = g.events(n);
        d.train("a", &train).unwrap();

        let fresh = g.events(2_000);
        let flagged = fresh.iter().filter(|e| d.detect("a", e).is_anomaly).count();
        assert!(
            flagged <= 40,
            "n={n}: {flagged} of 2000 fresh normal events flagged"
        );
        let reference = fresh
            .iter()
            .filter(|e| d.reference_score("a", e).unwrap().is_anomaly)
            .count();
        assert!(
            flagged < reference,
            "n={n}: combined {flagged}, reference {reference}"
        );

        for e in fixture("normal.jsonl") {
            // A type this agent has never used is news even at a normal hour and size.
            let seen = train.iter().any(|t| t.event_type == e.event_type);
            assert_eq!(d.detect("a", &e).is_anomaly, !seen, "n={n}: {e:?}");
        }
        for e in fixture("anomalies.jsonl") {
            let r = d.detect("a", &e);
            match category(&e) {
                "new_type" | "extreme" | "exfiltration" | "resource_burst" => {
                    assert!(r.is_anomaly, "n={n}: {e:?} → {r:?}")
                }
                _ => {}
            }
            if e.resource_count == 999_999 {
                assert_eq!(r.threat_level, ThreatLevel::Critical);
            }
            if category(&e) == "exfiltration" {
                assert!(r.threat_level >= ThreatLevel::High, "n={n}: {e:?} → {r:?}");
            }
        }
    }
}
