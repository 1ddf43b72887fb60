//! Presets whose signature header lists headers it signs: Hook0 and Coinbase CDP (which
//! delivers through Hook0).

use super::{Encoding, Part, Scheme, SchemeBuilder, SignatureFormat, preset};

impl Scheme {
    /// Hook0: `X-Hook0-Signature: t=<ts>,h=<names>,v1=<hex>` over
    /// `t.names.values.body`, where `names` is the `h=` entry as sent (header names separated by
    /// spaces) and `values` those headers' values joined by `.`, in the list's order. Every
    /// listed header must be present, once. The subscription's secret (a UUID) is text; the
    /// event id is the unsigned `X-Event-Id`, which Hook0 lists in `h=` — and so signs.
    ///
    /// Only `v1` is checked: the older `v0` entry (over `t.body` alone) is skipped when both are
    /// sent, as Hook0's own libraries do, so dropping the list cannot downgrade a request (a
    /// header carrying `v0` alone is refused, where Hook0's libraries would check it).
    ///
    /// Hook0's layout joins values with `.`, and values hold dots (`service.resource.verb`): a
    /// dot inside a value can stand for the separator, so `X-A: 1.2` with `X-B: 3` signs like
    /// `X-A: 1` with `X-B: 2.3`, and the body's first bytes up to a `.` can move into the last
    /// listed value. The signed bytes, and so the replay key, stay the same; an id read from a
    /// listed header can change with them. Deduplicate on the replay key, or on an id from the
    /// verified body.
    /// Reading the list allocates one header name per entry (at most 16). Signing lists the id
    /// header (and so needs an id).
    #[must_use]
    pub fn hook0() -> Self {
        preset(hook0_layout(Self::custom("hook0")))
    }

    /// Coinbase Developer Platform webhooks: Hook0's format (`X-Hook0-Signature`, see
    /// [`Scheme::hook0`]), under Coinbase's name.
    #[must_use]
    pub fn coinbase_cdp() -> Self {
        preset(hook0_layout(Self::custom("coinbase-cdp")))
    }
}

/// Hook0's header and layout.
fn hook0_layout(builder: SchemeBuilder) -> SchemeBuilder {
    builder
        .signature_header("X-Hook0-Signature")
        .signature_format(SignatureFormat::params(',', "v1"))
        .encoding(Encoding::Hex)
        .timestamp_param("t")
        .id_header("X-Event-Id")
        .listed_headers_param("h")
        .signed_content([
            Part::timestamp(),
            Part::text("."),
            Part::listed_headers("."),
            Part::text("."),
            Part::body(),
        ])
}
