//! Redirect URIs as HMRC's Developer Hub accepts them (`platform.md` §3.5), and how a requested
//! one is matched against those registered.

use url::Url;

pub const OOB: &str = "urn:ietf:wg:oauth:2.0:oob";
pub const OOB_AUTO: &str = "urn:ietf:wg:oauth:2.0:oob:auto";

/// Why a redirect URI cannot be registered.
pub fn validate(uri: &str) -> Result<(), &'static str> {
    if uri == OOB || uri == OOB_AUTO {
        return Ok(());
    }
    if uri.trim().is_empty() {
        return Err("must not be blank");
    }
    if uri.len() > 2048 {
        return Err("must be at most 2048 characters");
    }
    if uri.contains('#') {
        return Err("must not contain a fragment");
    }
    let url = Url::parse(uri).map_err(|_| "must be an absolute URI")?;
    match url.scheme() {
        "https" if url.host().is_some() => Ok(()),
        "http" if is_loopback(&url) => Ok(()),
        "http" => Err("must use https unless the host is localhost"),
        _ => Err("must be an https URI, a localhost URI or urn:ietf:wg:oauth:2.0:oob"),
    }
}

fn is_loopback(url: &Url) -> bool {
    matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"))
}

/// Whether `requested` is allowed by the `registered` URI: the same string, or, for a registered
/// loopback `http` URI without a port, any port on the same host and path (RFC 8252 §7.3); a
/// registered loopback URI with no path at all (`http://localhost`) allows any path.
pub fn matches(registered: &str, requested: &str) -> bool {
    if registered == requested {
        return true;
    }
    let (Ok(reg), Ok(req)) = (Url::parse(registered), Url::parse(requested)) else {
        return false;
    };
    reg.scheme() == "http"
        && is_loopback(&reg)
        && reg.port().is_none()
        && req.scheme() == "http"
        && req.host_str() == reg.host_str()
        && req.fragment().is_none()
        && (req.path() == reg.path() && req.query() == reg.query()
            || has_no_path(registered) && req.query().is_none())
}

fn has_no_path(uri: &str) -> bool {
    uri.split_once("://")
        .is_some_and(|(_, rest)| !rest.contains(['/', '?']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmrc_examples() {
        for ok in [
            "https://www.example.com/auth-redirect",
            "https://www.example.com:8080/auth-redirect",
            "https://www.example.com:8080/auth-redirect?some_parameter=some_value",
            "http://localhost:8080",
            "http://localhost",
            "http://127.0.0.1/callback",
            OOB,
            OOB_AUTO,
        ] {
            assert_eq!(validate(ok), Ok(()), "{ok}");
        }
        for bad in [
            "http://www.example.com:8080/auth-redirect",
            "/auth-redirect",
            "https://www.example.com:8080/auth-redirect#some_fragment",
            "",
            "   ",
            "myapp://callback",
            "urn:ietf:wg:oauth:2.0:oob:other",
        ] {
            assert!(validate(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn loopback_without_port_matches_any_port() {
        assert!(matches("http://localhost", "http://localhost:53211/"));
        assert!(matches(
            "http://localhost",
            "http://localhost:53211/callback"
        ));
        assert!(!matches(
            "http://localhost/",
            "http://localhost:53211/callback"
        ));
        assert!(matches(
            "http://127.0.0.1/callback",
            "http://127.0.0.1:4000/callback"
        ));
        assert!(!matches(
            "http://127.0.0.1/callback",
            "http://127.0.0.1:4000/other"
        ));
        assert!(!matches(
            "http://localhost:9004/callback",
            "http://localhost:9005/callback"
        ));
        assert!(!matches("https://example.com", "https://example.com:444"));
        assert!(!matches("http://localhost", "http://127.0.0.1:80/"));
        assert!(matches("https://example.com/cb", "https://example.com/cb"));
    }
}
