//! One module per HMRC API.

pub mod agent_authorisation;
pub mod annual;
pub mod business_details;
pub mod hello;
pub mod individual_details;
pub mod obligations;
pub mod property_business;
mod request;

pub use request::Submitted;
pub mod sa_test_support;
pub mod self_employment;
pub mod test_fraud_prevention;
pub mod test_support;
pub mod test_users;
