//! The shared flow on the fake: the journal kept by `apply_from`, the pre-flight gate, and the
//! values the faces word (GitLab lines, claims errors).

use super::apply::{Journaled, apply_from};
use super::gitlab::{StoredOn, named_projects};
use super::preflight::{GateError, Thumbprint, gate, wanted};
use crate::aws::Aws;
use crate::aws::fake::FakeAws;
use crate::gitlab::{Owner, Stored};
use crate::journal::{Journal, Store};
use crate::plan::{Setup, SetupInput};
use crate::preflight::{Report, TlsReport};
use crate::verdict::Check;

fn answers() -> SetupInput {
    SetupInput {
        projects: vec!["acme/web".into()],
        role_name: Some("web".into()),
        policies: vec!["ReadOnlyAccess".into()],
        ..Default::default()
    }
}

fn temp_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let store = Store::at(dir.path().join("journal.json"));
    (dir, store)
}

#[tokio::test]
async fn the_journal_holds_each_finished_step_and_is_forgotten_on_success() {
    let (_dir, store) = temp_store();
    let fake = FakeAws::new();
    let setup = answers().validate().expect("valid");
    let plan = crate::engine::plan(&fake, &setup).await.expect("plan");
    fake.fail_next("CreateRole", "AccessDenied");
    let mut journal = Journal::new(answers(), Some("123456789012".into()));
    let mut seen = Vec::new();
    let err = apply_from(
        &fake,
        &plan,
        0,
        Some(&mut Journaled::new(&store, &mut journal)),
        |p| seen.push(p),
    )
    .await
    .expect_err("denied");
    assert_eq!(err.code(), "AccessDenied");
    let kept = store.load().expect("kept for the next run");
    assert_eq!(kept.finished, ["create OIDC provider https://gitlab.com"]);
    assert_eq!(kept.answers, answers());
    assert_eq!(
        seen.len(),
        4,
        "started, finished, started, failed: {seen:?}"
    );

    // The next run continues from the failed step with the same journal.
    let mut journal = kept;
    apply_from(
        &fake,
        &plan,
        1,
        Some(&mut Journaled::new(&store, &mut journal)),
        |_| {},
    )
    .await
    .expect("finished");
    assert!(store.load().is_none());
}

#[tokio::test]
async fn a_plan_with_nothing_to_do_writes_no_journal() {
    let (_dir, store) = temp_store();
    let fake = FakeAws::new();
    let setup = answers().validate().expect("valid");
    let plan = crate::engine::plan(&fake, &setup).await.expect("plan");
    crate::engine::apply(&fake, &plan, |_| {})
        .await
        .expect("applied");
    let again = crate::engine::plan(&fake, &setup).await.expect("plan");
    assert!(again.actions().is_empty());
    let before = fake.calls().total();
    let mut journal = Journal::new(answers(), None);
    apply_from(
        &fake,
        &again,
        0,
        Some(&mut Journaled::new(&store, &mut journal)),
        |_| {},
    )
    .await
    .expect("nothing to do");
    assert!(store.load().is_none());
    assert_eq!(fake.calls().total(), before, "no AWS call either");
}

fn self_managed(thumbprints: &[&str]) -> Setup {
    SetupInput {
        provider_url: Some("https://git.example.com".into()),
        thumbprints: thumbprints.iter().map(|t| t.to_string()).collect(),
        ..answers()
    }
    .validate()
    .expect("valid")
}

fn report(passed: bool, private_ca_thumbprint: Option<&str>) -> Report {
    Report {
        url: "https://git.example.com".into(),
        checks: vec![Check {
            name: "issuer",
            passed,
            detail: String::new(),
        }],
        tls: private_ca_thumbprint.map(|t| TlsReport {
            public_ca: false,
            verify_error: Some("UnknownIssuer".into()),
            presented: 1,
            thumbprint: t.into(),
        }),
    }
}

const PRINT: &str = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280";
const OTHER: &str = "0000000000000000000000000000000000000000";

#[test]
fn the_preflight_is_wanted_for_self_managed_instances_only() {
    let gitlab_com = answers().validate().expect("valid");
    assert_eq!(wanted(&gitlab_com, Thumbprint::Auto, false), Ok(false));
    assert_eq!(
        wanted(&self_managed(&[]), Thumbprint::Given, false),
        Ok(true)
    );
    assert_eq!(
        wanted(&self_managed(&[]), Thumbprint::Given, true),
        Ok(false)
    );
    assert!(matches!(
        wanted(&self_managed(&[]), Thumbprint::Auto, true),
        Err(GateError::AutoWithoutPreflight { .. })
    ));
}

#[test]
fn the_gate_settles_the_thumbprint_or_says_why_not() {
    let auto = gate(
        self_managed(&[]),
        Some(&report(true, Some(PRINT))),
        Thumbprint::Auto,
    )
    .expect("passes");
    assert_eq!(auto.thumbprints, [PRINT]);
    let given = gate(
        self_managed(&[PRINT]),
        Some(&report(true, Some(PRINT))),
        Thumbprint::Given,
    )
    .expect("the right one");
    assert_eq!(given.thumbprints, [PRINT]);
    assert_eq!(
        gate(
            self_managed(&[OTHER]),
            Some(&report(true, Some(PRINT))),
            Thumbprint::Given
        ),
        Err(GateError::ThumbprintNeeded {
            url: "https://git.example.com".into(),
            needed: PRINT.into()
        })
    );
    assert!(matches!(
        gate(
            self_managed(&[]),
            Some(&report(false, None)),
            Thumbprint::Auto
        ),
        Err(GateError::Failed { .. })
    ));
    // A public CA needs no thumbprint; none wanted: the setup goes through as it is.
    let public = gate(
        self_managed(&[]),
        Some(&report(true, None)),
        Thumbprint::Auto,
    )
    .expect("passes");
    assert!(public.thumbprints.is_empty());
    assert_eq!(
        gate(self_managed(&[OTHER]), None, Thumbprint::Given),
        Ok(self_managed(&[OTHER]))
    );
}

#[test]
fn variables_go_on_named_projects_only() {
    assert_eq!(
        named_projects(&["acme/web", "acme/*", "acme/api"]),
        ["acme/web", "acme/api"]
    );
}

#[test]
fn each_stored_variable_is_one_line_in_words() {
    let on = |stored| StoredOn {
        owner: Owner::Project("acme/web".into()),
        stored,
    };
    let arn = "arn:aws:iam::123456789012:role/web";
    assert_eq!(
        on(Stored::Unchanged).line("ROLE_ARN"),
        "= GitLab variable ROLE_ARN on project acme/web: unchanged"
    );
    let differs = on(Stored::Differs {
        from: "arn:aws:iam::123456789012:role/old".into(),
    });
    assert!(differs.line("ROLE_ARN").starts_with("? "));
    assert_eq!(
        differs.difference("ROLE_ARN", arn).as_deref(),
        Some(
            "GitLab variable ROLE_ARN on project acme/web is \"arn:aws:iam::123456789012:role/old\"; it would become \"arn:aws:iam::123456789012:role/web\""
        )
    );
    assert_eq!(on(Stored::Unchanged).difference("ROLE_ARN", arn), None);
}

#[test]
fn claims_that_cannot_be_read_say_why() {
    use super::claims::{ClaimsError, ClaimsSource, read_claims};
    let missing = read_claims(&ClaimsSource::File("/nonexistent/claims.json".into()));
    assert!(matches!(missing, Err(ClaimsError::Unreadable { .. })));
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("claims.json");
    std::fs::write(&path, "not json").expect("write");
    assert!(matches!(
        read_claims(&ClaimsSource::File(path)),
        Err(ClaimsError::NotClaims { .. })
    ));
    let err = read_claims(&ClaimsSource::Token("abc".into())).expect_err("not a JWT");
    assert_eq!(
        format!("{:?}", ClaimsSource::Token("eyJ.secret.sig".into())),
        "Token([redacted])"
    );
    assert!(err.to_string().starts_with("the token "), "{err}");
}

#[tokio::test]
async fn a_journal_that_cannot_be_written_is_said_and_the_setup_goes_on() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let blocker = dir.path().join("a-file");
    std::fs::write(&blocker, "").expect("write");
    let store = Store::at(blocker.join("journal.json"));
    let fake = FakeAws::new();
    let setup = answers().validate().expect("valid");
    let plan = crate::engine::plan(&fake, &setup).await.expect("plan");
    let mut journal = Journal::new(answers(), None);
    let mut journaled = Journaled::new(&store, &mut journal);
    let outcome = apply_from(&fake, &plan, 0, Some(&mut journaled), |_| {})
        .await
        .expect("applied without a journal");
    assert_eq!(outcome.role_arn, "arn:aws:iam::123456789012:role/web");
    assert!(journaled.unsaved().is_some());
}

/// Namespace ids are gitlab.com's: another GitLab named for other work is not asked, and its token
/// never goes to gitlab.com; gitlab.com itself, or a local GitLab standing in for it, is asked
/// with the token.
#[test]
fn a_token_for_another_gitlab_never_goes_to_gitlab_com() {
    use crate::flow::gitlab::lookup_target;
    use crate::gitlab::Token;
    let token = Token::new("glpat-x");
    let com = "https://gitlab.com";
    assert_eq!(
        lookup_target(None, com, token.clone()),
        (com.into(), token.clone())
    );
    assert_eq!(
        lookup_target(Some("https://gitlab.com/"), com, token.clone()),
        (com.into(), token.clone())
    );
    let local = "http://127.0.0.1:9999";
    assert_eq!(
        lookup_target(Some(local), com, token.clone()),
        (local.into(), token.clone())
    );
    for other in [
        "https://gitlab.example.com",
        "https://gitlab.com.example.com",
        "http://127.0.0.1.example.com",
        "gitlab.example.com",
        "",
    ] {
        assert_eq!(
            lookup_target(Some(other), com, token.clone()),
            (com.into(), None),
            "{other}"
        );
    }
}
