//! HMRC's MTD Income Tax APIs, one module per API, behind the gateway. Each handler receives the
//! gateway's [`Caller`](crate::gateway::Caller), which for a NINO-scoped endpoint says whom it
//! acts for.

pub mod agent_authorisation;
pub mod agent_test_support;
pub mod annual_store;
pub mod body;
pub mod building_allowance;
pub mod business_details;
pub mod cumulative;
pub mod foreign_property;
pub mod individual_details;
pub mod late_accounting_date;
pub mod obligations;
pub mod periods_of_account;
pub mod property_annual;
pub mod property_business;
pub mod sa_test_support;
pub mod scenario;
pub mod self_employment;
pub mod self_employment_annual;
pub mod test_business;
pub mod vendor_state;

use axum::http::StatusCode;
use mtd_domain::{ErrorItem, TaxYear};

use crate::error::ApiError;
use crate::gateway::Caller;
use crate::gateway::act_for::ActingFor;

/// The client the gateway allowed this request to act for.
pub fn acting_for(caller: &Caller) -> Result<&ActingFor, ApiError> {
    caller.acting_for.as_ref().ok_or_else(|| {
        ApiError::Internal("a NINO-scoped endpoint reached without its client".into())
    })
}

/// A tax year path parameter, or the error item HMRC gives for it.
pub fn tax_year(raw: &str) -> Result<TaxYear, ErrorItem> {
    TaxYear::parse(raw).map_err(|e| ErrorItem {
        code: e.code().into(),
        message: e.to_string(),
        paths: None,
    })
}

/// Several validation failures answer 400 together, wrapped as HMRC wraps them.
pub fn invalid(items: Vec<ErrorItem>) -> ApiError {
    ApiError::items(StatusCode::BAD_REQUEST, items)
}
