//! Existing Self Assessment clients (`agents-signup.md` §4.3): legacy agent authorisations (64-8)
//! held against an SA agent reference, which an agent maps to its ARN. Copying makes a main
//! relationship (never a supporting one) for a signed-up client whose legacy authorisation
//! matches, lazily when the agent's relationship is checked and none exists, and at sign-up. A copy
//! is made once: a relationship that ends later is not copied back.

use mtd_domain::Nino;
use rusqlite::{OptionalExtension, params};

use super::{AgentType, active, authorise};

/// Whether one of the agent's mapped SA agent references holds a live legacy authorisation for
/// the NINO.
pub fn has_legacy(
    conn: &rusqlite::Connection,
    arn: &str,
    nino: &Nino,
) -> Result<bool, rusqlite::Error> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM legacy_authorisations l JOIN agent_mappings m ON m.sa_agent_reference = l.sa_agent_reference
             WHERE m.arn = ?1 AND l.nino_stem = substr(?2, 1, 8) AND (l.auth_64_8 OR l.auth_i64_8) AND NOT l.agent_ceased",
            params![arn, nino.as_str()],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// Copies the legacy authorisation into a main relationship if the client is signed up, the
/// agent has none, and no copy was made before. Whether a relationship was made.
pub fn copy(
    tx: &rusqlite::Transaction<'_>,
    arn: &str,
    nino: &Nino,
    mtd_it_id: &str,
    now_ms: i64,
) -> Result<bool, rusqlite::Error> {
    if active(tx, arn, mtd_it_id)?.is_some() || !has_legacy(tx, arn, nino)? {
        return Ok(false);
    }
    let copied_before = tx
        .query_row(
            "SELECT 1 FROM legacy_copies WHERE arn = ?1 AND mtd_it_id = ?2",
            params![arn, mtd_it_id],
            |_| Ok(()),
        )
        .optional()?
        .is_some();
    if copied_before {
        return Ok(false);
    }
    authorise(tx, arn, mtd_it_id, AgentType::Main, now_ms)?;
    tx.execute(
        "INSERT INTO legacy_copies (arn, mtd_it_id, copied_at_ms) VALUES (?1, ?2, ?3)",
        params![arn, mtd_it_id, now_ms],
    )?;
    Ok(true)
}

/// At sign-up: every agent with a matching legacy authorisation becomes the main agent (the first
/// one found, as only one main agent can be).
pub fn copy_all_at_sign_up(
    tx: &rusqlite::Transaction<'_>,
    nino: &Nino,
    mtd_it_id: &str,
    now_ms: i64,
) -> Result<(), rusqlite::Error> {
    let arns: Vec<String> = tx
        .prepare(
            "SELECT DISTINCT m.arn FROM legacy_authorisations l JOIN agent_mappings m ON m.sa_agent_reference = l.sa_agent_reference
             WHERE l.nino_stem = substr(?1, 1, 8) AND (l.auth_64_8 OR l.auth_i64_8) AND NOT l.agent_ceased ORDER BY m.arn",
        )?
        .query_map([nino.as_str()], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    if let Some(arn) = arns.first() {
        copy(tx, arn, nino, mtd_it_id, now_ms)?;
    }
    Ok(())
}
