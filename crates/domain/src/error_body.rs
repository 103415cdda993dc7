//! HMRC's JSON error body, shared by the local HMRC (which writes it) and the SDK (which reads it).

use serde::{Deserialize, Serialize};

/// `{"code", "message", "paths"?, "errors"?}`; several errors are wrapped in `INVALID_REQUEST`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HmrcErrorBody {
    pub code: String,
    #[serde(default)]
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paths: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<ErrorItem>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorItem {
    pub code: String,
    #[serde(default)]
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paths: Option<Vec<String>>,
}

impl HmrcErrorBody {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
            paths: None,
            errors: None,
        }
    }

    /// One error is sent bare; more are wrapped as HMRC wraps them.
    pub fn from_items(mut items: Vec<ErrorItem>) -> Self {
        if items.len() == 1 {
            let only = items.remove(0);
            return Self {
                code: only.code,
                message: only.message,
                paths: only.paths,
                errors: None,
            };
        }
        Self {
            code: "INVALID_REQUEST".into(),
            message: "Invalid request".into(),
            paths: None,
            errors: Some(items),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_bare_many_wrapped() {
        let item = |c: &str| ErrorItem {
            code: c.into(),
            message: "m".into(),
            paths: Some(vec!["/a".into()]),
        };
        let one = HmrcErrorBody::from_items(vec![item("FORMAT_VALUE")]);
        assert_eq!(one.code, "FORMAT_VALUE");
        assert_eq!(one.paths.as_deref(), Some(&["/a".to_owned()][..]));
        let two = HmrcErrorBody::from_items(vec![item("A"), item("B")]);
        assert_eq!(two.code, "INVALID_REQUEST");
        assert_eq!(two.errors.unwrap().len(), 2);
    }
}
