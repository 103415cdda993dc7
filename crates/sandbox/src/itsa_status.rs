//! ITSA statuses: per NINO and tax year, a history of status details; the latest (by
//! `submittedOn`) is the year's status. Sign-up writes them, test support sets them, and
//! Self Assessment Individual Details reads them.

use mtd_domain::{Nino, TaxYear};
use rusqlite::params;
use serde::{Deserialize, Serialize};

use crate::store::StoreError;

pub const STATUSES: [&str; 8] = [
    "No Status",
    "MTD Mandated",
    "MTD Voluntary",
    "Annual",
    "Non Digital",
    "Digitally Exempt",
    "Dormant",
    "MTD Exempt",
];
pub const REASONS: [&str; 20] = [
    "Sign up - return available",
    "Sign up - no return available",
    "ITSA final declaration",
    "ITSA Q4 declaration",
    "CESA SA return",
    "Complex",
    "Ceased income source",
    "Reinstated income source",
    "Rollover",
    "Income Source Latency Changes",
    "MTD ITSA Opt-Out",
    "MTD ITSA Opt-In",
    "Digitally Exempt",
    "Capacitor",
    "Residence and remittance",
    "Ministers of religion",
    "Lloyds underwriters",
    "Blind persons allowance",
    "Married couples allowance",
    "Return not considered",
];

/// One status detail, in HMRC's JSON shape. `businessIncome2YearsPrior` is kept as the exact
/// decimal text it arrived as.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusDetail {
    pub submitted_on: String,
    pub status: String,
    pub status_reason: String,
    #[serde(
        rename = "businessIncome2YearsPrior",
        skip_serializing_if = "Option::is_none"
    )]
    pub business_income_2_years_prior: Option<serde_json::Number>,
}

pub fn stem(nino: &Nino) -> String {
    nino.as_str().chars().take(8).collect()
}

/// Adds details for a tax year.
pub fn record(
    tx: &rusqlite::Transaction<'_>,
    nino: &Nino,
    year: TaxYear,
    details: &[StatusDetail],
) -> Result<(), rusqlite::Error> {
    for d in details {
        tx.execute(
            "INSERT INTO itsa_statuses (nino_stem, tax_year, submitted_on, status, status_reason, business_income_2_years_prior)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                stem(nino),
                year.start_year(),
                d.submitted_on,
                d.status,
                d.status_reason,
                d.business_income_2_years_prior.as_ref().map(|n| n.to_string())
            ],
        )?;
    }
    Ok(())
}

/// The years from `year` (and later ones with `future_years`), each with its latest detail, or
/// its whole history newest first with `history`.
pub fn read(
    conn: &rusqlite::Connection,
    nino: &Nino,
    year: TaxYear,
    future_years: bool,
    history: bool,
) -> Result<Vec<(TaxYear, Vec<StatusDetail>)>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT tax_year, submitted_on, status, status_reason, business_income_2_years_prior FROM itsa_statuses
         WHERE nino_stem = ?1 AND (tax_year = ?2 OR (?3 AND tax_year > ?2))
         ORDER BY tax_year, submitted_on DESC, id DESC",
    )?;
    let rows = stmt.query_map(params![stem(nino), year.start_year(), future_years], |r| {
        Ok((
            r.get::<_, u16>(0)?,
            StatusDetail {
                submitted_on: r.get(1)?,
                status: r.get(2)?,
                status_reason: r.get(3)?,
                business_income_2_years_prior: r
                    .get::<_, Option<String>>(4)?
                    .and_then(|t| t.parse().ok()),
            },
        ))
    })?;
    let mut out: Vec<(TaxYear, Vec<StatusDetail>)> = Vec::new();
    for row in rows {
        let (start, detail) = row?;
        let Some(ty) = TaxYear::starting(start) else {
            continue;
        };
        match out.last_mut() {
            Some((y, details)) if *y == ty => {
                if history {
                    details.push(detail);
                }
            }
            _ => out.push((ty, vec![detail])),
        }
    }
    Ok(out)
}
