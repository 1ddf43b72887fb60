//! A real Redis Cluster (or Valkey cluster) for the tests: three masters, with or without a
//! replica each, on free loopback ports in a temporary directory, persistence off, formed by
//! `redis-cli --cluster create … --cluster-yes`; every server killed and the directory removed
//! when dropped.
//!
//! The nodes time each other out after one second (`cluster-node-timeout 1000`), so a killed
//! master's replica takes over within a few seconds. The harness drives the nodes with the
//! server's own command-line client, as an operator would.
//!
//! When the binaries are missing, the tests that need them fail under `CI=true` or
//! `HOOKSEAL_REQUIRE_REDIS=1` (for Valkey: `HOOKSEAL_REQUIRE_VALKEY=1`), as `bash .ci/test`
//! sets, and elsewhere say how to install them and return early.

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// Which server the cluster runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flavor {
    Redis,
    Valkey,
}

impl Flavor {
    /// The server and client binaries, from `PATH` or the environment.
    fn binaries(self) -> (String, String) {
        let var =
            |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.into());
        match self {
            Self::Redis => (
                var("HOOKSEAL_REDIS_SERVER_BIN", "redis-server"),
                var("HOOKSEAL_REDIS_CLI_BIN", "redis-cli"),
            ),
            Self::Valkey => (
                var("HOOKSEAL_VALKEY_SERVER_BIN", "valkey-server"),
                var("HOOKSEAL_VALKEY_CLI_BIN", "valkey-cli"),
            ),
        }
    }

    fn required(self) -> bool {
        let set = |name: &str, value: &str| std::env::var(name).is_ok_and(|v| v == value);
        match self {
            Self::Redis => set("CI", "true") || set("HOOKSEAL_REQUIRE_REDIS", "1"),
            Self::Valkey => set("HOOKSEAL_REQUIRE_VALKEY", "1"),
        }
    }

    fn package(self) -> &'static str {
        match self {
            Self::Redis => "redis-server (and redis-tools)",
            Self::Valkey => "valkey-server (Debian 12: from bookworm-backports)",
        }
    }
}

/// One node: its client port and, while it runs, its process.
struct Node {
    port: u16,
    bus_port: u16,
    child: Option<Child>,
}

pub(crate) struct Cluster {
    cli: String,
    dir: PathBuf,
    nodes: Vec<Node>,
}

const MASTERS: usize = 3;

impl Cluster {
    /// Starts a cluster of three masters with `replicas` replicas each, or returns `None`
    /// (after saying why) when the binaries are missing here.
    pub(crate) fn start(flavor: Flavor, replicas: usize) -> Option<Self> {
        let (server, cli) = flavor.binaries();
        let found = |bin: &str| {
            Command::new(bin)
                .arg("--version")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        };
        if !found(&server) || !found(&cli) {
            assert!(
                !flavor.required(),
                "`{server}` or `{cli}` not found, and the {flavor:?} cluster tests are required \
                 here: install {}",
                flavor.package()
            );
            eprintln!(
                "SKIPPING a {flavor:?} cluster test: `{server}` or `{cli}` not found. Install {} \
                 or run `bash .ci/test`, which installs it when run as root.",
                flavor.package()
            );
            return None;
        }
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "hookseal-cluster-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let count = MASTERS * (1 + replicas);
        // Hold every listener until all ports are chosen, so none is picked twice.
        let listeners: Vec<TcpListener> = (0..count * 2)
            .map(|_| TcpListener::bind("127.0.0.1:0").unwrap())
            .collect();
        let ports: Vec<u16> = listeners
            .iter()
            .map(|l| l.local_addr().unwrap().port())
            .collect();
        drop(listeners);
        let mut cluster = Self {
            cli,
            dir,
            nodes: ports
                .chunks_exact(2)
                .map(|pair| Node {
                    port: pair[0],
                    bus_port: pair[1],
                    child: None,
                })
                .collect(),
        };
        for i in 0..count {
            cluster.spawn(i, &server);
        }
        let mut create: Vec<String> = vec!["--cluster".into(), "create".into()];
        create.extend(
            cluster
                .nodes
                .iter()
                .map(|n| format!("127.0.0.1:{}", n.port)),
        );
        create.extend([
            "--cluster-replicas".into(),
            replicas.to_string(),
            "--cluster-yes".into(),
        ]);
        let out = Command::new(&cluster.cli)
            .args(&create)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "cluster create failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        cluster.wait_until_ok(Duration::from_secs(20));
        if replicas > 0 {
            // A replica is listed to clients (`CLUSTER SLOTS`) once it has synced.
            cluster.wait_for_replicas(Duration::from_secs(20));
        }
        Some(cluster)
    }

    fn spawn(&mut self, i: usize, server: &str) {
        let node = &self.nodes[i];
        let child = Command::new(server)
            .args(["--port", &node.port.to_string()])
            .args(["--cluster-port", &node.bus_port.to_string()])
            .args(["--bind", "127.0.0.1"])
            .args(["--cluster-enabled", "yes"])
            .args(["--cluster-node-timeout", "1000"])
            .args([
                "--cluster-config-file",
                &format!("nodes-{}.conf", node.port),
            ])
            .args(["--save", ""])
            .args(["--appendonly", "no"])
            // Replicas sync at once (the default waits five seconds for more replicas).
            .args(["--repl-diskless-sync-delay", "0"])
            .args(["--protected-mode", "no"])
            .args(["--maxmemory-policy", "noeviction"])
            .current_dir(&self.dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let port = node.port;
        self.nodes[i].child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "a cluster node did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits until every running node says `cluster_state:ok` and knows every slot.
    pub(crate) fn wait_until_ok(&self, within: Duration) {
        let deadline = Instant::now() + within;
        loop {
            let ok = self.running_ports().all(|port| {
                let info = self.cli(port, &["CLUSTER", "INFO"]);
                info.contains("cluster_state:ok") && info.contains("cluster_slots_assigned:16384")
            });
            if ok {
                return;
            }
            assert!(Instant::now() < deadline, "the cluster is not ok");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn running_ports(&self) -> impl Iterator<Item = u16> + '_ {
        self.nodes
            .iter()
            .filter(|n| n.child.is_some())
            .map(|n| n.port)
    }

    /// Every node's URL (masters and replicas), to connect through.
    pub(crate) fn urls(&self) -> Vec<String> {
        self.nodes
            .iter()
            .map(|n| format!("redis://127.0.0.1:{}/", n.port))
            .collect()
    }

    /// Runs the command-line client against the node on `port`; its output (an error reply too).
    pub(crate) fn cli(&self, port: u16, args: &[&str]) -> String {
        let out = Command::new(&self.cli)
            .args(["-h", "127.0.0.1", "-p", &port.to_string()])
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// The ports of the running masters that serve slots, from the cluster's own view
    /// (`CLUSTER NODES` on a live node).
    pub(crate) fn masters(&self) -> Vec<u16> {
        self.cluster_nodes()
            .into_iter()
            .filter(|n| n.master && !n.failed && !n.slots.is_empty())
            .map(|n| n.port)
            .collect()
    }

    /// The running replicas' ports.
    pub(crate) fn replicas(&self) -> Vec<u16> {
        self.cluster_nodes()
            .into_iter()
            .filter(|n| !n.master && !n.failed)
            .map(|n| n.port)
            .collect()
    }

    /// The port of the master serving `key`'s hash slot now.
    pub(crate) fn master_of(&self, key: &[u8]) -> u16 {
        let port = self.running_ports().next().unwrap();
        let key = String::from_utf8(key.to_vec()).unwrap();
        let slot: u16 = self
            .cli(port, &["CLUSTER", "KEYSLOT", &key])
            .trim()
            .parse()
            .unwrap();
        self.cluster_nodes()
            .into_iter()
            .find(|n| n.master && !n.failed && n.slots.iter().any(|r| r.contains(&slot)))
            .map(|n| n.port)
            .unwrap()
    }

    fn cluster_nodes(&self) -> Vec<NodeView> {
        let port = self.running_ports().next().unwrap();
        self.cli(port, &["CLUSTER", "NODES"])
            .lines()
            .filter_map(NodeView::parse)
            .collect()
    }

    /// Waits until every running master that serves slots has a replica online with every write
    /// it acknowledged. The masters are read again on each poll: under load a slow master can be
    /// failed over while this waits, and then its replica is the master to wait on.
    pub(crate) fn wait_for_replicas(&self, within: Duration) {
        let deadline = Instant::now() + within;
        loop {
            let masters = self.masters();
            if masters.iter().all(|&m| self.replica_caught_up(m)) {
                return;
            }
            if Instant::now() >= deadline {
                let infos: Vec<String> = masters
                    .iter()
                    .map(|&m| format!("{m}: {}", self.cli(m, &["INFO", "replication"])))
                    .collect();
                panic!(
                    "replicas behind after {within:?}:\n{}\n{}",
                    self.cli(self.running_ports().next().unwrap(), &["CLUSTER", "NODES"]),
                    infos.join("\n")
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Whether the node on `port` is a master with a replica online at its replication offset.
    fn replica_caught_up(&self, port: u16) -> bool {
        let info = self.cli(port, &["INFO", "replication"]);
        let field = |name: &str| info.lines().find_map(|l| l.trim().strip_prefix(name));
        let (Some("master"), Some(offset)) = (field("role:"), field("master_repl_offset:")) else {
            return false;
        };
        // `slave0:ip=…,port=…,state=online,offset=N,lag=0`.
        let replica = field("slave0:").unwrap_or_default();
        replica.contains("state=online")
            && replica
                .split(',')
                .any(|kv| kv.strip_prefix("offset=") == Some(offset))
    }

    /// Waits until the cluster lists every running replica to clients: `CLUSTER SLOTS` names a
    /// replica once its master has replicated data to it (and the nodes have gossiped so).
    pub(crate) fn wait_until_replicas_listed(&self, within: Duration) {
        let deadline = Instant::now() + within;
        let port = self.running_ports().next().unwrap();
        loop {
            let slots = self.cli(port, &["CLUSTER", "SLOTS"]);
            let listed: Vec<&str> = slots.lines().map(str::trim).collect();
            if self
                .running_ports()
                .all(|p| listed.contains(&p.to_string().as_str()))
            {
                return;
            }
            assert!(Instant::now() < deadline, "replicas not listed: {slots}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Kills the node on `port` (`SIGKILL`, as a crash) and waits for it to exit.
    pub(crate) fn kill(&mut self, port: u16) {
        let node = self.nodes.iter_mut().find(|n| n.port == port).unwrap();
        if let Some(mut child) = node.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// The calls every running node has counted for `command` (e.g. `evalsha`), added up.
    pub(crate) fn calls(&self, command: &str) -> u64 {
        let prefix = format!("cmdstat_{command}:calls=");
        self.running_ports()
            .map(|port| {
                self.cli(port, &["INFO", "commandstats"])
                    .lines()
                    .find_map(|l| l.trim().strip_prefix(&prefix))
                    .map_or(0, |rest| rest.split(',').next().unwrap().parse().unwrap())
            })
            .sum()
    }

    /// Runs `args` on every running node, e.g. `SCRIPT FLUSH`.
    pub(crate) fn on_every_node(&self, args: &[&str]) {
        for port in self.running_ports() {
            let reply = self.cli(port, args);
            assert!(!reply.starts_with("ERR"), "{args:?} on {port}: {reply}");
        }
    }
}

/// One line of `CLUSTER NODES`.
struct NodeView {
    port: u16,
    master: bool,
    failed: bool,
    slots: Vec<std::ops::RangeInclusive<u16>>,
}

impl NodeView {
    /// `<id> <ip:port@bus> <flags> <master> <ping> <pong> <epoch> <link> <slot>…`
    fn parse(line: &str) -> Option<Self> {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let address = fields.get(1)?;
        let port = address
            .split('@')
            .next()?
            .rsplit(':')
            .next()?
            .parse()
            .ok()?;
        let flags = fields.get(2)?;
        let slots = fields
            .iter()
            .skip(8)
            .filter(|s| !s.starts_with('['))
            .filter_map(|s| match s.split_once('-') {
                Some((a, b)) => Some(a.parse().ok()?..=b.parse().ok()?),
                None => {
                    let one: u16 = s.parse().ok()?;
                    Some(one..=one)
                }
            })
            .collect();
        Some(Self {
            port,
            master: flags.contains("master"),
            failed: flags.contains("fail") || fields.get(7) == Some(&"disconnected"),
            slots,
        })
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for node in &mut self.nodes {
            if let Some(mut child) = node.child.take() {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
