//! A real Postgres for the tests: a new cluster (`initdb`) in a temporary directory, started
//! with `pg_ctl` on a free loopback port, and stopped and deleted when dropped. Postgres refuses
//! to run as root; as root (as in CI), the cluster belongs to, and runs as, the user `nobody`.
//!
//! The binaries come from `HOOKSEAL_POSTGRES_BIN` (a directory holding `initdb` and `pg_ctl`), or
//! the newest `/usr/lib/postgresql/*/bin` (Debian's layout), or `PATH`. When there are none, the
//! tests that need them fail under `CI=true` or `HOOKSEAL_REQUIRE_POSTGRES=1` (as `bash .ci/test`
//! sets), and elsewhere say how to install them and return early.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};

pub(crate) struct PostgresServer {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
    /// Who runs Postgres when we are root.
    user: Option<String>,
    settings: Vec<String>,
    running: bool,
}

/// Settings for tests: nothing is flushed to disk, so a test's writes cost no fsync.
pub(crate) const FAST: &[&str] = &[
    "fsync=off",
    "synchronous_commit=off",
    "full_page_writes=off",
];

impl PostgresServer {
    /// Starts a server with [`FAST`] settings, or returns `None` (after saying why) when none can
    /// be run here.
    pub(crate) fn start() -> Option<Self> {
        Self::start_with(FAST)
    }

    /// Starts a server with further `name=value` settings, or returns `None`.
    pub(crate) fn start_with(settings: &[&str]) -> Option<Self> {
        let Some(bin) = find_bin() else {
            let required = std::env::var("CI").is_ok_and(|v| v == "true")
                || std::env::var("HOOKSEAL_REQUIRE_POSTGRES").is_ok_and(|v| v == "1");
            assert!(
                !required,
                "Postgres (initdb, pg_ctl) not found, and the Postgres tests are required here \
                 (CI=true or HOOKSEAL_REQUIRE_POSTGRES=1): install it, e.g. `apt-get install -y \
                 postgresql`, or set HOOKSEAL_POSTGRES_BIN"
            );
            eprintln!(
                "SKIPPING a Postgres test: initdb and pg_ctl not found. Install Postgres (e.g. \
                 `sudo apt-get install -y postgresql`), set HOOKSEAL_POSTGRES_BIN to its bin \
                 directory, or run `bash .ci/test`, which installs it when run as root."
            );
            return None;
        };
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir().join(format!(
            "hookseal-pg-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let user = is_root().then(|| "nobody".to_owned());
        if let Some(user) = &user {
            let id = |flag: &str| -> u32 {
                let out = Command::new("id").args([flag, user]).output().unwrap();
                String::from_utf8(out.stdout)
                    .unwrap()
                    .trim()
                    .parse()
                    .unwrap()
            };
            std::os::unix::fs::chown(&dir, Some(id("-u")), Some(id("-g"))).unwrap();
        }
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut server = Self {
            bin,
            dir,
            port,
            user,
            settings: settings.iter().map(|&s| s.to_owned()).collect(),
            running: false,
        };
        let data = server.data();
        let initdb = server.run(
            "initdb",
            &[
                "-D",
                &data,
                "-U",
                "hookseal",
                "--auth=trust",
                "--no-sync",
                "--encoding=UTF8",
                "--locale=C",
            ],
        );
        assert!(initdb.status.success(), "initdb failed: {}", text(&initdb));
        server.restart();
        Some(server)
    }

    /// A connection configuration for the server's `postgres` database, as user `hookseal`.
    pub(crate) fn config(&self) -> tokio_postgres::Config {
        let mut config = tokio_postgres::Config::new();
        config
            .host("127.0.0.1")
            .port(self.port)
            .user("hookseal")
            .dbname("postgres");
        config
    }

    /// Starts the server again on the same port and data (after [`PostgresServer::stop`]).
    pub(crate) fn restart(&mut self) {
        assert!(!self.running, "already running");
        let mut options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c max_connections=200 \
             -c shared_buffers=32MB",
            self.port,
            self.dir.display()
        );
        for setting in &self.settings {
            options.push_str(" -c ");
            options.push_str(setting);
        }
        let (data, log) = (self.data(), self.path("log"));
        let started = self.run(
            "pg_ctl",
            &[
                "-D", &data, "-l", &log, "-o", &options, "-w", "-t", "30", "start",
            ],
        );
        let log = std::fs::read_to_string(&log).unwrap_or_default();
        assert!(
            started.status.success(),
            "pg_ctl start failed: {}\n{log}",
            text(&started)
        );
        self.running = true;
    }

    /// Stops the server at once, as a crash would (`pg_ctl stop -m immediate`).
    pub(crate) fn stop(&mut self) {
        if self.running {
            let data = self.data();
            let _ = self.run("pg_ctl", &["-D", &data, "-m", "immediate", "-w", "stop"]);
            self.running = false;
        }
    }

    /// Runs one of the server's programs, as the server's user.
    fn run(&self, program: &str, args: &[&str]) -> Output {
        let program = self.bin.join(program);
        let mut command = match &self.user {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(&program);
                c
            }
            None => Command::new(&program),
        };
        command
            .args(args)
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }

    fn data(&self) -> String {
        self.path("data")
    }

    fn path(&self, name: &str) -> String {
        self.dir.join(name).display().to_string()
    }
}

impl Drop for PostgresServer {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The directory holding `initdb` and `pg_ctl`, if there is one.
fn find_bin() -> Option<PathBuf> {
    let has_tools = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();
    if let Some(dir) = std::env::var_os("HOOKSEAL_POSTGRES_BIN") {
        return Some(PathBuf::from(dir)).filter(|d| has_tools(d));
    }
    let mut debian: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .filter(|(_, dir)| has_tools(dir))
        .collect();
    debian.sort();
    if let Some((_, dir)) = debian.pop() {
        return Some(dir);
    }
    std::env::var_os("PATH").and_then(|path| std::env::split_paths(&path).find(|d| has_tools(d)))
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| out.stdout.trim_ascii() == b"0")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}
