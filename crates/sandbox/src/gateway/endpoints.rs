//! The one table of every API endpoint behind the gateway: its API, method, path, versions and
//! access level. `router.rs` mounts exactly these; the gateway judges each request by its row.

use axum::http::Method;
use mtd_domain::Scope;

/// An API an application can subscribe to, named by its context as on HMRC's platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Api {
    Hello,
    CreateTestUser,
    IndividualDetails,
    BusinessDetails,
    Obligations,
    SelfEmployment,
    PropertyBusiness,
    SaTestSupport,
    AgentAuthorisation,
    AgentAuthorisationTestSupport,
    TestFraudPreventionHeaders,
}

impl Api {
    pub const ALL: [Api; 11] = [
        Api::Hello,
        Api::CreateTestUser,
        Api::IndividualDetails,
        Api::BusinessDetails,
        Api::Obligations,
        Api::SelfEmployment,
        Api::PropertyBusiness,
        Api::SaTestSupport,
        Api::AgentAuthorisation,
        Api::AgentAuthorisationTestSupport,
        Api::TestFraudPreventionHeaders,
    ];

    pub fn context(self) -> &'static str {
        match self {
            Api::Hello => "hello",
            Api::CreateTestUser => "create-test-user",
            Api::IndividualDetails => "individuals/person",
            Api::BusinessDetails => "individuals/business/details",
            Api::Obligations => "obligations/details",
            Api::SelfEmployment => "individuals/business/self-employment",
            Api::PropertyBusiness => "individuals/business/property",
            Api::SaTestSupport => "individuals/self-assessment-test-support",
            Api::AgentAuthorisation => "agents",
            Api::AgentAuthorisationTestSupport => "agent-authorisation-test-support",
            Api::TestFraudPreventionHeaders => "test/fraud-prevention-headers",
        }
    }

    pub fn from_context(s: &str) -> Option<Api> {
        Api::ALL.into_iter().find(|a| a.context() == s)
    }
}

/// Who may call an endpoint, and with what token (`platform.md` §3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Open,
    /// Any token of a subscribed application. HMRC documents client-credentials tokens here;
    /// whether it also takes user tokens is unconfirmed, and we accept them.
    Application,
    User(Scope),
}

#[derive(Debug)]
pub struct Endpoint {
    pub api: Api,
    pub method: Method,
    /// In the router's syntax (`/hello/{name}`).
    pub path: &'static str,
    pub versions: &'static [&'static str],
    pub access: Access,
    /// Whether a supporting agent may call it (`itsa-apis.md` §2.7); main agents may call all.
    pub supporting_agents: bool,
}

pub static HELLO_WORLD: Endpoint = Endpoint {
    api: Api::Hello,
    method: Method::GET,
    path: "/hello/world",
    versions: &["1.0"],
    access: Access::Open,
    supporting_agents: true,
};
pub static HELLO_APPLICATION: Endpoint = Endpoint {
    api: Api::Hello,
    method: Method::GET,
    path: "/hello/application",
    versions: &["1.0"],
    access: Access::Application,
    supporting_agents: true,
};
pub static HELLO_USER: Endpoint = Endpoint {
    api: Api::Hello,
    method: Method::GET,
    path: "/hello/user",
    versions: &["1.0"],
    access: Access::User(Scope::Hello),
    supporting_agents: true,
};
pub static CREATE_INDIVIDUAL: Endpoint = Endpoint {
    api: Api::CreateTestUser,
    method: Method::POST,
    path: "/create-test-user/individuals",
    versions: &["1.0"],
    access: Access::Application,
    supporting_agents: true,
};
pub static CREATE_ORGANISATION: Endpoint = Endpoint {
    api: Api::CreateTestUser,
    method: Method::POST,
    path: "/create-test-user/organisations",
    versions: &["1.0"],
    access: Access::Application,
    supporting_agents: true,
};
pub static CREATE_AGENT: Endpoint = Endpoint {
    api: Api::CreateTestUser,
    method: Method::POST,
    path: "/create-test-user/agents",
    versions: &["1.0"],
    access: Access::Application,
    supporting_agents: true,
};
pub static TEST_USER_SERVICES: Endpoint = Endpoint {
    api: Api::CreateTestUser,
    method: Method::GET,
    path: "/create-test-user/services",
    versions: &["1.0"],
    access: Access::Application,
    supporting_agents: true,
};

pub static ITSA_STATUS: Endpoint = Endpoint {
    api: Api::IndividualDetails,
    method: Method::GET,
    path: "/individuals/person/itsa-status/{nino}/{taxYear}",
    versions: &["2.0"],
    access: Access::User(Scope::ReadSelfAssessment),
    supporting_agents: true,
};
pub static BUSINESS_LIST: Endpoint = Endpoint {
    api: Api::BusinessDetails,
    method: Method::GET,
    path: "/individuals/business/details/{nino}/list",
    versions: &["2.0"],
    access: Access::User(Scope::ReadSelfAssessment),
    supporting_agents: true,
};
pub static BUSINESS_RETRIEVE: Endpoint = Endpoint {
    api: Api::BusinessDetails,
    method: Method::GET,
    path: "/individuals/business/details/{nino}/{businessId}",
    versions: &["2.0"],
    access: Access::User(Scope::ReadSelfAssessment),
    supporting_agents: true,
};
pub static BUSINESS_ACCOUNTING_TYPE: Endpoint = Endpoint {
    api: Api::BusinessDetails,
    method: Method::GET,
    path: "/individuals/business/details/{nino}/{businessId}/{taxYear}/accounting-type",
    versions: &["2.0"],
    access: Access::User(Scope::ReadSelfAssessment),
    supporting_agents: false,
};
pub static BUSINESS_PERIOD_TYPE: Endpoint = Endpoint {
    api: Api::BusinessDetails,
    method: Method::PUT,
    path: "/individuals/business/details/{nino}/{businessId}/{taxYear}",
    versions: &["2.0"],
    access: Access::User(Scope::WriteSelfAssessment),
    supporting_agents: true,
};
pub static BUSINESS_ACCOUNTING_TYPE_UPDATE: Endpoint = Endpoint {
    api: Api::BusinessDetails,
    method: Method::PUT,
    path: "/individuals/business/details/{nino}/{businessId}/{taxYear}/accounting-type",
    versions: &["2.0"],
    access: Access::User(Scope::WriteSelfAssessment),
    supporting_agents: false,
};
pub static PERIODS_OF_ACCOUNT_GET: Endpoint = Endpoint {
    api: Api::BusinessDetails,
    method: Method::GET,
    path: "/individuals/business/details/{nino}/{businessId}/{taxYear}/periods-of-account",
    versions: &["2.0"],
    access: Access::User(Scope::ReadSelfAssessment),
    supporting_agents: true,
};
pub static PERIODS_OF_ACCOUNT_PUT: Endpoint = Endpoint {
    api: Api::BusinessDetails,
    method: Method::PUT,
    path: "/individuals/business/details/{nino}/{businessId}/{taxYear}/periods-of-account",
    versions: &["2.0"],
    access: Access::User(Scope::WriteSelfAssessment),
    supporting_agents: true,
};
pub static LADR_GET: Endpoint = Endpoint {
    api: Api::BusinessDetails,
    method: Method::GET,
    path: "/individuals/business/details/{nino}/{businessId}/{taxYear}/late-accounting-date-rule-election",
    versions: &["2.0"],
    access: Access::User(Scope::ReadSelfAssessment),
    supporting_agents: true,
};
pub static LADR_DISAPPLY: Endpoint = Endpoint {
    api: Api::BusinessDetails,
    method: Method::POST,
    path: "/individuals/business/details/{nino}/{businessId}/{taxYear}/late-accounting-date-rule-election/disapply",
    versions: &["2.0"],
    access: Access::User(Scope::WriteSelfAssessment),
    supporting_agents: true,
};
pub static LADR_WITHDRAW: Endpoint = Endpoint {
    api: Api::BusinessDetails,
    method: Method::DELETE,
    path: "/individuals/business/details/{nino}/{businessId}/{taxYear}/late-accounting-date-rule-election/withdraw",
    versions: &["2.0"],
    access: Access::User(Scope::WriteSelfAssessment),
    supporting_agents: true,
};
pub static OBLIGATIONS_QUARTERLY: Endpoint = Endpoint {
    api: Api::Obligations,
    method: Method::GET,
    path: "/obligations/details/{nino}/income-and-expenditure",
    versions: &["3.0"],
    access: Access::User(Scope::ReadSelfAssessment),
    supporting_agents: true,
};
pub static OBLIGATIONS_FINAL: Endpoint = Endpoint {
    api: Api::Obligations,
    method: Method::GET,
    path: "/obligations/details/{nino}/crystallisation",
    versions: &["3.0"],
    access: Access::User(Scope::ReadSelfAssessment),
    supporting_agents: true,
};
pub static SE_CUMULATIVE_PUT: Endpoint = Endpoint {
    api: Api::SelfEmployment,
    method: Method::PUT,
    path: "/individuals/business/self-employment/{nino}/{businessId}/cumulative/{taxYear}",
    versions: &["5.0"],
    access: Access::User(Scope::WriteSelfAssessment),
    supporting_agents: true,
};
pub static SE_CUMULATIVE_GET: Endpoint = Endpoint {
    api: Api::SelfEmployment,
    method: Method::GET,
    path: "/individuals/business/self-employment/{nino}/{businessId}/cumulative/{taxYear}",
    versions: &["5.0"],
    access: Access::User(Scope::ReadSelfAssessment),
    supporting_agents: true,
};
pub static SE_ANNUAL_PUT: Endpoint = Endpoint {
    api: Api::SelfEmployment,
    method: Method::PUT,
    path: "/individuals/business/self-employment/{nino}/{businessId}/annual/{taxYear}",
    versions: &["5.0"],
    access: Access::User(Scope::WriteSelfAssessment),
    supporting_agents: true,
};
pub static SE_ANNUAL_GET: Endpoint = Endpoint {
    api: Api::SelfEmployment,
    method: Method::GET,
    path: "/individuals/business/self-employment/{nino}/{businessId}/annual/{taxYear}",
    versions: &["5.0"],
    access: Access::User(Scope::ReadSelfAssessment),
    supporting_agents: true,
};
pub static SE_ANNUAL_DELETE: Endpoint = Endpoint {
    api: Api::SelfEmployment,
    method: Method::DELETE,
    path: "/individuals/business/self-employment/{nino}/{businessId}/annual/{taxYear}",
    versions: &["5.0"],
    access: Access::User(Scope::WriteSelfAssessment),
    supporting_agents: true,
};
pub static UK_PROPERTY_CUMULATIVE_PUT: Endpoint = Endpoint {
    api: Api::PropertyBusiness,
    method: Method::PUT,
    path: "/individuals/business/property/uk/{nino}/{businessId}/cumulative/{taxYear}",
    versions: &["6.0"],
    access: Access::User(Scope::WriteSelfAssessment),
    supporting_agents: true,
};
pub static UK_PROPERTY_CUMULATIVE_GET: Endpoint = Endpoint {
    api: Api::PropertyBusiness,
    method: Method::GET,
    path: "/individuals/business/property/uk/{nino}/{businessId}/cumulative/{taxYear}",
    versions: &["6.0"],
    access: Access::User(Scope::ReadSelfAssessment),
    supporting_agents: true,
};
pub static UK_PROPERTY_ANNUAL_PUT: Endpoint = Endpoint {
    api: Api::PropertyBusiness,
    method: Method::PUT,
    path: "/individuals/business/property/uk/{nino}/{businessId}/annual/{taxYear}",
    versions: &["6.0"],
    access: Access::User(Scope::WriteSelfAssessment),
    supporting_agents: true,
};
pub static UK_PROPERTY_ANNUAL_GET: Endpoint = Endpoint {
    api: Api::PropertyBusiness,
    method: Method::GET,
    path: "/individuals/business/property/uk/{nino}/{businessId}/annual/{taxYear}",
    versions: &["6.0"],
    access: Access::User(Scope::ReadSelfAssessment),
    supporting_agents: true,
};
pub static PROPERTY_ANNUAL_DELETE: Endpoint = Endpoint {
    api: Api::PropertyBusiness,
    method: Method::DELETE,
    path: "/individuals/business/property/{nino}/{businessId}/annual/{taxYear}",
    versions: &["6.0"],
    access: Access::User(Scope::WriteSelfAssessment),
    supporting_agents: true,
};
pub static FOREIGN_CUMULATIVE_PUT: Endpoint = Endpoint {
    api: Api::PropertyBusiness,
    method: Method::PUT,
    path: "/individuals/business/property/foreign/{nino}/{businessId}/cumulative/{taxYear}",
    versions: &["6.0"],
    access: Access::User(Scope::WriteSelfAssessment),
    supporting_agents: true,
};
pub static FOREIGN_CUMULATIVE_GET: Endpoint = Endpoint {
    api: Api::PropertyBusiness,
    method: Method::GET,
    path: "/individuals/business/property/foreign/{nino}/{businessId}/cumulative/{taxYear}",
    versions: &["6.0"],
    access: Access::User(Scope::ReadSelfAssessment),
    supporting_agents: true,
};
pub static FOREIGN_DETAILS_CREATE: Endpoint = Endpoint {
    api: Api::PropertyBusiness,
    method: Method::POST,
    path: "/individuals/business/property/foreign/{nino}/{businessId}/details/{taxYear}",
    versions: &["6.0"],
    access: Access::User(Scope::WriteSelfAssessment),
    supporting_agents: true,
};
pub static FOREIGN_DETAILS_GET: Endpoint = Endpoint {
    api: Api::PropertyBusiness,
    method: Method::GET,
    path: "/individuals/business/property/foreign/{nino}/{businessId}/details/{taxYear}",
    versions: &["6.0"],
    access: Access::User(Scope::ReadSelfAssessment),
    supporting_agents: true,
};
pub static FOREIGN_DETAILS_UPDATE: Endpoint = Endpoint {
    api: Api::PropertyBusiness,
    method: Method::PUT,
    path: "/individuals/business/property/foreign/{nino}/details/{propertyId}/{taxYear}",
    versions: &["6.0"],
    access: Access::User(Scope::WriteSelfAssessment),
    supporting_agents: true,
};
pub static VENDOR_STATE_DELETE: Endpoint = Endpoint {
    api: Api::SaTestSupport,
    method: Method::DELETE,
    path: "/individuals/self-assessment-test-support/vendor-state",
    versions: &["1.0"],
    access: Access::User(Scope::WriteSelfAssessment),
    supporting_agents: true,
};
pub static CHECKPOINTS_LIST: Endpoint = Endpoint {
    api: Api::SaTestSupport,
    method: Method::GET,
    path: "/individuals/self-assessment-test-support/vendor-state/checkpoints",
    versions: &["1.0"],
    access: Access::User(Scope::ReadSelfAssessment),
    supporting_agents: true,
};
pub static CHECKPOINTS_CREATE: Endpoint = Endpoint {
    api: Api::SaTestSupport,
    method: Method::POST,
    path: "/individuals/self-assessment-test-support/vendor-state/checkpoints",
    versions: &["1.0"],
    access: Access::User(Scope::WriteSelfAssessment),
    supporting_agents: true,
};
pub static CHECKPOINT_DELETE: Endpoint = Endpoint {
    api: Api::SaTestSupport,
    method: Method::DELETE,
    path: "/individuals/self-assessment-test-support/vendor-state/checkpoints/{checkpointId}",
    versions: &["1.0"],
    access: Access::User(Scope::WriteSelfAssessment),
    supporting_agents: true,
};
pub static CHECKPOINT_RESTORE: Endpoint = Endpoint {
    api: Api::SaTestSupport,
    method: Method::POST,
    path: "/individuals/self-assessment-test-support/vendor-state/checkpoints/{checkpointId}/restore",
    versions: &["1.0"],
    access: Access::User(Scope::WriteSelfAssessment),
    supporting_agents: true,
};
pub static FOREIGN_ANNUAL_PUT: Endpoint = Endpoint {
    api: Api::PropertyBusiness,
    method: Method::PUT,
    path: "/individuals/business/property/foreign/{nino}/{businessId}/annual/{taxYear}",
    versions: &["6.0"],
    access: Access::User(Scope::WriteSelfAssessment),
    supporting_agents: true,
};
pub static FOREIGN_ANNUAL_GET: Endpoint = Endpoint {
    api: Api::PropertyBusiness,
    method: Method::GET,
    path: "/individuals/business/property/foreign/{nino}/{businessId}/annual/{taxYear}",
    versions: &["6.0"],
    access: Access::User(Scope::ReadSelfAssessment),
    supporting_agents: true,
};
pub static SA_TEST_SUPPORT_BUSINESS_CREATE: Endpoint = Endpoint {
    api: Api::SaTestSupport,
    method: Method::POST,
    path: "/individuals/self-assessment-test-support/business/{nino}",
    versions: &["1.0"],
    access: Access::User(Scope::WriteSelfAssessment),
    supporting_agents: true,
};
pub static SA_TEST_SUPPORT_BUSINESS_DELETE: Endpoint = Endpoint {
    api: Api::SaTestSupport,
    method: Method::DELETE,
    path: "/individuals/self-assessment-test-support/business/{nino}/{businessId}",
    versions: &["1.0"],
    access: Access::User(Scope::WriteSelfAssessment),
    supporting_agents: true,
};
pub static SA_TEST_SUPPORT_ITSA_STATUS: Endpoint = Endpoint {
    api: Api::SaTestSupport,
    method: Method::POST,
    path: "/individuals/self-assessment-test-support/itsa-status/{nino}/{taxYear}",
    versions: &["1.0"],
    access: Access::User(Scope::WriteSelfAssessment),
    supporting_agents: true,
};

pub static AGENT_CREATE_INVITATION: Endpoint = Endpoint {
    api: Api::AgentAuthorisation,
    method: Method::POST,
    path: "/agents/{arn}/invitations",
    versions: &["1.0"],
    access: Access::User(Scope::WriteSentInvitations),
    supporting_agents: true,
};
pub static AGENT_LIST_INVITATIONS: Endpoint = Endpoint {
    api: Api::AgentAuthorisation,
    method: Method::GET,
    path: "/agents/{arn}/invitations",
    versions: &["1.0"],
    access: Access::User(Scope::ReadSentInvitations),
    supporting_agents: true,
};
pub static AGENT_GET_INVITATION: Endpoint = Endpoint {
    api: Api::AgentAuthorisation,
    method: Method::GET,
    path: "/agents/{arn}/invitations/{invitationId}",
    versions: &["1.0"],
    access: Access::User(Scope::ReadSentInvitations),
    supporting_agents: true,
};
pub static AGENT_CANCEL_INVITATION: Endpoint = Endpoint {
    api: Api::AgentAuthorisation,
    method: Method::DELETE,
    path: "/agents/{arn}/invitations/{invitationId}",
    versions: &["1.0"],
    access: Access::User(Scope::WriteCancelInvitations),
    supporting_agents: true,
};
pub static AGENT_CHECK_RELATIONSHIP: Endpoint = Endpoint {
    api: Api::AgentAuthorisation,
    method: Method::POST,
    path: "/agents/{arn}/relationships",
    versions: &["1.0"],
    access: Access::User(Scope::ReadCheckRelationship),
    supporting_agents: true,
};
pub static AGENT_DEAUTHORISE: Endpoint = Endpoint {
    api: Api::AgentAuthorisation,
    method: Method::PUT,
    path: "/agents/{arn}/deauthorise-client",
    versions: &["1.0"],
    access: Access::User(Scope::WriteSentInvitations),
    supporting_agents: true,
};
pub static AGENT_TS_ACCEPT: Endpoint = Endpoint {
    api: Api::AgentAuthorisationTestSupport,
    method: Method::PUT,
    path: "/agent-authorisation-test-support/invitations/{invitationId}",
    versions: &["1.0"],
    access: Access::Application,
    supporting_agents: true,
};
pub static AGENT_TS_REJECT: Endpoint = Endpoint {
    api: Api::AgentAuthorisationTestSupport,
    method: Method::DELETE,
    path: "/agent-authorisation-test-support/invitations/{invitationId}",
    versions: &["1.0"],
    access: Access::Application,
    supporting_agents: true,
};
pub static AGENT_TS_KNOWN_FACT: Endpoint = Endpoint {
    api: Api::AgentAuthorisationTestSupport,
    method: Method::GET,
    path: "/agent-authorisation-test-support/known-facts/mtd-it/nino/{nino}",
    versions: &["1.0"],
    access: Access::Application,
    supporting_agents: true,
};

pub static FPH_VALIDATE: Endpoint = Endpoint {
    api: Api::TestFraudPreventionHeaders,
    method: Method::GET,
    path: "/test/fraud-prevention-headers/validate",
    versions: &["1.0"],
    access: Access::Application,
    supporting_agents: true,
};
pub static FPH_FEEDBACK: Endpoint = Endpoint {
    api: Api::TestFraudPreventionHeaders,
    method: Method::GET,
    path: "/test/fraud-prevention-headers/{api}/validation-feedback",
    versions: &["1.0"],
    access: Access::Application,
    supporting_agents: true,
};

/// Every endpoint, for the router and for documentation.
pub static ALL: &[&Endpoint] = &[
    &HELLO_WORLD,
    &HELLO_APPLICATION,
    &HELLO_USER,
    &CREATE_INDIVIDUAL,
    &CREATE_ORGANISATION,
    &CREATE_AGENT,
    &TEST_USER_SERVICES,
    &ITSA_STATUS,
    &BUSINESS_LIST,
    &BUSINESS_RETRIEVE,
    &BUSINESS_ACCOUNTING_TYPE,
    &BUSINESS_PERIOD_TYPE,
    &BUSINESS_ACCOUNTING_TYPE_UPDATE,
    &PERIODS_OF_ACCOUNT_GET,
    &PERIODS_OF_ACCOUNT_PUT,
    &LADR_GET,
    &LADR_DISAPPLY,
    &LADR_WITHDRAW,
    &OBLIGATIONS_QUARTERLY,
    &OBLIGATIONS_FINAL,
    &SE_CUMULATIVE_PUT,
    &SE_CUMULATIVE_GET,
    &SE_ANNUAL_PUT,
    &SE_ANNUAL_GET,
    &SE_ANNUAL_DELETE,
    &UK_PROPERTY_CUMULATIVE_PUT,
    &UK_PROPERTY_CUMULATIVE_GET,
    &UK_PROPERTY_ANNUAL_PUT,
    &UK_PROPERTY_ANNUAL_GET,
    &PROPERTY_ANNUAL_DELETE,
    &FOREIGN_CUMULATIVE_PUT,
    &FOREIGN_CUMULATIVE_GET,
    &FOREIGN_DETAILS_CREATE,
    &FOREIGN_DETAILS_GET,
    &FOREIGN_DETAILS_UPDATE,
    &FOREIGN_ANNUAL_PUT,
    &FOREIGN_ANNUAL_GET,
    &SA_TEST_SUPPORT_BUSINESS_CREATE,
    &SA_TEST_SUPPORT_BUSINESS_DELETE,
    &VENDOR_STATE_DELETE,
    &CHECKPOINTS_LIST,
    &CHECKPOINTS_CREATE,
    &CHECKPOINT_DELETE,
    &CHECKPOINT_RESTORE,
    &SA_TEST_SUPPORT_ITSA_STATUS,
    &AGENT_CREATE_INVITATION,
    &AGENT_LIST_INVITATIONS,
    &AGENT_GET_INVITATION,
    &AGENT_CANCEL_INVITATION,
    &AGENT_CHECK_RELATIONSHIP,
    &AGENT_DEAUTHORISE,
    &AGENT_TS_ACCEPT,
    &AGENT_TS_REJECT,
    &AGENT_TS_KNOWN_FACT,
    &FPH_VALIDATE,
    &FPH_FEEDBACK,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_consistent() {
        let mut seen = std::collections::HashSet::new();
        for ep in ALL {
            assert!(
                seen.insert((ep.method.clone(), ep.path)),
                "duplicate {} {}",
                ep.method,
                ep.path
            );
            assert!(!ep.versions.is_empty());
            assert_eq!(Api::from_context(ep.api.context()), Some(ep.api));
        }
    }
}
