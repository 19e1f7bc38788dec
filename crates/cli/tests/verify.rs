//! `vigil verify` end to end through the binary, against a tiny HTTP server on loopback.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use serde_json::{Value, json};

fn vigil(args: &[&str], stdin: &[u8]) -> (i32, Vec<Value>, String) {
    vigil_with_env(args, stdin, &[])
}

fn vigil_with_env(args: &[&str], stdin: &[u8], env: &[(&str, &str)]) -> (i32, Vec<Value>, String) {
    common::vigil(args, env, stdin)
}

/// Reads one HTTP/1.1 request and returns its body.
fn read_request(stream: &mut TcpStream) -> Option<Value> {
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut length = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().ok()?;
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

/// Serves Ollama-style answers: one per request, in order; sends each request body back on the
/// channel.
fn ollama_server(answers: Vec<&'static str>) -> (String, mpsc::Receiver<Value>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for answer in answers {
            let Ok((mut stream, _)) = listener.accept() else {
                return;
            };
            let Some(body) = read_request(&mut stream) else {
                return;
            };
            let _ = tx.send(body);
            let payload =
                json!({"message": {"role": "assistant", "content": answer}, "done": true})
                    .to_string();
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
                 connection: close\r\n\r\n{payload}",
                payload.len()
            );
        }
    });
    (base, rx)
}

const EXFIL_WINDOW: &str = r#"[{"tool":"web_fetch","operation":"network_request","target_kind":"external_url","destination_kind":"external_domain","provenance":"external_web","after_external_read":true,"data_flow":"local_to_external"},{"tool":"read","operation":"file_read","target_kind":"secret","reads_secret_like_data":true,"after_external_read":true,"after_secret_access":true},{"tool":"curl","operation":"network_request","target_kind":"external_url","destination_kind":"external_domain","after_external_read":true,"after_secret_access":true,"data_flow":"local_to_external"}]"#;

#[test]
fn each_line_gets_the_verifiers_verdict_or_an_error_record() {
    let (base, requests) = ollama_server(vec![
        r#"{"score": 0.93, "class": "critical", "reasons": ["exfiltration chain"]}"#,
        "Sure! ```json\n{\"score\": 0.12, \"class\": \"Normal\", \"reasons\": []}\n```",
        "I cannot comply.",
    ]);
    let input = format!(
        "{{\"window\": {EXFIL_WINDOW}, \"task_signal_hint\": \"FOCUSED/READONLY/research\", \"policy_name\": \"focused_readonly\"}}\n\
         {{\"window\": [{{\"tool\":\"bash\",\"operation\":\"fly\",\"target_kind\":\"workdir\"}}]}}\n\
         {{\"window\": [{{\"tool\":\"read\",\"operation\":\"file_read\",\"target_kind\":\"workdir\"}}], \"task_signal_hint\": \"\", \"policy_name\": null}}\n\
         {{\"window\": []}}\n\
         {{\"window\": [{{\"tool\":\"pytest\",\"operation\":\"test\",\"target_kind\":\"workdir\"}}]}}\n\
         {{\"window\": [], \"task_signal_hint\": \"FOCUSED/SLEEPY\"}}\n"
    );
    let (code, out, stderr) = vigil(
        &[
            "verify",
            "--provider",
            "ollama",
            "--base-url",
            &base,
            "--timeout-ms",
            "5000",
        ],
        input.as_bytes(),
    );
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(out.len(), 6);
    assert_eq!(
        out[0],
        json!({"score": 0.93, "class": "critical", "reasons": ["exfiltration chain"]})
    );
    assert_eq!(out[1]["error"]["line"], 2);
    let message = out[1]["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("window[0].operation: unknown operation \"fly\""),
        "{message}"
    );
    assert_eq!(
        out[2],
        json!({"score": 0.12, "class": "normal", "reasons": []})
    );
    // An empty window is answered without a call.
    assert_eq!(
        out[3],
        json!({"score": 0.0, "class": "normal", "reasons": []})
    );
    assert_eq!(
        out[4],
        json!({"score": 0.5, "class": "suspicious", "reasons": ["verifier_parse_error"]})
    );
    assert_eq!(out[5]["error"]["line"], 6);
    let message = out[5]["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("task_signal_hint: unknown nature \"sleepy\""),
        "{message}"
    );

    let first = requests.recv_timeout(Duration::from_secs(1)).unwrap();
    assert_eq!(first["model"], "llama3.2");
    assert_eq!(first["options"]["temperature"], 0);
    let user = first["messages"][1]["content"].as_str().unwrap();
    assert!(
        user.starts_with("Task type: FOCUSED/READONLY/research\nActive policy: focused_readonly\n"),
        "{user}"
    );
    assert!(
        user.contains("3. cat=network op=network_request target=external_url dest=external_domain prov=unknown flow=local_to_external [after_external_read, after_secret_access]"),
        "{user}"
    );
    for tool in ["web_fetch", "curl"] {
        assert!(!first.to_string().contains(tool), "{tool} leaked");
    }
    let second = requests.recv_timeout(Duration::from_secs(1)).unwrap();
    assert!(
        second["messages"][1]["content"]
            .as_str()
            .unwrap()
            .starts_with("\nBehavioral sequence (1 intents)")
    );
}

#[test]
fn unreachable_server_and_timeouts_are_per_line_errors() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let line = format!("{{\"window\": {EXFIL_WINDOW}}}\n");
    let (code, out, _) = vigil(
        &["verify", "--provider", "openai", "--base-url", &base],
        format!("{line}{line}").as_bytes(),
    );
    assert_eq!(code, 1);
    assert_eq!(out.len(), 2);
    for (i, record) in out.iter().enumerate() {
        assert_eq!(record["error"]["line"], i + 1);
        let message = record["error"]["message"].as_str().unwrap();
        assert!(message.starts_with("verifier: transport: "), "{message}");
    }

    // A server that accepts and never answers.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", silent.local_addr().unwrap());
    let holder = thread::spawn(move || {
        let held: Vec<TcpStream> = silent.incoming().take(1).filter_map(Result::ok).collect();
        thread::sleep(Duration::from_secs(2));
        drop(held);
    });
    let (code, out, _) = vigil_with_env(
        &[
            "verify",
            "--provider",
            "anthropic",
            "--base-url",
            &base,
            "--timeout-ms",
            "300",
        ],
        line.as_bytes(),
        &[("ANTHROPIC_API_KEY", "test-key")],
    );
    let _ = holder;
    assert_eq!(code, 1);
    assert_eq!(
        out[0],
        json!({"error": {"line": 1, "message": "verifier: timed out after 300 ms"}})
    );
}

#[test]
fn unusable_settings_stop_the_command_with_status_2() {
    let (code, out, stderr) = vigil(
        &["verify", "--provider", "anthropic"],
        b"{\"window\": []}\n",
    );
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(
        stderr.contains("cannot set up the anthropic verifier: anthropic: no API key (pass one explicitly or set ANTHROPIC_API_KEY)"),
        "{stderr}"
    );

    let (code, _, stderr) = vigil(
        &["verify", "--provider", "ollama", "--timeout-ms", "0"],
        b"",
    );
    assert_eq!(code, 2);
    assert!(
        stderr.contains("timeout = 0 ms: must be between 1 ms and 600 s"),
        "{stderr}"
    );

    let (code, _, stderr) = vigil(&["verify", "--provider", "gemini"], b"");
    assert_eq!(code, 2);
    assert!(
        stderr.contains("unknown provider \"gemini\" (expected one of: anthropic, ollama, openai)"),
        "{stderr}"
    );
}

#[test]
fn every_axor_hint_form_reaches_the_verifier_in_one_canonical_form() {
    let ok = r#"{"score": 0.1, "class": "normal", "reasons": []}"#;
    let (base, requests) = ollama_server(vec![ok, ok, ok]);
    let window = r#"[{"tool":"read","operation":"file_read","target_kind":"workdir"}]"#;
    let input: String = [
        "focused_mutative",
        "FOCUSED/MUTATIVE/coding",
        "focused/mutative",
    ]
    .iter()
    .map(|hint| format!("{{\"window\": {window}, \"task_signal_hint\": \"{hint}\"}}\n"))
    .collect();
    let (code, out, stderr) = vigil(
        &["verify", "--provider", "ollama", "--base-url", &base],
        input.as_bytes(),
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(out.len(), 3);
    let mut task_lines = Vec::new();
    for _ in 0..3 {
        let request = requests.recv_timeout(Duration::from_secs(1)).unwrap();
        let user = request["messages"][1]["content"]
            .as_str()
            .unwrap()
            .to_owned();
        task_lines.push(user.lines().next().unwrap_or_default().to_owned());
    }
    assert_eq!(
        task_lines,
        [
            "Task type: FOCUSED/MUTATIVE/general",
            "Task type: FOCUSED/MUTATIVE/coding",
            "Task type: FOCUSED/MUTATIVE/general",
        ]
    );
}
