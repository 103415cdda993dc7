//! The `serviceNames` Create Test User understands, who may have each, and what each gives.

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum UserType {
    Individual,
    Organisation,
    Agent,
}

impl UserType {
    /// The Government Gateway affinity group.
    pub fn affinity_group(self) -> &'static str {
        match self {
            UserType::Individual => "Individual",
            UserType::Organisation => "Organisation",
            UserType::Agent => "Agent",
        }
    }
}

#[derive(Debug)]
pub struct Service {
    pub key: &'static str,
    pub name: &'static str,
    pub allowed: &'static [UserType],
}

use UserType::{Agent, Individual, Organisation};

pub static SERVICES: &[Service] = &[
    Service {
        key: "national-insurance",
        name: "National Insurance",
        allowed: &[Individual, Organisation],
    },
    Service {
        key: "self-assessment",
        name: "Self Assessment",
        allowed: &[Individual, Organisation],
    },
    Service {
        key: "mtd-income-tax",
        name: "Making Tax Digital for Income Tax",
        allowed: &[Individual, Organisation],
    },
    Service {
        key: "agent-services",
        name: "Agent Services",
        allowed: &[Agent],
    },
    Service {
        key: "mtd-vat",
        name: "Making Tax Digital for VAT",
        allowed: &[Individual, Organisation],
    },
    Service {
        key: "corporation-tax",
        name: "Corporation Tax",
        allowed: &[Organisation],
    },
    Service {
        key: "paye-for-employers",
        name: "PAYE for Employers",
        allowed: &[Organisation],
    },
    Service {
        key: "customs-services",
        name: "Customs Services",
        allowed: &[Individual, Organisation],
    },
];

pub fn find(key: &str) -> Option<&'static Service> {
    SERVICES.iter().find(|s| s.key == key)
}
