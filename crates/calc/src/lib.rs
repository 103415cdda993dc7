//! `mtd-calc`: the tax engine the local HMRC's calculations will run on.
//!
//! Pure functions over the rules of `../shared/reference/tax-rules.md`; no I/O, no clock.
//! The crate holds no rules yet: the calculations issue fills it. It exists now so the
//! dependency direction (sandbox → calc → domain, never calc → sandbox) is fixed from the start.
