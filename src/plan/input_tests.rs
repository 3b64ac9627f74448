//! Tests of the typed inputs.

use super::*;
use crate::plan::input::Answer;

#[test]
fn provider_url_accepts_hosts_and_paths() {
    assert_eq!(
        ProviderUrl::parse("https://gitlab.com")
            .unwrap()
            .host_path(),
        "gitlab.com"
    );
    let u = ProviderUrl::parse("HTTPS://Git.Example.com/gitlab").unwrap();
    assert_eq!(u.as_str(), "https://git.example.com/gitlab");
    assert_eq!(u.host_path(), "git.example.com/gitlab");
    assert!(
        ProviderUrl::parse("https://gitlab.com")
            .unwrap()
            .is_gitlab_com()
    );
    assert!(!u.is_gitlab_com());
}

#[test]
fn provider_url_rejects_what_iam_rejects() {
    for (bad, words) in [
        ("http://gitlab.com", "https://"),
        ("gitlab.com", "https://"),
        ("https://gitlab.com:8443", "port"),
        ("https://gitlab.com/?x=1", "query"),
        ("https://gitlab.com#frag", "fragment"),
        ("https://user@gitlab.com", "user"),
        ("https://", "host"),
        ("https://gitlab..com", "host"),
        ("https://gitlab.com/", "'/'"),
        ("https://gitlab.com/a//b", "empty"),
        ("https://git lab.com", "spaces"),
    ] {
        let e = ProviderUrl::parse(bad).unwrap_err();
        assert_eq!(e.answer, Answer::ProviderUrl);
        assert!(e.rule.contains(words), "{bad}: {}", e.rule);
    }
    let long = format!("https://{}.com", "a".repeat(250));
    assert!(ProviderUrl::parse(&long).unwrap_err().rule.contains("255"));
}

#[test]
fn audience_length() {
    assert!(Audience::parse("sts.amazonaws.com").is_ok());
    assert!(Audience::parse("").is_err());
    assert!(Audience::parse(&"a".repeat(256)).is_err());
    assert!(Audience::parse(&"a".repeat(255)).is_ok());
    assert!(Audience::parse("a b").is_err());
}

#[test]
fn project_paths() {
    assert!(ProjectPath::parse("group/project").is_ok());
    assert!(ProjectPath::parse("group/sub.group/my-project_2").is_ok());
    assert!(ProjectPath::parse("group/*").unwrap().is_pattern());
    for bad in [
        "project", "group/", "/group/p", "*", "*/*", "gr*/p", "g/p?", "g/p q", "g/-p", "g//p",
    ] {
        assert!(ProjectPath::parse(bad).is_err(), "{bad}");
    }
    assert!(
        ProjectPath::parse("*/*")
            .unwrap_err()
            .rule
            .contains("top-level group")
    );
}

#[test]
fn refs() {
    assert!(RefName::parse("main").is_ok());
    assert!(RefName::parse("release/1.2").is_ok());
    assert!(RefName::parse("v*").unwrap().is_pattern());
    for bad in ["", "a b", "a:b", "a?", "a..b", "/a", "a/"] {
        assert!(RefName::parse(bad).is_err(), "{bad}");
    }
    // git check-ref-format's rules.
    for bad in ["a.lock", "a/.b", ".a", "@", "a@{b", "a.", "a//b"] {
        let e = RefName::parse(bad).unwrap_err();
        assert!(e.rule.contains("git forbids"), "{bad}: {}", e.rule);
    }
    for good in ["a${b}", "a$b", "feature/x.y", "@foo", "a@b"] {
        assert!(RefName::parse(good).is_ok(), "{good}");
    }
    let full = RefName::parse("refs/heads/main").unwrap_err();
    assert!(
        full.rule.contains("GitLab's claim is `main`"),
        "{}",
        full.rule
    );
    let tag = RefName::parse("refs/tags/v1").unwrap_err();
    assert!(
        tag.rule.contains("`v1` (write the tag name only)"),
        "{}",
        tag.rule
    );
}

#[test]
fn a_clone_path_is_refused_with_the_project_path() {
    let e = ProjectPath::parse("acme/web.git").unwrap_err();
    assert!(e.rule.contains("did you mean acme/web?"), "{}", e.rule);
    assert!(ProjectPath::parse("acme/web.github").is_ok());
}

#[test]
fn role_names() {
    assert!(RoleName::parse("gitlab-ci_deploy+=,.@").is_ok());
    assert!(RoleName::parse(&"r".repeat(64)).is_ok());
    assert!(RoleName::parse(&"r".repeat(65)).is_err());
    assert!(RoleName::parse("").is_err());
    assert!(RoleName::parse("bad name").is_err());
    assert!(RoleName::parse("bad/name").is_err());
}

#[test]
fn role_paths() {
    assert!(RolePath::parse("/").is_ok());
    assert!(RolePath::parse("/ci/gitlab/").is_ok());
    for bad in ["ci/", "/ci", "//", "/a b/"] {
        assert!(RolePath::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn descriptions() {
    assert!(Description::parse("Deploys from GitLab CI — not really").is_err());
    assert!(Description::parse("Deploys from GitLab CI").is_ok());
    assert!(Description::parse(&"d".repeat(1001)).is_err());
}

#[test]
fn session_durations() {
    assert_eq!(SessionDuration::parse("3600").unwrap().seconds(), 3600);
    assert_eq!(SessionDuration::parse("43200").unwrap().seconds(), 43200);
    for bad in ["3599", "43201", "1h", "", "-1"] {
        assert!(SessionDuration::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn regions() {
    for ok in [
        "us-east-1",
        "eu-west-3",
        "us-gov-west-1",
        "ap-southeast-5",
        "cn-northwest-1",
    ] {
        assert!(check_region(ok).is_ok(), "{ok}");
    }
    for bad in [
        "",
        "eu",
        "eu-west",
        "EU-WEST-1",
        "eu-west-one",
        "eu_west_1",
        "europe-west-1",
        "eu-west-123",
    ] {
        assert!(check_region(bad).is_err(), "{bad}");
    }
    assert!(REGIONS.iter().all(|r| check_region(r).is_ok()));
    assert!(KNOWN_REGIONS.iter().all(|r| check_region(r).is_ok()));
    let nine = check_region("us-east-9").unwrap_err().rule;
    assert!(nine.contains("us-east-1, us-east-2 are"), "{nine}");
    assert!(check_region("eusc-de-east-1").is_ok());
    for host in [
        "gitlab.com/acme/web",
        "GitLab.com/acme/web",
        "www.gitlab.com/a/b",
    ] {
        let e = ProjectPath::parse_for(host, &ProviderUrl::parse("https://gitlab.com").unwrap())
            .unwrap_err();
        assert!(
            e.rule.contains("starts with the host"),
            "{host}: {}",
            e.rule
        );
    }
    let own = ProviderUrl::parse("https://git.example.org").unwrap();
    assert!(ProjectPath::parse_for("git.example.org/acme/web", &own).is_err());
    assert!(ProjectPath::parse_for("acme/web", &own).is_ok());
    let dotted = ProjectPath::parse("code.example.io/acme/web").unwrap();
    assert_eq!(dotted.looks_like_host(), Some("code.example.io"));
    assert_eq!(
        ProjectPath::parse("my.group/web")
            .unwrap()
            .looks_like_host(),
        Some("my.group")
    );
    assert_eq!(
        ProjectPath::parse("acme/web.site")
            .unwrap()
            .looks_like_host(),
        None
    );
}

#[test]
fn policies() {
    let by_name = PolicyRef::parse("ReadOnlyAccess").unwrap();
    assert_eq!(
        by_name.likely_arn("aws"),
        "arn:aws:iam::aws:policy/ReadOnlyAccess"
    );
    assert!(by_name.matches("arn:aws:iam::aws:policy/ReadOnlyAccess"));
    assert!(!by_name.matches("arn:aws:iam::123456789012:policy/ReadOnlyAccess"));
    let with_path = PolicyRef::parse("job-function/ViewOnlyAccess").unwrap();
    assert_eq!(with_path.name(), "ViewOnlyAccess");
    assert!(with_path.matches("arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"));
    let arn = PolicyRef::parse("arn:aws:iam::123456789012:policy/team/deploy").unwrap();
    assert_eq!(arn.name(), "deploy");
    assert!(PolicyRef::parse("arn:aws:iam::aws:policy/ReadOnlyAccess").is_ok());
    assert!(PolicyRef::parse("arn:aws-us-gov:iam::aws:policy/ReadOnlyAccess").is_ok());
    for bad in [
        "arn:aws:s3:::bucket",
        "arn:aws:iam::12345:policy/x",
        "arn:aws:iam::aws:role/x",
        "arn:aws:iam:us-east-1:aws:policy/x",
        "Read Only",
        "",
    ] {
        assert!(PolicyRef::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn admin_policies() {
    assert!(is_admin_policy_arn(
        "arn:aws:iam::aws:policy/AdministratorAccess"
    ));
    assert!(is_admin_policy_arn(
        "arn:aws:iam::aws:policy/PowerUserAccess"
    ));
    assert!(is_admin_policy_arn("arn:aws:iam::aws:policy/IAMFullAccess"));
    assert!(!is_admin_policy_arn(
        "arn:aws:iam::aws:policy/ReadOnlyAccess"
    ));
    assert!(!is_admin_policy_arn(
        "arn:aws:iam::123456789012:policy/AdministratorAccess"
    ));
}
