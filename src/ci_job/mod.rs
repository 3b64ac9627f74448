//! The `.gitlab-ci.yml` jobs a user adds, from the templates in `assets/`: the token-file way (the
//! default: any AWS SDK or CLI in the job assumes the role itself and refreshes) or the explicit
//! `aws sts assume-role-with-web-identity` export. Neither installs the AWS CLI: the `amazon/aws-cli`
//! image already has it (and is not Alpine).

use crate::plan::input::Answer;
use std::path::{Path, PathBuf};

use yaml_rust2::{Yaml, YamlLoader};

use crate::plan::input::InputError;

const TOKEN_FILE: &str = include_str!("../../assets/gitlab-ci-token-file.yml");
const ASSUME_ROLE: &str = include_str!("../../assets/gitlab-ci-assume-role.yml");

/// The variable the role ARN is stored in, by default.
pub const DEFAULT_VARIABLE: &str = "ROLE_ARN";

/// The session length the explicit job asks for when the role's is not known: IAM's default.
pub const DEFAULT_DURATION: i32 = 3600;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum CiStyle {
    /// AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE: the SDKs and the CLI assume the role themselves.
    #[default]
    TokenFile,
    /// Export the credentials of `aws sts assume-role-with-web-identity`.
    AssumeRole,
    /// The runner reads AWS Secrets Manager secrets itself (`secrets: aws_secrets_manager`, GitLab
    /// 18.3 or later): for jobs that only read secrets (`ci-job` only, with --secret).
    SecretsManager,
    /// A merge request job that audits the trust before apply and uploads a Code Quality report
    /// (`ci-job` only).
    Audit,
}

impl CiStyle {
    /// Whether the job assumes the role for the job's own commands (what `apply` writes).
    pub fn assumes_role(self) -> bool {
        matches!(self, CiStyle::TokenFile | CiStyle::AssumeRole)
    }
}

pub mod gate;

/// The variables the jobs set or read themselves, which the role ARN (or a secret) must not be:
/// the ID tokens, what the AWS SDKs and the runner read, and GitLab's own.
pub const RESERVED_VARIABLES: [&str; 8] = [
    "GITLAB_OIDC_TOKEN",
    "AWS_ID_TOKEN",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_SESSION_NAME",
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "PATH",
];

/// A GitLab CI/CD variable name: letters, digits and `_`, 1–255 characters; none the jobs use
/// themselves, and none of GitLab's (`CI_…`, `GITLAB_…`).
pub fn parse_variable(raw: &str) -> Result<String, InputError> {
    let ok = !raw.is_empty()
        && raw.len() <= 255
        && raw.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !ok {
        return Err(InputError::new(
            Answer::CiVariable,
            raw,
            "must be a GitLab variable name: letters, digits and _ (1 to 255)",
        ));
    }
    let upper = raw.to_ascii_uppercase();
    if RESERVED_VARIABLES.contains(&upper.as_str())
        || upper.starts_with("CI_")
        || upper.starts_with("GITLAB_")
    {
        return Err(InputError::new(
            Answer::CiVariable,
            raw,
            "is a variable the job or GitLab sets itself: choose another name",
        ));
    }
    Ok(raw.to_string())
}

/// The `rules:` that run the job only where the trust policy lets its token in: one `if:` per ref
/// (a `*` pattern as an anchored regex), and the protected-ref check when the trust has it. Empty
/// (no rules: the job always runs) when a ref holds a quote, which a rule could not say safely.
pub fn rules(
    refs: &[crate::plan::input::RefName],
    ref_type: crate::plan::input::RefType,
    protected: bool,
) -> Vec<String> {
    use crate::plan::input::RefType;
    let variable = match ref_type {
        RefType::Branch => "$CI_COMMIT_BRANCH",
        RefType::Tag => "$CI_COMMIT_TAG",
        RefType::Any => "$CI_COMMIT_REF_NAME",
    };
    if refs.iter().any(|r| r.as_str().contains(['"', '\''])) {
        return Vec::new();
    }
    refs.iter()
        .map(|r| {
            let r = r.as_str();
            let mut test = if r.contains('*') {
                let mut re = String::from("/^");
                for c in r.chars() {
                    match c {
                        '*' => re.push_str(".*"),
                        c if "/.+()|{}$^".contains(c) => {
                            re.push('\\');
                            re.push(c);
                        }
                        c => re.push(c),
                    }
                }
                re.push_str("$/");
                format!("{variable} =~ {re}")
            } else {
                format!("{variable} == \"{r}\"")
            };
            if protected {
                test.push_str(" && $CI_COMMIT_REF_PROTECTED == \"true\"");
            }
            test
        })
        .collect()
}

/// The job, filled in. The audience is written as a quoted YAML string, whatever it contains.
pub fn job(style: CiStyle, audience: &str, variable: &str, role_max_session: i32) -> String {
    job_with_rules(
        style,
        audience,
        variable,
        role_max_session,
        &[],
        DEFAULT_REGION,
    )
}

/// The region a job gets when nothing names one.
pub const DEFAULT_REGION: &str = "us-east-1";

/// The region written into the job: the one given, else the environment's (`AWS_REGION`, then
/// `AWS_DEFAULT_REGION`, as the AWS CLI reads them), else us-east-1. Only a default: GitLab lets a
/// project variable of the same name override a job's `variables:`.
pub fn region_for_job(given: Option<&str>, env: impl Fn(&str) -> Option<String>) -> String {
    given
        .map(str::to_string)
        .or_else(|| env("AWS_REGION"))
        .or_else(|| env("AWS_DEFAULT_REGION"))
        .filter(|r| crate::plan::input::check_region(r).is_ok())
        .unwrap_or_else(|| DEFAULT_REGION.to_string())
}

/// The job with `rules:` (see `rules`), so that it runs only where AWS will accept its token.
pub fn job_with_rules(
    style: CiStyle,
    audience: &str,
    variable: &str,
    role_max_session: i32,
    rules: &[String],
    region: &str,
) -> String {
    // The styles that do not assume the role are written by `gate` (`apply` refuses them).
    let template = match style {
        CiStyle::AssumeRole => ASSUME_ROLE,
        CiStyle::TokenFile | CiStyle::SecretsManager | CiStyle::Audit => TOKEN_FILE,
    };
    let quoted = crate::sanitize::yaml_quoted(audience);
    template
        .replace("  {{RULES}}\n", &rules_block(rules))
        .replace("{{AUDIENCE}}", &quoted)
        .replace("{{VARIABLE}}", variable)
        .replace("{{REGION}}", region)
        // The role's own maximum: longer is refused by STS, shorter cuts long deploys off.
        .replace("{{DURATION}}", &role_max_session.to_string())
}

/// The `rules:` block of a job (nothing without rules).
pub fn rules_block(rules: &[String]) -> String {
    let mut rendered = String::new();
    if !rules.is_empty() {
        rendered.push_str(
            "  # Only where the role's trust policy accepts the job's token.\n  rules:\n",
        );
        for r in rules {
            rendered.push_str(&format!("    - if: '{}'\n", r.replace('\'', "''")));
        }
    }
    rendered
}

/// The token-file job (the default).
pub fn token_file_job(audience: &str, variable: &str) -> String {
    job(CiStyle::TokenFile, audience, variable, DEFAULT_DURATION)
}

/// Where the job goes when the user's pipeline file already exists: a file of its own, included
/// from the pipeline (`include: local:` paths are from the repository's root).
pub const INCLUDED_JOB: &str = "ci/aws-oidc.yml";

/// What writing the job to `path` will do. Decided before anything is written (and before any AWS
/// call): a user's file is never lost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Write {
    /// `path` already holds this job.
    Unchanged,
    /// `path` does not exist: the job becomes the file.
    Create { path: PathBuf, content: String },
    /// `--overwrite`: the file is replaced by the job.
    Overwrite { path: PathBuf, content: String },
    /// `path` is the user's pipeline: the job goes into its own file, and one `include:` entry is
    /// added to the pipeline; every other line of it stays as it was. `pipeline` is `None` when
    /// it already includes the job's file (and lists its stage, when it lists stages); with it,
    /// what was added, in words.
    Include {
        job_path: PathBuf,
        job: String,
        pipeline_path: PathBuf,
        pipeline: Option<(String, String)>,
    },
}

/// Decide how the job reaches `path`. `overwrite`: the user agreed to replace an existing file.
pub fn plan_write(path: &Path, job: &str, overwrite: bool) -> Result<Write, String> {
    let existing = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Write::Create {
                path: path.to_path_buf(),
                content: job.to_string(),
            });
        }
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    if existing == job {
        return Ok(Write::Unchanged);
    }
    if overwrite {
        return Ok(Write::Overwrite {
            path: path.to_path_buf(),
            content: job.to_string(),
        });
    }
    let keep = "nothing was written; `aws-oidc-wizard ci-job` prints the job to add yourself, or --overwrite replaces the file";
    let (pipeline, body) =
        read_pipeline(&existing).map_err(|why| format!("{} {why}: {keep}", path.display()))?;
    // A top-level merge key brings in keys this reading does not see (a `deploy` job among them).
    if pipeline.contains_key(&Yaml::String("<<".into())) {
        return Err(format!(
            "{} merges keys into its top level (`<<:`): the jobs it brings in cannot be told here; {keep}",
            path.display()
        ));
    }
    let job_name = job.lines().next().unwrap_or_default().trim_end_matches(':');
    if pipeline.contains_key(&Yaml::String(job_name.to_string())) {
        return Err(format!(
            "{} already has a job named {job_name}: including ours would merge into it; {keep}",
            path.display()
        ));
    }
    let dir = path.parent().unwrap_or(Path::new(""));
    let job_path = dir.join(INCLUDED_JOB);
    let local = include_path(dir);
    match std::fs::read_to_string(&job_path) {
        Ok(text) if text != job => {
            return Err(format!(
                "{} exists with other content: not overwritten (--overwrite replaces it)",
                job_path.display()
            ));
        }
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        // A directory there, a file that cannot be read: found now, before any change.
        Err(e) => return Err(format!("{}: {e}; {keep}", job_path.display())),
    }
    let mut text = existing.clone();
    let mut added = Vec::new();
    let include = pipeline.get(&Yaml::String("include".into()));
    if included(include, &local) == Included::WithConditions {
        return Err(format!(
            "{} includes {local} with conditions (`rules:` or `inputs:`): it runs only as they say; {keep}",
            path.display()
        ));
    }
    if !includes_local(include, &local) {
        added.push("one include entry".to_string());
        text = add_include(&text, body, include, &local)
            .ok_or_else(|| format!("{} has an `include:` written in a form this tool does not edit: add `- local: {local}` to it yourself; {keep}", path.display()))?;
    }
    // A pipeline that lists its stages runs only jobs of those stages: ours must be one of them.
    let stage = job_stage(job);
    let mut stage_added = None;
    if let (Some(stage), Some(Yaml::Array(stages))) =
        (stage, pipeline.get(&Yaml::String("stages".into())))
        && !stages.iter().any(|s| s.as_str() == Some(stage))
    {
        added.push(format!("`{stage}` in its stages"));
        stage_added = Some(stage);
        text = add_stage(&text, body, stage).ok_or_else(|| format!("{} has `stages:` written in a form this tool does not edit: add `{stage}` to it yourself; {keep}", path.display()))?;
    }
    // The edit is made on the text; what it means is checked on the YAML: exactly the old
    // pipeline with what we say we added, or nothing is written.
    if text != existing && !edit_means(&existing, &text, &local, stage_added) {
        return Err(format!(
            "{} is written in a form this tool cannot edit safely: add `- local: {local}` to its include{} yourself; {keep}",
            path.display(),
            stage_added
                .map(|s| format!(" and `{s}` to its stages"))
                .unwrap_or_default()
        ));
    }
    let pipeline = (text != existing).then(|| (text, added.join(" and ")));
    if job_path.exists() && pipeline.is_none() {
        return Ok(Write::Unchanged);
    }
    Ok(Write::Include {
        job_path,
        job: job.to_string(),
        pipeline_path: path.to_path_buf(),
        pipeline,
    })
}

/// The pipeline's own document, parsed as GitLab reads the file: one YAML document, or a
/// `spec:` header document (a CI/CD component's or a pipeline's inputs) followed by the
/// pipeline. With it, the line the pipeline's document starts at, so edits go there and nowhere
/// else. The error completes "PATH ...".
fn read_pipeline(text: &str) -> Result<(yaml_rust2::yaml::Hash, usize), String> {
    // YAML 1.1 (libyaml, which GitLab's Ruby reads with) breaks lines at these; YAML 1.2 (this
    // parser) does not. A file holding one means two things: what this tool reads and edits
    // might not be what GitLab runs.
    if let Some(c) = text
        .chars()
        .find(|c| matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}'))
    {
        return Err(format!(
            "holds {}, which GitLab's YAML parser reads as a line break and this one does not",
            c.escape_unicode()
        ));
    }
    let docs = YamlLoader::load_from_str(text).map_err(|e| format!("is not valid YAML ({e})"))?;
    let header = |d: &Yaml| matches!(d, Yaml::Hash(h) if h.len() == 1 && h.contains_key(&Yaml::String("spec".into())));
    let (doc, body) = match docs.as_slice() {
        [] => return Err("is not a GitLab CI pipeline (a YAML mapping)".to_string()),
        [only] if header(only) => {
            return Err(
                "has only a `spec:` header: its pipeline, after `---`, is missing".to_string(),
            );
        }
        [only] => (only, 0),
        [first, pipeline] if header(first) => {
            // The separator before the pipeline: the last `---` at the start of a line.
            let at = text
                .lines()
                .enumerate()
                .filter(|(_, l)| l.trim_end() == "---" || l.starts_with("--- "))
                .map(|(i, _)| i)
                .last()
                .ok_or("has a `spec:` header without a `---` line after it")?;
            (pipeline, at + 1)
        }
        _ => {
            return Err(format!(
                "has {} YAML documents; GitLab reads a pipeline from one, after an optional `spec:` header",
                docs.len()
            ));
        }
    };
    match doc {
        Yaml::Hash(h) => Ok((h.clone(), body)),
        _ => Err("is not a GitLab CI pipeline (a YAML mapping)".to_string()),
    }
}

/// Whether `after` (the edited text) reads as `before` with only these changes: an include of
/// `local` (when `before` lacks one) added after its includes, and `stage` (when given) added at
/// the end of its stages; the `spec:` header and every other key the same.
fn edit_means(before: &str, after: &str, local: &str, stage: Option<&str>) -> bool {
    let docs = |t: &str| YamlLoader::load_from_str(t).ok();
    let (Some(old_docs), Some(new_docs)) = (docs(before), docs(after)) else {
        return false;
    };
    if old_docs.len() != new_docs.len() || old_docs.len() > 1 && old_docs[0] != new_docs[0] {
        return false;
    }
    let (Ok((old, _)), Ok((new, _))) = (read_pipeline(before), read_pipeline(after)) else {
        return false;
    };
    let key = |k: &str| Yaml::String(k.to_string());
    let as_list = |y: Option<&Yaml>| match y {
        None => Vec::new(),
        Some(Yaml::Array(items)) => items.clone(),
        Some(other) => vec![other.clone()],
    };
    // Every other key as it was, and no key added but these two.
    let others_same = old
        .iter()
        .filter(|(k, _)| **k != key("include") && **k != key("stages"))
        .all(|(k, v)| new.get(k) == Some(v))
        && new
            .keys()
            .all(|k| old.contains_key(k) || *k == key("include"));
    let old_includes = as_list(old.get(&key("include")));
    let new_includes = as_list(new.get(&key("include")));
    let includes_right = if includes_local(old.get(&key("include")), local) {
        old.get(&key("include")) == new.get(&key("include"))
    } else {
        new_includes.len() == old_includes.len() + 1
            && old_includes.iter().all(|i| new_includes.contains(i))
            && includes_local(new.get(&key("include")), local)
    };
    let stages_right = match stage {
        None => old.get(&key("stages")) == new.get(&key("stages")),
        Some(stage) => {
            let mut expected = as_list(old.get(&key("stages")));
            expected.push(Yaml::String(stage.to_string()));
            as_list(new.get(&key("stages"))) == expected
        }
    };
    others_same && includes_right && stages_right
}

/// How the pipeline's `include:` names the local file `local` (a path from the repository's
/// root, with or without its leading `/`), in any of the forms GitLab takes: a string, `local:`,
/// or a list of either. A comment or another key that mentions it is not an include.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Included {
    No,
    Yes,
    /// With more than the path (`rules:`, `inputs:`): only sometimes, or differently, which is
    /// the pipeline owner's to decide.
    WithConditions,
}

fn included(include: Option<&Yaml>, local: &str) -> Included {
    let same = |p: &str| p.trim_start_matches('/') == local.trim_start_matches('/');
    let entry = |y: &Yaml| match y {
        Yaml::String(s) if same(s) => Included::Yes,
        Yaml::Hash(h)
            if h.get(&Yaml::String("local".into()))
                .and_then(Yaml::as_str)
                .is_some_and(same) =>
        {
            if h.len() > 1 {
                Included::WithConditions
            } else {
                Included::Yes
            }
        }
        _ => Included::No,
    };
    let entries: Vec<Included> = match include {
        Some(Yaml::Array(items)) => items.iter().map(entry).collect(),
        Some(other) => vec![entry(other)],
        None => vec![],
    };
    if entries.contains(&Included::WithConditions) {
        Included::WithConditions
    } else if entries.contains(&Included::Yes) {
        Included::Yes
    } else {
        Included::No
    }
}

fn includes_local(include: Option<&Yaml>, local: &str) -> bool {
    included(include, local) == Included::Yes
}

/// The pipeline text with one `include:` entry for the job's file added, every other line kept:
/// a new `include:` block at the end, or an item at the head of an existing block list (at the top
/// level of the pipeline's document, which starts at line `body`). `None` for an `include:` in
/// another form (a string, a mapping, a flow list).
fn add_include(text: &str, body: usize, include: Option<&Yaml>, local: &str) -> Option<String> {
    let entry = format!("- local: {local}");
    match include {
        None => {
            let sep = if text.is_empty() || text.ends_with('\n') {
                ""
            } else {
                "\n"
            };
            Some(format!("{text}{sep}\ninclude:\n  {entry}\n"))
        }
        Some(Yaml::Array(_)) => {
            let lines: Vec<&str> = text.split_inclusive('\n').collect();
            let at = body
                + lines[body..]
                    .iter()
                    .position(|l| l.trim_end() == "include:")?;
            // The block list's own indent, from its first item.
            let first = lines[at + 1..]
                .iter()
                .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))?;
            let indent = &first[..first.len() - first.trim_start().len()];
            if !first.trim_start().starts_with('-') {
                return None;
            }
            Some(insert_after(&lines, at, &format!("{indent}{entry}")))
        }
        Some(_) => None,
    }
}

/// The `stage:` the job names (its second line, as the templates write it).
fn job_stage(job: &str) -> Option<&str> {
    job.lines()
        .find_map(|l| l.strip_prefix("  stage: "))
        .map(str::trim)
}

/// The pipeline text with `stage` added at the end of its top-level `stages:` list, every other
/// line kept: a flow list on the key's line (`stages: [build, test]`) or a block list below it.
/// `None` for another form.
fn add_stage(text: &str, body: usize, stage: &str) -> Option<String> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let at = body
        + lines
            .get(body..)?
            .iter()
            .position(|l| l.starts_with("stages:"))?;
    let rest = lines[at]["stages:".len()..].trim_end();
    if rest.trim_start().starts_with('[') {
        // The list's own `]`: the first after its `[` (a comment after it may hold others).
        let open = lines[at].find('[')?;
        let close = open + lines[at][open..].find(']')?;
        let inside = lines[at][..close].trim_end();
        let sep = if inside.ends_with('[') { "" } else { ", " };
        let line = format!("{inside}{sep}{stage}{}", &lines[at][close..]);
        return Some(
            [
                &lines[..at].concat(),
                line.as_str(),
                &lines[at + 1..].concat(),
            ]
            .concat(),
        );
    }
    if !rest.is_empty() && !rest.trim_start().starts_with('#') {
        return None;
    }
    // The block list: its items, and the comments and blank lines between them.
    let mut last = None;
    let mut indent = "";
    for (i, l) in lines.iter().enumerate().skip(at + 1) {
        let t = l.trim_start();
        if t.starts_with('-') {
            indent = &l[..l.len() - t.len()];
            last = Some(i);
        } else if !(t.trim().is_empty() || t.starts_with('#')) {
            break;
        }
    }
    Some(insert_after(&lines, last?, &format!("{indent}- {stage}")))
}

/// The lines with `item` as a line of its own after line `at`, ending as that line ends
/// (`\r\n` or `\n`).
fn insert_after(lines: &[&str], at: usize, item: &str) -> String {
    let newline = if lines[at].ends_with("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    let mut out: String = lines[..=at].concat();
    if !out.ends_with('\n') {
        out.push_str(newline);
    }
    out.push_str(item);
    out.push_str(newline);
    out.push_str(&lines[at + 1..].concat());
    out
}

/// The job file's path as `include: local:` reads it: from the root of the git repository the
/// pipeline is in (the nearest directory above it with a `.git`), or from the pipeline's directory
/// when there is none.
fn include_path(dir: &Path) -> String {
    let here = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let Ok(dir) = std::fs::canonicalize(here) else {
        return INCLUDED_JOB.to_string();
    };
    let root = dir
        .ancestors()
        .find(|a| a.join(".git").exists())
        .unwrap_or(&dir);
    let under: Vec<String> = dir
        .strip_prefix(root)
        .map(|p| {
            p.components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    under
        .into_iter()
        .chain([INCLUDED_JOB.to_string()])
        .collect::<Vec<_>>()
        .join("/")
}

/// Carry the decision out. Returns what was done, in words; an error is one line that says what
/// was written and what was not. Each file is written whole or not at all
/// ([`crate::files::write_atomic`]); the job's own file goes first, so a pipeline never includes
/// a file that is not there.
pub fn write(plan: &Write) -> Result<String, String> {
    let put = |path: &Path, text: &str| -> Result<(), String> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        crate::files::write_atomic(path, text.as_bytes(), None)
            .map_err(|e| format!("{}: {e}", path.display()))
    };
    let untouched = |path: &Path, e: String| {
        format!(
            "the CI job was not written ({e}); {} is as it was",
            path.display()
        )
    };
    Ok(match plan {
        Write::Unchanged => "CI job unchanged".to_string(),
        Write::Create { path, content } => {
            put(path, content)
                .map_err(|e| format!("the CI job was not written ({e}); no file was made"))?;
            format!("CI job written: {}", path.display())
        }
        Write::Overwrite { path, content } => {
            put(path, content).map_err(|e| untouched(path, e))?;
            format!("CI job written over {} (--overwrite)", path.display())
        }
        Write::Include {
            job_path,
            job,
            pipeline_path,
            pipeline,
        } => {
            put(job_path, job).map_err(|e| untouched(pipeline_path, e))?;
            match pipeline {
                Some((text, added)) => {
                    put(pipeline_path, text).map_err(|e| {
                        format!(
                            "{} was written, but {} was not changed ({e}): it does not include the job yet; a second run adds the include",
                            job_path.display(),
                            pipeline_path.display()
                        )
                    })?;
                    format!(
                        "CI job written: {}, included from {} ({added} added; nothing else in it changed)",
                        job_path.display(),
                        pipeline_path.display()
                    )
                }
                None => format!(
                    "CI job written: {} (already included from {})",
                    job_path.display(),
                    pipeline_path.display()
                ),
            }
        }
    })
}

#[cfg(test)]
mod tests;
