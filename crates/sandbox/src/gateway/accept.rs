//! The `Accept: application/vnd.hmrc.X.Y+json` header, which picks an API's version.

/// A parsed `Accept` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcceptHeader {
    pub version: String,
    pub json: bool,
}

/// `None` when the header is not `application/vnd.hmrc.{major}.{minor}+{json|xml}`.
pub fn parse(value: &str) -> Option<AcceptHeader> {
    let rest = value.trim().strip_prefix("application/vnd.hmrc.")?;
    let (version, format) = rest.split_once('+')?;
    let (major, minor) = version.split_once('.')?;
    let numeric = |s: &str| !s.is_empty() && s.len() <= 3 && s.bytes().all(|b| b.is_ascii_digit());
    if !numeric(major) || !numeric(minor) {
        return None;
    }
    let json = match format {
        "json" => true,
        "xml" => false,
        _ => return None,
    };
    Some(AcceptHeader {
        version: version.to_owned(),
        json,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        assert_eq!(
            parse("application/vnd.hmrc.1.0+json"),
            Some(AcceptHeader {
                version: "1.0".into(),
                json: true
            })
        );
        assert_eq!(
            parse("application/vnd.hmrc.2.0+xml").map(|a| a.json),
            Some(false)
        );
        for bad in [
            "",
            "application/json",
            "application/vnd.hmrc.1+json",
            "application/vnd.hmrc.1.0",
            "application/vnd.hmrc.a.0+json",
            "application/vnd.hmrc.1.0+yaml",
            "*/*",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}
