//! The specification's encoding: US-ASCII values; keys and values percent-encoded (RFC 3986
//! §2.1, everything but the unreserved characters); the separators `=`, `&` and `,` never encoded.

use chrono::{DateTime, Utc};
use percent_encoding::{
    AsciiSet, CONTROLS, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode,
};

/// Everything but RFC 3986's unreserved characters.
const RESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Why a header value does not follow the encoding rules.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodingError {
    #[error("contains characters outside US-ASCII or control characters")]
    NotAscii,
    #[error("contains a malformed percent-encoding")]
    BadPercent,
    #[error("contains an empty list item")]
    EmptyItem,
    #[error("has a pair without a key, or without an = between key and value")]
    BadPair,
    #[error("contains characters that must be percent-encoded")]
    Unencoded,
    #[error("gives the same key more than once")]
    RepeatedKey,
}

pub fn encode(s: &str) -> String {
    utf8_percent_encode(s, RESERVED).to_string()
}

/// One encoded piece back to text: it must be printable US-ASCII with only well-formed `%XX`
/// escapes, and nothing that should have been escaped (a space, a colon).
pub fn decode(s: &str) -> Result<String, EncodingError> {
    if !s.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(
            if s.bytes().all(|b| b.is_ascii() && b != 0x7f) && s.contains(' ') {
                EncodingError::Unencoded
            } else {
                EncodingError::NotAscii
            },
        );
    }
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let ok =
                    b.len() > i + 2 && b[i + 1].is_ascii_hexdigit() && b[i + 2].is_ascii_hexdigit();
                if !ok {
                    return Err(EncodingError::BadPercent);
                }
                i += 3;
            }
            c if c.is_ascii_alphanumeric() || b"-._~".contains(&c) => i += 1,
            // `/`, `(`, `)`, `;`, `+` and the like appear unencoded in real values (user agents,
            // versions); HMRC reads them. A colon is the tell of an unencoded IPv6 or MAC address.
            b':' | b'=' | b'&' | b',' => return Err(EncodingError::Unencoded),
            _ => i += 1,
        }
    }
    percent_decode_str(s)
        .decode_utf8()
        .map(|c| c.into_owned())
        .map_err(|_| EncodingError::NotAscii)
}

/// A single value taken as it is (a browser's user agent), with only what is not printable
/// US-ASCII percent-encoded.
pub fn encode_non_ascii(s: &str) -> String {
    utf8_percent_encode(s, CONTROLS).to_string()
}

pub fn encode_list<S: AsRef<str>>(items: &[S]) -> String {
    items
        .iter()
        .map(|i| encode(i.as_ref()))
        .collect::<Vec<_>>()
        .join(",")
}

pub fn encode_key_values<K: AsRef<str>, V: AsRef<str>>(pairs: &[(K, V)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k.as_ref()), encode(v.as_ref())))
        .collect::<Vec<_>>()
        .join("&")
}

pub fn parse_list(s: &str) -> Result<Vec<String>, EncodingError> {
    s.split(',')
        .map(|item| {
            if item.is_empty() {
                Err(EncodingError::EmptyItem)
            } else {
                decode(item)
            }
        })
        .collect()
}

/// `k=v&k2=v2`; a key may have an empty value.
pub fn parse_key_values(s: &str) -> Result<Vec<(String, String)>, EncodingError> {
    s.split('&')
        .map(|pair| {
            let (k, v) = pair.split_once('=').ok_or(EncodingError::BadPair)?;
            if k.is_empty() || v.contains('=') {
                return Err(EncodingError::BadPair);
            }
            let value = if v.is_empty() {
                String::new()
            } else {
                decode(v)?
            };
            Ok((decode(k)?, value))
        })
        .collect()
}

/// `yyyy-MM-ddThh:mm:ss.sssZ`, always with three-digit milliseconds.
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn hmrc_examples() {
        assert_eq!(encode_list(&["fc00::", "10.1.2.3"]), "fc00%3A%3A,10.1.2.3");
        assert_eq!(
            encode_key_values(&[("os-family", "Windows"), ("os-version", "Server 2012")]),
            "os-family=Windows&os-version=Server%202012"
        );
        assert_eq!(
            parse_key_values("os=domain%5Calice&my-application=alice123").unwrap(),
            [
                ("os".into(), "domain\\alice".into()),
                ("my-application".into(), "alice123".into())
            ]
        );
    }

    #[test]
    fn mistakes_are_caught() {
        assert_eq!(parse_list("fc00::,10.1.2.3"), Err(EncodingError::Unencoded));
        assert_eq!(parse_list("10.1.2.3,"), Err(EncodingError::EmptyItem));
        assert_eq!(
            parse_key_values("os-family%3DLinux%26os-version%3D12"),
            Err(EncodingError::BadPair),
            "the whole value percent-encoded"
        );
        assert_eq!(decode("Server 2012"), Err(EncodingError::Unencoded));
        assert_eq!(decode("caf\u{e9}"), Err(EncodingError::NotAscii));
        assert_eq!(decode("50%"), Err(EncodingError::BadPercent));
    }

    proptest! {
        #[test]
        fn anything_round_trips(items in proptest::collection::vec("\\PC{1,20}", 1..5)) {
            prop_assert_eq!(parse_list(&encode_list(&items)).unwrap(), items.clone());
            let pairs: Vec<(String, String)> = items.iter().map(|i| (i.clone(), i.clone())).collect();
            prop_assert_eq!(parse_key_values(&encode_key_values(&pairs)).unwrap(), pairs);
        }
    }
}
