//! A real `redis-server` for the tests: started from `PATH` (or `HOOKSEAL_REDIS_SERVER_BIN`) on a
//! free loopback port, with persistence off, and stopped when dropped.
//!
//! When the binary is missing, the tests that need it fail under `CI=true` or
//! `HOOKSEAL_REQUIRE_REDIS=1` (as `bash .ci/test` sets), and elsewhere say how to install it and
//! return early.

use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub(crate) struct RedisServer {
    bin: String,
    port: u16,
    /// Further `--directive value` arguments, kept across restarts.
    extra: Vec<String>,
    child: Option<Child>,
}

impl RedisServer {
    /// Starts a server, or returns `None` (after saying why) when none can be run here.
    pub(crate) fn start() -> Option<Self> {
        Self::start_with(&[])
    }

    /// [`RedisServer::start`], with further configuration arguments (`["--maxmemory-policy",
    /// "allkeys-lru"]`).
    pub(crate) fn start_with(extra: &[&str]) -> Option<Self> {
        let bin =
            std::env::var("HOOKSEAL_REDIS_SERVER_BIN").unwrap_or_else(|_| "redis-server".into());
        let found = Command::new(&bin)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !found {
            let required = std::env::var("CI").is_ok_and(|v| v == "true")
                || std::env::var("HOOKSEAL_REQUIRE_REDIS").is_ok_and(|v| v == "1");
            assert!(
                !required,
                "`{bin}` not found, and the Redis tests are required here (CI=true or \
                 HOOKSEAL_REQUIRE_REDIS=1): install it, e.g. `apt-get install -y redis-server`"
            );
            eprintln!(
                "SKIPPING a Redis test: `{bin}` not found. Install it (e.g. `sudo apt-get install \
                 -y redis-server`) or run `bash .ci/test`, which installs it when run as root."
            );
            return None;
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut server = Self {
            bin,
            port,
            extra: extra.iter().map(|&a| a.to_owned()).collect(),
            child: None,
        };
        server.restart();
        Some(server)
    }

    pub(crate) fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// The loopback port the server listens on (for the benches' `redis-benchmark`).
    #[allow(dead_code)]
    pub(crate) fn port(&self) -> u16 {
        self.port
    }

    /// The server's process id, while it runs (for the benches' `taskset`).
    #[allow(dead_code)]
    pub(crate) fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// The calls the server has counted for `command` (e.g. `set`, `script|load`), from
    /// `INFO commandstats`.
    pub(crate) async fn calls(&self, command: &str) -> u64 {
        let client = redis::Client::open(self.url()).unwrap();
        let mut conn = client.get_multiplexed_async_connection().await.unwrap();
        let info: String = redis::cmd("INFO")
            .arg("commandstats")
            .query_async(&mut conn)
            .await
            .unwrap();
        let prefix = format!("cmdstat_{command}:calls=");
        info.lines()
            .find_map(|line| line.strip_prefix(&prefix))
            .map_or(0, |rest| rest.split(',').next().unwrap().parse().unwrap())
    }

    /// Starts the server again on the same port (after [`RedisServer::stop`]).
    pub(crate) fn restart(&mut self) {
        assert!(self.child.is_none(), "already running");
        let child = Command::new(&self.bin)
            .args(["--port", &self.port.to_string()])
            .args(["--bind", "127.0.0.1"])
            .args(["--save", ""])
            .args(["--appendonly", "no"])
            .args(["--protected-mode", "no"])
            .args(&self.extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "redis-server did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Kills the server and waits for it to exit.
    pub(crate) fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A Redis URL nothing listens on: the port was free a moment ago and its listener is closed.
pub(crate) fn unreachable_url() -> String {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    format!("redis://127.0.0.1:{port}/")
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}
