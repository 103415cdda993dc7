//! `mtd update`: one quarterly update from a person's records. It builds the year-to-date totals
//! for the obligation's period, shows them beside what was last sent, asks, sends (a PUT, so a
//! lost answer is sent again safely), keeps a receipt, and shows the obligation met.

use std::collections::BTreeMap;
use std::io::{BufRead, IsTerminal};

use chrono::{NaiveDate, Utc};
use mtd_client::api::Submitted;
use mtd_client::api::obligations::{Filter, Period, Status};
use mtd_client::api::self_employment::PeriodDates;
use mtd_client::records::BusinessKind;
use mtd_client::records::receipts::{Outcome, Receipt};
use mtd_client::records::totals::Totals;
use mtd_client::tokens::{Authority, FreshError};
use mtd_domain::{BusinessId, Money, Nino, TaxYear};
use serde_json::{Value, json};

use super::records::{business_id, look_up, open_store, store_error};
use crate::args::{Quarter, UpdateArgs};
use crate::context::Context;
use crate::output::{CliError, Exit, emit};

/// Attempts for one submission when no answer comes back.
const ATTEMPTS: u32 = 3;

pub async fn run(ctx: &Context, args: UpdateArgs) -> Result<Exit, CliError> {
    let sent = send_update(ctx, &ctx.profile, &args, !ctx.json).await?;
    emit(ctx.json, &sent.value, || sent.describe());
    Ok(Exit::Done)
}

/// An update sent and accepted: what was sent, and the obligation afterwards.
#[derive(Debug)]
pub(super) struct Sent {
    pub value: Value,
    pub period_end: NaiveDate,
    pub obligation: Option<Period>,
    pub correlation_id: Option<String>,
}

impl Sent {
    pub(super) fn describe(&self) -> String {
        let state = match &self.obligation {
            Some(p) if p.status == Status::Fulfilled => format!(
                "fulfilled{}",
                p.received_date
                    .map(|d| format!(" (received {d})"))
                    .unwrap_or_default()
            ),
            Some(_) => "still open".to_owned(),
            None => "not found".to_owned(),
        };
        format!(
            "Sent. HMRC accepted the update for the period to {} (correlation ID {}).\nThe obligation is {state}.",
            self.period_end,
            self.correlation_id.as_deref().unwrap_or("none")
        )
    }
}

/// Builds, shows (when `show` is set), confirms unless `--yes`, and sends one update as
/// `profile`, keeping its receipt.
pub(super) async fn send_update(
    ctx: &Context,
    profile: &str,
    args: &UpdateArgs,
    show: bool,
) -> Result<Sent, CliError> {
    let id = business_id(&args.business)?;
    let to = match &args.to {
        Some(t) => Some(t.parse::<NaiveDate>().map_err(|_| {
            CliError::usage(format!("{t:?} is not a date")).hint("write it like 2025-07-05")
        })?),
        None => None,
    };
    let authority = ctx.authority_for(profile).await?;
    let nino = ctx.whose_nino(args.client.clone(), &authority)?;
    let business = look_up(ctx, &authority, &nino, &id).await?;
    let year = ctx.tax_year(args.tax_year.clone()).await?;
    let mut target = Target {
        ctx,
        authority: &authority,
        nino: &nino,
        id: &id,
        kind: business.kind,
        year,
    };
    let all = target.obligations().await?;
    let period = if args.tax_year.is_none() && args.period.is_none() && to.is_none() {
        next_due(ctx, &all, &id).await?
    } else {
        let in_year: Vec<Period> = all
            .iter()
            .filter(|p| TaxYear::containing(p.period_end_date) == Some(year))
            .cloned()
            .collect();
        let chosen = choose(&in_year, args.period, to, &id, year)?;
        // Updates carry the year to date, so HMRC takes none that ends before the latest sent.
        if let Some(latest) = in_year
            .iter()
            .filter(|p| p.status == Status::Fulfilled)
            .map(|p| p.period_end_date)
            .max()
            .filter(|l| chosen.period_end_date < *l)
        {
            let quarter = in_year
                .iter()
                .position(|p| p.period_end_date == latest)
                .map_or(0, |i| i + 1);
            return Err(CliError::usage(format!(
                "{} has sent {year}'s update to {latest} already; HMRC takes no update that ends earlier",
                id.as_str()
            ))
            .hint(format!(
                "updates hold the year to date, so a correction goes in the latest one: --period Q{quarter}"
            )));
        }
        chosen.clone()
    };
    let period = &period;
    // The obligation's year (a calendar quarter starts in the year before).
    target.year = TaxYear::containing(period.period_end_date).unwrap_or(year);
    let year = target.year;

    let store = open_store(ctx)?;
    let records = store.records(id.as_str()).map_err(store_error)?;
    let totals = Totals::of(
        business.kind,
        &records,
        period.period_start_date,
        period.period_end_date,
    );
    if totals.fields.is_empty() {
        return Err(CliError::new(
            "records",
            format!(
                "no records of {} fall between {} and {}",
                id.as_str(),
                period.period_start_date,
                period.period_end_date
            ),
        )
        .hint(format!(
            "import them first: mtd records import FILE --business {}",
            id.as_str()
        )));
    }
    let body = body(business.kind, &totals, period);
    let previous = target.last_sent().await?;
    let now = figures(&body);
    if show {
        eprintln!("{}", review(&id, year, period, &previous, &now));
    }
    if !args.yes && !confirmed()? {
        return Err(CliError::new("not-sent", "nothing was sent")
            .hint("run it again and answer y, or add --yes to send without asking"));
    }

    let stored = authority.stored().ok().flatten();
    let mut receipt = Receipt {
        sent_at: Utc::now(),
        profile: profile.to_owned(),
        sent_as: stored.and_then(|s| s.affinity_group),
        nino: nino.as_ref().to_owned(),
        business_id: id.as_str().to_owned(),
        tax_year: year.to_string(),
        period_start: period.period_start_date,
        period_end: period.period_end_date,
        sent: body.clone(),
        outcome: Outcome::NoAnswer,
        status: None,
        correlation_id: None,
        response: None,
        attempts: 0,
    };
    let result = target.send(&body, &mut receipt).await;
    store.keep_receipt(&receipt).map_err(store_error)?;
    let submitted = result?;

    let after = target.obligations().await?;
    let met = after
        .iter()
        .find(|p| p.period_end_date == period.period_end_date)
        .cloned();
    let value = json!({
        "businessId": id.as_str(), "taxYear": year.to_string(),
        "periodStartDate": period.period_start_date, "periodEndDate": period.period_end_date,
        "sent": body, "previous": previous, "correlationId": submitted.correlation_id,
        "obligation": met,
    });
    Ok(Sent {
        value,
        period_end: period.period_end_date,
        obligation: met,
        correlation_id: submitted.correlation_id,
    })
}

/// With nothing named: the earliest obligation not yet met, overdue ones first, refused here when
/// HMRC would refuse it as too early (more than 10 days before its period ends).
async fn next_due(ctx: &Context, all: &[Period], id: &BusinessId) -> Result<Period, CliError> {
    let next = all
        .iter()
        .find(|p| p.status == Status::Open)
        .ok_or_else(|| {
            CliError::usage(format!(
                "every quarterly update HMRC expects from {} has been sent",
                id.as_str()
            ))
            .hint("to send a correction, name the period: --tax-year Y --period Q1..Q4")
        })?;
    let opens = next.period_end_date - chrono::Days::new(10);
    let today = ctx.hmrc_now().await.date_naive();
    if today < opens {
        return Err(CliError::new(
            "too-early",
            format!(
                "the next update of {} is for the period to {}; HMRC takes it from {opens}",
                id.as_str(),
                next.period_end_date
            ),
        )
        .hint("see what is due with mtd obligations; a correction goes in the latest update sent: name its --period"));
    }
    Ok(next.clone())
}

/// The obligation asked for: a quarter, a period end, or the first still open.
fn choose<'a>(
    periods: &'a [Period],
    quarter: Option<Quarter>,
    to: Option<NaiveDate>,
    id: &BusinessId,
    year: TaxYear,
) -> Result<&'a Period, CliError> {
    let ends = || {
        periods
            .iter()
            .map(|p| p.period_end_date.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if periods.is_empty() {
        return Err(CliError::new(
            "no-obligation",
            format!(
                "HMRC expects no quarterly updates from {} in {year}",
                id.as_str()
            ),
        )
        .hint("see what it expects with mtd obligations"));
    }
    match (quarter, to) {
        (Some(q), _) => periods.get(q.index()).ok_or_else(|| {
            CliError::usage(format!(
                "{year} has {} quarterly periods for {}",
                periods.len(),
                id.as_str()
            ))
        }),
        (None, Some(to)) => periods
            .iter()
            .find(|p| p.period_end_date == to)
            .ok_or_else(|| {
                CliError::usage(format!(
                    "no obligation of {} in {year} ends on {to}",
                    id.as_str()
                ))
                .hint(format!("its periods end on {}", ends()))
            }),
        (None, None) => periods
            .iter()
            .find(|p| p.status == Status::Open)
            .ok_or_else(|| {
                CliError::usage(format!(
                    "every quarterly update of {} in {year} has been sent",
                    id.as_str()
                ))
                .hint("to send a correction, name the period: --period Q1..Q4")
            }),
    }
}

/// HMRC's body: the totals, with the period's dates where the API wants them.
fn body(kind: BusinessKind, totals: &Totals, period: &Period) -> Value {
    let (start, end) = (period.period_start_date, period.period_end_date);
    match kind {
        BusinessKind::SelfEmployment => {
            let mut s = totals.self_employment();
            s.period_dates = Some(PeriodDates {
                period_start_date: start,
                period_end_date: end,
            });
            serde_json::to_value(s)
        }
        BusinessKind::UkProperty => {
            let mut s = totals.uk_property();
            s.from_date = Some(start);
            s.to_date = Some(end);
            serde_json::to_value(s)
        }
    }
    .unwrap_or(Value::Null)
}

/// Every amount in a body, by its field name (HMRC's names are unique within a summary).
fn figures(v: &Value) -> BTreeMap<String, Money> {
    let mut out = BTreeMap::new();
    fn walk(v: &Value, out: &mut BTreeMap<String, Money>) {
        if let Value::Object(map) = v {
            for (k, v) in map {
                match v {
                    Value::Number(n) => {
                        if let Ok(m) = Money::parse(&n.to_string()) {
                            out.insert(k.clone(), m);
                        }
                    }
                    other => walk(other, out),
                }
            }
        }
    }
    walk(v, &mut out);
    out
}

/// The totals beside what was last sent, with the differences.
fn review(
    id: &BusinessId,
    year: TaxYear,
    period: &Period,
    previous: &BTreeMap<String, Money>,
    now: &BTreeMap<String, Money>,
) -> String {
    let mut lines = vec![
        format!(
            "Year-to-date totals for {} ({year}, {} to {}):",
            id.as_str(),
            period.period_start_date,
            period.period_end_date
        ),
        format!(
            "  {:<40} {:>12} {:>12} {:>12}",
            "field", "last sent", "now", "change"
        ),
    ];
    let fields: std::collections::BTreeSet<&String> = previous.keys().chain(now.keys()).collect();
    for f in fields {
        let (before, after) = (previous.get(f), now.get(f));
        let show =
            |m: Option<&Money>| m.map_or("-".to_owned(), |m| format!("{:.2}", m.as_decimal()));
        let change = after.copied().unwrap_or_default() - before.copied().unwrap_or_default();
        let change = if change == Money::ZERO {
            String::new()
        } else {
            format!("{:+.2}", change.as_decimal())
        };
        lines.push(format!(
            "  {f:<40} {:>12} {:>12} {change:>12}",
            show(before),
            show(after)
        ));
    }
    lines.join("\n")
}

/// Asks at a terminal; anywhere else the answer must come from `--yes`.
fn confirmed() -> Result<bool, CliError> {
    if !std::io::stdin().is_terminal() {
        return Err(
            CliError::usage("nothing was sent: there is no one at a terminal to confirm")
                .hint("add --yes to send without asking"),
        );
    }
    eprint!("Send these totals to HMRC? [y/N] ");
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(matches!(
        line.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}

/// One business's tax year, as an update talks to HMRC about it.
struct Target<'a> {
    ctx: &'a Context,
    authority: &'a Authority,
    nino: &'a Nino,
    id: &'a BusinessId,
    kind: BusinessKind,
    year: TaxYear,
}

impl Target<'_> {
    /// The business's quarterly obligations, every year's, in order.
    async fn obligations(&self) -> Result<Vec<Period>, CliError> {
        let (api, id) = (self.ctx.client.clone(), self.id);
        let filter = Filter {
            type_of_business: Some(self.kind.to_string()),
            business_id: Some(id.clone()),
            ..Filter::default()
        };
        let found = self
            .authority
            .call(|t| {
                let (c, n, f) = (api.clone(), self.nino.clone(), filter.clone());
                async move { c.obligations().quarterly(&t, &n, &f).await }
            })
            .await?;
        let mut periods: Vec<Period> = found
            .obligations
            .into_iter()
            .filter(|b| &b.business_id == id)
            .flat_map(|b| b.obligation_details)
            .collect();
        periods.sort_by_key(|p| p.period_end_date);
        Ok(periods)
    }

    /// What was last sent for the year, as figures (none before the first update).
    async fn last_sent(&self) -> Result<BTreeMap<String, Money>, CliError> {
        let (api, kind, year) = (self.ctx.client.clone(), self.kind, self.year);
        let got = self
            .authority
            .call(|t| {
                let (c, n, b) = (api.clone(), self.nino.clone(), self.id.clone());
                async move {
                    match kind {
                        BusinessKind::SelfEmployment => c
                            .self_employment()
                            .cumulative(&t, &n, &b, year)
                            .await
                            .map(|s| serde_json::to_value(s).unwrap_or_default()),
                        BusinessKind::UkProperty => c
                            .property_business()
                            .uk_cumulative(&t, &n, &b, year)
                            .await
                            .map(|s| serde_json::to_value(s).unwrap_or_default()),
                    }
                }
            })
            .await;
        match got {
            Ok(v) => Ok(figures(&v)),
            Err(FreshError::Api(e)) if e.hmrc_code() == Some("MATCHING_RESOURCE_NOT_FOUND") => {
                Ok(BTreeMap::new())
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Sends the update, again if no answer comes back, writing what happened into `receipt`.
    async fn send(&self, body: &Value, receipt: &mut Receipt) -> Result<Submitted, CliError> {
        let (api, kind, year) = (self.ctx.client.clone(), self.kind, self.year);
        loop {
            receipt.attempts += 1;
            let result = self
                .authority
                .call(|t| {
                    let (c, n, b, body) = (
                        api.clone(),
                        self.nino.clone(),
                        self.id.clone(),
                        body.clone(),
                    );
                    async move {
                        match kind {
                            BusinessKind::SelfEmployment => {
                                let s = serde_json::from_value(body).unwrap_or_default();
                                c.self_employment()
                                    .put_cumulative(&t, &n, &b, year, &s)
                                    .await
                            }
                            BusinessKind::UkProperty => {
                                let s = serde_json::from_value(body).unwrap_or_default();
                                c.property_business()
                                    .put_uk_cumulative(&t, &n, &b, year, &s)
                                    .await
                            }
                        }
                    }
                })
                .await;
            match result {
                Ok(done) => {
                    receipt.outcome = Outcome::Accepted;
                    receipt.status = Some(done.status);
                    receipt.correlation_id.clone_from(&done.correlation_id);
                    return Ok(done);
                }
                Err(FreshError::Api(mtd_client::Error::Transport(e)))
                    if receipt.attempts < ATTEMPTS =>
                {
                    tracing::warn!(
                        "no answer from HMRC ({e}); sending again (a PUT is safe to repeat)"
                    );
                    receipt.response = Some(json!({ "lastFailure": e.to_string() }));
                }
                Err(e) => {
                    if let FreshError::Api(mtd_client::Error::Hmrc(h)) = &e {
                        receipt.outcome = Outcome::Refused;
                        receipt.status = Some(h.status);
                        receipt.correlation_id.clone_from(&h.correlation_id);
                        receipt.response = serde_json::to_value(&h.body).ok();
                    } else {
                        receipt.response = Some(json!({ "failure": e.to_string() }));
                    }
                    return Err(e.into());
                }
            }
        }
    }
}
