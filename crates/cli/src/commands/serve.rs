//! `vigil serve`: the HTTP sidecar (`vigil_server`), with shared state on a directory or Redis.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::Args;
use vigil_features::intent::IntentNormalizer;
use vigil_server::{ServeOptions, StateLocation};

/// Arguments of `vigil serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on. Anything but loopback exposes the models to the network: put a
    /// token (--token-file) and TLS in front.
    #[arg(long, default_value = "127.0.0.1:8787")]
    listen: SocketAddr,
    /// Shared state: a directory (one process) or redis://host:port/db (any number of processes).
    #[arg(long, value_name = "DIR|URL", default_value = ".vigil-state")]
    state: String,
    /// Key prefix on Redis, one per deployment.
    #[arg(long, value_name = "PREFIX", default_value = "vigil:")]
    state_prefix: String,
    /// Require `Authorization: Bearer <token>` on /v1/*, the token being this file's first line.
    #[arg(long, value_name = "FILE")]
    token_file: Option<PathBuf>,
    /// Largest request body, in bytes.
    #[arg(long, default_value_t = 4 * 1024 * 1024)]
    body_limit: usize,
    /// Per-request time limit, in milliseconds.
    #[arg(long, default_value_t = 10_000)]
    timeout_ms: u64,
    /// Plan-risk sessions expire this many seconds after their last turn.
    #[arg(long, default_value_t = 86_400)]
    session_ttl_s: u64,
    /// Reload a baseline agent from the shared log after this many events sent through this
    /// process.
    #[arg(long, default_value_t = 100)]
    refit_every: usize,
    /// Working directory the intent normalizer resolves relative paths against.
    #[arg(long, default_value = IntentNormalizer::DEFAULT_WORKDIR)]
    workdir: PathBuf,
    /// Most connections open at once; further clients wait to be accepted.
    #[arg(long, value_name = "N", default_value_t = 1024)]
    max_connections: usize,
    /// Close a connection after this many seconds without traffic either way (a client that
    /// sends half its headers and stops; an idle keep-alive connection). Never shorter than
    /// the request time limit.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    idle_timeout_s: u64,
    /// Worker threads (default: the number of CPUs).
    #[arg(long)]
    threads: Option<usize>,
    /// A browser origin (`https://app.example`) allowed to call /v1/*; repeatable. Any other
    /// /v1/* request carrying an `Origin` header is refused (403): agents send none.
    #[arg(long, value_name = "ORIGIN")]
    allow_origin: Vec<String>,
    /// Most /v1/* requests handled at once (default: twice the worker threads); the others
    /// wait up to --timeout-ms, then get 503. Request bodies share a budget of
    /// max-in-flight × --body-limit bytes. Bounds memory.
    #[arg(long, value_name = "N")]
    max_in_flight: Option<usize>,
}

/// Runs `vigil serve` until SIGTERM or Ctrl-C.
pub fn run(args: ServeArgs) -> anyhow::Result<bool> {
    let token = match &args.token_file {
        None => None,
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read token file {}", path.display()))?;
            let token = text.lines().next().unwrap_or("").trim().to_owned();
            if token.len() < 16 {
                bail!(
                    "token file {}: the token must be at least 16 characters",
                    path.display()
                );
            }
            Some(token)
        }
    };
    if args.refit_every == 0 {
        bail!("--refit-every must be at least 1");
    }
    if args.max_in_flight == Some(0) {
        bail!("--max-in-flight must be at least 1");
    }
    if args.threads == Some(0) {
        bail!("--threads must be at least 1");
    }
    let max_in_flight = match (args.max_in_flight, args.threads) {
        (Some(n), _) => n,
        (None, Some(threads)) => 2 * threads.max(1),
        (None, None) => vigil_server::app::default_max_in_flight(),
    };
    for origin in &args.allow_origin {
        if !(origin.starts_with("http://") || origin.starts_with("https://"))
            || origin.contains(' ')
        {
            bail!("--allow-origin {origin:?}: expected an origin like https://app.example");
        }
    }
    let options = ServeOptions {
        listen: args.listen,
        state: StateLocation::parse(&args.state),
        prefix: args.state_prefix,
        token,
        body_limit: args.body_limit,
        timeout: Duration::from_millis(args.timeout_ms.max(1)),
        session_ttl: Duration::from_secs(args.session_ttl_s.max(1)),
        refit_every: args.refit_every,
        workdir: args.workdir.to_string_lossy().into_owned(),
        max_connections: args.max_connections.max(1),
        idle_timeout: Duration::from_secs(args.idle_timeout_s.max(1)),
        allow_origins: args.allow_origin,
        max_in_flight,
    };
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if let Some(n) = args.threads {
        builder.worker_threads(n.max(1));
    }
    let runtime = builder
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(vigil_server::serve(options))?;
    Ok(true)
}
