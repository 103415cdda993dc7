//! What every web page of the local HMRC shares: the page shell, the browser session and its
//! one-time form nonces, and reading form posts.
//!
//! Pages are plain server-rendered HTML that works without JavaScript. Every form carries the
//! session's current nonce; a post is accepted only with that nonce, which it then replaces, so a
//! forged post (no nonce), a replayed one (an old nonce) and a double submit are all refused.

pub mod form;
pub mod layout;
pub mod session;

pub use form::PageForm;
pub use layout::{Page, notice, page, see_other};
pub use session::Session;
