//! The structures and buildings allowance as HMRC's annual submissions share it (self-employment
//! and property alike): each claim's amount, first-year qualifying facts and building.

use serde_json::Value;

use super::body::{Field, Findings, Kind, field, required};

const FIRST_YEAR: &[Field] = &[
    required("qualifyingDate", Kind::Date("FORMAT_DATE")),
    required("qualifyingAmountExpenditure", Kind::Amount),
];
const BUILDING: &[Field] = &[
    field("name", Kind::Label),
    field("number", Kind::Label),
    required("postcode", Kind::Label),
];
/// One claim.
pub const CLAIM: &[Field] = &[
    required("amount", Kind::Amount),
    field("firstYear", Kind::Object(FIRST_YEAR)),
    required("building", Kind::Object(BUILDING)),
];

/// The two lists of claims, by name.
pub const LISTS: [&str; 2] = [
    "structuredBuildingAllowance",
    "enhancedStructuredBuildingAllowance",
];

/// `RULE_BUILDING_NAME_NUMBER`: each building in `allowances` (at `path`) needs a name or a number.
pub fn name_or_number(allowances: Option<&Value>, path: &str, found: &mut Findings) {
    for list in LISTS {
        let items = allowances
            .and_then(|a| a.get(list))
            .and_then(Value::as_array);
        for (i, item) in items.into_iter().flatten().enumerate() {
            let b = item.get("building");
            if b.is_some_and(|b| b.get("name").is_none() && b.get("number").is_none()) {
                found.add(
                    "RULE_BUILDING_NAME_NUMBER",
                    "A building needs a name or a number",
                    &format!("{path}/{list}/{i}/building"),
                );
            }
        }
    }
}
