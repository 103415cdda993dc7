//! Every route the local HMRC serves, in one place.

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{MethodFilter, MethodRouter, get, on, post};
use tracing::Instrument;

use crate::gateway::{self, Gate, endpoints as ep};
use crate::{
    AppState, agents, apis, fraud, gg, hello, manage, oauth, signup, test_support, test_users,
};

pub fn build(state: AppState) -> Router {
    let mut router = Router::new()
        .route("/oauth/token", post(oauth::token::token))
        .route("/oauth/authorize", get(oauth::authorize::authorize))
        .route("/oauth/start", post(oauth::authorize::start))
        .route(
            "/oauth/grant",
            get(oauth::grant::show).post(oauth::grant::submit),
        )
        .route("/sign-in", get(gg::sign_in::show).post(gg::sign_in::submit))
        .route("/two-step-verification", get(gg::two_step::start))
        .route("/two-step-verification/setup", post(gg::two_step::choose))
        .route("/two-step-verification/phone", post(gg::two_step::phone))
        .route("/two-step-verification/code", post(gg::two_step::code))
        .route(
            "/identity-check",
            get(gg::identity::show).post(gg::identity::submit),
        )
        .route(
            signup::pages::PATH,
            get(signup::pages::show).post(signup::pages::submit),
        )
        .route(
            signup::agent_pages::PATH,
            get(signup::agent_pages::show).post(signup::agent_pages::submit),
        )
        .route(
            signup::registration_pages::PATH,
            get(signup::registration_pages::show).post(signup::registration_pages::submit),
        )
        .route(
            agents::services_account::PATH,
            get(agents::services_account::show).post(agents::services_account::submit),
        )
        .route(
            agents::mapping_pages::PATH,
            get(agents::mapping_pages::show).post(agents::mapping_pages::submit),
        )
        .route(
            "/appoint-someone-to-deal-with-HMRC-for-you/{invitation_id}",
            get(agents::client_pages::show).post(agents::client_pages::answer),
        )
        .route(
            "/applications-manage-authority/applications",
            get(manage::list),
        )
        .route(
            "/applications-manage-authority/application/{client_id}/remove-authority",
            get(manage::confirm).post(manage::remove),
        )
        .route(
            "/applications-manage-authority/application/authority-removed",
            get(manage::removed),
        );
    let routes: [(&'static ep::Endpoint, MethodRouter<AppState>); 56] = [
        (&ep::HELLO_WORLD, handler(&ep::HELLO_WORLD, hello::world)),
        (
            &ep::HELLO_APPLICATION,
            handler(&ep::HELLO_APPLICATION, hello::application),
        ),
        (&ep::HELLO_USER, handler(&ep::HELLO_USER, hello::user)),
        (
            &ep::CREATE_INDIVIDUAL,
            handler(&ep::CREATE_INDIVIDUAL, test_users::routes::individuals),
        ),
        (
            &ep::CREATE_ORGANISATION,
            handler(&ep::CREATE_ORGANISATION, test_users::routes::organisations),
        ),
        (
            &ep::CREATE_AGENT,
            handler(&ep::CREATE_AGENT, test_users::routes::agents),
        ),
        (
            &ep::TEST_USER_SERVICES,
            handler(&ep::TEST_USER_SERVICES, test_users::routes::list_services),
        ),
        (
            &ep::ITSA_STATUS,
            handler(&ep::ITSA_STATUS, apis::individual_details::retrieve),
        ),
        (
            &ep::BUSINESS_LIST,
            handler(&ep::BUSINESS_LIST, apis::business_details::list),
        ),
        (
            &ep::BUSINESS_RETRIEVE,
            handler(&ep::BUSINESS_RETRIEVE, apis::business_details::retrieve),
        ),
        (
            &ep::BUSINESS_ACCOUNTING_TYPE,
            handler(
                &ep::BUSINESS_ACCOUNTING_TYPE,
                apis::business_details::accounting_type,
            ),
        ),
        (
            &ep::SA_TEST_SUPPORT_ITSA_STATUS,
            handler(
                &ep::SA_TEST_SUPPORT_ITSA_STATUS,
                apis::sa_test_support::create_amend,
            ),
        ),
        (
            &ep::AGENT_CREATE_INVITATION,
            handler(
                &ep::AGENT_CREATE_INVITATION,
                apis::agent_authorisation::create,
            ),
        ),
        (
            &ep::AGENT_LIST_INVITATIONS,
            handler(&ep::AGENT_LIST_INVITATIONS, apis::agent_authorisation::list),
        ),
        (
            &ep::AGENT_GET_INVITATION,
            handler(&ep::AGENT_GET_INVITATION, apis::agent_authorisation::get),
        ),
        (
            &ep::AGENT_CANCEL_INVITATION,
            handler(
                &ep::AGENT_CANCEL_INVITATION,
                apis::agent_authorisation::cancel,
            ),
        ),
        (
            &ep::AGENT_CHECK_RELATIONSHIP,
            handler(
                &ep::AGENT_CHECK_RELATIONSHIP,
                apis::agent_authorisation::check_relationship,
            ),
        ),
        (
            &ep::AGENT_DEAUTHORISE,
            handler(
                &ep::AGENT_DEAUTHORISE,
                apis::agent_authorisation::deauthorise,
            ),
        ),
        (
            &ep::AGENT_TS_ACCEPT,
            handler(&ep::AGENT_TS_ACCEPT, apis::agent_test_support::accept),
        ),
        (
            &ep::AGENT_TS_REJECT,
            handler(&ep::AGENT_TS_REJECT, apis::agent_test_support::reject),
        ),
        (
            &ep::AGENT_TS_KNOWN_FACT,
            handler(
                &ep::AGENT_TS_KNOWN_FACT,
                apis::agent_test_support::known_fact,
            ),
        ),
        (
            &ep::BUSINESS_PERIOD_TYPE,
            handler(
                &ep::BUSINESS_PERIOD_TYPE,
                apis::business_details::quarterly_period_type,
            ),
        ),
        (
            &ep::OBLIGATIONS_QUARTERLY,
            handler(
                &ep::OBLIGATIONS_QUARTERLY,
                apis::obligations::income_and_expenditure,
            ),
        ),
        (
            &ep::OBLIGATIONS_FINAL,
            handler(&ep::OBLIGATIONS_FINAL, apis::obligations::crystallisation),
        ),
        (
            &ep::SE_CUMULATIVE_PUT,
            handler(&ep::SE_CUMULATIVE_PUT, apis::self_employment::put),
        ),
        (
            &ep::SE_CUMULATIVE_GET,
            handler(&ep::SE_CUMULATIVE_GET, apis::self_employment::get),
        ),
        (
            &ep::UK_PROPERTY_CUMULATIVE_PUT,
            handler(
                &ep::UK_PROPERTY_CUMULATIVE_PUT,
                apis::property_business::put_uk,
            ),
        ),
        (
            &ep::UK_PROPERTY_CUMULATIVE_GET,
            handler(
                &ep::UK_PROPERTY_CUMULATIVE_GET,
                apis::property_business::get_uk,
            ),
        ),
        (
            &ep::SA_TEST_SUPPORT_BUSINESS_CREATE,
            handler(
                &ep::SA_TEST_SUPPORT_BUSINESS_CREATE,
                apis::test_business::create,
            ),
        ),
        (
            &ep::SA_TEST_SUPPORT_BUSINESS_DELETE,
            handler(
                &ep::SA_TEST_SUPPORT_BUSINESS_DELETE,
                apis::test_business::delete,
            ),
        ),
        (
            &ep::BUSINESS_ACCOUNTING_TYPE_UPDATE,
            handler(
                &ep::BUSINESS_ACCOUNTING_TYPE_UPDATE,
                apis::business_details::update_accounting_type,
            ),
        ),
        (
            &ep::PERIODS_OF_ACCOUNT_GET,
            handler(&ep::PERIODS_OF_ACCOUNT_GET, apis::periods_of_account::get),
        ),
        (
            &ep::PERIODS_OF_ACCOUNT_PUT,
            handler(&ep::PERIODS_OF_ACCOUNT_PUT, apis::periods_of_account::put),
        ),
        (
            &ep::SE_ANNUAL_PUT,
            handler(&ep::SE_ANNUAL_PUT, apis::self_employment_annual::put),
        ),
        (
            &ep::SE_ANNUAL_GET,
            handler(&ep::SE_ANNUAL_GET, apis::self_employment_annual::get),
        ),
        (
            &ep::SE_ANNUAL_DELETE,
            handler(&ep::SE_ANNUAL_DELETE, apis::self_employment_annual::delete),
        ),
        (
            &ep::UK_PROPERTY_ANNUAL_PUT,
            handler(&ep::UK_PROPERTY_ANNUAL_PUT, apis::property_annual::put_uk),
        ),
        (
            &ep::UK_PROPERTY_ANNUAL_GET,
            handler(&ep::UK_PROPERTY_ANNUAL_GET, apis::property_annual::get_uk),
        ),
        (
            &ep::PROPERTY_ANNUAL_DELETE,
            handler(&ep::PROPERTY_ANNUAL_DELETE, apis::property_annual::delete),
        ),
        (
            &ep::LADR_GET,
            handler(&ep::LADR_GET, apis::late_accounting_date::get),
        ),
        (
            &ep::LADR_DISAPPLY,
            handler(&ep::LADR_DISAPPLY, apis::late_accounting_date::disapply),
        ),
        (
            &ep::LADR_WITHDRAW,
            handler(&ep::LADR_WITHDRAW, apis::late_accounting_date::withdraw),
        ),
        (
            &ep::FOREIGN_CUMULATIVE_PUT,
            handler(
                &ep::FOREIGN_CUMULATIVE_PUT,
                apis::foreign_property::put_cumulative,
            ),
        ),
        (
            &ep::FOREIGN_CUMULATIVE_GET,
            handler(
                &ep::FOREIGN_CUMULATIVE_GET,
                apis::foreign_property::get_cumulative,
            ),
        ),
        (
            &ep::FOREIGN_DETAILS_CREATE,
            handler(
                &ep::FOREIGN_DETAILS_CREATE,
                apis::foreign_property::create_details,
            ),
        ),
        (
            &ep::FOREIGN_DETAILS_GET,
            handler(
                &ep::FOREIGN_DETAILS_GET,
                apis::foreign_property::get_details,
            ),
        ),
        (
            &ep::FOREIGN_DETAILS_UPDATE,
            handler(
                &ep::FOREIGN_DETAILS_UPDATE,
                apis::foreign_property::update_details,
            ),
        ),
        (
            &ep::VENDOR_STATE_DELETE,
            handler(&ep::VENDOR_STATE_DELETE, apis::vendor_state::delete),
        ),
        (
            &ep::CHECKPOINTS_LIST,
            handler(&ep::CHECKPOINTS_LIST, apis::vendor_state::list_checkpoints),
        ),
        (
            &ep::CHECKPOINTS_CREATE,
            handler(
                &ep::CHECKPOINTS_CREATE,
                apis::vendor_state::create_checkpoint,
            ),
        ),
        (
            &ep::CHECKPOINT_DELETE,
            handler(
                &ep::CHECKPOINT_DELETE,
                apis::vendor_state::delete_checkpoint,
            ),
        ),
        (
            &ep::CHECKPOINT_RESTORE,
            handler(
                &ep::CHECKPOINT_RESTORE,
                apis::vendor_state::restore_checkpoint,
            ),
        ),
        (
            &ep::FOREIGN_ANNUAL_PUT,
            handler(&ep::FOREIGN_ANNUAL_PUT, apis::foreign_property::put_annual),
        ),
        (
            &ep::FOREIGN_ANNUAL_GET,
            handler(&ep::FOREIGN_ANNUAL_GET, apis::foreign_property::get_annual),
        ),
        (
            &ep::FPH_VALIDATE,
            handler(&ep::FPH_VALIDATE, fraud::routes::validate),
        ),
        (
            &ep::FPH_FEEDBACK,
            handler(&ep::FPH_FEEDBACK, fraud::routes::feedback),
        ),
    ];
    debug_assert_eq!(
        routes.len(),
        ep::ALL.len(),
        "every endpoint in the table is routed"
    );
    for (endpoint, method_router) in routes {
        let gate = Gate {
            state: state.clone(),
            endpoint,
        };
        router = router.route(
            endpoint.path,
            method_router.layer(middleware::from_fn_with_state(gate, gateway::gate)),
        );
    }
    if state.config.test_support {
        router = router.merge(test_support::router(state.clone()));
    }
    router
        .method_not_allowed_fallback(gateway::unrouted)
        .fallback(gateway::unrouted)
        .layer(middleware::from_fn(correlation_id))
        .with_state(state)
}

/// The endpoint's method wired to its handler.
fn handler<H, T>(endpoint: &ep::Endpoint, h: H) -> MethodRouter<AppState>
where
    H: axum::handler::Handler<T, AppState>,
    T: 'static,
{
    let filter =
        MethodFilter::try_from(endpoint.method.clone()).expect("table methods are standard");
    on(filter, h)
}

static CORRELATION_ID: HeaderName = HeaderName::from_static("x-correlationid");

/// Every response carries a fresh `X-CorrelationId` and `X-Content-Type-Options: nosniff`,
/// and every request is logged under that ID.
async fn correlation_id(req: Request, next: Next) -> Response {
    let id = uuid::Uuid::new_v4().to_string();
    let span = tracing::info_span!("request", correlation_id = %id, method = %req.method(), path = %req.uri().path());
    let mut resp = next.run(req).instrument(span.clone()).await;
    tracing::debug!(parent: &span, status = resp.status().as_u16(), "answered");
    let headers = resp.headers_mut();
    headers.insert(
        CORRELATION_ID.clone(),
        HeaderValue::from_str(&id).expect("a UUID is a valid header value"),
    );
    headers.insert(
        axum::http::header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    resp
}
