//! The receiver the demo runs (and the end-to-end tests start): an axum app on 127.0.0.1 with
//! two webhook endpoints, each behind `VerifyLayer` with a replay cache and `IdempotencyLayer`
//! with an idempotency store that runs the handler once per event id; plus the HTTP client and
//! the cases the demo sends.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing;
use tower::ServiceBuilder;

use hookseal::idempotency::{DynIdempotencyStore, Scope};
use hookseal::middleware::{IdempotencyLayer, KeyFrom, VerifyLayer};
use hookseal::replay::DynReplayCache;
use hookseal::{Event, VerifiedDelivery};
use hookseal::{Keyring, Scheme, Signer, Timestamp, Verifier};

pub(crate) use crate::client::{Answer, BoxError, post, post_expecting_continue};

/// What the receiver is built from.
pub(crate) struct Config {
    /// Keys for the `/webhooks/standard-webhooks` endpoint (Standard Webhooks, the crate's
    /// default scheme).
    pub(crate) standard_webhooks_keys: Keyring,
    /// Keys for the `/webhooks/stripe` endpoint.
    pub(crate) stripe_keys: Keyring,
    pub(crate) replay_cache: Arc<dyn DynReplayCache>,
    pub(crate) idempotency_store: Arc<dyn DynIdempotencyStore>,
    /// Scopes every idempotency key (a tenant, and this run, so runs never share keys).
    pub(crate) scope: Scope,
}

/// A running receiver.
pub(crate) struct Receiver {
    pub(crate) addr: SocketAddr,
    /// Every event the handler processed, in order: an event id appears once per time the work
    /// ran.
    pub(crate) processed: Arc<Mutex<Vec<String>>>,
    server: tokio::task::JoinHandle<()>,
}

/// What the handler reads of an event: its id, where the body has one.
#[derive(serde::Deserialize)]
struct DemoEvent {
    id: Option<String>,
}

impl Receiver {
    /// Starts the receiver on an ephemeral loopback port.
    pub(crate) async fn start(config: Config) -> Result<Self, BoxError> {
        Self::start_on(config, SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// Starts the receiver on `addr` (waiting up to a second for a just-stopped receiver to
    /// free it).
    pub(crate) async fn start_on(config: Config, addr: SocketAddr) -> Result<Self, BoxError> {
        let processed = Arc::new(Mutex::new(Vec::new()));
        // Each event is keyed on a signed id: Standard Webhooks' `webhook-id`, which its
        // signature covers, or, in a scheme that signs no id (Stripe), the `"id"` of the signed
        // body.
        let key = KeyFrom::delivery_id().or(KeyFrom::body_member(&["id"])?);
        let endpoint = |name: &str, scheme: Scheme, keys: Keyring| {
            Router::new()
                .route("/", routing::post(handle))
                .route_layer(
                    ServiceBuilder::new()
                        .layer(
                            VerifyLayer::new(Verifier::new(scheme, keys))
                                .with_replay_cache(Arc::clone(&config.replay_cache))
                                .with_body_limit(BODY_LIMIT),
                        )
                        .layer(IdempotencyLayer::new(
                            Arc::clone(&config.idempotency_store),
                            config.scope.clone().and(name),
                            key.clone(),
                        )),
                )
                .with_state(Arc::clone(&processed))
        };
        let app = Router::new()
            .nest(
                STANDARD_WEBHOOKS,
                endpoint(
                    "standard-webhooks",
                    Scheme::standard_webhooks(),
                    config.standard_webhooks_keys,
                ),
            )
            .nest(
                "/webhooks/stripe",
                endpoint("stripe", Scheme::stripe(), config.stripe_keys),
            );
        let mut tries = 0;
        let listener = loop {
            match tokio::net::TcpListener::bind(addr).await {
                Ok(listener) => break listener,
                Err(_) if tries < 20 => {
                    tries += 1;
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(e) => return Err(e.into()),
            }
        };
        let addr = listener.local_addr()?;
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self {
            addr,
            processed,
            server,
        })
    }

    /// How many times the work ran for `event`.
    pub(crate) fn times_processed(&self, event: &str) -> usize {
        self.processed
            .lock()
            .map(|p| p.iter().filter(|e| *e == event).count())
            .unwrap_or(0)
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// The handler: the work, done once per event. The layers verified the delivery, refused a
/// replay, and answer a repeat of the event with this answer and `Idempotent-Replayed: true`.
async fn handle(
    State(processed): State<Arc<Mutex<Vec<String>>>>,
    delivery: VerifiedDelivery,
    Event(event): Event<DemoEvent>,
) -> Result<String, StatusCode> {
    // The event is what the idempotency layer keys on: the signed `webhook-id`, or, in a scheme
    // that signs no id (Stripe), the signed body's "id".
    let id = match delivery.id() {
        Some(id) if delivery.id_is_signed() => id.to_owned(),
        _ => event.id.ok_or(StatusCode::BAD_REQUEST)?,
    };
    let mut processed = processed
        .lock()
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
    processed.push(id.clone());
    Ok(format!("processed {id} (key {})", delivery.key_id()))
}

/// The senders the demo's cases sign with.
pub(crate) struct Senders {
    /// Signs with last season's key only, which the receiver still accepts.
    pub(crate) old: Signer,
    /// Signs with the new and the old key, during the rotation.
    pub(crate) rotated: Signer,
    pub(crate) stripe: Signer,
}

/// One case the demo sends, and the status it must get.
pub(crate) struct Case {
    pub(crate) name: &'static str,
    pub(crate) expected: u16,
    pub(crate) answer: Answer,
}

/// Sends every case of the demo, in order.
pub(crate) async fn send_cases(
    receiver: &Receiver,
    senders: &Senders,
    now: Timestamp,
) -> Result<Vec<Case>, BoxError> {
    let addr = receiver.addr;
    let hooks = STANDARD_WEBHOOKS;
    let pairs = |signed: hookseal::SignedHeaders| -> Vec<(String, String)> {
        signed
            .iter()
            .map(|(n, v)| (n.to_owned(), v.to_owned()))
            .collect()
    };
    let body: &[u8] = br#"{"id":"evt_1001","type":"invoice.paid","amount":4200}"#;
    let tampered: &[u8] = br#"{"id":"evt_1001","type":"invoice.paid","amount":9900}"#;
    let next: &[u8] = br#"{"id":"evt_1002","type":"invoice.paid","amount":1700}"#;
    let stripe_body: &[u8] =
        br#"{"id":"evt_3Stripe","object":"event","type":"payment_intent.succeeded"}"#;
    let ten_minutes = Duration::from_secs(600);

    let valid = pairs(senders.old.sign_at(Some("evt_1001"), body, now)?);
    let mut cases = Vec::new();
    let mut case = |name, expected, answer| {
        cases.push(Case {
            name,
            expected,
            answer,
        })
    };
    case(
        "valid delivery",
        200,
        post(addr, hooks, &valid, body).await?,
    );
    case(
        "tampered body (amount changed)",
        401,
        post(addr, hooks, &valid, tampered).await?,
    );
    case(
        "replayed (the same request again)",
        409,
        post(addr, hooks, &valid, body).await?,
    );
    let stale = pairs(senders.old.sign_at(
        Some("evt_1001"),
        body,
        now.saturating_sub(ten_minutes),
    )?);
    case(
        "stale timestamp (10 minutes old)",
        400,
        post(addr, hooks, &stale, body).await?,
    );
    let rotated = pairs(senders.rotated.sign_at(Some("evt_1002"), next, now)?);
    case(
        "rotated key (new + old)",
        200,
        post(addr, hooks, &rotated, next).await?,
    );
    let stripe = pairs(senders.stripe.sign_at(None, stripe_body, now)?);
    case(
        "Stripe-format delivery",
        200,
        post(addr, "/webhooks/stripe", &stripe, stripe_body).await?,
    );
    // The sender retries evt_1001 a minute later: a new timestamp and signature, so not a replay,
    // but the same event: answered from the first run, which is not repeated.
    let retry = pairs(senders.old.sign_at(
        Some("evt_1001"),
        body,
        now.saturating_add(Duration::from_secs(60)),
    )?);
    case(
        "duplicate event id (a retry)",
        200,
        post(addr, hooks, &retry, body).await?,
    );
    let huge = vec![b' '; BODY_LIMIT + 1];
    let big = pairs(senders.old.sign_at(Some("evt_big"), &huge, now)?);
    case(
        "oversized body (1 MiB + 1)",
        413,
        // Announced with `Expect: 100-continue`: the receiver refuses on the length alone,
        // and the megabyte is never sent (nor raced against the answer).
        post_expecting_continue(addr, hooks, &big, &huge).await?,
    );
    Ok(cases)
}

/// The path of the Standard Webhooks endpoint.
pub(crate) const STANDARD_WEBHOOKS: &str = "/webhooks/standard-webhooks";

/// The body limit of both endpoints.
pub(crate) const BODY_LIMIT: usize = 1024 * 1024;
