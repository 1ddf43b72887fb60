//! A dudect-style timing check: does the time `Verifier::verify_at` takes to refuse a wrong
//! signature depend on how many leading bytes of the tag are right?
//!
//! Two classes of request differ only in their (wrong) tag: one whose first byte is wrong (no
//! leading byte matches), one whose last byte is wrong (31 leading bytes match). Measurements
//! of the two are interleaved in random order, and Welch's t-test compares their means, on all
//! measurements and on the ones below several percentiles (cropping, as dudect does, removes
//! the long tail that interrupts and the scheduler add). |t| above 4.5 is evidence of a
//! difference; below it, none was found at this sample size.
//!
//! A control runs the same harness on an early-exit byte comparison, which does leak, to show
//! the harness can see a difference of a few nanoseconds.
//!
//! ```text
//! cargo run --release --example timing [MEASUREMENTS_PER_CLASS]
//! ```
//!
//! The requests use Stripe's layout (`t=<ts>,v1=<hex>`), whose hex tags let one byte be changed
//! in place; the constant-time comparison of decoded tags is the same in every scheme.
//!
//! Not part of CI: timing on a shared machine is noisy, and a statistical test is not a gate.

#![allow(
    clippy::indexing_slicing,
    clippy::cast_possible_truncation,
    reason = "indices are a class (0 or 1), a tag position inside the header, and a percentile \
              of a non-empty sample; a measurement harness, not input handling"
)]

use std::hint::black_box;
use std::time::Instant;

use hookseal::{Keyring, Scheme, Secret, Signer, Timestamp, Verifier, VerifyError};

const NOW: u64 = 1_700_000_000;
const PERCENTILES: [f64; 6] = [0.50, 0.75, 0.90, 0.95, 0.99, 1.0];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let per_class: usize = match std::env::args().nth(1) {
        Some(n) => n.parse()?,
        None => 1_000_000,
    };

    let keyring = || Secret::from_bytes([0x42; 32]).map(Keyring::single);
    let signer = Signer::new(Scheme::stripe(), keyring()?);
    let verifier = Verifier::new(Scheme::stripe(), keyring()?);
    let body = br#"{"type":"invoice.paid","id":"evt_1"}"#;
    let now = Timestamp::from_unix_secs(NOW);
    let signed = signer.sign_at(None, body, now)?;
    let header = signed
        .get("Stripe-Signature")
        .ok_or("no signature header")?
        .to_owned();

    // `t=<ts>,v1=<64 hex digits>`: the tag is the last 64 bytes.
    let tag_at = header.len() - 64;
    let wrong_at = |byte: usize| {
        let mut h = header.clone().into_bytes();
        let digit = tag_at + 2 * byte;
        h[digit] = if h[digit] == b'0' { b'1' } else { b'0' };
        String::from_utf8(h)
    };
    let classes = [wrong_at(0)?, wrong_at(31)?];
    for value in &classes {
        let headers = [("Stripe-Signature", value.as_str())];
        match verifier.verify_at(&headers, body, now) {
            Err(VerifyError::NoMatchingSignature) => {}
            other => return Err(format!("a wrong tag got {other:?}").into()),
        }
    }
    let requests = classes.clone().map(|value| [("Stripe-Signature", value)]);

    println!(
        "verify_at, Stripe's scheme, {} B body, {per_class} measurements per class",
        body.len()
    );
    println!("class 0: first tag byte wrong (0 leading bytes match)");
    println!("class 1: last tag byte wrong (31 leading bytes match)\n");
    let verify = |class: usize| {
        let result = verifier.verify_at(black_box(&requests[class]), black_box(body), now);
        black_box(result.is_ok());
    };
    let t = run(per_class, verify);
    report("hookseal verify", &t);

    // The control: an early-exit comparison of the same two wrong tags against the right one.
    let right = signed
        .get("Stripe-Signature")
        .ok_or("no header")?
        .as_bytes()
        .to_vec();
    let wrong: [Vec<u8>; 2] = classes.map(String::into_bytes);
    let leaky = |class: usize| {
        black_box(early_exit_eq(black_box(&wrong[class]), black_box(&right)));
    };
    let t = run(per_class, leaky);
    report("control: early-exit compare", &t);
    Ok(())
}

/// Compares byte by byte and stops at the first difference: the kind of compare that leaks.
fn early_exit_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    for (x, y) in a.iter().zip(b) {
        if black_box(x) != black_box(y) {
            return false;
        }
    }
    true
}

/// Runs `op` on randomly interleaved classes and returns Welch's t for each cropping
/// percentile.
fn run(per_class: usize, op: impl Fn(usize)) -> Vec<(f64, f64, f64, f64)> {
    let mut rng = 0x9E37_79B9_7F4A_7C15_u64;
    let mut samples: [Vec<u64>; 2] = [Vec::with_capacity(per_class), Vec::with_capacity(per_class)];
    // Warm up caches, branch predictors and the CPU's clock.
    for i in 0..100_000 {
        op(i % 2);
    }
    while samples[0].len() < per_class || samples[1].len() < per_class {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let class = (rng & 1) as usize;
        if samples[class].len() == per_class {
            continue;
        }
        let start = Instant::now();
        op(class);
        let elapsed = start.elapsed().as_nanos();
        samples[class].push(u64::try_from(elapsed).unwrap_or(u64::MAX));
    }

    let mut pooled: Vec<u64> = samples.iter().flatten().copied().collect();
    pooled.sort_unstable();
    PERCENTILES
        .iter()
        .map(|&p| {
            let index = ((pooled.len() as f64 * p) as usize).min(pooled.len() - 1);
            let cut = pooled[index];
            let [a, b] = [&samples[0], &samples[1]].map(|s| stats(s.iter().filter(|&&x| x <= cut)));
            (p, a.0, b.0, welch_t(a, b))
        })
        .collect()
}

/// Mean, variance and count.
fn stats<'a>(xs: impl Iterator<Item = &'a u64>) -> (f64, f64, f64) {
    let (mut n, mut mean, mut m2) = (0.0, 0.0, 0.0);
    for &x in xs {
        // Welford's online update.
        n += 1.0;
        let x = x as f64;
        let delta = x - mean;
        mean += delta / n;
        m2 += delta * (x - mean);
    }
    (mean, if n > 1.0 { m2 / (n - 1.0) } else { 0.0 }, n)
}

fn welch_t(a: (f64, f64, f64), b: (f64, f64, f64)) -> f64 {
    let se = (a.1 / a.2 + b.1 / b.2).sqrt();
    if se == 0.0 { 0.0 } else { (a.0 - b.0) / se }
}

fn report(name: &str, rows: &[(f64, f64, f64, f64)]) {
    println!("{name}");
    println!("  measurements kept   mean class 0   mean class 1        t");
    let mut max = 0.0_f64;
    for &(p, m0, m1, t) in rows {
        let kept = if p < 1.0 {
            format!("below p{:.0}", p * 100.0)
        } else {
            "all".into()
        };
        println!("  {kept:<17} {m0:>11.1} ns {m1:>11.1} ns {t:>8.2}");
        max = max.max(t.abs());
    }
    let verdict = if max > 4.5 {
        "a difference (|t| > 4.5)"
    } else {
        "no difference found (|t| <= 4.5)"
    };
    println!("  max |t| = {max:.2}: {verdict}\n");
}
