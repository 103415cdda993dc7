//! RFC 6238 authenticator codes: 6 digits, 30-second steps, one step of skew either way, on the
//! wall clock (a real authenticator app knows nothing of the sandbox clock). A step once accepted
//! is never accepted again.

use totp_rs::{Algorithm, Secret, TOTP};

const STEP_SECS: u64 = 30;

/// A fresh 160-bit secret, base32 as authenticator apps take it.
pub fn new_secret() -> String {
    Secret::Raw(rand::random::<[u8; 20]>().to_vec())
        .to_encoded()
        .to_string()
}

fn totp(secret_b32: &str) -> Option<TOTP> {
    let bytes = Secret::Encoded(secret_b32.to_owned()).to_bytes().ok()?;
    TOTP::new(Algorithm::SHA1, 6, 1, STEP_SECS, bytes).ok()
}

/// The time step `code` belongs to, if it is valid now and later than `last_step`.
pub fn accept(secret_b32: &str, code: &str, last_step: Option<i64>, wall_secs: u64) -> Option<i64> {
    let totp = totp(secret_b32)?;
    let code = code.trim();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now = wall_secs / STEP_SECS;
    [now.saturating_sub(1), now, now + 1]
        .into_iter()
        .filter(|step| last_step.is_none_or(|last| *step as i64 > last))
        .find(|step| totp.generate(step * STEP_SECS) == code)
        .map(|step| step as i64)
}

/// The `otpauth://` address an authenticator app scans.
pub fn otpauth_url(secret_b32: &str, account: &str) -> String {
    let enc = |s: &str| {
        url::form_urlencoded::byte_serialize(s.as_bytes())
            .collect::<String>()
            .replace('+', "%20")
    };
    format!(
        "otpauth://totp/{}:{}?secret={secret_b32}&issuer={}&algorithm=SHA1&digits=6&period={STEP_SECS}",
        enc("HMRC (local)"),
        enc(account),
        enc("HMRC (local)")
    )
}

/// The QR code of `data` as inline SVG.
pub fn qr_svg(data: &str) -> Option<String> {
    let code = qrcode::QrCode::new(data.as_bytes()).ok()?;
    Some(
        code.render::<qrcode::render::svg::Color>()
            .min_dimensions(200, 200)
            .build(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_6238_sha1_vectors() {
        // RFC 6238 appendix B, SHA-1, seed "12345678901234567890", last six digits.
        let secret = Secret::Raw(b"12345678901234567890".to_vec())
            .to_encoded()
            .to_string();
        let t = totp(&secret).unwrap();
        assert_eq!(t.generate(59), "287082");
        assert_eq!(t.generate(1_111_111_109), "081804");
        assert_eq!(t.generate(1_234_567_890), "005924");
        assert_eq!(t.generate(2_000_000_000), "279037");
    }

    #[test]
    fn skew_and_replay() {
        let secret = new_secret();
        let t = totp(&secret).unwrap();
        let now = 1_700_000_000u64;
        let step = (now / 30) as i64;
        let code = t.generate(now);
        assert_eq!(accept(&secret, &code, None, now), Some(step));
        assert_eq!(
            accept(&secret, &code, Some(step), now),
            None,
            "a used step is refused"
        );
        assert_eq!(
            accept(&secret, &t.generate(now - 30), None, now),
            Some(step - 1),
            "one step behind"
        );
        assert_eq!(
            accept(&secret, &t.generate(now - 60), None, now),
            None,
            "two steps behind"
        );
        assert_eq!(accept(&secret, "12345", None, now), None);
        assert!(
            qr_svg(&otpauth_url(&secret, "123456789012"))
                .unwrap()
                .starts_with("<?xml")
        );
    }
}
