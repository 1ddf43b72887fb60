//! [`HeaderSource`] for actix-web's `HeaderMap`: the verifier reads actix-web's headers as they
//! are, with no conversion to the `http` 1 types the rest of the crate uses.

use actix_web::http::header::{HeaderMap, HeaderValue};

use crate::headers::{HeaderName, HeaderSource};

/// Every value of a header, in the order received. actix-web's map keys values by its own
/// header-name type; building one from a name the scheme spells can allocate, so the lookup
/// compares the names instead: no allocation, over the few headers a request carries.
impl HeaderSource for HeaderMap {
    fn header_values<'a>(&'a self, name: &HeaderName) -> impl Iterator<Item = &'a [u8]> {
        self.iter()
            .filter(move |(key, _)| key.as_str().eq_ignore_ascii_case(name.as_str()))
            .map(|(_, value)| HeaderValue::as_bytes(value))
    }

    fn each_header_value<'a>(&'a self, names: &[HeaderName], found: impl FnMut(usize, &'a [u8])) {
        let pairs = self
            .iter()
            .map(|(key, value)| (key.as_str(), value.as_bytes()));
        crate::headers::one_pass(pairs, names, found);
    }
}

#[cfg(test)]
mod tests {
    use actix_web::http::header::HeaderName as ActixName;

    use super::*;

    #[test]
    fn every_value_in_order_by_any_case() {
        let mut headers = HeaderMap::new();
        headers.append(
            ActixName::from_static("webhook-id"),
            HeaderValue::from_static("a"),
        );
        headers.append(
            ActixName::from_static("content-type"),
            HeaderValue::from_static("application/json"),
        );
        headers.append(
            ActixName::from_static("webhook-id"),
            HeaderValue::from_static("b"),
        );
        headers.append(
            ActixName::from_static("x-raw"),
            HeaderValue::from_bytes(b"\xff\xfe").unwrap(),
        );
        let name = HeaderName::new("Webhook-Id").unwrap();
        let got: Vec<&[u8]> = headers.header_values(&name).collect();
        assert_eq!(got, [b"a".as_slice(), b"b".as_slice()]);
        let name = HeaderName::new("x-raw").unwrap();
        let got: Vec<&[u8]> = headers.header_values(&name).collect();
        assert_eq!(got, [b"\xff\xfe".as_slice()]);
        let name = HeaderName::new("x-absent").unwrap();
        assert_eq!(headers.header_values(&name).count(), 0);
    }
}
