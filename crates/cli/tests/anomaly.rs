//! `vigil normalize` and `vigil anomaly` through the binary.

mod common;

fn vigil(
    args: &[&str],
    envs: &[(&str, &str)],
    stdin: &str,
) -> (i32, Vec<serde_json::Value>, String) {
    common::vigil(args, envs, stdin)
}

const METADATA: &str = r#"{"calls":[{"tool":"bash","args":{"command":"curl http://169.254.169.254/latest/meta-data/iam/"}}]}"#;

#[test]
fn normalize_emits_intents_and_honours_workdir() {
    let input = concat!(
        r#"{"calls":[{"tool":"read","args":{"path":"/srv/app/src/main.py"}},{"tool":"bash","args":{"command":"curl http://169.254.169.254/latest/"}}]}"#,
        "\n",
        r#"{"calls":[{"tool":"read","args":{"path":[1]}}]}"#,
        "\n"
    );
    let (code, out, _) = vigil(&["normalize", "--workdir", "/srv/app"], &[], input);
    assert_eq!(code, 1);
    let intents = out[0]["intents"].as_array().unwrap();
    assert_eq!(intents.len(), 2);
    assert_eq!(intents[0]["operation"], "file_read");
    assert_eq!(intents[0]["target_kind"], "workdir");
    assert_eq!(intents[1]["target_kind"], "cloud_metadata");
    assert_eq!(intents[1]["destination_kind"], "cloud_metadata");
    assert_eq!(
        out[1]["error"]["message"],
        "calls[0].args.path[0]: expected a string, got 1"
    );
    // Default workdir /workspace: the same path is outside.
    let (_, out, _) = vigil(
        &["normalize"],
        &[],
        r#"{"calls":[{"tool":"read","args":{"path":"/srv/app/src/main.py"}}]}"#,
    );
    assert_eq!(out[0]["intents"][0]["target_kind"], "workdir");
    let (_, out, _) = vigil(
        &["normalize"],
        &[],
        r#"{"calls":[{"tool":"read","args":{"path":"/etc/app/main.py"}}]}"#,
    );
    assert_eq!(out[0]["intents"][0]["target_kind"], "system_path");
}

#[test]
fn anomaly_scores_calls_and_axor_windows() {
    // An axor-core window, field for field (dataclasses.asdict), reputations included.
    let axor = r#"{"window":[{"tool":"web_fetch","operation":"network_request","target_kind":"external_url","destination_kind":"external_domain","provenance":"external_web","reads_secret_like_data":false,"writes_outside_workdir":false,"executes_generated_code":false,"after_external_read":true,"after_secret_access":false,"data_flow":"local_to_external","target_resource_reputation":0.0,"target_container_reputation":0.0},{"tool":"read","operation":"file_read","target_kind":"secret","destination_kind":"none","provenance":"external_web","reads_secret_like_data":true,"writes_outside_workdir":false,"executes_generated_code":false,"after_external_read":true,"after_secret_access":true,"data_flow":"none","target_resource_reputation":0.0,"target_container_reputation":0.0},{"tool":"bash","operation":"network_request","target_kind":"external_url","destination_kind":"external_domain","provenance":"external_web","reads_secret_like_data":false,"writes_outside_workdir":false,"executes_generated_code":false,"after_external_read":true,"after_secret_access":true,"data_flow":"local_to_external","target_resource_reputation":0.0,"target_container_reputation":0.0}],"task_signal_hint":"","policy_name":"focused_mutative"}"#;
    let input = format!(
        "{METADATA}\n{axor}\n{}\n{}\n{}\n{}\n",
        r#"{"window":[]}"#,
        r#"{"window":[{"tool":"bash","operation":"fly","target_kind":"workdir"}]}"#,
        r#"{"calls":[],"window":[]}"#,
        r#"{"calls":[{"tool":"read","args":{"path":"src/a.py"}}],"task_signal_hint":"FOCUSED/READONLY/coding"}"#,
    );
    let (code, out, _) = vigil(&["anomaly"], &[], &input);
    assert_eq!(code, 1);
    assert_eq!(out.len(), 6);
    assert_eq!(out[0]["class"], "critical");
    assert_eq!(
        out[0]["reasons"],
        serde_json::json!(["cloud_metadata_access"])
    );
    assert_eq!(out[1]["class"], "critical");
    assert_eq!(out[1]["reasons"][2], "network_activity_after_secret_access");
    assert_eq!(
        out[2],
        serde_json::json!({"score": 0.0, "class": "normal", "reasons": []})
    );
    let msg = out[3]["error"]["message"].as_str().unwrap();
    assert!(
        msg.starts_with("window[0].operation: unknown operation \"fly\""),
        "{msg}"
    );
    assert_eq!(
        out[4]["error"]["message"],
        "give either \"window\" or \"calls\", not both"
    );
    assert_eq!(out[5]["class"], "normal");
    assert_eq!(out[5]["reasons"], serde_json::json!(["normal"]));
    let (code, out, _) = vigil(&["anomaly"], &[], r#"{"calls":[],"policy_name":"yolo"}"#);
    assert_eq!(code, 1);
    let msg = out[0]["error"]["message"].as_str().unwrap();
    assert!(msg.starts_with("unknown policy_name \"yolo\""), "{msg}");
}

#[test]
fn model_path_precedence_explicit_then_env_then_embedded() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.vgl");
    std::fs::write(&junk, b"definitely not a model").unwrap();
    let junk = junk.to_str().unwrap();
    let good = concat!(env!("CARGO_MANIFEST_DIR"), "/../anomaly/models/anomaly.vgl");
    // Env set to a bad file: refused clearly, exit 2.
    let (code, _, err) = vigil(&["anomaly"], &[("VIGIL_ANOMALY_MODEL", junk)], METADATA);
    assert_eq!(code, 2);
    assert!(err.contains("cannot load the anomaly model"), "{err}");
    assert!(err.contains(junk), "{err}");
    // An explicit path beats the env.
    let (code, out, _) = vigil(
        &["anomaly", "--model", good],
        &[("VIGIL_ANOMALY_MODEL", junk)],
        METADATA,
    );
    assert_eq!(code, 0);
    assert_eq!(out[0]["class"], "critical");
    // Neither: the embedded model.
    let (code, out, _) = vigil(&["anomaly"], &[], METADATA);
    assert_eq!(code, 0);
    assert_eq!(out[0]["class"], "critical");
}

/// Three secret reads: suspicious at 0.62, inside the gray zone (≥ 0.50).
const GRAY: &str = r#"{"calls":[{"tool":"read","args":{"path":".env"}},{"tool":"read","args":{"path":"config/credentials.yml"}},{"tool":"read","args":{"path":"secrets/token.txt"}}]}"#;

#[test]
fn verifier_failure_falls_back_or_fails_closed() {
    // Nothing listens on the discard port: every verifier call is refused at once.
    let unreachable = [
        "anomaly",
        "--verifier",
        "ollama",
        "--verifier-base-url",
        "http://127.0.0.1:9",
        "--verifier-timeout-ms",
        "2000",
    ];
    let input = format!("{GRAY}\n{METADATA}\n");
    let (code, plain, _) = vigil(&["anomaly"], &[], &input);
    assert_eq!(code, 0);
    assert_eq!(plain[0]["class"], "suspicious");

    // Fall back: the ML answer, unchanged.
    let (code, out, _) = vigil(&unreachable, &[], &input);
    assert_eq!(code, 0);
    assert_eq!(out[0], plain[0]);
    assert_eq!(out[1], plain[1]);

    // Fail closed: the gray-zone window becomes critical; the critical one never asks.
    let mut closed = unreachable.to_vec();
    closed.push("--fail-closed");
    let (code, out, _) = vigil(&closed, &[], &input);
    assert_eq!(code, 0);
    assert_eq!(out[0]["class"], "critical");
    assert_eq!(
        out[0]["reasons"],
        serde_json::json!(["verifier_error_fail_closed"])
    );
    assert!(out[0]["score"].as_f64().unwrap() >= 0.75);
    assert_eq!(out[1], plain[1]);
}

#[test]
fn verifier_options_need_a_verifier() {
    let (code, out, err) = vigil(&["anomaly", "--fail-closed"], &[], GRAY);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("--verifier"), "{err}");
}

#[test]
fn anomaly_accepts_every_axor_hint_form() {
    let call = r#"{"tool":"read","args":{"path":"src/a.py"}}"#;
    let input: String = [
        "focused_mutative",
        "FOCUSED/MUTATIVE/coding",
        "focused/mutative",
        "",
    ]
    .iter()
    .map(|hint| format!("{{\"calls\":[{call}],\"task_signal_hint\":\"{hint}\"}}\n"))
    .collect();
    let (code, out, stderr) = vigil(&["anomaly"], &[], &input);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(out.len(), 4);
    for record in &out {
        assert_eq!(record["class"], "normal", "{record}");
        assert!(record.get("error").is_none(), "{record}");
    }
    let (code, out, _) = vigil(
        &["anomaly"],
        &[],
        &format!("{{\"calls\":[{call}],\"task_signal_hint\":\"focused_sleepy\"}}\n"),
    );
    assert_eq!(code, 1);
    let msg = out[0]["error"]["message"].as_str().unwrap();
    assert!(
        msg.starts_with("task_signal_hint: unknown nature \"sleepy\""),
        "{msg}"
    );
}
