//! `mtd records import|list|export`: a person's digital records, kept in SQLite in the data dir.
//! An import is all or nothing unless `--skip-bad-rows`; importing the same file again adds
//! nothing, and an edited file replaces what changed.

use std::path::Path;

use chrono::NaiveDate;
use mtd_client::records::csv_file::{self, Mapping, RowError};
use mtd_client::records::store::RecordStore;
use mtd_client::records::{BusinessKind, Record};
use mtd_client::tokens::Authority;
use mtd_domain::{BusinessId, Nino, TaxYear};
use serde_json::json;

use crate::args::RecordsCommand;
use crate::context::Context;
use crate::output::{CliError, Exit, emit, print_line};

pub async fn run(ctx: &Context, cmd: RecordsCommand) -> Result<Exit, CliError> {
    match cmd {
        RecordsCommand::Import {
            file,
            business,
            mapping,
            skip_bad_rows,
            client,
        } => {
            import(
                ctx,
                &file,
                &business,
                mapping.as_deref(),
                skip_bad_rows,
                client,
            )
            .await
        }
        RecordsCommand::List { business } => {
            let id = business_id(&business)?;
            let records = open_store(ctx)?.records(id.as_str()).map_err(store_error)?;
            emit(ctx.json, &records, || {
                let mut lines: Vec<String> = records
                    .iter()
                    .map(|r| {
                        format!(
                            "{}  {:<28} {:>11}{}  {}",
                            r.date,
                            r.category,
                            r.amount.to_string(),
                            if r.disallowable {
                                " (disallowable)"
                            } else {
                                ""
                            },
                            r.description
                        )
                    })
                    .collect();
                lines.push(format!(
                    "{} for {}.",
                    plural(records.len(), "record"),
                    id.as_str()
                ));
                lines.join("\n")
            });
            Ok(Exit::Done)
        }
        RecordsCommand::Export { business, output } => {
            let id = business_id(&business)?;
            let records = open_store(ctx)?.records(id.as_str()).map_err(store_error)?;
            if ctx.json && output.is_none() {
                emit(true, &records, String::new);
                return Ok(Exit::Done);
            }
            let csv = to_csv(&records)?;
            match output {
                Some(path) => {
                    std::fs::write(&path, csv)?;
                    emit(
                        ctx.json,
                        &json!({ "written": path, "records": records.len() }),
                        || format!("{} records written to {}.", records.len(), path.display()),
                    );
                }
                None => print_line(csv.trim_end()),
            }
            Ok(Exit::Done)
        }
    }
}

pub(super) fn open_store(ctx: &Context) -> Result<RecordStore, CliError> {
    RecordStore::open(&ctx.env_dir.join("records.sqlite")).map_err(store_error)
}

pub(super) fn store_error(e: mtd_client::records::store::StoreError) -> CliError {
    CliError::new("records", e.to_string())
}

pub(super) fn business_id(raw: &str) -> Result<BusinessId, CliError> {
    BusinessId::parse(raw).map_err(|_| {
        CliError::usage(format!("{raw:?} is not a business ID"))
            .hint("see them with mtd businesses")
    })
}

/// A business as records need it: its kind, and the dates its tax years run between.
#[derive(Debug, Clone)]
pub(super) struct RecordsBusiness {
    pub kind: BusinessKind,
    /// The first day of the tax year it started in (none if HMRC has no start date).
    pub from: Option<NaiveDate>,
    /// The last day of the tax year it ceased in (none while it trades: later years are its too).
    pub to: Option<NaiveDate>,
}

/// Asks HMRC what `id` is and which tax years it has.
pub(super) async fn look_up(
    ctx: &Context,
    authority: &Authority,
    nino: &Nino,
    id: &BusinessId,
) -> Result<RecordsBusiness, CliError> {
    let api = ctx.client.clone();
    let business = authority
        .call(|t| {
            let (c, n, b) = (api.clone(), nino.clone(), id.clone());
            async move { c.business_details().retrieve(&t, &n, &b).await }
        })
        .await?;
    let kind = BusinessKind::from_type_of_business(&business.summary.type_of_business)
        .ok_or_else(|| {
            CliError::new(
                "records",
                format!(
                    "{} is a {} business: records can be kept here for self-employment and UK property businesses",
                    id.as_str(),
                    business.summary.type_of_business
                ),
            )
        })?;
    let year_of = |d: &Option<String>| {
        d.as_deref()
            .and_then(|d| d.parse::<NaiveDate>().ok())
            .and_then(TaxYear::containing)
    };
    Ok(RecordsBusiness {
        kind,
        from: year_of(&business.commencement_date).map(TaxYear::first_day),
        to: year_of(&business.cessation_date).map(TaxYear::last_day),
    })
}

async fn import(
    ctx: &Context,
    file: &Path,
    business: &str,
    mapping: Option<&Path>,
    skip_bad_rows: bool,
    client: Option<String>,
) -> Result<Exit, CliError> {
    let (value, human) = import_as(
        ctx,
        &ctx.profile,
        file,
        business,
        mapping,
        skip_bad_rows,
        client,
    )
    .await?;
    emit(ctx.json, &value, || human);
    Ok(Exit::Done)
}

/// Imports a file as `profile`: what changed, as JSON and in words.
pub(super) async fn import_as(
    ctx: &Context,
    profile: &str,
    file: &Path,
    business: &str,
    mapping: Option<&Path>,
    skip_bad_rows: bool,
    client: Option<String>,
) -> Result<(serde_json::Value, String), CliError> {
    let id = business_id(business)?;
    let bytes = std::fs::read(file)
        .map_err(|e| CliError::new("io", format!("cannot read {}: {e}", file.display())))?;
    let mapping = match mapping {
        None => Mapping::default(),
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| CliError::new("io", format!("cannot read {}: {e}", path.display())))?;
            serde_json::from_str(&text).map_err(|e| {
                CliError::usage(format!(
                    "the mapping file {} is not valid: {e}",
                    path.display()
                ))
                .hint("see the README's records section for its shape")
            })?
        }
    };
    let authority = ctx.authority_for(profile).await?;
    let nino = ctx.whose_nino(client, &authority)?;
    let found = look_up(ctx, &authority, &nino, &id).await?;
    check_mapping(&mapping, found.kind)?;
    let mut parsed = csv_file::parse(&bytes, found.kind, &mapping);
    if parsed.other_kind_rows * 2 > parsed.rows {
        let other = found.kind.other();
        return Err(CliError::new(
            "records",
            format!(
                "{} looks like a {other} business's records ({} of {} rows have {other} categories), and {} is a {} business: nothing was imported",
                file.display(),
                parsed.other_kind_rows,
                parsed.rows,
                id.as_str(),
                found.kind
            ),
        )
        .hint("check --business: mtd businesses lists each business with its type"));
    }
    // A file that cannot be read at all (empty, no records, a missing column) is one problem.
    if let Some(whole) = parsed
        .errors
        .iter()
        .find(|e| e.line <= 1 && e.column.is_none())
    {
        return Err(CliError::new("records", format!("{}: {}", file.display(), whole.reason))
            .hint("records need a heading line (date,description,category,amount,disallowable) and rows under it"));
    }
    // Rows dated outside every tax year the business has belong to no update it can send.
    parsed.records.retain(|r| {
        let inside = found.from.is_none_or(|f| r.date >= f) && found.to.is_none_or(|t| r.date <= t);
        if !inside {
            parsed.errors.push(RowError {
                line: r.line,
                column: Some(mapping.columns.date.clone()),
                reason: format!(
                    "{} is outside every tax year {} has ({} to {})",
                    r.date,
                    id.as_str(),
                    found.from.map_or("its start".to_owned(), |f| f.to_string()),
                    found.to.map_or("now".to_owned(), |t| t.to_string()),
                ),
            });
        }
        inside
    });
    parsed.errors.sort_by_key(|e| e.line);
    let problems: Vec<String> = parsed.errors.iter().map(ToString::to_string).collect();
    let mut bad_lines: Vec<u64> = parsed.errors.iter().map(|e| e.line).collect();
    bad_lines.dedup();
    if !problems.is_empty() && (!skip_bad_rows || parsed.records.is_empty()) {
        return Err(CliError::new(
            "records",
            format!(
                "{} of {} cannot be read, so nothing was imported",
                plural(bad_lines.len(), "row"),
                file.display()
            ),
        )
        .problems(problems)
        .hint("correct those rows and import again, or add --skip-bad-rows to import the rest"));
    }
    // The full path names the source: files of one name in different folders are different.
    let source = std::fs::canonicalize(file)
        .unwrap_or_else(|_| file.to_owned())
        .display()
        .to_string();
    let name = file.file_name().map_or_else(
        || file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let summary = open_store(ctx)?
        .import(id.as_str(), found.kind, &source, &parsed.records)
        .map_err(store_error)?;
    let value = json!({
        "businessId": id.as_str(), "source": source, "added": summary.added,
        "removed": summary.removed, "unchanged": summary.unchanged,
        "duplicates": summary.duplicates, "amendedElsewhere": summary.amended_elsewhere,
        "skipped": problems,
    });
    let mut lines = vec![match (summary.added, summary.removed) {
        (0, 0) => format!("{name}: nothing new."),
        (added, 0) => format!("{name}: {} added.", plural(added, "record")),
        (added, removed) => format!(
            "{name}: {} added, {removed} removed (changed in or gone from the file).",
            plural(added, "record")
        ),
    }];
    if summary.unchanged > 0 {
        lines.push(format!(
            "{} already imported from this file.",
            plural(summary.unchanged, "record")
        ));
    }
    if summary.amended_elsewhere > 0 {
        lines.push(format!(
            "Note: {} differ only in amount from rows of another file, and both are now counted. If this file corrects that one, edit and import that file instead (see mtd records list).",
            plural(summary.amended_elsewhere, "added record")
        ));
    }
    if summary.duplicates > 0 {
        lines.push(format!(
            "{} already held from other files, not added again.",
            plural(summary.duplicates, "record")
        ));
    }
    if !problems.is_empty() {
        lines.push(format!("Skipped {}:", plural(bad_lines.len(), "bad row")));
        lines.extend(problems.iter().map(|p| format!("  {p}")));
    }
    Ok((value, lines.join("\n")))
}

/// A mapping's own mistakes, said as such before any row is blamed for them.
fn check_mapping(mapping: &Mapping, kind: BusinessKind) -> Result<(), CliError> {
    if !mapping.date_format_works() {
        return Err(CliError::usage(format!(
            "the mapping's dateFormat {:?} cannot read dates",
            mapping.date_format
        ))
        .hint("use a chrono format such as %d/%m/%Y"));
    }
    let unknown: Vec<String> = mapping
        .categories
        .iter()
        .filter(|(_, to)| kind.category(to).is_none())
        .map(|(from, to)| format!("{from:?} maps to {to:?}"))
        .collect();
    if !unknown.is_empty() {
        return Err(CliError::usage(format!(
            "the mapping names categories a {kind} business does not have"
        ))
        .problems(unknown)
        .hint("map to HMRC's field names listed in the README's records section"));
    }
    Ok(())
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// Records in the default layout, so an export imports again as it was.
fn to_csv(records: &[Record]) -> Result<String, CliError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| CliError::new("records", e.to_string());
    w.write_record(["date", "description", "category", "amount", "disallowable"])
        .map_err(fail)?;
    for r in records {
        w.write_record([
            r.date.to_string(),
            r.description.clone(),
            r.category.to_owned(),
            r.amount.to_string(),
            if r.disallowable { "yes" } else { "" }.to_owned(),
        ])
        .map_err(fail)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| CliError::new("records", e.to_string()))?;
    Ok(String::from_utf8(bytes).unwrap_or_default())
}
