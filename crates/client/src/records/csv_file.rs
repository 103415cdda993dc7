//! Reading a CSV export of a person's records, strictly: every row that cannot be read is reported
//! with its line, column and reason, never guessed at.
//!
//! The default layout is `date,description,category,amount,disallowable`: ISO dates, amounts
//! signed like a bank export (money in positive, money out negative), categories named as HMRC
//! names its fields (or by their Self Assessment box), and `yes` where part of an expense is
//! disallowable. A [`Mapping`] reads another export's columns, date format and categories.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use mtd_domain::{Money, MoneyError};
use serde::Deserialize;

use super::Record;
use super::category::BusinessKind;

/// How another export's columns and categories map onto records (a JSON file).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Mapping {
    /// The heading of the column holding each part of a record.
    #[serde(default)]
    pub columns: Columns,
    /// A `chrono` format, e.g. `%d/%m/%Y`.
    #[serde(default = "iso_date")]
    pub date_format: String,
    /// The export's category names, each to HMRC's field name (or box name).
    #[serde(default)]
    pub categories: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Columns {
    pub date: String,
    pub description: String,
    pub category: String,
    pub amount: String,
    /// Optional: without it no row is disallowable.
    pub disallowable: Option<String>,
}

impl Default for Columns {
    fn default() -> Self {
        Self {
            date: "date".into(),
            description: "description".into(),
            category: "category".into(),
            amount: "amount".into(),
            disallowable: Some("disallowable".into()),
        }
    }
}

fn iso_date() -> String {
    "%Y-%m-%d".into()
}

impl Mapping {
    /// The date format as a person writes it.
    pub fn date_shape(&self) -> String {
        self.date_format
            .replace("%Y", "YYYY")
            .replace("%m", "MM")
            .replace("%d", "DD")
    }

    /// Whether the date format can read back a date it wrote.
    pub fn date_format_works(&self) -> bool {
        use std::fmt::Write;
        let day = NaiveDate::from_ymd_opt(2025, 12, 31).expect("a real day");
        let mut text = String::new();
        write!(text, "{}", day.format(&self.date_format)).is_ok()
            && NaiveDate::parse_from_str(&text, &self.date_format) == Ok(day)
    }
}

impl Default for Mapping {
    fn default() -> Self {
        Self {
            columns: Columns::default(),
            date_format: iso_date(),
            categories: BTreeMap::new(),
        }
    }
}

/// A row that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RowError {
    /// 1-based line in the file (the heading is line 1).
    pub line: u64,
    /// The column's heading, where one column is at fault.
    pub column: Option<String>,
    pub reason: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.column {
            Some(c) => write!(f, "line {}, column {c}: {}", self.line, self.reason),
            None => write!(f, "line {}: {}", self.line, self.reason),
        }
    }
}

/// What a file held: the rows read, and the rows that could not be.
#[derive(Debug, Default)]
pub struct Parsed {
    pub records: Vec<Record>,
    pub errors: Vec<RowError>,
    /// Rows whose category belongs to the other kind of business only: many of them mean the
    /// file is that business's.
    pub other_kind_rows: usize,
    /// Every row under the heading.
    pub rows: usize,
}

/// Reads `bytes` (a whole CSV file) as records of a business of `kind`.
pub fn parse(bytes: &[u8], kind: BusinessKind, mapping: &Mapping) -> Parsed {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    // Windows line endings read as Unix ones: the csv crate's line count slips on `\r\n`.
    let unix: Vec<u8>;
    let bytes = if bytes.contains(&b'\r') {
        unix = bytes
            .iter()
            .enumerate()
            .filter(|&(i, b)| !(*b == b'\r' && bytes.get(i + 1) == Some(&b'\n')))
            .map(|(_, b)| *b)
            .collect();
        &unix[..]
    } else {
        bytes
    };
    let mut out = Parsed::default();
    let whole = |reason: &str| RowError {
        line: 1,
        column: None,
        reason: reason.into(),
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        out.errors.push(whole(
            "the file is empty: expected a heading line and records",
        ));
        return out;
    }
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let headings = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            out.errors
                .push(whole(&format!("the heading line cannot be read: {e}")));
            return out;
        }
    };
    let position = |name: &str| headings.iter().position(|h| h.eq_ignore_ascii_case(name));
    let c = &mapping.columns;
    let mut at = BTreeMap::new();
    for (part, name) in [
        ("date", &c.date),
        ("description", &c.description),
        ("category", &c.category),
        ("amount", &c.amount),
    ] {
        match position(name) {
            Some(i) => {
                at.insert(part, i);
            }
            None => out.errors.push(whole(&format!(
                "no column headed \"{name}\" (the headings are: {})",
                headings.iter().collect::<Vec<_>>().join(", ")
            ))),
        }
    }
    let disallowable_at = c.disallowable.as_deref().and_then(position);
    if !out.errors.is_empty() {
        return out;
    }
    for row in reader.records() {
        let row = match row {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                out.errors.push(RowError {
                    line,
                    column: None,
                    reason: match e.kind() {
                        csv::ErrorKind::Utf8 { .. } => "not UTF-8 text".into(),
                        _ => e.to_string(),
                    },
                });
                continue;
            }
        };
        let line = row.position().map_or(0, |p| p.line());
        if row.iter().all(str::is_empty) {
            continue;
        }
        if row.len() != headings.len() {
            out.errors.push(RowError {
                line,
                column: None,
                reason: format!(
                    "{} fields where the heading has {} (a field with a comma must be in double quotes, and amounts have no thousands separator)",
                    row.len(),
                    headings.len()
                ),
            });
            continue;
        }
        let field = |part: &str| row.get(at[part]).unwrap_or("");
        let fault = |part: &str, reason: String| RowError {
            line,
            column: Some(headings.get(at[part]).unwrap_or(part).to_owned()),
            reason,
        };
        // chrono takes `25` for a `%Y` year; no record is from the first millennium.
        let date = NaiveDate::parse_from_str(field("date"), &mapping.date_format)
            .ok()
            .filter(|d| d.year() >= 1000)
            .ok_or_else(|| {
                fault(
                    "date",
                    format!(
                        "\"{}\" is not a date in the form {} (or no such day exists)",
                        field("date"),
                        mapping.date_shape()
                    ),
                )
            });
        let amount = parse_amount(field("amount")).map_err(|r| fault("amount", r));
        let named = field("category");
        let category = mapping.categories.get(named).map_or(named, String::as_str);
        out.rows += 1;
        if kind.category(category).is_none() && kind.other().category(category).is_some() {
            out.other_kind_rows += 1;
        }
        let category = kind.category(category).ok_or_else(|| {
            fault(
                "category",
                format!(
                    "\"{named}\" is not a {kind} category (use HMRC's field names, such as {})",
                    kind.categories()[0].field
                ),
            )
        });
        let disallowable = match disallowable_at.and_then(|i| row.get(i)) {
            None => Ok(false),
            Some(flag) => parse_flag(flag).ok_or_else(|| RowError {
                line,
                column: c.disallowable.clone(),
                reason: format!("\"{flag}\" is not yes or no"),
            }),
        };
        match (date, amount, category, disallowable) {
            (Ok(date), Ok(amount), Ok(category), Ok(disallowable)) => {
                if disallowable && !category.may_be_disallowable {
                    out.errors.push(RowError {
                        line,
                        column: c.disallowable.clone(),
                        reason: format!("{} has no disallowable part to record", category.field),
                    });
                    continue;
                }
                out.records.push(Record {
                    line,
                    date,
                    description: field("description").to_owned(),
                    category: category.field,
                    amount,
                    disallowable,
                });
            }
            (date, amount, category, disallowable) => out.errors.extend(
                [date.err(), amount.err(), category.err(), disallowable.err()]
                    .into_iter()
                    .flatten(),
            ),
        }
    }
    if out.records.is_empty() && out.errors.is_empty() {
        out.errors
            .push(whole("the file has a heading line but no records"));
    }
    out
}

fn parse_amount(s: &str) -> Result<Money, String> {
    Money::parse(s).map_err(|e| match e {
        MoneyError::TooManyPlaces => format!("{s} has more than two decimal places"),
        MoneyError::NotANumber if s.contains(',') => match s.rsplit_once(',') {
            Some((_, tail))
                if tail.split('.').next().map(str::len) == Some(3)
                    && Money::parse(&s.replace(',', "")).is_ok() =>
            {
                format!(
                    "{s} has a thousands separator; write {}",
                    s.replace(',', "")
                )
            }
            _ => format!("{s} has a comma; write amounts with a decimal point, like 1234.50"),
        },
        MoneyError::NotANumber if s.is_empty() => "no amount".into(),
        MoneyError::NotANumber => format!("\"{s}\" is not an amount such as -12.50"),
    })
}

fn parse_flag(s: &str) -> Option<bool> {
    match s.to_ascii_lowercase().as_str() {
        "" | "no" | "n" | "false" | "0" => Some(false),
        "yes" | "y" | "true" | "1" => Some(true),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SE: BusinessKind = BusinessKind::SelfEmployment;

    fn read(text: &str) -> Parsed {
        parse(text.as_bytes(), SE, &Mapping::default())
    }

    fn errors(text: &str) -> Vec<String> {
        read(text).errors.iter().map(ToString::to_string).collect()
    }

    const HEAD: &str = "date,description,category,amount,disallowable\n";

    #[test]
    fn reads_the_default_layout() {
        let p = read(&format!(
            "{HEAD}2025-04-07,Invoice 1,turnover,333.30,\n2025-04-28,\"Phone, broadband\",adminCosts,-9.30,yes\n"
        ));
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        assert_eq!(p.records.len(), 2);
        assert_eq!(p.records[1].description, "Phone, broadband");
        assert_eq!(p.records[1].amount, Money::parse("-9.30").unwrap());
        assert!(p.records[1].disallowable);
        assert_eq!(p.records[1].line, 3);
    }

    #[test]
    fn byte_order_mark_and_windows_line_endings_are_read() {
        let text = format!(
            "\u{feff}{}2025-04-07,Invoice,turnover,1.00,\r\n",
            HEAD.replace('\n', "\r\n")
        );
        let p = read(&text);
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        assert_eq!(
            p.records[0].date,
            NaiveDate::from_ymd_opt(2025, 4, 7).unwrap()
        );
    }

    #[test]
    fn each_bad_row_names_its_line_and_column() {
        let e = errors(&format!(
            "{HEAD}2025-02-30,Bad day,turnover,1.00,\n2025-04-07,Three places,turnover,1.005,\n2025-04-07,Thousands,turnover,\"1,234.00\",\n2025-04-07,Unknown,sandwiches,-1.00,\n2025-04-07,Unquoted, comma,turnover,1.00,\n2025-04-07,Flag,adminCosts,-1.00,maybe\n"
        ));
        assert_eq!(e.len(), 6, "{e:#?}");
        assert!(e[0].starts_with("line 2, column date:"), "{}", e[0]);
        assert!(e[1].starts_with("line 3, column amount:") && e[1].contains("two decimal places"));
        assert!(e[2].starts_with("line 4, column amount:") && e[2].contains("write 1234.00"));
        assert!(parse_amount("1,5").unwrap_err().contains("decimal point"));
        let short = errors(&format!("{HEAD}25-05-01,Short year,turnover,1.00,\n"));
        assert!(short[0].contains("YYYY-MM-DD"), "{short:?}");
        assert!(e[3].starts_with("line 5, column category:") && e[3].contains("sandwiches"));
        assert!(e[4].starts_with("line 6:") && e[4].contains("double quotes"));
        assert!(e[5].starts_with("line 7, column disallowable:"));
    }

    #[test]
    fn lines_are_counted_through_quoted_commas_crlf_and_a_byte_order_mark() {
        let e = errors(
            "\u{feff}date,description,category,amount,disallowable\r\n2025-04-07,A,turnover,1.00,\r\n\
             2025-04-08,\"Fuel, van\",carVanTravelExpenses,-40.00,\r\n2025-02-30,Bad,turnover,1.00,\r\n",
        );
        assert!(e[0].starts_with("line 4,"), "{e:?}");
    }

    #[test]
    fn an_empty_file_or_a_missing_column_is_said() {
        assert!(errors("")[0].contains("empty"));
        assert!(errors(HEAD)[0].contains("no records"));
        assert!(
            errors("date,amount\n2025-04-07,1.00\n")[0]
                .contains("no column headed \"description\"")
        );
    }

    #[test]
    fn a_mapping_reads_another_export() {
        let mapping: Mapping = serde_json::from_str(
            r#"{"columns": {"date": "Date", "description": "Memo", "category": "Type", "amount": "Value", "disallowable": null},
                "dateFormat": "%d/%m/%Y", "categories": {"Sales": "turnover", "Fuel": "Car, van and travel expenses"}}"#,
        )
        .unwrap();
        let p = parse(
            b"Date,Memo,Type,Value\n07/04/2025,Shop,Sales,10.00\n08/04/2025,Diesel,Fuel,-40.00\n",
            SE,
            &mapping,
        );
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        assert_eq!(p.records[1].category, "carVanTravelExpenses");
    }

    #[test]
    fn property_expenses_have_no_disallowable_part() {
        let p = parse(
            format!("{HEAD}2025-05-01,Repairs,repairsAndMaintenance,-1.00,yes\n").as_bytes(),
            BusinessKind::UkProperty,
            &Mapping::default(),
        );
        assert!(p.errors[0].reason.contains("no disallowable part"));
    }
}
