//! HMRC's OAuth 2.0 authorization server: the token endpoint and the tokens it hands out.

pub mod token;
pub mod tokens;
