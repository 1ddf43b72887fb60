//! PEM blocks (RFC 7468) around the DER of a public key or a certificate.

use alloc::vec::Vec;

/// Whether `text` starts, after whitespace, with a PEM pre-encapsulation boundary
/// (`-----BEGIN `): the text is meant as PEM, and any fault in it is a PEM fault.
pub(crate) fn looks_like_pem(text: &[u8]) -> bool {
    text.trim_ascii_start().starts_with(b"-----BEGIN ")
}

/// The label and the decoded bytes of the one PEM block `text` holds, surrounding whitespace
/// allowed; `None` for anything else (no block, a label that differs between the two
/// boundaries, headers, bad base64, text after the block).
///
/// The base64 lines may be of any one width (OpenSSL writes 64 columns, some tools 76): the
/// width is read from the first line, and every other line but the last must have it.
pub(crate) fn decode(text: &[u8]) -> Option<(&str, Vec<u8>)> {
    let mut decoder = pem_rfc7468::Decoder::new_detect_wrap(text.trim_ascii()).ok()?;
    let label = decoder.type_label();
    let mut der = Vec::new();
    decoder.decode_to_end(&mut der).ok()?;
    Some((label, der))
}

/// Whether a PEM label names a private key (`PRIVATE KEY`, `RSA PRIVATE KEY`,
/// `EC PRIVATE KEY`, `ENCRYPTED PRIVATE KEY`, …), which a receiver should never hold.
pub(crate) fn is_private_key_label(label: &str) -> bool {
    label.ends_with("PRIVATE KEY")
}

#[cfg(test)]
mod tests {
    use super::*;

    const BLOCK: &str = "-----BEGIN PUBLIC KEY-----\nAAEC\n-----END PUBLIC KEY-----";

    #[test]
    fn one_block_with_whitespace_around() {
        let (label, der) = decode(BLOCK.as_bytes()).unwrap();
        assert_eq!((label, der.as_slice()), ("PUBLIC KEY", &[0_u8, 1, 2][..]));
        let spaced = format!("\n  {}\r\n\n", BLOCK.replace('\n', "\r\n"));
        assert_eq!(decode(spaced.as_bytes()).unwrap().1, [0, 1, 2]);
        assert!(looks_like_pem(spaced.as_bytes()));
        assert!(!looks_like_pem(b"AAEC"));
    }

    #[test]
    fn faults_are_none() {
        let mismatched = BLOCK.replace("END PUBLIC", "END PRIVATE");
        let two = format!("{BLOCK}\n{BLOCK}");
        let bad_base64 = BLOCK.replace("AAEC", "AA!C");
        for text in [mismatched, two, bad_base64, String::new()] {
            assert!(decode(text.as_bytes()).is_none(), "{text:?}");
        }
    }
}
