//! Whether to run a bench's interleaved rounds, and how many: `HOOKSEAL_BENCH_ROUNDS` (default
//! 5, 0 for none), and only when the command line's filter, if any, is part of the rounds' name
//! (`cargo bench --bench replay -- replay/memory` runs the memory rounds, not Redis's).

/// The number of rounds to run under `name`: 0 when the filter leaves them out.
pub(crate) fn rounds(name: &str) -> usize {
    let wanted = filter().is_none_or(|f| name.contains(&f) || f.contains(name));
    if !wanted {
        return 0;
    }
    std::env::var("HOOKSEAL_BENCH_ROUNDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(5)
}

/// The filter criterion was given: the first argument that is neither a flag nor a flag's value.
fn filter() -> Option<String> {
    // Criterion's flags that take a value.
    const VALUED: [&str; 14] = [
        "--warm-up-time",
        "--measurement-time",
        "--sample-size",
        "--save-baseline",
        "--baseline",
        "--baseline-lenient",
        "--load-baseline",
        "--profile-time",
        "--output-format",
        "--color",
        "--plotting-backend",
        "--noise-threshold",
        "--confidence-level",
        "--significance-level",
    ];
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if VALUED.contains(&arg.as_str()) {
            args.next();
        } else if !arg.starts_with('-') {
            return Some(arg);
        }
    }
    None
}
