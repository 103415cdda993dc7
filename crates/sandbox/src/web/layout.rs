//! The page shell: a plain, accessible layout of our own in the spirit of GOV.UK's.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{DOCTYPE, Markup, html};

const CSS: &str = "
body{margin:0;font-family:Arial,sans-serif;font-size:19px;line-height:1.4;color:#0b0c0c;background:#fff}
header{background:#0b0c0c;color:#fff;padding:10px 15px;font-weight:bold}
main{max-width:640px;margin:0 auto;padding:20px 15px 60px}
h1{font-size:32px;margin:20px 0}
label,legend{display:block;font-weight:bold;margin:15px 0 5px}
input[type=text],input[type=password],input[type=tel]{font-size:19px;padding:5px;border:2px solid #0b0c0c;width:100%;max-width:20em;box-sizing:border-box}
input.short{max-width:5em}
.hint{color:#505a5f;margin:0 0 5px}
button{font-size:19px;padding:8px 12px;margin:20px 10px 0 0;border:0;background:#00703c;color:#fff;cursor:pointer}
button.secondary{background:#f3f2f1;color:#0b0c0c}
button.warning{background:#d4351c}
button:focus,input:focus,a:focus{outline:3px solid #fd0}
.error-summary{border:5px solid #d4351c;padding:15px;margin-bottom:20px}
.error-summary h2{margin-top:0;font-size:24px}
.error{color:#d4351c;font-weight:bold}
.code{font-family:monospace;font-size:24px;letter-spacing:2px;word-break:break-all}
fieldset{border:0;padding:0;margin:0}
.radio{margin:8px 0}
table{border-collapse:collapse;width:100%}
td,th{text-align:left;border-bottom:1px solid #b1b4b6;padding:8px 4px;vertical-align:top}
.visually-hidden{position:absolute!important;width:1px;height:1px;margin:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
";

/// A rendered page: what the browser gets.
#[derive(Debug)]
pub struct Page {
    pub status: StatusCode,
    pub title: String,
    /// Names the page for programs that drive the journey (`<main data-page=…>`).
    pub id: &'static str,
    pub error: Option<String>,
    pub body: Markup,
}

pub fn page(id: &'static str, title: impl Into<String>, body: Markup) -> Page {
    Page {
        status: StatusCode::OK,
        title: title.into(),
        id,
        error: None,
        body,
    }
}

impl Page {
    pub fn status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    /// Shows an error summary above the body, and "Error:" in the title, as GOV.UK pages do.
    pub fn error(mut self, message: impl Into<String>) -> Self {
        self.error = Some(message.into());
        self
    }
}

impl IntoResponse for Page {
    fn into_response(self) -> Response {
        let title = match &self.error {
            Some(_) => format!("Error: {} - HMRC (local)", self.title),
            None => format!("{} - HMRC (local)", self.title),
        };
        let markup = html! {
            (DOCTYPE)
            html lang="en" {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    title { (title) }
                    style { (maud::PreEscaped(CSS)) }
                }
                body {
                    header role="banner" { "HMRC (local sandbox)" }
                    main id="main-content" data-page=(self.id) {
                        @if let Some(e) = &self.error {
                            div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1" {
                                h2 id="error-summary-title" { "There is a problem" }
                                p class="error" { (e) }
                            }
                        }
                        (self.body)
                    }
                }
            }
        };
        let mut resp = (self.status, markup).into_response();
        let h = resp.headers_mut();
        // Pages carry one-time nonces and personal details: never cache, never frame.
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self' http: https:; frame-ancestors 'none'"),
        );
        resp
    }
}

/// A page that only tells the person something (a refusal, an outcome): a heading and a line.
pub fn notice(
    id: &'static str,
    title: &str,
    text: impl AsRef<str>,
    status: StatusCode,
) -> Response {
    let text = text.as_ref();
    page(id, title.to_owned(), html! { h1 { (title) } p { (text) } })
        .status(status)
        .into_response()
}

/// A 303 to `location`, after a form post.
pub fn see_other(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(v) => (StatusCode::SEE_OTHER, [(header::LOCATION, v)]).into_response(),
        Err(_) => page(
            "error",
            "Sorry, there is a problem with the service",
            html! { p { "The address to continue to is not valid." } },
        )
        .status(StatusCode::BAD_REQUEST)
        .into_response(),
    }
}
