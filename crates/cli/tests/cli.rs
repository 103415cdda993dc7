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
