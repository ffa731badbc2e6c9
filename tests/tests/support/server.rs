//! The example `conformance_server` as a child process, and peer clients run against it.

use std::fs::{self, File};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{OnceLock, mpsc};
use std::time::{Duration, Instant};

use serde_json::Value;

/// A guard against a hung server, client or CLI, not a timing assertion.
pub(crate) const GUARD: Duration = Duration::from_secs(300);

/// The environment variable the example server reads its `requestState` key from.
pub(crate) const STATE_KEY_VAR: &str = "RMCP_SAMPLING_STATE_KEY";

/// A running `conformance_server` on a free 127.0.0.1 port, killed on drop.
pub(crate) struct ConformanceServer {
    child: Child,
    /// The server's MCP endpoint, `http://127.0.0.1:<port>/mcp`.
    pub(crate) url: String,
    log: PathBuf,
}

impl ConformanceServer {
    /// A server with a random `requestState` key of its own.
    pub(crate) fn start() -> Self {
        Self::start_with_key(None)
    }

    /// A server that seals `requestState` with `key` (at least 32 bytes), when given: servers
    /// started with the same key resume each other's loops.
    pub(crate) fn start_with_key(key: Option<&str>) -> Self {
        static EXECUTABLE: OnceLock<PathBuf> = OnceLock::new();
        let executable = EXECUTABLE.get_or_init(|| super::build_example("conformance_server"));
        let log = scratch_dir("server").join("server.log");
        let log_file = File::create(&log).expect("the server log can be created");
        let mut command = Command::new(executable);
        // Port 0: the system picks a free port and the server prints its URL.
        command
            .arg("0")
            .env("RUST_LOG", "info")
            .env_remove(STATE_KEY_VAR)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log_file);
        if let Some(key) = key {
            command.env(STATE_KEY_VAR, key);
        }
        let mut child = command.spawn().expect("the conformance server starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let read = BufReader::new(stdout).read_line(&mut line);
            let _ = sender.send(read.map(|_| line));
        });
        let first_line = receiver.recv_timeout(GUARD);
        let mut server = Self {
            child,
            url: String::new(),
            log,
        };
        match first_line {
            Ok(Ok(line)) if line.starts_with("listening on http://127.0.0.1:") => {
                server.url = line["listening on ".len()..].trim().to_owned();
            }
            other => panic!(
                "the server did not report its URL ({other:?})\n--- server log ---\n{}",
                server.log()
            ),
        }
        server
    }

    /// What the server logged so far (stderr, `RUST_LOG=info`).
    pub(crate) fn log(&self) -> String {
        let mut text = String::new();
        if let Ok(mut file) = File::open(&self.log) {
            let _ = file.read_to_string(&mut text);
        }
        text
    }

    /// How many times the example's `add` sampling tool ran in this server.
    pub(crate) fn add_runs(&self) -> usize {
        self.log().matches("the add tool ran").count()
    }

    /// How many times the example's `refund` sampling tool ran in this server for `order`.
    pub(crate) fn refund_runs(&self, order: &str) -> usize {
        let line = format!("the refund tool ran for order {order}");
        self.log()
            .lines()
            .filter(|logged| logged.trim_end().ends_with(&line))
            .count()
    }

    /// How many times the example's `refund` sampling tool ran in this server, for any order.
    pub(crate) fn all_refund_runs(&self) -> usize {
        self.log().matches("the refund tool ran for order ").count()
    }
}

impl Drop for ConformanceServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits for `child` up to [`GUARD`]; kills it and fails the test past that.
pub(crate) fn wait_guarded(child: &mut Child, what: &str) -> ExitStatus {
    let deadline = Instant::now() + GUARD;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return status,
            Ok(None) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(50));
            }
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("{what} did not finish within {GUARD:?}; killed");
            }
            Err(error) => panic!("cannot wait for {what}: {error}"),
        }
    }
}

/// An empty directory of this test binary's own, under cargo's scratch space for tests.
pub(crate) fn scratch_dir(name: &str) -> PathBuf {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("peers")
        .join(format!("{name}-{}-{n}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("the scratch directory can be created");
    dir
}

/// Runs a peer client (`command`, which gets the URLs of `servers` as its last arguments),
/// bounded by [`GUARD`], and returns the JSON report it prints on its last line.
pub(crate) fn run_peer_client(
    mut command: Command,
    servers: &[&ConformanceServer],
    what: &str,
) -> Value {
    let dir = scratch_dir("client");
    let out = dir.join("stdout");
    let err = dir.join("stderr");
    let mut child = command
        .args(servers.iter().map(|server| server.url.as_str()))
        .stdin(Stdio::null())
        .stdout(File::create(&out).expect("the client's stdout file"))
        .stderr(File::create(&err).expect("the client's stderr file"))
        .spawn()
        .unwrap_or_else(|error| panic!("{what} does not start: {error}"));
    let status = wait_guarded(&mut child, what);
    let stdout = fs::read_to_string(&out).unwrap_or_default();
    let stderr = fs::read_to_string(&err).unwrap_or_default();
    stdout
        .lines()
        .rev()
        .find_map(|line| serde_json::from_str::<Value>(line).ok())
        .unwrap_or_else(|| {
            panic!(
                "{what} printed no JSON report ({status})\n--- stdout ---\n{stdout}\n\
                 --- stderr ---\n{stderr}\n{}",
                logs(servers)
            )
        })
}

/// The logs of `servers`, for a failure message.
pub(crate) fn logs(servers: &[&ConformanceServer]) -> String {
    servers
        .iter()
        .enumerate()
        .map(|(n, server)| format!("--- server {n} log ---\n{}\n", server.log()))
        .collect()
}
