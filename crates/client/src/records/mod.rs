//! A person's digital records and what they add up to: read from a CSV export
//! ([`csv_file`]), kept in SQLite in the data dir ([`store`]), and summed exactly into the
//! year-to-date figures of a cumulative period summary ([`totals`]), with a receipt of every
//! submission ([`receipts`]).

pub mod category;
pub mod csv_file;
pub mod receipts;
pub mod store;
pub mod totals;

use chrono::NaiveDate;
use mtd_domain::Money;

pub use category::{BusinessKind, Category, Side};

/// One line of a person's records, signed like a bank export: money in positive, money out
/// negative (a refund of an expense is positive).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Record {
    /// Where it came from in its file (1-based; the heading is line 1).
    pub line: u64,
    pub date: NaiveDate,
    pub description: String,
    /// HMRC's field name.
    pub category: &'static str,
    pub amount: Money,
    /// Whether the expense cannot be claimed (it still counts in its expense field, and also in
    /// the matching `…Disallowable` field).
    pub disallowable: bool,
}
