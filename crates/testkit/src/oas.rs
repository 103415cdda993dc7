//! HMRC's published API definitions in `../shared/hmrc-oas/`, read offline as fixtures: JSON
//! schemas with `$ref`s resolved relative to their file, draft-04 and later, Handlebars
//! feature-switch blocks taken as enabled (the newest published behaviour), nothing fetched.
//!
//! The folder is found from `MTD_HMRC_OAS`, else as `shared/hmrc-oas` beside this checkout or
//! one of its parents. Without it, [`root`] is `None` and conformance checks are skipped loudly
//! (`.ci/run` looks for the folder and says whether it found it).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use jsonschema::{Retrieve, Uri, Validator};
use serde_json::Value;

/// Where the definitions are, if this machine has them.
#[expect(
    clippy::print_stderr,
    reason = "skipped conformance checks must say so where a person running the tests will see it"
)]
pub fn root() -> Option<&'static Path> {
    static ROOT: OnceLock<Option<PathBuf>> = OnceLock::new();
    ROOT.get_or_init(|| {
        let found = std::env::var_os("MTD_HMRC_OAS")
            .map(PathBuf::from)
            .filter(|p| p.is_dir())
            .or_else(|| {
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .ancestors()
                    .map(|a| a.join("shared/hmrc-oas"))
                    .find(|p| p.is_dir())
            });
                if found.is_none() {
            eprintln!("SKIPPED: conformance to HMRC's definitions (no shared/hmrc-oas found; set MTD_HMRC_OAS)");
        }
        found
    })
    .as_deref()
}

/// A definition file's text with Handlebars switches resolved: `{{#if …}}` content kept (its
/// `{{else}}` part dropped), `{{#unless …}}` blocks (test-only labels) dropped.
pub fn without_handlebars(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    // Each open block: whether its content is being kept.
    let mut keeping: Vec<bool> = Vec::new();
    while let Some(start) = rest.find("{{") {
        let visible = keeping.iter().all(|k| *k);
        if visible {
            out.push_str(&rest[..start]);
        }
        let Some(len) = rest[start..].find("}}") else {
            break;
        };
        let tag = &rest[start + 2..start + len];
        match tag.split_whitespace().next().unwrap_or("") {
            "#if" => keeping.push(true),
            "#unless" => keeping.push(false),
            "else" => {
                if let Some(k) = keeping.last_mut() {
                    *k = !*k;
                }
            }
            "/if" | "/unless" => {
                keeping.pop();
            }
            _ => {}
        }
        rest = &rest[start + len + 2..];
    }
    if keeping.iter().all(|k| *k) {
        out.push_str(rest);
    }
    out
}

/// Without commas that end a list or an object, which one published schema has.
fn without_trailing_commas(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if *c == ',' {
            let next = chars[i + 1..].iter().find(|n| !n.is_whitespace());
            if matches!(next, Some('}' | ']')) {
                continue;
            }
        }
        out.push(*c);
    }
    out
}

fn read(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&without_handlebars(&text)).map_err(|e| format!("{}: {e}", path.display()))
}

/// A schema: read as `read` does, and forgiving the trailing commas HMRC published in one. HMRC
/// writes its error schemas in YAML.
fn read_schema(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let text = without_handlebars(&text);
    if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
        return serde_norway::from_str(&text).map_err(|e| format!("{}: {e}", path.display()));
    }
    serde_json::from_str(&without_trailing_commas(&text))
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// A definition's JSON file (an example), by its path under the root.
pub fn json(relative: &str) -> Option<Value> {
    root().map(|r| read(&r.join(relative)).unwrap_or_else(|e| panic!("{e}")))
}

/// Files referred to by `$ref`, from disk only.
struct Files;

impl Retrieve for Files {
    fn retrieve(
        &self,
        uri: &Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let path = uri
            .as_str()
            .strip_prefix("file://")
            .ok_or_else(|| format!("only local files are read, not {uri}"))?;
        Ok(read_schema(Path::new(path))?)
    }
}

/// The validator for a schema file under the root, built once.
pub fn schema(relative: &str) -> Option<Arc<Validator>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<Validator>>>> = OnceLock::new();
    let root = root()?;
    let mut cache = CACHE.get_or_init(Default::default).lock().unwrap();
    if let Some(v) = cache.get(relative) {
        return Some(v.clone());
    }
    let path = root.join(relative);
    let mut doc = read_schema(&path).unwrap_or_else(|e| panic!("{e}"));
    // The file's own address, so relative `$ref`s resolve beside it (draft-04 calls it `id`).
    let address = format!("file://{}", path.display());
    if let Some(obj) = doc.as_object_mut() {
        obj.insert("id".into(), Value::String(address.clone()));
        obj.insert("$id".into(), Value::String(address));
    }
    let validator = jsonschema::options()
        .with_retriever(Files)
        .build(&doc)
        .unwrap_or_else(|e| panic!("{relative}: {e}"));
    let v = Arc::new(validator);
    cache.insert(relative.to_owned(), v.clone());
    Some(v)
}

/// The error codes an operation's definition lists, with their statuses: the names of the
/// examples under each non-success response, which HMRC spells as the codes themselves.
/// `relative` is the operation's YAML file under the root; `method` picks the operation where
/// the file holds several. Empty when the definitions are not here.
pub fn error_codes(relative: &str, method: &str) -> Vec<(u16, String)> {
    let Some(root) = root() else {
        return Vec::new();
    };
    let path = root.join(relative);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let doc: serde_norway::Value = serde_norway::from_str(&without_handlebars(&text))
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let operation = doc.get(method.to_lowercase()).unwrap_or(&doc);
    let Some(responses) = operation.get("responses").and_then(|r| r.as_mapping()) else {
        panic!("{relative}: no responses for {method}");
    };
    let mut codes = Vec::new();
    for (status, response) in responses {
        let status = match status {
            serde_norway::Value::Number(n) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
            serde_norway::Value::String(s) => s.parse().ok(),
            _ => None,
        };
        let Some(status) = status.filter(|s| *s >= 400) else {
            continue;
        };
        let examples = response
            .get("content")
            .and_then(|c| c.get("application/json"))
            .and_then(|j| j.get("examples"))
            .and_then(|e| e.as_mapping());
        for name in examples.into_iter().flat_map(|m| m.keys()) {
            if let Some(code) = name.as_str().filter(|n| {
                n.chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
            }) {
                codes.push((status, code.to_owned()));
            }
        }
    }
    codes
}

/// The example requests an operation's definition publishes, as paths under the root (empty when
/// the definitions are not here). `method` picks the operation as for [`error_codes`].
pub fn example_requests(relative: &str, method: &str) -> Vec<String> {
    let Some(root) = root() else {
        return Vec::new();
    };
    let path = root.join(relative);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let doc: serde_norway::Value = serde_norway::from_str(&without_handlebars(&text))
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let operation = doc.get(method.to_lowercase()).unwrap_or(&doc);
    let dir = Path::new(relative).parent().unwrap_or(Path::new(""));
    let contents = operation
        .get("requestBody")
        .and_then(|b| b.get("content"))
        .and_then(|c| c.as_mapping());
    let mut out = Vec::new();
    for media in contents.into_iter().flat_map(|m| m.values()) {
        let examples = media.get("examples").and_then(|e| e.as_mapping());
        for example in examples.into_iter().flat_map(|m| m.values()) {
            let reference = example
                .get("value")
                .and_then(|v| v.get("$ref"))
                .and_then(|r| r.as_str());
            if let Some(r) = reference {
                let joined = dir.join(r.trim_start_matches("./"));
                out.push(joined.to_string_lossy().into_owned());
            }
        }
    }
    out
}

/// The `Gov-Test-Scenario` values an operation's description lists in its table of test data
/// (the first cell of each row that is a name in capitals), without `STATEFUL` and the default,
/// each with what HMRC says it simulates.
pub fn test_scenarios(relative: &str, method: &str) -> Vec<(String, String)> {
    let Some(root) = root() else {
        return Vec::new();
    };
    let path = root.join(relative);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let doc: serde_norway::Value = serde_norway::from_str(&without_handlebars(&text))
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let operation = doc.get(method.to_lowercase()).unwrap_or(&doc);
    let description = operation
        .get("description")
        .and_then(|d| d.as_str())
        .unwrap_or("");
    description
        .lines()
        .filter_map(|line| {
            let mut cells = line.trim().strip_prefix('|')?.split('|').map(str::trim);
            Some((cells.next()?, cells.next().unwrap_or("")))
        })
        .filter(|(name, _)| {
            name.len() > 1
                && *name != "STATEFUL"
                && name
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        })
        .map(|(name, what)| (name.to_owned(), what.to_owned()))
        .collect()
}

/// A `multipleOf` failure that only floating point made: money like -120.5 is a multiple of 0.01
/// in decimal, whatever binary arithmetic says.
fn multiple_in_decimal(e: &jsonschema::ValidationError<'_>) -> bool {
    use rust_decimal::Decimal;
    use std::str::FromStr;
    let jsonschema::error::ValidationErrorKind::MultipleOf { multiple_of } = e.kind else {
        return false;
    };
    let (Some(n), Ok(step)) = (
        e.instance
            .as_number()
            .and_then(|n| Decimal::from_str(&n.to_string()).ok()),
        Decimal::from_str(&multiple_of.to_string()),
    ) else {
        return false;
    };
    !step.is_zero() && (n % step).is_zero()
}

/// Whether `instance` fits the schema; every violation, with where it is.
pub fn check(relative: &str, instance: &Value) -> Result<(), String> {
    let Some(v) = schema(relative) else {
        return Ok(());
    };
    let errors: Vec<String> = v
        .iter_errors(instance)
        .filter(|e| !multiple_in_decimal(e))
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(format!("{relative}: {}", errors.join("; ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handlebars_switches() {
        let t = r#"{"a": 1{{#if (enabled 'x')}}, "b": 2{{/if}}, "label": "{{#unless (releasedInProduction 'y')}}[Test only] {{/unless}}Name"}"#;
        assert_eq!(
            without_handlebars(t),
            r#"{"a": 1, "b": 2, "label": "Name"}"#
        );
    }

    #[test]
    fn a_published_schema_judges_its_example() {
        let (Some(_), Some(example)) = (
            root(),
            json(
                "obligations-api/3.0/examples/retrieve_cumulative_periodic_obligations_ty_25_26.json",
            ),
        ) else {
            return;
        };
        check(
            "obligations-api/3.0/schemas/retrieve_periodic_obligations_response.json",
            &example,
        )
        .unwrap();
        let mut broken = example.clone();
        // A required field gone, and one the definition does not know.
        broken["obligations"][0]["obligationDetails"][0]
            .as_object_mut()
            .unwrap()
            .remove("dueDate");
        broken["obligations"][0]["obligationDetails"][1]["late"] = true.into();
        assert!(
            check(
                "obligations-api/3.0/schemas/retrieve_periodic_obligations_response.json",
                &broken
            )
            .is_err()
        );
    }

    #[test]
    fn lists_an_operations_error_codes() {
        if root().is_none() {
            return;
        }
        let codes = error_codes(
            "business-details-api/2.0/quarterly_period_type_create_amend.yaml",
            "put",
        );
        assert!(
            codes.contains(&(400, "RULE_QUARTERLY_PERIOD_UPDATING".to_owned())),
            "{codes:?}"
        );
        assert!(
            codes.contains(&(404, "RULE_BUSINESS_ID_NOT_FOUND".to_owned())),
            "{codes:?}"
        );
        assert!(codes.iter().all(|(s, _)| *s >= 400), "{codes:?}");
    }
}
