//! Request bodies judged as HMRC's validators judge them, against a declared shape: an unknown
//! field, a wrong type or an empty object is `RULE_INCORRECT_OR_EMPTY_BODY_SUBMITTED`; an amount
//! out of range or with more than two places is `FORMAT_VALUE`; a bad date is the field's own
//! format code. Every failure names its JSON pointer in `paths`, and failures of one code and
//! message share one item, as HMRC reports them.

use mtd_domain::{ErrorItem, Money};
use rust_decimal::Decimal;
use serde_json::Value;

/// The biggest amount HMRC takes: 99999999999.99.
pub fn max_amount() -> Decimal {
    Decimal::new(9_999_999_999_999, 2)
}

#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// An amount from zero up.
    Amount,
    /// An amount that may be negative.
    SignedAmount,
    /// An amount from zero up to a lower cap, in pounds.
    CappedAmount(i64),
    /// `YYYY-MM-DD`; the code for a bad one.
    Date(&'static str),
    Bool,
    /// A non-empty string, checked further by the endpoint.
    Text,
    /// A name as HMRC's schemas allow one (1 to 90 letters, digits and common punctuation);
    /// `FORMAT_STRING` otherwise.
    Label,
    /// One of the values; the code for anything else.
    Choice(&'static [&'static str], &'static str),
    Object(&'static [Field]),
    /// A non-empty array of objects.
    List(&'static [Field]),
}

#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub name: &'static str,
    pub kind: Kind,
    pub required: bool,
}

pub const fn field(name: &'static str, kind: Kind) -> Field {
    Field {
        name,
        kind,
        required: false,
    }
}

pub const fn required(name: &'static str, kind: Kind) -> Field {
    Field {
        name,
        kind,
        required: true,
    }
}

/// Errors found so far, merged by code and message.
#[derive(Debug, Default)]
pub struct Findings(Vec<ErrorItem>);

pub const EMPTY_OR_WRONG: &str = "RULE_INCORRECT_OR_EMPTY_BODY_SUBMITTED";

impl Findings {
    pub fn add(&mut self, code: &str, message: &str, path: &str) {
        if let Some(item) = self
            .0
            .iter_mut()
            .find(|i| i.code == code && i.message == message)
        {
            let paths = item.paths.get_or_insert_with(Vec::new);
            if !path.is_empty() && !paths.iter().any(|p| p == path) {
                paths.push(path.to_owned());
            }
            return;
        }
        self.0.push(ErrorItem {
            code: code.into(),
            message: message.into(),
            paths: (!path.is_empty()).then(|| vec![path.to_owned()]),
        });
    }

    pub fn empty_or_wrong(&mut self, path: &str) {
        self.add(
            EMPTY_OR_WRONG,
            "An empty or non-matching body was submitted",
            path,
        );
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_items(self) -> Vec<ErrorItem> {
        self.0
    }
}

/// The amount in a JSON number, exactly as written (up to the precision JSON numbers carry).
pub fn amount(v: &Value) -> Option<Result<Money, ()>> {
    let n = v.as_number()?;
    Some(Money::parse(&n.to_string()).map_err(|_| ()))
}

fn check_amount(v: &Value, min: Decimal, max: Decimal, path: &str, out: &mut Findings) {
    match amount(v) {
        None => out.empty_or_wrong(path),
        Some(Ok(m)) if (min..=max).contains(&m.as_decimal()) => {}
        Some(_) => out.add(
            "FORMAT_VALUE",
            &format!("The value must be between {min} and {max}"),
            path,
        ),
    }
}

/// A date field's value, if it is a real `YYYY-MM-DD` date.
pub fn date(v: &Value) -> Option<chrono::NaiveDate> {
    let s = v.as_str()?;
    (s.len() == 10)
        .then(|| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
        .flatten()
}

/// Checks `v` at `path` against `fields`.
pub fn check_object(v: &Value, fields: &[Field], path: &str, out: &mut Findings) {
    let Some(obj) = v.as_object() else {
        out.empty_or_wrong(path);
        return;
    };
    if obj.is_empty() {
        out.empty_or_wrong(path);
        return;
    }
    for key in obj.keys() {
        if !fields.iter().any(|f| f.name == key) {
            out.empty_or_wrong(&format!("{path}/{key}"));
        }
    }
    for f in fields {
        let here = format!("{path}/{}", f.name);
        let Some(value) = obj.get(f.name) else {
            if f.required {
                out.empty_or_wrong(&here);
            }
            continue;
        };
        match f.kind {
            Kind::Amount => check_amount(value, Decimal::ZERO, max_amount(), &here, out),
            Kind::SignedAmount => check_amount(value, -max_amount(), max_amount(), &here, out),
            Kind::CappedAmount(cap) => {
                check_amount(value, Decimal::ZERO, Decimal::new(cap * 100, 2), &here, out)
            }
            Kind::Date(code) => {
                if date(value).is_none() {
                    out.add(code, "The date is invalid: give it as YYYY-MM-DD", &here);
                }
            }
            Kind::Bool => {
                if !value.is_boolean() {
                    out.empty_or_wrong(&here);
                }
            }
            Kind::Text => {
                if value.as_str().is_none_or(|s| s.trim().is_empty()) {
                    out.empty_or_wrong(&here);
                }
            }
            Kind::Label => {
                let ok = value.as_str().is_some_and(|t| {
                    (1..=90).contains(&t.chars().count())
                        && t.chars().all(|c| {
                            c.is_ascii_alphanumeric()
                                || ('\u{c0}'..='\u{2ff}').contains(&c)
                                || "{}’- _&`():.'^".contains(c)
                        })
                });
                if !ok {
                    out.add(
                        "FORMAT_STRING",
                        "The value must be 1 to 90 letters, digits or punctuation",
                        &here,
                    );
                }
            }
            Kind::Choice(allowed, code) => {
                if !value.as_str().is_some_and(|v| allowed.contains(&v)) {
                    out.add(code, "The value is not one of those allowed", &here);
                }
            }
            Kind::Object(inner) => check_object(value, inner, &here, out),
            Kind::List(inner) => match value.as_array() {
                Some(items) if !items.is_empty() => {
                    for (i, item) in items.iter().enumerate() {
                        check_object(item, inner, &format!("{here}/{i}"), out);
                    }
                }
                _ => out.empty_or_wrong(&here),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const INCOME: &[Field] = &[
        field("turnover", Kind::Amount),
        field("other", Kind::Amount),
    ];
    const BODY: &[Field] = &[
        field("periodIncome", Kind::Object(INCOME)),
        field("start", Kind::Date("FORMAT_START_DATE")),
    ];

    fn findings(v: Value) -> Vec<ErrorItem> {
        let mut f = Findings::default();
        check_object(&v, BODY, "", &mut f);
        f.into_items()
    }

    #[test]
    fn bad_values_name_their_paths() {
        let items = findings(json!({
            "periodIncome": { "turnover": -1, "other": 1.001, "extra": 1 },
            "start": "2025-02-30"
        }));
        let codes: Vec<(&str, Vec<String>)> = items
            .iter()
            .map(|i| (i.code.as_str(), i.paths.clone().unwrap()))
            .collect();
        assert!(codes.contains(&(
            "FORMAT_VALUE",
            vec![
                "/periodIncome/turnover".into(),
                "/periodIncome/other".into()
            ]
        )));
        assert!(codes.contains(&(EMPTY_OR_WRONG, vec!["/periodIncome/extra".into()])));
        assert!(codes.contains(&("FORMAT_START_DATE", vec!["/start".into()])));
    }

    #[test]
    fn limits() {
        assert!(findings(json!({ "periodIncome": { "turnover": 99999999999.99 } })).is_empty());
        assert_eq!(
            findings(json!({ "periodIncome": { "turnover": 100000000000.00 } }))[0].code,
            "FORMAT_VALUE"
        );
        assert_eq!(
            findings(json!({ "periodIncome": { "turnover": "12" } }))[0].code,
            EMPTY_OR_WRONG
        );
        assert_eq!(
            findings(json!({ "periodIncome": {} }))[0].code,
            EMPTY_OR_WRONG
        );
    }
}
