//! Authorisation requests ("invitations") from an agent to a client for MTD Income Tax, with
//! HMRC's statuses spelled as HMRC spells them, expiry after 21 days on the sandbox clock, and
//! what accepting does: a relationship for a signed-up client, a partial authorisation
//! (`Partialauth`) for one not yet signed up (`agents-signup.md` §4.2).

use mtd_domain::Nino;
use rusqlite::{OptionalExtension, params};

use super::{AgentType, authorise};
use crate::gateway::act_for::mtd_it_id_for;

/// Requests expire 21 days after they are made.
pub const EXPIRY_MS: i64 = 21 * 24 * 3600 * 1000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub id: String,
    pub arn: String,
    pub service: String,
    pub client_type: String,
    pub nino: String,
    pub agent_type: AgentType,
    pub status: String,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
    pub expires_at_ms: i64,
}

/// A fresh invitation ID: 13 upper-case letters and digits.
pub fn new_id() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNOPQRSTUVWXYZ0123456789";
    (0..13)
        .map(|_| char::from(ALPHABET[rand::random::<u32>() as usize % ALPHABET.len()]))
        .collect()
}

/// Marks every Pending request past its expiry as Expired.
pub fn expire(tx: &rusqlite::Transaction<'_>, now_ms: i64) -> Result<(), rusqlite::Error> {
    tx.execute(
        "UPDATE invitations SET status = 'Expired', updated_at_ms = expires_at_ms WHERE status = 'Pending' AND expires_at_ms <= ?1",
        [now_ms],
    )?;
    Ok(())
}

fn row(r: &rusqlite::Row<'_>) -> Result<Invitation, rusqlite::Error> {
    Ok(Invitation {
        id: r.get(0)?,
        arn: r.get(1)?,
        service: r.get(2)?,
        client_type: r.get(3)?,
        nino: r.get(4)?,
        agent_type: AgentType::parse(&r.get::<_, String>(5)?).unwrap_or(AgentType::Main),
        status: r.get(6)?,
        created_at_ms: r.get(7)?,
        updated_at_ms: r.get(8)?,
        expires_at_ms: r.get(9)?,
    })
}

const COLUMNS: &str = "id, arn, service, client_type, nino, agent_type, status, created_at_ms, updated_at_ms, expires_at_ms";

pub fn get(conn: &rusqlite::Connection, id: &str) -> Result<Option<Invitation>, rusqlite::Error> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM invitations WHERE id = ?1"),
        [id],
        row,
    )
    .optional()
}

/// The agent's requests made in the 30 days before `now`, newest first.
pub fn list(
    conn: &rusqlite::Connection,
    arn: &str,
    now_ms: i64,
) -> Result<Vec<Invitation>, rusqlite::Error> {
    let since = now_ms - 30 * 24 * 3600 * 1000;
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM invitations WHERE arn = ?1 AND created_at_ms >= ?2 ORDER BY created_at_ms DESC, id"))?;
    stmt.query_map(params![arn, since], row)?.collect()
}

/// A Pending request from this agent for this client of either type, if any.
pub fn pending(
    tx: &rusqlite::Transaction<'_>,
    arn: &str,
    nino: &Nino,
) -> Result<Option<Invitation>, rusqlite::Error> {
    tx.query_row(
        &format!("SELECT {COLUMNS} FROM invitations WHERE arn = ?1 AND substr(nino, 1, 8) = substr(?2, 1, 8) AND status = 'Pending'"),
        params![arn, nino.as_str()],
        row,
    )
    .optional()
}

pub fn insert(tx: &rusqlite::Transaction<'_>, inv: &Invitation) -> Result<(), rusqlite::Error> {
    tx.execute(
        &format!(
            "INSERT INTO invitations ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
        ),
        params![
            inv.id,
            inv.arn,
            inv.service,
            inv.client_type,
            inv.nino,
            inv.agent_type.as_str(),
            inv.status,
            inv.created_at_ms,
            inv.updated_at_ms,
            inv.expires_at_ms
        ],
    )?;
    Ok(())
}

pub fn set_status(
    tx: &rusqlite::Transaction<'_>,
    id: &str,
    status: &str,
    now_ms: i64,
) -> Result<(), rusqlite::Error> {
    tx.execute(
        "UPDATE invitations SET status = ?2, updated_at_ms = ?3 WHERE id = ?1",
        params![id, status, now_ms],
    )?;
    Ok(())
}

/// Whether the agent already holds authority of `agent_type` for the client: a relationship, or
/// a partial authorisation before sign-up.
pub fn already_authorised(
    tx: &rusqlite::Transaction<'_>,
    arn: &str,
    nino: &Nino,
    agent_type: AgentType,
) -> Result<bool, rusqlite::Error> {
    if let Some(id) = mtd_it_id_for(tx, nino)?
        && super::active(tx, arn, &id)? == Some(agent_type)
    {
        return Ok(true);
    }
    Ok(tx
        .query_row(
            "SELECT 1 FROM partial_auths WHERE arn = ?1 AND nino_stem = substr(?2, 1, 8) AND agent_type = ?3 AND ended_at_ms IS NULL",
            params![arn, nino.as_str(), agent_type.as_str()],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// The client accepts a Pending request: a relationship if signed up (status Accepted), else a
/// partial authorisation (status Partialauth). A new main agent's earlier accepted requests from
/// other agents become Deauthorised.
pub fn accept(
    tx: &rusqlite::Transaction<'_>,
    inv: &Invitation,
    now_ms: i64,
) -> Result<(), rusqlite::Error> {
    let nino = Nino::parse(&inv.nino).map_err(|_| rusqlite::Error::InvalidQuery)?;
    if inv.agent_type == AgentType::Main {
        tx.execute(
            "UPDATE invitations SET status = 'Deauthorised', updated_at_ms = ?3, ended_by = 'Client'
             WHERE substr(nino, 1, 8) = substr(?1, 1, 8) AND agent_type = 'main' AND arn != ?2 AND status IN ('Accepted', 'Partialauth')",
            params![inv.nino, inv.arn, now_ms],
        )?;
        tx.execute(
            "UPDATE partial_auths SET ended_at_ms = ?3 WHERE nino_stem = substr(?1, 1, 8) AND agent_type = 'main' AND arn != ?2 AND ended_at_ms IS NULL",
            params![inv.nino, inv.arn, now_ms],
        )?;
    }
    match mtd_it_id_for(tx, &nino)? {
        Some(id) => {
            authorise(tx, &inv.arn, &id, inv.agent_type, now_ms)?;
            set_status(tx, &inv.id, "Accepted", now_ms)
        }
        None => {
            tx.execute(
                "UPDATE partial_auths SET ended_at_ms = ?3 WHERE arn = ?1 AND nino_stem = substr(?2, 1, 8) AND ended_at_ms IS NULL",
                params![inv.arn, inv.nino, now_ms],
            )?;
            tx.execute(
                "INSERT INTO partial_auths (arn, nino_stem, agent_type, created_at_ms) VALUES (?1, substr(?2, 1, 8), ?3, ?4)",
                params![inv.arn, inv.nino, inv.agent_type.as_str(), now_ms],
            )?;
            set_status(tx, &inv.id, "Partialauth", now_ms)
        }
    }
}
