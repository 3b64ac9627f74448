//! The command line's types: global flags named like the AWS CLI's, the subcommands and their
//! flags. Only clap types live here; what they mean is decided in the handlers.

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::flow::preflight::Thumbprint;
use crate::plan::SetupInput;
use crate::plan::input::RefType;

const EXAMPLES: &str = "Example:\n  aws-oidc-wizard plan  --project acme/web --role-name gitlab-acme-web --policy ReadOnlyAccess\n  ROLE_ARN=$(aws-oidc-wizard apply --project acme/web --role-name gitlab-acme-web --policy ReadOnlyAccess)\n\n--help lists the environment variables.";

/// `eprintln!` for the command line's messages: through `exit::say`, so that the demo's lines say
/// DEMO.
macro_rules! say {
    () => {
        $crate::cli::exit::say("\n")
    };
    ($($t:tt)*) => {
        $crate::cli::exit::say(&format!("{}\n", format_args!($($t)*)))
    };
}

/// [`say!`] for what a command is doing as it goes (progress, reads, the calls it made): not with
/// `--quiet`.
macro_rules! note {
    () => {
        $crate::cli::exit::note("\n")
    };
    ($($t:tt)*) => {
        $crate::cli::exit::note(&format!("{}\n", format_args!($($t)*)))
    };
}

/// `eprint!`, the same way.
macro_rules! say_raw {
    ($($t:tt)*) => {
        $crate::cli::exit::say(&format!($($t)*))
    };
}

/// The exit codes in words (a macro, so that `concat!` can put it into the long help); the values
/// are `exit::code`'s.
macro_rules! exit_codes_help {
    () => {
        "Exit codes:\n  \
         0    success\n  \
         1    failure (AWS refused or failed, a file could not be written, check --org could not read
       every account, the wizard quit without a result)\n  \
         2    bad input (nothing was done)\n  \
         3    confirmation needed: a change needs --yes (nothing was changed)\n  \
         4    a negative answer: check found something, explain says AWS would refuse, preflight\n       \
         failed, plan --detailed-exitcode has changes to make\n  \
         130  interrupted (Ctrl-C, SIGTERM or SIGHUP from outside)"
    };
}

/// `--version`: the version, the commit and the build date, as rustc prints its own.
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("AOW_COMMIT"),
    " ",
    env!("AOW_BUILD_DATE"),
    ")"
);

#[derive(Debug, Parser)]
#[command(
    name = "aws-oidc-wizard",
    version = VERSION,
    about = "Let GitLab CI/CD pipelines assume an AWS role through OpenID Connect: creates or adopts the IAM identity provider, the role and its permissions, and prints the role ARN.\n\nWithout a command, opens the interactive wizard (drawn on the terminal; the ARN is printed on stdout when you quit).",
    after_help = EXAMPLES,
    after_long_help = concat!(
        "Example:\n  aws-oidc-wizard plan  --project acme/web --role-name gitlab-acme-web --policy ReadOnlyAccess\n  ROLE_ARN=$(aws-oidc-wizard apply --project acme/web --role-name gitlab-acme-web --policy ReadOnlyAccess)\n\n",
        "Environment:\n",
        "  AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL   as --profile, --region, --endpoint-url (and the AWS SDK's\n",
        "                                              usual credential variables and config files)\n",
        "  AWS_DEFAULT_REGION                          the region a written CI job gets when neither --region nor AWS_REGION is set\n",
        "  AWS_MAX_ATTEMPTS                            attempts per AWS call, 1-10 (default 3)\n",
        "  AWS_OIDC_WIZARD_ATTEMPT_TIMEOUT             seconds per attempt, 1-300 (default 20)\n",
        "  AWS_OIDC_WIZARD_CONCURRENCY                 check --all: reads at once when read one by one, 1-64 (default 16)\n",
        "  AWS_OIDC_WIZARD_ACCOUNTS                    --org: accounts read at once, 1-64 (default 8)\n",
        "  AWS_OIDC_WIZARD_LOG                         log level for --log-file (default info)\n",
        "  GITLAB_TOKEN                                GitLab token (api scope) for --store-in-gitlab, --pin-project-ids\n",
        "  GITLAB_HOST, CI_SERVER_URL                  GitLab URL when --gitlab-url is not given\n",
        "  XDG_STATE_HOME                              where the journal and log live (default ~/.local/state)\n",
        "  XDG_CONFIG_HOME                             where the config file is looked for (default ~/.config)\n",
        "  NO_COLOR                                    draw the wizard without colour\n\n",
        exit_codes_help!()
    )
)]
pub struct Cli {
    /// Use a named profile from your AWS config (default: $AWS_PROFILE, then the default chain).
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        value_name = "NAME"
    )]
    pub profile: Option<String>,
    /// AWS region for signing (IAM is global; default: $AWS_REGION, the profile's, or us-east-1).
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        value_name = "REGION"
    )]
    pub region: Option<String>,
    /// Send AWS requests to this URL instead (default: $AWS_ENDPOINT_URL).
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        value_name = "URL"
    )]
    pub endpoint_url: Option<String>,
    /// Write a log to this file (level from AWS_OIDC_WIZARD_LOG, default info). Never to the screen.
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        value_name = "PATH"
    )]
    pub log_file: Option<std::path::PathBuf>,
    /// GitLab URL for its API (default: $GITLAB_HOST, then $CI_SERVER_URL, then the provider URL).
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        value_name = "URL"
    )]
    pub gitlab_url: Option<String>,
    /// Say only the result, warnings and errors: no progress, no notes of what was read or done.
    #[arg(
        long,
        short = 'q',
        global = true,
        help_heading = "Global options",
        conflicts_with = "verbose"
    )]
    pub quiet: bool,
    /// Also say each AWS request as it is answered (its HTTP status and time); never the SDK's
    /// own debug output.
    #[arg(long, short = 'v', global = true, help_heading = "Global options")]
    pub verbose: bool,
    /// Output format of the result on stdout (codequality and sarif: `check` only).
    #[arg(long, global = true, help_heading = "Global options", value_enum, default_value_t = OutputArg::Text)]
    pub output: OutputArg,
    /// Read defaults from this config file (default: ~/.config/aws-oidc-wizard/config.toml, if
    /// it exists). Flags win over it.
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        value_name = "PATH"
    )]
    pub config: Option<std::path::PathBuf>,
    /// Try it on a built-in, in-memory demo account: no credentials needed, nothing is sent to
    /// AWS or GitLab, nothing is written; every result line says DEMO.
    #[arg(long, global = true, help_heading = "Global options")]
    pub demo: bool,
    /// The config-file keys given as flags on this command line (they win over the file).
    #[arg(skip)]
    pub given: Vec<&'static str>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Subcommand)]
pub enum ConfigAction {
    /// Print the merged defaults (the file's and the built-in ones) and the file's path.
    Show,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
}

/// `--output` as typed: the formats every command has, and the reports only `check` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputArg {
    Text,
    Json,
    /// GitLab's Code Quality report (CodeClimate JSON), for the merge request widget.
    Codequality,
    /// SARIF 2.1.0.
    Sarif,
}

/// A report format of `check` (docs/findings.md, "Reports for code hosts").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Codequality,
    Sarif,
}

impl OutputArg {
    /// The format of every command's result, and the report `check` writes instead of it.
    pub fn split(self) -> (OutputFormat, Option<ReportFormat>) {
        match self {
            OutputArg::Text => (OutputFormat::Text, None),
            OutputArg::Json => (OutputFormat::Json, None),
            OutputArg::Codequality => (OutputFormat::Text, Some(ReportFormat::Codequality)),
            OutputArg::Sarif => (OutputFormat::Text, Some(ReportFormat::Sarif)),
        }
    }
}

impl Command {
    /// The command's name as typed (and as the JSON envelope names it).
    pub fn name(&self) -> &'static str {
        match self {
            Command::Plan { .. } => "plan",
            Command::Apply { .. } => "apply",
            Command::Export { .. } => "export",
            Command::CiJob { .. } => "ci-job",
            Command::Explain(_) => "explain",
            Command::Preflight { .. } => "preflight",
            Command::Check { .. } => "check",
            Command::Completions { .. } => "completions",
            Command::Man => "man",
            Command::Destroy { .. } => "destroy",
            Command::Arn { .. } => "arn",
            Command::Config { .. } => "config",
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show what `apply` would do, with read-only calls only.
    #[command(
        after_help = "Example:\n  aws-oidc-wizard plan --project acme/web --role-name gitlab-acme-web --policy ReadOnlyAccess\n  aws-oidc-wizard plan --detailed-exitcode … && echo \"nothing to do\""
    )]
    Plan {
        #[command(flatten)]
        setup: SetupArgs,
        /// Exit 4 when there are changes to make, 0 when none (as `terraform plan
        /// -detailed-exitcode`); without it, a plan that ran is exit 0 either way.
        #[arg(long)]
        detailed_exitcode: bool,
        #[command(flatten)]
        org: OrgArgs,
    },
    /// Create or update the provider, role and permissions; print the role ARN.
    #[command(
        after_help = "Example:\n  ROLE_ARN=$(aws-oidc-wizard apply --project acme/web --role-name gitlab-acme-web --policy ReadOnlyAccess)\n  aws-oidc-wizard apply --project acme/web --role-name gitlab-acme-web --store-in-gitlab --write-ci-job .gitlab-ci.yml"
    )]
    Apply {
        #[command(flatten)]
        setup: SetupArgs,
        /// Confirm changes to an existing role and admin-level policies without asking.
        #[arg(long, short = 'y')]
        yes: bool,
        /// Continue the setup that stopped, with the answers kept in the journal (no setup flags).
        #[arg(long)]
        from_journal: bool,
        #[command(flatten)]
        ci: CiJobArgs,
        #[command(flatten)]
        gitlab: GitLabArgs,
        #[command(flatten)]
        org: OrgArgs,
    },
    /// Print the setup `apply` would make as a Terraform module or a CloudFormation template
    /// (no AWS call; the same checks and warnings as apply).
    #[command(
        after_help = "Example:\n  aws-oidc-wizard export --format terraform --project acme/web --role-name gitlab-acme-web > gitlab-oidc.tf\n  aws-oidc-wizard export --format terraform --from-role gitlab-acme-web > gitlab-oidc.tf"
    )]
    Export {
        /// What to write on stdout.
        #[arg(long, value_enum, value_name = "FORMAT")]
        format: crate::export::Format,
        /// Read this existing role (made by the tool or not) and its provider and policies from
        /// the account instead, with Terraform import blocks that adopt them (terraform only).
        #[arg(long, value_name = "NAME")]
        from_role: Option<String>,
        #[command(flatten)]
        setup: SetupArgs,
    },
    /// Print the .gitlab-ci.yml job that assumes the role (no AWS call).
    #[command(
        after_help = "Example:\n  aws-oidc-wizard ci-job --ref main --ref-protected >> .gitlab-ci.yml.new\n  aws-oidc-wizard ci-job --write-ci-job .gitlab-ci.yml   # beside an existing pipeline, included from it"
    )]
    CiJob {
        /// The audience the job asks for (default: the provider URL).
        #[arg(long, value_name = "AUD")]
        audience: Option<String>,
        /// GitLab instance URL, for the default audience.
        #[arg(long, value_name = "URL")]
        provider_url: Option<String>,
        /// The branches or tags the role trusts (as apply's --ref): the job gets rules: that run
        /// it only there. Without it, the job has no rules.
        #[arg(long = "ref", value_name = "NAME")]
        refs: Vec<String>,
        /// Kind of ref the role trusts.
        #[arg(long, value_enum, value_name = "TYPE", default_value_t = RefType::Branch)]
        ref_type: RefType,
        /// The role trusts protected refs only.
        #[arg(long)]
        ref_protected: bool,
        #[command(flatten)]
        ci: CiJobArgs,
        #[command(flatten)]
        gate: GateArgs,
    },
    /// Explain why AWS would refuse (or accept) a GitLab ID token for a role: every condition checked.
    #[command(
        after_help = "Example:\n  aws-oidc-wizard explain --role-name gitlab-acme-web --claims claims.json\n  printf %s \"$TOKEN\" | aws-oidc-wizard explain --role-name gitlab-acme-web --token -"
    )]
    Explain(ExplainArgs),
    /// Check a self-managed GitLab the way AWS will: issuer, signing keys, TLS chain and thumbprint.
    #[command(
        after_help = "Example:\n  aws-oidc-wizard preflight --provider-url https://gitlab.example.com"
    )]
    Preflight {
        /// The instance URL (the tokens' issuer).
        #[arg(long, value_name = "URL")]
        provider_url: String,
    },
    /// Audit GitLab OIDC roles: each finding with a severity, an explanation and the fix.
    #[command(
        after_help = "Example:\n  aws-oidc-wizard check --role-name gitlab-acme-web\n  aws-oidc-wizard check --all --output json\n  aws-oidc-wizard check --org --ou ou-ab12-cdef3456 --member-role-name SecurityAudit\n  terraform show -json plan.tfplan > plan.json && aws-oidc-wizard check --terraform-plan plan.json --output codequality"
    )]
    Check {
        /// The role to audit.
        #[arg(long, value_name = "NAME", conflicts_with_all = ["all", "org"])]
        role_name: Option<String>,
        /// Audit every role a web-identity (OIDC) token can reach.
        #[arg(long, conflicts_with = "org")]
        all: bool,
        /// Audit a trust policy document (JSON) before it is applied, without AWS (repeatable).
        #[arg(long, value_name = "PATH", conflicts_with_all = ["role_name", "all", "org"])]
        trust_file: Vec<std::path::PathBuf>,
        /// Audit the roles of a Terraform plan, without AWS: the output of
        /// `terraform show -json PLANFILE` (repeatable).
        #[arg(long, value_name = "PLAN_JSON", conflicts_with_all = ["role_name", "all", "org"])]
        terraform_plan: Vec<std::path::PathBuf>,
        /// Audit the AWS::IAM::Role resources of a CloudFormation template (YAML or JSON),
        /// without AWS (repeatable).
        #[arg(long, value_name = "TEMPLATE", conflicts_with_all = ["role_name", "all", "org"])]
        cloudformation: Vec<std::path::PathBuf>,
        #[command(flatten)]
        org: OrgArgs,
        /// With --org: exit 0 (or 4 for findings) even when some accounts could not be read;
        /// they are still in the report.
        #[arg(long)]
        allow_unreadable: bool,
        /// Only read AWS: do not contact self-managed GitLab instances to compare their
        /// certificate's thumbprint with the provider's.
        #[arg(long)]
        offline: bool,
        /// Exit 4 when a finding at or above this severity is present (as scanners do); lower
        /// ones are reported and exit 0.
        #[arg(long, value_name = "SEVERITY", value_enum, default_value_t = crate::check::Severity::Medium)]
        fail_on: crate::check::Severity,
    },
    /// Print a shell completion script (e.g. `aws-oidc-wizard completions bash > /etc/bash_completion.d/aws-oidc-wizard`).
    #[command(
        after_help = "Example:\n  aws-oidc-wizard completions bash > ~/.local/share/bash-completion/completions/aws-oidc-wizard"
    )]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Show the config file's defaults merged with the built-in ones, and where each comes from.
    #[command(
        after_help = "Example:\n  aws-oidc-wizard config show\n  aws-oidc-wizard --config team.toml config show --output json"
    )]
    Config {
        #[command(subcommand)]
        action: ConfigAction,
    },
    /// Print the manual page (e.g. `aws-oidc-wizard man > ~/.local/share/man/man1/aws-oidc-wizard.1`).
    #[command(
        after_help = "Example:\n  aws-oidc-wizard man > ~/.local/share/man/man1/aws-oidc-wizard.1"
    )]
    Man,
    /// Print the role ARN of a setup this tool made (with one in the account, no name needed).
    #[command(
        after_help = "Example:\n  ROLE_ARN=$(aws-oidc-wizard arn)\n  aws-oidc-wizard arn --role-name gitlab-acme-web"
    )]
    Arn {
        /// The role (needed when the account has several setups).
        #[arg(long, value_name = "NAME")]
        role_name: Option<String>,
    },
    /// Remove a setup: detach the role's policies, delete the role, and the provider if this tool
    /// created it and no other role trusts it.
    #[command(
        after_help = "Example:\n  aws-oidc-wizard destroy --role-name gitlab-acme-web          # shows what goes, then asks\n  aws-oidc-wizard destroy --role-name gitlab-acme-web --yes"
    )]
    Destroy {
        /// The role to remove.
        #[arg(long, value_name = "NAME")]
        role_name: String,
        /// Remove without asking.
        #[arg(long, short = 'y')]
        yes: bool,
        /// Also remove a role that aws-oidc-wizard did not create.
        #[arg(long)]
        force: bool,
        /// Remove the setup's StackSet from the Organization: every stack instance (the role in
        /// each account, and the provider where the instance created it), then the stack set.
        #[arg(long, conflicts_with = "force")]
        org: bool,
        /// With --org: the role assumed in each member account, to make sure no other role
        /// there trusts a provider the stack set made [default: OrganizationAccountAccessRole].
        #[arg(long, value_name = "NAME")]
        member_role_name: Option<String>,
    },
}

/// The GitLab side of apply: needs a token in GITLAB_TOKEN (api scope, Maintainer role).
#[derive(Debug, Clone, Args)]
pub struct GitLabArgs {
    /// After a successful apply, store the role ARN as a CI/CD variable on each --project.
    #[arg(long)]
    pub store_in_gitlab: bool,
    /// Store it on this group instead of the projects.
    #[arg(long, value_name = "GROUP", requires = "store_in_gitlab")]
    pub gitlab_group: Option<String>,
    /// Look up each project's numeric id through the GitLab API and pin it in the trust policy (gitlab.com).
    #[arg(long)]
    pub pin_project_ids: bool,
    /// Make the variable available to protected branches and tags only.
    #[arg(long)]
    pub variable_protected: bool,
    /// Mask the variable in job logs.
    #[arg(long)]
    pub variable_masked: bool,
    /// The variable's environment scope.
    #[arg(long, value_name = "SCOPE", default_value = "*")]
    pub variable_environment_scope: String,
}

#[derive(Debug, Clone, Args)]
pub struct CiJobArgs {
    /// After a successful apply, write the .gitlab-ci.yml job here. An existing pipeline keeps every
    /// line: the job goes to ci/aws-oidc.yml beside it and one include entry is added.
    #[arg(long, value_name = "PATH")]
    pub write_ci_job: Option<std::path::PathBuf>,
    /// Replace the --write-ci-job file with the job instead (a file needs its own consent; --yes is
    /// for AWS).
    #[arg(long, requires = "write_ci_job")]
    pub overwrite: bool,
    /// How the job gets credentials (secrets-manager and audit: `ci-job` only).
    #[arg(long, visible_alias = "style", value_enum, value_name = "STYLE", default_value_t = crate::ci_job::CiStyle::TokenFile)]
    pub ci_job_style: crate::ci_job::CiStyle,
    /// The GitLab CI/CD variable that holds the role ARN.
    #[arg(long, value_name = "NAME", default_value = crate::ci_job::DEFAULT_VARIABLE)]
    pub ci_variable: String,
}

/// What the secrets-manager and audit jobs of `ci-job` need.
#[derive(Debug, Clone, Args)]
pub struct GateArgs {
    /// --style secrets-manager: a secret the runner reads into a variable, as
    /// VARIABLE=SECRET_ID or VARIABLE=SECRET_ID#FIELD (repeatable).
    #[arg(long, value_name = "VARIABLE=SECRET_ID")]
    pub secret: Vec<String>,
    /// --style audit: the job audits this Terraform plan JSON (`terraform show -json`) of the
    /// repository, before apply. Without a file, the job audits the account through the role.
    #[arg(long, value_name = "PATH", conflicts_with_all = ["trust_file", "cloudformation"])]
    pub terraform_plan: Option<String>,
    /// --style audit: the job audits this trust policy document of the repository.
    #[arg(long, value_name = "PATH", conflicts_with = "cloudformation")]
    pub trust_file: Option<String>,
    /// --style audit: the job audits this CloudFormation template of the repository.
    #[arg(long, value_name = "PATH")]
    pub cloudformation: Option<String>,
    /// --style audit: the job fails on a finding at or above this severity.
    #[arg(long, value_name = "SEVERITY", value_enum, default_value_t = crate::check::Severity::Medium)]
    pub fail_on: crate::check::Severity,
    /// --style audit: print the job as a GitLab CI/CD component (templates/aws-oidc-audit.yml).
    #[arg(long)]
    pub component: bool,
}

#[derive(Debug, Clone, Args)]
pub struct ExplainArgs {
    /// The role the pipeline tried to assume.
    #[arg(long, value_name = "NAME")]
    pub role_name: String,
    /// The token's claims as a JSON file (e.g. copied from a job's debug output).
    #[arg(
        long,
        value_name = "FILE.json",
        conflicts_with = "token",
        required_unless_present = "token"
    )]
    pub claims: Option<std::path::PathBuf>,
    /// The ID token itself, or - to read it from stdin (safer: not in the process list). Never stored.
    #[arg(long, value_name = "JWT")]
    pub token: Option<String>,
    /// A key of the request that the caller or AWS sets, not the token (aws:SourceIp,
    /// aws:RequestedRegion, aws:CurrentTime, aws:UserAgent, sts:RoleSessionName …); repeat for
    /// several. check's counterexamples name the ones they need.
    #[arg(long = "context", value_name = "KEY=VALUE")]
    pub context: Vec<String>,
}

#[derive(Debug, Clone, Args)]
pub struct SetupArgs {
    /// GitLab instance URL: the tokens' issuer (default https://gitlab.com).
    #[arg(long, value_name = "URL")]
    pub provider_url: Option<String>,
    /// Audience the CI job asks for in id_tokens (default: the provider URL).
    #[arg(long, value_name = "AUD")]
    pub audience: Option<String>,
    /// GitLab project path allowed to assume the role; repeat for several.
    #[arg(long = "project", value_name = "GROUP/PROJECT")]
    pub projects: Vec<String>,
    /// Branch or tag allowed (a '*' makes it a pattern); repeat for several (default main).
    #[arg(long = "ref", value_name = "NAME")]
    pub refs: Vec<String>,
    /// Kind of ref allowed.
    #[arg(long, value_enum, value_name = "TYPE", default_value_t = RefType::Branch)]
    pub ref_type: RefType,
    /// Only protected branches and tags may assume the role (gitlab.com only).
    #[arg(long)]
    pub ref_protected: bool,
    /// Pin the numeric GitLab project id too (gitlab.com only; survives renames); repeat for several.
    #[arg(long = "project-id", value_name = "ID")]
    pub project_ids: Vec<String>,
    /// Pin this GitLab namespace id (gitlab.com only): the id of the projects' group, subgroup or
    /// user namespace, which a re-registered name never has. Looked up through the GitLab API when
    /// not given; repeat for several.
    #[arg(long = "namespace-id", value_name = "ID")]
    pub namespace_ids: Vec<String>,
    /// Do not look up and pin the projects' namespace ids (gitlab.com).
    #[arg(long, conflicts_with = "namespace_ids")]
    pub no_pin_namespace_ids: bool,
    /// For a self-managed instance behind a private CA: the certificate thumbprint IAM needs, or
    /// `auto` to take it from the pre-flight.
    #[arg(long = "thumbprint", value_name = "auto|HEX")]
    pub thumbprints: Vec<String>,
    /// Do not check a self-managed instance before creating anything (e.g. reachable from AWS only).
    #[arg(long)]
    pub skip_preflight: bool,
    /// Name of the IAM role.
    #[arg(long, value_name = "NAME")]
    pub role_name: Option<String>,
    /// IAM path of the role (default /).
    #[arg(long, value_name = "PATH")]
    pub role_path: Option<String>,
    /// Description of the role.
    #[arg(long, value_name = "TEXT")]
    pub description: Option<String>,
    /// AWS managed policy name (e.g. ReadOnlyAccess) or policy ARN to attach; repeat for several.
    #[arg(long = "policy", value_name = "NAME_OR_ARN")]
    pub policies: Vec<String>,
    /// Policy (name or ARN) to detach from an existing role; repeat for several. Needs --yes or a
    /// confirmation, as any change to an existing role.
    #[arg(long = "detach-policy", value_name = "NAME_OR_ARN")]
    pub detach_policies: Vec<String>,
    /// Longest session the role allows, in seconds, 3600–43200 (default 3600 for a new role).
    #[arg(long, value_name = "SECONDS")]
    pub max_session_duration: Option<String>,
    /// ARN of a managed policy to set as the role's permissions boundary.
    #[arg(long, value_name = "ARN")]
    pub permissions_boundary: Option<String>,
}

impl SetupArgs {
    pub fn to_input(&self) -> SetupInput {
        SetupInput {
            provider_url: self.provider_url.clone(),
            audience: self.audience.clone(),
            projects: self.projects.clone(),
            refs: self.refs.clone(),
            ref_type: Some(self.ref_type),
            ref_protected: self.ref_protected,
            project_ids: self.project_ids.clone(),
            namespace_ids: self.namespace_ids.clone(),
            thumbprints: self
                .thumbprints
                .iter()
                .filter(|t| *t != "auto")
                .cloned()
                .collect(),
            role_name: self.role_name.clone(),
            role_path: self.role_path.clone(),
            description: self.description.clone(),
            policies: self.policies.clone(),
            detach_policies: self.detach_policies.clone(),
            max_session_duration: self.max_session_duration.clone(),
            permissions_boundary: self.permissions_boundary.clone(),
        }
    }

    /// How the thumbprint is settled: `--thumbprint auto`, or the ones given.
    pub fn thumbprint(&self) -> Thumbprint {
        if self.thumbprints.iter().any(|t| t == "auto") {
            Thumbprint::Auto
        } else {
            Thumbprint::Given
        }
    }
}

/// Every account of the AWS Organization, or of some of its units.
#[derive(Debug, Clone, Args)]
pub struct OrgArgs {
    /// Work on the accounts of the caller's AWS Organization (from its management account or a
    /// delegated administrator): check reads all of them, or those under --ou and those named by
    /// --account; plan and apply roll the setup out to the accounts under --ou through a
    /// service-managed StackSet.
    #[arg(long)]
    pub org: bool,
    /// With --org: the accounts under this organizational unit (or root), at any depth.
    /// Repeat for more.
    #[arg(long = "ou", value_name = "OU_ID")]
    pub units: Vec<String>,
    /// With --org: this account. Repeat for more.
    #[arg(long = "account", value_name = "ID")]
    pub accounts: Vec<String>,
    /// With --org: the role assumed in each member account [default: OrganizationAccountAccessRole].
    #[arg(long, value_name = "NAME")]
    pub member_role_name: Option<String>,
}

impl OrgArgs {
    /// A flag of the Organization given without --org (clap's `requires` counts the flag's
    /// own default, `false`, as given, so it is checked here).
    pub fn needs_org(&self) -> Option<&'static str> {
        if self.org {
            None
        } else if !self.units.is_empty() {
            Some("--ou")
        } else if !self.accounts.is_empty() {
            Some("--account")
        } else if self.member_role_name.is_some() {
            Some("--member-role-name")
        } else {
            None
        }
    }

    /// The scope, checked: exit 2 on an id or name AWS could never take.
    pub fn scope(&self) -> Result<crate::check::org::Scope, crate::plan::input::InputError> {
        use crate::plan::org;
        let mut units: Vec<String> = self
            .units
            .iter()
            .map(|u| org::unit_id(u))
            .collect::<Result<_, _>>()?;
        // Each unit once, in the order first given.
        let mut seen = std::collections::BTreeSet::new();
        units.retain(|u| seen.insert(u.clone()));
        Ok(crate::check::org::Scope {
            units,
            accounts: self
                .accounts
                .iter()
                .map(|a| org::account_id(a))
                .collect::<Result<_, _>>()?,
            member_role: org::member_role(
                self.member_role_name
                    .as_deref()
                    .unwrap_or(crate::aws::org::DEFAULT_MEMBER_ROLE),
            )?,
        })
    }
}
