//! `Gov-Test-Scenario`: HMRC's sandbox header that picks a canned outcome. No header,
//! `DEFAULT` and `STATEFUL` mean the local HMRC's normal, stateful behaviour; a named scenario
//! gives its outcome; anything else is `RULE_INCORRECT_GOV_TEST_SCENARIO`.

use axum::http::{HeaderMap, StatusCode};

use crate::error::ApiError;

/// The scenario named by the request, if it is one of `known`; `None` for the stateful default.
pub fn pick<'a>(headers: &HeaderMap, known: &[&'a str]) -> Result<Option<&'a str>, ApiError> {
    let Some(value) = headers.get("gov-test-scenario") else {
        return Ok(None);
    };
    let Ok(value) = value.to_str().map(str::trim) else {
        return Err(incorrect());
    };
    if value.is_empty() || value == "DEFAULT" || value == "STATEFUL" {
        return Ok(None);
    }
    known
        .iter()
        .find(|k| **k == value)
        .map(|k| Some(*k))
        .ok_or_else(incorrect)
}

fn incorrect() -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "RULE_INCORRECT_GOV_TEST_SCENARIO",
        "The supplied Gov-Test-Scenario is not valid",
    )
}
