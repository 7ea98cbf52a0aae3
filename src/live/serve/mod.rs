//! The loopback preview server: serves the last good build on 127.0.0.1, and
//! makes browsers reload when the site is rebuilt.
//!
//! Pages get two things added as they are served, never on disk: a tiny
//! script that long-polls [`reload::WAIT_PATH`] and reloads the page when the
//! build version changes, and, while the latest build failed, a banner with
//! the error over the last good page. HTTP/1.1 with one request per connection
//! and a thread per connection is all a preview for one author needs.
//!
//! This file holds what is shared ([`Live`]) and the accept loop; [`http`]
//! reads requests and writes responses, [`route`] decides the answer,
//! [`files`] is the only way to a file on disk, and [`reload`] decorates pages.

mod files;
mod http;
mod reload;
mod route;

use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use anyhow::Context;

use self::files::Files;
use self::http::{Incoming, Response};
use super::Rebuilt;

/// How often a held request checks whether its browser has gone away, so a
/// tab that navigated elsewhere does not hold a thread for the whole wait.
const PEER_CHECK: Duration = Duration::from_secs(1);

/// Enough for a few tabs each holding a wait, with room for their page loads.
const MAX_CONNECTIONS: usize = 64;

/// How long a connection has to send its whole request head, from the moment
/// its thread starts. A deadline for the whole head, not a timeout per read:
/// a client sending a byte every few seconds never trips a read timeout, and
/// enough of them held every connection place while browsers got 503.
const HEAD_DEADLINE: Duration = Duration::from_secs(5);

/// For tests only: `STATUSPOST_TEST_HEAD_DEADLINE_MS=N` replaces
/// [`HEAD_DEADLINE`], so the slow-client test takes seconds.
const HEAD_DEADLINE_ENV: &str = "STATUSPOST_TEST_HEAD_DEADLINE_MS";

/// For writing a response to a browser that stopped reading.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// What the server serves: shared between the rebuild loop and the connections.
#[derive(Default)]
pub(crate) struct Live {
    state: Mutex<State>,
    changed: Condvar,
}

#[derive(Default)]
struct State {
    /// Counts build attempts, good or failed; 0 until the first one ends.
    version: u64,
    /// The last good build.
    site: Option<Arc<Files>>,
    /// Why the latest build failed, as the terminal showed it.
    problem: Option<Arc<str>>,
}

/// A copy of the state for one response, so no lock is held while writing.
struct Snapshot {
    version: u64,
    site: Option<Arc<Files>>,
    problem: Option<Arc<str>>,
}

impl Live {
    /// Records a build attempt and wakes every waiting browser. A failed build
    /// keeps the last good site and shows why over it.
    pub(crate) fn publish(&self, rebuilt: &Rebuilt<'_>) {
        let mut state = self.lock();
        state.version += 1;
        match rebuilt {
            Rebuilt::Built(built) => {
                state.site = Some(Arc::new(Files::Disk(built.out_dir.clone())));
                state.problem = None;
            }
            failed => state.problem = failed.problem().map(Arc::from),
        }
        drop(state);
        self.changed.notify_all();
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere cannot leave the state half-updated: every field is replaced whole.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits until `done` holds, `timeout` passes, or `gone` says nobody is waiting any more.
    fn wait_until(
        &self,
        timeout: Duration,
        gone: &dyn Fn() -> bool,
        done: impl Fn(&State) -> bool,
    ) -> Snapshot {
        let deadline = Instant::now() + timeout;
        let mut state = self.lock();
        loop {
            let now = Instant::now();
            if done(&state) || now >= deadline {
                break;
            }
            let slice = PEER_CHECK.min(deadline - now);
            state = self
                .changed
                .wait_timeout(state, slice)
                .unwrap_or_else(|e| e.into_inner())
                .0;
            if !done(&state) && gone() {
                break;
            }
        }
        Snapshot {
            version: state.version,
            site: state.site.clone(),
            problem: state.problem.clone(),
        }
    }

    /// A server state without a rebuild loop: version 3 of `files` (path, text).
    #[cfg(test)]
    fn with_files(files: &[(&str, &str)], problem: Option<&str>) -> Live {
        let dir = tempfile::tempdir().expect("a temporary folder");
        for (path, text) in files {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().expect("a file in a folder")).expect("mkdir");
            std::fs::write(path, text).expect("write");
        }
        let live = Live::default();
        {
            let mut state = live.lock();
            state.version = 3;
            state.site = Some(Arc::new(Files::Temp(dir)));
            state.problem = problem.map(Arc::from);
        }
        live
    }

    /// As a rebuild would, without touching the site.
    #[cfg(test)]
    fn bump(&self) {
        self.lock().version += 1;
        self.changed.notify_all();
    }
}

/// A listening socket on 127.0.0.1, not yet accepting.
pub(crate) struct Server {
    listener: TcpListener,
    live: Arc<Live>,
    head_deadline: Duration,
}

impl Server {
    /// Listens on 127.0.0.1:`port` (0 picks a free port). Only the loopback
    /// address: the preview shows unpublished incidents.
    pub(crate) fn bind(port: u16, live: Arc<Live>) -> anyhow::Result<Server> {
        let listener = match TcpListener::bind((Ipv4Addr::LOCALHOST, port)) {
            Ok(listener) => listener,
            Err(err) if err.kind() == std::io::ErrorKind::AddrInUse => anyhow::bail!(
                "port {port} on 127.0.0.1 is already in use; choose another with `--port N`, \
                 or `--port 0` for any free port"
            ),
            Err(err) => {
                return Err(err).with_context(|| format!("cannot listen on 127.0.0.1:{port}"))
            }
        };
        Ok(Server {
            listener,
            live,
            head_deadline: head_deadline(),
        })
    }

    /// `http://127.0.0.1:PORT/`
    pub(crate) fn url(&self) -> anyhow::Result<String> {
        let addr: SocketAddr = self
            .listener
            .local_addr()
            .context("cannot read the listening address")?;
        Ok(format!("http://{addr}/"))
    }

    /// Accepts connections on a thread of its own, for as long as the process runs.
    pub(crate) fn spawn(self) -> anyhow::Result<()> {
        std::thread::Builder::new()
            .name("statuspost-http".into())
            .spawn(move || self.accept())
            .context("cannot start the server thread")?;
        Ok(())
    }

    fn accept(self) {
        let slots = Arc::new(Slots::default());
        // A place held by a connection still sending its head frees within the
        // head deadline; with margin for thread start-up, waiting twice that
        // means every place is a browser being answered, and 503 is honest.
        let patience = 2 * self.head_deadline;
        for stream in self.listener.incoming() {
            let mut stream = match stream {
                Ok(stream) => stream,
                Err(err) => {
                    // Usually out of file descriptors: give connections time to close.
                    eprintln!("warning: cannot accept a connection: {err}");
                    std::thread::sleep(Duration::from_millis(100));
                    continue;
                }
            };
            // Waiting here rather than answering 503 at once lets a browser
            // that arrives behind slow connections be served once they are
            // dropped; meanwhile new connections queue in the listen backlog.
            let Some(slot) = slots.take(patience) else {
                let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
                let _ = Response::text(503, "Too many connections; try again.\n")
                    .write_to(&mut stream, false);
                continue;
            };
            let live = Arc::clone(&self.live);
            let head_deadline = self.head_deadline;
            let spawned = std::thread::Builder::new()
                .name("statuspost-conn".into())
                .spawn(move || {
                    let _slot = slot;
                    handle(stream, &live, head_deadline);
                });
            if let Err(err) = spawned {
                eprintln!("warning: cannot start a connection thread: {err}");
            }
        }
    }
}

fn head_deadline() -> Duration {
    std::env::var(HEAD_DEADLINE_ENV)
        .ok()
        .and_then(|ms| ms.parse::<u64>().ok())
        .filter(|&ms| ms > 0)
        .map_or(HEAD_DEADLINE, Duration::from_millis)
}

/// The connection places, so that a flood of connections cannot start a thread each.
#[derive(Default)]
struct Slots {
    used: Mutex<usize>,
    freed: Condvar,
}

impl Slots {
    /// A place for one connection, waiting up to `patience` for one to free.
    fn take(self: &Arc<Self>, patience: Duration) -> Option<Slot> {
        let deadline = Instant::now() + patience;
        let mut used = self.lock();
        while *used >= MAX_CONNECTIONS {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return None;
            }
            used = self
                .freed
                .wait_timeout(used, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        *used += 1;
        Some(Slot(Arc::clone(self)))
    }

    fn lock(&self) -> MutexGuard<'_, usize> {
        // A count cannot be left half-updated by a panic.
        self.used.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Frees a connection's place when its thread ends, however it ends.
struct Slot(Arc<Slots>);

impl Drop for Slot {
    fn drop(&mut self) {
        *self.0.lock() -= 1;
        self.0.freed.notify_one();
    }
}

fn handle(mut stream: TcpStream, live: &Live, head_deadline: Duration) {
    let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
    let mut head = http::Deadline::new(&stream, Instant::now() + head_deadline);
    let (response, head_only) = match http::read_request(&mut head) {
        Incoming::Request(request) => (
            route::route(&request, live, &|| peer_closed(&stream)),
            request.method == "HEAD",
        ),
        Incoming::Bad(response) => (response, false),
        // The browser opened a connection and closed it unused, or was too slow to ask.
        Incoming::Gone => return,
    };
    let _ = response.write_to(&mut stream, head_only);
}

/// Whether the browser has closed its end (a tab closed or navigated away).
fn peer_closed(stream: &TcpStream) -> bool {
    if stream.set_nonblocking(true).is_err() {
        return false;
    }
    let mut byte = [0u8; 1];
    let closed = match stream.peek(&mut byte) {
        Ok(0) => true,
        Ok(_) => false,
        Err(err) => err.kind() != std::io::ErrorKind::WouldBlock,
    };
    let _ = stream.set_nonblocking(false);
    closed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_connection_waits_for_a_place_then_gives_up() {
        let slots = Arc::new(Slots::default());
        let mut held: Vec<Slot> = (0..MAX_CONNECTIONS)
            .map(|_| slots.take(Duration::ZERO).expect("a free place"))
            .collect();
        let start = Instant::now();
        assert!(slots.take(Duration::from_millis(50)).is_none());
        assert!(start.elapsed() >= Duration::from_millis(50));
        let waiter = {
            let slots = Arc::clone(&slots);
            std::thread::spawn(move || slots.take(Duration::from_secs(30)).is_some())
        };
        std::thread::sleep(Duration::from_millis(50));
        held.pop();
        assert_eq!(waiter.join().ok(), Some(true), "a freed place is taken");
        assert_eq!(
            *slots.lock(),
            MAX_CONNECTIONS - 1,
            "the waiter's slot was dropped"
        );
    }
}
