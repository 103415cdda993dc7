//! `mtd-sandbox`: a stateful local HMRC.
//!
//! Layout: one module per HMRC service, each owning its routes, its tables and its errors.
//! - [`store`] SQLite and its migrations; [`clock`] the sandbox clock kept in it.
//! - [`apps`] applications (Developer Hub); [`test_users`] Create Test User.
//! - [`oauth`] `/oauth/authorize`, the grant page, the token endpoint, codes and tokens.
//! - [`gg`] Government Gateway pages: sign in, 2-step verification, identity checks.
//! - [`web`] what every page shares: layout, browser session, form nonces.
//! - `manage` HMRC's "manage authorised applications" pages.
//! - [`gateway`] the checks in front of every API, and the table of every endpoint.
//! - [`hello`] HMRC's Hello World API; [`test_support`] local-only scripting endpoints.
//! - [`router`] lists every route; [`serve`] runs it on a bound listener until shutdown.

pub mod agents;
pub mod apis;
pub mod apps;
pub mod cli;
pub mod clock;
pub mod error;
pub mod fraud;
pub mod gateway;
pub mod gg;
mod hello;
pub mod itsa_status;
mod json_body;
mod manage;
pub mod oauth;
pub mod obligations;
pub mod router;
pub mod secrets;
pub mod signup;
pub mod store;
mod test_support;
pub mod test_users;
pub mod web;

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use secrets::PasswordCost;
use store::{Store, StoreError};

/// HMRC's standard limit: three requests a second per application.
pub const DEFAULT_RATE_LIMIT: u32 = 3;

/// How the local HMRC runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// The database file; `None` keeps everything in memory.
    pub db: Option<PathBuf>,
    /// Requests a second per application, unless the application sets its own; 0 for none.
    pub rate_limit: u32,
    /// Serve `/test-support/` at all.
    pub test_support: bool,
    /// Serve `/test-support/` to callers that are not on loopback.
    pub expose_test_support: bool,
    pub password_cost: PasswordCost,
    /// The grant-authority journey's unpublished numbers and unconfirmed behaviours.
    pub journey: gg::JourneySettings,
    /// Refuse MTD requests whose fraud prevention headers have errors (HMRC only reports them).
    pub strict_fraud_headers: bool,
    /// Sees every answer of an API endpoint (conformance checks in tests).
    pub observer: Option<gateway::Observer>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            db: None,
            rate_limit: DEFAULT_RATE_LIMIT,
            test_support: true,
            expose_test_support: false,
            password_cost: PasswordCost::Interactive,
            journey: gg::JourneySettings::default(),
            strict_fraud_headers: false,
            observer: None,
        }
    }
}

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    pub store: Arc<Store>,
    pub config: Arc<Config>,
    /// Password hashing takes 19 MiB and tens of milliseconds each: at most two at once, so a
    /// burst of sign-ins or new users queues instead of taking the machine's memory.
    pub hashing: Arc<tokio::sync::Semaphore>,
    /// When each endpoint's fraud-header verdict was last written, to spare the database.
    pub fraud_recorded: Arc<fraud::Recorded>,
}

impl AppState {
    /// Runs password work (`f`) off the async workers, two at a time.
    pub async fn hash<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, error::ApiError> {
        let _permit = self
            .hashing
            .acquire()
            .await
            .map_err(|e| error::ApiError::Internal(e.to_string()))?;
        tokio::task::spawn_blocking(f)
            .await
            .map_err(|e| error::ApiError::Internal(e.to_string()))
    }
}

impl AppState {
    pub fn new(config: Config) -> Result<Self, StoreError> {
        let store = match &config.db {
            Some(path) => Store::open(path)?,
            None => Store::in_memory()?,
        };
        Ok(Self {
            store: Arc::new(store),
            config: Arc::new(config),
            hashing: Arc::new(tokio::sync::Semaphore::new(2)),
            fraud_recorded: Arc::default(),
        })
    }
}

/// Serves the local HMRC on `listener` until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router::build(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

/// A local HMRC running on a background task, as the CLI embeds it and tests start it.
#[derive(Debug)]
pub struct Running {
    pub addr: SocketAddr,
    pub state: AppState,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    /// Binds `addr` (port 0 for any free port) and starts serving.
    pub async fn start(config: Config, addr: SocketAddr) -> Result<Self, StartError> {
        let state = AppState::new(config)?;
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(serve(listener, state.clone(), async {
            let _ = stopped.await;
        }));
        Ok(Self {
            addr,
            state,
            stop: Some(stop),
            task,
        })
    }

    /// `http://127.0.0.1:PORT`, the one origin serving both HMRC hosts' paths.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting, finishes in-flight requests and waits.
    pub async fn stop(mut self) -> std::io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        (&mut self.task)
            .await
            .unwrap_or_else(|e| Err(std::io::Error::other(e)))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(
        "cannot listen on {0}: {1} (choose another address with --addr, or port 0 for any free port)"
    )]
    Bind(SocketAddr, std::io::Error),
    #[error("cannot listen: {0}")]
    Io(#[from] std::io::Error),
}
