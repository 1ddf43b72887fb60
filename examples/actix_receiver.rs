//! An actix-web 4 receiver. actix is not built on tower, so it uses the framework-agnostic core:
//! `Verifier::verify_fresh` on the request's headers (as `(name, value)` pairs) and the buffered
//! body, then `Pending::commit` once the delivery is handled (or `release` when handling failed,
//! so the sender's redelivery runs), and the error's `status_code()` and `retry_after()` for the
//! answer.
//!
//! It starts on 127.0.0.1 and sends itself, over real HTTP, GitHub's redelivery sequence: a
//! delivery whose handling fails (500), its redelivery (the identical bytes, handled: 200), a
//! tampered copy (401) and another redelivery (409, a replay). It prints the answers, checks that
//! the work ran exactly once, and exits. Run it with `cargo run --example actix_receiver`.

#[path = "common/client.rs"]
mod client;

use std::sync::atomic::{AtomicUsize, Ordering};

use actix_web::http::StatusCode;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use hookseal::replay::MemoryReplayCache;
use hookseal::{Key, Keyring, Scheme, Secret, Signer, Verifier};

use client::{BoxError, post};

struct Receiver {
    verifier: Verifier,
    cache: MemoryReplayCache,
    /// Handler runs so far; the first fails, as if the database were down.
    runs: AtomicUsize,
    /// Deliveries handled successfully.
    done: AtomicUsize,
}

async fn webhook(
    request: HttpRequest,
    body: web::Bytes,
    receiver: web::Data<Receiver>,
) -> HttpResponse {
    let headers: Vec<(&str, &[u8])> = request
        .headers()
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_bytes()))
        .collect();
    match receiver
        .verifier
        .verify_fresh(&headers, &body, &receiver.cache)
        .await
    {
        Ok((verified, pending)) => {
            if receiver.runs.fetch_add(1, Ordering::SeqCst) == 0 {
                // Handling failed: release, so GitHub's redelivery runs. (Dropping `pending`
                // would release too.)
                let _ = pending.release().await;
                return HttpResponse::InternalServerError().body("try again");
            }
            receiver.done.fetch_add(1, Ordering::SeqCst);
            // Handled: from now on every copy is a replay. Should the commit fail, the delivery
            // was handled all the same: answer 200.
            let _ = pending.commit().await;
            HttpResponse::Ok().body(format!("handled {} bytes", verified.body().len()))
        }
        Err(e) => {
            let status =
                StatusCode::from_u16(e.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let mut answer = HttpResponse::build(status);
            if let Some(after) = e.retry_after() {
                answer.insert_header(("Retry-After", after.as_secs().to_string()));
            }
            answer.body(e.to_string())
        }
    }
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let key = Key::new("2026-11", Secret::generate()?.into_secret())?;
    let verifier = Verifier::new(Scheme::github(), Keyring::new(key.clone())?);
    // GitHub signs no timestamp: the replay key is kept for the verifier's retention (72 h).
    let cache = MemoryReplayCache::for_verifier(&verifier, 100_000)?;
    let receiver = web::Data::new(Receiver {
        verifier,
        cache,
        runs: AtomicUsize::new(0),
        done: AtomicUsize::new(0),
    });
    let state = receiver.clone();

    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let server = HttpServer::new(move || {
        App::new()
            .app_data(receiver.clone())
            // Buffer bodies up to 1 MiB; actix answers 413 beyond.
            .app_data(web::PayloadConfig::new(1024 * 1024))
            .route("/webhooks", web::post().to(webhook))
    })
    .workers(1)
    .listen(listener)?
    .run();
    let handle = server.handle();
    let thread = std::thread::spawn(move || actix_web::rt::System::new().block_on(server));

    let body = br#"{"action":"opened","number":1}"#;
    let signed = Signer::new(Scheme::github(), Keyring::new(key)?).sign(Some("d1e2"), body)?;
    let headers: Vec<(String, String)> = signed.iter().map(|(n, v)| (n.into(), v.into())).collect();
    let cases: [(&str, &[u8], u16); 4] = [
        ("failed", body, 500),
        ("redelivered", body, 200),
        ("tampered", br#"{"action":"closed","number":1}"#, 401),
        ("replayed", body, 409),
    ];
    let mut result = Ok(());
    for (case, body, expected) in cases {
        let answer = post(addr, "/webhooks", &headers, body).await?;
        println!("{case:<11} {} {}", answer.status, answer.body.trim_end());
        if answer.status != expected {
            result = Err(format!("{case}: expected {expected}").into());
        }
    }
    let done = state.done.load(Ordering::SeqCst);
    println!("handled successfully: {done} time(s)");
    if done != 1 {
        result = Err(format!("the delivery was handled {done} times, not once").into());
    }
    handle.stop(true).await;
    let _ = thread.join();
    result
}
