//! `vigil baseline`: training from a file, the store, and the JSON Lines contract.

mod common;

use vigil_trainer::isolation_baseline::Generator;

fn vigil(args: &[&str], stdin: &[u8]) -> (i32, Vec<serde_json::Value>, String) {
    common::vigil(args, &[], stdin)
}

/// 300 events of agent `ops` and 400 of the default agent, with two bad lines.
fn training_file(dir: &std::path::Path) -> std::path::PathBuf {
    let mut text = String::from("{\"timestamp\": \"not a time\"}\n");
    for mut e in Generator::new(1).events(300) {
        e.agent_id = Some("ops".into());
        text.push_str(&serde_json::to_string(&e).unwrap());
        text.push('\n');
    }
    text.push_str("not json\n");
    for e in Generator::new(2).events(400) {
        text.push_str(&serde_json::to_string(&e).unwrap());
        text.push('\n');
    }
    let path = dir.join("train.jsonl");
    std::fs::write(&path, text).unwrap();
    path
}

const PROBES: &str = concat!(
    r#"{"agent_id":"ops","timestamp":"2026-01-14T11:00:00Z","event_type":"tool_call","resource_count":3,"duration_ms":300}"#,
    "\n",
    r#"{"timestamp":"2026-01-14T03:00:00Z","event_type":"rare_operation","resource_count":50,"duration_ms":5000,"success":false}"#,
    "\n",
    "{\"timestamp\": 5}\n",
    r#"{"agent_id":"stranger","timestamp":"2026-01-14T11:00:00Z"}"#,
    "\n",
);

#[test]
fn trains_from_a_file_reports_bad_lines_and_scores_each_event() {
    let dir = tempfile::tempdir().unwrap();
    let train = training_file(dir.path());
    let train = train.to_str().unwrap();
    let (code, out, err) = vigil(&["baseline", "--train", train], PROBES.as_bytes());
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("train.jsonl:1: timestamp: "), "{err}");
    assert!(err.contains("train.jsonl:302: expected ident"), "{err}");
    assert!(err.contains("trained default on 400 events"), "{err}");
    assert!(err.contains("trained ops on 300 events"), "{err}");
    assert_eq!(out.len(), 4);

    assert_eq!(out[0]["agent_id"], "ops");
    assert_eq!(out[0]["is_anomaly"], false);
    assert_eq!(out[0]["threat_level"], "none");
    assert!(out[0]["baseline"]["temporal"].as_f64().unwrap() > 0.0);

    assert_eq!(out[1]["agent_id"], "default");
    assert_eq!(out[1]["is_anomaly"], true);
    assert_eq!(out[1]["threat_level"], "high");
    assert_eq!(out[1]["contributing_factors"]["rare_event_type"], 0.9);
    assert_eq!(out[1]["baseline"]["event_type"], 1.0);
    assert_eq!(out[1]["components"]["event_type"], 0.75);
    let explanation = out[1]["explanation"].as_str().unwrap();
    assert!(
        explanation
            .ends_with("Unusual time (3:00); Rare event type (rare_operation); Operation failed"),
        "{explanation}"
    );

    assert_eq!(out[2]["error"]["line"], 3);
    assert!(
        out[2]["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("timestamp: ")
    );

    assert_eq!(out[3]["explanation"], "No baseline model available");
    assert_eq!(out[3]["baseline"], serde_json::json!({}));
}

#[test]
fn the_store_round_trips_and_refuses_hostile_ids_and_corrupt_files() {
    let dir = tempfile::tempdir().unwrap();
    let train = training_file(dir.path());
    let store = dir.path().join("store");
    let (store_s, train_s) = (store.to_str().unwrap(), train.to_str().unwrap());
    let (_, trained, _) = vigil(
        &["baseline", "--train", train_s, "--store", store_s],
        PROBES.as_bytes(),
    );
    assert!(store.join("ops_anomaly_model.vgl").exists());
    assert!(store.join("default_anomaly_model.vgl").exists());

    let (code, loaded, err) = vigil(&["baseline", "--store", store_s], PROBES.as_bytes());
    assert_eq!(code, 1, "{err}");
    assert_eq!(loaded, trained);

    let probe = br#"{"agent_id":"../../etc","timestamp":"2026-01-14T11:00:00Z"}"#;
    let (code, out, _) = vigil(&["baseline", "--store", store_s], probe);
    assert_eq!(code, 1);
    let message = out[0]["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("invalid agent id \"../../etc\""),
        "{message}"
    );

    let bytes = std::fs::read(store.join("ops_anomaly_model.vgl")).unwrap();
    std::fs::write(
        store.join("ops_anomaly_model.vgl"),
        &bytes[..bytes.len() - 10],
    )
    .unwrap();
    let (code, out, _) = vigil(&["baseline", "--store", store_s], PROBES.as_bytes());
    assert_eq!(code, 1);
    let message = out[0]["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("ops_anomaly_model.vgl: truncated"),
        "{message}"
    );
    assert_eq!(out[1]["threat_level"], "high"); // other agents unaffected
}

#[test]
fn reference_mode_and_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let train = training_file(dir.path());
    let (_, out, _) = vigil(
        &[
            "baseline",
            "--reference",
            "--train",
            train.to_str().unwrap(),
        ],
        PROBES.as_bytes(),
    );
    assert_eq!(out[1]["anomaly_score"], out[1]["reference_score"]);
    assert!(out[1]["anomaly_score"].as_f64().unwrap() < 0.95);

    let (code, _, err) = vigil(&["baseline"], b"");
    assert_eq!(code, 2);
    assert!(err.contains("nothing to compare against"), "{err}");
    let (code, _, err) = vigil(&["baseline", "--train", "/nonexistent/x.jsonl"], b"");
    assert_eq!(code, 2);
    assert!(
        err.contains("cannot open training file /nonexistent/x.jsonl"),
        "{err}"
    );
    let (code, _, err) = vigil(&["baseline", "--store", "/tmp", "--now", "yesterday"], b"");
    assert_eq!(code, 2);
    assert!(err.contains("--now"), "{err}");
}

/// Issue 16 item 5: two trainers of one agent, at once and one after the other, both count.
#[test]
fn concurrent_and_repeated_trainers_accumulate_events() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let store_s = store.to_str().unwrap().to_owned();
    let files: Vec<_> = (0..2u64)
        .map(|k| {
            let mut text = String::new();
            for mut e in Generator::new(10 + k).events(150) {
                e.agent_id = Some("ops".into());
                text.push_str(&serde_json::to_string(&e).unwrap());
                text.push('\n');
            }
            let path = dir.path().join(format!("t{k}.jsonl"));
            std::fs::write(&path, text).unwrap();
            path
        })
        .collect();
    let bin = env!("CARGO_BIN_EXE_vigil");
    let children: Vec<_> = files
        .iter()
        .map(|f| {
            std::process::Command::new(bin)
                .args([
                    "baseline",
                    "--train",
                    f.to_str().unwrap(),
                    "--store",
                    &store_s,
                ])
                .stdin(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let segments = std::fs::read_dir(store.join("ops_events")).unwrap().count();
    assert_eq!(segments, 2);
    // A third run, one after the other: the log holds all 450 events.
    let (code, _, err) = vigil(
        &[
            "baseline",
            "--train",
            files[0].to_str().unwrap(),
            "--store",
            &store_s,
        ],
        b"",
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("(450 events in its log)"), "{err}");
}

/// Issue 16 item 6: one event dated months ahead of 300 others leaves the baseline in place.
#[test]
fn a_future_dated_event_does_not_empty_the_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::new();
    let events = Generator::new(1).events(300);
    for e in &events {
        text.push_str(&serde_json::to_string(e).unwrap());
        text.push('\n');
    }
    let mut ahead = events[0].clone();
    ahead.timestamp = events[299].timestamp + chrono::Duration::days(150);
    text.push_str(&serde_json::to_string(&ahead).unwrap());
    let train = dir.path().join("t.jsonl");
    std::fs::write(&train, text).unwrap();
    let mut probe = events[299].clone();
    probe.timestamp += chrono::Duration::minutes(5);
    let probe = serde_json::to_string(&probe).unwrap();
    let (code, out, err) = vigil(
        &["baseline", "--train", train.to_str().unwrap()],
        probe.as_bytes(),
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("1 event dated after the others left out"),
        "{err}"
    );
    assert!(err.contains("trained default on 300 events"), "{err}");
    assert_ne!(out[0]["baseline"], serde_json::json!({}));
    assert!(out[0]["baseline"]["combined"].is_number(), "{}", out[0]);
}
