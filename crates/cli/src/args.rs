//! What was typed: clap's view of the command line, nothing resolved yet.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "mtd",
    version,
    about = "Making Tax Digital for Income Tax: the software side, and a local HMRC to run it against"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct Global {
    /// Which HMRC to talk to.
    #[arg(long, global = true, value_enum, default_value_t = EnvName::Embedded, env = "MTD_ENV")]
    pub env: EnvName,
    /// Where settings, test users and the embedded HMRC's state live (default: the OS user's
    /// data dir, e.g. ~/.local/share/mtd).
    #[arg(long, global = true, env = "MTD_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// One linked identity per profile and environment (an agent may keep several).
    #[arg(long, global = true, default_value = "default", env = "MTD_PROFILE")]
    pub profile: String,
    /// Send this Gov-Test-Scenario header on MTD API calls (HMRC's sandbox and the local HMRC).
    #[arg(long, global = true)]
    pub test_scenario: Option<String>,
    /// Print machine-readable JSON on stdout.
    #[arg(long, global = true)]
    pub json: bool,
    /// An unattended run: send fraud prevention headers as BATCH_PROCESS_DIRECT (the default when
    /// no terminal is attached; DESKTOP_APP_DIRECT otherwise).
    #[arg(long, global = true)]
    pub batch: bool,
    /// Log more to stderr (-v info, -vv debug).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EnvName {
    /// A local HMRC inside this process, its state in the data dir (the default).
    Embedded,
    /// A running `mtd sandbox serve` (MTD_BASE_URL, default http://127.0.0.1:9000).
    Local,
    /// HMRC's external test environment.
    HmrcSandbox,
    /// HMRC's live service.
    HmrcProduction,
}

impl EnvName {
    pub fn as_str(self) -> &'static str {
        match self {
            EnvName::Embedded => "embedded",
            EnvName::Local => "local",
            EnvName::HmrcSandbox => "hmrc-sandbox",
            EnvName::HmrcProduction => "hmrc-production",
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Walk the journey end to end on a fresh local HMRC inside this process, narrating each step.
    Journey,
    /// Link this software to HMRC: HMRC's grant-authority journey in your browser.
    Link(LinkArgs),
    /// Whether this profile is linked, for which scopes, and until when.
    Status,
    /// Call HMRC's Hello World API as the linked user.
    Hello,
    /// Forget this profile's tokens on this machine.
    Unlink,
    /// The ITSA status HMRC holds for a tax year (MTD Mandated, MTD Voluntary, Annual, ...).
    ItsaStatus {
        /// The tax year, e.g. 2025-26 (default: the current one).
        #[arg(long)]
        tax_year: Option<String>,
        /// An agent: the client's NINO. A business: its own NINO, if this software does not know it.
        #[arg(long, value_name = "NINO")]
        client: Option<String>,
        /// Also the years after it.
        #[arg(long)]
        future_years: bool,
        /// Every status each year has had, newest first.
        #[arg(long)]
        history: bool,
    },
    /// The income sources (businesses) HMRC holds, with their business IDs.
    Businesses {
        /// An agent: the client's NINO. A business: its own NINO, if this software does not know it.
        #[arg(long, value_name = "NINO")]
        client: Option<String>,
    },
    /// Choose standard (from 6 April) or calendar (from 1 April) quarters for a business this
    /// tax year (before its first update of the year).
    #[command(subcommand)]
    PeriodType(PeriodTypeCommand),
    /// The quarterly updates HMRC expects: period, due date, status, days left or overdue.
    Obligations {
        /// Only those not yet met.
        #[arg(long)]
        open: bool,
        /// Only this tax year's, e.g. 2025-26.
        #[arg(long)]
        tax_year: Option<String>,
        /// An agent: the client's NINO. A business: its own NINO, if this software does not know it.
        #[arg(long, value_name = "NINO")]
        client: Option<String>,
    },
    /// Send a quarterly update from your records: the year-to-date totals for an obligation's
    /// period, shown beside what was last sent, confirmed, sent, and the obligation shown met.
    /// Sending again after a correction is the same command.
    Update(UpdateArgs),
    /// The receipts of what was sent: when, by whom, what, and HMRC's answer.
    History {
        /// Only this business's submissions.
        #[arg(long, value_name = "ID")]
        business: Option<String>,
        /// An agent: only this client's submissions.
        #[arg(long, value_name = "NINO")]
        client: Option<String>,
    },
    /// Your digital records: import a CSV export, list them, export them.
    #[command(subcommand)]
    Records(RecordsCommand),
    /// Open one of the local HMRC's web journeys in the browser (and, for the embedded HMRC, keep
    /// it running until Enter is pressed).
    Open {
        #[arg(value_enum)]
        journey: WebJourney,
        /// For `client-authorisation`: the request's ID.
        #[arg(long, required_if_eq("journey", "client-authorisation"))]
        invitation: Option<String>,
    },
    /// An agent's authorisation requests and client register.
    #[command(subcommand)]
    Agent(AgentCommand),
    /// The fraud prevention headers this software sends HMRC on every MTD call.
    #[command(subcommand)]
    FraudHeaders(FraudHeadersCommand),
    /// The local HMRC: run it, and script it for tests.
    #[command(subcommand)]
    Sandbox(SandboxCommand),
}

#[derive(Debug, Subcommand)]
pub enum RecordsCommand {
    /// Read a CSV file of records for a business (date, description, category, amount,
    /// disallowable). All or nothing unless --skip-bad-rows; importing it again adds nothing.
    Import {
        /// The CSV file (see "Records files" in the README).
        file: PathBuf,
        /// The business ID (see `mtd businesses`).
        #[arg(long, value_name = "ID")]
        business: String,
        /// A JSON file mapping another export's columns, date format and categories.
        #[arg(long, value_name = "FILE")]
        mapping: Option<PathBuf>,
        /// Import the rows that can be read and list the others.
        #[arg(long)]
        skip_bad_rows: bool,
        /// An agent: the client's NINO.
        #[arg(long, value_name = "NINO")]
        client: Option<String>,
    },
    /// The records kept for a business.
    List {
        /// The business ID (see `mtd businesses`).
        #[arg(long, value_name = "ID")]
        business: String,
    },
    /// The records kept for a business, as CSV in the import layout.
    Export {
        /// The business ID (see `mtd businesses`).
        #[arg(long, value_name = "ID")]
        business: String,
        /// Write to this file rather than stdout.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// The business ID (see `mtd businesses`).
    #[arg(long, value_name = "ID")]
    pub business: String,
    /// Which quarter of the tax year (default: the first not yet met).
    #[arg(long, value_enum, ignore_case = true, conflicts_with = "to")]
    pub period: Option<Quarter>,
    /// The obligation whose period ends on this date, e.g. 2025-07-05.
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// The tax year, e.g. 2025-26 (default: the current one on HMRC's clock).
    #[arg(long)]
    pub tax_year: Option<String>,
    /// Send without asking.
    #[arg(long, short)]
    pub yes: bool,
    /// An agent: the client's NINO.
    #[arg(long, value_name = "NINO")]
    pub client: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Quarter {
    #[value(name = "Q1")]
    Q1,
    #[value(name = "Q2")]
    Q2,
    #[value(name = "Q3")]
    Q3,
    #[value(name = "Q4")]
    Q4,
}

impl Quarter {
    pub fn index(self) -> usize {
        self as usize
    }
}

#[derive(Debug, Subcommand)]
pub enum PeriodTypeCommand {
    /// Set the quarters a business reports on this tax year.
    Set {
        /// standard: quarters from 6 April; calendar: from 1 April.
        #[arg(value_enum)]
        kind: PeriodType,
        /// The business ID (see `mtd businesses`).
        #[arg(long, value_name = "ID")]
        business: String,
        /// An agent: the client's NINO.
        #[arg(long, value_name = "NINO")]
        client: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PeriodType {
    Standard,
    Calendar,
}

#[derive(Debug, Args)]
pub struct LinkArgs {
    /// Scopes to ask for (default: read:self-assessment write:self-assessment, plus hello on the
    /// local HMRC).
    #[arg(long, value_delimiter = ',', num_args = 1..)]
    pub scopes: Vec<String>,
    /// Show the code on HMRC's page and paste it here, instead of a redirect to this machine.
    #[arg(long, conflicts_with = "test_user")]
    pub oob: bool,
    /// Local HMRC only: go through the pages as this test user, answering from what
    /// `mtd sandbox create-user` recorded (HMRC's own pages are never automated).
    #[arg(long, value_name = "USER_ID")]
    pub test_user: Option<String>,
    /// Link as an agent: ask for the Agent Authorisation API's scopes too.
    #[arg(long)]
    pub agent: bool,
    /// The test user's password, for users created elsewhere.
    #[arg(long, requires = "test_user")]
    pub password: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum FraudHeadersCommand {
    /// What would be sent now, and which headers are left out and why.
    Show,
    /// Ask the environment's Test Fraud Prevention Headers API for its verdict (HMRC's sandbox
    /// or a local HMRC; HMRC's production has no such API).
    Validate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WebJourney {
    /// Create an agent services account.
    AgentServicesAccount,
    /// Copy existing Self Assessment clients across (link an SA agent reference to the ARN).
    CopyClients,
    /// Register for Self Assessment.
    RegisterSelfAssessment,
    /// Sign up for MTD Income Tax (a business signing itself up).
    SignUp,
    /// Sign up a client (an agent).
    AgentSignUp,
    /// See and remove the software a user has authorised.
    ManageAuthority,
    /// Answer an agent's authorisation request, as the client.
    ClientAuthorisation,
}

impl WebJourney {
    pub fn path(self) -> &'static str {
        match self {
            WebJourney::AgentServicesAccount => "/agent-services-account/create",
            WebJourney::CopyClients => "/agent-mapping",
            WebJourney::RegisterSelfAssessment => "/register-for-self-assessment",
            WebJourney::SignUp => "/sign-up-for-making-tax-digital",
            WebJourney::AgentSignUp => "/sign-up-for-making-tax-digital/agent",
            WebJourney::ManageAuthority => "/applications-manage-authority/applications",
            WebJourney::ClientAuthorisation => "/appoint-someone-to-deal-with-HMRC-for-you",
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum AgentCommand {
    /// Ask a client for authority (HMRC's Agent Authorisation API) and add it to the register.
    Invite {
        #[arg(long)]
        nino: String,
        /// The postcode HMRC holds for the client.
        #[arg(long)]
        postcode: String,
        /// Ask to be a supporting agent (in-year updates only) rather than the main agent.
        #[arg(long)]
        supporting: bool,
        /// A name for the register.
        #[arg(long)]
        name: Option<String>,
    },
    /// Your authorisation requests of the last 30 days.
    Invitations,
    /// Cancel a request the client has not answered.
    Cancel { invitation_id: String },
    /// Whether a client has authorised you.
    Check {
        #[arg(long)]
        nino: String,
        #[arg(long)]
        postcode: String,
        #[arg(long)]
        supporting: bool,
    },
    /// Stop acting for a client.
    Deauthorise {
        #[arg(long)]
        nino: String,
        #[arg(long)]
        supporting: bool,
    },
    /// Your client register; `clients import FILE` adds clients from a CSV file.
    Clients {
        #[command(subcommand)]
        action: Option<ClientsCommand>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ClientsCommand {
    /// Add clients from a CSV file: NINO,name,postcode,main|supporting.
    Import { file: PathBuf },
}

#[derive(Debug, Subcommand)]
pub enum SandboxCommand {
    /// Run the local HMRC until Ctrl-C.
    Serve(mtd_sandbox::cli::ServeArgs),
    /// Register an application, as HMRC's Developer Hub does. Prints its client secret once.
    CreateApp {
        /// The application's name, shown to users on the grant-authority page.
        #[arg(long)]
        name: String,
        /// Up to 5; https, or http on localhost, or urn:ietf:wg:oauth:2.0:oob.
        #[arg(long = "redirect-uri")]
        redirect_uris: Vec<String>,
        /// Requests a second (0 for none); default the server's.
        #[arg(long)]
        rate_limit: Option<u32>,
    },
    /// Create a test user with HMRC's Create Test User API; it is recorded in the data dir.
    CreateUser {
        #[arg(value_enum)]
        kind: UserKindArg,
        /// HMRC's confidence level: 250 by default; below 250 the user meets an identity check
        /// when granting Self Assessment scopes.
        #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(["50", "200", "250", "500"]))]
        confidence_level: Option<String>,
        /// The user's 2-step verification: registered on first sign-in (default), already registered, or none.
        #[arg(long = "2sv", value_parser = clap::builder::PossibleValuesParser::new(["unregistered", "registered", "off"]))]
        two_step: Option<String>,
        /// HMRC service names; default the ones MTD Income Tax needs for this kind of user.
        #[arg(long, value_delimiter = ',')]
        services: Vec<String>,
        /// Choose the NINO (with national-insurance or mtd-income-tax).
        #[arg(long)]
        nino: Option<String>,
    },
    /// Answer an agent's authorisation request as the client would (HMRC's Agent Authorisation
    /// Test Support API).
    AnswerInvitation {
        invitation_id: String,
        /// Reject it instead of accepting it.
        #[arg(long)]
        reject: bool,
    },
    /// Add a business for the linked user, or an agent's client (HMRC's Self Assessment Test
    /// Support: the embedded or local HMRC, and HMRC's sandbox).
    AddBusiness {
        /// The kind of business.
        #[arg(long = "type", value_enum)]
        kind: BusinessType,
        /// A self-employment's trading name.
        #[arg(long)]
        trading_name: Option<String>,
        /// When it started, e.g. 2024-05-01.
        #[arg(long, value_name = "DATE")]
        start: Option<String>,
        /// Report on calendar quarters (from 1 April) this tax year, not standard ones.
        #[arg(long)]
        calendar: bool,
        /// An agent: the client's NINO.
        #[arg(long, value_name = "NINO")]
        client: Option<String>,
    },
    /// Read or move the local HMRC's clock.
    #[command(subcommand)]
    Clock(ClockCommand),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum BusinessType {
    SelfEmployment,
    UkProperty,
    ForeignProperty,
}

impl BusinessType {
    /// HMRC's `typeOfBusiness`.
    pub fn as_str(self) -> &'static str {
        match self {
            BusinessType::SelfEmployment => "self-employment",
            BusinessType::UkProperty => "uk-property",
            BusinessType::ForeignProperty => "foreign-property",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum UserKindArg {
    Individual,
    Organisation,
    Agent,
}

#[derive(Debug, Subcommand)]
pub enum ClockCommand {
    /// Print the local HMRC's now.
    Show,
    /// Move to an instant, e.g. 2025-06-01T09:00:00Z.
    Set {
        /// An instant with its zone, e.g. 2025-06-01T09:00:00Z.
        at: String,
    },
    /// Move forward by a duration: s, m, h, d (also w, y), e.g. 5h, 30m, 548d, "1h 30m".
    Advance { by: String },
}
