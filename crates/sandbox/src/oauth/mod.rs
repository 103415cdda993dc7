//! HMRC's OAuth 2.0 authorization server: `/oauth/authorize` and the grant-authority pages it
//! starts, the token endpoint, and the codes and tokens they hand out.

pub mod authorize;
pub mod codes;
pub mod grant;
pub mod token;
pub mod tokens;
