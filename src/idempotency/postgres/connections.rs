//! [`Connections`]: the store's own connections to Postgres, each opened when first needed and
//! opened again once it has broken, so the store outlives a database restart.

use core::sync::atomic::{AtomicUsize, Ordering};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Mutex;
use tokio_postgres::tls::{MakeTlsConnect, TlsConnect};
use tokio_postgres::{Client, Config, Socket};

use super::failure::Failure;

/// A few connections to one database, used in turn. Each is shared by every call that draws
/// it: tokio-postgres pipelines their statements.
pub(super) struct Connections {
    connect: Connect,
    slots: Box<[Mutex<Option<Arc<Client>>>]>,
    next: AtomicUsize,
}

/// A connection drawn from [`Connections`], with the slot it came from.
pub(super) struct Drawn {
    slot: usize,
    pub(super) client: Arc<Client>,
}

/// Opens a connection, its driver running as a task of its own, and sets its session up.
type Connect = Arc<dyn Fn() -> BoxFuture<Result<Client, Failure>> + Send + Sync>;
type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl Connections {
    /// `size` connections (none opened yet) to the database `config` names, through `tls`.
    pub(super) fn new<T>(config: Config, tls: T, size: usize) -> Self
    where
        T: MakeTlsConnect<Socket> + Clone + Send + Sync + 'static,
        T::Stream: Send + 'static,
        T::TlsConnect: Send,
        <T::TlsConnect as TlsConnect<Socket>>::Future: Send,
    {
        let connect: Connect = Arc::new(move || {
            let (config, tls) = (config.clone(), tls.clone());
            Box::pin(async move {
                let opened = tokio::time::timeout(CONNECT_TIMEOUT, config.connect(tls)).await;
                let (client, connection) = opened
                    .map_err(|_| Failure::Timeout(CONNECT_TIMEOUT))?
                    .map_err(Failure::from_driver)?;
                drop(tokio::spawn(async move {
                    // The connection's end is seen by the client: `is_closed`, failed calls.
                    let _ = connection.await;
                }));
                let session = tokio::time::timeout(ANSWER_TIMEOUT, client.batch_execute(SESSION));
                session
                    .await
                    .map_err(|_| Failure::Timeout(ANSWER_TIMEOUT))?
                    .map_err(Failure::from_driver)?;
                Ok(client)
            })
        });
        Self {
            connect,
            slots: empty_slots(size),
            next: AtomicUsize::new(0),
        }
    }

    /// The same database with `size` connections, keeping the open ones that fit.
    pub(super) fn resized(&self, size: usize) -> Self {
        let slots = empty_slots(size);
        for (new, old) in slots.iter().zip(self.slots.iter()) {
            if let (Ok(mut new), Ok(old)) = (new.try_lock(), old.try_lock()) {
                new.clone_from(&old);
            }
        }
        Self {
            connect: Arc::clone(&self.connect),
            slots,
            next: AtomicUsize::new(0),
        }
    }

    /// How many connections there may be.
    pub(super) fn size(&self) -> usize {
        self.slots.len()
    }

    /// The next connection in turn, opened first if it is not open (or has closed).
    pub(super) async fn draw(&self) -> Result<Drawn, Failure> {
        let slot = self.next.fetch_add(1, Ordering::Relaxed) % self.slots.len().max(1);
        let Some(cell) = self.slots.get(slot) else {
            // Never: there is at least one slot, and `slot` is below their number.
            return Err(Failure::Timeout(Duration::ZERO));
        };
        let mut cell = cell.lock().await;
        if let Some(client) = cell.as_ref().filter(|c| !c.is_closed()) {
            return Ok(Drawn {
                slot,
                client: Arc::clone(client),
            });
        }
        *cell = None;
        let client = Arc::new((self.connect)().await?);
        *cell = Some(Arc::clone(&client));
        Ok(Drawn { slot, client })
    }

    /// Drops a connection that failed (unless it was replaced already), so the next call that
    /// draws its slot opens a new one.
    pub(super) fn forget(&self, drawn: &Drawn) {
        if let Some(Ok(mut cell)) = self.slots.get(drawn.slot).map(Mutex::try_lock)
            && cell.as_ref().is_some_and(|c| Arc::ptr_eq(c, &drawn.client))
        {
            *cell = None;
        }
    }
}

fn empty_slots(size: usize) -> Box<[Mutex<Option<Arc<Client>>>]> {
    (0..size).map(|_| Mutex::new(None)).collect()
}

/// How long opening a connection may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
/// How long a statement on the store's own connections may take before the call fails closed;
/// a little longer than the session's `statement_timeout`, so the server gives up first.
pub(super) const ANSWER_TIMEOUT: Duration = Duration::from_millis(2500);
/// The session of each of the store's own connections: a claim waits at most half a second for
/// a row another transaction holds (then the key is answered as in progress), and no statement
/// runs longer than two seconds.
const SESSION: &str = "SET lock_timeout = '500ms'; SET statement_timeout = '2s'";
