//! Made-up people, organisations and identifiers for test users. Every identifier passes its
//! real check; uniqueness is the store's job.

use chrono::NaiveDate;
use mtd_domain::{Arn, MtdItId, Nino, SaUtr};
use rand::Rng;
use rand::seq::IndexedRandom;

const FIRST_NAMES: &[&str] = &[
    "Ada", "Alan", "Amira", "Bethan", "Callum", "Chidi", "Dafydd", "Eilidh", "Fatima", "George",
    "Grace", "Harriet", "Isla", "Jamal", "Kiran", "Lewis", "Mairi", "Niamh", "Owen", "Priya",
    "Rhys", "Sana", "Tomasz", "Zoe",
];
const LAST_NAMES: &[&str] = &[
    "Abbott",
    "Begum",
    "Campbell",
    "Davies",
    "Evans",
    "Fraser",
    "Griffiths",
    "Hughes",
    "Iqbal",
    "Jones",
    "Khan",
    "Lloyd",
    "MacLeod",
    "Nowak",
    "Okafor",
    "Patel",
    "Quinn",
    "Roberts",
    "Smith",
    "Thomas",
    "Walker",
    "Williams",
];

/// Street, town and postcode. Scottish and Welsh postcodes decide a default tax regime.
const ADDRESSES: &[(&str, &str, &str)] = &[
    ("1 High Street", "Exampletown", "TS1 1PA"),
    ("22 Station Road", "Leeds", "LS1 4AP"),
    ("5 Mill Lane", "Bristol", "BS1 5TR"),
    ("14 Church Street", "Manchester", "M1 2WD"),
    ("9 Victoria Road", "Norwich", "NR1 3QB"),
    ("3 Castle Terrace", "Edinburgh", "EH1 2DP"),
    ("40 Sauchiehall Street", "Glasgow", "G2 3JD"),
    ("7 Union Street", "Aberdeen", "AB11 6BA"),
    ("11 Queen Street", "Cardiff", "CF10 2BU"),
    ("2 Wind Street", "Swansea", "SA1 1DP"),
];

const SCOTTISH_AREAS: &[&str] = &[
    "AB", "DD", "DG", "EH", "FK", "G", "HS", "IV", "KA", "KW", "KY", "ML", "PA", "PH", "TD", "ZE",
];
const WELSH_AREAS: &[&str] = &["CF", "LD", "LL", "NP", "SA"];

#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    pub line1: String,
    pub line2: String,
    pub postcode: String,
}

#[derive(Debug, Clone)]
pub struct Person {
    pub first_name: String,
    pub last_name: String,
    pub date_of_birth: NaiveDate,
    pub address: Address,
}

pub fn person(rng: &mut impl Rng) -> Person {
    let (line1, line2, postcode) = *ADDRESSES.choose(rng).expect("non-empty");
    let days = rng.random_range(0..365 * 60);
    Person {
        first_name: FIRST_NAMES.choose(rng).expect("non-empty").to_string(),
        last_name: LAST_NAMES.choose(rng).expect("non-empty").to_string(),
        date_of_birth: NaiveDate::from_ymd_opt(1945, 1, 1).expect("date") + chrono::Days::new(days),
        address: Address {
            line1: line1.into(),
            line2: line2.into(),
            postcode: postcode.into(),
        },
    }
}

/// The tax regime a postcode's area implies: `scotland`, `wales` or `uk`.
pub fn tax_regime_for(postcode: &str) -> &'static str {
    let area: String = postcode
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    if SCOTTISH_AREAS.contains(&area.as_str()) {
        "scotland"
    } else if WELSH_AREAS.contains(&area.as_str()) {
        "wales"
    } else {
        "uk"
    }
}

pub fn digits(rng: &mut impl Rng, n: usize) -> String {
    (0..n)
        .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
        .collect()
}

pub fn nino(rng: &mut impl Rng) -> Nino {
    loop {
        let a = char::from(b'A' + rng.random_range(0..26u8));
        let b = char::from(b'A' + rng.random_range(0..26u8));
        let s = char::from(b'A' + rng.random_range(0..4u8));
        if let Ok(n) = Nino::parse(&format!("{a}{b}{}{s}", digits(rng, 6))) {
            return n;
        }
    }
}

pub fn sa_utr(rng: &mut impl Rng) -> SaUtr {
    SaUtr::from_number(rng.random_range(0..1_000_000_000))
}

/// As HMRC's generator: a number below 10^9, so `00` follows `IT`.
pub fn mtd_it_id(rng: &mut impl Rng) -> MtdItId {
    MtdItId::from_number(rng.random_range(0..1_000_000_000))
}

pub fn arn(rng: &mut impl Rng) -> Arn {
    Arn::from_number(rng.random_range(0..10_000_000))
}

/// A VAT registration number passing the modulus-97 check.
pub fn vrn(rng: &mut impl Rng) -> String {
    loop {
        let body = digits(rng, 7);
        let sum: u32 = body
            .bytes()
            .zip([8, 7, 6, 5, 4, 3, 2])
            .map(|(b, w)| u32::from(b - b'0') * w)
            .sum();
        let check = 97 - (sum % 97);
        if check < 97 {
            return format!("{body}{check:02}");
        }
    }
}

pub fn organisation_name(rng: &mut impl Rng) -> String {
    let suffix: String = (0..6)
        .map(|_| {
            let i = rng.random_range(0..36u8);
            char::from(if i < 10 { b'0' + i } else { b'A' + i - 10 })
        })
        .collect();
    format!("Company {suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regimes_from_postcodes() {
        assert_eq!(tax_regime_for("EH1 2DP"), "scotland");
        assert_eq!(tax_regime_for("G2 3JD"), "scotland");
        assert_eq!(tax_regime_for("CF10 2BU"), "wales");
        assert_eq!(tax_regime_for("GL1 1AA"), "uk", "Gloucester is not Glasgow");
        assert_eq!(tax_regime_for("TS1 1PA"), "uk");
    }

    #[test]
    fn generated_identifiers_are_valid() {
        let mut rng = rand::rng();
        for _ in 0..200 {
            assert!(Nino::parse(nino(&mut rng).as_str()).is_ok());
            let v = vrn(&mut rng);
            assert_eq!(v.len(), 9);
        }
    }
}
