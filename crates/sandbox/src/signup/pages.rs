//! The individual's sign-up pages: `GET|POST /sign-up-for-making-tax-digital`. The taxpayer signs
//! in (an individual or organisation at confidence level 250 with a Self Assessment UTR), chooses
//! the tax year and its income sources, and is signed up at once.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use maud::html;
use mtd_domain::{Nino, TaxYear};
use serde::Deserialize;

use super::{IncomeSource, SignUpError, sign_up};
use crate::error::ApiError;
use crate::gg::account::Account;
use crate::web::session::{self, Session};
use crate::web::{PageForm, notice, page};
use crate::{AppState, clock};

pub const PATH: &str = "/sign-up-for-making-tax-digital";

/// The signed-in taxpayer who may sign up, or the page to show instead.
fn prepare(
    state: &AppState,
    jar: &CookieJar,
    now: i64,
) -> Result<Result<(Session, Account, Nino), Response>, ApiError> {
    let (s, account) = match session::signed_in_account(&state.store, jar, now, PATH)? {
        Ok(v) => v,
        Err(r) => return Ok(Err(r)),
    };
    if account.is_agent() {
        return Ok(Err(notice(
            "sign-up-refused",
            "Agents sign up their clients differently",
            "Sign in with the taxpayer's own Government Gateway user ID.",
            StatusCode::FORBIDDEN,
        )));
    }
    if account.confidence_level < 250 {
        return Ok(Err(notice(
            "sign-up-refused",
            "We need to confirm your identity",
            "Your account has not proved your identity to the level needed to sign up.",
            StatusCode::FORBIDDEN,
        )));
    }
    let Some(nino) = account.fact("/nino").and_then(|n| Nino::parse(n).ok()) else {
        return Ok(Err(notice(
            "sign-up-refused",
            "You need a National Insurance number",
            "HMRC holds no National Insurance number for this account.",
            StatusCode::FORBIDDEN,
        )));
    };
    Ok(Ok((s, account, nino)))
}

fn years(now: i64) -> (TaxYear, Option<TaxYear>) {
    let current = TaxYear::containing(clock::from_ms(now).date_naive())
        .unwrap_or(TaxYear::starting(2025).expect("a year in range"));
    (current, current.next())
}

pub async fn show(State(state): State<AppState>, jar: CookieJar) -> Result<Response, ApiError> {
    let now = clock::now_ms(&state.store)?;
    let (s, account, _nino) = match prepare(&state, &jar, now)? {
        Ok(v) => v,
        Err(r) => return Ok(r),
    };
    Ok(form(&s, &account, now, None))
}

fn form(s: &Session, account: &Account, now: i64, error: Option<&str>) -> Response {
    let p = page(
        "sign-up",
        "Sign up for Making Tax Digital for Income Tax",
        html! {
            h1 { "Sign up for Making Tax Digital for Income Tax" }
            p { "Signing up " strong { (account.display_name()) } ". You will send quarterly updates and a final declaration through software." }
            form method="post" action=(PATH) novalidate {
                input type="hidden" name="nonce" value=(s.nonce);
                (choices(now))
                div { button type="submit" { "Sign up" } }
            }
        },
    );
    match error {
        Some(e) => p.error(e).status(StatusCode::BAD_REQUEST).into_response(),
        None => p.into_response(),
    }
}

/// The tax year and income sources, asked the same way of a taxpayer and of an agent.
pub(super) fn choices(now: i64) -> maud::Markup {
    let (current, next) = years(now);
    html! {
        fieldset {
            legend { "Which tax year do you want to start from?" }
            div class="radio" { input type="radio" id="year-current" name="taxYear" value=(current.to_string()) checked; " " label for="year-current" style="display:inline" { "The current tax year, " (current) } }
            @if let Some(n) = next {
                div class="radio" { input type="radio" id="year-next" name="taxYear" value=(n.to_string()); " " label for="year-next" style="display:inline" { "Next tax year, " (n) } }
            }
        }
        fieldset {
            legend { "The sole trader business (leave blank if there is none)" }
            label for="tradingName" { "Business trading name" }
            input type="text" id="tradingName" name="tradingName";
            label for="trade" { "What the business does" }
            input type="text" id="trade" name="trade";
            label for="startDate" { "Start date" }
            p class="hint" { "For example, 2024-04-06" }
            input type="text" id="startDate" name="startDate";
            label for="addressLine1" { "Business address, first line" }
            input type="text" id="addressLine1" name="addressLine1";
            label for="postcode" { "Postcode" }
            input type="text" class="short" id="postcode" name="postcode";
        }
        fieldset {
            legend { "Property income" }
            div class="radio" { input type="checkbox" id="ukProperty" name="ukProperty" value="yes"; " " label for="ukProperty" style="display:inline" { "Property let in the UK" } }
            div class="radio" { input type="checkbox" id="foreignProperty" name="foreignProperty" value="yes"; " " label for="foreignProperty" style="display:inline" { "Property let outside the UK" } }
        }
    }
}

/// The answers to [`choices`].
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Choices {
    #[serde(default)]
    tax_year: String,
    #[serde(default)]
    trading_name: String,
    #[serde(default)]
    trade: String,
    #[serde(default)]
    start_date: String,
    #[serde(default)]
    address_line1: String,
    #[serde(default)]
    postcode: String,
    uk_property: Option<String>,
    foreign_property: Option<String>,
}

impl Choices {
    /// The chosen year, if it is one offered.
    pub(super) fn year(&self, now: i64) -> Option<TaxYear> {
        let (current, next) = years(now);
        TaxYear::parse(&self.tax_year)
            .ok()
            .filter(|y| *y == current || Some(*y) == next)
    }

    pub(super) fn sources(&self) -> Vec<IncomeSource> {
        let opt = |v: &str| (!v.trim().is_empty()).then(|| v.trim().to_owned());
        let mut sources = Vec::new();
        if opt(&self.trading_name).is_some() || opt(&self.trade).is_some() {
            sources.push(IncomeSource {
                kind: "self-employment".into(),
                trading_name: opt(&self.trading_name),
                trade: opt(&self.trade),
                address_line1: opt(&self.address_line1),
                postcode: opt(&self.postcode),
                start_date: opt(&self.start_date),
            });
        }
        for (ticked, kind) in [
            (self.uk_property.is_some(), "uk-property"),
            (self.foreign_property.is_some(), "foreign-property"),
        ] {
            if ticked {
                sources.push(IncomeSource {
                    kind: kind.into(),
                    trading_name: None,
                    trade: None,
                    address_line1: None,
                    postcode: None,
                    start_date: None,
                });
            }
        }
        sources
    }
}

/// The confirmation page.
pub(super) fn done(signed: &super::SignedUp, who: &str) -> Response {
    page("sign-up-done", "Signed up", html! {
        h1 { (who) " signed up for Making Tax Digital for Income Tax" }
        p { "The MTD Income Tax ID is " strong data-mtditid=(signed.mtd_it_id) { (signed.mtd_it_id) } ", from the " (signed.tax_year) " tax year." }
        ul { @for b in &signed.businesses { li data-business-id=(b.business_id) { (b.trading_name.as_deref().unwrap_or(&b.kind)) ": " (b.business_id) } } }
        p { "Now link the software to HMRC and send the updates from it." }
    })
    .into_response()
}

#[derive(Debug, Deserialize)]
pub struct Answers {
    #[serde(default)]
    nonce: String,
    #[serde(flatten)]
    choices: Choices,
}

pub async fn submit(
    State(state): State<AppState>,
    jar: CookieJar,
    PageForm(f): PageForm<Answers>,
) -> Result<Response, ApiError> {
    let store = &state.store;
    let now = clock::now_ms(store)?;
    let (mut s, account, nino) = match prepare(&state, &jar, now)? {
        Ok(v) => v,
        Err(r) => return Ok(r),
    };
    if !s.consume_nonce(store, &f.nonce)? {
        return Ok(session::stale_form_page());
    }
    let Some(year) = f.choices.year(now) else {
        return Ok(form(
            &s,
            &account,
            now,
            Some("Choose the tax year to start from"),
        ));
    };
    let sources = f.choices.sources();
    let outcome = store.write(|tx| Ok(sign_up(tx, &nino, year, &sources, now)));
    let signed = match outcome? {
        Ok(signed) => signed,
        Err(SignUpError::Store(e)) => return Err(e.into()),
        Err(SignUpError::Invalid(m)) => return Ok(form(&s, &account, now, Some(&m))),
        Err(
            e @ (SignUpError::AlreadySignedUp
            | SignUpError::NoSelfAssessment
            | SignUpError::UnknownNino),
        ) => {
            s.save(store, now)?;
            return Ok(notice(
                "sign-up-refused",
                "You cannot sign up",
                e.to_string(),
                StatusCode::CONFLICT,
            ));
        }
    };
    Ok(done(&signed, "You have"))
}
