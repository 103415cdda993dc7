//! Signing up for MTD Income Tax (`agents-signup.md` §5): a taxpayer with a Self Assessment UTR
//! gets an MTD Income Tax ID, the `HMRC-MTD-IT` enrolment, an ITSA status for the chosen year
//! and the next, and its income sources, each with a business ID. Agents' partial authorisations
//! for the taxpayer become relationships. All in one transaction: never half signed up.
//!
//! HMRC offers no sign-up API: the local HMRC signs up through its web pages (`pages.rs`) and,
//! for tests, test support.

pub mod agent_pages;
pub mod pages;
pub mod registration;
pub mod registration_pages;

use chrono::NaiveDate;
use mtd_domain::{BusinessId, MtdItId, Nino, TaxYear};
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::agents::{self, AgentType};
use crate::gateway::act_for::mtd_it_id_for;
use crate::itsa_status::{self, StatusDetail};

/// An income source to create at sign-up.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IncomeSource {
    /// `self-employment`, `uk-property` or `foreign-property`.
    #[serde(rename = "type")]
    pub kind: String,
    pub trading_name: Option<String>,
    pub trade: Option<String>,
    pub address_line1: Option<String>,
    pub postcode: Option<String>,
    /// `YYYY-MM-DD`.
    pub start_date: Option<String>,
}

/// What signing up created.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignedUp {
    pub mtd_it_id: String,
    pub tax_year: String,
    pub businesses: Vec<CreatedBusiness>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatedBusiness {
    pub business_id: String,
    #[serde(rename = "typeOfBusiness")]
    pub kind: String,
    pub trading_name: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum SignUpError {
    #[error("This person is already signed up for Making Tax Digital for Income Tax")]
    AlreadySignedUp,
    #[error("This person is not registered for Self Assessment: register first")]
    NoSelfAssessment,
    #[error("No one has this National Insurance number")]
    UnknownNino,
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] rusqlite::Error),
}

impl IncomeSource {
    fn check(&self) -> Result<(), SignUpError> {
        let bad = |m: &str| Err(SignUpError::Invalid(m.to_owned()));
        match self.kind.as_str() {
            "self-employment" => {
                let name_ok = self
                    .trading_name
                    .as_deref()
                    .is_some_and(|n| (1..=105).contains(&n.trim().chars().count()));
                if !name_ok {
                    return bad("a self-employment needs a trading name of 1 to 105 characters");
                }
                if !self
                    .trade
                    .as_deref()
                    .is_some_and(|t| (2..=35).contains(&t.trim().chars().count()))
                {
                    return bad("a self-employment needs its trade, 2 to 35 characters");
                }
            }
            "uk-property" | "foreign-property" => {}
            _ => return bad("type must be self-employment, uk-property or foreign-property"),
        }
        if let Some(d) = &self.start_date
            && NaiveDate::parse_from_str(d, "%Y-%m-%d").is_err()
        {
            return bad("startDate must be a date such as 2024-04-06");
        }
        Ok(())
    }
}

/// The user holding this NINO, with its group and SA UTR (if registered).
fn taxpayer(
    tx: &rusqlite::Transaction<'_>,
    nino: &Nino,
) -> Result<Option<(String, String, Option<String>)>, rusqlite::Error> {
    tx.query_row(
        "SELECT u.user_id, u.group_id, (SELECT value FROM identifiers s WHERE s.user_id = u.user_id AND s.kind = 'saUtr')
         FROM identifiers n JOIN users u ON u.user_id = n.user_id
         WHERE n.kind = 'nino' AND substr(n.value, 1, 8) = substr(?1, 1, 8)",
        [nino.as_str()],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .optional()
}

/// Signs `nino` up from `year` with `sources`.
pub fn sign_up(
    tx: &rusqlite::Transaction<'_>,
    nino: &Nino,
    year: TaxYear,
    sources: &[IncomeSource],
    now_ms: i64,
) -> Result<SignedUp, SignUpError> {
    if sources.is_empty() {
        return Err(SignUpError::Invalid(
            "at least one income source is needed".into(),
        ));
    }
    for s in sources {
        s.check()?;
    }
    let (user_id, group_id, utr) = taxpayer(tx, nino)?.ok_or(SignUpError::UnknownNino)?;
    if utr.is_none() {
        return Err(SignUpError::NoSelfAssessment);
    }
    if mtd_it_id_for(tx, nino)?.is_some() {
        return Err(SignUpError::AlreadySignedUp);
    }
    let id = loop {
        let candidate = MtdItId::from_number(rand::random::<u64>() % 1_000_000_000).to_string();
        let taken = tx
            .query_row(
                "SELECT 1 FROM identifiers WHERE kind = 'mtdItId' AND value = ?1",
                [&candidate],
                |_| Ok(()),
            )
            .optional()?;
        if taken.is_none() {
            break candidate;
        }
    };
    tx.execute(
        "INSERT INTO identifiers (kind, value, user_id) VALUES ('mtdItId', ?1, ?2)",
        params![id, user_id],
    )?;
    tx.execute(
        "INSERT INTO enrolments (group_id, service, identifier_name, identifier_value) VALUES (?1, 'HMRC-MTD-IT', 'MTDITID', ?2)",
        params![group_id, id],
    )?;
    let submitted = crate::clock::from_ms(now_ms)
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string();
    let detail = StatusDetail {
        submitted_on: submitted,
        status: "MTD Voluntary".into(),
        status_reason: "Sign up - return available".into(),
        business_income_2_years_prior: None,
    };
    for y in [Some(year), year.next()].into_iter().flatten() {
        tx.execute(
            "DELETE FROM itsa_statuses WHERE nino_stem = substr(?1, 1, 8) AND tax_year = ?2",
            params![nino.as_str(), y.start_year()],
        )?;
        itsa_status::record(tx, nino, y, std::slice::from_ref(&detail))?;
    }
    let mut businesses = Vec::new();
    for s in sources {
        let business_id = loop {
            let candidate = BusinessId::from_number(rand::random::<u64>()).to_string();
            let taken = tx
                .query_row(
                    "SELECT 1 FROM businesses WHERE business_id = ?1",
                    [&candidate],
                    |_| Ok(()),
                )
                .optional()?;
            if taken.is_none() {
                break candidate;
            }
        };
        let address = s.address_line1.as_ref().map(|l| serde_json::json!({ "addressLine1": l, "postcode": s.postcode, "countryCode": "GB" }).to_string());
        tx.execute(
            "INSERT INTO businesses (business_id, mtd_it_id, type_of_business, trading_name, trade, address, commencement_date, created_at_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![business_id, id, s.kind, s.trading_name, s.trade, address, s.start_date, now_ms],
        )?;
        businesses.push(CreatedBusiness {
            business_id,
            kind: s.kind.clone(),
            trading_name: s.trading_name.clone(),
        });
    }
    // Agents authorised before sign-up ("alt-ITSA") now act for the taxpayer.
    let partial: Vec<(String, String)> = tx
        .prepare("SELECT arn, agent_type FROM partial_auths WHERE nino_stem = substr(?1, 1, 8) AND ended_at_ms IS NULL")?
        .query_map([nino.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (arn, kind) in partial {
        if let Some(t) = AgentType::parse(&kind) {
            agents::authorise(tx, &arn, &id, t, now_ms)?;
        }
        tx.execute(
            "UPDATE invitations SET status = 'Accepted', updated_at_ms = ?3 WHERE arn = ?1 AND substr(nino, 1, 8) = substr(?2, 1, 8) AND status = 'Partialauth'",
            params![arn, nino.as_str(), now_ms],
        )?;
    }
    tx.execute("UPDATE partial_auths SET ended_at_ms = ?2 WHERE nino_stem = substr(?1, 1, 8) AND ended_at_ms IS NULL", params![nino.as_str(), now_ms])?;
    // Existing Self Assessment agents (64-8) are copied across, unless a main agent is set already.
    let has_main = tx
        .query_row("SELECT 1 FROM relationships WHERE mtd_it_id = ?1 AND agent_type = 'main' AND ended_at_ms IS NULL", [&id], |_| Ok(()))
        .optional()?
        .is_some();
    if !has_main {
        agents::legacy::copy_all_at_sign_up(tx, nino, &id, now_ms)?;
    }
    Ok(SignedUp {
        mtd_it_id: id,
        tax_year: year.to_string(),
        businesses,
    })
}
