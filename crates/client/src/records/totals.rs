//! Year-to-date totals from records, exact to the penny, as HMRC expects them in a cumulative
//! period summary: income positive, expenses positive (a refund makes an expense smaller), and a
//! disallowable expense counted both in its field and in the `…Disallowable` twin.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use mtd_domain::Money;
use serde_json::{Map, Value, json};

use super::Record;
use super::category::{BusinessKind, Side};
use crate::api::property_business::UkCumulativeSummary;
use crate::api::self_employment::CumulativeSummary;

/// The totals of one business over a period, keyed by HMRC's field name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    pub fields: BTreeMap<String, Money>,
}

impl Totals {
    /// Sums the records of a business of `kind` dated from `from` to `to`, both included.
    pub fn of(kind: BusinessKind, records: &[Record], from: NaiveDate, to: NaiveDate) -> Self {
        let mut fields: BTreeMap<String, Money> = BTreeMap::new();
        for r in records.iter().filter(|r| (from..=to).contains(&r.date)) {
            let Some(category) = kind.category(r.category) else {
                continue;
            };
            let signed = match category.side {
                Side::Income => r.amount,
                Side::Expense => Money::ZERO - r.amount,
            };
            let mut add = |key: String| {
                let sum = fields.entry(key).or_default();
                *sum = *sum + signed;
            };
            add(category.field.to_owned());
            if r.disallowable {
                add(format!("{}Disallowable", category.field));
            }
        }
        Self { fields }
    }

    fn group(&self, kind: BusinessKind, side: Side, disallowable: bool) -> Map<String, Value> {
        kind.categories()
            .iter()
            .filter(|c| c.side == side)
            .filter_map(|c| {
                let key = if disallowable {
                    format!("{}Disallowable", c.field)
                } else {
                    c.field.to_owned()
                };
                let amount = self.fields.get(&key)?;
                Some((key, json!(amount)))
            })
            .collect()
    }

    /// The body of a Self-Employment Business cumulative period summary.
    pub fn self_employment(&self) -> CumulativeSummary {
        let kind = BusinessKind::SelfEmployment;
        let mut body = Map::new();
        for (name, group) in [
            ("periodIncome", self.group(kind, Side::Income, false)),
            ("periodExpenses", self.group(kind, Side::Expense, false)),
            (
                "periodDisallowableExpenses",
                self.group(kind, Side::Expense, true),
            ),
        ] {
            if !group.is_empty() {
                body.insert(name.into(), Value::Object(group));
            }
        }
        serde_json::from_value(Value::Object(body)).expect("the fields are HMRC's")
    }

    /// The body of a UK property cumulative period summary.
    pub fn uk_property(&self) -> UkCumulativeSummary {
        let kind = BusinessKind::UkProperty;
        let mut property = Map::new();
        for (name, group) in [
            ("income", self.group(kind, Side::Income, false)),
            ("expenses", self.group(kind, Side::Expense, false)),
        ] {
            if !group.is_empty() {
                property.insert(name.into(), Value::Object(group));
            }
        }
        serde_json::from_value(json!({ "ukProperty": property })).expect("the fields are HMRC's")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every category reaches HMRC's body: none is dropped on the way into the typed summary.
    #[test]
    fn every_category_lands_in_the_body() {
        let day = NaiveDate::from_ymd_opt(2025, 5, 1).unwrap();
        for kind in [BusinessKind::SelfEmployment, BusinessKind::UkProperty] {
            let records: Vec<Record> = kind
                .categories()
                .iter()
                .map(|c| Record {
                    line: 2,
                    date: day,
                    description: String::new(),
                    category: c.field,
                    amount: Money::from_pence(-123),
                    disallowable: c.may_be_disallowable,
                })
                .collect();
            let totals = Totals::of(kind, &records, day, day);
            let body = match kind {
                BusinessKind::SelfEmployment => serde_json::to_value(totals.self_employment()),
                BusinessKind::UkProperty => serde_json::to_value(totals.uk_property()),
            }
            .unwrap();
            let text = body.to_string();
            for key in totals.fields.keys() {
                assert!(
                    text.contains(&format!("\"{key}\"")),
                    "{kind}: {key} missing from {text}"
                );
            }
            assert_eq!(
                totals.fields.len(),
                records.len() + records.iter().filter(|r| r.disallowable).count()
            );
        }
    }
}
