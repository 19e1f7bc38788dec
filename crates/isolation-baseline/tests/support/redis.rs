//! A real `redis-server` for integration tests: `VIGIL_REDIS_URL` when set (`.ci/run` starts one
//! on loopback), otherwise one started here on a free loopback port. `VIGIL_SKIP_REDIS=1` skips,
//! loudly. There is no mock.

use std::process::{Child, Command, Stdio};

/// A server for the test; dropped, it stops the one it started.
pub struct Redis {
    /// `redis://127.0.0.1:PORT/`.
    pub url: String,
    child: Option<Child>,
}

impl Drop for Redis {
    fn drop(&mut self) {
        if let Some(c) = self.child.as_mut() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// The server, or `None` (with a loud message) under `VIGIL_SKIP_REDIS=1`.
pub fn redis(test: &str) -> Option<Redis> {
    if std::env::var("VIGIL_SKIP_REDIS").as_deref() == Ok("1") {
        eprintln!("!!! SKIPPED {test}: VIGIL_SKIP_REDIS=1, no Redis integration test ran !!!");
        return None;
    }
    if let Ok(url) = std::env::var("VIGIL_REDIS_URL") {
        return Some(Redis { url, child: None });
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port");
    let child = Command::new("redis-server")
        .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
        .args(["--save", "", "--appendonly", "no"])
        .stdout(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "{test}: cannot start redis-server ({e}); install it (apt-get install redis-server), \
                 set VIGIL_REDIS_URL, or set VIGIL_SKIP_REDIS=1 to skip"
            )
        });
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    Some(Redis {
        url: format!("redis://127.0.0.1:{port}/"),
        child: Some(child),
    })
}

/// A key prefix no other test run uses.
pub fn unique_prefix(test: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("vigil-test:{test}:{}:{nanos}:", std::process::id())
}
