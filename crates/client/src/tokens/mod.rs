//! Keeping a linked identity's tokens safe, and fresh.
//!
//! [`store`] keeps one encrypted record per environment and profile; [`fresh`] hands out an access
//! token that is good to use, refreshing it at most once however many threads and processes ask
//! at the same moment.

pub mod fresh;
pub mod store;

pub use fresh::{Authority, AuthorityEnded, FreshError, GRANT_DAYS, Grantor};
pub use store::{StoredTokens, TokenStore};
