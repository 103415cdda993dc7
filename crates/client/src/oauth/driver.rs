//! Follows the local HMRC's grant-authority pages the way a browser would, for tests and for
//! `mtd link --test-user`. It answers 2-step verification and identity questions from what the
//! caller knows about the test user. Only for the local HMRC: HMRC's own pages must never be
//! driven by a program, and the CLI refuses to point this at them.
//!
//! Each page names itself in `<main data-page=…>`; the driver fills that page's form and posts
//! it, following redirects on the local HMRC's origin, until the journey sends the browser to the
//! software's redirect URI (or shows the out-of-band code page).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use scraper::{Html, Selector};
use totp_rs::{Algorithm, Secret, TOTP};

use crate::{Client, Error};

/// How the driver should answer 2-step verification set-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TwoStepChoice {
    AuthenticatorApp,
    Phone(String),
}

/// What the person at the keyboard would know.
#[derive(Debug, Clone)]
pub struct KnownFacts {
    pub user_id: String,
    pub password: String,
    /// `YYYY-MM-DD`.
    pub date_of_birth: Option<String>,
    pub postcode: Option<String>,
    pub nino: Option<String>,
    /// The authenticator app's secret, once registered.
    pub totp_secret: Option<String>,
    pub two_step_choice: TwoStepChoice,
    /// Press "Grant authority" (or "Do not grant authority").
    pub grant: bool,
    /// Answers for other pages met on the way (the set-up journeys' forms), by page name.
    pub answers: Vec<(String, Vec<(String, String)>)>,
    /// Pages where the drive ends successfully (a journey's "done" page).
    pub finish_on: Vec<String>,
}

/// Where the journey ended.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The address the browser was sent to (the redirect URI with `code` or `error`), or for the
    /// out-of-band flow the result page's title.
    pub redirect: String,
    /// Set when the journey registered an authenticator app: keep it for the next sign-in.
    pub registered_totp_secret: Option<String>,
    /// The pages passed through, in order.
    pub pages: Vec<String>,
    /// The HTML of the page the drive finished on, for a `finish_on` page.
    pub final_page: Option<String>,
}

const MAX_STEPS: usize = 40;

/// Drives the journey that starts at `authorize_url`. `on_page` hears each page as it is reached.
pub async fn drive(
    client: &Client,
    authorize_url: &str,
    facts: &KnownFacts,
    mut on_page: impl FnMut(&str),
) -> Result<Outcome, Error> {
    let origin = client.env.www_base.clone();
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(Error::Transport)?;
    let mut outcome = Outcome {
        redirect: String::new(),
        registered_totp_secret: None,
        pages: Vec::new(),
        final_page: None,
    };
    let mut resp = browser.get(authorize_url).send().await?;
    let mut tries_on_page = (String::new(), 0);
    for _ in 0..MAX_STEPS {
        if resp.status().is_redirection() {
            let location = resp
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            let next = if location.starts_with('/') {
                format!("{origin}{location}")
            } else {
                location
            };
            if !next.starts_with(&origin) {
                outcome.redirect = next;
                return Ok(outcome);
            }
            resp = browser.get(&next).send().await?;
            continue;
        }
        let html = resp.text().await?;
        let doc = Page::parse(&html);
        let id = doc.id();
        on_page(&id);
        outcome.pages.push(id.clone());
        tries_on_page = if tries_on_page.0 == id {
            (id.clone(), tries_on_page.1 + 1)
        } else {
            (id.clone(), 1)
        };
        let fail = |message: String| {
            Err(Error::Journey {
                page: id.clone(),
                message,
            })
        };
        if tries_on_page.1 > 3 {
            return fail(
                doc.error()
                    .unwrap_or_else(|| "the page came back again and again".into()),
            );
        }
        let mut fields: Vec<(String, String)> = Vec::new();
        match id.as_str() {
            "start" => {}
            "sign-in" => {
                if tries_on_page.1 > 1 {
                    return fail(doc.error().unwrap_or_else(|| "sign-in refused".into()));
                }
                fields.push(("userId".into(), facts.user_id.clone()));
                fields.push(("password".into(), facts.password.clone()));
            }
            "two-step-setup" => {
                let method = match facts.two_step_choice {
                    TwoStepChoice::AuthenticatorApp => "app",
                    TwoStepChoice::Phone(_) => "phone",
                };
                fields.push(("method".into(), method.into()));
            }
            "two-step-phone" => {
                let TwoStepChoice::Phone(number) = &facts.two_step_choice else {
                    return fail(
                        "asked for a phone number, but the facts choose an authenticator app"
                            .into(),
                    );
                };
                fields.push(("phone".into(), number.clone()));
            }
            "two-step-authenticator-app" => {
                let secret =
                    doc.attr("[data-secret]", "data-secret")
                        .ok_or_else(|| Error::Journey {
                            page: id.clone(),
                            message: "no secret shown".into(),
                        })?;
                fields.push(("code".into(), totp_code(&secret, 0)?));
                outcome.registered_totp_secret = Some(secret);
            }
            "two-step-code" => {
                let code = if doc.attr("form[data-method]", "data-method").as_deref() == Some("app")
                {
                    let secret = outcome
                        .registered_totp_secret
                        .clone()
                        .or_else(|| facts.totp_secret.clone())
                        .ok_or_else(|| Error::Journey {
                            page: id.clone(),
                            message: "an authenticator code is needed but no secret is known"
                                .into(),
                        })?;
                    if tries_on_page.1 > 1 {
                        // The code of this time step was used already (a code works once): wait for the next.
                        tokio::time::sleep(until_next_step()).await;
                    }
                    totp_code(&secret, 0)?
                } else {
                    latest_phone_code(client, &facts.user_id).await?
                };
                fields.push(("code".into(), code));
            }
            "identity-check" => {
                let dob = facts.date_of_birth.clone().unwrap_or_default();
                let mut parts = dob.splitn(3, '-');
                let (y, m, d) = (
                    parts.next().unwrap_or(""),
                    parts.next().unwrap_or(""),
                    parts.next().unwrap_or(""),
                );
                fields.extend([
                    ("dobDay".to_owned(), d.to_owned()),
                    ("dobMonth".to_owned(), m.to_owned()),
                    ("dobYear".to_owned(), y.to_owned()),
                    (
                        "postcode".to_owned(),
                        facts.postcode.clone().unwrap_or_default(),
                    ),
                    ("nino".to_owned(), facts.nino.clone().unwrap_or_default()),
                ]);
            }
            "grant-authority" => {
                fields.push((
                    "decision".into(),
                    if facts.grant { "grant" } else { "deny" }.into(),
                ));
            }
            "oob-result" => {
                outcome.redirect = doc.title();
                return Ok(outcome);
            }
            other if facts.finish_on.iter().any(|f| f == other) => {
                outcome.final_page = Some(html);
                return Ok(outcome);
            }
            other => match facts.answers.iter().find(|(page, _)| page == other) {
                Some((_, answers)) if tries_on_page.1 == 1 => {
                    fields.extend(answers.iter().cloned())
                }
                _ => {
                    return fail(
                        doc.error()
                            .or_else(|| doc.heading())
                            .unwrap_or_else(|| "unexpected page".into()),
                    );
                }
            },
        }
        let (action, mut form) = doc.form().ok_or_else(|| Error::Journey {
            page: id.clone(),
            message: "no form".into(),
        })?;
        for (k, v) in fields {
            form.retain(|(name, _)| *name != k);
            form.push((k, v));
        }
        let url = if action.starts_with('/') {
            format!("{origin}{action}")
        } else {
            action
        };
        resp = browser.post(&url).form(&form).send().await?;
    }
    Err(Error::Journey {
        page: outcome.pages.last().cloned().unwrap_or_default(),
        message: "the journey did not end".into(),
    })
}

/// The code for now (`offset` steps away), as an authenticator app would show it.
fn totp_code(secret_b32: &str, offset: i64) -> Result<String, Error> {
    let bad = |m: &str| Error::Journey {
        page: "two-step".into(),
        message: m.to_owned(),
    };
    let bytes = Secret::Encoded(secret_b32.to_owned())
        .to_bytes()
        .map_err(|_| bad("the authenticator secret is not base32"))?;
    let totp = TOTP::new(Algorithm::SHA1, 6, 1, 30, bytes)
        .map_err(|_| bad("the authenticator secret is too short"))?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    Ok(totp.generate(now.saturating_add_signed(offset * 30)))
}

fn until_next_step() -> Duration {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    Duration::from_millis(30_000 - (now.as_millis() % 30_000) as u64 + 200)
}

/// The newest code the local HMRC "texted" the user (test support).
async fn latest_phone_code(client: &Client, user_id: &str) -> Result<String, Error> {
    let messages = client.test_support().messages(user_id).await?;
    messages
        .first()
        .map(|m| m.code.clone())
        .ok_or_else(|| Error::Journey {
            page: "two-step-code".into(),
            message: "no text message was sent".into(),
        })
}

/// A parsed page.
struct Page(Html);

impl Page {
    fn parse(html: &str) -> Self {
        Page(Html::parse_document(html))
    }

    fn select_first(&self, css: &str) -> Option<scraper::ElementRef<'_>> {
        Selector::parse(css)
            .ok()
            .and_then(|s| self.0.select(&s).next())
    }

    fn id(&self) -> String {
        self.attr("main[data-page]", "data-page")
            .unwrap_or_else(|| "unknown".into())
    }

    fn attr(&self, css: &str, name: &str) -> Option<String> {
        self.select_first(css)
            .and_then(|e| e.value().attr(name))
            .map(str::to_owned)
    }

    fn text(&self, css: &str) -> Option<String> {
        self.select_first(css)
            .map(|e| e.text().collect::<String>().trim().to_owned())
            .filter(|t| !t.is_empty())
    }

    fn title(&self) -> String {
        self.text("title").unwrap_or_default()
    }

    fn heading(&self) -> Option<String> {
        self.text("h1")
    }

    fn error(&self) -> Option<String> {
        self.text(".error-summary .error")
            .or_else(|| self.text("[data-error-description]"))
    }

    /// The first post form: its action and its hidden fields.
    fn form(&self) -> Option<(String, Vec<(String, String)>)> {
        let form = self.select_first("form[method=post]")?;
        let action = form.value().attr("action")?.to_owned();
        let hidden = Selector::parse("input[type=hidden]").ok()?;
        let fields = form
            .select(&hidden)
            .filter_map(|i| {
                Some((
                    i.value().attr("name")?.to_owned(),
                    i.value().attr("value").unwrap_or("").to_owned(),
                ))
            })
            .collect();
        Some((action, fields))
    }
}
