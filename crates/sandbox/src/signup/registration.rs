//! Registering for Self Assessment: an individual without a UTR gets one and the `IR-SA`
//! enrolment, as sign-up needs.

use mtd_domain::SaUtr;
use rusqlite::{OptionalExtension, params};

/// The user's SA UTR, registering them first if they have none. `Err` for an unknown user or an
/// agent (agents register as businesses, not here).
pub fn register(
    tx: &rusqlite::Transaction<'_>,
    user_id: &str,
) -> Result<Result<(String, bool), &'static str>, rusqlite::Error> {
    let row: Option<(String, String)> = tx
        .query_row(
            "SELECT group_id, affinity_group FROM users WHERE user_id = ?1",
            [user_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((group_id, affinity)) = row else {
        return Ok(Err("no user has this ID"));
    };
    if affinity == "Agent" {
        return Ok(Err(
            "agents cannot register for Self Assessment as individuals",
        ));
    }
    let existing: Option<String> = tx
        .query_row(
            "SELECT value FROM identifiers WHERE kind = 'saUtr' AND user_id = ?1",
            [user_id],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(utr) = existing {
        return Ok(Ok((utr, false)));
    }
    let utr = loop {
        let candidate = SaUtr::from_number(rand::random::<u32>() % 1_000_000_000).to_string();
        let taken = tx
            .query_row(
                "SELECT 1 FROM identifiers WHERE kind = 'saUtr' AND value = ?1",
                [&candidate],
                |_| Ok(()),
            )
            .optional()?;
        if taken.is_none() {
            break candidate;
        }
    };
    tx.execute(
        "INSERT INTO identifiers (kind, value, user_id) VALUES ('saUtr', ?1, ?2)",
        params![utr, user_id],
    )?;
    tx.execute(
        "INSERT INTO enrolments (group_id, service, identifier_name, identifier_value) VALUES (?1, 'IR-SA', 'UTR', ?2)",
        params![group_id, utr],
    )?;
    Ok(Ok((utr, true)))
}
