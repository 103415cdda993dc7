//! Where HMRC is: the API host (`/oauth/token`, the APIs) and the web host (`/oauth/authorize`
//! and the sign-in pages). The local HMRC serves both on one origin.

/// Base URLs, without a trailing slash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Environment {
    pub api_base: String,
    pub www_base: String,
}

impl Environment {
    /// A local HMRC (embedded or `mtd sandbox serve`) at one origin.
    pub fn local(base: &str) -> Self {
        let base = base.trim_end_matches('/').to_owned();
        Self {
            api_base: base.clone(),
            www_base: base,
        }
    }

    pub fn hmrc_sandbox() -> Self {
        Self {
            api_base: "https://test-api.service.hmrc.gov.uk".into(),
            www_base: "https://test-www.tax.service.gov.uk".into(),
        }
    }

    pub fn hmrc_production() -> Self {
        Self {
            api_base: "https://api.service.hmrc.gov.uk".into(),
            www_base: "https://www.tax.service.gov.uk".into(),
        }
    }

    pub fn api_url(&self, path: &str) -> String {
        format!("{}{path}", self.api_base)
    }

    pub fn www_url(&self, path: &str) -> String {
        format!("{}{path}", self.www_base)
    }
}
