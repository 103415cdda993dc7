//! Agents and their clients: the relationships (delegated enrolments) that let an agent act for
//! a client. One main agent per client at a time; any number of supporting agents; never both
//! for one agent and client (`agents-signup.md` §4.1).

pub mod client_pages;
pub mod invitations;
pub mod legacy;
pub mod mapping_pages;
pub mod removal_lock;
pub mod services_account;

use crate::store::CachedQuery;
use rusqlite::{OptionalExtension, params};

/// `main` or `supporting`, as the Agent Authorisation API spells them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgentType {
    Main,
    Supporting,
}

impl AgentType {
    pub fn as_str(self) -> &'static str {
        match self {
            AgentType::Main => "main",
            AgentType::Supporting => "supporting",
        }
    }

    pub fn parse(s: &str) -> Option<AgentType> {
        match s {
            "main" => Some(AgentType::Main),
            "supporting" => Some(AgentType::Supporting),
            _ => None,
        }
    }
}

/// Makes `arn` the client's agent of `agent_type`, in one transaction: a new main agent ends the
/// previous main agent's relationship; an agent changing role loses its other one.
pub fn authorise(
    tx: &rusqlite::Transaction<'_>,
    arn: &str,
    mtd_it_id: &str,
    agent_type: AgentType,
    now_ms: i64,
) -> Result<(), rusqlite::Error> {
    if agent_type == AgentType::Main {
        tx.execute(
            "UPDATE relationships SET ended_at_ms = ?3 WHERE mtd_it_id = ?1 AND agent_type = 'main' AND arn != ?2 AND ended_at_ms IS NULL",
            params![mtd_it_id, arn, now_ms],
        )?;
    }
    tx.execute(
        "UPDATE relationships SET ended_at_ms = ?3 WHERE mtd_it_id = ?1 AND arn = ?2 AND agent_type != ?4 AND ended_at_ms IS NULL",
        params![mtd_it_id, arn, now_ms, agent_type.as_str()],
    )?;
    let exists = tx
        .query_row_cached(
            "SELECT 1 FROM relationships WHERE mtd_it_id = ?1 AND arn = ?2 AND agent_type = ?3 AND ended_at_ms IS NULL",
            params![mtd_it_id, arn, agent_type.as_str()],
            |_| Ok(()),
        )
        .optional()?
        .is_some();
    if !exists {
        tx.execute(
            "INSERT INTO relationships (arn, mtd_it_id, agent_type, created_at_ms) VALUES (?1, ?2, ?3, ?4)",
            params![arn, mtd_it_id, agent_type.as_str(), now_ms],
        )?;
    }
    Ok(())
}

/// The agent's live relationship with the client, if any.
pub fn active(
    conn: &rusqlite::Connection,
    arn: &str,
    mtd_it_id: &str,
) -> Result<Option<AgentType>, rusqlite::Error> {
    conn.query_row_cached(
        "SELECT agent_type FROM relationships WHERE arn = ?1 AND mtd_it_id = ?2 AND ended_at_ms IS NULL",
        params![arn, mtd_it_id],
        |r| r.get::<_, String>(0),
    )
    .optional()
    .map(|t| t.and_then(|t| AgentType::parse(&t)))
}

/// Ends the agent's relationship of `agent_type`; whether there was one.
pub fn deauthorise(
    tx: &rusqlite::Transaction<'_>,
    arn: &str,
    mtd_it_id: &str,
    agent_type: AgentType,
    now_ms: i64,
) -> Result<bool, rusqlite::Error> {
    Ok(tx.execute(
        "UPDATE relationships SET ended_at_ms = ?4 WHERE arn = ?1 AND mtd_it_id = ?2 AND agent_type = ?3 AND ended_at_ms IS NULL",
        params![arn, mtd_it_id, agent_type.as_str(), now_ms],
    )? > 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn one_main_agent_many_supporting_never_both() {
        let store = Store::in_memory().unwrap();
        let id = "XJIT00000328268";
        store
            .write(|tx| authorise(tx, "NARN0396245", id, AgentType::Main, 1))
            .unwrap();
        store
            .write(|tx| authorise(tx, "AARN0000002", id, AgentType::Supporting, 2))
            .unwrap();
        store
            .write(|tx| authorise(tx, "BARN0000003", id, AgentType::Supporting, 3))
            .unwrap();
        let conn = store.conn();
        assert_eq!(
            active(&conn, "NARN0396245", id).unwrap(),
            Some(AgentType::Main)
        );
        drop(conn);
        // A new main agent replaces the old one; a supporting agent becoming main stops being supporting.
        store
            .write(|tx| authorise(tx, "AARN0000002", id, AgentType::Main, 4))
            .unwrap();
        let conn = store.conn();
        assert_eq!(active(&conn, "NARN0396245", id).unwrap(), None);
        assert_eq!(
            active(&conn, "AARN0000002", id).unwrap(),
            Some(AgentType::Main)
        );
        assert_eq!(
            active(&conn, "BARN0000003", id).unwrap(),
            Some(AgentType::Supporting)
        );
        let live: i64 = conn
            .query_row_cached(
                "SELECT COUNT(*) FROM relationships WHERE ended_at_ms IS NULL",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(live, 2);
        drop(conn);
        assert!(
            store
                .write(|tx| deauthorise(tx, "BARN0000003", id, AgentType::Supporting, 5))
                .unwrap()
        );
        assert!(
            !store
                .write(|tx| deauthorise(tx, "BARN0000003", id, AgentType::Supporting, 6))
                .unwrap()
        );
    }
}
