//! The `serve` command, shared by the `mtd-sandbox` binary and `mtd sandbox serve`.

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::{AppState, Config, StartError, serve as run};

#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:9000")]
    pub addr: SocketAddr,
    /// SQLite database file; created if missing. Without it, state lives in memory.
    #[arg(long)]
    pub db: Option<PathBuf>,
    /// Requests a second per application (HMRC's standard is 3); 0 for no limit.
    #[arg(long, default_value_t = crate::DEFAULT_RATE_LIMIT)]
    pub rate_limit: u32,
    /// Serve /test-support/ to callers that are not on this machine.
    #[arg(long)]
    pub expose_test_support: bool,
    /// Do not serve /test-support/ at all.
    #[arg(long, conflicts_with = "expose_test_support")]
    pub no_test_support: bool,
    /// Refuse MTD requests whose fraud prevention headers have errors, with the local-only
    /// 400 INVALID_FRAUD_PREVENTION_HEADERS (HMRC only reports them).
    #[arg(long)]
    pub strict_fraud_headers: bool,
}

impl ServeArgs {
    pub fn config(&self) -> Config {
        Config {
            db: self.db.clone(),
            rate_limit: self.rate_limit,
            test_support: !self.no_test_support,
            expose_test_support: self.expose_test_support,
            strict_fraud_headers: self.strict_fraud_headers,
            ..Config::default()
        }
    }
}

/// Logs to stderr; `RUST_LOG` picks the level (default `info`). Colour only on a terminal.
pub fn init_logging() {
    let filter =
        tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    use std::io::IsTerminal;
    let _ = tracing_subscriber::fmt()
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Serves until Ctrl-C.
pub async fn serve(args: ServeArgs) -> Result<(), StartError> {
    let state = AppState::new(args.config())?;
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .map_err(|e| StartError::Bind(args.addr, e))?;
    let addr = listener.local_addr()?;
    tracing::info!(
        "local HMRC listening on http://{addr} (rate limit {}, test support {})",
        args.rate_limit,
        if args.no_test_support {
            "off"
        } else if args.expose_test_support {
            "exposed"
        } else {
            "loopback only"
        }
    );
    run(listener, state, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}
