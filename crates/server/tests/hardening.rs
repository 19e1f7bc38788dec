//! `vigil serve` against hostile clients on loopback: browsers (cross-site requests, DNS
//! rebinding), slow clients (trickled heads and bodies, shutdown), many large requests at once,
//! state-directory faults, and small protocol details.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use vigil_server::app::{MIN_BODY_READ, serve_on};
use vigil_server::{AppState, ServeOptions, StateLocation};

struct Server {
    url: String,
    addr: std::net::SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    done: tokio::task::JoinHandle<()>,
}

async fn start(options: ServeOptions) -> Server {
    let state = Arc::new(AppState::new(options).unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let done = tokio::spawn(serve_on(listener, state, async {
        let _ = stopped.await;
    }));
    Server {
        url: format!("http://{addr}"),
        addr,
        stop: Some(stop),
        done,
    }
}

fn options(dir: &tempfile::TempDir) -> ServeOptions {
    ServeOptions {
        state: StateLocation::Dir(dir.path().into()),
        ..ServeOptions::default()
    }
}

/// Sends `raw` and reads the answer until the server closes (at most `limit`).
async fn raw(addr: std::net::SocketAddr, raw: &[u8], limit: Duration) -> String {
    let mut c = tokio::net::TcpStream::connect(addr).await.unwrap();
    c.write_all(raw).await.unwrap();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(limit, c.read_to_end(&mut answer)).await;
    String::from_utf8_lossy(&answer).into_owned()
}

fn json_of(answer: &str) -> Value {
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or("");
    serde_json::from_str(body).unwrap_or(Value::Null)
}

#[test]
fn loopback_hosts() {
    use vigil_server::app::loopback_host;
    for ok in [
        "localhost",
        "LOCALHOST:8787",
        "127.0.0.1",
        "127.0.0.1:8787",
        "127.1.2.3:1",
        "[::1]",
        "[::1]:8787",
    ] {
        assert!(loopback_host(ok), "{ok}");
    }
    for refused in [
        "",
        "evil.example",
        "evil.example:8787",
        "localhost.evil.example",
        "127.0.0.1.evil.example",
        "10.0.0.1:8787",
        "[::2]:80",
        "[::1]x",
        "localhost:80x",
        "0.0.0.0",
    ] {
        assert!(!loopback_host(refused), "{refused}");
    }
}

/// A web page's cross-site POST (even a `text/plain` one, which needs no preflight) carries an
/// `Origin`: refused unless allowed. A DNS-rebound page sends its own name as `Host`: refused on
/// loopback. Agents (no `Origin`, Host 127.0.0.1 or localhost) are served as before.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browsers_are_refused_unless_their_origin_is_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(ServeOptions {
        allow_origins: vec!["https://app.example".into()],
        ..options(&dir)
    })
    .await;
    let client = reqwest::Client::new();
    let event =
        r#"{"agent_id":"victim","timestamp":"2026-03-02T09:00:00Z","event_type":"tool_call"}"#;
    let post = |origin: Option<&'static str>| {
        let mut r = client
            .post(format!("{}/v1/baseline", s.url))
            .header("content-type", "text/plain")
            .body(event);
        if let Some(o) = origin {
            r = r.header("origin", o);
        }
        r.send()
    };
    let r = post(Some("https://evil.example")).await.unwrap();
    assert_eq!(r.status().as_u16(), 403);
    let body: Value = r.json().await.unwrap();
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("cross-origin request"), "{message}");
    assert!(message.contains("--allow-origin"), "{message}");
    // Nothing was appended.
    let log: Value = client
        .get(format!("{}/v1/baseline/victim", s.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(log["log_events"], 0, "{log}");
    // `null` (sandboxed frames, file://) is an origin like any other.
    assert_eq!(post(Some("null")).await.unwrap().status().as_u16(), 403);
    // Allowed origin: served, with CORS headers; its preflight is answered.
    let r = post(Some("https://app.example")).await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(
        r.headers()["access-control-allow-origin"],
        "https://app.example"
    );
    let r = client
        .request(reqwest::Method::OPTIONS, format!("{}/v1/plan-risk", s.url))
        .header("origin", "https://app.example")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
    assert!(r.headers().contains_key("access-control-allow-methods"));
    // No Origin (agents, curl, Python): served.
    assert_eq!(post(None).await.unwrap().status().as_u16(), 200);

    // DNS rebinding: the page's own name as Host is refused on a loopback listener, whatever
    // the path; loopback names with any port are served.
    for path in ["/v1/baseline/victim", "/healthz", "/metrics"] {
        let answer = raw(
            s.addr,
            format!(
                "GET {path} HTTP/1.1\r\nHost: rebind.evil.example:8787\r\nConnection: close\r\n\r\n"
            )
            .as_bytes(),
            Duration::from_secs(10),
        )
        .await;
        assert!(answer.starts_with("HTTP/1.1 421"), "{path}: {answer}");
    }
    let answer = raw(
        s.addr,
        b"GET /v1/baseline/victim HTTP/1.1\r\nHost: rebind.evil.example\r\nConnection: close\r\n\r\n",
        Duration::from_secs(10),
    )
    .await;
    assert!(
        json_of(&answer)["error"]["message"]
            .as_str()
            .unwrap()
            .contains("DNS rebinding"),
        "{answer}"
    );
    for host in ["localhost:1", "127.0.0.1", "127.3.2.1:80", "[::1]:8787"] {
        let answer = raw(
            s.addr,
            format!("GET /healthz HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n")
                .as_bytes(),
            Duration::from_secs(10),
        )
        .await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{host}: {answer}");
    }
}

/// A request head trickled a few bytes at a time is cut off at its deadline (the idle timer
/// alone restarted on every byte); a body trickled likewise too (the old body timeout was per
/// chunk); trickling clients at the connection limit lock others out for at most that deadline;
/// and shutdown does not wait for them longer than that either.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trickling_clients_are_cut_off_at_the_deadline() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = start(ServeOptions {
        // The deadlines are then MIN_BODY_READ (5 s).
        timeout: Duration::from_secs(1),
        max_connections: 4,
        ..options(&dir)
    })
    .await;
    let deadline = MIN_BODY_READ;
    // Sends `prefix` at once, then `data` two bytes at a time every `every`.
    let trickle = |prefix: &[u8], data: Vec<u8>, every: Duration| {
        let addr = s.addr;
        let prefix = prefix.to_vec();
        tokio::spawn(async move {
            let started = Instant::now();
            let c = tokio::net::TcpStream::connect(addr).await.unwrap();
            let (mut rd, mut wr) = c.into_split();
            let writer = tokio::spawn(async move {
                if wr.write_all(&prefix).await.is_err() {
                    return;
                }
                for chunk in data.chunks(2) {
                    if wr.write_all(chunk).await.is_err() {
                        return;
                    }
                    tokio::time::sleep(every).await;
                }
                // Keep the connection open (dropping the write half would send FIN).
                tokio::time::sleep(Duration::from_secs(60)).await;
                drop(wr);
            });
            let mut answer = Vec::new();
            let _ =
                tokio::time::timeout(Duration::from_secs(40), rd.read_to_end(&mut answer)).await;
            writer.abort();
            (
                started.elapsed(),
                String::from_utf8_lossy(&answer).into_owned(),
            )
        })
    };
    let head =
        b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Pad: aaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n"
            .to_vec();
    let body = b"POST /v1/injection HTTP/1.1\r\nHost: localhost\r\nContent-Length: 40\r\n\r\n";
    let mut slow = vec![];
    // Four trickling clients fill every connection slot: two heads, two bodies.
    for _ in 0..2 {
        slow.push(trickle(b"", head.clone(), Duration::from_millis(300)));
    }
    for _ in 0..2 {
        slow.push(trickle(body, vec![], Duration::ZERO));
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    // Meanwhile a normal client waits for a slot: at most about the deadline.
    let started = Instant::now();
    let answer = raw(
        s.addr,
        b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
        Duration::from_secs(30),
    )
    .await;
    let waited = started.elapsed();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(waited < deadline + Duration::from_secs(3), "{waited:?}");
    for (i, t) in slow.into_iter().enumerate() {
        let (took, answer) = t.await.unwrap();
        assert!(
            took < deadline + Duration::from_secs(3),
            "client {i}: {took:?} {answer}"
        );
        if i >= 2 {
            // A withheld body: 408 with the reason.
            assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
            assert!(
                json_of(&answer)["error"]["message"]
                    .as_str()
                    .unwrap()
                    .contains("did not arrive within 5000 ms"),
                "{answer}"
            );
        }
    }
    // A body trickled byte by byte (each chunk well within any per-chunk limit) is cut off at
    // the total deadline.
    let trickled = br#"{"text":"hello world, slowly, slowly"}  "#.to_vec();
    assert_eq!(trickled.len(), 40);
    let (took, answer) = trickle(body, trickled, Duration::from_millis(400))
        .await
        .unwrap();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(took < deadline + Duration::from_secs(3), "{took:?}");

    // Shutdown with a trickling client connected: bounded by the deadline.
    let hold = trickle(b"", head.repeat(4), Duration::from_millis(300));
    tokio::time::sleep(Duration::from_millis(500)).await;
    let started = Instant::now();
    s.stop.take().unwrap().send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(30), &mut s.done)
        .await
        .expect("shutdown waited for the trickling client")
        .unwrap();
    assert!(
        started.elapsed() < deadline + Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    hold.abort();
}

/// A client that sends its headers and withholds its body holds a KiB of the body budget, not
/// one of the `max_in_flight` handling slots: with one slot, the next client is answered at
/// once (it used to wait for the slot and get 503 after the request limit).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_withheld_body_holds_no_handling_slot() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(ServeOptions {
        timeout: Duration::from_millis(800),
        max_in_flight: 1,
        body_limit: 64 * 1024,
        ..options(&dir)
    })
    .await;
    let mut holders = Vec::new();
    for _ in 0..3 {
        let mut holder = tokio::net::TcpStream::connect(s.addr).await.unwrap();
        holder
            .write_all(
                b"POST /v1/injection HTTP/1.1\r\nHost: localhost\r\nContent-Length: 13\r\n\r\n",
            )
            .await
            .unwrap();
        holders.push(holder);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let client = reqwest::Client::new();
    let started = Instant::now();
    let r = client
        .post(format!("{}/v1/injection", s.url))
        .body(r#"{"text":"hi"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(
        started.elapsed() < Duration::from_millis(600),
        "{:?}",
        started.elapsed()
    );
    // The holders finish their bodies and are answered.
    for holder in &mut holders {
        holder.write_all(br#"{"text":"hi"}"#).await.unwrap();
        let mut answer = vec![0u8; 12];
        holder.read_exact(&mut answer).await.unwrap();
        assert_eq!(&answer, b"HTTP/1.1 200");
    }
    let metrics = client
        .get(format!("{}/metrics", s.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!metrics.contains("vigil_refusals_total{"), "{metrics}");
    assert!(
        metrics.contains("vigil_requests_total{endpoint=\"injection\",status=\"200\"} 4\n"),
        "{metrics}"
    );
}

/// Bodies being received share a budget of `max_in_flight × body_limit`: a body that would take
/// more than is left is refused at once (503, `Retry-After`, the connection closed), a smaller
/// one still fits, and the budget is whole again when the holder's request is done. A
/// `Content-Length` over the body limit is refused at once, without waiting for the body; a
/// chunked body over it as it arrives. Every refusal is counted by reason in `/metrics`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_share_a_budget_and_oversized_ones_are_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(ServeOptions {
        timeout: Duration::from_millis(800),
        max_in_flight: 1,
        // A budget of 4 KiB.
        body_limit: 4096,
        ..options(&dir)
    })
    .await;
    // A client sends 3,000 of its 4,000 bytes and stops: 3 KiB of the budget held.
    let text = "a".repeat(3985);
    let full = format!(r#"{{"text":"{text}"}}"#);
    assert_eq!(full.len(), 3996);
    let mut holder = tokio::net::TcpStream::connect(s.addr).await.unwrap();
    holder
        .write_all(
            format!(
                "POST /v1/injection HTTP/1.1\r\nHost: localhost\r\nContent-Length: {}\r\n\r\n{}",
                full.len(),
                &full[..3000]
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let client = reqwest::Client::new();
    // 1,500 bytes need 2 KiB: only 1 is left.
    let started = Instant::now();
    let r = client
        .post(format!("{}/v1/injection", s.url))
        .body(format!(r#"{{"text":"{}"}}"#, "b".repeat(1488)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 503);
    assert_eq!(r.headers()["retry-after"], "1");
    assert_eq!(r.headers()["connection"], "close");
    let body: Value = r.json().await.unwrap();
    assert!(
        body["error"]["message"].as_str().unwrap().starts_with(
            "busy: the request bodies being received hold the whole body budget (4 KiB"
        ),
        "{body}"
    );
    assert!(started.elapsed() < Duration::from_millis(600));
    // A small body fits in what is left.
    let r = client
        .post(format!("{}/v1/injection", s.url))
        .body(r#"{"text":"hi"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    // The holder finishes: answered, and its share returned.
    holder.write_all(&full.as_bytes()[3000..]).await.unwrap();
    let mut answer = vec![0u8; 12];
    holder.read_exact(&mut answer).await.unwrap();
    assert_eq!(&answer, b"HTTP/1.1 200");
    let r = client
        .post(format!("{}/v1/injection", s.url))
        .body(format!(r#"{{"text":"{}"}}"#, "b".repeat(1488)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);

    // Content-Length far over the limit and no body: 413 at once.
    let started = Instant::now();
    let answer = raw(
        s.addr,
        b"POST /v1/injection HTTP/1.1\r\nHost: localhost\r\nContent-Length: 99999999999\r\n\r\n",
        Duration::from_secs(20),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert!(
        json_of(&answer)["error"]["message"]
            .as_str()
            .unwrap()
            .contains("4096 bytes"),
        "{answer}"
    );
    // A chunked body over the limit: 413 too.
    let big = format!(r#"{{"text":"{}"}}"#, "a".repeat(5000));
    let answer = raw(
        s.addr,
        format!(
            "POST /v1/injection HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n{:x}\r\n{big}\r\n0\r\n\r\n",
            big.len()
        )
        .as_bytes(),
        Duration::from_secs(20),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    let metrics = client
        .get(format!("{}/metrics", s.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for line in [
        "vigil_refusals_total{reason=\"body_budget\"} 1\n",
        "vigil_refusals_total{reason=\"body_too_large\"} 2\n",
        "vigil_requests_total{endpoint=\"injection\",status=\"413\"} 2\n",
        "vigil_requests_total{endpoint=\"injection\",status=\"503\"} 1\n",
    ] {
        assert!(metrics.contains(line), "{line} not in {metrics}");
    }
}

fn session_plan(steps: usize) -> String {
    let steps: Vec<String> = (0..steps)
        .map(|i| format!(r#"{{"tool":"read_file","args":{{"path":"/srv/data/f{i}.txt"}}}}"#))
        .collect();
    format!(
        r#"{{"session_id":"big","request":"summarize the files","steps":[{}]}}"#,
        steps.join(",")
    )
}

/// A plan-risk turn with a session runs off the async workers: with one worker thread and a
/// short time limit, a long session plan answers 503 at the limit (it used to run to the end
/// on the worker, answering 200 long after the limit and holding every other request).
#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
async fn session_turns_run_off_the_async_workers() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(ServeOptions {
        timeout: Duration::from_millis(30),
        body_limit: 16 << 20,
        ..options(&dir)
    })
    .await;
    let plan = session_plan(40_000);
    let client = reqwest::Client::new();
    let turn = {
        let (client, url, plan) = (client.clone(), s.url.clone(), plan.clone());
        tokio::spawn(async move {
            let started = Instant::now();
            let r = client
                .post(format!("{url}/v1/plan-risk"))
                .body(plan)
                .send()
                .await
                .unwrap();
            (
                r.status().as_u16(),
                started.elapsed(),
                r.text().await.unwrap(),
            )
        })
    };
    let (status, took, text) = turn.await.unwrap();
    assert_eq!(status, 503, "{text}");
    assert!(text.contains("request timed out after 30 ms"), "{text}");
    // Parsing 3 MB on the worker is within the limit's order; assessing it is not.
    assert!(took < Duration::from_secs(3), "{took:?}");
    // The server still answers, and a small session turn goes through.
    let r = client
        .get(format!("{}/healthz", s.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
}

/// A corrupt file in the state directory is the server's fault: 500, and the answer names no
/// path on the server (the log does).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupt_state_file_is_a_500_without_paths() {
    let dir = tempfile::tempdir().unwrap();
    let event = r#"{"agent_id":"ops","timestamp":"2026-03-02T09:00:00Z","event_type":"tool_call"}"#;
    let s = start(options(&dir)).await;
    let client = reqwest::Client::new();
    let r = client
        .post(format!("{}/v1/baseline", s.url))
        .body(event)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    std::fs::write(
        dir.path().join("baselines/ops_events/zzzz-corrupt.jsonl"),
        "{\"trunc",
    )
    .unwrap();
    // A fresh server loads the agent from the log.
    let s = start(options(&dir)).await;
    let r = client
        .post(format!("{}/v1/baseline", s.url))
        .body(event)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 500);
    let text = r.text().await.unwrap();
    let root = dir.path().to_string_lossy().into_owned();
    assert!(!text.contains(&root), "{text}");
    assert!(!text.contains("/ops_events"), "{text}");
    assert!(text.contains("server log"), "{text}");
    let r = client
        .get(format!("{}/v1/baseline/ops", s.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 500);
    assert!(!r.text().await.unwrap().contains(&root));
}

/// A leading UTF-8 byte-order mark is dropped (the CLI drops it); the bearer scheme is
/// case-insensitive.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn byte_order_mark_and_bearer_scheme_case() {
    let dir = tempfile::tempdir().unwrap();
    let s = start(ServeOptions {
        token: Some("0123456789abcdef-secret".into()),
        ..options(&dir)
    })
    .await;
    let client = reqwest::Client::new();
    for scheme in ["Bearer", "bearer", "BEARER"] {
        let r = client
            .post(format!("{}/v1/injection", s.url))
            .header("authorization", format!("{scheme} 0123456789abcdef-secret"))
            .body("\u{feff}{\"text\":\"hi\"}")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200, "{scheme}");
    }
    for wrong in [
        "Basic 0123456789abcdef-secret",
        "Bearer0123456789abcdef-secret",
        "bearer 0123456789abcdef-secret!",
    ] {
        let r = client
            .post(format!("{}/v1/injection", s.url))
            .header("authorization", wrong)
            .body("{\"text\":\"hi\"}")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 401, "{wrong}");
    }
}
