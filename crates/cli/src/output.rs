//! How results and failures reach a person or a program: human text or `--json` on stdout,
//! logs on stderr, and exit codes that mean something (DESIGN.md, "Output and exit codes").

use std::io::Write;

use serde::Serialize;
use serde_json::json;

/// The process's exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Done = 0,
    /// An HMRC error or bad input.
    Failed = 1,
    Usage = 2,
    /// Not linked, or the authority ended: run `mtd link`.
    NoAuthority = 3,
}

impl From<Exit> for std::process::ExitCode {
    fn from(e: Exit) -> Self {
        std::process::ExitCode::from(e as u8)
    }
}

/// A failure, with what to do next.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct CliError {
    pub kind: &'static str,
    pub message: String,
    pub hint: Option<String>,
    /// What HMRC said, when the failure is HMRC's answer.
    pub evidence: Option<Box<Evidence>>,
    /// Each thing wrong, where there are several (the bad rows of a file).
    pub problems: Vec<String>,
    pub exit: Exit,
}

#[derive(Debug, Default)]
pub struct Evidence {
    pub hmrc_code: Option<String>,
    pub correlation_id: Option<String>,
    pub paths: Option<Vec<String>>,
}

impl CliError {
    pub fn new(kind: &'static str, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            hint: None,
            evidence: None,
            problems: Vec::new(),
            exit: Exit::Failed,
        }
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Self {
            exit: Exit::Usage,
            ..Self::new("usage", message)
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn problems(mut self, problems: Vec<String>) -> Self {
        self.problems = problems;
        self
    }
}

impl From<mtd_client::Error> for CliError {
    fn from(e: mtd_client::Error) -> Self {
        let mut out = match &e {
            mtd_client::Error::Transport(_) => CliError::new("transport", e.to_string()).hint(
                "check that HMRC is reachable; for --env local, start it with `mtd sandbox serve`",
            ),
            _ => {
                let err = CliError::new("hmrc", e.to_string());
                match e.hmrc_code().and_then(next_step) {
                    Some(h) => err.hint(h),
                    None => err,
                }
            }
        };
        out.evidence = Some(Box::new(Evidence {
            hmrc_code: e.hmrc_code().map(str::to_owned),
            correlation_id: e.correlation_id().map(str::to_owned),
            paths: match &e {
                mtd_client::Error::Hmrc(h) => h.body.paths.clone(),
                _ => None,
            },
        }));
        out
    }
}

/// What to do next after HMRC's refusal, for the codes a person can act on.
fn next_step(code: &str) -> Option<&'static str> {
    Some(match code {
        "POSTCODE_DOES_NOT_MATCH" => "give the postcode HMRC holds for the client's home address",
        "POSTCODE_FORMAT_INVALID" => "give a UK postcode, like SW1A 1AA",
        "CLIENT_REGISTRATION_NOT_FOUND" => {
            "check the NINO: the client must be registered for Self Assessment"
        }
        "ALREADY_AUTHORISED" => "you already act for this client: see `mtd agent check`",
        "DUPLICATE_AUTHORISATION_REQUEST" => {
            "a request is already waiting for the client's answer: see `mtd agent invitations`"
        }
        "INVALID_INVITATION_STATUS" => {
            "only a request the client has not answered can be cancelled: see `mtd agent invitations`"
        }
        "INVITATION_NOT_FOUND" => "check the request's ID with `mtd agent invitations`",
        "NO_RELATIONSHIP" => "you do not act for this client in that role: see `mtd agent check`",
        "AGENT_NOT_SUBSCRIBED" => {
            "create an agent services account (`mtd open agent-services-account`), then link with its user ID"
        }
        "NOT_AN_AGENT" => "link with an agent's Government Gateway user ID",
        "INVALID_SCOPE" => "link again (`mtd link`) so the software asks for the scopes it needs",
        "UNAUTHORIZED" => {
            "the Government Gateway user ID you linked with no longer works: link again (`mtd link`) with a current one"
        }
        "ALREADY_BEING_PROCESSED" => {
            "HMRC is still ending this relationship: check again in a minute with `mtd agent check`"
        }
        _ => return None,
    })
}

impl From<mtd_client::tokens::FreshError> for CliError {
    fn from(e: mtd_client::tokens::FreshError) -> Self {
        use mtd_client::tokens::{AuthorityEnded, FreshError};
        match e {
            FreshError::NoAuthority(AuthorityEnded::NotLinked) => CliError {
                exit: Exit::NoAuthority,
                ..CliError::new(
                    "no-authority",
                    "This software is not linked to HMRC for this profile",
                )
                .hint("run `mtd link`")
            },
            FreshError::NoAuthority(AuthorityEnded::Ended) => CliError {
                exit: Exit::NoAuthority,
                ..CliError::new(
                    "no-authority",
                    "Your authority for this software has ended or was removed: run `mtd link`",
                )
                .hint("grant authority again: HMRC's authority lasts 18 months, and the user can remove it sooner")
            },
            FreshError::Store(e) => CliError::new("token-store", e.to_string()),
            FreshError::Api(e) => {
                let forbidden = e.hmrc_code() == Some("CLIENT_OR_AGENT_NOT_AUTHORISED");
                let err = CliError::from(e);
                if forbidden {
                    err.hint(
                        "HMRC will not let this identity act for that NINO: the client is not signed up for \
                         MTD Income Tax, or has not authorised this agent, or this is a supporting agent \
                         and only the main agent may do this",
                    )
                } else {
                    err
                }
            }
        }
    }
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        CliError::new("io", e.to_string())
    }
}

/// Prints a failure (JSON on stdout with `--json`, text on stderr otherwise) and gives its exit code.
pub fn report_error(e: &CliError, json: bool) -> Exit {
    if json {
        let mut err = json!({ "kind": e.kind, "message": e.message });
        let add = |err: &mut serde_json::Value, k: &str, v: Option<serde_json::Value>| {
            if let Some(v) = v {
                err[k] = v;
            }
        };
        let ev = e.evidence.as_deref();
        add(
            &mut err,
            "hmrcCode",
            ev.and_then(|v| v.hmrc_code.clone()).map(Into::into),
        );
        add(
            &mut err,
            "correlationId",
            ev.and_then(|v| v.correlation_id.clone()).map(Into::into),
        );
        add(
            &mut err,
            "paths",
            ev.and_then(|v| v.paths.clone()).map(Into::into),
        );
        add(&mut err, "hint", e.hint.clone().map(Into::into));
        if !e.problems.is_empty() {
            err["problems"] = e.problems.clone().into();
        }
        print_line(&json!({ "error": err }).to_string());
    } else {
        eprintln!("error: {}", e.message);
        const SHOWN: usize = 20;
        for p in e.problems.iter().take(SHOWN) {
            eprintln!("  {p}");
        }
        if e.problems.len() > SHOWN {
            eprintln!(
                "  … and {} more (--json lists them all)",
                e.problems.len() - SHOWN
            );
        }
        if let Some(paths) = e.evidence.as_deref().and_then(|v| v.paths.as_ref()) {
            eprintln!("  in: {}", paths.join(", "));
        }
        if let Some(cid) = e
            .evidence
            .as_deref()
            .and_then(|v| v.correlation_id.as_ref())
        {
            eprintln!("  HMRC correlation ID: {cid}");
        }
        if let Some(h) = &e.hint {
            eprintln!("  what to do: {h}");
        }
    }
    e.exit
}

/// Writes a line to stdout; a closed pipe (`mtd … | head`) ends the process quietly.
pub fn print_line(line: &str) {
    let mut out = std::io::stdout().lock();
    if writeln!(out, "{line}").and_then(|()| out.flush()).is_err() {
        std::process::exit(0);
    }
}

/// Prints `value` as JSON with `--json`, else the human text.
pub fn emit(json: bool, value: &impl Serialize, human: impl FnOnce() -> String) {
    if json {
        print_line(
            &serde_json::to_string_pretty(value)
                .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}")),
        );
    } else {
        print_line(&human());
    }
}

/// Logs go to stderr; `RUST_LOG` overrides the level `-v` picks.
pub fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter =
        tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| default.into());
    use std::io::IsTerminal;
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .try_init();
}
