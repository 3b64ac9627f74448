//! Done: the ARN handed out, copies, exports and the CI/CD variable.

use super::*;

#[test]
fn the_arn_is_handed_out_only_for_the_answers_on_screen() {
    let arn = "arn:aws:iam::123456789012:role/gitlab-acme-web";
    let mut app = done();
    assert_eq!(app.end(), End::Arn(arn.into()));
    assert!(app.applied_is_current());
    // Back from Done, the role renamed: that setup is not the answers any more.
    send(&mut app, [key(KeyCode::Esc), key(KeyCode::Esc)]);
    assert_eq!(app.screen, Screen::Role);
    app.focus = 0;
    typed(&mut app, "-v2");
    assert!(!app.applied_is_current(), "the step list drops its ✓");
    match app.end() {
        End::NotApplied(why) => assert!(why.contains(arn) && why.contains("not applied"), "{why}"),
        other => panic!("{other:?}"),
    }
    // Typed back as it was: the applied setup is the answers again.
    send(&mut app, (0..3).map(|_| key(KeyCode::Backspace)));
    assert_eq!(app.end(), End::Arn(arn.into()));
}

#[test]
fn quitting_during_an_apply_hands_out_nothing() {
    let (mut app, _) = applying();
    assert!(matches!(app.end(), End::NotApplied(_)));
    send(&mut app, [key(KeyCode::Char('q')), key(KeyCode::Char('y'))]);
    assert!(app.quit);
    assert!(matches!(app.end(), End::NotApplied(_)));
}

#[test]
fn a_first_screen_quit_has_nothing_to_hand_out() {
    assert_eq!(with_account().end(), End::Nothing);
}

#[test]
fn storing_the_arn_in_gitlab_from_done() {
    let (mut app, _) = applying();
    send(
        &mut app,
        [
            Msg::ActionFinished {
                attempt: 1,
                index: 0,
                result: Ok(Done::Created),
            },
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
    assert_eq!(app.screen, Screen::Done);
    // No token yet: the field gets the focus.
    assert!(send(&mut app, [key(KeyCode::Char('g'))]).is_empty());
    assert_eq!(app.focused(), Element::GitLabToken);
    typed(&mut app, "glpat-x");
    assert!(send(&mut app, [key(KeyCode::Enter)]).is_empty());
    assert!(
        matches!(&app.confirm, Some(Confirm::StoreVariable { key, host, projects })
            if key == "ROLE_ARN" && host == "https://gitlab.com" && projects == &["acme/web"]),
        "{:?}",
        app.confirm
    );
    let effects = press_go(&mut app);
    let [
        Effect::StoreVariable {
            attempt,
            spec,
            projects,
            arn,
            replace: false,
            token,
            url,
        },
    ] = &effects[..]
    else {
        panic!("{effects:?}");
    };
    assert_eq!(spec, &crate::flow::gitlab::VariableSpec::plain("ROLE_ARN"));
    assert_eq!(projects, &["acme/web".to_string()]);
    assert_eq!(arn, "arn:aws:iam::123456789012:role/gitlab-acme-web");
    assert_eq!(Some(token.clone()), crate::gitlab::Token::new("glpat-x"));
    assert!(
        !format!("{effects:?}").contains("glpat-x"),
        "the token never shows, even in a debug dump"
    );
    assert_eq!(url, "https://gitlab.com");
    let attempt = *attempt;
    send(
        &mut app,
        [Msg::Stored {
            attempt,
            result: Ok(vec![crate::flow::gitlab::StoredOn {
                owner: crate::gitlab::Owner::Project("acme/web".into()),
                stored: crate::gitlab::Stored::Differs {
                    from: "arn:aws:iam::123456789012:role/old".into(),
                },
            }]),
        }],
    );
    assert!(matches!(app.confirm, Some(Confirm::ReplaceVariable { .. })));
    assert!(typed(&mut app, "y\n").is_empty());
    send(
        &mut app,
        [Msg::Stored {
            attempt,
            result: Ok(vec![crate::flow::gitlab::StoredOn {
                owner: crate::gitlab::Owner::Project("acme/web".into()),
                stored: crate::gitlab::Stored::Differs {
                    from: "arn:aws:iam::123456789012:role/old".into(),
                },
            }]),
        }],
    );
    let effects = press_go(&mut app);
    assert!(
        matches!(&effects[..], [Effect::StoreVariable { replace: true, .. }]),
        "{effects:?}"
    );
}

/// Done's `x`: a format is chosen, the export is the setup's, and the file is written beside the
/// user's work without ever replacing a different file unasked.
#[test]
fn done_exports_the_setup_and_never_replaces_a_different_file_unasked() {
    use crate::tui::effects::write_export;
    let (mut app, _) = applying();
    finish_all(&mut app);
    assert_eq!(app.screen, Screen::Done);
    assert!(send(&mut app, [key(KeyCode::Char('x'))]).is_empty());
    assert_eq!(app.confirm, Some(Confirm::ExportFormat));
    // A stray key does nothing; Esc leaves.
    assert!(send(&mut app, [key(KeyCode::Char('q'))]).is_empty());
    assert_eq!(app.confirm, Some(Confirm::ExportFormat));
    // t chooses Terraform; writing even a new file is a dialog that opens on Cancel.
    assert!(send(&mut app, [key(KeyCode::Char('t'))]).is_empty());
    assert!(matches!(app.confirm, Some(Confirm::WriteExport { .. })));
    assert!(send(&mut app, [key(KeyCode::Enter)]).is_empty(), "Cancel");
    assert_eq!(app.confirm, None);
    send(&mut app, [key(KeyCode::Char('x')), key(KeyCode::Char('t'))]);
    let effects = send(&mut app, [key(KeyCode::Right), key(KeyCode::Enter)]);
    let [
        Effect::WriteExport {
            path,
            content,
            overwrite: false,
        },
    ] = &effects[..]
    else {
        panic!("{effects:?}");
    };
    assert_eq!(path, &std::path::PathBuf::from("gitlab-oidc.tf"));
    let setup = app.setup_input().validate().unwrap();
    assert_eq!(content, &crate::export::terraform(&setup).unwrap());

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("gitlab-oidc.tf");
    // New: written. Again: left as it is.
    assert!(
        matches!(write_export(&file, content.clone(), false), Msg::Exported(Ok(s)) if s.starts_with("wrote"))
    );
    assert!(
        matches!(write_export(&file, content.clone(), false), Msg::Exported(Ok(s)) if s.contains("unchanged"))
    );
    // The user's own file: asked about, kept on no, replaced only on yes.
    std::fs::write(&file, "# mine\n").unwrap();
    let asked = write_export(&file, content.clone(), false);
    assert!(matches!(asked, Msg::ExportExists { .. }), "{asked:?}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "# mine\n");
    send(&mut app, [asked]);
    assert!(matches!(app.confirm, Some(Confirm::OverwriteExport { .. })));
    assert!(
        send(&mut app, [key(KeyCode::Enter)]).is_empty(),
        "Enter keeps it"
    );
    assert_eq!(app.confirm, None);
    send(&mut app, [write_export(&file, content.clone(), false)]);
    assert!(typed(&mut app, "y").is_empty());
    let effects = press_go(&mut app);
    assert!(
        matches!(
            &effects[..],
            [Effect::WriteExport {
                overwrite: true,
                ..
            }]
        ),
        "{effects:?}"
    );
    assert!(matches!(
        write_export(&file, content.clone(), true),
        Msg::Exported(Ok(_))
    ));
    assert_eq!(&std::fs::read_to_string(&file).unwrap(), content);
    // CloudFormation by c.
    send(&mut app, [key(KeyCode::Char('x')), key(KeyCode::Char('c'))]);
    let effects = send(&mut app, [key(KeyCode::Right), key(KeyCode::Enter)]);
    assert!(
        matches!(&effects[..], [Effect::WriteExport { path, .. }] if path.ends_with("gitlab-oidc.yaml")),
        "{effects:?}"
    );
}

/// The job Done shows and copies runs only where the trust accepts its token: the rules of the
/// answers' refs, as `apply --write-ci-job` writes them.
#[test]
fn the_copied_ci_job_has_the_rules_of_the_answers() {
    let (mut app, _) = applying();
    finish_all(&mut app);
    let effects = send(&mut app, [key(KeyCode::Char('y'))]);
    let [Effect::Copy { what, text }] = &effects[..] else {
        panic!("{effects:?}");
    };
    assert_eq!(*what, "the CI job");
    let setup = app.setup_input().validate().unwrap();
    let expected = crate::ci_job::job_with_rules(
        crate::ci_job::CiStyle::TokenFile,
        setup.audience.as_str(),
        "ROLE_ARN",
        3600,
        &crate::ci_job::rules(&setup.refs, setup.ref_type, setup.ref_protected),
        // The region the wizard connected with.
        "eu-west-1",
    );
    assert_eq!(text, &expected);
    assert!(text.contains("AWS_DEFAULT_REGION: eu-west-1\n"), "{text}");
    assert!(
        text.contains(r#"- if: '$CI_COMMIT_BRANCH == "main"'"#),
        "{text}"
    );
}
