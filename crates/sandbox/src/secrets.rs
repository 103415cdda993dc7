//! Secrets the local HMRC hands out and how it keeps them.
//!
//! Tokens, codes and client secrets are long random values, so a SHA-256 of each is enough to
//! store (nobody can guess through a fast hash what was never guessable). Passwords are chosen
//! for people to type, so they get argon2id.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::Rng;
use rand::distr::{Alphanumeric, SampleString};
use sha2::{Digest, Sha256};

/// 32 lower-case hex characters, the shape of HMRC's tokens and codes.
pub fn random_hex32() -> String {
    hex::encode(rand::rng().random::<[u8; 16]>())
}

pub fn random_alphanumeric(len: usize) -> String {
    Alphanumeric.sample_string(&mut rand::rng(), len)
}

pub fn sha256_hex(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// How hard argon2id works. `Interactive` is OWASP's recommendation; `Cheap` is for tests and
/// bulk seeding, where the passwords are throwaway test credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordCost {
    Interactive,
    Cheap,
}

fn argon2(cost: PasswordCost) -> Argon2<'static> {
    let params = match cost {
        PasswordCost::Interactive => Params::new(19 * 1024, 2, 1, None),
        PasswordCost::Cheap => Params::new(256, 1, 1, None),
    }
    .expect("constant argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub fn hash_password(password: &str, cost: PasswordCost) -> String {
    let salt = SaltString::encode_b64(&rand::rng().random::<[u8; 16]>()).expect("16 bytes fit");
    argon2(cost)
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 with valid parameters cannot fail")
        .to_string()
}

/// Checks a password against a stored PHC string (whatever cost it was made with).
pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_round_trip() {
        for cost in [PasswordCost::Cheap, PasswordCost::Interactive] {
            let h = hash_password("aBcD3fGh1jKl", cost);
            assert!(h.starts_with("$argon2id$"));
            assert!(verify_password("aBcD3fGh1jKl", &h));
            assert!(!verify_password("aBcD3fGh1jKm", &h));
        }
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn tokens_look_like_hmrc_tokens() {
        let t = random_hex32();
        assert_eq!(t.len(), 32);
        assert!(
            t.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        );
        assert_ne!(t, random_hex32());
    }
}
