//! The Worker's `fetch` handler.

use worker::{Context, Env, Request, Response, Result, event};

use crate::receive::verify_delivery;
use crate::workers_clock::WorkersClock;

/// Verifies each request as a Standard Webhooks delivery signed with the secret
/// `WEBHOOK_SECRET` (`npx wrangler secret put WEBHOOK_SECRET`): 204 when it verifies; otherwise
/// the refusal's status with its code as the body.
#[event(fetch)]
async fn fetch(mut req: Request, env: Env, _ctx: Context) -> Result<Response> {
    let Ok(secret) = env.secret("WEBHOOK_SECRET") else {
        // The receiver's fault: a 5xx makes the sender retry once the secret is set.
        return Response::error("webhook_secret_not_set", 500);
    };
    let headers: Vec<(String, String)> = req.headers().entries().collect();
    // The raw bytes, as signed: never a parsed and re-serialized body.
    let body = req.bytes().await?;
    match verify_delivery(&secret.to_string(), &headers, &body, WorkersClock) {
        // The body is now trusted: parse it and do the work here (or queue it).
        Ok(()) => Ok(Response::empty()?.with_status(204)),
        Err(refusal) => Response::error(refusal.code, refusal.status),
    }
}
