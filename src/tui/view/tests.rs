//! Rendering snapshots of every screen in its normal, loading and error states, at 80×24 and
//! 120×40, on ratatui's `TestBackend` (account ids and ARNs are the fixed ones of the fake).

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::draw;
use crate::aws::OidcProvider;
use crate::aws::fake::FakeAws;
use crate::engine::Done;
use crate::tui::app::tests::{key, on_trust, policy_list, send, typed, with_account};
use crate::tui::app::{App, Effect, ErrorView, Msg, Screen};
use crate::tui::theme::Theme;

fn render(app: &App, w: u16, h: u16) -> TestBackend {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| draw(f, app, &Theme::plain())).unwrap();
    terminal.backend().clone()
}

fn err(code: &str, message: &str, hint: &str) -> ErrorView {
    ErrorView {
        kind: crate::tui::app::ErrorKind::Other,
        code: code.into(),
        message: message.into(),
        hint: hint.into(),
    }
}

fn ctrl_u() -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL))
}

fn next(app: &mut App) -> Vec<Effect> {
    app.focus = app.elements().len() - 1;
    send(app, [key(KeyCode::Enter)])
}

fn on_provider() -> App {
    let mut app = with_account();
    send(&mut app, [key(KeyCode::Enter)]);
    app
}

fn on_permissions() -> App {
    let mut app = on_trust();
    next(&mut app);
    assert_eq!(app.screen, Screen::Permissions);
    app
}

fn on_role() -> App {
    let mut app = on_permissions();
    send(
        &mut app,
        [Msg::Policies {
            attempt: 1,
            result: Ok(policy_list()),
        }],
    );
    app.permissions
        .selected
        .insert("arn:aws:iam::aws:policy/ReadOnlyAccess".into());
    next(&mut app);
    assert_eq!(app.screen, Screen::Role);
    // The name is free (asked on entering Permissions).
    send(
        &mut app,
        [Msg::RoleLookup {
            attempt: 1,
            result: Ok(None),
        }],
    );
    app
}

const OWN_POLICY: &str = "arn:aws:iam::123456789012:policy/ci-deploy";
const READ_ONLY: &str = "arn:aws:iam::aws:policy/ReadOnlyAccess";

/// A re-run for a role that exists with ReadOnlyAccess and the account's own ci-deploy attached:
/// both ticked by the wizard, then ReadOnlyAccess unticked (to be detached).
fn permissions_of_an_existing_role() -> App {
    let mut app = on_permissions();
    let mut list = policy_list();
    list.push(crate::aws::ManagedPolicy {
        arn: OWN_POLICY.into(),
        name: "ci-deploy".into(),
        attachable: true,
    });
    let attached = [("ReadOnlyAccess", READ_ONLY), ("ci-deploy", OWN_POLICY)]
        .map(|(name, arn)| crate::aws::AttachedPolicy {
            name: name.into(),
            arn: arn.into(),
        })
        .to_vec();
    send(
        &mut app,
        [
            Msg::Policies {
                attempt: 1,
                result: Ok(list),
            },
            Msg::RoleLookup {
                attempt: 1,
                result: Ok(Some(crate::tui::app::ExistingRole {
                    name: "gitlab-acme-web".into(),
                    path: "/".into(),
                    ours: true,
                    attached,
                })),
            },
        ],
    );
    typed(&mut app, "ReadOnlyAccess");
    send(&mut app, [key(KeyCode::Enter)]);
    app
}

/// Review of that role, whose trust policy names another project today.
fn review_of_an_existing_role(mut app: App) -> App {
    next(&mut app);
    assert_eq!(app.screen, Screen::Role);
    next(&mut app);
    assert_eq!(app.screen, Screen::Review);
    let aws = FakeAws::new();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    {
        let mut s = aws.state.lock().unwrap();
        s.policies.insert(
            OWN_POLICY.into(),
            crate::aws::ManagedPolicy {
                arn: OWN_POLICY.into(),
                name: "ci-deploy".into(),
                attachable: true,
            },
        );
    }
    let mut old = app.setup_input();
    old.projects = vec!["acme/old".into()];
    old.detach_policies.clear();
    let old = old.validate().unwrap();
    rt.block_on(async {
        let plan = crate::engine::plan(&aws, &old).await.unwrap();
        crate::engine::apply(&aws, &plan, |_| {}).await.unwrap();
        use crate::aws::Aws as _;
        for arn in [READ_ONLY, OWN_POLICY] {
            aws.attach_policy("gitlab-acme-web", arn).await.unwrap();
        }
    });
    let setup = app.setup_input().validate().unwrap();
    let plan = rt.block_on(crate::engine::plan(&aws, &setup)).unwrap();
    let attempt = 1;
    send(
        &mut app,
        [Msg::Planned {
            attempt,
            result: Ok(Box::new(plan)),
        }],
    );
    app
}

fn plan_for(app: &App) -> Box<crate::engine::Plan> {
    let setup = app.setup_input().validate().unwrap();
    let aws = FakeAws::new();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    Box::new(rt.block_on(crate::engine::plan(&aws, &setup)).unwrap())
}

fn on_review() -> App {
    let mut app = on_role();
    next(&mut app);
    assert_eq!(app.screen, Screen::Review);
    app
}

fn reviewed() -> App {
    let mut app = on_review();
    let plan = plan_for(&app);
    send(
        &mut app,
        [Msg::Planned {
            attempt: 1,
            result: Ok(plan),
        }],
    );
    app
}

fn applying() -> App {
    let mut app = reviewed();
    send(
        &mut app,
        [
            key(KeyCode::Enter),
            key(KeyCode::Right),
            key(KeyCode::Enter),
        ],
    );
    send(
        &mut app,
        [
            Msg::ActionStarted {
                attempt: 1,
                index: 0,
            },
            Msg::ActionFinished {
                attempt: 1,
                index: 0,
                result: Ok(Done::Created),
            },
            Msg::ActionStarted {
                attempt: 1,
                index: 1,
            },
        ],
    );
    app
}

/// Every state worth a picture, by name.
fn states() -> Vec<(&'static str, App)> {
    let mut v = Vec::new();

    let mut loading = App::new(None, None);
    loading.start();
    v.push(("account_loading", loading));
    v.push(("account_loaded", with_account()));
    let mut setups = with_account();
    let attempt = setups.account.setups.start();
    setups.account.setups.accept(
        attempt,
        Ok(vec![
            crate::setups::SetupSummary {
                role: "gitlab-acme-api".into(),
                arn: "arn:aws:iam::123456789012:role/gitlab-acme-api".into(),
                trusts: vec!["acme/api: main, tag v*".into()],
            },
            crate::setups::SetupSummary {
                role: "gitlab-acme-web".into(),
                arn: "arn:aws:iam::123456789012:role/gitlab-acme-web".into(),
                trusts: vec!["acme/web: main".into()],
            },
        ]),
    );
    v.push(("account_setups", setups.clone()));
    setups.focus = 4;
    setups.account.setups_cursor = 1;
    v.push(("account_setups_picking", setups));
    let mut demo = with_account();
    demo.demo = true;
    v.push(("account_demo", demo));
    let mut profiles = with_account();
    send(
        &mut profiles,
        [Msg::Profiles(vec![
            "default".into(),
            "dev".into(),
            "prod-sso".into(),
        ])],
    );
    profiles.focus = 1;
    typed(&mut profiles, "eu-west");
    v.push(("account_profiles_and_bad_region", profiles));
    let mut failed = App::new(Some("dev"), None);
    failed.start();
    send(
        &mut failed,
        [Msg::Identity {
            attempt: 1,
            result: Err(ErrorView::from(&crate::engine::EngineError::Aws {
                step: crate::engine::Step::Identity,
                error: crate::aws::AwsError::new(
                    "GetCallerIdentity",
                    crate::aws::ErrorKind::Credentials(
                        "no AWS credentials were found for profile 'dev'".into(),
                    ),
                ),
            })),
        }],
    );
    v.push(("account_error", failed));
    let mut resume = with_account();
    let mut journal = crate::journal::Journal::new(
        crate::plan::SetupInput {
            projects: vec!["acme/web".into()],
            role_name: Some("gitlab-acme-web".into()),
            ..Default::default()
        },
        Some("123456789012".into()),
    );
    journal
        .finished
        .push("create OIDC provider https://gitlab.com".into());
    resume.offer_resume(journal);
    v.push(("account_resume_offer", resume));

    v.push(("provider_loading", on_provider()));
    let mut create = on_provider();
    send(
        &mut create,
        [Msg::ProviderLookup {
            attempt: 1,
            result: Ok(None),
        }],
    );
    v.push(("provider_will_create", create));
    let mut add = on_provider();
    let existing = OidcProvider {
        arn: "arn:aws:iam::123456789012:oidc-provider/gitlab.com".into(),
        url: "gitlab.com".into(),
        client_ids: vec!["sts.amazonaws.com".into()],
        thumbprints: vec![],
        tags: vec![],
    };
    send(
        &mut add,
        [Msg::ProviderLookup {
            attempt: 1,
            result: Ok(Some(existing)),
        }],
    );
    v.push(("provider_will_add_audience", add));
    let mut bad = on_provider();
    bad.focus = 0;
    send(&mut bad, [key(KeyCode::Right), key(KeyCode::Tab)]);
    typed(&mut bad, "git.example.com:8443");
    v.push(("provider_error", bad));
    let mut self_managed = on_provider();
    self_managed.focus = 0;
    send(&mut self_managed, [key(KeyCode::Right), key(KeyCode::Tab)]);
    typed(&mut self_managed, "git.example.com");
    let effects = send(&mut self_managed, (0..6).map(|_| Msg::Tick));
    let attempt = effects
        .iter()
        .find_map(|e| match e {
            Effect::Preflight { attempt, .. } => Some(*attempt),
            _ => None,
        })
        .expect("a pre-flight");
    let lookup = effects
        .iter()
        .find_map(|e| match e {
            Effect::LookupProvider { attempt, .. } => Some(*attempt),
            _ => None,
        })
        .expect("a provider lookup");
    send(
        &mut self_managed,
        [Msg::ProviderLookup {
            attempt: lookup,
            result: Ok(None),
        }],
    );
    let report = crate::preflight::Report {
        url: "https://git.example.com".into(),
        checks: vec![
            crate::verdict::Check { name: "tls", passed: true, detail: "the chain is not signed by a public CA (invalid peer certificate: UnknownIssuer): IAM needs the thumbprint 9e99a48a9960b14926bb7f3b02e22da2b0ab7280".into() },
            crate::verdict::Check { name: "issuer", passed: false, detail: "the discovery document says issuer \"https://git.example.com/\", not \"https://git.example.com\"".into() },
        ],
        tls: None,
    };
    send(
        &mut self_managed,
        [Msg::Preflighted {
            attempt,
            report: Box::new(report),
        }],
    );
    v.push(("provider_self_managed_preflight", self_managed));

    let mut trust = on_trust();
    trust.focus = 2;
    send(&mut trust, [ctrl_u()]);
    typed(&mut trust, "main, release/*");
    v.push(("trust_patterns", trust.clone()));
    let mut quitting = trust;
    quitting.focus = quitting.elements().len() - 1;
    send(&mut quitting, [key(KeyCode::Char('q'))]);
    v.push(("trust_quit_keeps_draft", quitting));
    let mut asks_token = on_trust();
    send(
        &mut asks_token,
        [Msg::Key(ratatui::crossterm::event::KeyEvent::new(
            KeyCode::Char('l'),
            ratatui::crossterm::event::KeyModifiers::CONTROL,
        ))],
    );
    v.push(("trust_token_for_lookup", asks_token));
    let mut trust_bad = on_trust();
    send(&mut trust_bad, [ctrl_u()]);
    typed(&mut trust_bad, "*/*");
    v.push(("trust_error", trust_bad));

    v.push(("permissions_loading", on_permissions()));
    let mut perms = on_permissions();
    send(
        &mut perms,
        [Msg::Policies {
            attempt: 1,
            result: Ok(policy_list()),
        }],
    );
    typed(&mut perms, "read");
    send(&mut perms, [key(KeyCode::Tab), key(KeyCode::Char(' '))]);
    v.push(("permissions_loaded", perms.clone()));
    let mut help = perms.clone();
    send(&mut help, [key(KeyCode::Char('?'))]);
    v.push(("permissions_help", help));
    let mut admin = perms;
    send(&mut admin, [key(KeyCode::Char('g'))]);
    send(&mut admin, (0..3).map(|_| key(KeyCode::Char('j'))));
    let mut admin_all = admin.clone();
    // Clear the filter to reach AdministratorAccess.
    admin_all.focus = 0;
    send(&mut admin_all, [ctrl_u()]);
    typed(&mut admin_all, "admin");
    send(&mut admin_all, [key(KeyCode::Tab), key(KeyCode::Char(' '))]);
    v.push(("permissions_admin_confirm", admin_all));
    let mut perms_err = on_permissions();
    send(
        &mut perms_err,
        [Msg::Policies {
            attempt: 1,
            result: Err(err(
                "AccessDenied",
                "ListPolicies failed: AccessDenied",
                "allow iam:ListPolicies",
            )),
        }],
    );
    v.push(("permissions_error", perms_err));
    let rerun = permissions_of_an_existing_role();
    v.push(("permissions_rerun_detach", rerun.clone()));

    v.push(("role", on_role()));
    let mut role_bad = on_role();
    role_bad.focus = 0;
    typed(&mut role_bad, " and more");
    v.push(("role_error", role_bad));
    let mut taken = on_role();
    send(
        &mut taken,
        [Msg::RoleLookup {
            attempt: 1,
            result: Ok(Some(crate::tui::app::ExistingRole {
                name: "gitlab-acme-web".into(),
                path: "/ci/".into(),
                ours: false,
                attached: vec![],
            })),
        }],
    );
    v.push(("role_exists_elsewhere", taken));

    v.push(("review_changed_role", review_of_an_existing_role(rerun)));
    v.push(("review_loading", on_review()));
    v.push(("review_loaded", reviewed()));
    let mut asked = reviewed();
    send(&mut asked, [key(KeyCode::Enter)]);
    v.push(("review_apply_confirm", asked));
    let mut review_err = on_review();
    send(
        &mut review_err,
        [Msg::Planned {
            attempt: 1,
            result: Err(err(
                "Error",
                "step \"permissions\": policy NoSuchPolicy does not exist",
                "check the name; AWS managed policy names are case-sensitive",
            )),
        }],
    );
    v.push(("review_error", review_err));

    v.push(("apply_running", applying()));
    let mut slow = applying();
    send(&mut slow, (0..123).map(|_| Msg::Tick));
    send(
        &mut slow,
        [Msg::ActionSent {
            attempt: 1,
            index: 1,
            sent: 3,
        }],
    );
    v.push(("apply_slow_retrying", slow.clone()));
    send(&mut slow, [key(KeyCode::Esc)]);
    send(&mut slow, [Msg::ApplyCancelled { attempt: 1 }]);
    v.push(("apply_cancelled", slow));
    let mut apply_failed = applying();
    send(
        &mut apply_failed,
        [Msg::ActionFinished {
            attempt: 1,
            index: 1,
            result: Err(err(
                "AccessDenied",
                "CreateRole failed: AccessDenied: User is not authorized to perform iam:CreateRole",
                "the caller is not allowed iam:CreateRole; use a profile that is, or ask for that permission",
            )),
        }],
    );
    v.push(("apply_failed", apply_failed));

    let mut done = applying();
    send(
        &mut done,
        [
            Msg::ActionFinished {
                attempt: 1,
                index: 1,
                result: Ok(Done::Created),
            },
            Msg::ActionFinished {
                attempt: 1,
                index: 2,
                result: Ok(Done::Attached),
            },
        ],
    );
    assert_eq!(done.screen, Screen::Done);
    send(
        &mut done,
        [Msg::Calls {
            total: 8,
            mutating: 3,
        }],
    );
    v.push(("done", done.clone()));
    let mut export = done.clone();
    send(&mut export, [key(KeyCode::Char('x'))]);
    v.push(("done_export_dialog", export));
    send(
        &mut done,
        [Msg::Copied {
            what: "the role ARN",
            result: Ok(crate::tui::clipboard::Copied {
                sure: false,
                how: "sent with OSC 52: your terminal copies it if it supports that".into(),
            }),
        }],
    );
    v.push(("done_copied", done.clone()));
    send(
        &mut done,
        [Msg::Copied {
            what: "the CI job",
            result: Ok(crate::tui::clipboard::Copied {
                sure: true,
                how: "with xclip (and OSC 52)".into(),
            }),
        }],
    );
    v.push(("done_copied_job", done));

    // The longest ARN IAM allows on a narrow screen: broken after a separator, never cut.
    let mut long = on_role();
    long.role.name.set(&"a".repeat(64));
    long.role.path.set("/gitlab/platform/ci/");
    next(&mut long);
    let plan = plan_for(&long);
    send(
        &mut long,
        [Msg::Planned {
            attempt: 1,
            result: Ok(plan),
        }],
    );
    send(
        &mut long,
        [
            key(KeyCode::Char('a')),
            key(KeyCode::Right),
            key(KeyCode::Enter),
        ],
    );
    crate::tui::app::tests::finish_all(&mut long);
    v.push(("done_long_arn", long));
    v.extend(task_states());
    v
}

fn on_task(task: crate::tui::app::Task) -> App {
    let mut app = with_account();
    app.task = task;
    let effects = next(&mut app);
    // Explain and Remove list the account's GitLab roles to pick from.
    for e in effects {
        if let Effect::ListGitLabRoles { attempt } = e {
            send(
                &mut app,
                [Msg::GitLabRoles {
                    attempt,
                    result: Ok(vec!["gitlab-acme-api".into(), "gitlab-acme-web".into()]),
                }],
            );
        }
    }
    app
}

fn task_states() -> Vec<(&'static str, App)> {
    use crate::tui::app::Task;
    let mut v = Vec::new();
    v.push(("check_loading", on_task(Task::Check)));
    let mut checked = on_task(Task::Check);
    let role = crate::aws::Role {
        arn: "arn:aws:iam::123456789012:role/api".into(),
        name: "api".into(),
        path: "/".into(),
        trust_policy: serde_json::json!({"Statement": [{"Effect": "Allow",
            "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/gitlab.com"},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {"gitlab.com:aud": "https://gitlab.com"}}}]}),
        trust_ambiguity: Default::default(),
        description: None,
        max_session_duration: 3600,
        permissions_boundary: None,
        tags: vec![],
    };
    let findings = crate::check::audit(
        &role,
        &std::collections::BTreeMap::from([(
            "arn:aws:iam::123456789012:oidc-provider/gitlab.com".to_string(),
            None,
        )]),
        &[],
        0,
    );
    let report = crate::check::RoleReport {
        role: "api".into(),
        arn: role.arn.clone(),
        provider: Some("arn:aws:iam::123456789012:oidc-provider/gitlab.com".into()),
        findings,
        source: None,
    };
    send(
        &mut checked,
        [Msg::Checked {
            attempt: 1,
            result: Ok(vec![report]),
        }],
    );
    v.push(("check_findings", checked));
    let mut check_err = on_task(Task::Check);
    send(
        &mut check_err,
        [Msg::Checked {
            attempt: 1,
            result: Err(err(
                "AccessDenied",
                "ListRoles failed: AccessDenied",
                "allow iam:ListRoles",
            )),
        }],
    );
    v.push(("check_error", check_err));

    let mut explain = on_task(Task::Explain);
    explain.focus = 0;
    typed(&mut explain, "web");
    explain.focus = 2;
    typed(&mut explain, "eyJhbGciOi.secret.sig");
    v.push(("explain_form", explain.clone()));
    let claims = serde_json::json!({"iss": "https://gitlab.com", "aud": "https://gitlab.com", "exp": 1_900_000_000u64,
        "sub": "project_path:acme/web:ref_type:branch:ref:feature"});
    let provider = OidcProvider {
        arn: "arn:aws:iam::123456789012:oidc-provider/gitlab.com".into(),
        url: "gitlab.com".into(),
        client_ids: vec!["https://gitlab.com".into()],
        thumbprints: vec![],
        tags: vec![],
    };
    let trust = serde_json::json!({"Statement": [{"Effect": "Allow", "Principal": {"Federated": provider.arn},
        "Action": "sts:AssumeRoleWithWebIdentity", "Condition": {"StringEquals": {
        "gitlab.com:aud": "https://gitlab.com", "gitlab.com:sub": "project_path:acme/web:ref_type:branch:ref:main"}}}]});
    let explanation = crate::explain::explain(
        "web",
        &trust,
        Some(&provider),
        claims.as_object().unwrap(),
        1_800_000_000,
    );
    let mut explained = explain.clone();
    explained.focus = 3;
    let effects = send(&mut explained, [key(KeyCode::Enter)]);
    assert!(matches!(effects[..], [Effect::Explain { .. }]));
    send(
        &mut explained,
        [Msg::Explained {
            attempt: 1,
            result: Ok(Box::new(explanation)),
        }],
    );
    v.push(("explain_refused", explained));
    let mut explain_err = explain;
    explain_err.focus = 3;
    send(&mut explain_err, [key(KeyCode::Enter)]);
    send(
        &mut explain_err,
        [Msg::Explained {
            attempt: 1,
            result: Err(ErrorView::from(&crate::engine::EngineError::RoleNotFound {
                name: "web".into(),
            })),
        }],
    );
    v.push(("explain_error", explain_err));

    let mut remove = on_task(Task::Remove);
    remove.focus = 0;
    typed(&mut remove, "web");
    remove.focus = 1;
    send(&mut remove, [key(KeyCode::Enter)]);
    let plan = crate::destroy::DestroyPlan {
        leave_profiles: vec![],
        role: "web".into(),
        role_arn: "arn:aws:iam::123456789012:role/web".into(),
        detach: vec![crate::aws::AttachedPolicy {
            name: "ReadOnlyAccess".into(),
            arn: "arn:aws:iam::aws:policy/ReadOnlyAccess".into(),
        }],
        provider: crate::destroy::ProviderFate::KeepShared {
            arn: provider.arn.clone(),
            roles: vec!["api".into()],
        },
    };
    send(
        &mut remove,
        [Msg::RemovePlanned {
            attempt: 1,
            result: Ok(Some(plan)),
        }],
    );
    v.push(("remove_plan", remove.clone()));
    send(&mut remove, [key(KeyCode::Enter)]);
    v.push(("remove_confirm", remove.clone()));
    let name = remove.target_role.value.clone();
    crate::tui::app::tests::typed(&mut remove, &name);
    send(&mut remove, [key(KeyCode::Right)]);
    v.push(("remove_confirm_typed", remove.clone()));
    send(&mut remove, [key(KeyCode::Enter)]);
    send(
        &mut remove,
        [Msg::Removed {
            attempt: 1,
            result: Ok(vec![
                "✓ detached arn:aws:iam::aws:policy/ReadOnlyAccess".into(),
                "✓ deleted role arn:aws:iam::123456789012:role/web".into(),
            ]),
        }],
    );
    v.push(("remove_done", remove));
    let mut remove_err = on_task(Task::Remove);
    remove_err.focus = 0;
    typed(&mut remove_err, "theirs");
    remove_err.focus = 1;
    send(&mut remove_err, [key(KeyCode::Enter)]);
    send(
        &mut remove_err,
        [Msg::RemovePlanned {
            attempt: 1,
            result: Err(ErrorView::from(&crate::engine::EngineError::NotOurs {
                name: "theirs".into(),
            })),
        }],
    );
    v.push(("remove_error", remove_err));
    let mut in_profile = on_task(Task::Remove);
    in_profile.focus = 0;
    typed(&mut in_profile, "web");
    in_profile.focus = 1;
    send(&mut in_profile, [key(KeyCode::Enter)]);
    send(
        &mut in_profile,
        [Msg::RemovePlanned {
            attempt: 1,
            result: Err(ErrorView::from(
                &crate::engine::EngineError::InInstanceProfiles {
                    name: "web".into(),
                    profiles: vec!["ec2-web".into()],
                },
            )),
        }],
    );
    send(&mut in_profile, [key(KeyCode::Char('f'))]);
    v.push(("remove_in_instance_profile_asks", in_profile));

    // The accounts of organizational units, on the demo's Organization: the unit list, the
    // plan, the dialog, and Apply as the rollout ends with one account failed.
    let aws = crate::aws::demo::account();
    let org = crate::tui::app::tests::units::org();
    let mut units = crate::tui::app::tests::units::on_review(&aws, Some(org.clone()));
    let effects = send(&mut units, [key(KeyCode::Char('t'))]);
    let [Effect::ListUnits { attempt }] = effects[..] else {
        panic!("{effects:?}");
    };
    let list = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(crate::rollout::units(&aws))
        .unwrap();
    send(
        &mut units,
        [
            Msg::UnitsListed {
                attempt,
                result: Ok(list),
            },
            key(KeyCode::Down),
            key(KeyCode::Char(' ')),
        ],
    );
    v.push(("review_unit_list", units.clone()));
    let mut units = crate::tui::app::tests::units::on_review(&aws, Some(org));
    crate::tui::app::tests::units::choose_units(&mut units, &aws, &[1]);
    v.push(("review_units_plan", units.clone()));
    send(&mut units, [key(KeyCode::Char('a'))]);
    v.push(("review_units_confirm", units.clone()));
    let effects = send(&mut units, [key(KeyCode::Right), key(KeyCode::Enter)]);
    let [Effect::Rollout { attempt, .. }] = effects[..] else {
        panic!("{effects:?}");
    };
    v.push(("apply_rollout_waiting", units.clone()));
    send(
        &mut units,
        [Msg::RolloutProgress {
            attempt,
            progress: crate::rollout::Progress::Started {
                action: "CREATE".into(),
                id: "op-1".into(),
                accounts: vec!["210000000001".into(), "210000000002".into()],
            },
        }],
    );
    let done = crate::rollout::RolloutResult {
        stack_set: "aws-oidc-wizard-gitlab-acme-web".into(),
        operations: vec![],
        accounts: vec![
            crate::rollout::AccountResult {
                account: "210000000001".into(),
                name: "acme-prod".into(),
                status: "failed".into(),
                role_arn: None,
                reason: Some("Role with name gitlab-acme-web already exists.".into()),
            },
            crate::rollout::AccountResult {
                account: "210000000002".into(),
                name: "acme-staging".into(),
                status: "current".into(),
                role_arn: Some("arn:aws:iam::210000000002:role/gitlab-acme-web".into()),
                reason: None,
            },
        ],
    };
    send(
        &mut units,
        [Msg::RolledOut {
            attempt,
            result: Ok(Box::new(done)),
        }],
    );
    v.push(("apply_rollout_ended", units));
    v
}

#[test]
fn every_screen_in_every_state_at_two_sizes() {
    let all = states();
    // The setup's screens and every task's: a new task's screen without a snapshot fails here.
    for screen in Screen::ALL
        .into_iter()
        .chain(crate::tui::app::Task::ALL.map(|t| t.screen()))
    {
        assert!(
            all.iter().any(|(_, a)| a.screen == screen),
            "{screen:?} has no snapshot"
        );
    }
    for (name, app) in &all {
        for (w, h) in [(80, 24), (120, 40)] {
            insta::assert_snapshot!(format!("{name}_{w}x{h}"), render(app, w, h));
        }
    }
}

#[test]
fn a_small_terminal_is_asked_to_grow() {
    let text = format!("{}", render(&with_account(), 60, 20));
    assert!(text.contains("enlarge it to at least 80×24"), "{text}");
    insta::assert_snapshot!("too_small_60x20", text);
}

#[test]
fn state_is_never_carried_by_colour_alone() {
    // With NO_COLOR (the plain theme), failures and successes still read from glyphs.
    let (_, failed) = states()
        .into_iter()
        .find(|(n, _)| *n == "apply_failed")
        .unwrap();
    let text = format!("{}", render(&failed, 120, 40));
    assert!(text.contains("✗") && text.contains("✓"));
}

/// Names from the account with characters a terminal acts on (here a reordering mark and a C1
/// control) are shown with those characters as visible escapes, never dropped: the screen names
/// what is there, not a look-alike.
#[test]
fn account_names_show_hidden_characters_as_escapes() {
    let mut app = with_account();
    crate::tui::app::tests::choose_task(&mut app, crate::tui::app::Task::Remove);
    let effects = send(&mut app, [key(KeyCode::Enter)]);
    let Some(Effect::ListGitLabRoles { attempt }) = effects.first() else {
        panic!("{effects:?}");
    };
    let attempt = *attempt;
    send(
        &mut app,
        [Msg::GitLabRoles {
            attempt,
            result: Ok(vec![
                "gitlab-bidi\u{202e}txt.exe".into(),
                "c1\u{9b}31m".into(),
            ]),
        }],
    );
    let screen: String = render(&app, 120, 40)
        .buffer()
        .content()
        .iter()
        .map(|c| c.symbol())
        .collect();
    assert!(screen.contains("gitlab-bidi\\u{202e}txt.exe"), "{screen}");
    assert!(screen.contains("c1\\u{9b}31m"), "{screen}");
}

/// After an apply that created the provider and failed at CreateRole, no screen or dialog says
/// that nothing was changed: Review, the failed Apply, each answer screen gone back to, and the
/// quit question all say what was done, from the journal.
#[test]
fn after_a_partial_apply_nothing_says_nothing_was_changed() {
    let mut app = applying();
    app.journal = Some(crate::journal::Journal::new(app.setup_input(), None));
    send(
        &mut app,
        [
            Msg::ActionFinished {
                attempt: 1,
                index: 0,
                result: Ok(crate::engine::Done::Created),
            },
            Msg::ActionFinished {
                attempt: 1,
                index: 1,
                result: Err(err("AccessDenied", "CreateRole failed", "")),
            },
        ],
    );
    assert_eq!(
        app.changed_so_far(),
        ["create OIDC provider https://gitlab.com"]
    );
    let said_nothing = |app: &App, place: &str| {
        for (w, h) in [(80, 24), (120, 40)] {
            let text = format!("{:?}", render(app, w, h)).to_lowercase();
            for lie in [
                "nothing has been",
                "nothing applied",
                "nothing changed",
                "nothing was changed",
            ] {
                assert!(!text.contains(lie), "{place} {w}×{h} says {lie:?}: {text}");
            }
        }
    };
    said_nothing(&app, "apply");
    let mut states = Vec::new();
    let mut back = app.clone();
    send(&mut back, [key(KeyCode::Esc)]);
    assert_eq!(back.screen, Screen::Review);
    let plan = plan_for(&back);
    let attempt = back.plan_attempt();
    send(
        &mut back,
        [Msg::Planned {
            attempt,
            result: Ok(plan),
        }],
    );
    states.push(("review", back.clone()));
    for _ in 0..4 {
        send(&mut back, [key(KeyCode::Esc)]);
        states.push(("an answer screen", back.clone()));
    }
    for (place, state) in states {
        said_nothing(&state, place);
        let mut quitting = state;
        quitting.focus = quitting.elements().len() - 1;
        send(
            &mut quitting,
            [Msg::Key(KeyEvent::new(
                KeyCode::Char('c'),
                KeyModifiers::CONTROL,
            ))],
        );
        assert!(quitting.confirm.is_some(), "{place}");
        said_nothing(&quitting, place);
    }
    assert!(
        matches!(app.end(), crate::tui::app::End::NotApplied(why) if why.contains("create OIDC provider"))
    );
}

/// Review shows every attribute Apply sets on a new role, not only its name: path, session
/// length, boundary, description and tag.
#[test]
fn review_lists_every_attribute_of_a_new_role() {
    let mut app = on_role();
    app.role.path.set("/ci/deploy/");
    app.role.max_session.set("7200");
    app.role.description.set("deploys acme/web");
    app.role
        .boundary
        .set("arn:aws:iam::aws:policy/ReadOnlyAccess");
    next(&mut app);
    let plan = plan_for(&app);
    let attempt = app.plan_attempt();
    send(
        &mut app,
        [Msg::Planned {
            attempt,
            result: Ok(plan),
        }],
    );
    let text = format!("{:?}", render(&app, 120, 40));
    for fact in [
        "path /ci/deploy/ · max session 7200 s",
        "boundary arn:aws:iam::aws:policy/ReadOnlyAccess",
        "description \"deploys acme/web\"",
        "tag managed-by=aws-oidc-wizard",
    ] {
        assert!(text.contains(fact), "{fact}: {text}");
    }
}

/// An empty required field says nothing before the person has been there: Who may assume opens
/// without "✗ required"; leaving Projects empty, or trying to go on, shows it.
#[test]
fn a_required_field_is_not_wrong_before_it_was_visited() {
    let mut app = on_provider();
    next(&mut app);
    assert_eq!(app.screen, Screen::Trust);
    let text = |app: &App| format!("{:?}", render(app, 80, 24));
    assert!(!text(&app).contains("✗ required"), "{}", text(&app));
    assert!(text(&app).contains("fill in Projects"), "{}", text(&app));
    send(&mut app, [key(KeyCode::Tab)]);
    assert!(text(&app).contains("✗ required"), "{}", text(&app));
    let mut tried = on_provider();
    next(&mut tried);
    next(&mut tried);
    assert_eq!(tried.screen, Screen::Trust);
    assert!(text(&tried).contains("✗ required"), "{}", text(&tried));
}

/// More setups than fit: the list shows a window around the highlighted one and says how many
/// are above and below, at 80×24.
#[test]
fn a_long_setups_list_keeps_the_highlighted_one_in_view() {
    let mut app = with_account();
    let attempt = app.account.setups.start();
    let list = (0..12)
        .map(|i| crate::setups::SetupSummary {
            role: format!("role-{i:02}"),
            arn: format!("arn:aws:iam::123456789012:role/role-{i:02}"),
            trusts: vec![format!("acme/p{i}: main")],
        })
        .collect();
    app.account.setups.accept(attempt, Ok(list));
    app.focus = 4;
    for cursor in [0, 5, 11] {
        app.account.setups_cursor = cursor;
        let text = format!("{:?}", render(&app, 80, 24));
        assert!(
            text.contains(&format!("› role-{cursor:02}")),
            "{cursor}: {text}"
        );
        assert!(text.contains("more"), "{cursor}: {text}");
    }
}

/// A dialog taller than the terminal keeps its question and its buttons: its middle is cut, and
/// it says so (found by an attack: a rollout's dialog pushed them off an 80×24 screen).
#[test]
fn a_long_dialog_keeps_its_question_and_buttons() {
    let mut app = with_account();
    app.confirm = Some(crate::tui::app::Confirm::Rollout {
        changes: (0..40)
            .map(|i| format!("2100000000{i:02} account-{i}: deploy"))
            .collect(),
        reasons: (0..6)
            .map(|i| format!("arn:aws:iam::aws:policy/Admin{i} is admin-level, and goes to every account of the units"))
            .collect(),
        plan: 1,
    });
    let text = format!("{}", render(&app, 80, 24));
    for want in [
        "Roll it out now?",
        "[›Cancel‹]",
        "[ Roll out ]",
        "more lines",
    ] {
        assert!(text.contains(want), "{want}:\n{text}");
    }
}
