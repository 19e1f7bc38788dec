//! `vigil task-signal`: classification through the binary, bad input, model overrides.

mod common;

fn vigil(args: &[&str], env: &[(&str, &str)], stdin: &[u8]) -> common::Run {
    common::run(args, env, stdin)
}

fn embedded_model_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../task-signal/models/task-signal.vgl")
}

#[test]
fn one_result_per_line_with_every_field() {
    let input = concat!(
        r#"{"text":"fix the bug in parser.py"}"#,
        "\n",
        r#"{"text":"rewrite the whole billing service in Go", "id": 7}"#,
        "\n"
    );
    let r = vigil(&["task-signal"], &[], input.as_bytes());
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.lines.len(), 2);
    let first = &r.lines[0];
    assert_eq!(first["complexity"], "focused");
    assert_eq!(first["nature"], "mutative");
    assert_eq!(first["domain"], "coding");
    assert_eq!(first["policy"], "focused_mutative");
    assert_eq!(first["language"], "en");
    assert_eq!(first["classifier"], "ml");
    assert!(first["confidence"].as_f64().unwrap() > 0.7);
    assert_eq!(first["scores"].as_object().unwrap().len(), 11);
    assert_eq!(r.lines[1]["complexity"], "expansive");
    assert_eq!(r.lines[1]["policy"], "expansive");
}

#[test]
fn text_flag_prints_one_result() {
    let r = vigil(
        &["task-signal", "--text", "refactor the auth module"],
        &[],
        b"",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.lines.len(), 1);
    assert_eq!(r.lines[0]["complexity"], "moderate");
    assert_eq!(r.lines[0]["nature"], "mutative");
    assert_eq!(r.lines[0]["policy"], "moderate_mutative");

    let r = vigil(
        &[
            "task-signal",
            "--classifier",
            "heuristic",
            "--text",
            "refactor the auth module",
        ],
        &[],
        b"",
    );
    assert_eq!(r.lines[0]["classifier"], "heuristic");
    let conf = r.lines[0]["confidence"].as_f64().unwrap();
    assert!((conf - 0.7 / 1.5).abs() < 1e-9, "{conf}");
}

#[test]
fn bad_lines_get_errors_in_place_and_nothing_panics() {
    let mut input = Vec::new();
    input.extend_from_slice(b"not json\n");
    input.extend_from_slice(b"{\"prompt\":\"fix it\"}\n");
    input.extend_from_slice(b"{\"text\":42}\n");
    input.extend_from_slice(b"{\"text\":\"fix \xff\xfe it\"}\n");
    input.extend_from_slice(
        format!(
            "{{\"text\":\"{}\"}}\n",
            "explain the scheduler ".repeat(50_000)
        )
        .as_bytes(),
    );
    input.extend_from_slice(b"{\"text\":\"   \"}\n");
    input.extend_from_slice(b"{\"text\":\"summarize the findings of these papers\"}\n");
    let r = vigil(&["task-signal"], &[], &input);
    assert_eq!(r.code, 1);
    assert_eq!(r.lines.len(), 7);
    let message = |i: usize| r.lines[i]["error"]["message"].as_str().unwrap().to_owned();
    assert_eq!(r.lines[0]["error"]["line"], 1);
    assert!(message(0).starts_with("expected ident"), "{}", message(0));
    assert!(
        message(1).contains("missing field `text`"),
        "{}",
        message(1)
    );
    assert!(
        message(2).contains("text") && message(2).contains("invalid type"),
        "{}",
        message(2)
    );
    assert_eq!(
        message(3),
        "line is not valid UTF-8 (invalid byte at offset 13)"
    );
    // 1 MB prompt: answered (only its first 8 KiB are read).
    assert_eq!(r.lines[4]["nature"], "readonly");
    // Blank text: the defined low-confidence answer.
    assert_eq!(r.lines[5]["confidence"], 0.0);
    assert_eq!(r.lines[5]["policy"], "focused_readonly");
    assert_eq!(r.lines[5]["language"], "unknown");
    assert_eq!(r.lines[6]["nature"], "readonly");
}

#[test]
fn model_precedence_explicit_path_then_env_then_embedded() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("broken.vgl");
    std::fs::write(&bad, b"VIGILART garbage garbage garbage").unwrap();
    let bad = bad.to_str().unwrap();
    let good = embedded_model_path();
    let good = good.to_str().unwrap();

    // A bad model named by the environment is refused clearly (exit 2), never silently replaced.
    let r = vigil(
        &["task-signal", "--text", "fix it"],
        &[("VIGIL_TASK_SIGNAL_MODEL", bad)],
        b"",
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("broken.vgl") && r.stderr.contains("truncated"),
        "{}",
        r.stderr
    );
    // An explicit path beats the environment.
    let r = vigil(
        &["task-signal", "--model", good, "--text", "fix it"],
        &[("VIGIL_TASK_SIGNAL_MODEL", bad)],
        b"",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    // A good model in the environment is used.
    let r = vigil(
        &["task-signal", "--text", "fix it"],
        &[("VIGIL_TASK_SIGNAL_MODEL", good)],
        b"",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    // A bad explicit path is refused even with no environment.
    let r = vigil(
        &["task-signal", "--model", bad, "--text", "fix it"],
        &[],
        b"",
    );
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("cannot load the task-signal model"),
        "{}",
        r.stderr
    );
    // Invalid cascade threshold.
    let r = vigil(
        &["task-signal", "--escalate-below", "2", "--text", "x"],
        &[],
        b"",
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("escalate_below = 2"), "{}", r.stderr);
}
