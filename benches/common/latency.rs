//! Latencies: `tasks` concurrent tasks each running their checks in turn, every check timed,
//! and the percentiles of all of them.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Every check's latency, gathered over a bench's rounds. Clones share the list.
#[derive(Clone, Default)]
pub(crate) struct Latencies(Arc<Mutex<Vec<Duration>>>);

/// The percentiles of a set of latencies.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Percentiles {
    pub(crate) count: usize,
    pub(crate) p50: Duration,
    pub(crate) p99: Duration,
    pub(crate) p999: Duration,
}

impl Latencies {
    /// Forgets every latency gathered so far.
    pub(crate) fn clear(&self) {
        self.0.lock().unwrap().clear();
    }

    fn extend(&self, more: Vec<Duration>) {
        self.0.lock().unwrap().extend(more);
    }

    /// The percentiles of the latencies gathered, and forgets them; `None` when there are none.
    pub(crate) fn take(&self) -> Option<Percentiles> {
        let mut all = std::mem::take(&mut *self.0.lock().unwrap());
        if all.is_empty() {
            return None;
        }
        all.sort_unstable();
        let at = |q: f64| all[((all.len() - 1) as f64 * q) as usize];
        Some(Percentiles {
            count: all.len(),
            p50: at(0.50),
            p99: at(0.99),
            p999: at(0.999),
        })
    }

    /// Prints the percentiles of the latencies gathered under `name`, and forgets them.
    pub(crate) fn report(&self, name: &str) -> Option<Percentiles> {
        let p = self.take()?;
        println!(
            "{name} latency over {} checks: p50 {:?}, p99 {:?}, p99.9 {:?}",
            p.count, p.p50, p.p99, p.p999
        );
        Some(p)
    }
}

/// Runs one task per entry of `work` on the current runtime, each checking its items in turn
/// with `check`, and records every check's latency in `latencies`; the wall time of the whole.
pub(crate) async fn run_tasks<K, F, Fut>(
    work: Vec<Vec<K>>,
    check: F,
    latencies: &Latencies,
) -> Duration
where
    K: Send + 'static,
    F: Fn(K) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    let started = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for items in work {
        let check = check.clone();
        set.spawn(async move {
            let mut own = Vec::with_capacity(items.len());
            for item in items {
                let at = Instant::now();
                check(item).await;
                own.push(at.elapsed());
            }
            own
        });
    }
    let mut all = Vec::new();
    while let Some(own) = set.join_next().await {
        all.extend(own.expect("task"));
    }
    let elapsed = started.elapsed();
    latencies.extend(all);
    elapsed
}
