//! The listening socket `vigil serve` accepts on, guarded against clients that hold
//! connections open: at most [`ServeOptions::max_connections`](crate::ServeOptions) at once
//! (the next client waits in the kernel's backlog instead of the server running out of file
//! descriptors and logging `Too many open files` every second), and a connection that sends
//! nothing and is sent nothing for [`ServeOptions::idle_timeout`](crate::ServeOptions) is closed
//! — a client that sends half its headers and stops, or keeps an idle keep-alive connection,
//! no longer holds it for good. The idle limit restarts on every byte, so it alone does not stop
//! a client that trickles: [`serve_connections`] also gives every request head a hard deadline
//! (hyper's `header_read_timeout`), the handlers give every body one
//! ([`crate::app::body_read_timeout`]), and shutdown waits a bounded time for open connections.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::serve::Listener;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::{Instant, Sleep};

/// A [`TcpListener`] that hands out [`GuardedStream`]s, at most `max_connections` at a time.
pub struct GuardedListener {
    listener: TcpListener,
    permits: Arc<Semaphore>,
    idle: Duration,
}

impl GuardedListener {
    /// Guards `listener`: at most `max_connections` (at least 1) open connections, each closed
    /// after `idle` without traffic either way.
    pub fn new(listener: TcpListener, max_connections: usize, idle: Duration) -> Self {
        GuardedListener {
            listener,
            permits: Arc::new(Semaphore::new(
                max_connections.clamp(1, Semaphore::MAX_PERMITS),
            )),
            idle,
        }
    }
}

impl axum::serve::Listener for GuardedListener {
    type Io = GuardedStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            // The semaphore is never closed, so acquiring only waits.
            let Ok(permit) = self.permits.clone().acquire_owned().await else {
                continue;
            };
            match self.listener.accept().await {
                Ok((stream, addr)) => {
                    return (GuardedStream::new(stream, permit, self.idle), addr);
                }
                Err(e) => {
                    // Out of descriptors and the like: wait a little rather than spin.
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }
}

/// An accepted connection: its slot is given back when it is dropped, and it fails with
/// `TimedOut` once nothing has been read or written for the idle limit.
pub struct GuardedStream {
    stream: TcpStream,
    _permit: OwnedSemaphorePermit,
    idle: Duration,
    deadline: Pin<Box<Sleep>>,
}

impl GuardedStream {
    fn new(stream: TcpStream, permit: OwnedSemaphorePermit, idle: Duration) -> Self {
        GuardedStream {
            stream,
            _permit: permit,
            idle,
            deadline: Box::pin(tokio::time::sleep(idle)),
        }
    }

    /// Traffic: the idle limit starts again.
    fn touched(&mut self) {
        let next = Instant::now() + self.idle;
        self.deadline.as_mut().reset(next);
    }

    /// What a read or write of the stream polled to, seen through the idle limit: done (the
    /// limit starts again), or pending (an error once the limit has passed).
    fn settle<T>(
        &mut self,
        polled: Poll<io::Result<T>>,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<T>> {
        if polled.is_ready() {
            self.touched();
            return polled;
        }
        match self.deadline.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "connection idle for too long",
            ))),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl AsyncRead for GuardedStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.stream).poll_read(cx, buf);
        this.settle(polled, cx)
    }
}

impl AsyncWrite for GuardedStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.stream).poll_write(cx, buf);
        this.settle(polled, cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.stream).poll_write_vectored(cx, bufs);
        this.settle(polled, cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

/// Serves `app` on `listener` (HTTP/1.1) until `shutdown` resolves, then stops accepting, asks
/// every open connection to close after its current request, and waits at most `grace` for
/// them before closing the rest (a client trickling its request no longer holds the shutdown).
///
/// A request head (request line and headers) must arrive whole within `head_timeout` of the
/// server starting to wait for it, however slowly its bytes trickle in; an idle keep-alive
/// connection is closed after that time too.
pub async fn serve_connections(
    mut listener: GuardedListener,
    app: Router,
    head_timeout: Duration,
    grace: Duration,
    shutdown: impl Future<Output = ()> + Send,
) {
    // Every connection task holds a receiver: `closed()` resolves once all have ended.
    let (close_tx, close_rx) = tokio::sync::watch::channel(());
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (io, _addr) = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        let service = TowerToHyperService::new(app.clone());
        let mut stop = stop_rx.clone();
        let close = close_rx.clone();
        tokio::spawn(async move {
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(head_timeout);
            let conn = builder.serve_connection(TokioIo::new(io), service);
            let mut conn = std::pin::pin!(conn);
            tokio::select! {
                result = conn.as_mut() => {
                    if let Err(e) = result {
                        tracing::debug!("connection ended: {e}");
                    }
                }
                () = async { let _ = stop.wait_for(|stopping| *stopping).await; } => {
                    conn.as_mut().graceful_shutdown();
                    if tokio::time::timeout(grace, conn.as_mut()).await.is_err() {
                        tracing::warn!("closing a connection still open at shutdown");
                    }
                }
            }
            drop(close);
        });
    }
    // No new connections; the open ones finish their request, within `grace`.
    drop(listener);
    stop_tx.send_replace(true);
    drop(close_rx);
    let _ = tokio::time::timeout(grace + Duration::from_secs(1), close_tx.closed()).await;
}
