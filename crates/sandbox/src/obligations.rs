//! Obligations derived, never stored: from each income source's start and cessation dates, its
//! quarterly period type and the taxpayer's ITSA status for the year, with each obligation
//! fulfilled by the first cumulative update that covers its period (`itsa-apis.md` §3.2, §5.1).
//! From 2025-26 every quarterly period starts at the start of the tax year (or of the business).

use crate::store::CachedQuery;
use chrono::NaiveDate;
use mtd_domain::TaxYear;
use rusqlite::{OptionalExtension, params};

/// The first tax year of cumulative quarterly updates.
pub const FIRST_CUMULATIVE_YEAR: u16 = 2025;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodType {
    /// Quarters ending on the 5th: 5 July, 5 October, 5 January, 5 April.
    Standard,
    /// Quarters ending on calendar quarter ends: 30 June, 30 September, 31 December, 31 March.
    Calendar,
}

impl PeriodType {
    pub fn as_str(self) -> &'static str {
        match self {
            PeriodType::Standard => "standard",
            PeriodType::Calendar => "calendar",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "standard" => Some(PeriodType::Standard),
            "calendar" => Some(PeriodType::Calendar),
            _ => None,
        }
    }

    /// Where the year's quarters start.
    pub fn year_start(self, year: TaxYear) -> NaiveDate {
        let y = i32::from(year.start_year());
        match self {
            PeriodType::Standard => year.first_day(),
            PeriodType::Calendar => NaiveDate::from_ymd_opt(y, 4, 1).expect("1 April exists"),
        }
    }

    pub fn quarter_ends(self, year: TaxYear) -> [NaiveDate; 4] {
        let y = i32::from(year.start_year());
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("a real date");
        match self {
            PeriodType::Standard => [d(y, 7, 5), d(y, 10, 5), d(y + 1, 1, 5), d(y + 1, 4, 5)],
            PeriodType::Calendar => [d(y, 6, 30), d(y, 9, 30), d(y, 12, 31), d(y + 1, 3, 31)],
        }
    }
}

/// Quarterly deadlines: the 5th of the second month after a standard quarter in 2025-26, the 7th
/// from 2026-27, whichever quarters the business uses.
pub fn due_dates(year: TaxYear) -> [NaiveDate; 4] {
    let y = i32::from(year.start_year());
    let day = if year.start_year() <= FIRST_CUMULATIVE_YEAR {
        5
    } else {
        7
    };
    let d = |y, m| NaiveDate::from_ymd_opt(y, m, day).expect("a real date");
    [d(y, 8), d(y, 11), d(y + 1, 2), d(y + 1, 5)]
}

/// The final declaration is due on 31 January after the tax year.
pub fn final_declaration_due(year: TaxYear) -> NaiveDate {
    NaiveDate::from_ymd_opt(i32::from(year.start_year()) + 2, 1, 31).expect("31 January exists")
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Obligation {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub due: NaiveDate,
    pub received: Option<NaiveDate>,
}

/// An income source as obligations need it.
#[derive(Debug, Clone)]
pub struct Source {
    pub business_id: String,
    pub kind: String,
    pub nino_stem: String,
    pub commencement: Option<NaiveDate>,
    pub cessation: Option<NaiveDate>,
    /// Tax years in which a new income source reports annually (latency indicator `A`).
    pub annual_years: Vec<TaxYear>,
}

impl Source {
    /// Whether the income source reports annually in `year` while it is new (latency).
    pub fn latent(&self, year: TaxYear) -> bool {
        self.annual_years.contains(&year)
    }
}

/// The years a business's latency details mark `A` (annual).
fn annual_years(details: Option<String>) -> Vec<TaxYear> {
    let details: serde_json::Value = details
        .and_then(|d| serde_json::from_str(&d).ok())
        .unwrap_or_default();
    let latency = &details["latencyDetails"];
    [
        ("taxYear1", "latencyIndicator1"),
        ("taxYear2", "latencyIndicator2"),
    ]
    .into_iter()
    .filter(|(_, i)| latency[*i] == "A")
    .filter_map(|(y, _)| latency[y].as_str().and_then(|y| TaxYear::parse(y).ok()))
    .collect()
}

/// The client's income sources, with the NINO their ITSA status is kept under.
pub fn sources(
    conn: &rusqlite::Connection,
    mtd_it_id: &str,
) -> Result<Vec<Source>, rusqlite::Error> {
    let mut stmt = conn.prepare_cached(
                "SELECT b.business_id, b.type_of_business, substr(n.value, 1, 8), b.commencement_date, b.cessation_date, b.details
         FROM businesses b
         JOIN identifiers m ON m.kind = 'mtdItId' AND m.value = b.mtd_it_id
         JOIN identifiers n ON n.kind = 'nino' AND n.user_id = m.user_id
         WHERE b.mtd_it_id = ?1 ORDER BY b.created_at_ms, b.business_id",
    )?;
    let date = |s: Option<String>| s.and_then(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok());
    stmt.query_map([mtd_it_id], |r| {
        Ok(Source {
            business_id: r.get(0)?,
            kind: r.get(1)?,
            nino_stem: r.get(2)?,
            commencement: date(r.get(3)?),
            cessation: date(r.get(4)?),
            annual_years: annual_years(r.get(5)?),
        })
    })?
    .collect()
}

/// The latest ITSA status HMRC holds for the year.
pub fn itsa_status(
    conn: &rusqlite::Connection,
    nino_stem: &str,
    year: TaxYear,
) -> Result<Option<String>, rusqlite::Error> {
    conn.query_row_cached(
        "SELECT status FROM itsa_statuses WHERE nino_stem = ?1 AND tax_year = ?2 ORDER BY submitted_on DESC, id DESC LIMIT 1",
        params![nino_stem, year.start_year()],
        |r| r.get(0),
    )
    .optional()
}

/// Whether the year's status asks for quarterly updates.
pub fn quarterly(status: Option<&str>) -> bool {
    matches!(status, Some("MTD Mandated" | "MTD Voluntary"))
}

pub fn period_type(
    conn: &rusqlite::Connection,
    business_id: &str,
    year: TaxYear,
) -> Result<PeriodType, rusqlite::Error> {
    let t: Option<String> = conn
        .query_row_cached(
            // A choice holds from its tax year until another is made.
            "SELECT period_type FROM quarterly_period_types WHERE business_id = ?1 AND tax_year <= ?2
             ORDER BY tax_year DESC LIMIT 1",
            params![business_id, year.to_string()],
            |r| r.get(0),
        )
        .optional()?;
    Ok(t.as_deref()
        .and_then(PeriodType::parse)
        .unwrap_or(PeriodType::Standard))
}

/// The quarterly obligations of one income source for one year (none before the cumulative era,
/// for a year whose status is not quarterly, or outside the business's life).
pub fn quarterly_obligations(
    conn: &rusqlite::Connection,
    source: &Source,
    year: TaxYear,
) -> Result<Vec<Obligation>, rusqlite::Error> {
    if year.start_year() < FIRST_CUMULATIVE_YEAR
        || source.latent(year)
        || !quarterly(itsa_status(conn, &source.nino_stem, year)?.as_deref())
    {
        return Ok(vec![]);
    }
    let kind = period_type(conn, &source.business_id, year)?;
    let year_start = kind.year_start(year);
    // A business that ceased before the year has nothing to report in it.
    if source.cessation.is_some_and(|c| c < year_start) {
        return Ok(vec![]);
    }
    let start = source
        .commencement
        .filter(|c| *c > year_start)
        .unwrap_or(year_start);
    let received = received_dates(conn, &source.business_id, year)?;
    let mut out = Vec::new();
    for (end, due) in kind.quarter_ends(year).into_iter().zip(due_dates(year)) {
        if end < start {
            continue;
        }
        // A business that ceased has no quarters after the one it ceased in.
        if source.cessation.is_some_and(|c| {
            let prev_end = kind
                .quarter_ends(year)
                .into_iter()
                .filter(|e| *e < end)
                .max();
            prev_end.is_some_and(|p| c <= p)
        }) {
            continue;
        }
        let received = received
            .iter()
            .find(|(covered, _)| *covered >= end)
            .map(|(_, at)| *at);
        out.push(Obligation {
            start,
            end,
            due,
            received,
        });
    }
    Ok(out)
}

/// Each cumulative update's end date with the day it arrived, oldest first.
fn received_dates(
    conn: &rusqlite::Connection,
    business_id: &str,
    year: TaxYear,
) -> Result<Vec<(NaiveDate, NaiveDate)>, rusqlite::Error> {
    let mut stmt = conn.prepare_cached(
        "SELECT period_end, submitted_at_ms FROM cumulative_summaries
         WHERE business_id = ?1 AND tax_year = ?2 AND period_end IS NOT NULL ORDER BY id",
    )?;
    let rows = stmt
        .query_map(params![business_id, year.to_string()], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows
        .into_iter()
        .filter_map(|(end, at)| {
            let end = NaiveDate::parse_from_str(&end, "%Y-%m-%d").ok()?;
            Some((end, crate::clock::from_ms(at).date_naive()))
        })
        .collect())
}

/// Tax years from the first cumulative one to the one after `today`'s, for windows to filter.
pub fn years_around(today: NaiveDate) -> Vec<TaxYear> {
    let last = TaxYear::containing(today).and_then(TaxYear::next);
    (FIRST_CUMULATIVE_YEAR..=last.map_or(FIRST_CUMULATIVE_YEAR, |y| y.start_year()))
        .filter_map(TaxYear::starting)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Datelike;

    #[test]
    fn hmrc_examples() {
        let y25 = TaxYear::parse("2025-26").unwrap();
        let y26 = TaxYear::parse("2026-27").unwrap();
        assert_eq!(due_dates(y25)[0].to_string(), "2025-08-05");
        assert_eq!(due_dates(y25)[3].to_string(), "2026-05-05");
        assert_eq!(due_dates(y26)[2].to_string(), "2027-02-07");
        assert_eq!(
            PeriodType::Standard.quarter_ends(y25)[2].to_string(),
            "2026-01-05"
        );
        assert_eq!(
            PeriodType::Calendar.quarter_ends(y25)[3].to_string(),
            "2026-03-31"
        );
        assert_eq!(final_declaration_due(y25).to_string(), "2027-01-31");
        assert_eq!(PeriodType::Calendar.year_start(y25).day(), 1);
    }
}
