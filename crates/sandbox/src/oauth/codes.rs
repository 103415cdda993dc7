//! Authorization codes: single use, ten minutes on the sandbox clock, bound to the application,
//! the redirect URI, the user, the scopes and any PKCE challenge. Only hashes are stored.

use base64::Engine;
use rusqlite::{OptionalExtension, params};
use sha2::{Digest, Sha256};

use crate::secrets::{random_hex32, sha256_hex};
use crate::store::{Store, StoreError};

pub const CODE_MS: i64 = 10 * 60 * 1000;

#[derive(Debug)]
pub struct NewCode<'a> {
    pub client_id: &'a str,
    pub user_id: &'a str,
    pub redirect_uri: &'a str,
    pub scopes: &'a str,
    pub code_challenge: Option<&'a str>,
}

pub fn issue(store: &Store, c: &NewCode<'_>, now_ms: i64) -> Result<String, StoreError> {
    let code = random_hex32();
    store.write(|tx| {
        tx.execute(
            "INSERT INTO auth_codes (code_hash, client_id, user_id, redirect_uri, scopes, code_challenge, expires_at_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![sha256_hex(&code), c.client_id, c.user_id, c.redirect_uri, c.scopes, c.code_challenge, now_ms + CODE_MS],
        )
    })?;
    Ok(code)
}

/// A live code as issued.
#[derive(Debug)]
pub struct IssuedCode {
    pub code_hash: String,
    pub user_id: String,
    pub redirect_uri: String,
    pub scopes: String,
    pub code_challenge: Option<String>,
}

/// The unused, unexpired code of `client_id`, if `code` is one. Nothing is changed.
pub fn find(
    store: &Store,
    client_id: &str,
    code: &str,
    now_ms: i64,
) -> Result<Option<IssuedCode>, StoreError> {
    let hash = sha256_hex(code);
    Ok(store
        .reader()
        .query_row(
            "SELECT user_id, redirect_uri, scopes, code_challenge FROM auth_codes
             WHERE code_hash = ?1 AND client_id = ?2 AND used = 0 AND expires_at_ms > ?3",
            params![hash, client_id, now_ms],
            |r| {
                Ok(IssuedCode {
                    code_hash: hash.clone(),
                    user_id: r.get(0)?,
                    redirect_uri: r.get(1)?,
                    scopes: r.get(2)?,
                    code_challenge: r.get(3)?,
                })
            },
        )
        .optional()?)
}

/// Marks a code used; `false` if another exchange got there first.
pub fn spend(tx: &rusqlite::Transaction<'_>, code_hash: &str) -> Result<bool, rusqlite::Error> {
    Ok(tx.execute(
        "UPDATE auth_codes SET used = 1 WHERE code_hash = ?1 AND used = 0",
        [code_hash],
    )? == 1)
}

/// RFC 7636: 43 to 128 characters of `[A-Za-z0-9-._~]`.
pub fn verifier_is_well_formed(v: &str) -> bool {
    (43..=128).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

/// Whether `verifier` hashes (S256) to `challenge`.
pub fn verifier_matches(verifier: &str, challenge: &str) -> bool {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
        == challenge
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_7636_appendix_b() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert!(verifier_is_well_formed(verifier));
        assert!(verifier_matches(
            verifier,
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        ));
        assert!(!verifier_matches(
            verifier,
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cN"
        ));
        assert!(!verifier_is_well_formed("short"));
        assert!(!verifier_is_well_formed(&"a".repeat(129)));
        assert!(!verifier_is_well_formed(&format!("{}!", "a".repeat(50))));
    }
}
