//! `mtd-client`: a typed SDK for HMRC's Making Tax Digital for Income Tax APIs.
//!
//! The same client talks to the local HMRC, HMRC's sandbox or HMRC's production: only the
//! [`Environment`]'s base URLs differ. Shape: [`Client`] → a handler per API
//! ([`Client::hello`], [`Client::test_users`], [`Client::test_support`]) → a call returning a
//! typed answer or an [`Error`] that keeps HMRC's evidence.
//!
//! Secrets (client secret, access and refresh tokens) are `oauth2` types whose `Debug` is
//! redacted; their values are read only where a request needs them.

pub mod api;
mod environment;
mod error;
pub mod fraud_headers;
pub mod oauth;
pub mod records;
pub mod tokens;
mod transport;

pub use environment::Environment;
pub use error::{Error, HmrcError};
pub use oauth::{AppCredentials, TokenSet};
pub use oauth2::{AccessToken, ClientId, ClientSecret, RefreshToken};

/// HMRC's standard rate limit per application, which the client keeps under.
pub const HMRC_RATE_LIMIT: u32 = 3;

/// The entry point: one per environment, cheap to clone.
#[derive(Debug, Clone)]
pub struct Client {
    env: Environment,
    http: reqwest::Client,
    oauth_http: reqwest::Client,
    pacer: std::sync::Arc<transport::Pacer>,
    /// `Gov-Test-Scenario` for HMRC's sandbox and the local HMRC.
    test_scenario: Option<String>,
    /// The fraud prevention headers every MTD request carries.
    fraud: Option<std::sync::Arc<fraud_headers::FraudPrevention>>,
}

impl Client {
    pub fn new(env: Environment) -> Self {
        let builder =
            || reqwest::Client::builder().user_agent(concat!("mtd/", env!("CARGO_PKG_VERSION")));
        // HMRC may move API endpoints with redirects, but a token request must never follow one
        // (RFC 6749 §10.3), so the token endpoint has its own client.
        let http = builder().build().expect("the TLS backend is compiled in");
        let oauth_http = builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("the TLS backend is compiled in");
        let pacer = std::sync::Arc::new(transport::Pacer::new(HMRC_RATE_LIMIT));
        Self {
            env,
            http,
            oauth_http,
            pacer,
            test_scenario: None,
            fraud: None,
        }
    }

    /// Spaces this client's API requests to at most `per_second` (0: no spacing).
    pub fn with_rate_limit(mut self, per_second: u32) -> Self {
        self.pacer = std::sync::Arc::new(transport::Pacer::new(per_second));
        self
    }

    /// Sends `Gov-Test-Scenario: NAME` on MTD API calls (HMRC's sandbox and the local HMRC).
    pub fn with_test_scenario(mut self, scenario: Option<String>) -> Self {
        self.test_scenario = scenario;
        self
    }

    /// Sends fraud prevention headers on MTD API calls, as the law requires.
    pub fn with_fraud_prevention(mut self, fraud: fraud_headers::FraudPrevention) -> Self {
        self.fraud = Some(std::sync::Arc::new(fraud));
        self
    }

    pub fn fraud_prevention(&self) -> Option<&fraud_headers::FraudPrevention> {
        self.fraud.as_deref()
    }

    /// Adds what every MTD API request carries: the fraud prevention headers, collected now, and
    /// the test scenario.
    pub(crate) fn api_request(&self, mut req: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        if let Some(f) = &self.fraud {
            for (h, v) in f.headers_now().sent {
                req = req.header(h.name(), v);
            }
        }
        match &self.test_scenario {
            Some(s) => req.header("Gov-Test-Scenario", s),
            None => req,
        }
    }

    /// HMRC's Agent Authorisation API (MTD-IT) and its test support.
    pub fn agent_authorisation(&self) -> api::agent_authorisation::AgentAuthorisation<'_> {
        api::agent_authorisation::AgentAuthorisation { client: self }
    }

    /// Business Details: income sources.
    pub fn business_details(&self) -> api::business_details::BusinessDetails<'_> {
        api::business_details::BusinessDetails { client: self }
    }

    /// Annual submissions of self-employments and UK property businesses.
    pub fn annual(&self) -> api::annual::Annual<'_> {
        api::annual::Annual { client: self }
    }

    /// Obligations: what HMRC expects, and when.
    pub fn obligations(&self) -> api::obligations::Obligations<'_> {
        api::obligations::Obligations { client: self }
    }

    /// Self-Employment Business: cumulative period summaries.
    pub fn self_employment(&self) -> api::self_employment::SelfEmployment<'_> {
        api::self_employment::SelfEmployment { client: self }
    }

    /// Property Business: UK property cumulative period summaries.
    pub fn property_business(&self) -> api::property_business::PropertyBusiness<'_> {
        api::property_business::PropertyBusiness { client: self }
    }

    /// HMRC's Self Assessment Test Support (sandbox only).
    pub fn sa_test_support(&self) -> api::sa_test_support::SaTestSupport<'_> {
        api::sa_test_support::SaTestSupport { client: self }
    }

    /// HMRC's Test Fraud Prevention Headers API (sandbox only).
    pub fn test_fraud_prevention(&self) -> api::test_fraud_prevention::TestFraudPrevention<'_> {
        api::test_fraud_prevention::TestFraudPrevention { client: self }
    }

    /// Self Assessment Individual Details (ITSA status).
    pub fn individual_details(&self) -> api::individual_details::IndividualDetails<'_> {
        api::individual_details::IndividualDetails { client: self }
    }

    pub fn environment(&self) -> &Environment {
        &self.env
    }

    /// HMRC's Hello World API.
    pub fn hello(&self) -> api::hello::Hello<'_> {
        api::hello::Hello { client: self }
    }

    /// HMRC's Create Test User API (HMRC's sandbox and the local HMRC only).
    pub fn test_users(&self) -> api::test_users::TestUsers<'_> {
        api::test_users::TestUsers { client: self }
    }

    /// The local HMRC's `/test-support/` endpoints (the local HMRC only).
    pub fn test_support(&self) -> api::test_support::TestSupport<'_> {
        api::test_support::TestSupport { client: self }
    }

    /// OAuth 2.0 with this application's credentials.
    pub fn oauth<'a>(&'a self, app: &'a AppCredentials) -> oauth::OAuth<'a> {
        oauth::OAuth { client: self, app }
    }
}
