//! `mtd-testkit`: what the workspace's test suites share. Only tests depend on it.
//!
//! [`oas`]: HMRC's published API definitions, as fixtures for conformance checks.
//!
//! [`data`]: the shared realistic records and the totals they must produce.
//!
//! [`Browser`]: Debian's Chromium, headless, driven through chromedriver with the flags this
//! machine needs. Where Chromium is not installed, [`Browser::start`] says so loudly and gives
//! `None` so the test can skip, except under CI (`CI=true`), where a missing browser fails.

pub mod data;
pub mod oas;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client as WebDriver, ClientBuilder, Locator};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

#[derive(Debug)]
pub struct Browser {
    driver: Child,
    pub web: WebDriver,
    _profile: tempfile::TempDir,
}

impl Browser {
    #[expect(
        clippy::print_stderr,
        reason = "a skipped browser test must say so where a person running the tests will see it"
    )]
    pub async fn start() -> Option<Browser> {
        let present =
            std::path::Path::new(CHROMIUM).exists() && std::path::Path::new(CHROMEDRIVER).exists();
        if !present {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "browser tests need {CHROMIUM} and {CHROMEDRIVER} (apt-get install chromium chromium-driver)"
            );
            eprintln!(
                "\n*** SKIPPED: browser test: {CHROMIUM} or {CHROMEDRIVER} missing (apt-get install chromium chromium-driver) ***\n"
            );
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let profile = tempfile::tempdir().unwrap();
        let caps: serde_json::Map<String, serde_json::Value> = serde_json::from_value(serde_json::json!({
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                    format!("--user-data-dir={}", profile.path().display()),
                ]
            }
        }))
        .unwrap();
        let url = format!("http://127.0.0.1:{port}");
        for _ in 0..100 {
            let plain_http = hyper_util::client::legacy::connect::HttpConnector::new();
            if let Ok(web) = ClientBuilder::new(plain_http)
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                return Some(Browser {
                    driver,
                    web,
                    _profile: profile,
                });
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let _ = driver.kill();
        let _ = driver.wait();
        panic!("chromedriver did not answer on {url}");
    }

    /// Waits for the page that names itself `id` in `<main data-page=…>`.
    pub async fn on_page(&self, id: &str) {
        self.web
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(&format!("main[data-page='{id}']")))
            .await
            .unwrap_or_else(|e| panic!("page {id} never came: {e}"));
    }

    pub async fn fill(&self, css: &str, text: &str) {
        self.web
            .find(Locator::Css(css))
            .await
            .unwrap()
            .send_keys(text)
            .await
            .unwrap();
    }

    pub async fn click(&self, css: &str) {
        self.web
            .find(Locator::Css(css))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }

    pub async fn stop(mut self) {
        let _ = self.web.close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
