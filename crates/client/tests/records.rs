//! The shared year of records, read as a person's export and summed: each quarter's year-to-date
//! totals equal, field by field, those the records' README gives.

use chrono::NaiveDate;
use mtd_client::records::BusinessKind;
use mtd_client::records::csv_file::{Mapping, parse};
use mtd_client::records::totals::Totals;

fn check(file: &str, kind: BusinessKind) {
    let Some(root) = mtd_testkit::data::root() else {
        return;
    };
    let bytes = std::fs::read(root.join(file)).unwrap();
    let parsed = parse(&bytes, kind, &Mapping::default());
    assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
    let expected = mtd_testkit::data::expected_totals(file);
    assert_eq!(expected.len(), 4, "four quarters in the README for {file}");
    let year_start = NaiveDate::from_ymd_opt(2025, 4, 6).unwrap();
    for (end, fields) in expected {
        let to: NaiveDate = end.parse().unwrap();
        let totals = Totals::of(kind, &parsed.records, year_start, to);
        let got: std::collections::BTreeMap<String, String> = totals
            .fields
            .iter()
            .map(|(k, v)| (k.clone(), format!("{:.2}", v.as_decimal())))
            .collect();
        assert_eq!(got, fields, "{file} to {end}");
    }
}

#[test]
fn the_sole_traders_quarters_add_up() {
    check("sole-trader-2025-26.csv", BusinessKind::SelfEmployment);
}

#[test]
fn the_landlords_quarters_add_up() {
    check("landlord-2025-26.csv", BusinessKind::UkProperty);
}
