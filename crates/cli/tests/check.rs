//! `vigil check`: the JSON Lines contract, end to end through the binary.

mod common;

use std::process::Command;

fn vigil(args: &[&str], stdin: &[u8]) -> (i32, Vec<serde_json::Value>, String) {
    common::vigil(args, &[], stdin)
}

#[test]
fn intents_are_echoed_canonically_and_bad_lines_reported_in_place() {
    let input = concat!(
        r#"{"tool":"read","operation":"file_read","target_kind":"workdir"}"#,
        "\n",
        r#"{"tool":"bash","operation":"fly","target_kind":"workdir"}"#,
        "\n",
        "not json\n",
        r#"{"tool":"curl","operation":"network_request","target_kind":"cloud_metadata","data_flow":"none"}"#,
        "\n"
    );
    let (code, out, _) = vigil(&["check", "intent"], input.as_bytes());
    assert_eq!(code, 1);
    assert_eq!(out.len(), 4);
    assert_eq!(out[0]["provenance"], "unknown");
    assert_eq!(out[0]["target_resource_reputation"], 0.0);
    assert_eq!(out[1]["error"]["line"], 2);
    let message = out[1]["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("operation: unknown operation \"fly\""),
        "{message}"
    );
    assert_eq!(out[2]["error"]["line"], 3);
    assert_eq!(out[3]["target_kind"], "cloud_metadata");
}

#[test]
fn all_good_lines_exit_zero() {
    let input = concat!(
        r#"{"steps":[{"tool":"send_email","args":{"to":"a@b.c"}}]}"#,
        "\n"
    );
    let (code, out, _) = vigil(&["check", "plan"], input.as_bytes());
    assert_eq!(code, 0);
    assert_eq!(out[0]["steps"][0]["args"]["to"], "a@b.c");

    let (code, out, _) = vigil(
        &["check", "event"],
        br#"{"timestamp":"2026-11-21T10:00:00Z","duration_ms":null}"#,
    );
    assert_eq!(code, 0);
    assert_eq!(out[0]["duration_ms"], 0.0);
    assert_eq!(out[0]["success"], true);

    let (code, out, _) = vigil(
        &["check", "signal"],
        br#"{"raw_input":"x","complexity":"expansive","nature":"readonly"}"#,
    );
    assert_eq!(code, 0);
    assert_eq!(out[0]["estimated_scope"], 999);

    let (code, out, _) = vigil(&["check", "result"], br#"{"score":0.1,"cls":"normal"}"#);
    assert_eq!(code, 0);
    assert_eq!(
        out[0],
        serde_json::json!({"score":0.1,"class":"normal","reasons":[]})
    );
}

#[test]
fn input_file_option_and_missing_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("in.jsonl");
    std::fs::write(&path, b"{\"score\":2,\"class\":\"critical\"}\n").unwrap();
    let (code, out, _) = vigil(&["check", "result", "--input", path.to_str().unwrap()], b"");
    assert_eq!(code, 1);
    assert_eq!(
        out[0]["error"]["message"],
        "score: score 2 is outside [0, 1] at column 10"
    );
    let missing = dir.path().join("missing.jsonl");
    let (code, out, err) = vigil(&["check", "plan", "-i", missing.to_str().unwrap()], b"");
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("cannot open input file"), "{err}");
}

#[test]
fn help_lists_subcommands() {
    let out = Command::new(env!("CARGO_BIN_EXE_vigil"))
        .arg("--help")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("check"), "{text}");
}
