//! An actix-web 4 receiver: `hookseal::actix::Verify` wraps the webhook's resource, verifies
//! each request and reserves its replay key before the handler runs, and keeps the key only when
//! the handler answers 2xx — so a failed delivery's redelivery runs, and a handled one's copies
//! are refused. The handler takes the verified body as its own type (`Event<T>`), and a logging
//! middleware reads why a request was refused (`Refused`) from the answer's extensions.
//!
//! It starts on 127.0.0.1 and sends itself, over real HTTP, GitHub's redelivery sequence: a
//! delivery whose handling fails (500), its redelivery (the identical bytes, handled: 200), a
//! tampered copy (401) and another redelivery (409, a replay). It prints the answers, checks that
//! the work ran exactly once, and exits. Run it with
//! `cargo run --example actix_receiver --features actix,serde`.

#[path = "common/client.rs"]
mod client;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use actix_web::dev::Service as _;
use actix_web::{App, HttpResponse, HttpServer, web};
use hookseal::actix::{Refused, Verify};
use hookseal::replay::MemoryReplayCache;
use hookseal::{Event, Key, Keyring, Scheme, Secret, Signer, Verifier};

use client::{BoxError, post};

/// The part of GitHub's `pull_request` event this receiver reads.
#[derive(serde::Deserialize)]
struct PullRequest {
    action: String,
    number: u64,
}

/// The handler's own state: no verifier, no cache, no headers.
struct Work {
    /// Handler runs so far; the first fails, as if the database were down.
    runs: AtomicUsize,
    /// Deliveries handled successfully.
    done: AtomicUsize,
}

async fn webhook(Event(event): Event<PullRequest>, work: web::Data<Work>) -> HttpResponse {
    if work.runs.fetch_add(1, Ordering::SeqCst) == 0 {
        // Handling failed: the middleware releases the replay key, so GitHub's redelivery runs.
        return HttpResponse::InternalServerError().body("try again");
    }
    work.done.fetch_add(1, Ordering::SeqCst);
    // Handled: the middleware keeps the key, and every copy from now on is a replay.
    HttpResponse::Ok().body(format!("pull request #{} {}", event.number, event.action))
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let key = Key::new("2026-11", Secret::generate()?.into_secret())?;
    let verifier = Verifier::new(Scheme::github(), Keyring::new(key.clone())?);
    // GitHub signs no timestamp: the replay key is kept for the verifier's retention (72 h).
    let cache = Arc::new(MemoryReplayCache::for_verifier(&verifier, 100_000)?);
    let verify = Verify::new(verifier).with_replay_cache(cache);
    let work = web::Data::new(Work {
        runs: AtomicUsize::new(0),
        done: AtomicUsize::new(0),
    });
    let state = work.clone();

    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let server = HttpServer::new(move || {
        App::new().app_data(work.clone()).service(
            web::resource("/webhooks")
                .wrap(verify.clone())
                // Outside `Verify`: the receiver's own log of why a request was refused (the
                // sender is told only a fixed text).
                .wrap_fn(|request, service| {
                    let answer = service.call(request);
                    async move {
                        let answer = answer.await?;
                        if let Some(refused) = answer.response().extensions().get::<Refused>() {
                            eprintln!("refused: {}", refused.error().code());
                        }
                        Ok(answer)
                    }
                })
                .route(web::post().to(webhook)),
        )
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
