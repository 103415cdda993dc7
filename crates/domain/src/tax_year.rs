//! Tax years as MTD paths spell them: `2025-26`, 6 April to 5 April.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TaxYearError {
    /// Not `YYYY-YY` with a year in the 2010s or later.
    #[error("The provided tax year is invalid")]
    Format,
    /// Well formed, but not one year long (e.g. `2023-25`).
    #[error("A tax year range of one year is required")]
    RangeInvalid,
}

impl TaxYearError {
    pub fn code(self) -> &'static str {
        match self {
            Self::Format => "FORMAT_TAX_YEAR",
            Self::RangeInvalid => "RULE_TAX_YEAR_RANGE_INVALID",
        }
    }
}

/// A UK tax year, stored as the calendar year it starts in.
#[derive(
    Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct TaxYear(u16);

impl TaxYear {
    /// HMRC's path pattern is `20([1-9][0-9])-([1-9][0-9])`; the second pair must follow the first.
    pub fn parse(s: &str) -> Result<Self, TaxYearError> {
        let b = s.as_bytes();
        let shape = b.len() == 7
            && &b[..2] == b"20"
            && b[4] == b'-'
            && [2, 3, 5, 6].iter().all(|&i| b[i].is_ascii_digit())
            && b[2] != b'0'
            && b[5] != b'0';
        if !shape {
            return Err(TaxYearError::Format);
        }
        let start: u16 = s[2..4].parse().map_err(|_| TaxYearError::Format)?;
        let end: u16 = s[5..7].parse().map_err(|_| TaxYearError::Format)?;
        if end != start + 1 {
            return Err(TaxYearError::RangeInvalid);
        }
        Ok(Self(2000 + start))
    }

    /// The tax year starting in April of `year` (2010 to 2098, the range the path pattern allows).
    pub fn starting(year: u16) -> Option<Self> {
        (2010..=2098).contains(&year).then_some(Self(year))
    }

    /// The tax year a date falls in.
    pub fn containing(date: NaiveDate) -> Option<Self> {
        let y = u16::try_from(date.year()).ok()?;
        let before_6_april = (date.month(), date.day()) < (4, 6);
        Self::starting(if before_6_april { y.checked_sub(1)? } else { y })
    }

    pub fn start_year(self) -> u16 {
        self.0
    }

    /// 6 April of the first year.
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(i32::from(self.0), 4, 6).expect("6 April exists")
    }

    /// 5 April of the second year.
    pub fn last_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(i32::from(self.0) + 1, 4, 5).expect("5 April exists")
    }

    pub fn next(self) -> Option<Self> {
        Self::starting(self.0 + 1)
    }

    pub fn previous(self) -> Option<Self> {
        Self::starting(self.0 - 1)
    }
}

impl FromStr for TaxYear {
    type Err = TaxYearError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for TaxYear {
    type Error = TaxYearError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<TaxYear> for String {
    fn from(t: TaxYear) -> String {
        t.to_string()
    }
}

impl fmt::Display for TaxYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{:02}", self.0, (self.0 + 1) % 100)
    }
}

impl fmt::Debug for TaxYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TaxYear({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_and_prints() {
        let y = TaxYear::parse("2025-26").unwrap();
        assert_eq!(y.to_string(), "2025-26");
        assert_eq!(y.first_day(), NaiveDate::from_ymd_opt(2025, 4, 6).unwrap());
        assert_eq!(y.last_day(), NaiveDate::from_ymd_opt(2026, 4, 5).unwrap());
        assert_eq!(y.next().unwrap().to_string(), "2026-27");
    }

    #[test]
    fn format_and_range_errors_differ() {
        for bad in [
            "2025",
            "2025-2026",
            "25-26",
            "2025/26",
            "1999-00",
            "2005-06",
            "2025-2",
            "abcd-ef",
            "２０25-26",
        ] {
            assert_eq!(TaxYear::parse(bad), Err(TaxYearError::Format), "{bad}");
        }
        for bad in ["2023-25", "2025-25", "2026-25"] {
            assert_eq!(
                TaxYear::parse(bad),
                Err(TaxYearError::RangeInvalid),
                "{bad}"
            );
        }
    }

    #[test]
    fn containing_turns_on_6_april() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        assert_eq!(TaxYear::containing(d(4, 5)).unwrap().to_string(), "2025-26");
        assert_eq!(TaxYear::containing(d(4, 6)).unwrap().to_string(), "2026-27");
    }

    proptest! {
        #[test]
        fn round_trips(start in 2010u16..=2098) {
            let y = TaxYear::starting(start).unwrap();
            prop_assert_eq!(TaxYear::parse(&y.to_string()), Ok(y));
            prop_assert_eq!(TaxYear::containing(y.first_day()), Some(y));
            prop_assert_eq!(TaxYear::containing(y.last_day()), Some(y));
        }

        #[test]
        fn never_panics(s in "\\PC{0,10}") {
            let _ = TaxYear::parse(&s);
        }
    }
}
