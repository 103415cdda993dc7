//! The SDK's errors keep the evidence: HMRC's status, code, message, per-field errors and
//! correlation ID, or the raw body when it could not be read.

use mtd_domain::HmrcErrorBody;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// HMRC answered with an error body.
    #[error("HMRC answered {} {}: {}", .0.status, .0.body.code, .0.body.message)]
    Hmrc(Box<HmrcError>),
    /// The OAuth token endpoint refused (`invalid_grant`, `invalid_client`, …).
    #[error("HMRC's token endpoint answered {status} {error}: {description}")]
    OAuth {
        status: u16,
        error: String,
        description: String,
    },
    /// The request did not complete: connection refused, timeout, TLS.
    #[error("could not reach HMRC: {0}")]
    Transport(#[from] reqwest::Error),
    /// The user did not grant authority (or HMRC ended the journey): `error=access_denied`.
    #[error("authority was not granted: {description} ({})", error_code.as_deref().unwrap_or(error))]
    AuthorizationRefused {
        error: String,
        description: String,
        error_code: Option<String>,
    },
    /// The answer to the redirect URI does not belong to the journey this software started.
    #[error(
        "the answer from HMRC's sign-in pages does not match the request this software made (state mismatch)"
    )]
    StateMismatch,
    /// HMRC's web pages could not be followed (the local HMRC's page driver only).
    #[error("HMRC's {page} page: {message}")]
    Journey { page: String, message: String },
    /// An answer that is not what HMRC documents.
    #[error("unexpected answer from HMRC ({status}): {reason}")]
    Decode {
        status: u16,
        reason: String,
        raw: String,
        correlation_id: Option<String>,
    },
}

/// An HMRC error response.
#[derive(Debug, Clone)]
pub struct HmrcError {
    pub status: u16,
    pub body: HmrcErrorBody,
    pub correlation_id: Option<String>,
}

impl Error {
    /// HMRC's error code, when HMRC gave one.
    pub fn hmrc_code(&self) -> Option<&str> {
        match self {
            Error::Hmrc(e) => Some(&e.body.code),
            Error::OAuth { error, .. } => Some(error),
            Error::AuthorizationRefused {
                error_code, error, ..
            } => Some(error_code.as_deref().unwrap_or(error)),
            _ => None,
        }
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Hmrc(e) => Some(e.status),
            Error::OAuth { status, .. } | Error::Decode { status, .. } => Some(*status),
            Error::Transport(e) => e.status().map(|s| s.as_u16()),
            _ => None,
        }
    }

    pub fn correlation_id(&self) -> Option<&str> {
        match self {
            Error::Hmrc(e) => e.correlation_id.as_deref(),
            Error::Decode { correlation_id, .. } => correlation_id.as_deref(),
            _ => None,
        }
    }
}
