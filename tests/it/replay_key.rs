//! The replay key is derived from signed material only: editing any unsigned part of a captured
//! request leaves it unchanged (and editing a signed one, such as the default scheme's id, makes
//! it fail), while a new signed request (new timestamp or body) changes it.

use hookseal::{HeaderKind, Keyring, ReplayKey, Scheme, Signer, Timestamp, Verifier, VerifyError};

use crate::common::{NOW, clock, key, secret, signed_pairs, signer, value, verifier, with_value};

const BODY: &[u8] = b"{\"id\":\"evt_1\",\"type\":\"invoice.paid\"}";
const DECOY_A: &str = "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
const DECOY_B: &str = "v1,n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=";

/// A request signed by a sender holding two keys, as pairs, and its two signature entries.
fn captured() -> (Vec<(String, String)>, String, String) {
    let clock = clock();
    let s = signer(vec![key("new", 2), key("old", 1)], &clock);
    let pairs = signed_pairs(&s, Some("evt_1"), BODY, NOW);
    let header = value(&pairs, "webhook-signature").to_owned();
    let mut parts = header.split(' ').map(str::to_owned);
    let (a, b) = (parts.next().unwrap(), parts.next().unwrap());
    assert_eq!(parts.next(), None);
    (pairs, a, b)
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
    let (pairs, a, b) = captured();
    let original = replay_key_of(&pairs);
    let sig = |v: String| with_value(&pairs, "webhook-signature", &v);

    let edits: Vec<(&str, Vec<(String, String)>)> = vec![
        ("first signature dropped", sig(b.clone())),
        ("second signature dropped", sig(a.clone())),
        ("signatures reordered", sig(format!("{b} {a}"))),
        ("headers reordered", pairs.iter().rev().cloned().collect()),
        ("decoys added", sig(format!("{DECOY_A} {a} {DECOY_B} {b}"))),
        ("decoy replaces one", sig(format!("{DECOY_A} {b}"))),
        (
            "unknown versions added",
            sig(format!("v0,{} {a} v2,xyz {b}", &a[3..])),
        ),
        ("padded with whitespace", sig(format!(" \t{a} {b} "))),
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

    // The default scheme signs its id: an edited or removed id is no longer the same request,
    // it is refused.
    let clock = clock();
    let v = verifier(vec![key("new", 2), key("old", 1)], &clock);
    let id_changed = with_value(&pairs, "webhook-id", "evt_999");
    assert_eq!(
        v.verify(&id_changed, BODY).unwrap_err(),
        VerifyError::NoMatchingSignature
    );
    let id_removed: Vec<(String, String)> = pairs
        .iter()
        .filter(|(n, _)| !n.eq_ignore_ascii_case("webhook-id"))
        .cloned()
        .collect();
    assert_eq!(
        v.verify(&id_removed, BODY).unwrap_err(),
        VerifyError::MissingHeader(HeaderKind::Id)
    );
}

#[test]
fn unsigned_id_edits_leave_the_replay_key_unchanged() {
    // In a scheme whose id is not signed (GitHub's `X-GitHub-Delivery`), changing or removing
    // the id does not make a captured request look new.
    let scheme = Scheme::github();
    assert!(!scheme.id_is_signed());
    let signer = Signer::new(scheme.clone(), Keyring::single(secret(2)));
    let verifier = Verifier::new(scheme, Keyring::single(secret(2)));
    let pairs: Vec<(String, String)> = signer
        .sign_at(Some("evt_1"), BODY, Timestamp::from_unix_secs(NOW))
        .unwrap()
        .iter()
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect();
    let key_of = |pairs: &[(String, String)]| verifier.verify(pairs, BODY).unwrap().replay_key();
    let original = key_of(&pairs);
    assert_eq!(
        key_of(&with_value(&pairs, "x-github-delivery", "evt_999")),
        original,
        "id changed"
    );
    let removed: Vec<(String, String)> = pairs
        .iter()
        .filter(|(n, _)| !n.eq_ignore_ascii_case("x-github-delivery"))
        .cloned()
        .collect();
    assert_eq!(key_of(&removed), original, "id removed");
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
    let (pairs, _, b) = captured();
    let clock = clock();
    let v = verifier(vec![key("new", 2), key("old", 1)], &clock);
    let via_new = v.verify(&pairs, BODY).unwrap();
    assert_eq!(via_new.key_id(), "new");
    let only_old = with_value(&pairs, "webhook-signature", &b);
    let via_old = v.verify(&only_old, BODY).unwrap();
    assert_eq!(via_old.key_id(), "old");
    assert_eq!(via_new.replay_key(), via_old.replay_key());
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

/// The same signed bytes under the same key, verified in two schemes (a Standard Webhooks request
/// also verifies as Svix, which falls back to the `webhook-*` headers): the MAC is the same, the
/// replay keys are not, so one cache can serve both schemes.
#[test]
fn schemes_keep_their_replay_keys_apart() {
    let at = Timestamp::from_unix_secs(NOW);
    let ring = || Keyring::single(secret(7));
    let signed = Signer::new(Scheme::standard_webhooks(), ring())
        .sign_at(Some("evt_1"), BODY, at)
        .unwrap();
    let pairs: Vec<(&str, &str)> = signed.iter().collect();
    let key_in = |scheme: Scheme| {
        let verifier = Verifier::new(scheme, ring());
        verifier.verify_at(&pairs, BODY, at).unwrap().replay_key()
    };
    assert_ne!(key_in(Scheme::standard_webhooks()), key_in(Scheme::svix()));
}
