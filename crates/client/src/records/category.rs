//! What a record is: one of HMRC's income or expense fields for its kind of business, named as
//! HMRC's APIs name it, or by the box on the Self Assessment pages (SA103F, SA105) it fills.

use std::fmt;

/// The kinds of business whose records become cumulative period summaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BusinessKind {
    SelfEmployment,
    UkProperty,
}

impl BusinessKind {
    /// From Business Details' `typeOfBusiness` (`self-employment`, `uk-property`).
    pub fn from_type_of_business(s: &str) -> Option<Self> {
        match s {
            "self-employment" => Some(Self::SelfEmployment),
            "uk-property" => Some(Self::UkProperty),
            _ => None,
        }
    }

    /// The other kind whose records could be mistaken for this one's.
    pub fn other(self) -> Self {
        match self {
            Self::SelfEmployment => Self::UkProperty,
            Self::UkProperty => Self::SelfEmployment,
        }
    }

    pub fn categories(self) -> &'static [Category] {
        match self {
            Self::SelfEmployment => SELF_EMPLOYMENT,
            Self::UkProperty => UK_PROPERTY,
        }
    }

    /// The category a record names: HMRC's field name exactly, or a documented alias (the box
    /// name from the Self Assessment pages), compared without case, spaces or punctuation.
    pub fn category(self, name: &str) -> Option<Category> {
        let wanted = squash(name);
        self.categories()
            .iter()
            .find(|c| {
                c.field == name
                    || squash(c.field) == wanted
                    || c.aliases.iter().any(|a| squash(a) == wanted)
            })
            .copied()
    }
}

impl fmt::Display for BusinessKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::SelfEmployment => "self-employment",
            Self::UkProperty => "uk-property",
        })
    }
}

/// Money in or money out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    Income,
    Expense,
}

/// One of HMRC's fields in a cumulative period summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Category {
    /// HMRC's field name, e.g. `costOfGoods`.
    pub field: &'static str,
    pub side: Side,
    /// Whether a disallowable part may be recorded (self-employment expenses have a
    /// `…Disallowable` twin; property expenses do not).
    pub may_be_disallowable: bool,
    /// The names of the box this field fills on the Self Assessment pages.
    pub aliases: &'static [&'static str],
}

const fn income(field: &'static str, aliases: &'static [&'static str]) -> Category {
    Category {
        field,
        side: Side::Income,
        may_be_disallowable: false,
        aliases,
    }
}

const fn expense(
    field: &'static str,
    disallowable: bool,
    aliases: &'static [&'static str],
) -> Category {
    Category {
        field,
        side: Side::Expense,
        may_be_disallowable: disallowable,
        aliases,
    }
}

/// Self-Employment Business 5.0's cumulative fields, with the SA103F box names.
const SELF_EMPLOYMENT: &[Category] = &[
    income(
        "turnover",
        &["Your turnover", "Takings, fees, sales or money earned"],
    ),
    income(
        "other",
        &["Any other business income", "Other business income"],
    ),
    income(
        "taxTakenOffTradingIncome",
        &["Tax taken off trading income"],
    ),
    expense(
        "costOfGoods",
        true,
        &[
            "Cost of goods bought for resale or goods used",
            "Cost of goods",
        ],
    ),
    expense(
        "paymentsToSubcontractors",
        true,
        &[
            "Construction industry - payments to subcontractors",
            "Payments to subcontractors",
        ],
    ),
    expense(
        "wagesAndStaffCosts",
        true,
        &["Wages, salaries and other staff costs"],
    ),
    expense(
        "carVanTravelExpenses",
        true,
        &["Car, van and travel expenses"],
    ),
    expense(
        "premisesRunningCosts",
        true,
        &["Rent, rates, power and insurance costs"],
    ),
    expense(
        "maintenanceCosts",
        true,
        &[
            "Repairs and maintenance of property and equipment",
            "Repairs and renewals of property and equipment",
        ],
    ),
    expense(
        "adminCosts",
        true,
        &["Phone, fax, stationery and other office costs"],
    ),
    expense(
        "businessEntertainmentCosts",
        true,
        &["Business entertainment costs"],
    ),
    expense("advertisingCosts", true, &["Advertising costs"]),
    expense(
        "interestOnBankOtherLoans",
        true,
        &["Interest on bank and other loans"],
    ),
    expense(
        "financeCharges",
        true,
        &["Bank, credit card and other financial charges"],
    ),
    expense(
        "irrecoverableDebts",
        true,
        &["Irrecoverable debts written off"],
    ),
    expense(
        "professionalFees",
        true,
        &["Accountancy, legal and other professional fees"],
    ),
    expense(
        "depreciation",
        true,
        &["Depreciation and loss or profit on sale of assets"],
    ),
    expense("otherExpenses", true, &["Other business expenses"]),
];

/// Property Business 6.0's UK cumulative fields, with the SA105 box names.
const UK_PROPERTY: &[Category] = &[
    income(
        "periodAmount",
        &["Total rents and other income from property", "Rents"],
    ),
    income(
        "premiumsOfLeaseGrant",
        &["Premiums for the grant of a lease"],
    ),
    income("reversePremiums", &["Reverse premiums and inducements"]),
    income("otherIncome", &["Other property income"]),
    income(
        "taxDeducted",
        &["Tax taken off any income in box 20", "Tax taken off"],
    ),
    expense(
        "premisesRunningCosts",
        false,
        &["Rent, rates, insurance, ground rents etc."],
    ),
    expense(
        "repairsAndMaintenance",
        false,
        &["Property repairs and maintenance"],
    ),
    expense(
        "financialCosts",
        false,
        &["Non-residential property finance costs"],
    ),
    expense(
        "professionalFees",
        false,
        &["Legal, management and other professional fees"],
    ),
    expense(
        "costOfServices",
        false,
        &["Costs of services provided, including wages"],
    ),
    expense("travelCosts", false, &["Travel costs"]),
    expense("other", false, &["Other allowable property expenses"]),
    expense(
        "residentialFinancialCost",
        false,
        &["Residential property finance costs"],
    ),
];

/// Lower case letters and digits only, so `Car, van and travel expenses` and
/// `car van & travel expenses` meet.
fn squash(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names_and_box_names_both_name_a_category() {
        let se = BusinessKind::SelfEmployment;
        assert_eq!(se.category("costOfGoods").unwrap().field, "costOfGoods");
        assert_eq!(se.category("COST OF GOODS").unwrap().field, "costOfGoods");
        assert_eq!(
            se.category("Car, van and travel expenses").unwrap().field,
            "carVanTravelExpenses"
        );
        assert_eq!(
            BusinessKind::UkProperty
                .category("Property repairs and maintenance")
                .unwrap()
                .field,
            "repairsAndMaintenance"
        );
        assert!(se.category("periodAmount").is_none());
        assert!(se.category("").is_none());
    }

    #[test]
    fn no_alias_names_two_categories() {
        for kind in [BusinessKind::SelfEmployment, BusinessKind::UkProperty] {
            let mut seen = std::collections::HashMap::new();
            for c in kind.categories() {
                for name in std::iter::once(c.field).chain(c.aliases.iter().copied()) {
                    let other = seen.insert(squash(name), c.field);
                    assert!(
                        other.is_none_or(|f| f == c.field),
                        "{kind}: {name} names two"
                    );
                }
            }
        }
    }
}
