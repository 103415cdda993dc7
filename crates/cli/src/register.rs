//! An agent's client register, kept by the software because HMRC offers no list of an agent's
//! clients: one owner-only JSON file per environment and profile in the data dir.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::context::Context;
use crate::data_dir;
use crate::output::CliError;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientEntry {
    pub nino: String,
    #[serde(default)]
    pub name: Option<String>,
    pub postcode: String,
    /// `main` or `supporting`.
    pub agent_type: String,
    #[serde(default)]
    pub invitation_id: Option<String>,
    /// What HMRC last said of the relationship, and when.
    #[serde(default)]
    pub relationship: Option<String>,
    #[serde(default)]
    pub checked_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Register {
    pub clients: Vec<ClientEntry>,
}

fn path(ctx: &Context) -> PathBuf {
    ctx.env_dir.join("clients").join(format!(
        "{}.json",
        ctx.profile
            .replace(|c: char| !c.is_ascii_alphanumeric(), "_")
    ))
}

impl Register {
    pub fn load(ctx: &Context) -> Result<Register, CliError> {
        Ok(data_dir::read_json(&path(ctx))?.unwrap_or_default())
    }

    pub fn save(&self, ctx: &Context) -> Result<(), CliError> {
        data_dir::write_private_json(&path(ctx), self)
    }

    /// Adds the client, or updates it (a NINO's suffix letter does not make another client).
    pub fn upsert(&mut self, entry: ClientEntry) {
        let stem = |n: &str| n.chars().take(8).collect::<String>();
        match self
            .clients
            .iter_mut()
            .find(|c| stem(&c.nino) == stem(&entry.nino))
        {
            Some(existing) => {
                existing.postcode = entry.postcode;
                existing.agent_type = entry.agent_type;
                if entry.name.is_some() {
                    existing.name = entry.name;
                }
                if entry.invitation_id.is_some() {
                    existing.invitation_id = entry.invitation_id;
                }
                if entry.relationship.is_some() {
                    existing.relationship = entry.relationship;
                    existing.checked_at = entry.checked_at;
                }
            }
            None => self.clients.push(entry),
        }
    }
}
