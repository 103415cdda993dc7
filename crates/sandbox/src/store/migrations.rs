//! Schema migrations, applied in order and recorded in `PRAGMA user_version`.
//! Append new steps; never edit one that has shipped.

use rusqlite::Connection;

use super::StoreError;

const STEPS: &[&str] = &[
    // 1: clock, applications, users, tokens, rate limit.
    r#"
    CREATE TABLE clock (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        offset_ms INTEGER NOT NULL
    );
    INSERT INTO clock (id, offset_ms) VALUES (1, 0);

    CREATE TABLE applications (
        client_id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        rate_limit INTEGER,            -- NULL: the server's default
        subscriptions TEXT,            -- NULL: every API; else a JSON array of API contexts
        grant_length_days INTEGER NOT NULL,
        created_at_ms INTEGER NOT NULL
    );
    CREATE TABLE client_secrets (
        secret_hash TEXT PRIMARY KEY,
        client_id TEXT NOT NULL REFERENCES applications (client_id),
        created_at_ms INTEGER NOT NULL
    );
    CREATE INDEX client_secrets_by_app ON client_secrets (client_id);
    CREATE TABLE redirect_uris (
        client_id TEXT NOT NULL REFERENCES applications (client_id),
        uri TEXT NOT NULL,
        PRIMARY KEY (client_id, uri)
    );

    CREATE TABLE users (
        user_id TEXT PRIMARY KEY,
        password_hash TEXT NOT NULL,
        affinity_group TEXT NOT NULL,  -- Individual | Organisation | Agent
        group_id TEXT NOT NULL UNIQUE,
        credential_role TEXT NOT NULL,
        confidence_level INTEGER NOT NULL,
        two_step TEXT NOT NULL,        -- unregistered | registered | off
        tax_regime TEXT,               -- uk | scotland | wales; NULL for agents
        profile TEXT NOT NULL,         -- JSON: what Create Test User answered, less the password
        created_at_ms INTEGER NOT NULL
    );
    -- Every tax identifier belongs to one user only.
    CREATE TABLE identifiers (
        kind TEXT NOT NULL,
        value TEXT NOT NULL,
        user_id TEXT NOT NULL REFERENCES users (user_id),
        PRIMARY KEY (kind, value)
    );
    CREATE INDEX identifiers_by_user ON identifiers (user_id);
    CREATE TABLE enrolments (
        group_id TEXT NOT NULL REFERENCES users (group_id),
        service TEXT NOT NULL,
        identifier_name TEXT NOT NULL,
        identifier_value TEXT NOT NULL,
        PRIMARY KEY (group_id, service, identifier_name)
    );

    -- One grant of authority by a user to an application; its tokens hang off it.
    CREATE TABLE grants (
        id INTEGER PRIMARY KEY,
        client_id TEXT NOT NULL REFERENCES applications (client_id),
        user_id TEXT NOT NULL REFERENCES users (user_id),
        scopes TEXT NOT NULL,
        granted_at_ms INTEGER NOT NULL,
        ends_at_ms INTEGER NOT NULL,
        revoked_at_ms INTEGER
    );
    CREATE TABLE access_tokens (
        token_hash TEXT PRIMARY KEY,
        client_id TEXT NOT NULL REFERENCES applications (client_id),
        grant_id INTEGER REFERENCES grants (id),  -- NULL: a client-credentials token
        scopes TEXT NOT NULL,
        expires_at_ms INTEGER NOT NULL
    );
    CREATE INDEX access_tokens_by_grant ON access_tokens (grant_id);
    CREATE TABLE refresh_tokens (
        token_hash TEXT PRIMARY KEY,
        grant_id INTEGER NOT NULL REFERENCES grants (id),
        access_hash TEXT NOT NULL,
        state TEXT NOT NULL,           -- live | refreshing | used
        refreshing_since_ms INTEGER    -- wall clock, so a crashed refresh can be taken over
    );

    -- Sliding one-second windows, on the wall clock.
    CREATE TABLE rate_hits (
        client_id TEXT NOT NULL,
        at_ms INTEGER NOT NULL
    );
    CREATE INDEX rate_hits_by_app ON rate_hits (client_id, at_ms);
    "#,
    // 2: sign-in, 2-step verification, identity checks, browser sessions, authorization codes.
    r#"
    ALTER TABLE users ADD COLUMN failed_sign_ins INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE users ADD COLUMN locked_until_ms INTEGER;
    ALTER TABLE users ADD COLUMN two_step_method TEXT;   -- app | phone, once registered
    -- The authenticator app's shared secret (base32). Verifying a code needs it, so it cannot be
    -- a hash; it never leaves the store.
    ALTER TABLE users ADD COLUMN totp_secret TEXT;
    ALTER TABLE users ADD COLUMN totp_last_step INTEGER; -- the last time step accepted: no replays
    ALTER TABLE users ADD COLUMN phone TEXT;

    -- A browser's session with the web pages, found by the hash of its cookie.
    CREATE TABLE web_sessions (
        id_hash TEXT PRIMARY KEY,
        user_id TEXT REFERENCES users (user_id),
        two_step_done INTEGER NOT NULL DEFAULT 0,
        continue_url TEXT,
        nonce TEXT NOT NULL,           -- the one form post this session may make next
        pending_totp_secret TEXT,
        pending_phone TEXT,
        phone_code_hash TEXT,
        phone_code_expires_ms INTEGER,
        identity_failures INTEGER NOT NULL DEFAULT 0,
        auth_request TEXT,             -- JSON: the /oauth/authorize request being served
        expires_at_ms INTEGER NOT NULL
    );
    CREATE TABLE auth_codes (
        code_hash TEXT PRIMARY KEY,
        client_id TEXT NOT NULL REFERENCES applications (client_id),
        user_id TEXT NOT NULL REFERENCES users (user_id),
        redirect_uri TEXT NOT NULL,
        scopes TEXT NOT NULL,
        code_challenge TEXT,
        expires_at_ms INTEGER NOT NULL,
        used INTEGER NOT NULL DEFAULT 0
    );
    -- Text messages and voice calls HMRC "sent"; test support reads them.
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users (user_id),
        phone TEXT NOT NULL,
        body TEXT NOT NULL,
        code TEXT NOT NULL,
        sent_at_ms INTEGER NOT NULL
    );
    CREATE INDEX outbox_by_user ON outbox (user_id, id);
    "#,
    // 3: agent-client relationships and ITSA statuses.
    r#"
    -- A delegated enrolment in an agent's group: HMRC-MTD-IT (main) or HMRC-MTD-IT-SUPP.
    CREATE TABLE relationships (
        id INTEGER PRIMARY KEY,
        arn TEXT NOT NULL,
        mtd_it_id TEXT NOT NULL,
        agent_type TEXT NOT NULL,      -- main | supporting
        created_at_ms INTEGER NOT NULL,
        ended_at_ms INTEGER
    );
    CREATE INDEX relationships_by_client ON relationships (mtd_it_id, ended_at_ms);
    -- ITSA status details, a row each; the latest by submittedOn is the year's status.
    CREATE TABLE itsa_statuses (
        id INTEGER PRIMARY KEY,
        nino_stem TEXT NOT NULL,        -- the NINO's first eight characters
        tax_year INTEGER NOT NULL,      -- the calendar year it starts in
        submitted_on TEXT NOT NULL,     -- as HMRC writes it: 2025-04-06T09:00:00.000Z
        status TEXT NOT NULL,
        status_reason TEXT NOT NULL,
        business_income_2_years_prior TEXT
    );
    CREATE INDEX itsa_statuses_by_nino ON itsa_statuses (nino_stem, tax_year);
    "#,
    // 4: agents' authorisation requests and partial authorisations.
    r#"
    CREATE TABLE invitations (
        id TEXT PRIMARY KEY,            -- 13 upper-case letters and digits, as HMRC's
        arn TEXT NOT NULL,
        service TEXT NOT NULL,          -- MTD-IT
        client_type TEXT NOT NULL,
        nino TEXT NOT NULL,             -- the client ID as supplied
        agent_type TEXT NOT NULL,       -- main | supporting
        status TEXT NOT NULL,           -- Pending | Accepted | Rejected | Expired | Cancelled | Deauthorised | Partialauth
        created_at_ms INTEGER NOT NULL,
        updated_at_ms INTEGER NOT NULL,
        expires_at_ms INTEGER NOT NULL,
        ended_by TEXT
    );
    CREATE INDEX invitations_by_agent ON invitations (arn, created_at_ms);
    -- An authorisation accepted before the client signed up: it becomes a relationship at sign-up.
    CREATE TABLE partial_auths (
        id INTEGER PRIMARY KEY,
        arn TEXT NOT NULL,
        nino_stem TEXT NOT NULL,
        agent_type TEXT NOT NULL,
        created_at_ms INTEGER NOT NULL,
        ended_at_ms INTEGER
    );
    "#,
    // 5: wrong 2-step codes and identity answers count against the user, not the browser
    // (web_sessions.identity_failures is no longer read).
    r#"
    ALTER TABLE users ADD COLUMN two_step_failures INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE users ADD COLUMN identity_failures INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE users ADD COLUMN identity_locked_until_ms INTEGER;
    "#,
    // 6: sign-up's income sources.
    r#"
    CREATE TABLE businesses (
        business_id TEXT PRIMARY KEY,
        mtd_it_id TEXT NOT NULL,
        type_of_business TEXT NOT NULL,   -- self-employment | uk-property | foreign-property
        trading_name TEXT,
        trade TEXT,
        address TEXT,                     -- JSON: line1..4, postcode, countryCode
        commencement_date TEXT,           -- YYYY-MM-DD
        cessation_date TEXT,
        created_at_ms INTEGER NOT NULL
    );
    CREATE INDEX businesses_by_client ON businesses (mtd_it_id);
    "#,
    // 7: agent services accounts.
    r#"
    CREATE TABLE agencies (
        arn TEXT PRIMARY KEY,
        utr TEXT NOT NULL UNIQUE,        -- the agent business's SA or CT UTR
        group_id TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        email TEXT NOT NULL,
        address TEXT NOT NULL,           -- JSON
        amls TEXT,                       -- JSON: supervisory body and membership number
        created_at_ms INTEGER NOT NULL
    );
    "#,
    // 8: legacy Self Assessment agent authorisations (64-8) and agents' SA agent references.
    r#"
    CREATE TABLE legacy_authorisations (
        sa_agent_reference TEXT NOT NULL,
        nino_stem TEXT NOT NULL,
        auth_64_8 INTEGER NOT NULL,
        auth_i64_8 INTEGER NOT NULL,
        agent_ceased INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (sa_agent_reference, nino_stem)
    );
    CREATE TABLE agent_mappings (
        arn TEXT NOT NULL,
        sa_agent_reference TEXT NOT NULL,
        PRIMARY KEY (arn, sa_agent_reference)
    );
    -- A copy made, so it is not made again after the relationship ends.
    CREATE TABLE legacy_copies (
        arn TEXT NOT NULL,
        mtd_it_id TEXT NOT NULL,
        copied_at_ms INTEGER NOT NULL,
        PRIMARY KEY (arn, mtd_it_id)
    );
    "#,
    // 9: an agent's failed attempts to match a client at sign-up.
    r#"
    CREATE TABLE agent_matching (
        arn TEXT PRIMARY KEY,
        failures INTEGER NOT NULL,
        locked_until_ms INTEGER
    );
    "#,
    // 10: removed credentials, removals in progress, and each income source's accounting type.
    r#"
    ALTER TABLE users ADD COLUMN removed_at_ms INTEGER;
    -- A removal of an agent's relationship while it runs; a lease, so a crash cannot hold it.
    CREATE TABLE relationship_locks (
        arn TEXT NOT NULL,
        nino_stem TEXT NOT NULL,
        agent_type TEXT NOT NULL,
        taken_at_wall_ms INTEGER NOT NULL,
        PRIMARY KEY (arn, nino_stem, agent_type)
    );
    CREATE TABLE accounting_types (
        business_id TEXT NOT NULL,
        tax_year TEXT NOT NULL,
        accounting_type TEXT NOT NULL,   -- CASH | ACCRUAL
        PRIMARY KEY (business_id, tax_year)
    );
    "#,
    // 11: the latest fraud prevention header verdict per application and endpoint.
    r#"
    CREATE TABLE fraud_feedback (
        client_id TEXT NOT NULL,
        api TEXT NOT NULL,
        method TEXT NOT NULL,
        endpoint TEXT NOT NULL,          -- the route template
        connection_method TEXT,
        recorded_at_ms INTEGER NOT NULL, -- wall clock
        request TEXT NOT NULL,           -- JSON, as the feedback endpoint shows it
        PRIMARY KEY (client_id, api, method, endpoint)
    );
    "#,
    // 12: quarterly period types and cumulative period summaries, every version kept.
    r#"
    CREATE TABLE quarterly_period_types (
        business_id TEXT NOT NULL,
        tax_year TEXT NOT NULL,
        period_type TEXT NOT NULL,       -- standard | calendar
        PRIMARY KEY (business_id, tax_year)
    );
    CREATE TABLE cumulative_summaries (
        id INTEGER PRIMARY KEY,
        business_id TEXT NOT NULL,
        tax_year TEXT NOT NULL,
        period_start TEXT,               -- absent for Annual and latent income sources
        period_end TEXT,
        body TEXT NOT NULL,              -- JSON as accepted
        submitted_at_ms INTEGER NOT NULL -- sandbox clock
    );
    CREATE INDEX cumulative_by_business ON cumulative_summaries (business_id, tax_year, id);
    "#,
    // 13: periods of account, per self-employment and tax year.
    r#"
    CREATE TABLE periods_of_account (
        business_id TEXT NOT NULL,
        tax_year TEXT NOT NULL,
        body TEXT NOT NULL,              -- JSON as accepted
        submitted_at_ms INTEGER NOT NULL,
                PRIMARY KEY (business_id, tax_year)
    );
    "#,
    // 14: annual submissions (adjustments, allowances, non-financials), per income source and year.
    r#"
    CREATE TABLE annual_submissions (
        business_id TEXT NOT NULL,
        tax_year TEXT NOT NULL,
        body TEXT NOT NULL,              -- JSON as accepted
        submitted_at_ms INTEGER NOT NULL,
        PRIMARY KEY (business_id, tax_year)
    );
    "#,
    // 15: elections to disapply the late accounting date rule, each for five tax years.
    r#"
    CREATE TABLE ladr_elections (
        business_id TEXT NOT NULL,
        tax_year TEXT NOT NULL,          -- the year of election
        elected_at_ms INTEGER NOT NULL,
        PRIMARY KEY (business_id, tax_year)
    );
    "#,
    // 16: foreign properties of a foreign property business, from 2026-27.
    r#"
    CREATE TABLE foreign_properties (
        property_id TEXT PRIMARY KEY,
        business_id TEXT NOT NULL,
        tax_year TEXT NOT NULL,          -- the year its details were given for
        name TEXT NOT NULL,
        country_code TEXT NOT NULL,
        end_date TEXT,
        end_reason TEXT,
        submitted_at_ms INTEGER NOT NULL
    );
    CREATE INDEX foreign_properties_by_business ON foreign_properties (business_id);
    "#,
    // 17: which taxpayers' data each application wrote, test businesses marked, and checkpoints.
    r#"
    ALTER TABLE businesses ADD COLUMN test_support INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE vendor_taxpayers (
        client_id TEXT NOT NULL,
        nino_stem TEXT NOT NULL,
        PRIMARY KEY (client_id, nino_stem)
    );
    CREATE TABLE checkpoints (
        checkpoint_id TEXT PRIMARY KEY,
        client_id TEXT NOT NULL,
        nino TEXT NOT NULL,
        created_at_ms INTEGER NOT NULL,  -- wall clock
        data TEXT NOT NULL               -- JSON: each table's columns and rows
    );
    "#,
    // 18: what test support says of a business beyond its dates: latency and first accounting
    // period, as HMRC's Business Details shows them.
    r#"
    ALTER TABLE businesses ADD COLUMN details TEXT;  -- JSON
    "#,
];

pub(super) fn run(conn: &mut Connection) -> Result<(), StoreError> {
    let known = STEPS.len() as i64;
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let found: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > known {
        return Err(StoreError::TooNew { found, known });
    }
    for (i, step) in STEPS.iter().enumerate().skip(found as usize) {
        tx.execute_batch(step)?;
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
    }
    tx.commit()?;
    Ok(())
}
