//! What was typed, resolved and ready to run: the environment's base URLs, the data dir, the
//! SDK client and, for `embedded`, the local HMRC running inside this process.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use mtd_client::api::test_support::NewApplication;
use mtd_client::fraud_headers::{self, FraudPrevention, Vendor};
use mtd_client::tokens::{Authority, TokenStore};
use mtd_client::{AppCredentials, Client, ClientId, ClientSecret, Environment};
use mtd_domain::fraud_prevention::ConnectionMethod;
use mtd_sandbox::Running;
use serde::{Deserialize, Serialize};

use crate::args::{EnvName, Global};
use crate::data_dir;
use crate::output::CliError;

/// The loopback redirect that matches any port, and the paste-the-code one.
const LOCAL_REDIRECT_URIS: [&str; 3] = [
    "http://127.0.0.1",
    "http://localhost",
    "urn:ietf:wg:oauth:2.0:oob",
];

#[derive(Debug)]
pub struct Context {
    pub env: EnvName,
    pub profile: String,
    pub data_dir: PathBuf,
    pub json: bool,
    pub client: Client,
    /// `<data dir>/<environment>`.
    pub env_dir: PathBuf,
    /// Kept alive for the command's life; dropping it ends the embedded HMRC.
    _embedded: Option<Running>,
}

/// The CLI's own application on a local HMRC, registered on first use.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StoredApplication {
    base_url: String,
    client_id: String,
    client_secret: String,
}

impl Context {
    pub async fn open(global: &Global) -> Result<Self, CliError> {
        let p = &global.profile;
        if p.is_empty()
            || p.len() > 64
            || !p
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(CliError::usage(format!("{p:?} is not a profile name"))
                .hint("use letters, digits, - and _ (up to 64)"));
        }
        let data_dir = data_dir::resolve(global.data_dir.clone())?;
        let env_dir = data_dir.join(global.env.as_str());
        let (environment, embedded) = match global.env {
            EnvName::Embedded => {
                data_dir::ensure_dir(&env_dir)?;
                let running = start_embedded(env_dir.join("hmrc.db")).await?;
                (Environment::local(&running.base_url()), Some(running))
            }
            EnvName::Local => {
                let base = std::env::var("MTD_BASE_URL")
                    .unwrap_or_else(|_| "http://127.0.0.1:9000".into());
                (Environment::local(&base), None)
            }
            EnvName::HmrcSandbox => (Environment::hmrc_sandbox(), None),
            EnvName::HmrcProduction => (Environment::hmrc_production(), None),
        };
        Ok(Self {
            env: global.env,
            profile: global.profile.clone(),
            data_dir: data_dir.clone(),
            json: global.json,
            client: Client::new(environment)
                .with_test_scenario(global.test_scenario.clone())
                .with_fraud_prevention(fraud_prevention(&data_dir, global.batch)?),
            env_dir,
            _embedded: embedded,
        })
    }

    pub fn is_local(&self) -> bool {
        matches!(self.env, EnvName::Embedded | EnvName::Local)
    }

    /// Refuses commands that only a local HMRC can answer.
    pub fn require_local(&self, what: &str) -> Result<(), CliError> {
        if self.is_local() {
            Ok(())
        } else {
            Err(CliError::usage(format!(
                "{what} works only on the local HMRC, not on {}",
                self.env.as_str()
            ))
            .hint("use --env embedded (the default) or --env local"))
        }
    }

    /// HMRC's "now": the local HMRC's clock (which tests and the journey move), or this machine's.
    pub async fn hmrc_now(&self) -> chrono::DateTime<chrono::Utc> {
        if self.is_local()
            && let Ok(c) = self.client.test_support().clock().await
            && let Ok(t) = chrono::DateTime::parse_from_rfc3339(&c.now)
        {
            return t.with_timezone(&chrono::Utc);
        }
        chrono::Utc::now()
    }

    /// This profile's authority in this environment, with its token store in the data dir.
    pub async fn authority(&self) -> Result<Authority, CliError> {
        self.authority_for(&self.profile).await
    }

    /// The tax year a command names (`2025-26`), or the one current on HMRC's clock.
    pub async fn tax_year(&self, given: Option<String>) -> Result<mtd_domain::TaxYear, CliError> {
        match given {
            Some(y) => mtd_domain::TaxYear::parse(&y).map_err(|e| {
                CliError::usage(format!("{y:?}: {e}")).hint("write a tax year like 2025-26")
            }),
            None => mtd_domain::TaxYear::containing(self.hmrc_now().await.date_naive())
                .ok_or_else(|| CliError::usage("give --tax-year")),
        }
    }

    /// Whose records a command is about: an agent's `--client NINO`, or the business's own NINO
    /// as this software learnt it when linking.
    pub fn whose_nino(
        &self,
        client: Option<String>,
        authority: &Authority,
    ) -> Result<mtd_domain::Nino, CliError> {
        let stored = authority.stored().ok().flatten();
        if stored.is_none() {
            return Err(mtd_client::tokens::FreshError::NoAuthority(
                mtd_client::tokens::AuthorityEnded::NotLinked,
            )
            .into());
        }
        match client.or_else(|| stored.and_then(|r| r.nino)) {
            Some(n) => mtd_domain::Nino::parse(&n)
                .map_err(|_| CliError::usage(format!("{n:?} is not a National Insurance number"))),
            None => Err(CliError::usage("this software does not know whose records these are")
                .hint("give the NINO with --client NINO (HMRC's sign-in does not tell software who signed in)")),
        }
    }

    /// Another profile's authority in this environment (an agent beside a business).
    pub async fn authority_for(&self, profile: &str) -> Result<Authority, CliError> {
        let store = TokenStore::open(&self.data_dir.join("tokens"))
            .map_err(|e| CliError::new("token-store", e.to_string()))?;
        let app = self.app_credentials().await?;
        Ok(Authority::new(
            self.client.clone(),
            app,
            store,
            self.env.as_str(),
            profile,
        ))
    }

    /// This software's application credentials for the environment: `MTD_CLIENT_ID` and
    /// `MTD_CLIENT_SECRET` for HMRC's; on a local HMRC, an application registered on first use.
    pub async fn app_credentials(&self) -> Result<AppCredentials, CliError> {
        if !self.is_local() {
            let id = std::env::var("MTD_CLIENT_ID").ok();
            let secret = std::env::var("MTD_CLIENT_SECRET").ok();
            return match (id, secret) {
                (Some(id), Some(secret)) => Ok(AppCredentials {
                    client_id: ClientId::new(id),
                    client_secret: ClientSecret::new(secret),
                }),
                _ => Err(CliError::usage(format!(
                    "{} needs this software's HMRC application credentials",
                    self.env.as_str()
                ))
                .hint("set MTD_CLIENT_ID and MTD_CLIENT_SECRET from HMRC's Developer Hub")),
            };
        }
        let path = self.env_dir.join("application.json");
        let base = self.client.environment().api_base.clone();
        if let Some(stored) = data_dir::read_json::<StoredApplication>(&path)?
            && (self.env == EnvName::Embedded || stored.base_url == base)
        {
            return Ok(AppCredentials {
                client_id: ClientId::new(stored.client_id),
                client_secret: ClientSecret::new(stored.client_secret),
            });
        }
        let app = self
            .client
            .test_support()
            .create_application(&NewApplication {
                name: "mtd".into(),
                redirect_uris: LOCAL_REDIRECT_URIS.iter().map(|s| s.to_string()).collect(),
                ..Default::default()
            })
            .await?;
        data_dir::write_private_json(
            &path,
            &StoredApplication {
                base_url: base,
                client_id: app.client_id.clone(),
                client_secret: app.client_secret.clone(),
            },
        )?;
        Ok(app.credentials())
    }
}

/// `DESKTOP_APP_DIRECT` for a person at a terminal, `BATCH_PROCESS_DIRECT` for unattended runs;
/// the device ID is the machine's, shared by every profile and environment.
fn fraud_prevention(data_dir: &Path, batch: bool) -> Result<FraudPrevention, CliError> {
    let method = if batch || !std::io::stdin().is_terminal() {
        ConnectionMethod::BatchProcessDirect
    } else {
        ConnectionMethod::DesktopAppDirect
    };
    let device = fraud_headers::device_id(data_dir).map_err(|e| {
        CliError::new(
            "data-dir",
            format!(
                "cannot keep this device's ID in {}: {e}",
                data_dir.display()
            ),
        )
    })?;
    Ok(FraudPrevention::direct(method, device, Vendor::mtd()))
}

/// The embedded HMRC refuses bad fraud prevention headers (HMRC only reports them), so a fault
/// in what this software sends shows at once.
async fn start_embedded(db: PathBuf) -> Result<Running, CliError> {
    let config = mtd_sandbox::Config {
        db: Some(db),
        strict_fraud_headers: true,
        ..mtd_sandbox::Config::default()
    };
    Running::start(config, ([127, 0, 0, 1], 0).into())
        .await
        .map_err(|e| {
            CliError::new(
                "embedded",
                format!("cannot start the embedded local HMRC: {e}"),
            )
        })
}
