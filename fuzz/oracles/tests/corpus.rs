//! The fuzz corpora, replayed: every file under `fuzz/corpus/<target>/` goes through the same
//! oracle its fuzz target calls (`hookseal_fuzz_oracles`), so this test checks every input the
//! fuzzer kept, and every crash it ever found once it is added there. Stable Rust runs it:
//! `RUSTFLAGS='--cfg fuzzing' cargo test --manifest-path fuzz/Cargo.toml -p hookseal-fuzz-oracles`.

use std::fs;
use std::path::{Path, PathBuf};

use hookseal::VerifyError;
use hookseal_fuzz_oracles::{TARGETS, seeds, split_request, verify_request, verify_schemes};

/// `fuzz/`, the oracles' parent.
fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn corpus_files(target: &str) -> Vec<PathBuf> {
    let dir = fuzz_dir().join("corpus").join(target);
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

#[test]
fn every_target_has_a_fuzz_binary_and_a_corpus() {
    let manifest = fs::read_to_string(fuzz_dir().join("Cargo.toml")).unwrap();
    for (target, _) in TARGETS {
        let source = fs::read_to_string(fuzz_dir().join(format!("fuzz_targets/{target}.rs")))
            .unwrap_or_else(|e| panic!("fuzz target {target}: {e}"));
        assert!(
            source.contains(&format!("hookseal_fuzz_oracles::{target}(data)")),
            "fuzz/fuzz_targets/{target}.rs must call hookseal_fuzz_oracles::{target}"
        );
        assert!(manifest.contains(&format!("name = \"{target}\"")));
        assert!(!corpus_files(target).is_empty(), "no corpus for {target}");
    }
}

/// The committed seeds are the ones `seeds` makes. `HOOKSEAL_WRITE_SEEDS=1` (with the command
/// above) rewrites them after a change to the seed list.
#[test]
fn seeds_are_committed() {
    let write = std::env::var_os("HOOKSEAL_WRITE_SEEDS").is_some();
    for (target, name, bytes) in seeds() {
        let path = fuzz_dir()
            .join("corpus")
            .join(target)
            .join(format!("seed-{name}"));
        if write {
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(&path, &bytes).unwrap();
        }
        let committed = fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(committed, bytes, "{} differs from its seed", path.display());
    }
}

#[test]
fn every_corpus_file_passes_its_target() {
    let mut total = 0;
    for (target, run) in TARGETS {
        for file in corpus_files(target) {
            let data = fs::read(&file).unwrap();
            let outcome = std::panic::catch_unwind(|| run(&data));
            assert!(outcome.is_ok(), "{} fails {target}", file.display());
            total += 1;
        }
    }
    assert!(total >= TARGETS.len());
}

/// The seeds reach the end of the verify path: each signed seed is accepted (and passes the
/// checks of an acceptance), so the fuzzer starts from requests that pass and mutates them into
/// near misses. The providers' deliveries of the presets the crate cannot sign for reach the
/// keys when their timestamps are moved to now (and hold no key of theirs), and are stale as
/// sent; Google Pub/Sub's tokens, issued now, reach the keys but those naming another algorithm.
#[test]
fn signed_seeds_verify() {
    let schemes = verify_schemes();
    let mut checked = 0;
    let mut providers = Vec::new();
    for (target, name, bytes) in seeds() {
        if target != "verify" {
            continue;
        }
        let request = split_request(&bytes).unwrap();
        if let Some((scheme, _)) = name.split_once("-provider-") {
            let expected = if name.ends_with("-as-sent") {
                VerifyError::TimestampTooOld
            } else if name.starts_with("google-pubsub-provider-alg-") {
                VerifyError::UnknownAlgorithm
            } else {
                VerifyError::NoActiveKey
            };
            assert_eq!(verify_request(&request, true), Err(expected), "seed {name}");
            providers.push(scheme.to_owned());
            continue;
        }
        let key_id = verify_request(&request, true).unwrap_or_else(|e| panic!("seed {name}: {e}"));
        assert_eq!(
            key_id,
            if name.contains("-old-") { "old" } else { "new" },
            "seed {name}"
        );
        checked += 1;
    }
    providers.sort();
    providers.dedup();
    assert_eq!(
        providers,
        ["aws-sns", "google-pubsub", "paypal", "sendgrid"]
    );
    assert!(
        checked >= 2 * 2 * (schemes.len() - providers.len()),
        "{checked} seeds"
    );
}
