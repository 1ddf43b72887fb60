//! The replay key is derived from signed material only: editing any unsigned part of a captured
//! request leaves it unchanged, while a new signed request (new timestamp or body) changes it.

use hookseal::{ReplayKey, Timestamp};

use crate::common::{NOW, clock, key, signed_pairs, signer, value, verifier, with_value};

const BODY: &[u8] = b"{\"id\":\"evt_1\",\"type\":\"invoice.paid\"}";
const DECOY_A: &str = "v1=0000000000000000000000000000000000000000000000000000000000000000";
const DECOY_B: &str = "v1=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

/// A request signed by a sender holding two keys, as pairs, and its signature entries.
fn captured() -> (Vec<(String, String)>, String, String, String) {
    let clock = clock();
    let s = signer(vec![key("new", 2), key("old", 1)], &clock);
    let pairs = signed_pairs(&s, Some("evt_1"), BODY, NOW);
    let header = value(&pairs, "x-webhook-signature").to_owned();
    let mut parts = header.split(',').map(str::to_owned);
    let (t, a, b) = (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    );
    (pairs, t, a, b)
}

fn replay_key_of(pairs: &[(String, String)]) -> ReplayKey {
    let clock = clock();
    let v = verifier(vec![key("new", 2), key("old", 1)], &clock);
    v.verify(pairs, BODY)
        .expect("edited request still verifies")
        .replay_key()
}

#[test]
fn unsigned_edits_leave_the_replay_key_unchanged() {
    let (pairs, t, a, b) = captured();
    let original = replay_key_of(&pairs);
    let sig = |v: String| with_value(&pairs, "x-webhook-signature", &v);

    let edits: Vec<(&str, Vec<(String, String)>)> = vec![
        ("id changed", with_value(&pairs, "x-webhook-id", "evt_999")),
        (
            "id removed",
            pairs
                .iter()
                .filter(|(n, _)| !n.eq_ignore_ascii_case("x-webhook-id"))
                .cloned()
                .collect(),
        ),
        ("first signature dropped", sig(format!("{t},{b}"))),
        ("second signature dropped", sig(format!("{t},{a}"))),
        ("signatures reordered", sig(format!("{t},{b},{a}"))),
        ("timestamp moved last", sig(format!("{a},{b},{t}"))),
        (
            "decoys added",
            sig(format!("{t},{DECOY_A},{a},{DECOY_B},{b}")),
        ),
        ("decoy replaces one", sig(format!("{t},{DECOY_A},{b}"))),
        (
            "unknown versions added",
            sig(format!("{t},v0={},{a},v2=xyz,{b}", &a[3..])),
        ),
        ("padded with whitespace", sig(format!(" \t{t},{a},{b} "))),
        (
            "header names recased",
            pairs
                .iter()
                .map(|(n, v)| (n.to_uppercase(), v.clone()))
                .collect(),
        ),
        (
            "unrelated headers added",
            pairs
                .iter()
                .cloned()
                .chain([("X-Forwarded-For".to_owned(), "10.0.0.1".to_owned())])
                .collect(),
        ),
    ];
    for (what, edited) in edits {
        assert_eq!(replay_key_of(&edited), original, "{what}");
    }
}

#[test]
fn a_new_signed_request_gets_a_new_replay_key() {
    let clock = clock();
    let s = signer(vec![key("new", 2)], &clock);
    let v = verifier(vec![key("new", 2)], &clock);
    let first = signed_pairs(&s, Some("evt_1"), BODY, NOW);
    let retry = signed_pairs(&s, Some("evt_1"), BODY, NOW + 1);
    let k1 = v.verify(&first, BODY).unwrap().replay_key();
    let k2 = v.verify(&retry, BODY).unwrap().replay_key();
    assert_ne!(k1, k2, "a retry with a new timestamp is a new request");

    let other_body = b"{\"id\":\"evt_2\"}";
    let other = signed_pairs(&s, Some("evt_1"), other_body, NOW);
    let k3 = v.verify(&other, other_body).unwrap().replay_key();
    assert_ne!(k1, k3);

    // Re-signing the same content at the same second is the same request.
    let again = signed_pairs(&s, Some("evt_1"), BODY, NOW);
    assert_eq!(v.verify(&again, BODY).unwrap().replay_key(), k1);
    assert_eq!(k1.as_bytes().len(), ReplayKey::LEN);
}

#[test]
fn the_key_that_matched_does_not_change_the_replay_key() {
    // The replay key is anchored on the primary key, whichever key matched.
    let (pairs, t, a, b) = captured();
    let clock = clock();
    let v = verifier(vec![key("new", 2), key("old", 1)], &clock);
    let via_new = v.verify(&pairs, BODY).unwrap();
    assert_eq!(via_new.key_id(), "new");
    let only_old = with_value(&pairs, "x-webhook-signature", &format!("{t},{b}"));
    let via_old = v.verify(&only_old, BODY).unwrap();
    assert_eq!(via_old.key_id(), "old");
    assert_eq!(via_new.replay_key(), via_old.replay_key());
    let _ = a;
}

#[test]
fn a_primary_not_yet_valid_still_anchors_the_replay_key() {
    // Receiver B's primary is not valid yet, so B verifies with the second key and derives the
    // anchor afterwards; it must agree with receiver A, whose primary verified eagerly.
    let (pairs, ..) = captured();
    let clock = clock();
    let a = verifier(vec![key("new", 2), key("old", 1)], &clock);
    let b = verifier(
        vec![
            key("new", 2).not_before(Timestamp::from_unix_secs(NOW + 3600)),
            key("old", 1),
        ],
        &clock,
    );
    let via_a = a.verify(&pairs, BODY).unwrap();
    let via_b = b.verify(&pairs, BODY).unwrap();
    assert_eq!(via_a.key_id(), "new");
    assert_eq!(via_b.key_id(), "old");
    assert_eq!(via_a.replay_key(), via_b.replay_key());
}
