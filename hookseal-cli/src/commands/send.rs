//! `hookseal send`: signs a body and sends it to a receiver under test, as many times as asked,
//! and replays each request if asked.

use std::time::Duration;

use serde_json::json;
use ureq::http;

use crate::args::SendArgs;
use crate::failure::Failure;
use crate::outgoing::{Outgoing, Signed};

/// What the receiver answered one request.
#[derive(Debug)]
struct Answer {
    /// Which attempt of the event (from 1).
    attempt: u32,
    /// Whether the request was the attempt's identical twin.
    replay: bool,
    status: u16,
    /// The answer's headers that tell about replays and retries, as `(name, value)`.
    notes: Vec<(&'static str, String)>,
    body: String,
}

/// Signs the body and sends it `--repeat` times (each attempt signed again, with the same id),
/// each followed by its identical twin with `--replay`; prints every answer.
///
/// # Errors
///
/// [`Failure::Refused`] when an attempt (not a replay) is answered with a status other than
/// 2xx; [`Failure::Input`] when the body cannot be signed or a request cannot be sent.
pub(crate) fn run(args: &SendArgs, json: bool) -> Result<(), Failure> {
    let outgoing = Outgoing::read(&args.sign, &args.target)?;
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(args.timeout)))
        .http_status_as_error(false)
        .build()
        .into();
    let mut answers = Vec::new();
    let mut previous = None;
    for attempt in 1..=args.repeat {
        let signed = outgoing.sign(previous)?;
        previous = Some(signed.timestamp);
        let sends = if args.replay { 2 } else { 1 };
        for replay in [false, true].into_iter().take(sends) {
            let answer = post(&agent, &args.target, &signed)?;
            let answer = Answer {
                attempt,
                replay,
                ..answer
            };
            if !json {
                let what = if replay { " (replay)" } else { "" };
                let notes: String = (answer.notes.iter())
                    .map(|(name, value)| format!(" [{name}: {value}]"))
                    .collect();
                println!("attempt {attempt}{what}: {}{notes}", answer.status);
                if !answer.body.is_empty() {
                    println!("{}", answer.body);
                }
            }
            answers.push(answer);
        }
    }
    let refused = (answers.iter()).any(|a| !a.replay && !(200..300).contains(&a.status));
    if json {
        let attempts: Vec<_> = (answers.iter())
            .map(|a| {
                json!({
                    "attempt": a.attempt,
                    "replay": a.replay,
                    "status": a.status,
                    "headers": (a.notes.iter())
                        .map(|(name, value)| ((*name).to_owned(), json!(value)))
                        .collect::<serde_json::Map<_, _>>(),
                    "body": a.body,
                })
            })
            .collect();
        super::print_json(&json!({
            "scheme": outgoing.scheme().name(),
            "url": args.target,
            "answers": attempts,
            "refused": refused,
        }));
    }
    if refused {
        return Err(Failure::Refused);
    }
    Ok(())
}

/// Sends `signed` to `url`; the answer (as the first attempt's): its status, its [`NOTED`]
/// headers, and its body (at most [`MAX_ANSWER_LEN`] bytes, as text).
fn post(agent: &ureq::Agent, url: &str, signed: &Signed) -> Result<Answer, Failure> {
    let cannot = |e: &dyn std::fmt::Display| Failure::input(format!("cannot send to {url}: {e}"));
    let mut request = http::Request::builder()
        .method(signed.method.as_str())
        .uri(url);
    for (name, value) in &signed.headers {
        request = request.header(name.as_str(), value.as_str());
    }
    if let Some(content_type) = signed.implied_content_type() {
        request = request.header("Content-Type", content_type);
    }
    let request = request
        .body(signed.body.as_slice())
        .map_err(|e| cannot(&e))?;
    let mut response = agent.run(request).map_err(|e| cannot(&e))?;
    let status = response.status().as_u16();
    let notes = (NOTED.iter())
        .filter_map(|name| {
            let value = response.headers().get(*name)?;
            Some((
                *name,
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            ))
        })
        .collect();
    let body = (response.body_mut().with_config())
        .limit(MAX_ANSWER_LEN)
        .read_to_vec()
        .map_err(|e| cannot(&e))?;
    Ok(Answer {
        attempt: 1,
        replay: false,
        status,
        notes,
        body: String::from_utf8_lossy(&body).trim_end().to_owned(),
    })
}

/// The answer headers printed: how a receiver tells a replayed result and when to retry.
const NOTED: [&str; 2] = ["idempotent-replayed", "retry-after"];

/// The most of an answer's body read.
const MAX_ANSWER_LEN: u64 = 1024 * 1024;
