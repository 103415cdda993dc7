//! The `mtd` binary as a person runs it: exit codes, `--json`, and what it leaves in the data dir.

use std::process::{Command, Output};

fn mtd(data_dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mtd"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("MTD_ENV")
        .env_remove("RUST_LOG")
        .output()
        .expect("mtd runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn journey_ends_with_hello_user() {
    let dir = tempfile::tempdir().unwrap();
    let out = mtd(dir.path(), &["journey"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout(&out).trim_end().ends_with("Done: Hello User"),
        "{}",
        stdout(&out)
    );
    // The year: four updates by the business and four by the agent, each obligation met.
    if mtd_testkit::data::root().is_some() {
        assert_eq!(
            stdout(&out)
                .matches("obligation fulfilled (received")
                .count(),
            8,
            "{}",
            stdout(&out)
        );
    }

    let out = mtd(dir.path(), &["journey", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["result"], "Hello User");
    assert!(v["steps"].as_array().unwrap().len() >= 5);
}

#[test]
fn create_user_records_it_owner_only() {
    let dir = tempfile::tempdir().unwrap();
    let out = mtd(
        dir.path(),
        &[
            "sandbox",
            "create-user",
            "individual",
            "--confidence-level",
            "200",
            "--json",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let user: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let id = user["userId"].as_str().unwrap();
    assert_eq!(user["confidenceLevel"], 200);
    assert!(user["mtdItId"].is_string());
    let file = dir
        .path()
        .join("embedded/test-users")
        .join(format!("{id}.json"));
    let recorded: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(recorded["password"], user["password"]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let app = dir.path().join("embedded/application.json");
        assert_eq!(
            std::fs::metadata(app).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    // The same application serves the next command: no second registration.
    let again = mtd(dir.path(), &["sandbox", "create-user", "agent", "--json"]);
    let agent: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert!(agent["agentServicesAccountNumber"].is_string());
}

#[test]
fn the_clock_persists_across_processes() {
    let dir = tempfile::tempdir().unwrap();
    let set = mtd(
        dir.path(),
        &["sandbox", "clock", "set", "2025-06-01T09:00:00Z", "--json"],
    );
    assert_eq!(set.status.code(), Some(0));
    let advanced = mtd(dir.path(), &["sandbox", "clock", "advance", "5h", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&advanced.stdout).unwrap();
    assert!(
        v["now"].as_str().unwrap().starts_with("2025-06-01T14:00"),
        "{v}"
    );
    let shown = mtd(dir.path(), &["sandbox", "clock", "show"]);
    assert!(
        stdout(&shown).contains("2025-06-01T14:00"),
        "{}",
        stdout(&shown)
    );
}

#[test]
fn failures_have_meaningful_exit_codes_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let bad = mtd(
        dir.path(),
        &["sandbox", "clock", "advance", "soon", "--json"],
    );
    assert_eq!(
        bad.status.code(),
        Some(2),
        "a bad duration is the person's to fix"
    );
    let v: serde_json::Value = serde_json::from_slice(&bad.stdout).unwrap();
    assert_eq!(v["error"]["kind"], "usage");
    assert!(v["error"]["hint"].as_str().unwrap().contains("5h"));

    let refused = mtd(
        dir.path(),
        &[
            "sandbox",
            "create-app",
            "--name",
            "x",
            "--redirect-uri",
            "http://example.com/cb",
            "--json",
        ],
    );
    assert_eq!(refused.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&refused.stdout).unwrap();
    assert_eq!(v["error"]["kind"], "hmrc");
    assert_eq!(v["error"]["hmrcCode"], "INVALID_REQUEST");
    assert!(v["error"]["correlationId"].is_string());

    let usage = mtd(dir.path(), &["sandbox", "clock", "warp"]);
    assert_eq!(usage.status.code(), Some(2));

    let remote = mtd(
        dir.path(),
        &[
            "--env",
            "hmrc-sandbox",
            "sandbox",
            "clock",
            "show",
            "--json",
        ],
    );
    assert_eq!(remote.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&remote.stdout).unwrap();
    assert_eq!(v["error"]["kind"], "usage");

    let human = mtd(
        dir.path(),
        &[
            "sandbox",
            "create-app",
            "--name",
            "x",
            "--redirect-uri",
            "http://example.com/cb",
        ],
    );
    assert_eq!(human.status.code(), Some(1));
    let err = String::from_utf8_lossy(&human.stderr);
    assert!(err.contains("https"), "{err}");
}

fn json_of(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stdout)))
}

/// A test user linked in `dir`; returns its user ID.
fn linked_user(dir: &std::path::Path) -> String {
    let user = json_of(&mtd(
        dir,
        &[
            "sandbox",
            "create-user",
            "individual",
            "--confidence-level",
            "200",
            "--json",
        ],
    ));
    let id = user["userId"].as_str().unwrap().to_owned();
    let link = mtd(dir, &["link", "--test-user", &id]);
    assert_eq!(
        link.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&link.stderr)
    );
    id
}

#[test]
fn link_hello_refresh_and_the_end_of_authority() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let id = linked_user(d);
    assert_eq!(stdout(&mtd(d, &["hello"])).trim(), "Hello User");
    let before = json_of(&mtd(d, &["status", "--json"]));
    assert_eq!(before["linked"], true);
    assert_eq!(before["userId"], id.as_str());
    assert_eq!(before["affinityGroup"], "Individual");
    assert_eq!(
        before["scopes"],
        serde_json::json!(["hello", "read:self-assessment", "write:self-assessment"])
    );

    // The business's own ITSA status; another NINO is refused and explained.
    let status = mtd(d, &["itsa-status", "--json"]);
    assert_eq!(
        status.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    assert_eq!(
        json_of(&status)["itsaStatuses"][0]["itsaStatusDetails"][0]["status"],
        "MTD Voluntary"
    );
    let other = mtd(d, &["itsa-status", "--client", "AA123456A", "--json"]);
    assert_eq!(other.status.code(), Some(1));
    let err = json_of(&other);
    assert_eq!(err["error"]["hmrcCode"], "CLIENT_OR_AGENT_NOT_AUTHORISED");
    assert!(
        err["error"]["hint"]
            .as_str()
            .unwrap()
            .contains("not signed up")
    );

    assert_eq!(
        mtd(d, &["sandbox", "clock", "advance", "5h"]).status.code(),
        Some(0)
    );
    let hello = mtd(d, &["hello"]);
    assert_eq!(
        hello.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&hello.stderr)
    );
    assert_eq!(stdout(&hello).trim(), "Hello User");
    let after = json_of(&mtd(d, &["status", "--json"]));
    assert!(
        after["accessTokenExpiresAt"].as_str().unwrap()
            > before["accessTokenExpiresAt"].as_str().unwrap(),
        "the access token was refreshed: {before} then {after}"
    );

    assert_eq!(
        mtd(d, &["sandbox", "clock", "advance", "548d"])
            .status
            .code(),
        Some(0)
    );
    let ended = mtd(d, &["hello"]);
    assert_eq!(ended.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&ended.stderr).contains("run `mtd link`"));
    let ended = mtd(d, &["hello", "--json"]);
    assert_eq!(ended.status.code(), Some(3));
    assert_eq!(json_of(&ended)["error"]["kind"], "no-authority");

    // Unlinking forgets the tokens; hello then has no authority at all.
    let unlink = mtd(d, &["unlink"]);
    assert!(stdout(&unlink).contains("/applications-manage-authority/applications"));
    assert_eq!(mtd(d, &["hello"]).status.code(), Some(3));
    assert_eq!(json_of(&mtd(d, &["status", "--json"]))["linked"], false);
}

#[test]
fn twenty_processes_at_once_spend_the_refresh_token_once() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    linked_user(d);
    // The local HMRC's clock moves past the access token's four hours; the processes' own clocks
    // still think it is fresh, so each finds out from HMRC's INVALID_CREDENTIALS.
    assert_eq!(
        mtd(d, &["sandbox", "clock", "advance", "5h"]).status.code(),
        Some(0)
    );
    let children: Vec<_> = (0..20)
        .map(|_| {
            Command::new(env!("CARGO_BIN_EXE_mtd"))
                .arg("--data-dir")
                .arg(d)
                .arg("hello")
                .env_remove("MTD_ENV")
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(stdout(&out).trim(), "Hello User");
    }
    let db = rusqlite::Connection::open(d.join("embedded/hmrc.db")).unwrap();
    let spent: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM refresh_tokens WHERE state = 'used'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let live: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM refresh_tokens WHERE state = 'live'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!((spent, live), (1, 1), "HMRC saw exactly one refresh");
}

#[test]
fn tokens_are_sealed_owner_only_and_never_logged() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let run_traced = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_mtd"))
            .arg("--data-dir")
            .arg(d)
            .args(args)
            .env("RUST_LOG", "trace")
            .env_remove("MTD_ENV")
            .output()
            .unwrap()
    };
    let user = json_of(&run_traced(&[
        "sandbox",
        "create-user",
        "individual",
        "--json",
    ]));
    let id = user["userId"].as_str().unwrap();
    let mut logs = Vec::new();
    for args in [
        vec!["link", "--test-user", id],
        vec!["hello"],
        vec!["status", "--json"],
    ] {
        let out = run_traced(&args);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        logs.push(out);
    }
    let store = mtd_client::tokens::TokenStore::open(&d.join("tokens")).unwrap();
    let first = store.load("embedded", "default").unwrap().unwrap();
    // Refresh once more, so two generations of tokens are checked.
    mtd(d, &["sandbox", "clock", "advance", "5h"]);
    logs.push(run_traced(&["hello"]));
    let second = store.load("embedded", "default").unwrap().unwrap();
    assert_ne!(first.access_token.secret(), second.access_token.secret());

    let path = store.path("embedded", "default");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let raw = std::fs::read(&path).unwrap();
    let all_output: Vec<u8> = logs
        .iter()
        .flat_map(|o| o.stdout.iter().chain(o.stderr.iter()).copied())
        .collect();
    assert!(
        String::from_utf8_lossy(&all_output).contains("TRACE"),
        "trace logging was on"
    );
    for t in [&first, &second] {
        for secret in [
            t.access_token.secret().as_bytes(),
            t.refresh_token.secret().as_bytes(),
        ] {
            assert!(
                !raw.windows(secret.len()).any(|w| w == secret),
                "a token in the clear in the token file"
            );
            assert!(
                !all_output.windows(secret.len()).any(|w| w == secret),
                "a token in the output"
            );
        }
    }
}

/// `mtd link` as a person runs it: the address it prints, opened in a real headless Chromium.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interactive_link_in_chromium() {
    use tokio::io::AsyncBufReadExt;
    let Some(browser) = mtd_testkit::Browser::start().await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_owned();
    let user = json_of(&mtd(
        &d,
        &[
            "sandbox",
            "create-user",
            "individual",
            "--2sv",
            "off",
            "--json",
        ],
    ));
    let mut link = tokio::process::Command::new(env!("CARGO_BIN_EXE_mtd"))
        .arg("--data-dir")
        .arg(&d)
        .arg("link")
        .env_remove("MTD_ENV")
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = tokio::io::BufReader::new(link.stderr.take().unwrap()).lines();
    let url = loop {
        let line = lines
            .next_line()
            .await
            .unwrap()
            .expect("mtd link prints the address");
        if let Some(u) = line.trim().strip_prefix("http") {
            break format!("http{u}");
        }
    };
    assert!(url.contains("/oauth/authorize?"), "{url}");
    browser.web.goto(&url).await.unwrap();
    browser.on_page("start").await;
    browser.click("button[type=submit]").await;
    browser.on_page("sign-in").await;
    browser
        .fill("#userId", user["userId"].as_str().unwrap())
        .await;
    browser
        .fill("#password", user["password"].as_str().unwrap())
        .await;
    browser.click("button[type=submit]").await;
    browser.on_page("grant-authority").await;
    browser.click("button[value=grant]").await;
    // The browser lands on mtd's loopback page.
    for _ in 0..50 {
        if browser
            .web
            .title()
            .await
            .unwrap_or_default()
            .contains("close this window")
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        browser
            .web
            .title()
            .await
            .unwrap()
            .contains("close this window")
    );
    let status = tokio::time::timeout(std::time::Duration::from_secs(20), link.wait())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(status.code(), Some(0));
    browser.stop().await;
    assert_eq!(stdout(&mtd(&d, &["hello"])).trim(), "Hello User");
}

#[test]
fn an_agent_asks_a_client_for_authority_and_keeps_a_register() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let agent = json_of(&mtd(d, &["sandbox", "create-user", "agent", "--json"]));
    let client = json_of(&mtd(d, &["sandbox", "create-user", "individual", "--json"]));
    let (nino, postcode) = (
        client["nino"].as_str().unwrap(),
        client["individualDetails"]["address"]["postcode"]
            .as_str()
            .unwrap(),
    );
    let link = mtd(
        d,
        &[
            "--profile",
            "agent",
            "link",
            "--test-user",
            agent["userId"].as_str().unwrap(),
        ],
    );
    assert_eq!(
        link.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&link.stderr)
    );
    let agent_cmd = |args: &[&str]| {
        let mut all = vec!["--profile", "agent"];
        all.extend_from_slice(args);
        mtd(d, &all)
    };
    let invite = agent_cmd(&[
        "agent",
        "invite",
        "--nino",
        nino,
        "--postcode",
        postcode,
        "--name",
        "Client One",
        "--json",
    ]);
    assert_eq!(
        invite.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&invite.stderr)
    );
    let id = json_of(&invite)["_links"]["self"]["href"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let again = agent_cmd(&[
        "agent",
        "invite",
        "--nino",
        nino,
        "--postcode",
        postcode,
        "--json",
    ]);
    assert_eq!(again.status.code(), Some(1));
    assert_eq!(
        json_of(&again)["error"]["hmrcCode"],
        "DUPLICATE_AUTHORISATION_REQUEST"
    );
    assert!(
        json_of(&again)["error"]["hint"].is_string(),
        "a refusal says what to do next"
    );
    assert_eq!(
        mtd(d, &["sandbox", "answer-invitation", &id]).status.code(),
        Some(0)
    );
    let check = json_of(&agent_cmd(&[
        "agent",
        "check",
        "--nino",
        nino,
        "--postcode",
        postcode,
        "--json",
    ]));
    assert_eq!(check["active"], true);
    assert_eq!(
        agent_cmd(&["itsa-status", "--client", nino]).status.code(),
        Some(0)
    );
    assert_eq!(
        agent_cmd(&["agent", "deauthorise", "--nino", nino])
            .status
            .code(),
        Some(0)
    );
    let register = json_of(&agent_cmd(&["agent", "clients", "--json"]));
    assert_eq!(register["clients"][0]["name"], "Client One");
    assert_eq!(register["clients"][0]["relationship"], "ended");

    let csv = d.join("clients.csv");
    std::fs::write(&csv, "nino,name,postcode,type\nAA123456A,\"Smith, Alice\",SW1A 1AA,main\nAB123456A,Bob,TS1 1PA,boss\n").unwrap();
    let bad = agent_cmd(&["agent", "clients", "import", csv.to_str().unwrap()]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("\"boss\""));
    assert_eq!(
        json_of(&agent_cmd(&["agent", "clients", "--json"]))["clients"]
            .as_array()
            .unwrap()
            .len(),
        1,
        "nothing imported"
    );
    std::fs::write(&csv, "AA123456A,\"Smith, Alice\",SW1A 1AA,main\n").unwrap();
    assert_eq!(
        agent_cmd(&["agent", "clients", "import", csv.to_str().unwrap()])
            .status
            .code(),
        Some(0)
    );
    let register = json_of(&agent_cmd(&["agent", "clients", "--json"]));
    assert!(
        register["clients"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["name"] == "Smith, Alice")
    );
    // Not linked at all: no authority.
    assert_eq!(
        mtd(d, &["--profile", "nobody", "agent", "invitations"])
            .status
            .code(),
        Some(3)
    );
}

#[test]
fn fraud_headers_are_valid_and_explain_what_is_left_out() {
    let dir = tempfile::tempdir().unwrap();
    let json = |args: &[&str]| -> serde_json::Value {
        let out = mtd(dir.path(), args);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let shown = json(&["fraud-headers", "show", "--json"]);
    // No terminal here: an unattended run.
    assert_eq!(shown["connectionMethod"], "BATCH_PROCESS_DIRECT");
    let placeholders = ["null", "undefined", "unknown", "none", "nan", "n/a", ""];
    for (name, value) in shown["sent"].as_object().unwrap() {
        for piece in value.as_str().unwrap().split([',', '&', '=']) {
            assert!(
                !placeholders.contains(&piece.to_ascii_lowercase().as_str()),
                "{name}: {value}"
            );
        }
    }
    let again = json(&["fraud-headers", "show", "--json", "--batch"]);
    assert_eq!(
        again["sent"]["Gov-Client-Device-ID"], shown["sent"]["Gov-Client-Device-ID"],
        "the device ID is kept"
    );

    let checked = json(&["fraud-headers", "validate", "--json"]);
    let verdict = &checked["verdict"];
    assert!(verdict.get("errors").is_none(), "{verdict}");
    let left: Vec<String> = checked["leftOut"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["header"].as_str().unwrap().to_ascii_lowercase())
        .collect();
    assert!(left.contains(&"gov-vendor-license-ids".to_owned()));
    for w in verdict["warnings"].as_array().unwrap() {
        for h in w["headers"].as_array().unwrap() {
            assert!(left.contains(&h.as_str().unwrap().to_owned()), "{w}");
        }
    }
    let human = mtd(dir.path(), &["fraud-headers", "validate"]);
    let text = stdout(&human);
    assert!(
        text.contains("open source and has no licence keys"),
        "{text}"
    );
}

/// The newest year-to-date figures the embedded HMRC holds for a business and year, by field.
fn stored_totals(
    dir: &std::path::Path,
    business: &str,
) -> std::collections::BTreeMap<String, String> {
    let db = rusqlite::Connection::open(dir.join("embedded/hmrc.db")).unwrap();
    let body: String = db
        .query_row(
            "SELECT body FROM cumulative_summaries WHERE business_id = ?1 AND tax_year = '2025-26' ORDER BY id DESC LIMIT 1",
            [business],
            |r| r.get(0),
        )
        .unwrap();
    fn walk(v: &serde_json::Value, out: &mut std::collections::BTreeMap<String, String>) {
        if let serde_json::Value::Object(m) = v {
            for (k, v) in m {
                match v {
                    serde_json::Value::Number(n) => {
                        let pence = (n.as_f64().unwrap() * 100.0).round() as i64;
                        out.insert(k.clone(), format!("{}.{:02}", pence / 100, pence % 100));
                    }
                    other => walk(other, out),
                }
            }
        }
    }
    let mut out = std::collections::BTreeMap::new();
    walk(&serde_json::from_str(&body).unwrap(), &mut out);
    out
}

fn ok(o: &Output) -> &Output {
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}{}",
        stdout(o),
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

/// A linked business with a self-employment and a UK property business (standard quarters),
/// on HMRC's clock at `now`; returns their business IDs.
fn business_with_two_sources(d: &std::path::Path, now: &str) -> (String, String) {
    ok(&mtd(d, &["sandbox", "clock", "set", now]));
    linked_user(d);
    let add = |kind: &str| {
        let out = mtd(
            d,
            &[
                "sandbox",
                "add-business",
                "--type",
                kind,
                "--start",
                "2020-01-01",
                "--json",
            ],
        );
        json_of(ok(&out))["businessId"].as_str().unwrap().to_owned()
    };
    (add("self-employment"), add("uk-property"))
}

#[test]
fn the_shared_records_become_four_quarterly_updates_with_the_expected_totals() {
    let Some(data) = mtd_testkit::data::root() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (se, uk) = business_with_two_sources(d, "2025-07-06T09:00:00Z");
    let sources = [
        (&se, "sole-trader-2025-26.csv"),
        (&uk, "landlord-2025-26.csv"),
    ];
    for (id, file) in sources {
        let path = data.join(file);
        ok(&mtd(
            d,
            &[
                "records",
                "import",
                path.to_str().unwrap(),
                "--business",
                id,
            ],
        ));
    }
    let quarters = [
        ("Q1", "2025-07-06"),
        ("Q2", "2025-10-06"),
        ("Q3", "2026-01-06"),
        ("Q4", "2026-04-06"),
    ];
    for (i, (quarter, day)) in quarters.into_iter().enumerate() {
        ok(&mtd(
            d,
            &["sandbox", "clock", "set", &format!("{day}T09:00:00Z")],
        ));
        for (id, file) in sources {
            let out = mtd(
                d,
                &[
                    "update",
                    "--business",
                    id,
                    "--period",
                    quarter,
                    "--tax-year",
                    "2025-26",
                    "--yes",
                    "--json",
                ],
            );
            let sent = json_of(ok(&out));
            assert_eq!(
                sent["obligation"]["status"], "fulfilled",
                "{file} {quarter}"
            );
            assert_eq!(sent["obligation"]["receivedDate"], day, "{file} {quarter}");
            let (end, expected) = &mtd_testkit::data::expected_totals(file)[i];
            assert_eq!(sent["periodEndDate"], end.as_str());
            assert_eq!(&stored_totals(d, id), expected, "{file} to {end}");
        }
    }
    let history = json_of(ok(&mtd(d, &["history", "--json"])));
    assert_eq!(history.as_array().unwrap().len(), 8);

    // A correction goes in the latest update sent: an earlier period is refused before sending.
    let earlier = mtd(
        d,
        &[
            "update",
            "--business",
            &se,
            "--period",
            "Q1",
            "--tax-year",
            "2025-26",
            "--yes",
            "--json",
        ],
    );
    assert_eq!(earlier.status.code(), Some(2));
    assert!(
        json_of(&earlier)["error"]["hint"]
            .as_str()
            .unwrap()
            .contains("--period Q4")
    );
    assert_eq!(
        json_of(ok(&mtd(d, &["history", "--json"])))
            .as_array()
            .unwrap()
            .len(),
        8
    );
    assert!(
        history
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["outcome"] == "accepted" && r["correlationId"].is_string())
    );
}

#[test]
fn bad_records_import_nothing_and_a_corrected_file_sends_corrected_totals() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (se, _) = business_with_two_sources(d, "2025-07-06T09:00:00Z");
    let file = d.join("bank.csv");
    let head = "date,description,category,amount,disallowable\r\n";
    let good = "2025-04-07,Invoice 1,turnover,100.00,\r\n2025-04-08,\"Fuel, van\",carVanTravelExpenses,-40.00,\r\n";
    let import = |extra: &[&str]| {
        let mut args = vec![
            "records",
            "import",
            file.to_str().unwrap(),
            "--business",
            &se,
            "--json",
        ];
        args.extend_from_slice(extra);
        mtd(d, &args)
    };
    let count = || {
        json_of(&mtd(d, &["records", "list", "--business", &se, "--json"]))
            .as_array()
            .unwrap()
            .len()
    };

    // Each kind of bad row is named by line and column, and nothing is imported.
    for (row, column, says) in [
        ("2025-02-30,Bad day,turnover,1.00,", "date", "no such day"),
        (
            "2025-04-09,Three places,turnover,1.005,",
            "amount",
            "two decimal places",
        ),
        (
            "2025-04-09,Thousands,turnover,\"1,000.00\",",
            "amount",
            "thousands separator",
        ),
        (
            "2025-04-09,Lunch,sandwiches,-1.00,",
            "category",
            "sandwiches",
        ),
        (
            "2025-04-09,Unquoted, comma,turnover,1.00,",
            "",
            "double quotes",
        ),
        (
            "2019-04-01,Before it started,turnover,1.00,",
            "date",
            "outside every tax year",
        ),
    ] {
        std::fs::write(&file, format!("\u{feff}{head}{good}{row}\r\n")).unwrap();
        let out = import(&[]);
        assert_eq!(out.status.code(), Some(1), "{row}");
        let problems = json_of(&out)["error"]["problems"].clone();
        let problem = problems[0].as_str().unwrap();
        assert!(
            problem.starts_with("line 4") && problem.contains(column) && problem.contains(says),
            "{row}: {problem}"
        );
        assert_eq!(count(), 0, "{row}");
    }
    std::fs::write(&file, "").unwrap();
    assert_eq!(import(&[]).status.code(), Some(1));

    // --skip-bad-rows keeps the good ones; the same file again adds nothing.
    std::fs::write(
        &file,
        format!("{head}{good}2025-02-30,Bad day,turnover,1.00,\r\n"),
    )
    .unwrap();
    let out = json_of(ok(&import(&["--skip-bad-rows"])));
    assert_eq!(
        (
            out["added"].as_u64(),
            out["skipped"].as_array().unwrap().len()
        ),
        (Some(2), 1)
    );
    let again = json_of(ok(&import(&["--skip-bad-rows"])));
    assert_eq!(
        (again["added"].as_u64(), again["unchanged"].as_u64()),
        (Some(0), Some(2))
    );

    ok(&mtd(d, &["update", "--business", &se, "--yes"]));
    assert_eq!(stored_totals(d, &se)["turnover"], "100.00");

    // The invoice was 120.00: the corrected file replaces that row alone, and the update sends it.
    std::fs::write(&file, format!("{head}{}", good.replace("100.00", "120.00"))).unwrap();
    let edited = json_of(ok(&import(&[])));
    assert_eq!(
        (
            edited["added"].as_u64(),
            edited["removed"].as_u64(),
            edited["unchanged"].as_u64()
        ),
        (Some(1), Some(1), Some(1))
    );
    let out = json_of(ok(&mtd(
        d,
        &[
            "update",
            "--business",
            &se,
            "--period",
            "Q1",
            "--yes",
            "--json",
        ],
    )));
    assert_eq!(out["previous"]["turnover"].as_f64(), Some(100.0));
    let stored = stored_totals(d, &se);
    assert_eq!(
        (
            stored["turnover"].as_str(),
            stored["carVanTravelExpenses"].as_str()
        ),
        ("120.00", "40.00")
    );

    // Q2 ends 2025-10-05: HMRC takes it from 2025-09-25, so with nothing named it waits.
    let early = mtd(d, &["update", "--business", &se, "--yes", "--json"]);
    assert_eq!(early.status.code(), Some(1));
    assert_eq!(json_of(&early)["error"]["kind"], "too-early");

    // An export imported back adds nothing; a file of the same name elsewhere is its own source.
    let exported = d.join("export.csv");
    ok(&mtd(
        d,
        &[
            "records",
            "export",
            "--business",
            &se,
            "--output",
            exported.to_str().unwrap(),
        ],
    ));
    let back = json_of(ok(&mtd(
        d,
        &[
            "records",
            "import",
            exported.to_str().unwrap(),
            "--business",
            &se,
            "--json",
        ],
    )));
    assert_eq!(
        (back["added"].as_u64(), back["duplicates"].as_u64()),
        (Some(0), Some(2))
    );
    std::fs::create_dir(d.join("may")).unwrap();
    let may = d.join("may/bank.csv");
    std::fs::write(
        &may,
        format!("{head}2025-05-02,Invoice 2,turnover,30.00,\r\n"),
    )
    .unwrap();
    ok(&mtd(
        d,
        &[
            "records",
            "import",
            may.to_str().unwrap(),
            "--business",
            &se,
        ],
    ));
    assert_eq!(count(), 3);

    // A landlord's records offered to the sole trader are refused whole, even with --skip-bad-rows.
    let letting = d.join("letting.csv");
    std::fs::write(&letting, format!("{head}2025-05-01,Rent,periodAmount,900.00,\n2025-05-02,Agent,professionalFees,-90.00,\n2025-05-15,Mortgage,residentialFinancialCost,-400.00,\n")).unwrap();
    let wrong = mtd(
        d,
        &[
            "records",
            "import",
            letting.to_str().unwrap(),
            "--business",
            &se,
            "--skip-bad-rows",
            "--json",
        ],
    );
    assert_eq!(wrong.status.code(), Some(1));
    assert!(
        json_of(&wrong)["error"]["message"]
            .as_str()
            .unwrap()
            .contains("looks like a uk-property")
    );
    assert_eq!(count(), 3);

    // Not linked: exit 3 and the way to link.
    let other = tempfile::tempdir().unwrap();
    let unlinked = mtd(other.path(), &["update", "--business", &se, "--yes"]);
    assert_eq!(
        unlinked.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&unlinked.stderr)
    );
}

/// A loopback proxy to `upstream` that swallows the answer to the first request starting with
/// `lose` and closes that connection: the request arrives, its answer never does.
async fn losing_proxy(upstream: std::net::SocketAddr, lose: &'static [u8]) -> std::net::SocketAddr {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let lost_one = Arc::new(AtomicBool::new(false));
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let Ok(server) = tokio::net::TcpStream::connect(upstream).await else {
                continue;
            };
            let (mut from_client, mut to_client) = client.into_split();
            let (mut from_server, mut to_server) = server.into_split();
            let losing = Arc::new(AtomicBool::new(false));
            let (lost_one, marked) = (lost_one.clone(), losing.clone());
            tokio::spawn(async move {
                let mut buf = vec![0; 64 * 1024];
                while let Ok(n @ 1..) = from_client.read(&mut buf).await {
                    if buf[..n].starts_with(lose) && !lost_one.swap(true, Ordering::SeqCst) {
                        marked.store(true, Ordering::SeqCst);
                    }
                    if to_server.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                }
            });
            tokio::spawn(async move {
                let mut buf = vec![0; 64 * 1024];
                while let Ok(n @ 1..) = from_server.read(&mut buf).await {
                    if losing.load(Ordering::SeqCst) {
                        return; // dropping the writer closes the client's connection unanswered
                    }
                    if to_client.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    addr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_answer_is_sent_again_and_the_receipt_says_so() {
    let hmrc = mtd_sandbox::Running::start(
        mtd_sandbox::Config::default(),
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    let proxy = losing_proxy(hmrc.addr, b"PUT /individuals/business/self-employment/").await;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_owned();
    let base = format!("http://{proxy}");
    let run = |args: Vec<String>| {
        let (d, base) = (d.clone(), base.clone());
        async move {
            let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_mtd"))
                .arg("--data-dir")
                .arg(&d)
                .args(["--env", "local"])
                .args(&args)
                .env("MTD_BASE_URL", &base)
                .env_remove("RUST_LOG")
                .output()
                .await
                .unwrap();
            assert_eq!(
                out.status.code(),
                Some(0),
                "{args:?}: {}{}",
                stdout(&out),
                String::from_utf8_lossy(&out.stderr)
            );
            if args.iter().any(|a| a == "--json") {
                json_of(&out)
            } else {
                serde_json::Value::Null
            }
        }
    };
    let args = |s: &str| s.split_whitespace().map(str::to_owned).collect::<Vec<_>>();
    run(args("sandbox clock set 2025-07-06T09:00:00Z")).await;
    let user = run(args("sandbox create-user individual --json")).await;
    run(args(&format!(
        "link --test-user {}",
        user["userId"].as_str().unwrap()
    )))
    .await;
    let added = run(args(
        "sandbox add-business --type self-employment --start 2020-01-01 --json",
    ))
    .await;
    let se = added["businessId"].as_str().unwrap().to_owned();
    let file = d.join("q1.csv");
    std::fs::write(
        &file,
        "date,description,category,amount,disallowable\n2025-05-01,Invoice,turnover,250.00,\n",
    )
    .unwrap();
    run(args(&format!(
        "records import {} --business {se}",
        file.display()
    )))
    .await;

    let sent = run(args(&format!("update --business {se} --yes --json"))).await;
    assert_eq!(sent["obligation"]["status"], "fulfilled");
    let history = run(args("history --json")).await;
    let receipts = history.as_array().unwrap();
    assert_eq!(receipts.len(), 1);
    assert_eq!(
        (
            receipts[0]["outcome"].as_str(),
            receipts[0]["attempts"].as_u64()
        ),
        (Some("accepted"), Some(2))
    );
    assert!(
        receipts[0]["response"]["lastFailure"].is_string(),
        "{}",
        receipts[0]
    );
}
