//! `hookseal::actix::Verify` on a real actix-web server, driven over real HTTP: the tower layer's
//! answers (pass, tampered 401, stale 400, replay 409, in progress 409 with `Retry-After`, 413 by
//! `Content-Length` and by streamed length), the replay key released when the handler fails or
//! panics and kept when it succeeds (with the memory replay cache and with Redis), the verified
//! body handed to the handler untouched, the extractors' refusals, and a scheme that signs the
//! request line.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use actix_web::dev::{ServerHandle, Service as _};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::{App, HttpResponse, HttpServer, web};
use hookseal::actix::{Refused, Verify};
use hookseal::replay::{DynReplayCache, MemoryReplayCache};
use hookseal::{Keyring, Scheme, Secret, Signer, Timestamp, VerifiedDelivery, Verifier};
use tokio::sync::Notify;

use crate::client::post;

fn keyring() -> Keyring {
    Keyring::single(Secret::from_bytes([7_u8; 32]).unwrap())
}

fn verifier() -> Verifier {
    Verifier::new(Scheme::standard_webhooks(), keyring())
}

/// `(name, value)` pairs signing `body` as delivery `id`, stamped `at` (now when `None`).
fn signed(id: &str, body: &[u8], at: Option<Timestamp>) -> Vec<(String, String)> {
    let signer = Signer::new(Scheme::standard_webhooks(), keyring());
    let headers = match at {
        Some(at) => signer.sign_at(Some(id), body, at),
        None => signer.sign(Some(id), body),
    }
    .unwrap();
    headers.iter().map(|(n, v)| (n.into(), v.into())).collect()
}

/// What the handlers do: count their runs, wait for `gate` on run `slow_run`, fail on run
/// `fail_run` (an actix-web error) and panic on run `panic_run`; otherwise answer 200 with the
/// body they read as `web::Bytes`.
struct Work {
    runs: AtomicUsize,
    slow_run: usize,
    fail_run: usize,
    panic_run: usize,
    gate: Notify,
}

impl Work {
    fn new() -> Self {
        Self {
            runs: AtomicUsize::new(0),
            slow_run: 0,
            fail_run: 0,
            panic_run: 0,
            gate: Notify::new(),
        }
    }

    fn runs(&self) -> usize {
        self.runs.load(Ordering::SeqCst)
    }
}

/// The handler behind `Verify`: echoes the body it reads, which must be the verified one.
async fn echo(
    delivery: VerifiedDelivery,
    body: web::Bytes,
    work: web::Data<Work>,
) -> actix_web::Result<HttpResponse> {
    let run = work.runs.fetch_add(1, Ordering::SeqCst) + 1;
    if run == work.slow_run {
        work.gate.notified().await;
    }
    if run == work.fail_run {
        return Err(actix_web::error::ErrorInternalServerError("database down"));
    }
    assert!(run != work.panic_run, "the handler panics");
    assert_eq!(delivery.body(), &body);
    Ok(HttpResponse::Ok()
        .insert_header(("x-delivery-id", delivery.id().unwrap_or_default()))
        .body(body))
}

/// A handler on a route `Verify` does not wrap.
async fn unwrapped(_: VerifiedDelivery) -> HttpResponse {
    HttpResponse::Ok().body("unverified")
}

/// An actix-web server on a loopback port, on its own thread.
struct Server {
    addr: SocketAddr,
    handle: ServerHandle,
    thread: std::thread::JoinHandle<std::io::Result<()>>,
}

impl Server {
    /// Serves `/hooks` behind `verify`, and `/bare` without it; the app's own outer middleware
    /// copies the code of a `Refused` into an `x-refused` header. `routes` adds more.
    fn start(
        verify: Verify,
        work: Arc<Work>,
        routes: impl Fn(&mut web::ServiceConfig) + Send + Clone + 'static,
    ) -> Self {
        let work = web::Data::from(work);
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(work.clone())
                .service(
                    web::resource("/hooks")
                        .wrap(verify.clone())
                        .wrap_fn(|request, service| {
                            let answer = service.call(request);
                            async move {
                                let mut answer = answer.await?;
                                let code = answer
                                    .response()
                                    .extensions()
                                    .get::<Refused>()
                                    .map(|refused| refused.error().code());
                                if let Some(code) = code {
                                    answer.headers_mut().insert(
                                        HeaderName::from_static("x-refused"),
                                        HeaderValue::from_static(code),
                                    );
                                }
                                Ok(answer)
                            }
                        })
                        .route(web::post().to(echo)),
                )
                .route("/bare", web::post().to(unwrapped))
                .configure(routes.clone())
        })
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
        let handle = server.handle();
        let thread = std::thread::spawn(move || actix_web::rt::System::new().block_on(server));
        Self {
            addr,
            handle,
            thread,
        }
    }

    async fn stop(self) {
        self.handle.stop(false).await;
        self.thread.join().unwrap().unwrap();
    }
}

/// The status, the `x-refused` code, and the body of the answer to `body` with `headers`.
async fn send(
    server: &Server,
    headers: &[(String, String)],
    body: &[u8],
) -> (u16, Option<String>, String) {
    let answer = post(server.addr, "/hooks", headers, body).await.unwrap();
    let refused = answer
        .headers
        .get("x-refused")
        .map(|v| v.to_str().unwrap().to_owned());
    (answer.status, refused, answer.body)
}

/// Every outcome of one replay cache behind `Verify`.
async fn outcomes(cache: Arc<dyn DynReplayCache>) {
    let work = Arc::new(Work {
        fail_run: 1,
        slow_run: 3,
        ..Work::new()
    });
    let server = Server::start(
        Verify::new(verifier()).with_replay_cache(cache),
        Arc::clone(&work),
        |_| {},
    );
    let body = b"{\"type\":\"invoice.paid\",\"raw\":\"\xff\xfe\"}";
    let headers = signed("msg_outcomes", body, None);

    // The handler fails: its error is the answer, and the key is released.
    let (status, refused, _) = send(&server, &headers, body).await;
    assert_eq!((status, refused), (500, None));
    // The retry runs and succeeds; the handler read the verified bytes untouched.
    let answer = post(server.addr, "/hooks", &headers, body).await.unwrap();
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body, String::from_utf8_lossy(body));
    assert_eq!(answer.headers["x-delivery-id"], "msg_outcomes");
    // Every later copy is a replay; the handler does not run.
    let (status, refused, text) = send(&server, &headers, body).await;
    assert_eq!(status, 409);
    assert_eq!(refused.as_deref(), Some("replayed"));
    assert_eq!(text, "duplicate delivery");
    assert_eq!(work.runs(), 2);

    // Tampered: 401; stale: 400. Neither reaches the handler.
    let (status, refused, text) = send(&server, &headers, b"{\"type\":\"invoice.void\"}").await;
    assert_eq!(
        (status, refused.as_deref(), text.as_str()),
        (401, Some("signature_mismatch"), "signature not verified")
    );
    let hour_ago = Timestamp::from_unix_secs(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
            - 3600,
    );
    let stale = signed("msg_stale", body, Some(hour_ago));
    let (status, refused, text) = send(&server, &stale, body).await;
    assert_eq!((status, text.as_str()), (400, "bad request"));
    assert_eq!(refused.as_deref(), Some("timestamp_too_old"));
    assert_eq!(work.runs(), 2);

    // A copy arriving while the first is handled (run 3 waits at the gate): 409 with
    // `Retry-After`, without running the handler.
    let slow = signed("msg_slow", b"{}", None);
    let first = {
        let (addr, slow) = (server.addr, slow.clone());
        tokio::spawn(async move { post(addr, "/hooks", &slow, b"{}").await.unwrap() })
    };
    while work.runs() < 3 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let copy = post(server.addr, "/hooks", &slow, b"{}").await.unwrap();
    assert_eq!(copy.status, 409);
    assert_eq!(copy.headers["x-refused"], "in_progress");
    let retry_after: u64 = copy.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    // At most the lease, which the stores round up to the next whole second.
    assert!((1..=verifier().replay_lease().as_secs() + 1).contains(&retry_after));
    work.gate.notify_one();
    assert_eq!(first.await.unwrap().status, 200);
    assert_eq!(work.runs(), 3);
    server.stop().await;
}

#[tokio::test]
async fn every_outcome_with_the_memory_cache() {
    let cache = MemoryReplayCache::for_verifier(&verifier(), 1000).unwrap();
    outcomes(Arc::new(cache)).await;
}

#[cfg(feature = "redis")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_outcome_with_redis() {
    use hookseal::replay::RedisReplayCache;

    let Some(server) = crate::server::RedisServer::start() else {
        return;
    };
    let cache = RedisReplayCache::connect(&server.url()).await.unwrap();
    outcomes(Arc::new(cache)).await;
}

#[tokio::test]
async fn a_panicking_handler_releases_the_key() {
    let cache = MemoryReplayCache::for_verifier(&verifier(), 1000).unwrap();
    let work = Arc::new(Work {
        panic_run: 1,
        ..Work::new()
    });
    let server = Server::start(
        Verify::new(verifier()).with_replay_cache(Arc::new(cache)),
        Arc::clone(&work),
        |_| {},
    );
    let headers = signed("msg_panic", b"{}", None);
    // The connection ends without an answer.
    assert!(post(server.addr, "/hooks", &headers, b"{}").await.is_err());
    // The sender retries: the key was released, and the handler runs.
    let (status, _, _) = send(&server, &headers, b"{}").await;
    assert_eq!(status, 200);
    let (status, _, _) = send(&server, &headers, b"{}").await;
    assert_eq!(status, 409);
    assert_eq!(work.runs(), 2);
    server.stop().await;
}

#[tokio::test]
async fn a_replay_answered_as_delivered() {
    let cache = MemoryReplayCache::for_verifier(&verifier(), 1000).unwrap();
    let work = Arc::new(Work::new());
    let verify = Verify::new(verifier())
        .with_replay_cache(Arc::new(cache))
        .with_replay_status(actix_web::http::StatusCode::OK);
    let server = Server::start(verify, Arc::clone(&work), |_| {});
    let headers = signed("msg_twice", b"{}", None);
    assert_eq!(send(&server, &headers, b"{}").await.0, 200);
    let (status, refused, text) = send(&server, &headers, b"{}").await;
    assert_eq!(
        (status, refused.as_deref(), text.as_str()),
        (200, Some("replayed"), "already processed")
    );
    assert_eq!(work.runs(), 1);
    server.stop().await;
}

#[tokio::test]
async fn a_body_over_the_limit_is_413_by_content_length() {
    let work = Arc::new(Work::new());
    let server = Server::start(
        Verify::new(verifier()).with_body_limit(16),
        Arc::clone(&work),
        |_| {},
    );
    let fits = b"{\"n\":\"12345678\"}";
    assert_eq!(fits.len(), 16);
    assert_eq!(
        send(&server, &signed("msg_fits", fits, None), fits).await.0,
        200
    );
    let over = b"{\"n\":\"123456789\"}";
    let (status, _, text) = send(&server, &signed("msg_over", over, None), over).await;
    assert_eq!((status, text.as_str()), (413, "body too large"));
    assert_eq!(work.runs(), 1);
    server.stop().await;
}

#[tokio::test]
async fn a_body_over_the_limit_is_413_by_streamed_length() {
    let work = Arc::new(Work::new());
    let server = Server::start(
        Verify::new(verifier()).with_body_limit(16),
        Arc::clone(&work),
        |_| {},
    );
    // Chunked, with no Content-Length: the limit is met while reading.
    let fits: [&[u8]; 2] = [b"{\"n\":", b"\"12345678\"}"];
    let headers = signed("msg_chunks", &fits.concat(), None);
    let (status, body) = post_chunked(server.addr, &headers, &fits).await;
    assert_eq!((status, body.as_str()), (200, "{\"n\":\"12345678\"}"));
    // The MAC runs over the chunks as they arrive: one changed byte in one of them is refused.
    let changed: [&[u8]; 2] = [b"{\"n\":", b"\"12345679\"}"];
    let (status, _) = post_chunked(server.addr, &headers, &changed).await;
    assert_eq!(status, 401);
    let over: [&[u8]; 3] = [b"{\"n\":", b"\"12345678", b"9\"}"];
    let headers = signed("msg_chunks_over", &over.concat(), None);
    let (status, body) = post_chunked(server.addr, &headers, &over).await;
    assert_eq!((status, body.as_str()), (413, "body too large\n"));
    assert_eq!(work.runs(), 1);
    server.stop().await;
}

/// Posts `chunks` to `/hooks` with chunked transfer coding (no `Content-Length`) over a plain
/// socket, and reads the whole answer: its status and body.
async fn post_chunked(
    addr: SocketAddr,
    headers: &[(String, String)],
    chunks: &[&[u8]],
) -> (u16, String) {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

    let mut request = format!(
        "POST /hooks HTTP/1.1\r\nhost: {addr}\r\ntransfer-encoding: chunked\r\nconnection: close\r\n"
    )
    .into_bytes();
    for (name, value) in headers {
        request.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
    }
    request.extend_from_slice(b"\r\n");
    for chunk in chunks {
        request.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        request.extend_from_slice(chunk);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"0\r\n\r\n");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(&request).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let answer = String::from_utf8(answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, body.to_owned())
}

#[tokio::test]
async fn a_route_without_the_middleware_answers_500_naming_it() {
    let work = Arc::new(Work::new());
    let server = Server::start(Verify::new(verifier()), work, |_| {});
    let headers = signed("msg_bare", b"{}", None);
    let answer = post(server.addr, "/bare", &headers, b"{}").await.unwrap();
    assert_eq!(answer.status, 500);
    assert_eq!(
        answer.body,
        "hookseal: no hookseal::actix::Verify on this route"
    );
    server.stop().await;
}

#[cfg(feature = "serde")]
#[tokio::test]
async fn an_event_that_is_not_the_type_asked_for_is_400_and_released() {
    use hookseal::Event;

    #[derive(serde::Deserialize)]
    struct Opened {
        number: u64,
    }

    async fn typed(Event(opened): Event<Opened>) -> HttpResponse {
        HttpResponse::Ok().body(format!("#{}", opened.number))
    }

    let cache = MemoryReplayCache::for_verifier(&verifier(), 1000).unwrap();
    let verify = Verify::new(verifier()).with_replay_cache(Arc::new(cache));
    let routes = move |config: &mut web::ServiceConfig| {
        config
            .service(
                web::resource("/typed")
                    .wrap(verify.clone())
                    .route(web::post().to(typed)),
            )
            .route("/typed-bare", web::post().to(typed));
    };
    let server = Server::start(Verify::new(verifier()), Arc::new(Work::new()), routes);

    let good = b"{\"number\":7}";
    let headers = signed("msg_typed", good, None);
    let answer = post(server.addr, "/typed", &headers, good).await.unwrap();
    assert_eq!((answer.status, answer.body.as_str()), (200, "#7"));

    // Verified, but not an `Opened`: 400, and the key is released — the same request is read
    // (and refused) again, not answered as a duplicate.
    let bad = b"{\"number\":\"seven\"}";
    let headers = signed("msg_untyped", bad, None);
    for _ in 0..2 {
        let answer = post(server.addr, "/typed", &headers, bad).await.unwrap();
        assert_eq!((answer.status, answer.body.as_str()), (400, "bad request"));
    }

    let answer = post(server.addr, "/typed-bare", &headers, bad)
        .await
        .unwrap();
    assert_eq!(
        (answer.status, answer.body.as_str()),
        (500, "hookseal: no hookseal::actix::Verify on this route")
    );
    server.stop().await;
}

#[tokio::test]
async fn a_scheme_that_signs_the_request_line() {
    // HubSpot v3 signs the method, the URL the sender called (public, before any proxy), the
    // body and a timestamp.
    const PUBLIC: &str = "https://hooks.example.com";
    const SECRET: &str = "hubspot-client-secret-0123456789";
    let hubspot = Verifier::from_secret(Scheme::hubspot(), SECRET)
        .unwrap()
        .with_public_url(PUBLIC)
        .unwrap();
    let verify = Verify::new(hubspot);
    let routes = move |config: &mut web::ServiceConfig| {
        config.service(
            web::resource("/hubspot")
                .wrap(verify.clone())
                .route(web::post().to(echo)),
        );
    };
    let work = Arc::new(Work::new());
    let server = Server::start(Verify::new(verifier()), Arc::clone(&work), routes);

    let body = br#"[{"subscriptionType":"contact.creation","objectId":123}]"#;
    let headers: Vec<(String, String)> = Signer::from_secret(Scheme::hubspot(), SECRET)
        .unwrap()
        .sign_request("POST", &format!("{PUBLIC}/hubspot?portal=7"), None, body)
        .unwrap()
        .iter()
        .map(|(n, v)| (n.into(), v.into()))
        .collect();
    let answer = post(server.addr, "/hubspot?portal=7", &headers, body)
        .await
        .unwrap();
    assert_eq!(answer.status, 200);
    // Another target than the one signed: 401.
    for target in ["/hubspot?portal=8", "/hubspot"] {
        let answer = post(server.addr, target, &headers, body).await.unwrap();
        assert_eq!(
            (answer.status, answer.body.as_str()),
            (401, "signature not verified")
        );
    }
    assert_eq!(work.runs(), 1);
    server.stop().await;
}
