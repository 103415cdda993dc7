//! Reading a form post; a body that cannot be read gets a page, not the framework's text.

use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::html;
use serde::de::DeserializeOwned;

use super::layout::page;

#[derive(Debug)]
pub struct PageForm<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for PageForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        let bad = || {
            page(
                "error",
                "Sorry, there is a problem with the service",
                html! {
                    h1 { "Sorry, there is a problem with the service" }
                    p { "The form could not be read. Go back and try again." }
                },
            )
            .status(StatusCode::BAD_REQUEST)
            .into_response()
        };
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|_| bad())?;
        serde_urlencoded::from_bytes(&bytes)
            .map(PageForm)
            .map_err(|_| bad())
    }
}
