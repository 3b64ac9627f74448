//! The evaluator against the IAM User Guide, case by case. Each case names the page and the rule it
//! follows; the pages:
//! - EVAL: Policy evaluation logic, <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html>
//! - PRINCIPAL: IAM JSON policy elements: Principal, <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html>
//! - NOTPRINCIPAL: IAM JSON policy elements: NotPrincipal, <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html>
//! - ACTION: IAM JSON policy elements: Action / NotAction, <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html>
//!   and <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html>
//! - COND: IAM JSON policy elements: Condition, <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html>
//!   and "Creating a condition with multiple context keys or values", <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html>
//! - OPS: Condition operators, <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html>
//! - MULTI: Single-valued vs. multivalued context keys, <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html>
//! - VARS: Variables and tags, <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html>
//! - VERSION: IAM JSON policy elements: Version, <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html>
//! - GLOBAL: AWS global condition context keys, <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html>
//!   (the keys every `AssumeRoleWithWebIdentity` request carries, as `explain` builds them)
//! - GITREF: git-check-ref-format, <https://git-scm.com/docs/git-check-ref-format> (refs are
//!   case-sensitive names: `MAIN` is another branch than `main`)

use serde_json::{Value, json};

use super::eval::allows;
use super::*;
use crate::plan::trust_view::TrustView;

const P: &str = "arn:aws:iam::123456789012:oidc-provider/gitlab.com";
const OTHER: &str = "arn:aws:iam::123456789012:oidc-provider/git.example.com";
const MAIN: &str = "project_path:acme/web:ref_type:branch:ref:main";
const OUTSIDER: &str = "arn:aws:iam::999999999999:role/attacker";

fn doc(statements: Vec<Value>) -> Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

fn stmt(effect: &str, condition: Value) -> Value {
    json!({"Effect": effect, "Principal": {"Federated": P}, "Action": WEB_IDENTITY, "Condition": condition})
}

fn allow(condition: Value) -> Value {
    stmt("Allow", condition)
}

fn deny(condition: Value) -> Value {
    stmt("Deny", condition)
}

fn main_sub() -> Value {
    json!({"StringEquals": {"gitlab.com:sub": MAIN}})
}

/// A token of acme/web's main branch, as IAM's context keys for gitlab.com carry it.
fn token() -> Context {
    let mut c = Context::new()
        .with("gitlab.com:sub", MAIN)
        .with("gitlab.com:aud", "https://gitlab.com")
        .with("gitlab.com:project_id", "4242")
        .with("gitlab.com:namespace_id", "7")
        .with("gitlab.com:ref_protected", "true")
        .with("aws:CurrentTime", "2026-12-03T10:00:00Z")
        .with("aws:EpochTime", "1796292000");
    c.insert("gitlab.com:groups", vec!["a".into(), "b".into()]);
    c
}

/// The request context `explain` builds for a gitlab.com token with these claims (and the
/// defaults of `token()` for the rest), at 2026-12-03T10:00:00Z.
fn explained(claims: Value) -> Context {
    let mut all = json!({"sub": MAIN, "aud": "https://gitlab.com", "project_id": "4242",
        "namespace_id": "7", "ref_protected": "true"});
    for (k, v) in claims.as_object().into_iter().flatten() {
        all[k] = v.clone();
    }
    let claims = all.as_object().cloned().unwrap_or_default();
    crate::explain::context_of(&claims, "gitlab.com", 1_796_292_000)
}

fn web(context: Context) -> Request {
    Request::web_identity(P, context)
}

fn aws_caller() -> Request {
    Request {
        caller: Caller::Aws {
            arn: OUTSIDER.into(),
        },
        action: ASSUME_ROLE.into(),
        context: Context::new()
            .with("aws:PrincipalArn", OUTSIDER)
            .with("aws:PrincipalAccount", "999999999999"),
    }
}

struct Case {
    rule: &'static str,
    policy: Value,
    request: Request,
    allowed: bool,
}

fn case(rule: &'static str, policy: Value, request: Request, allowed: bool) -> Case {
    Case {
        rule,
        policy,
        request,
        allowed,
    }
}

/// A single Allow for the token with one condition block.
fn one(rule: &'static str, condition: Value, allowed: bool) -> Case {
    case(rule, doc(vec![allow(condition)]), web(token()), allowed)
}

fn cases() -> Vec<Case> {
    vec![
        // EVAL: an Allow that applies, and no Deny, allows.
        one("EVAL allow applies", main_sub(), true),
        // EVAL: no statement applies: the implicit deny.
        case("EVAL implicit deny", doc(vec![]), web(token()), false),
        // EVAL: an explicit Deny that applies overrides any Allow.
        case(
            "EVAL explicit deny wins",
            doc(vec![allow(main_sub()), deny(json!({}))]),
            web(token()),
            false,
        ),
        // EVAL: statement order has no meaning: a Deny first also wins.
        case(
            "EVAL order does not matter",
            doc(vec![deny(json!({})), allow(main_sub())]),
            web(token()),
            false,
        ),
        // EVAL: a Deny alone allows nothing.
        case(
            "EVAL deny alone",
            doc(vec![deny(main_sub())]),
            web(token()),
            false,
        ),
        // EVAL: a Deny whose condition is false does not apply.
        case(
            "EVAL deny that does not apply",
            doc(vec![
                allow(main_sub()),
                deny(json!({"StringEquals": {"gitlab.com:project_id": "1"}})),
            ]),
            web(token()),
            true,
        ),
        // EVAL + PRINCIPAL: a Deny with Principal "*" applies to the web-identity caller too.
        case(
            "EVAL deny with principal *",
            doc(vec![
                allow(main_sub()),
                json!({"Effect": "Deny", "Principal": "*", "Action": "sts:*"}),
            ]),
            web(token()),
            false,
        ),
        // EVAL + ACTION: a Deny on sts:AssumeRole* covers AssumeRoleWithWebIdentity.
        case(
            "EVAL deny on wildcard action",
            doc(vec![
                allow(main_sub()),
                json!({"Effect": "Deny", "Principal": {"Federated": P}, "Action": "sts:AssumeRole*"}),
            ]),
            web(token()),
            false,
        ),
        // EVAL + ACTION: a Deny with NotAction covers every action not listed.
        case(
            "EVAL deny with NotAction",
            doc(vec![
                allow(main_sub()),
                json!({"Effect": "Deny", "Principal": {"Federated": P}, "NotAction": "sts:TagSession"}),
            ]),
            web(token()),
            false,
        ),
        // EVAL + OPS: a Deny with a negated operator on a key the token lacks applies.
        case(
            "EVAL deny with negated operator on an absent key",
            doc(vec![
                allow(main_sub()),
                deny(json!({"StringNotEquals": {"gitlab.com:user_login": "alice"}})),
            ]),
            web(token()),
            false,
        ),
        // Policy grammar: Effect must be "Allow" or "Deny" (case-sensitive); IAM refuses anything else.
        case(
            "EVAL misspelt effect",
            doc(vec![
                json!({"Effect": "allow", "Principal": {"Federated": P},
            "Action": WEB_IDENTITY}),
            ]),
            web(token()),
            false,
        ),
        // PRINCIPAL: "*" is every principal, federated callers included.
        case(
            "PRINCIPAL * matches a federated caller",
            doc(vec![json!({"Effect": "Allow", "Principal": "*",
            "Action": WEB_IDENTITY, "Condition": main_sub()})]),
            web(token()),
            true,
        ),
        // PRINCIPAL: a federated principal names one provider; a token of another issuer is not it.
        case(
            "PRINCIPAL another provider",
            doc(vec![
                json!({"Effect": "Allow", "Principal": {"Federated": OTHER},
            "Action": WEB_IDENTITY}),
            ]),
            web(token()),
            false,
        ),
        // PRINCIPAL: a list of providers matches any of them.
        case(
            "PRINCIPAL list of providers",
            doc(vec![
                json!({"Effect": "Allow", "Principal": {"Federated": [OTHER, P]},
            "Action": WEB_IDENTITY, "Condition": main_sub()}),
            ]),
            web(token()),
            true,
        ),
        // PRINCIPAL: {"AWS": "*"} is every AWS principal, not a web-identity caller.
        case(
            "PRINCIPAL AWS * is not federated",
            doc(vec![json!({"Effect": "Allow", "Principal": {"AWS": "*"},
            "Action": "sts:*"})]),
            web(token()),
            false,
        ),
        // PRINCIPAL: {"AWS": "*"} lets any AWS principal call AssumeRole.
        case(
            "PRINCIPAL AWS * for AssumeRole",
            doc(vec![json!({"Effect": "Allow", "Principal": {"AWS": "*"},
            "Action": ASSUME_ROLE})]),
            aws_caller(),
            true,
        ),
        // PRINCIPAL: an account ID stands for every principal of that account.
        case(
            "PRINCIPAL account id",
            doc(vec![
                json!({"Effect": "Allow", "Principal": {"AWS": "999999999999"},
            "Action": ASSUME_ROLE}),
            ]),
            aws_caller(),
            true,
        ),
        // PRINCIPAL: "*" with sts:AssumeRole lets any AWS principal in.
        case(
            "PRINCIPAL * for AssumeRole",
            doc(vec![json!({"Effect": "Allow", "Principal": "*",
            "Action": "sts:AssumeRole"})]),
            aws_caller(),
            true,
        ),
        // PRINCIPAL: a service principal is not a web-identity caller.
        case(
            "PRINCIPAL service",
            doc(vec![
                json!({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
            "Action": "*"}),
            ]),
            web(token()),
            false,
        ),
        // NOTPRINCIPAL: not allowed in a role trust policy, so the statement never applies.
        case(
            "NOTPRINCIPAL in a trust policy",
            doc(vec![
                json!({"Effect": "Allow", "NotPrincipal": {"AWS": OUTSIDER},
            "Action": "*"}),
            ]),
            web(token()),
            false,
        ),
        // ACTION: sts:* matches every STS action.
        case(
            "ACTION service wildcard",
            doc(vec![
                json!({"Effect": "Allow", "Principal": {"Federated": P},
            "Action": "sts:*", "Condition": main_sub()}),
            ]),
            web(token()),
            true,
        ),
        // ACTION: * matches every action.
        case(
            "ACTION *",
            doc(vec![
                json!({"Effect": "Allow", "Principal": {"Federated": P},
            "Action": "*", "Condition": main_sub()}),
            ]),
            web(token()),
            true,
        ),
        // ACTION: action names are case-insensitive.
        case(
            "ACTION case-insensitive",
            doc(vec![
                json!({"Effect": "Allow", "Principal": {"Federated": P},
            "Action": "STS:assumerolewithwebidentity", "Condition": main_sub()}),
            ]),
            web(token()),
            true,
        ),
        // ACTION: sts:AssumeRole is another action.
        case(
            "ACTION another action",
            doc(vec![
                json!({"Effect": "Allow", "Principal": {"Federated": P},
            "Action": "sts:AssumeRole"}),
            ]),
            web(token()),
            false,
        ),
        // ACTION: * inside a name.
        case(
            "ACTION prefix wildcard",
            doc(vec![
                json!({"Effect": "Allow", "Principal": {"Federated": P},
            "Action": "sts:AssumeRole*", "Condition": main_sub()}),
            ]),
            web(token()),
            true,
        ),
        // ACTION: ? is one character.
        case(
            "ACTION ? wildcard",
            doc(vec![
                json!({"Effect": "Allow", "Principal": {"Federated": P},
            "Action": "sts:AssumeRoleWith?ebIdentity", "Condition": main_sub()}),
            ]),
            web(token()),
            true,
        ),
        // ACTION (NotAction): every action not listed.
        case(
            "ACTION NotAction not listed",
            doc(vec![
                json!({"Effect": "Allow", "Principal": {"Federated": P},
            "NotAction": "sts:AssumeRole", "Condition": main_sub()}),
            ]),
            web(token()),
            true,
        ),
        // ACTION (NotAction): the listed action does not match.
        case(
            "ACTION NotAction listed",
            doc(vec![
                json!({"Effect": "Allow", "Principal": {"Federated": P},
            "NotAction": ["sts:TagSession", WEB_IDENTITY]}),
            ]),
            web(token()),
            false,
        ),
        // ACTION: a list matches any of its actions.
        case(
            "ACTION list",
            doc(vec![
                json!({"Effect": "Allow", "Principal": {"Federated": P},
            "Action": ["sts:TagSession", WEB_IDENTITY], "Condition": main_sub()}),
            ]),
            web(token()),
            true,
        ),
        // COND: keys under one operator are ANDed.
        one(
            "COND keys ANDed",
            json!({"StringEquals": {"gitlab.com:sub": MAIN, "gitlab.com:aud": "sts.amazonaws.com"}}),
            false,
        ),
        // COND: the values of one key are ORed.
        one(
            "COND values ORed",
            json!({"StringEquals": {"gitlab.com:sub": ["project_path:x/y:ref_type:branch:ref:main", MAIN]}}),
            true,
        ),
        // COND: operators are ANDed.
        one(
            "COND operators ANDed",
            json!({"StringEquals": {"gitlab.com:aud": "https://gitlab.com"},
            "StringLike": {"gitlab.com:sub": "project_path:other/*"}}),
            false,
        ),
        // COND: condition key names are case-insensitive.
        one(
            "COND key case",
            json!({"StringEquals": {"GitLab.com:Sub": MAIN}}),
            true,
        ),
        // COND: values are case-sensitive for StringEquals.
        one(
            "COND value case",
            json!({"StringEquals": {"gitlab.com:sub": MAIN.to_uppercase()}}),
            false,
        ),
        // COND: an empty Condition block restricts nothing.
        one("COND empty", json!({}), true),
        // OPS String: StringNotEquals, a different value.
        one(
            "OPS StringNotEquals differs",
            json!({"StringNotEquals": {"gitlab.com:ref_protected": "false"}}),
            true,
        ),
        // OPS String: StringNotEquals, the same value.
        one(
            "OPS StringNotEquals same",
            json!({"StringNotEquals": {"gitlab.com:ref_protected": "true"}}),
            false,
        ),
        // OPS String: StringEqualsIgnoreCase.
        one(
            "OPS StringEqualsIgnoreCase",
            json!({"StringEqualsIgnoreCase": {"gitlab.com:aud": "HTTPS://GitLab.com"}}),
            true,
        ),
        // OPS String: StringNotEqualsIgnoreCase on a value equal but for case.
        one(
            "OPS StringNotEqualsIgnoreCase",
            json!({"StringNotEqualsIgnoreCase": {"gitlab.com:aud": "HTTPS://GITLAB.COM"}}),
            false,
        ),
        // OPS String: StringLike, * any run.
        one(
            "OPS StringLike *",
            json!({"StringLike": {"gitlab.com:sub": "project_path:acme/*"}}),
            true,
        ),
        // OPS String: StringLike, ? exactly one character.
        one(
            "OPS StringLike ? one",
            json!({"StringLike": {"gitlab.com:sub": "project_path:acm?/web:*"}}),
            true,
        ),
        // OPS String: StringLike, ? is not zero characters.
        one(
            "OPS StringLike ? not zero",
            json!({"StringLike": {"gitlab.com:sub": "project_path:acme?/web:*"}}),
            false,
        ),
        // OPS String: StringLike matches the whole value, not a prefix.
        one(
            "OPS StringLike whole value",
            json!({"StringLike": {"gitlab.com:sub": "project_path:acme/web"}}),
            false,
        ),
        // OPS String: StringNotLike on a matching value.
        one(
            "OPS StringNotLike",
            json!({"StringNotLike": {"gitlab.com:sub": "*:ref_type:branch:*"}}),
            false,
        ),
        // OPS String: StringEquals compares * literally.
        one(
            "OPS StringEquals literal *",
            json!({"StringEquals": {"gitlab.com:sub": "project_path:acme/*"}}),
            false,
        ),
        // OPS Numeric: NumericEquals reads the claim's text as a number.
        one(
            "OPS NumericEquals",
            json!({"NumericEquals": {"gitlab.com:project_id": 4242}}),
            true,
        ),
        // OPS Numeric: NumericLessThan.
        one(
            "OPS NumericLessThan",
            json!({"NumericLessThan": {"gitlab.com:project_id": "5000"}}),
            true,
        ),
        // OPS Numeric: NumericGreaterThanEquals.
        one(
            "OPS NumericGreaterThanEquals",
            json!({"NumericGreaterThanEquals": {"gitlab.com:project_id": "4243"}}),
            false,
        ),
        // OPS Numeric: NumericNotEquals on the same number.
        one(
            "OPS NumericNotEquals",
            json!({"NumericNotEquals": {"gitlab.com:project_id": "4242.0"}}),
            false,
        ),
        // OPS Numeric: a value that is not a number does not match.
        one(
            "OPS Numeric on text",
            json!({"NumericEquals": {"gitlab.com:sub": "1"}}),
            false,
        ),
        // OPS Date: DateLessThan against aws:CurrentTime.
        one(
            "OPS DateLessThan",
            json!({"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}}),
            true,
        ),
        // OPS Date: DateGreaterThan with an epoch value.
        one(
            "OPS DateGreaterThan epoch",
            json!({"DateGreaterThan": {"aws:EpochTime": "1893456000"}}),
            false,
        ),
        // OPS Date: ISO 8601 with an offset.
        one(
            "OPS DateEquals offset",
            json!({"DateEquals": {"aws:CurrentTime": "2026-12-03T11:00:00+01:00"}}),
            true,
        ),
        // OPS Bool.
        one(
            "OPS Bool true",
            json!({"Bool": {"gitlab.com:ref_protected": "true"}}),
            true,
        ),
        // OPS Bool against the other value.
        one(
            "OPS Bool false",
            json!({"Bool": {"gitlab.com:ref_protected": false}}),
            false,
        ),
        // OPS Binary: BinaryEquals compares the base64 text.
        case(
            "OPS BinaryEquals",
            doc(vec![allow(json!({"BinaryEquals": {"k:bin": "QmluYXJ5"}}))]),
            web(token().with("k:bin", "QmluYXJ5")),
            true,
        ),
        // OPS IP: IpAddress with a CIDR range.
        case(
            "OPS IpAddress",
            doc(vec![allow(
                json!({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}),
            )]),
            web(token().with("aws:SourceIp", "203.0.113.7")),
            true,
        ),
        // OPS IP: NotIpAddress for an address inside the range.
        case(
            "OPS NotIpAddress",
            doc(vec![allow(
                json!({"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}),
            )]),
            web(token().with("aws:SourceIp", "203.0.113.7")),
            false,
        ),
        // OPS ARN: ArnLike, each part matched with wildcards.
        case(
            "OPS ArnLike",
            doc(vec![
                json!({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ASSUME_ROLE,
            "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::999999999999:role/*"}}}),
            ]),
            aws_caller(),
            true,
        ),
        // OPS ARN: ArnEquals with a wildcard in the account part.
        case(
            "OPS ArnEquals wildcard part",
            doc(vec![
                json!({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ASSUME_ROLE,
            "Condition": {"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::123456789012:role/attacker"}}}),
            ]),
            aws_caller(),
            false,
        ),
        // OPS: an operator IAM does not know (the document is refused): nothing matches.
        one(
            "OPS unknown operator",
            json!({"StringEqualz": {"gitlab.com:sub": MAIN}}),
            false,
        ),
        // OPS (…IfExists): a missing key makes the condition true.
        one(
            "OPS IfExists absent",
            json!({"StringEqualsIfExists": {"gitlab.com:user_login": "alice"}}),
            true,
        ),
        // OPS (…IfExists): StringLikeIfExists, missing key.
        one(
            "OPS StringLikeIfExists absent",
            json!({"StringLikeIfExists": {"gitlab.com:environment": "prod*"}}),
            true,
        ),
        // OPS (…IfExists): a present key is compared as usual.
        one(
            "OPS IfExists present",
            json!({"StringEqualsIfExists": {"gitlab.com:sub": "project_path:x/y:ref_type:branch:ref:main"}}),
            false,
        ),
        // OPS: a missing key makes a positive operator false.
        one(
            "OPS absent key",
            json!({"StringEquals": {"gitlab.com:user_login": "alice"}}),
            false,
        ),
        // OPS (Null): true: the key must be absent, and it is.
        one(
            "OPS Null true absent",
            json!({"Null": {"gitlab.com:user_login": "true"}}),
            true,
        ),
        // OPS (Null): true on a key the token has.
        one(
            "OPS Null true present",
            json!({"Null": {"gitlab.com:sub": true}}),
            false,
        ),
        // OPS (Null): false: the key must be present, and it is.
        one(
            "OPS Null false present",
            json!({"Null": {"gitlab.com:sub": "false"}}),
            true,
        ),
        // OPS (Null): false on a missing key.
        one(
            "OPS Null false absent",
            json!({"Null": {"gitlab.com:user_login": "false"}}),
            false,
        ),
        // VARS ("no value"): negated operators match a missing key.
        one(
            "OPS StringNotEquals absent",
            json!({"StringNotEquals": {"gitlab.com:user_login": "mallory"}}),
            true,
        ),
        // VARS ("no value"): StringNotLike on a missing key.
        one(
            "OPS StringNotLike absent",
            json!({"StringNotLike": {"gitlab.com:user_login": "m*"}}),
            true,
        ),
        // OPS: ArnNotLike on a missing key.
        one(
            "OPS ArnNotLike absent",
            json!({"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/x"}}),
            true,
        ),
        // OPS: NumericLessThan on a missing key.
        one(
            "OPS NumericLessThan absent",
            json!({"NumericLessThan": {"gitlab.com:user_id": "10"}}),
            false,
        ),
        // MULTI: ForAllValues on a missing key is true.
        one(
            "MULTI ForAllValues absent",
            json!({"ForAllValues:StringEquals": {"gitlab.com:user_login": "alice"}}),
            true,
        ),
        // MULTI: ForAnyValue on a missing key is false.
        one(
            "MULTI ForAnyValue absent",
            json!({"ForAnyValue:StringEquals": {"gitlab.com:user_login": "alice"}}),
            false,
        ),
        // MULTI: ForAnyValue, one of the values matches.
        one(
            "MULTI ForAnyValue one matches",
            json!({"ForAnyValue:StringEquals": {"gitlab.com:groups": "b"}}),
            true,
        ),
        // MULTI: ForAllValues, a value outside the set.
        one(
            "MULTI ForAllValues outside",
            json!({"ForAllValues:StringEquals": {"gitlab.com:groups": "a"}}),
            false,
        ),
        // MULTI: ForAllValues, every value in the set.
        one(
            "MULTI ForAllValues inside",
            json!({"ForAllValues:StringEquals": {"gitlab.com:groups": ["a", "b", "c"]}}),
            true,
        ),
        // MULTI: ForAnyValue with a negated operator on a missing key is still false.
        one(
            "MULTI ForAnyValue negated absent",
            json!({"ForAnyValue:StringNotEquals": {"gitlab.com:user_login": "x"}}),
            false,
        ),
        // MULTI: ForAllValues:StringNotLike, no value matches the refused pattern.
        one(
            "MULTI ForAllValues StringNotLike",
            json!({"ForAllValues:StringNotLike": {"gitlab.com:groups": "z*"}}),
            true,
        ),
        // MULTI + OPS: IfExists wins over ForAnyValue on a missing key.
        one(
            "MULTI ForAnyValue IfExists absent",
            json!({"ForAnyValue:StringEqualsIfExists": {"gitlab.com:user_login": "x"}}),
            true,
        ),
        // VARS: ${$} is a literal $.
        case(
            "VARS ${$}",
            doc(vec![allow(
                json!({"StringEquals": {"gitlab.com:sub": "project_path:acme/web:ref_type:branch:ref:a${$}{b}"}}),
            )]),
            web(token().with(
                "gitlab.com:sub",
                "project_path:acme/web:ref_type:branch:ref:a${b}",
            )),
            true,
        ),
        // VARS: ${*} is a literal *, not a wildcard.
        one(
            "VARS ${*} literal",
            json!({"StringLike": {"gitlab.com:sub": "project_path:acme/${*}"}}),
            false,
        ),
        // VARS: ${?} is a literal ?.
        case(
            "VARS ${?} literal",
            doc(vec![allow(
                json!({"StringLike": {"gitlab.com:sub": "*:ref:what${?}"}}),
            )]),
            web(token().with(
                "gitlab.com:sub",
                "project_path:acme/web:ref_type:branch:ref:what?",
            )),
            true,
        ),
        // VARS: a variable takes the request's value for its key.
        one(
            "VARS variable for a key the token lacks has no value",
            json!({"StringEquals": {"gitlab.com:sub": "project_path:acme/web:ref_type:branch:ref:${gitlab.com:ref}"}}),
            false,
        ),
        // VARS: a variable from a key the request has.
        case(
            "VARS variable from the request",
            doc(vec![allow(
                json!({"StringEquals": {"gitlab.com:project_id": "${gitlab.com:namespace_id}"}}),
            )]),
            web(token().with("gitlab.com:namespace_id", "4242")),
            true,
        ),
        // VARS ("no value"): a variable with no value never matches a positive operator.
        one(
            "VARS no value positive",
            json!({"StringLike": {"gitlab.com:sub": "${gitlab.com:user_login}*"}}),
            false,
        ),
        // VARS ("no value"): … and a negated operator matches.
        one(
            "VARS no value negated",
            json!({"StringNotEquals": {"gitlab.com:sub": "${gitlab.com:user_login}"}}),
            true,
        ),
        // VARS ("Specifying default values"): the default stands in for a missing key.
        one(
            "VARS default value",
            json!({"StringLike": {"gitlab.com:sub": "project_path:${gitlab.com:user_login, 'acme'}/*"}}),
            true,
        ),
        // VERSION: without Version 2012-10-17, ${…} is plain text.
        case(
            "VERSION 2008 keeps ${$} as text",
            json!({"Version": "2008-10-17", "Statement": [allow(json!({"StringEquals":
            {"gitlab.com:sub": "project_path:acme/web:ref_type:branch:ref:a${$}b"}}))]}),
            web(token().with(
                "gitlab.com:sub",
                "project_path:acme/web:ref_type:branch:ref:a$b",
            )),
            false,
        ),
        // GLOBAL: STS is reached over TLS only: aws:SecureTransport is "true" in every request.
        case(
            "GLOBAL SecureTransport is present and true",
            doc(vec![allow(
                json!({"Bool": {"aws:SecureTransport": "true"}}),
            )]),
            web(explained(json!({}))),
            true,
        ),
        // GLOBAL: the job calls STS itself, not through a service.
        case(
            "GLOBAL ViaAWSService is false",
            doc(vec![allow(json!({"Bool": {"aws:ViaAWSService": "false"}}))]),
            web(explained(json!({}))),
            true,
        ),
        // GLOBAL: aws:CurrentTime is the request's time: a window still open admits.
        case(
            "GLOBAL CurrentTime in an open window",
            doc(vec![allow(
                json!({"DateLessThan": {"aws:CurrentTime": "2099-01-01T00:00:00Z"}}),
            )]),
            web(explained(json!({}))),
            true,
        ),
        // GLOBAL: … and a closed one does not.
        case(
            "GLOBAL CurrentTime past the window",
            doc(vec![allow(
                json!({"DateLessThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}),
            )]),
            web(explained(json!({}))),
            false,
        ),
        // GLOBAL: aws:EpochTime is the same time as a number.
        case(
            "GLOBAL EpochTime is a number",
            doc(vec![allow(
                json!({"NumericGreaterThan": {"aws:EpochTime": "1700000000"}}),
            )]),
            web(explained(json!({}))),
            true,
        ),
        // GLOBAL: aws:RequestedRegion is the STS endpoint the caller chose.
        case(
            "GLOBAL RequestedRegion is the caller's endpoint",
            doc(vec![allow(
                json!({"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}),
            )]),
            web(explained(json!({})).with("aws:RequestedRegion", "eu-west-1")),
            true,
        ),
        // GLOBAL: aws:SourceIp is the caller's address.
        case(
            "GLOBAL SourceIp is the caller's address",
            doc(vec![allow(
                json!({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}),
            )]),
            web(explained(json!({})).with("aws:SourceIp", "10.1.2.3")),
            true,
        ),
        // VARS: a claim in a variable is the token's own value: every user matches through
        // their personal namespace.
        case(
            "VARS a claim variable takes the token's value",
            doc(vec![allow(
                json!({"StringLike": {"gitlab.com:sub": "project_path:${gitlab.com:user_login}/*"}}),
            )]),
            web(explained(json!({"user_login": "mallory",
                "sub": "project_path:mallory/x:ref_type:branch:ref:main"}))),
            true,
        ),
        // VARS: a value naming its own key matches every value of that key.
        case(
            "VARS a value naming its own key",
            doc(vec![allow(
                json!({"StringLike": {"gitlab.com:sub": "${gitlab.com:sub}"}}),
            )]),
            web(explained(
                json!({"sub": "project_path:evil/x:ref_type:branch:ref:y"}),
            )),
            true,
        ),
        // OPS + GITREF: …IgnoreCase on sub admits another ref than the one named.
        case(
            "OPS IgnoreCase on sub admits MAIN for main",
            doc(vec![allow(
                json!({"StringEqualsIgnoreCase": {"gitlab.com:sub": MAIN}}),
            )]),
            web(explained(
                json!({"sub": "project_path:acme/web:ref_type:branch:ref:MAIN"}),
            )),
            true,
        ),
        // OPS StringLike + GITREF: a wildcard ref_type admits a tag of a branch's name.
        case(
            "OPS a ref_type wildcard admits a tag",
            doc(vec![allow(
                json!({"StringLike": {"gitlab.com:sub": "project_path:acme/web:ref_type:*:ref:main"}}),
            )]),
            web(explained(
                json!({"sub": "project_path:acme/web:ref_type:tag:ref:main"}),
            )),
            true,
        ),
        // COND: a namespace_id pin refuses a path taken over by another namespace.
        case(
            "COND a namespace_id pin refuses a recycled path",
            doc(vec![allow(
                json!({"StringEquals": {"gitlab.com:sub": MAIN, "gitlab.com:namespace_id": "7"}}),
            )]),
            web(explained(json!({"sub": MAIN, "namespace_id": "99"}))),
            false,
        ),
        // VERSION: … and the value written with ${$} matches itself literally.
        case(
            "VERSION 2008 literal",
            json!({"Statement": [allow(json!({"StringEquals":
            {"gitlab.com:sub": "ref:a${$}b"}}))]}),
            web(token().with("gitlab.com:sub", "ref:a${$}b")),
            true,
        ),
    ]
}

#[test]
fn the_evaluator_follows_the_user_guide() {
    let cases = cases();
    assert!(cases.len() >= 60, "{} cases", cases.len());
    let mut wrong = Vec::new();
    for c in &cases {
        let view = TrustView::read(&c.policy);
        let decision = evaluate(&view, &c.request);
        assert_eq!(
            decision.allowed,
            allows(&view, &c.request),
            "{}: the fast path agrees",
            c.rule
        );
        if decision.allowed != c.allowed {
            wrong.push(format!(
                "{} (want {}, got {:?})",
                c.rule, c.allowed, decision.decided_by
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} wrong:\n{}",
        wrong.len(),
        cases.len(),
        wrong.join("\n")
    );
}

#[test]
fn the_decision_names_the_statement() {
    let view = TrustView::read(&doc(vec![
        allow(main_sub()),
        deny(json!({"StringEquals": {"gitlab.com:project_id": "4242"}})),
    ]));
    assert_eq!(evaluate(&view, &web(token())).decided_by, Decided::Deny(2));
    let view = TrustView::read(&doc(vec![
        deny(json!({"StringEquals": {"gitlab.com:project_id": "1"}})),
        allow(main_sub()),
    ]));
    assert_eq!(evaluate(&view, &web(token())).decided_by, Decided::Allow(2));
    let view = TrustView::read(&doc(vec![allow(
        json!({"StringEquals": {"gitlab.com:sub": "x"}}),
    )]));
    let d = evaluate(&view, &web(token()));
    assert_eq!(d.decided_by, Decided::NoAllow);
    assert_eq!(d.statements[0].conditions, [(false, Rule::Compared)]);
}

#[test]
fn dates_parse_as_iso_8601_or_epoch() {
    use super::condition::date;
    assert_eq!(date("1970-01-01T00:00:00Z"), Some(0.0));
    assert_eq!(date("2026-12-03T10:00:00Z"), Some(1_796_292_000.0));
    assert_eq!(date("2026-12-03"), Some(1_796_256_000.0));
    assert_eq!(
        date("2026-12-03T12:00:00+02:00"),
        date("2026-12-03T10:00:00Z")
    );
    assert_eq!(date("1796292000"), Some(1_796_292_000.0));
    assert_eq!(date("yesterday"), None);
}
