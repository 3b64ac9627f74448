//! An Organization in the emulator, made the way Organizations makes one: accounts with
//! `CreateAccount` (each with its OrganizationAccountAccessRole), units, and a weak role in one
//! member account.

use super::{Emulator, block_on};
use serde_json::json;

/// The Organization the tests share:
/// root: management, `ou dev` { dev (a weak role), `ou deep` { deep } }, `ou prod` { prod }.
pub struct Org {
    pub dev_unit: String,
    pub prod_unit: String,
    pub dev: String,
    pub deep: String,
    pub prod: String,
}

pub fn organization(emu: &Emulator) -> Org {
    let orgs = emu.organizations();
    block_on(orgs.create_organization().send()).expect("create the Organization");
    let root = block_on(orgs.list_roots().send()).expect("roots").roots()[0]
        .id()
        .unwrap()
        .to_string();
    let unit = |parent: &str, name: &str| {
        block_on(
            orgs.create_organizational_unit()
                .parent_id(parent)
                .name(name)
                .send(),
        )
        .expect("create a unit")
        .organizational_unit()
        .and_then(|u| u.id())
        .unwrap()
        .to_string()
    };
    let dev_unit = unit(&root, "dev");
    let deep_unit = unit(&dev_unit, "deep");
    let prod_unit = unit(&root, "prod");
    let dev = join(emu, "dev", &dev_unit);
    let deep = join(emu, "deep", &deep_unit);
    let prod = join(emu, "prod", &prod_unit);
    weak_role(emu, &dev, "gitlab-dev-deploy");
    Org {
        dev_unit,
        prod_unit,
        dev,
        deep,
        prod,
    }
}

/// A new account, made with `CreateAccount` (so it has OrganizationAccountAccessRole) and moved
/// from the root into `unit`: its id.
pub fn join(emu: &Emulator, name: &str, unit: &str) -> String {
    let orgs = emu.organizations();
    let root = block_on(orgs.list_roots().send()).expect("roots").roots()[0]
        .id()
        .unwrap()
        .to_string();
    let id = block_on(
        orgs.create_account()
            .email(format!("{name}@example.com"))
            .account_name(name)
            .send(),
    )
    .expect("create an account")
    .create_account_status()
    .and_then(|s| s.account_id())
    .unwrap()
    .to_string();
    block_on(
        orgs.move_account()
            .account_id(&id)
            .source_parent_id(&root)
            .destination_parent_id(unit)
            .send(),
    )
    .expect("move the account");
    id
}

/// gitlab.com's provider and a role any project of the group `acme` gets into, in `account`.
pub fn weak_role(emu: &Emulator, account: &str, name: &str) {
    let iam = emu.iam_in(account);
    let provider = block_on(
        iam.create_open_id_connect_provider()
            .url("https://gitlab.com")
            .client_id_list("https://gitlab.com")
            .send(),
    )
    .expect("create the provider")
    .open_id_connect_provider_arn()
    .unwrap()
    .to_string();
    let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Federated": provider},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {"gitlab.com:aud": "https://gitlab.com"},
                      "StringLike": {"gitlab.com:sub": "project_path:acme/*:ref_type:branch:ref:*"}}}]});
    block_on(
        iam.create_role()
            .role_name(name)
            .assume_role_policy_document(trust.to_string())
            .send(),
    )
    .expect("create the role");
}
