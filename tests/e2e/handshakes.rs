//! Each preset's handshake over real HTTP, answered by `VerifyLayer` before the handler: the
//! right answer for each of the six; a tampered signed handshake refused (401) without the
//! echo; a switched-off handshake passed to the handler (or, for a `GET` challenge, which
//! carries no signature, refused by verification); Meta's challenge with a wrong or missing
//! verify token refused (403). With a replay cache in memory and on Redis: a handshake takes
//! no replay key, so the provider's retry of it gets the same answer, while a delivery's copy
//! is still refused as a replay. The same cases run against the actix-web middleware (feature
//! `actix`).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::routing::any;
use bytes::Bytes;
use hmac::{Hmac, KeyInit as _, Mac as _};
use hookseal::middleware::VerifyLayer;
use hookseal::replay::{DynReplayCache, MemoryReplayCache};
use hookseal::{Keyring, Scheme, Signer, Verifier};
use http::HeaderMap;
use http_body_util::{BodyExt as _, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

/// What the receiver answered.
#[derive(Debug)]
struct Answer {
    status: u16,
    headers: HeaderMap,
    body: Vec<u8>,
}

async fn send(
    addr: SocketAddr,
    method: &str,
    target: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> Answer {
    let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let mut request = http::Request::builder()
        .method(method)
        .uri(format!("http://{addr}{target}"));
    for (name, value) in headers {
        request = request.header(name, value);
    }
    let response = client
        .request(
            request
                .body(Full::new(Bytes::copy_from_slice(body)))
                .unwrap(),
        )
        .await
        .unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    Answer {
        status,
        headers,
        body,
    }
}

/// The framework the receivers of a test run: the tower layer in axum, or (feature `actix`) the
/// actix-web middleware. Set for a whole test with `FRAMEWORK.scope`; tower when unset.
#[derive(Clone, Copy)]
enum Framework {
    Tower,
    #[cfg(feature = "actix")]
    Actix,
}

tokio::task_local! {
    static FRAMEWORK: Framework;
}

/// A receiver for `verifier` on a loopback port: every method reaches the verification (a
/// `GET` challenge must), and the handler counts its runs.
async fn serve(
    verifier: Verifier,
    cache: Option<Arc<dyn DynReplayCache>>,
) -> (SocketAddr, Arc<AtomicUsize>) {
    let runs = Arc::new(AtomicUsize::new(0));
    let framework = FRAMEWORK.try_with(|f| *f).unwrap_or(Framework::Tower);
    let addr = match framework {
        Framework::Tower => serve_tower(verifier, cache, Arc::clone(&runs)).await,
        #[cfg(feature = "actix")]
        Framework::Actix => serve_actix(verifier, cache, Arc::clone(&runs)),
    };
    (addr, runs)
}

async fn serve_tower(
    verifier: Verifier,
    cache: Option<Arc<dyn DynReplayCache>>,
    runs: Arc<AtomicUsize>,
) -> SocketAddr {
    let mut layer = VerifyLayer::new(verifier);
    if let Some(cache) = cache {
        layer = layer.with_replay_cache(cache);
    }
    let app = Router::new().route(
        "/hooks",
        any(move || {
            runs.fetch_add(1, Ordering::SeqCst);
            async { "handled" }
        })
        .layer(layer),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

/// An actix-web server on its own thread, for the rest of the test process.
#[cfg(feature = "actix")]
fn serve_actix(
    verifier: Verifier,
    cache: Option<Arc<dyn DynReplayCache>>,
    runs: Arc<AtomicUsize>,
) -> SocketAddr {
    use actix_web::{App, HttpServer, web};
    use hookseal::actix::Verify;

    let mut verify = Verify::new(verifier);
    if let Some(cache) = cache {
        verify = verify.with_replay_cache(cache);
    }
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = HttpServer::new(move || {
        let runs = Arc::clone(&runs);
        App::new().service(web::resource("/hooks").wrap(verify.clone()).to(move || {
            runs.fetch_add(1, Ordering::SeqCst);
            async { "handled" }
        }))
    })
    .workers(1)
    .listen(listener)
    .unwrap()
    .run();
    std::thread::spawn(move || actix_web::rt::System::new().block_on(server));
    addr
}

fn headers_of(signed: &hookseal::SignedHeaders) -> Vec<(String, String)> {
    signed.iter().map(|(n, v)| (n.into(), v.into())).collect()
}

/// A signed handshake of an HMAC scheme: answered as `expected`, once per copy (no replay key
/// taken), the handler never run; the same request with its challenge changed refused 401
/// without the echo; a delivery still refused as a replay when a cache is on; and, switched
/// off, the handshake goes to the handler.
#[allow(clippy::too_many_arguments)]
async fn signed_handshake(
    scheme: Scheme,
    secret: &str,
    body: &[u8],
    tampered: &[u8],
    extra: &[(&str, &str)],
    content_type: &str,
    expected: &[u8],
    cache: Option<Arc<dyn DynReplayCache>>,
) {
    let keyring = || Keyring::single(scheme.parse_secret(secret).unwrap());
    let signer = Signer::new(scheme.clone(), keyring());
    let signed = signer.sign(Some("msg_handshake_1"), body).unwrap();
    let mut headers = headers_of(&signed);
    headers.extend(extra.iter().map(|(n, v)| ((*n).into(), (*v).into())));

    let (addr, runs) = serve(Verifier::new(scheme.clone(), keyring()), cache.clone()).await;
    for _ in 0..2 {
        let answer = send(addr, "POST", "/hooks", &headers, body).await;
        assert_eq!(answer.status, 200, "{}: {answer:?}", scheme.name());
        assert_eq!(answer.body, expected, "{}", scheme.name());
        assert_eq!(answer.headers["content-type"], content_type);
        if content_type == "text/plain" {
            assert_eq!(answer.headers["x-content-type-options"], "nosniff");
        }
    }
    let answer = send(addr, "POST", "/hooks", &headers, tampered).await;
    assert_eq!(answer.status, 401, "{}", scheme.name());
    assert_eq!(answer.body, b"signature not verified\n");
    assert_eq!(runs.load(Ordering::SeqCst), 0);

    // A delivery on the same receiver is handled once, then refused as a replay (with a
    // cache) or handled again (without).
    let event = br#"{"type":"event_callback","event":"x"}"#;
    let event_headers = headers_of(&signer.sign(Some("msg_event_1"), event).unwrap());
    let first = send(addr, "POST", "/hooks", &event_headers, event).await;
    assert_eq!((first.status, &first.body[..]), (200, &b"handled"[..]));
    let again = send(addr, "POST", "/hooks", &event_headers, event).await;
    match cache {
        Some(_) => assert_eq!(again.status, 409),
        None => assert_eq!(again.status, 200),
    }

    // Switched off, the handshake is a delivery like any other.
    let (addr, runs) = serve(
        Verifier::new(scheme.clone().without_handshake(), keyring()),
        None,
    )
    .await;
    let answer = send(addr, "POST", "/hooks", &headers, body).await;
    assert_eq!((answer.status, &answer.body[..]), (200, &b"handled"[..]));
    assert_eq!(runs.load(Ordering::SeqCst), 1);
}

/// Slack's documented `url_verification` payload.
async fn slack(cache: Option<Arc<dyn DynReplayCache>>) {
    let body = br#"{"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}"#;
    let tampered =
        br#"{"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","challenge":"evil","type":"url_verification"}"#;
    signed_handshake(
        Scheme::slack(),
        "8f742231b10e8888abcd99yyyzzz85a5",
        body,
        tampered,
        &[],
        "text/plain",
        b"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
        cache,
    )
    .await;
}

/// The body of twitch_api's `verify_request_challenge` vector, signed anew.
async fn twitch(cache: Option<Arc<dyn DynReplayCache>>) {
    let body = include_bytes!("../vectors/twitch/verify_request_challenge.json");
    let tampered = String::from_utf8_lossy(body).replace("11535768", "66666666");
    signed_handshake(
        Scheme::twitch(),
        "twitch-subscription-secret-0123",
        body,
        tampered.as_bytes(),
        &[(
            "Twitch-Eventsub-Message-Type",
            "webhook_callback_verification",
        )],
        "text/plain",
        b"11535768-497e-14ec-8197-ba2cb5341a01",
        cache,
    )
    .await;
}

/// Zoom's URL validation: the answer's `encryptedToken` is checked with the `hmac` crate.
async fn zoom(cache: Option<Arc<dyn DynReplayCache>>) {
    let secret = "zoom-secret-token-0123456789";
    let body = br#"{"payload":{"plainToken":"qgg8vlvZRS6UYooatFL8Aw"},"event_ts":1654503849680,"event":"endpoint.url_validation"}"#;
    let tampered = br#"{"payload":{"plainToken":"AAAAvlvZRS6UYooatFL8Aw"},"event_ts":1654503849680,"event":"endpoint.url_validation"}"#;
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(b"qgg8vlvZRS6UYooatFL8Aw");
    let expected = format!(
        r#"{{"plainToken":"qgg8vlvZRS6UYooatFL8Aw","encryptedToken":"{}"}}"#,
        hex::encode(mac.finalize().into_bytes())
    );
    signed_handshake(
        Scheme::zoom(),
        secret,
        body,
        tampered,
        &[],
        "application/json",
        expected.as_bytes(),
        cache,
    )
    .await;
}

/// Discord's `PING`, signed with an Ed25519 key of the test's own.
#[cfg(feature = "ed25519")]
async fn discord(cache: Option<Arc<dyn DynReplayCache>>) {
    use hookseal::{Ed25519SigningKey, Key};

    let signing = Ed25519SigningKey::generate().unwrap().0;
    let public = signing.public_key();
    let signer = Signer::new(
        Scheme::discord(),
        Keyring::new(Key::ed25519_signing("app", signing).unwrap()).unwrap(),
    );
    let trusted = || Keyring::new(Key::ed25519_public("app", public.clone()).unwrap()).unwrap();
    let body = br#"{"application_id":"1","id":"2","token":"t","type":1,"version":1}"#;
    let headers = headers_of(&signer.sign(None, body).unwrap());
    let (addr, runs) = serve(Verifier::new(Scheme::discord(), trusted()), cache).await;
    for _ in 0..2 {
        let answer = send(addr, "POST", "/hooks", &headers, body).await;
        assert_eq!(
            (answer.status, &answer.body[..]),
            (200, &br#"{"type":1}"#[..])
        );
        assert_eq!(answer.headers["content-type"], "application/json");
    }
    // Discord checks that endpoints refuse bad signatures: a changed body is refused.
    let tampered = br#"{"application_id":"1","id":"3","token":"t","type":1,"version":1}"#;
    let answer = send(addr, "POST", "/hooks", &headers, tampered).await;
    assert_eq!(
        (answer.status, &answer.body[..]),
        (401, &b"signature not verified\n"[..])
    );
    assert_eq!(runs.load(Ordering::SeqCst), 0);

    let (addr, runs) = serve(
        Verifier::new(Scheme::discord().without_handshake(), trusted()),
        None,
    )
    .await;
    let answer = send(addr, "POST", "/hooks", &headers, body).await;
    assert_eq!((answer.status, &answer.body[..]), (200, &b"handled"[..]));
    assert_eq!(runs.load(Ordering::SeqCst), 1);
}

/// Dropbox's `GET ?challenge=…`, echoed with `nosniff`; refused when out of bounds; switched
/// off, refused by verification (it carries no signature) without reaching the handler.
async fn dropbox(cache: Option<Arc<dyn DynReplayCache>>) {
    let secret = "dropbox-app-secret-0123456789";
    let verifier = || Verifier::from_secret(Scheme::dropbox(), secret).unwrap();
    let (addr, runs) = serve(verifier(), cache).await;
    for _ in 0..2 {
        let answer = send(addr, "GET", "/hooks?challenge=abc123", &[], b"").await;
        assert_eq!((answer.status, &answer.body[..]), (200, &b"abc123"[..]));
        assert_eq!(answer.headers["content-type"], "text/plain");
        assert_eq!(answer.headers["x-content-type-options"], "nosniff");
    }
    let answer = send(addr, "GET", "/hooks?challenge=%3Cscript%3E", &[], b"").await;
    assert_eq!(
        (answer.status, &answer.body[..]),
        (400, &b"bad request\n"[..])
    );
    // A signed notification still verifies and reaches the handler.
    let body = br#"{"list_folder": {"accounts": ["dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc"]}, "delta": {"users": [12345678]}}"#;
    let headers = headers_of(
        &Signer::from_secret(Scheme::dropbox(), secret)
            .unwrap()
            .sign(None, body)
            .unwrap(),
    );
    let answer = send(addr, "POST", "/hooks", &headers, body).await;
    assert_eq!((answer.status, &answer.body[..]), (200, &b"handled"[..]));
    assert_eq!(runs.load(Ordering::SeqCst), 1);

    let off = Verifier::from_secret(Scheme::dropbox().without_handshake(), secret).unwrap();
    let (addr, runs) = serve(off, None).await;
    let answer = send(addr, "GET", "/hooks?challenge=abc123", &[], b"").await;
    assert_eq!(
        (answer.status, &answer.body[..]),
        (400, &b"bad request\n"[..])
    );
    assert_eq!(runs.load(Ordering::SeqCst), 0);
}

/// Meta's documented verification request: answered with the receiver's verify token, refused
/// (403) with a wrong or missing one, and when the receiver set none.
async fn meta(cache: Option<Arc<dyn DynReplayCache>>) {
    let secret = "meta-app-secret-0123456789abcdef";
    let query = "/hooks?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=meatyhamhock";
    let verifier = Verifier::from_secret(Scheme::meta(), secret)
        .unwrap()
        .with_verify_token("meatyhamhock")
        .unwrap();
    let (addr, runs) = serve(verifier, cache.clone()).await;
    for _ in 0..2 {
        let answer = send(addr, "GET", query, &[], b"").await;
        assert_eq!((answer.status, &answer.body[..]), (200, &b"1158201444"[..]));
        assert_eq!(answer.headers["content-type"], "text/plain");
    }
    for wrong in [
        "/hooks?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=guess",
        "/hooks?hub.mode=subscribe&hub.challenge=1158201444",
    ] {
        let answer = send(addr, "GET", wrong, &[], b"").await;
        assert_eq!(
            (answer.status, &answer.body[..]),
            (403, &b"forbidden\n"[..])
        );
    }
    // A signed notification still verifies and reaches the handler.
    let body = br#"{"object":"whatsapp_business_account","entry":[]}"#;
    let headers = headers_of(
        &Signer::from_secret(Scheme::meta(), secret)
            .unwrap()
            .sign(None, body)
            .unwrap(),
    );
    let answer = send(addr, "POST", "/hooks", &headers, body).await;
    assert_eq!((answer.status, &answer.body[..]), (200, &b"handled"[..]));
    assert_eq!(runs.load(Ordering::SeqCst), 1);

    // No verify token set: refused, fail closed.
    let (addr, runs) = serve(
        Verifier::from_secret(Scheme::meta(), secret).unwrap(),
        cache,
    )
    .await;
    let answer = send(addr, "GET", query, &[], b"").await;
    assert_eq!(
        (answer.status, &answer.body[..]),
        (403, &b"forbidden\n"[..])
    );
    assert_eq!(runs.load(Ordering::SeqCst), 0);
}

async fn every_handshake(cache: impl Fn() -> Option<Arc<dyn DynReplayCache>>) {
    slack(cache()).await;
    twitch(cache()).await;
    zoom(cache()).await;
    #[cfg(feature = "ed25519")]
    discord(cache()).await;
    dropbox(cache()).await;
    meta(cache()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handshakes_without_a_replay_cache() {
    every_handshake(|| None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handshakes_with_a_memory_replay_cache() {
    every_handshake(|| {
        Some(Arc::new(
            MemoryReplayCache::new(10_000, std::time::Duration::from_secs(601 + 3600 * 72))
                .unwrap(),
        ) as Arc<dyn DynReplayCache>)
    })
    .await;
}

#[cfg(feature = "redis")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handshakes_with_a_redis_replay_cache() {
    use hookseal::replay::RedisReplayCache;

    let Some(server) = crate::server::RedisServer::start() else {
        return;
    };
    let cache: Arc<dyn DynReplayCache> =
        Arc::new(RedisReplayCache::connect(&server.url()).await.unwrap());
    every_handshake(|| Some(Arc::clone(&cache))).await;
}

#[cfg(feature = "actix")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handshakes_through_the_actix_middleware() {
    let memory = || {
        Some(Arc::new(
            MemoryReplayCache::new(10_000, std::time::Duration::from_secs(601 + 3600 * 72))
                .unwrap(),
        ) as Arc<dyn DynReplayCache>)
    };
    FRAMEWORK
        .scope(Framework::Actix, async {
            every_handshake(|| None).await;
            every_handshake(memory).await;
        })
        .await;
}

#[cfg(all(feature = "actix", feature = "redis"))]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handshakes_through_the_actix_middleware_with_redis() {
    use hookseal::replay::RedisReplayCache;

    let Some(server) = crate::server::RedisServer::start() else {
        return;
    };
    let cache: Arc<dyn DynReplayCache> =
        Arc::new(RedisReplayCache::connect(&server.url()).await.unwrap());
    FRAMEWORK
        .scope(
            Framework::Actix,
            every_handshake(|| Some(Arc::clone(&cache))),
        )
        .await;
}
