//! Test users: HMRC's Create Test User API (`platform.md` §6) and the facts test support reads.
//!
//! A user is a Government Gateway credential in its own group. What Create Test User answered
//! (less the password, which is kept only as an argon2id hash) is stored as the user's profile;
//! each identifier is also indexed so no two users share one; each service's enrolment is held
//! by the user's group.

mod generator;
pub mod routes;
pub mod services;

use chrono::{Datelike, NaiveDate};
use mtd_domain::Nino;
use rand::Rng;
use rusqlite::{OptionalExtension, params};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::secrets::{self, PasswordCost};
use crate::store::{Store, StoreError};
pub use services::UserType;

/// Create Test User's request, with this project's optional extension fields.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateRequest {
    #[serde(default)]
    pub service_names: Vec<String>,
    pub nino: Option<String>,
    pub confidence_level: Option<u16>,
    pub two_step_verification: Option<TwoStep>,
    pub tax_regime: Option<TaxRegime>,
    /// HMRC's `eoriNumber`: used for the customs services' EORI.
    pub eori_number: Option<String>,
    /// HMRC's organisation fields for services not modelled here: checked, then not used.
    pub excise_number: Option<String>,
    pub pillar2_id: Option<String>,
    // HMRC's organisation fields, accepted and echoed.
    pub taxpayer_type: Option<String>,
    #[serde(rename = "taxPayerType")]
    pub taxpayer_type_alt: Option<String>,
    /// Not HMRC's: test support sets it for an agent's old Self Assessment for agents credential.
    #[serde(skip)]
    pub legacy_sa_agent: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TwoStep {
    Unregistered,
    Registered,
    Off,
}

impl TwoStep {
    fn as_str(self) -> &'static str {
        match self {
            TwoStep::Unregistered => "unregistered",
            TwoStep::Registered => "registered",
            TwoStep::Off => "off",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TaxRegime {
    Uk,
    Scotland,
    Wales,
}

/// Confidence levels Government Gateway uses.
const CONFIDENCE_LEVELS: [u16; 4] = [50, 200, 250, 500];

#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    #[error("{0}")]
    Invalid(String),
    #[error("The nino specified has already been used")]
    NinoAlreadyUsed,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for CreateError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Store(e.into())
    }
}

/// A created user: Create Test User's response body, password included (shown once).
#[derive(Debug)]
pub struct Created {
    pub user_id: String,
    pub body: Value,
}

/// Creates a user of `kind` as Create Test User would, storing it.
pub fn create(
    store: &Store,
    kind: UserType,
    req: &CreateRequest,
    cost: PasswordCost,
    now_ms: i64,
) -> Result<Created, CreateError> {
    let mut wanted = Vec::new();
    for name in &req.service_names {
        let svc = services::find(name)
            .ok_or_else(|| CreateError::Invalid(format!("unknown service name {name:?}")))?;
        if !svc.allowed.contains(&kind) {
            return Err(CreateError::Invalid(format!(
                "service {name:?} is not available to this user type"
            )));
        }
        if !wanted.contains(&svc.key) {
            wanted.push(svc.key);
        }
    }
    let has = |k: &str| wanted.contains(&k);
    let chosen_nino = match &req.nino {
        Some(_) if !(has("national-insurance") || has("mtd-income-tax")) => {
            return Err(CreateError::Invalid(
                "nino may be given only with national-insurance or mtd-income-tax".into(),
            ));
        }
        // HMRC's test users carry a full NINO, suffix letter included.
        Some(n) if n.len() == 9 => {
            Some(Nino::parse(n).map_err(|_| CreateError::Invalid("nino is invalid".into()))?)
        }
        Some(_) => {
            return Err(CreateError::Invalid(
                "nino is invalid: give all nine characters, e.g. QQ123456C".into(),
            ));
        }
        None => None,
    };
    let eori_ok = |e: &str| {
        let (country, digits) = e.split_at(e.len().min(2));
        let gb = matches!(country, "GB" | "XI") && (12..=15).contains(&digits.len());
        let eu =
            country.bytes().all(|b| b.is_ascii_uppercase()) && (1..=15).contains(&digits.len());
        (gb || eu) && digits.bytes().all(|b| b.is_ascii_digit())
    };
    if req.eori_number.as_deref().is_some_and(|e| !eori_ok(e)) {
        return Err(CreateError::Invalid("eoriNumber is invalid".into()));
    }
    if req.excise_number.as_deref().is_some_and(|e| {
        e.len() != 13
            || !e[..2].bytes().all(|b| b.is_ascii_uppercase())
            || !e.bytes().all(|b| b.is_ascii_alphanumeric())
    }) {
        return Err(CreateError::Invalid("exciseNumber is invalid".into()));
    }
    if req
        .pillar2_id
        .as_deref()
        .is_some_and(|p| p.len() != 15 || !p.starts_with('X') || p.get(2..5) != Some("PLR"))
    {
        return Err(CreateError::Invalid("pillar2Id is invalid".into()));
    }
    let confidence_level = req.confidence_level.unwrap_or(250);
    if !CONFIDENCE_LEVELS.contains(&confidence_level) {
        return Err(CreateError::Invalid(
            "confidenceLevel must be one of 50, 200, 250, 500".into(),
        ));
    }
    let two_step = req.two_step_verification.unwrap_or(TwoStep::Unregistered);

    let mut rng = rand::rng();
    let user_id = generator::digits(&mut rng, 12);
    let group_id = generator::digits(&mut rng, 12);
    let password = secrets::random_alphanumeric(12);
    let person = generator::person(&mut rng);
    let full_name = format!("{} {}", person.first_name, person.last_name);
    let email = format!("{}.{}@example.com", person.first_name, person.last_name).to_lowercase();

    let mut body = Map::new();
    body.insert("userId".into(), json!(user_id));
    body.insert("password".into(), json!(password));
    body.insert("userFullName".into(), json!(full_name));
    body.insert("emailAddress".into(), json!(email));
    let individual = json!({
        "firstName": person.first_name,
        "lastName": person.last_name,
        "dateOfBirth": person.date_of_birth.to_string(),
        "address": person.address,
    });
    let tax_regime = match kind {
        UserType::Agent => None,
        _ => Some(match req.tax_regime {
            Some(TaxRegime::Uk) => "uk",
            Some(TaxRegime::Scotland) => "scotland",
            Some(TaxRegime::Wales) => "wales",
            None => generator::tax_regime_for(&person.address.postcode),
        }),
    };
    match kind {
        UserType::Individual => {
            body.insert("individualDetails".into(), individual);
        }
        UserType::Organisation => {
            body.insert("individualDetails".into(), individual);
            body.insert(
                "organisationDetails".into(),
                json!({ "name": generator::organisation_name(&mut rng), "address": person.address }),
            );
            let taxpayer = req
                .taxpayer_type
                .as_deref()
                .or(req.taxpayer_type_alt.as_deref())
                .unwrap_or("Individual");
            if !matches!(taxpayer, "Individual" | "Partnership") {
                return Err(CreateError::Invalid(
                    "taxpayerType must be Individual or Partnership".into(),
                ));
            }
            body.insert("taxpayerType".into(), json!(taxpayer));
        }
        UserType::Agent => {}
    }

    // (kind, value) pairs that must be unique, then the group's enrolments.
    let mut identifiers: Vec<(&str, String)> = Vec::new();
    let mut enrolments: Vec<(&str, &str, String)> = Vec::new();
    if has("national-insurance") || has("mtd-income-tax") {
        let nino = chosen_nino
            .clone()
            .unwrap_or_else(|| generator::nino(&mut rng));
        identifiers.push(("nino", nino.to_string()));
    }
    if has("self-assessment") {
        let utr = generator::sa_utr(&mut rng).to_string();
        enrolments.push(("IR-SA", "UTR", utr.clone()));
        identifiers.push(("saUtr", utr));
    }
    if has("mtd-income-tax") {
        let id = generator::mtd_it_id(&mut rng).to_string();
        enrolments.push(("HMRC-MTD-IT", "MTDITID", id.clone()));
        identifiers.push(("mtdItId", id));
    }
    if has("agent-services") {
        let arn = generator::arn(&mut rng).to_string();
        enrolments.push(("HMRC-AS-AGENT", "AgentReferenceNumber", arn.clone()));
        identifiers.push(("agentServicesAccountNumber", arn));
        identifiers.push(("agentCode", generator::digits(&mut rng, 10)));
    }
    // The credential an agent used for Self Assessment before agent services accounts, holding
    // `IR-SA-AGENT` under its SA agent reference (`agents-signup.md` §4.3).
    if req.legacy_sa_agent {
        if kind != UserType::Agent {
            return Err(CreateError::Invalid(
                "only an agent holds an SA agent reference".into(),
            ));
        }
        let letter = |rng: &mut rand::rngs::ThreadRng| char::from(b'A' + rng.random_range(0..26u8));
        let reference = format!(
            "{}{}{}",
            letter(&mut rng),
            generator::digits(&mut rng, 4),
            letter(&mut rng)
        );
        enrolments.push(("IR-SA-AGENT", "IRAgentReference", reference.clone()));
        identifiers.push(("saAgentReference", reference));
    }
    if has("mtd-vat") {
        let vrn = generator::vrn(&mut rng);
        enrolments.push(("HMRC-MTD-VAT", "VRN", vrn.clone()));
        identifiers.push(("vrn", vrn));
        let years_ago = rng.random_range(1..=20);
        let today = crate::clock::from_ms(now_ms).date_naive();
        let registered =
            NaiveDate::from_ymd_opt(today.year() - years_ago, today.month(), 1).unwrap_or(today);
        body.insert("vatRegistrationDate".into(), json!(registered.to_string()));
    }
    if has("corporation-tax") {
        let ct = generator::sa_utr(&mut rng).to_string();
        enrolments.push(("IR-CT", "UTR", ct.clone()));
        identifiers.push(("ctUtr", ct));
        let crn: String = (0..10)
            .map(|_| char::from(b'0' + rng.random_range(0..9u8)))
            .collect();
        identifiers.push(("crn", crn));
    }
    if has("paye-for-employers") {
        let office = generator::digits(&mut rng, 3);
        let reference = secrets::random_alphanumeric(10).to_uppercase();
        enrolments.push(("IR-PAYE", "TaxOfficeNumber", office.clone()));
        enrolments.push(("IR-PAYE", "TaxOfficeReference", reference.clone()));
        identifiers.push(("empRef", format!("{office}/{reference}")));
    }
    if has("customs-services") {
        let eori = req
            .eori_number
            .clone()
            .unwrap_or_else(|| format!("GB{}", generator::digits(&mut rng, 12)));
        enrolments.push(("HMRC-CUS-ORG", "EORINumber", eori.clone()));
        identifiers.push(("eoriNumber", eori));
    }
    body.insert("groupIdentifier".into(), json!(group_id));
    body.insert("confidenceLevel".into(), json!(confidence_level));
    body.insert("twoStepVerification".into(), json!(two_step.as_str()));
    if let Some(regime) = tax_regime {
        body.insert("taxRegime".into(), json!(regime));
    }

    // A user created with 2-step verification already registered gets a phone (from Ofcom's
    // range for drama), so its codes land in the outbox test support reads.
    let phone = (two_step == TwoStep::Registered)
        .then(|| format!("07700900{}", generator::digits(&mut rng, 3)));
    if let Some(p) = &phone {
        body.insert("twoStepPhone".into(), json!(p));
    }
    let password_hash = secrets::hash_password(&password, cost);
    let stored = store.write(|tx| {
        for (kind, value) in &identifiers {
            // A NINO's suffix letter does not make another person: compare the first eight.
            let taken: bool = if *kind == "nino" {
                tx.query_row("SELECT 1 FROM identifiers WHERE kind = 'nino' AND substr(value, 1, 8) = substr(?1, 1, 8)", [value], |_| Ok(true))
            } else {
                tx.query_row("SELECT 1 FROM identifiers WHERE kind = ?1 AND value = ?2", params![kind, value], |_| Ok(true))
            }
            .optional()?
            .unwrap_or(false);
            if taken {
                return Ok(Err(*kind));
            }
        }
        let mut profile = body.clone();
        profile.remove("password");
        for (kind, value) in &identifiers {
            profile.insert((*kind).into(), json!(value));
        }
        tx.execute(
            "INSERT INTO users (user_id, password_hash, affinity_group, group_id, credential_role, confidence_level,
                                two_step, tax_regime, profile, created_at_ms, two_step_method, phone)
             VALUES (?1, ?2, ?3, ?4, 'User', ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                user_id,
                password_hash,
                kind.affinity_group(),
                group_id,
                confidence_level,
                two_step.as_str(),
                tax_regime,
                Value::Object(profile).to_string(),
                now_ms,
                phone.as_ref().map(|_| "phone"),
                phone
            ],
        )?;
        for (kind, value) in &identifiers {
            tx.execute("INSERT INTO identifiers (kind, value, user_id) VALUES (?1, ?2, ?3)", params![kind, value, user_id])?;
        }
        for (service, name, value) in &enrolments {
            tx.execute(
                "INSERT INTO enrolments (group_id, service, identifier_name, identifier_value) VALUES (?1, ?2, ?3, ?4)",
                params![group_id, service, name, value],
            )?;
        }
        // Signed up for MTD Income Tax from the tax year current on the sandbox clock: MTD
        // Voluntary for that year and the next, until test support says otherwise.
        if has("mtd-income-tax")
            && let Some(nino) = identifiers.iter().find(|(k, _)| *k == "nino").and_then(|(_, v)| Nino::parse(v).ok())
        {
            let created = crate::clock::from_ms(now_ms);
            let detail = crate::itsa_status::StatusDetail {
                submitted_on: created.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
                status: "MTD Voluntary".into(),
                status_reason: "Sign up - return available".into(),
                business_income_2_years_prior: None,
            };
            if let Some(year) = mtd_domain::TaxYear::containing(created.date_naive()) {
                for y in [Some(year), year.next()].into_iter().flatten() {
                    crate::itsa_status::record(tx, &nino, y, std::slice::from_ref(&detail))?;
                }
            }
        }
        Ok(Ok(()))
    })?;
    match stored {
        Ok(()) => {}
        Err("nino") if chosen_nino.is_some() => return Err(CreateError::NinoAlreadyUsed),
        // A generated identifier collided: vanishingly rare, and a fresh draw fixes it.
        Err(_) => return create(store, kind, req, cost, now_ms),
    }
    for (kind, value) in identifiers {
        body.insert(kind.into(), json!(value));
    }
    Ok(Created {
        user_id,
        body: Value::Object(body),
    })
}

/// What HMRC holds about a user, for test support: the profile, enrolments and sign-in facts.
/// Never the password.
pub fn known_facts(store: &Store, user_id: &str) -> Result<Option<Value>, StoreError> {
    let conn = store.reader();
    let row = conn
        .query_row(
            "SELECT profile, affinity_group, group_id, credential_role, confidence_level, two_step, tax_regime,
                    two_step_method, phone
             FROM users WHERE user_id = ?1 AND removed_at_ms IS NULL",
            [user_id],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, u16>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, Option<String>>(6)?,
                    r.get::<_, Option<String>>(7)?,
                    r.get::<_, Option<String>>(8)?,
                ))
            },
        )
        .optional()?;
    let Some((profile, affinity, group_id, role, cl, two_step, regime, method, phone)) = row else {
        return Ok(None);
    };
    let mut facts: Map<String, Value> = serde_json::from_str(&profile).unwrap_or_default();
    let enrolments = conn
        .prepare("SELECT service, identifier_name, identifier_value FROM enrolments WHERE group_id = ?1 ORDER BY service, identifier_name")?
        .query_map([&group_id], |r| {
            Ok(json!({ "service": r.get::<_, String>(0)?, "identifierName": r.get::<_, String>(1)?, "identifierValue": r.get::<_, String>(2)? }))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    // Identifiers as they are now (registration and sign-up add some after creation).
    let identifiers = conn
        .prepare("SELECT kind, value FROM identifiers WHERE user_id = ?1")?
        .query_map([user_id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    for (kind, value) in identifiers {
        facts.insert(kind, json!(value));
    }
    facts.insert("affinityGroup".into(), json!(affinity));
    facts.insert("credentialRole".into(), json!(role));
    facts.insert("confidenceLevel".into(), json!(cl));
    facts.insert("twoStepVerification".into(), json!(two_step));
    // The phone registered now, not the one given at creation.
    facts.remove("twoStepPhone");
    if let Some(p) = phone {
        facts.insert("twoStepPhone".into(), json!(p));
    }
    if let Some(m) = method {
        facts.insert("twoStepMethod".into(), json!(m));
    }
    facts.insert("taxRegime".into(), json!(regime));
    facts.insert("enrolments".into(), Value::Array(enrolments));
    Ok(Some(Value::Object(facts)))
}

/// Whether a user with this ID exists and has not been removed.
pub fn exists(store: &Store, user_id: &str) -> Result<bool, StoreError> {
    Ok(store
        .reader()
        .query_row(
            "SELECT 1 FROM users WHERE user_id = ?1 AND removed_at_ms IS NULL",
            [user_id],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// Removes a credential, as when a group's administrator removes a team member: it can no longer
/// sign in, and the tokens it granted no longer reach anything behind the gateway. Its
/// identifiers stay taken, as HMRC never reissues them. Whether there was such a user.
pub fn remove(store: &Store, user_id: &str, now_ms: i64) -> Result<bool, StoreError> {
    store.write(|tx| {
        Ok(tx.execute(
            "UPDATE users SET removed_at_ms = ?2 WHERE user_id = ?1 AND removed_at_ms IS NULL",
            params![user_id, now_ms],
        )? == 1)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use mtd_domain::{Arn, MtdItId, SaUtr};

    fn req(services: &[&str]) -> CreateRequest {
        CreateRequest {
            service_names: services.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn individual_gets_valid_identifiers_and_enrolments() {
        let store = Store::in_memory().unwrap();
        let c = create(
            &store,
            UserType::Individual,
            &req(&["national-insurance", "self-assessment", "mtd-income-tax"]),
            PasswordCost::Cheap,
            0,
        )
        .unwrap();
        let b = &c.body;
        assert_eq!(b["userId"].as_str().unwrap().len(), 12);
        assert_eq!(b["password"].as_str().unwrap().len(), 12);
        Nino::parse(b["nino"].as_str().unwrap()).unwrap();
        SaUtr::parse(b["saUtr"].as_str().unwrap()).unwrap();
        MtdItId::parse(b["mtdItId"].as_str().unwrap()).unwrap();
        let facts = known_facts(&store, &c.user_id).unwrap().unwrap();
        assert!(facts.get("password").is_none());
        assert_eq!(facts["enrolments"].as_array().unwrap().len(), 2);
        assert_eq!(facts["confidenceLevel"], 250);
    }

    #[test]
    fn agent_gets_an_arn() {
        let store = Store::in_memory().unwrap();
        let c = create(
            &store,
            UserType::Agent,
            &req(&["agent-services"]),
            PasswordCost::Cheap,
            0,
        )
        .unwrap();
        Arn::parse(c.body["agentServicesAccountNumber"].as_str().unwrap()).unwrap();
        assert!(c.body.get("individualDetails").is_none());
    }

    #[test]
    fn refusals_change_nothing() {
        let store = Store::in_memory().unwrap();
        assert!(matches!(
            create(
                &store,
                UserType::Agent,
                &req(&["mtd-income-tax"]),
                PasswordCost::Cheap,
                0
            ),
            Err(CreateError::Invalid(_))
        ));
        assert!(matches!(
            create(
                &store,
                UserType::Individual,
                &req(&["nonsense"]),
                PasswordCost::Cheap,
                0
            ),
            Err(CreateError::Invalid(_))
        ));
        let mut stem_only = req(&["national-insurance"]);
        stem_only.nino = Some("PE938808".into());
        assert!(matches!(
            create(
                &store,
                UserType::Individual,
                &stem_only,
                PasswordCost::Cheap,
                0
            ),
            Err(CreateError::Invalid(_))
        ));
        let mut with_nino = req(&["national-insurance"]);
        with_nino.nino = Some("PE938808A".into());
        create(
            &store,
            UserType::Individual,
            &with_nino,
            PasswordCost::Cheap,
            0,
        )
        .unwrap();
        assert!(matches!(
            create(
                &store,
                UserType::Individual,
                &with_nino,
                PasswordCost::Cheap,
                0
            ),
            Err(CreateError::NinoAlreadyUsed)
        ));
        let users: i64 = store
            .reader()
            .query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0))
            .unwrap();
        assert_eq!(users, 1);
    }
}
