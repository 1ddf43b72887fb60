//! `Verified::json`: a verified body read into the receiver's own types, an unknown event type
//! left to a catch-all, and nothing parsed before the signature checks out.

use hookseal::{Scheme, Signer, Timestamp, Verifier, VerifyError};
use serde::Deserialize;

const SECRET: &str = "whsec_test_secret_for_typed_events";

/// The part of a Stripe event a receiver reads, with every other type kept apart.
#[derive(Debug, PartialEq, Deserialize)]
#[serde(tag = "type")]
enum Event {
    #[serde(rename = "invoice.paid")]
    InvoicePaid { id: String, data: InvoiceData },
    #[serde(rename = "customer.created")]
    CustomerCreated { id: String },
    #[serde(other)]
    Unknown,
}

#[derive(Debug, PartialEq, Deserialize)]
struct InvoiceData {
    object: Invoice,
}

#[derive(Debug, PartialEq, Deserialize)]
struct Invoice {
    amount_paid: u64,
    currency: String,
}

fn signed(body: &[u8]) -> (Verifier, Vec<(String, String)>, Timestamp) {
    let now = Timestamp::from_unix_secs(1_700_000_000);
    let signer = Signer::from_secret(Scheme::stripe(), SECRET).unwrap();
    let headers = signer.sign_at(None, body, now).unwrap();
    let headers = headers
        .iter()
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect();
    (
        Verifier::from_secret(Scheme::stripe(), SECRET).unwrap(),
        headers,
        now,
    )
}

#[test]
fn a_verified_stripe_event_reads_into_the_receivers_type() {
    let body = br#"{"id":"evt_1","object":"event","type":"invoice.paid","data":{"object":{"id":"in_1","amount_paid":4200,"currency":"eur","lines":[]}},"livemode":false}"#;
    let (verifier, headers, now) = signed(body);
    let verified = verifier.verify_at(&headers, body, now).unwrap();
    assert_eq!(
        verified.json::<Event>().unwrap(),
        Event::InvoicePaid {
            id: "evt_1".into(),
            data: InvoiceData {
                object: Invoice {
                    amount_paid: 4200,
                    currency: "eur".into()
                }
            }
        }
    );
    // The same body, read as a value, for receivers that want no types.
    let value: serde_json::Value = verified.json().unwrap();
    assert_eq!(value["id"], "evt_1");
}

#[test]
fn an_unknown_event_type_is_the_receivers_to_handle() {
    let body = br#"{"id":"evt_2","type":"charge.dispute.created","data":{"object":{}}}"#;
    let (verifier, headers, now) = signed(body);
    let verified = verifier.verify_at(&headers, body, now).unwrap();
    assert_eq!(verified.json::<Event>().unwrap(), Event::Unknown);
}

#[test]
fn a_body_of_another_shape_is_a_parse_error_after_verification() {
    let body = br#"{"id":"evt_3","type":"invoice.paid","data":{"object":{"amount_paid":"lots"}}}"#;
    let (verifier, headers, now) = signed(body);
    let verified = verifier.verify_at(&headers, body, now).unwrap();
    let err = verified.json::<Event>().unwrap_err();
    assert!(err.is_data(), "{err}");
    // Not JSON at all.
    let (verifier, headers, now) = signed(b"not json");
    let verified = verifier.verify_at(&headers, b"not json", now).unwrap();
    assert!(verified.json::<Event>().unwrap_err().is_syntax());
}

#[test]
fn nothing_is_parsed_before_the_signature_checks_out() {
    let body = br#"{"id":"evt_4","type":"customer.created"}"#;
    let (verifier, headers, now) = signed(body);
    let forged = br#"{"id":"evt_5","type":"customer.created"}"#;
    // There is no `Verified` to parse from: the forged body never reaches `json`.
    assert_eq!(
        verifier.verify_at(&headers, forged, now).unwrap_err(),
        VerifyError::NoMatchingSignature
    );
    let verified = verifier.verify_at(&headers, body, now).unwrap();
    assert_eq!(
        verified.json::<Event>().unwrap(),
        Event::CustomerCreated { id: "evt_4".into() }
    );
}
