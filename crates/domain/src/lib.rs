//! `mtd-domain`: the vocabulary shared by the SDK, the CLI and the local HMRC.
//!
//! Every identifier HMRC uses is a newtype with a private field, built only through
//! `parse`/`FromStr` (or a checked constructor), so a value of the type is always valid.
//! Serde goes through the same validation. Money is exact decimal, never a float.
//! This crate does no I/O.

pub mod country;
mod error_body;
pub mod fraud_prevention;
mod identifiers;
mod money;
mod scope;
mod tax_year;

pub use error_body::{ErrorItem, HmrcErrorBody};
pub use identifiers::{
    Arn, BusinessId, IdentifierError, MtdItId, Nino, SaUtr, mod11_check_digit, mod23_check_letter,
};
pub use money::{Money, MoneyError};
pub use scope::{Scope, ScopeError, Scopes};
pub use tax_year::{TaxYear, TaxYearError};
