//! `mtd obligations`: the quarterly updates HMRC expects, overdue first, with days left.

use chrono::NaiveDate;
use mtd_client::api::obligations::{Filter, QuarterlyObligations, Status};
use mtd_client::tokens::FreshError;

use crate::context::Context;
use crate::output::{CliError, Exit, emit};

pub async fn run(
    ctx: &Context,
    open_only: bool,
    tax_year: Option<String>,
    client: Option<String>,
) -> Result<Exit, CliError> {
    let authority = ctx.authority().await?;
    let nino = ctx.whose_nino(client, &authority)?;
    let filter = Filter {
        from_to: match tax_year {
            Some(y) => {
                let y = ctx.tax_year(Some(y)).await?;
                Some((y.first_day(), y.last_day()))
            }
            None => None,
        },
        status: open_only.then_some(Status::Open),
        ..Filter::default()
    };
    let api = ctx.client.clone();
    let found = authority
        .call(|t| {
            let (c, n, f) = (api.clone(), nino.clone(), filter.clone());
            async move { c.obligations().quarterly(&t, &n, &f).await }
        })
        .await;
    // HMRC answers "none" with a 404.
    let found = match found {
        Err(FreshError::Api(e)) if e.hmrc_code() == Some("NO_OBLIGATIONS_FOUND") => {
            QuarterlyObligations {
                obligations: Vec::new(),
            }
        }
        other => other?,
    };
    let today = ctx.hmrc_now().await.date_naive();
    emit(ctx.json, &found, || {
        table(nino.as_ref(), &found.obligations, today)
    });
    Ok(Exit::Done)
}

/// One line per obligation: overdue ones first, then by due date.
fn table(
    nino: &str,
    obligations: &[mtd_client::api::obligations::BusinessObligations],
    today: NaiveDate,
) -> String {
    let mut rows: Vec<_> = obligations
        .iter()
        .flat_map(|b| b.obligation_details.iter().map(move |p| (b, p)))
        .collect();
    let overdue =
        |p: &mtd_client::api::obligations::Period| p.status == Status::Open && p.due_date < today;
    rows.sort_by_key(|(b, p)| (!overdue(p), p.due_date, b.business_id.as_str().to_owned()));
    if rows.is_empty() {
        return format!("No obligations for {nino}.");
    }
    let mut lines = vec![format!(
        "Obligations for {nino} (HMRC's date {today}):\n  {:<16} {:<17} {:<24} {:<10} {:<9} {}",
        "business ID", "type", "period", "due", "status", "when"
    )];
    for (b, p) in rows {
        let when = match (p.status, p.received_date) {
            (Status::Fulfilled, Some(r)) => format!("received {r}"),
            (Status::Fulfilled, None) => "received".to_owned(),
            (Status::Open, _) => {
                let days = (p.due_date - today).num_days();
                match days {
                    0 => "due today".to_owned(),
                    d if d > 0 => format!("{d} day{} left", if d == 1 { "" } else { "s" }),
                    d => format!("{} day{} OVERDUE", -d, if d == -1 { "" } else { "s" }),
                }
            }
        };
        lines.push(format!(
            "  {:<16} {:<17} {} to {} {} {:<9} {when}",
            b.business_id.as_str(),
            b.type_of_business,
            p.period_start_date,
            p.period_end_date,
            p.due_date,
            match p.status {
                Status::Open => "open",
                Status::Fulfilled => "fulfilled",
            },
        ));
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use mtd_client::api::obligations::{BusinessObligations, Period};

    fn period(end: &str, due: &str, status: Status) -> Period {
        Period {
            period_start_date: "2025-04-06".parse().unwrap(),
            period_end_date: end.parse().unwrap(),
            due_date: due.parse().unwrap(),
            status,
            received_date: (status == Status::Fulfilled).then(|| "2025-07-01".parse().unwrap()),
        }
    }

    #[test]
    fn overdue_first_then_by_due_date_with_days_left() {
        let b = BusinessObligations {
            type_of_business: "self-employment".into(),
            business_id: mtd_domain::BusinessId::parse("XAIS12345678901").unwrap(),
            obligation_details: vec![
                period("2025-10-05", "2025-11-05", Status::Open),
                period("2025-07-05", "2025-08-05", Status::Fulfilled),
                period("2026-01-05", "2026-02-05", Status::Open),
            ],
        };
        let today = "2025-11-10".parse().unwrap();
        let text = table("AA123456A", &[b], today);
        let lines: Vec<&str> = text.lines().skip(2).collect();
        assert!(
            lines[0].contains("2025-10-05") && lines[0].ends_with("5 days OVERDUE"),
            "{text}"
        );
        assert!(
            lines[1].contains("2025-07-05") && lines[1].ends_with("received 2025-07-01"),
            "{text}"
        );
        assert!(lines[2].ends_with("87 days left"), "{text}");
    }
}
