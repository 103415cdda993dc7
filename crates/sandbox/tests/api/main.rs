//! The local HMRC driven over HTTP with the real SDK (and raw requests where the SDK is too
//! polite to send what is being tested). One test binary; one fresh server per test.

mod act_for;
mod annual;
mod attacks;
mod authorize;
mod browser;
mod business_details;
mod conformance;
mod error_codes;
mod foreign_property;
mod fraud_headers;
mod gateway;
mod helpers;
mod in_year;
mod invitations;
mod journey;
mod oauth_token;
mod path_errors;
mod signup;
mod test_support;
mod test_users;
