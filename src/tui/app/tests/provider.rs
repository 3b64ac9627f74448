//! Identity provider.

use super::*;

#[test]
fn self_managed_url_sets_the_audience_until_it_is_edited() {
    let mut app = with_account();
    send(&mut app, [key(KeyCode::Enter)]);
    app.focus = 0;
    send(&mut app, [key(KeyCode::Right)]);
    assert_eq!(app.provider.kind, ProviderKind::SelfManaged);
    send(&mut app, [key(KeyCode::Tab)]);
    assert_eq!(app.focused(), Element::ProviderUrl);
    typed(&mut app, "git.example.com");
    assert_eq!(app.provider.audience.value, "https://git.example.com");
    assert!(!app.is_gitlab_com());
    typed(&mut app, ":8443");
    assert!(
        app.error(Element::ProviderUrl)
            .unwrap_or_default()
            .contains("port")
    );
    // The look-up waits until typing pauses (debounced on ticks), and only for a valid URL.
    let effects = send(&mut app, (0..6).map(|_| Msg::Tick));
    assert!(effects.is_empty());
    for _ in 0..5 {
        send(&mut app, [key(KeyCode::Backspace)]);
    }
    let effects = send(&mut app, (0..6).map(|_| Msg::Tick));
    assert!(
        matches!(&effects[..], [Effect::LookupProvider { arn, .. }, Effect::Preflight { url, .. }]
            if arn.ends_with("oidc-provider/git.example.com") && url == "https://git.example.com"),
        "{effects:?}"
    );
    // A private CA: the pre-flight's thumbprint goes into the setup (as --thumbprint auto does).
    let report = crate::preflight::Report::private_ca(
        "https://git.example.com",
        "9e99a48a9960b14926bb7f3b02e22da2b0ab7280",
    );
    let attempt = match &effects[1] {
        Effect::Preflight { attempt, .. } => *attempt,
        _ => 0,
    };
    send(
        &mut app,
        [Msg::Preflighted {
            attempt,
            report: Box::new(report),
        }],
    );
    assert_eq!(
        app.setup_input().thumbprints,
        ["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"]
    );
}
