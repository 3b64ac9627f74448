//! Benchmarks of the wizard's heaviest work per keystroke: drawing the permissions screen with
//! ~1,300 policies and filtering them. Run with `cargo bench --bench tui`.

use std::hint::black_box;

use aws_oidc_wizard::aws::ManagedPolicy;
use aws_oidc_wizard::tui::app::{App, Msg, Screen, update};
use aws_oidc_wizard::tui::theme::Theme;
use aws_oidc_wizard::tui::view::draw;
use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// About as many AWS managed policies as AWS has, with realistic names.
fn policies() -> Vec<ManagedPolicy> {
    let services = [
        "AmazonS3",
        "AmazonEC2",
        "AmazonRDS",
        "AmazonDynamoDB",
        "AWSLambda",
        "AmazonECS",
        "AmazonEKS",
        "AWSCodeBuild",
        "AmazonSQS",
        "AmazonSNS",
        "CloudWatch",
        "AWSGlue",
        "AmazonRoute53",
        "AWSKeyManagementService",
        "SecretsManager",
        "AmazonSageMaker",
        "AWSCloudFormation",
        "AmazonAthena",
        "AmazonKinesis",
        "AWSBackup",
        "AmazonElastiCache",
        "AmazonVPC",
        "AWSCodeDeploy",
        "AWSCodePipeline",
        "AmazonECR",
        "AWSStepFunctions",
    ];
    let kinds = [
        "ReadOnlyAccess",
        "FullAccess",
        "PowerUser",
        "ServiceRolePolicy",
        "Policy",
        "ExecutionRole",
        "ConsoleAccess",
        "DeveloperAccess",
        "ManagementAccess",
        "DataAccess",
    ];
    let mut out = Vec::new();
    for s in services {
        for k in kinds {
            for v in ["", "V2", "_v3", "Limited", "Admin"] {
                out.push(format!("{s}{k}{v}"));
            }
        }
    }
    out.truncate(1300);
    out.extend(["ReadOnlyAccess", "AdministratorAccess", "PowerUserAccess"].map(String::from));
    out.into_iter()
        .map(|name| ManagedPolicy {
            arn: format!("arn:aws:iam::aws:policy/{name}"),
            name,
            attachable: true,
        })
        .collect()
}

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn app_with_policies() -> App {
    let mut app = App::new(None, None);
    app.screen = Screen::Permissions;
    app.focus = 0;
    update(
        &mut app,
        Msg::Policies {
            attempt: 0,
            result: Ok(policies()),
        },
    );
    app
}

fn bench(c: &mut Criterion) {
    let mut app = app_with_policies();
    assert!(
        app.permissions.filtered.len() > 1300,
        "{}",
        app.permissions.filtered.len()
    );
    let theme = Theme::plain();
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");

    c.bench_function(
        "draw permissions screen, 1,303 policies, unfiltered, 120x40",
        |b| {
            b.iter(|| {
                terminal
                    .draw(|f| draw(f, black_box(&app), &theme))
                    .expect("draw");
            })
        },
    );

    for ch in "read".chars() {
        update(&mut app, key(KeyCode::Char(ch)));
    }
    c.bench_function(
        "draw permissions screen, filtered by \"read\", 120x40",
        |b| {
            b.iter(|| {
                terminal
                    .draw(|f| draw(f, black_box(&app), &theme))
                    .expect("draw");
            })
        },
    );

    let mut app = app_with_policies();
    c.bench_function(
        "filter 1,303 policies per keystroke (type + erase a letter)",
        |b| {
            b.iter(|| {
                update(&mut app, key(KeyCode::Char('s')));
                update(&mut app, key(KeyCode::Backspace));
                black_box(app.permissions.filtered.len())
            })
        },
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
