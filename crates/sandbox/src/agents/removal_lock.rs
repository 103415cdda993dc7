//! HMRC locks an agent–client relationship while it removes it; a second removal that arrives
//! meanwhile is refused (`ALREADY_BEING_PROCESSED`) rather than queued behind the first. The lock
//! is a row with a lease on the wall clock, so a process that dies mid-removal frees it in time,
//! and several local HMRC processes sharing one data directory respect each other's locks.

use mtd_domain::Nino;
use rusqlite::params;

use super::AgentType;
use crate::clock;
use crate::store::{Store, StoreError};

/// How long a removal may hold its lock before another may take it over.
pub const LEASE_MS: i64 = 60_000;

/// The held lock; dropping it without [`RemovalLock::release`] leaves the lease to run out.
#[must_use]
#[derive(Debug)]
pub struct RemovalLock {
    arn: String,
    nino_stem: String,
    agent_type: AgentType,
}

/// Takes the lock on the agent's relationship of `agent_type` with the client, or `None` when
/// another removal holds it.
pub fn take(
    store: &Store,
    arn: &str,
    nino: &Nino,
    agent_type: AgentType,
) -> Result<Option<RemovalLock>, StoreError> {
    let lock = RemovalLock {
        arn: arn.to_owned(),
        nino_stem: nino.as_str()[..8].to_owned(),
        agent_type,
    };
    let wall = clock::wall_ms();
    let taken = store.write(|tx| {
        tx.execute(
            "DELETE FROM relationship_locks WHERE arn = ?1 AND nino_stem = ?2 AND agent_type = ?3 AND taken_at_wall_ms <= ?4",
            params![lock.arn, lock.nino_stem, agent_type.as_str(), wall - LEASE_MS],
        )?;
        tx.execute(
            "INSERT OR IGNORE INTO relationship_locks (arn, nino_stem, agent_type, taken_at_wall_ms) VALUES (?1, ?2, ?3, ?4)",
            params![lock.arn, lock.nino_stem, agent_type.as_str(), wall],
        )
    })?;
    Ok((taken == 1).then_some(lock))
}

impl RemovalLock {
    pub fn release(self, store: &Store) -> Result<(), StoreError> {
        store.write(|tx| {
            tx.execute(
                "DELETE FROM relationship_locks WHERE arn = ?1 AND nino_stem = ?2 AND agent_type = ?3",
                params![self.arn, self.nino_stem, self.agent_type.as_str()],
            )
        })?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_removal_at_a_time_per_relationship() {
        let store = Store::in_memory().unwrap();
        let nino = Nino::parse("AA123456A").unwrap();
        let first = take(&store, "XARN1234567", &nino, AgentType::Main)
            .unwrap()
            .expect("free");
        assert!(
            take(&store, "XARN1234567", &nino, AgentType::Main)
                .unwrap()
                .is_none()
        );
        // Another relationship is another lock.
        let other = take(&store, "XARN1234567", &nino, AgentType::Supporting).unwrap();
        assert!(other.is_some());
        first.release(&store).unwrap();
        assert!(
            take(&store, "XARN1234567", &nino, AgentType::Main)
                .unwrap()
                .is_some()
        );
    }

    #[test]
    fn an_abandoned_lock_lapses_after_its_lease() {
        let store = Store::in_memory().unwrap();
        let nino = Nino::parse("AA123456A").unwrap();
        store
            .write(|tx| {
                tx.execute(
                    "INSERT INTO relationship_locks VALUES ('XARN1234567', 'AA123456', 'main', ?1)",
                    [clock::wall_ms() - LEASE_MS - 1],
                )
            })
            .unwrap();
        assert!(
            take(&store, "XARN1234567", &nino, AgentType::Main)
                .unwrap()
                .is_some()
        );
    }
}
