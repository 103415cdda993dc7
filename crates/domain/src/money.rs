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

    proptest! {
        #[test]
        fn pence_round_trip(p in -10_000_000_000_000i64..10_000_000_000_000) {
            let m = Money::from_pence(p);
            prop_assert_eq!(Money::parse(&m.to_string()), Ok(m));
        }
    }
}
