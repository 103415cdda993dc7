//! Money: exact decimal pounds with at most two places. Never a float.

use std::fmt;
use std::ops::{Add, Sub};
use std::str::FromStr;

use rust_decimal::Decimal;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("not a decimal amount")]
    NotANumber,
    #[error("more than two decimal places")]
    TooManyPlaces,
}

/// An amount of pounds and pence, exact.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(Decimal);

impl Money {
    pub const ZERO: Money = Money(Decimal::ZERO);

    /// Parses `1234.56`, `-0.5` or `12`; refuses thousands separators and a third decimal place.
    pub fn parse(s: &str) -> Result<Self, MoneyError> {
        let d = Decimal::from_str_exact(s).map_err(|_| MoneyError::NotANumber)?;
        Self::from_decimal(d)
    }

    pub fn from_decimal(d: Decimal) -> Result<Self, MoneyError> {
        let d = d.normalize();
        if d.scale() > 2 {
            return Err(MoneyError::TooManyPlaces);
        }
        Ok(Self(d))
    }

    pub fn from_pence(pence: i64) -> Self {
        Self(Decimal::new(pence, 2).normalize())
    }

    pub fn as_decimal(self) -> Decimal {
        self.0
    }

    pub fn is_negative(self) -> bool {
        self.0.is_sign_negative() && !self.0.is_zero()
    }
}

impl FromStr for Money {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, rhs: Money) -> Money {
        Money(self.0 + rhs.0)
    }
}

impl Sub for Money {
    type Output = Money;
    fn sub(self, rhs: Money) -> Money {
        Money(self.0 - rhs.0)
    }
}

impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, Add::add)
    }
}

impl fmt::Display for Money {
    /// Always two places: `1234.50`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.2}", self.0)
    }
}

/// A JSON number, as HMRC's APIs carry amounts. Amounts within HMRC's bounds (at most 15
/// significant digits) pass through a JSON number exactly.
impl serde::Serialize for Money {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use rust_decimal::prelude::ToPrimitive;
        let f = self
            .0
            .to_f64()
            .ok_or_else(|| serde::ser::Error::custom("amount beyond a JSON number"))?;
        s.serialize_f64(f)
    }
}

impl<'de> serde::Deserialize<'de> for Money {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Amount;
        impl serde::de::Visitor<'_> for Amount {
            type Value = Money;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an amount as a JSON number with at most two decimal places")
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Money, E> {
                // Display gives the shortest decimal that reads back as this f64: the text sent.
                Money::parse(&v.to_string()).map_err(E::custom)
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Money, E> {
                Money::parse(&v.to_string()).map_err(E::custom)
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Money, E> {
                Money::parse(&v.to_string()).map_err(E::custom)
            }
        }
        d.deserialize_any(Amount)
    }
}

impl fmt::Debug for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Money({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn exact_and_strict() {
        assert_eq!(
            Money::parse("0.1").unwrap() + Money::parse("0.2").unwrap(),
            Money::parse("0.3").unwrap()
        );
        assert_eq!(Money::parse("1234.5").unwrap().to_string(), "1234.50");
        assert_eq!(Money::parse("1.005"), Err(MoneyError::TooManyPlaces));
        assert_eq!(Money::parse("1,000.00"), Err(MoneyError::NotANumber));
        assert_eq!(Money::parse("£5"), Err(MoneyError::NotANumber));
        assert_eq!(
            Money::parse("1.500").unwrap().to_string(),
            "1.50",
            "trailing zeros are not places"
        );
        assert!(Money::parse("-3").unwrap().is_negative());
        assert!(!Money::parse("-0").unwrap().is_negative());
    }

    #[test]
    fn json_numbers_both_ways() {
        let m: Money = serde_json::from_str("99999999999.99").unwrap();
        assert_eq!(m.to_string(), "99999999999.99");
        assert_eq!(serde_json::to_string(&m).unwrap(), "99999999999.99");
        assert!(serde_json::from_str::<Money>("1.001").is_err());
        assert!(serde_json::from_str::<Money>("\"12\"").is_err());
    }

    proptest! {
        #[test]
        fn pence_round_trip(p in -10_000_000_000_000i64..10_000_000_000_000) {
            let m = Money::from_pence(p);
            prop_assert_eq!(Money::parse(&m.to_string()), Ok(m));
        }
    }
}
