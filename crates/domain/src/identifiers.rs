//! HMRC's identifiers, each checked as HMRC checks it (`reference/platform.md` §7).

use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

use regex::Regex;

/// Why a string is not a valid identifier. `code()` gives HMRC's error code for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IdentifierError {
    #[error("The provided NINO is invalid")]
    Nino,
    #[error("The provided UTR is invalid")]
    Utr,
    #[error("The provided MTDITID is invalid")]
    MtdItId,
    #[error("The provided ARN is invalid")]
    Arn,
    #[error("The provided Business ID is invalid")]
    BusinessId,
}

impl IdentifierError {
    /// HMRC's error code for this identifier's format failure.
    pub fn code(self) -> &'static str {
        match self {
            Self::Nino => "FORMAT_NINO",
            Self::Utr => "FORMAT_UTR",
            Self::MtdItId => "FORMAT_MTDITID",
            Self::Arn => "FORMAT_ARN",
            Self::BusinessId => "FORMAT_BUSINESS_ID",
        }
    }
}

/// Declares a string newtype whose only constructor is its validating `FromStr`.
macro_rules! identifier {
    ($(#[$doc:meta])* $name:ident, $err:expr, $check:expr) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn parse(s: &str) -> Result<Self, IdentifierError> {
                let check: fn(&str) -> Option<String> = $check;
                check(s).map(Self).ok_or($err)
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl FromStr for $name {
            type Err = IdentifierError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }
        impl TryFrom<String> for $name {
            type Error = IdentifierError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::parse(&s)
            }
        }
        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }
        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0)
            }
        }
    };
}

// The MTD ITSA APIs' own pattern: allowed prefix pairs, six digits, optional suffix A–D.
static NINO_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^([ACEHJLMOPRSWXY][A-CEGHJ-NPR-TW-Z]|B[A-CEHJ-NPR-TW-Z]|G[ACEGHJ-NPR-TW-Z]|[KT][A-CEGHJ-MPR-TW-Z]|N[A-CEGHJL-NPR-SW-Z]|Z[A-CEGHJ-NPR-TW-Y])[0-9]{6}[A-D]?$",
    )
    .expect("static pattern")
});
const NINO_BANNED_PREFIXES: [&str; 7] = ["BG", "GB", "NK", "KN", "TN", "NT", "ZZ"];

fn check_nino(s: &str) -> Option<String> {
    let ok = NINO_RE.is_match(s) && !NINO_BANNED_PREFIXES.iter().any(|p| s.starts_with(p));
    ok.then(|| s.to_owned())
}

identifier!(
    /// National Insurance number, e.g. `PE938808A`. No check digit; the prefix rules are HMRC's.
    Nino,
    IdentifierError::Nino,
    check_nino
);

/// The modulus-11 check digit HMRC puts first in a UTR, computed over the other nine digits.
pub fn mod11_check_digit(nine_digits: &[u8; 9]) -> u8 {
    const WEIGHTS: [u32; 9] = [6, 7, 8, 9, 10, 5, 4, 3, 2];
    const TABLE: &[u8; 11] = b"21987654321";
    let sum: u32 = nine_digits
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(*d) * w)
        .sum();
    TABLE[(sum % 11) as usize] - b'0'
}

fn check_utr(s: &str) -> Option<String> {
    // Self Assessment references may carry a `K` before or after the digits.
    let digits = s
        .strip_prefix('K')
        .or_else(|| s.strip_suffix('K'))
        .unwrap_or(s);
    let bytes = digits.as_bytes();
    if bytes.len() != 10 || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut rest = [0u8; 9];
    for (slot, b) in rest.iter_mut().zip(&bytes[1..]) {
        *slot = b - b'0';
    }
    (bytes[0] - b'0' == mod11_check_digit(&rest)).then(|| digits.to_owned())
}

identifier!(
    /// Self Assessment Unique Taxpayer Reference: ten digits, the first a modulus-11 check digit.
    SaUtr,
    IdentifierError::Utr,
    check_utr
);

impl SaUtr {
    /// The UTR whose last nine digits are `n` (below 10^9), with its check digit.
    pub fn from_number(n: u32) -> Self {
        let body = format!("{:09}", n % 1_000_000_000);
        let mut digits = [0u8; 9];
        for (slot, b) in digits.iter_mut().zip(body.bytes()) {
            *slot = b - b'0';
        }
        Self(format!("{}{body}", mod11_check_digit(&digits)))
    }
}

/// HMRC's modulus-23 check letter over upper-case letters and digits. Letters weigh their
/// base-36 value plus 23; weights run 9, 10, 11, 12, 13, 8, 7, … from the first character.
/// Returns `None` for a character outside `[A-Z0-9]` or input longer than 13 characters.
pub fn mod23_check_letter(chars: &str) -> Option<char> {
    const WEIGHTS: [u32; 13] = [9, 10, 11, 12, 13, 8, 7, 6, 5, 4, 3, 2, 1];
    const TABLE: &[u8; 23] = b"ABCDEFGHXJKLMNYPQRSTZVW";
    if chars.len() > WEIGHTS.len() {
        return None;
    }
    let mut sum = 0u32;
    for (c, w) in chars.chars().zip(WEIGHTS) {
        let v = match c {
            '0'..='9' => c.to_digit(10)?,
            'A'..='Z' => c.to_digit(36)? + 23,
            _ => return None,
        };
        sum += v * w;
    }
    Some(char::from(TABLE[(sum % 23) as usize]))
}

/// `X` + check letter + `body` where the check letter covers `body`.
fn check_lettered(s: &str, body_ok: impl Fn(&str) -> bool) -> Option<String> {
    let mut chars = s.chars();
    let first = chars.next()?;
    let body = chars.as_str();
    (body_ok(body) && mod23_check_letter(body) == Some(first)).then(|| s.to_owned())
}

fn is_digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

fn check_mtd_it_id(s: &str) -> Option<String> {
    let rest = s.strip_prefix('X')?;
    check_lettered(rest, |body| {
        body.strip_prefix("IT").is_some_and(|d| is_digits(d, 11))
    })
    .map(|_| s.to_owned())
}

identifier!(
    /// MTD Income Tax ID, e.g. `XJIT00000328268`: `X`, a modulus-23 check letter, `IT`, 11 digits.
    MtdItId,
    IdentifierError::MtdItId,
    check_mtd_it_id
);

impl MtdItId {
    /// The MTDITID numbered `n` (below 10^11), with its check letter.
    pub fn from_number(n: u64) -> Self {
        let body = format!("IT{:011}", n % 100_000_000_000);
        let letter = mod23_check_letter(&body).expect("digits and IT are in the alphabet");
        Self(format!("X{letter}{body}"))
    }
}

fn check_arn(s: &str) -> Option<String> {
    check_lettered(s, |body| {
        body.strip_prefix("ARN").is_some_and(|d| is_digits(d, 7))
    })
}

identifier!(
    /// Agent Reference Number, e.g. `NARN0396245`: a modulus-23 check letter, `ARN`, 7 digits.
    Arn,
    IdentifierError::Arn,
    check_arn
);

impl Arn {
    /// The ARN numbered `n` (below 10^7), with its check letter.
    pub fn from_number(n: u32) -> Self {
        let body = format!("ARN{:07}", n % 10_000_000);
        let letter = mod23_check_letter(&body).expect("digits and ARN are in the alphabet");
        Self(format!("{letter}{body}"))
    }
}

fn check_business_id(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let ok = b.len() == 15
        && b[0] == b'X'
        && (b[1].is_ascii_uppercase() || b[1].is_ascii_digit())
        && &b[2..4] == b"IS"
        && b[4..].iter().all(u8::is_ascii_digit);
    ok.then(|| s.to_owned())
}

identifier!(
    /// An income source's business ID, e.g. `XAIS12345678910` (`^X[A-Z0-9]IS[0-9]{11}$`).
    BusinessId,
    IdentifierError::BusinessId,
    check_business_id
);

impl BusinessId {
    /// The business ID numbered `n` (below 10^11). HMRC publishes no check character for the
    /// second position, so it is derived from the number only to spread the values.
    pub fn from_number(n: u64) -> Self {
        let n = n % 100_000_000_000;
        let second = char::from(b'A' + (n % 26) as u8);
        Self(format!("X{second}IS{n:011}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn hmrc_examples_are_valid() {
        assert!(Nino::parse("PE938808A").is_ok());
        assert!(Nino::parse("AA000017A").is_ok());
        assert!(
            Nino::parse("AA123456").is_ok(),
            "the MTD APIs' pattern makes the suffix optional"
        );
        assert!(SaUtr::parse("1000057161").is_ok());
        assert!(SaUtr::parse("K1000057161").is_ok());
        assert!(SaUtr::parse("1000057161K").is_ok());
        assert!(MtdItId::parse("XJIT00000328268").is_ok());
        assert!(Arn::parse("NARN0396245").is_ok());
        assert!(BusinessId::parse("XAIS12345678910").is_ok());
    }

    #[test]
    fn nino_rejections() {
        for bad in [
            "",
            "pe938808a",
            "DA123456A",
            "AD123456A",
            "QQ123456A",
            "BG123456A",
            "GB123456A",
            "NK123456A",
            "KN123456A",
            "TN123456A",
            "NT123456A",
            "ZZ123456A",
            "AO123456A",
            "AA12345A",
            "AA1234567A",
            "AA123456E",
            "AA123456AA",
            " AA123456A",
        ] {
            assert_eq!(Nino::parse(bad), Err(IdentifierError::Nino), "{bad:?}");
        }
    }

    #[test]
    fn check_characters_are_checked() {
        assert!(SaUtr::parse("2000057161").is_err());
        assert!(SaUtr::parse("100005716").is_err());
        assert!(SaUtr::parse("K1000057161K").is_err());
        assert!(MtdItId::parse("XAIT00000328268").is_err());
        assert!(MtdItId::parse("XJIS00000328268").is_err());
        assert!(Arn::parse("AARN0396245").is_err());
        assert!(Arn::parse("NARN039624").is_err());
        assert!(BusinessId::parse("XAIT12345678910").is_err());
        assert!(BusinessId::parse("Xais12345678910").is_err());
    }

    #[test]
    fn worked_sums_from_the_reference() {
        assert_eq!(mod11_check_digit(&[0, 0, 0, 0, 5, 7, 1, 6, 1]), 1);
        assert_eq!(mod23_check_letter("IT00000328268"), Some('J'));
        assert_eq!(mod23_check_letter("ARN0396245"), Some('N'));
        assert_eq!(mod23_check_letter("it"), None);
    }

    #[test]
    fn serde_validates() {
        let ok: Nino = serde_json::from_str("\"PE938808A\"").unwrap();
        assert_eq!(serde_json::to_string(&ok).unwrap(), "\"PE938808A\"");
        assert!(serde_json::from_str::<Arn>("\"AARN9999999\"").is_err());
    }

    proptest! {
        #[test]
        fn generated_ids_always_parse(n in any::<u64>(), m in any::<u32>()) {
            prop_assert!(SaUtr::parse(SaUtr::from_number(m).as_str()).is_ok());
            prop_assert!(MtdItId::parse(MtdItId::from_number(n).as_str()).is_ok());
            prop_assert!(Arn::parse(Arn::from_number(m).as_str()).is_ok());
            prop_assert!(BusinessId::parse(BusinessId::from_number(n).as_str()).is_ok());
        }

        #[test]
        // The check table maps two residues to 1 and two to 2, so only a changed check digit
        // is always caught; a changed body digit usually is.
        fn a_changed_check_digit_breaks_the_utr(m in any::<u32>(), delta in 1u8..10) {
            let pos = 0;
            let utr = SaUtr::from_number(m).as_str().to_owned();
            let mut bytes = utr.into_bytes();
            bytes[pos] = b'0' + (bytes[pos] - b'0' + delta) % 10;
            let changed = String::from_utf8(bytes).unwrap();
            prop_assert!(SaUtr::parse(&changed).is_err());
        }

        #[test]
        fn one_changed_digit_breaks_the_mtditid(n in any::<u64>(), pos in 4usize..15, delta in 1u8..10) {
            let id = MtdItId::from_number(n).as_str().to_owned();
            let mut bytes = id.into_bytes();
            bytes[pos] = b'0' + (bytes[pos] - b'0' + delta) % 10;
            let changed = String::from_utf8(bytes).unwrap();
            prop_assert!(MtdItId::parse(&changed).is_err());
        }

        #[test]
        fn one_changed_digit_breaks_the_arn(m in any::<u32>(), pos in 4usize..11, delta in 1u8..10) {
            let arn = Arn::from_number(m).as_str().to_owned();
            let mut bytes = arn.into_bytes();
            bytes[pos] = b'0' + (bytes[pos] - b'0' + delta) % 10;
            let changed = String::from_utf8(bytes).unwrap();
            prop_assert!(Arn::parse(&changed).is_err());
        }

        #[test]
        fn nino_matches_the_prefix_rules(a in "[A-Z]", b in "[A-Z]", d in "[0-9]{6}", s in "[A-D]") {
            let nino = format!("{a}{b}{d}{s}");
            let first_ok = !"DFIQUV".contains(a.as_str());
            let second_ok = !"DFIOQUV".contains(b.as_str());
            let prefix = format!("{a}{b}");
            let not_banned = !NINO_BANNED_PREFIXES.contains(&prefix.as_str());
            prop_assert_eq!(Nino::parse(&nino).is_ok(), first_ok && second_ok && not_banned);
        }

        #[test]
        fn arbitrary_strings_never_panic(s in "\\PC{0,20}") {
            let _ = Nino::parse(&s);
            let _ = SaUtr::parse(&s);
            let _ = MtdItId::parse(&s);
            let _ = Arn::parse(&s);
            let _ = BusinessId::parse(&s);
        }
    }
}
