//! The Organization's names a user types: organizational unit ids, account ids and the member
//! role. Checked here, before any AWS call.

use super::input::{Answer, InputError, RoleName};

/// `ou-` then 4–32 lowercase letters or digits, `-`, then 8–32 of them (Organizations' own
/// pattern), or a root's id, `r-` then 4–32.
pub fn unit_id(raw: &str) -> Result<String, InputError> {
    let alnum = |s: &str, lo: usize, hi: usize| {
        (lo..=hi).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    };
    let ok = if let Some(rest) = raw.strip_prefix("ou-") {
        rest.split_once('-')
            .is_some_and(|(root, unit)| alnum(root, 4, 32) && alnum(unit, 8, 32))
    } else if let Some(rest) = raw.strip_prefix("r-") {
        alnum(rest, 4, 32)
    } else {
        false
    };
    if ok {
        Ok(raw.to_string())
    } else {
        Err(InputError::new(
            Answer::Unit,
            raw,
            "is not an organizational unit id (ou-abcd-12345678) or a root id (r-abcd)",
        ))
    }
}

/// Twelve digits.
pub fn account_id(raw: &str) -> Result<String, InputError> {
    if raw.len() == 12 && raw.bytes().all(|b| b.is_ascii_digit()) {
        Ok(raw.to_string())
    } else {
        Err(InputError::new(
            Answer::Account,
            raw,
            "is not an AWS account id (12 digits)",
        ))
    }
}

/// A role name, as IAM allows it (without a path: `AssumeRole` is given `role/NAME`).
pub fn member_role(raw: &str) -> Result<String, InputError> {
    RoleName::parse(raw)
        .map(|_| raw.to_string())
        .map_err(|e| InputError::new(Answer::MemberRole, raw, &e.rule))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_shapes_organizations_gives_are_taken() {
        assert!(unit_id("ou-ab12-cdef3456").is_ok());
        assert!(unit_id("r-ab12").is_ok());
        assert!(account_id("123456789012").is_ok());
        assert!(member_role("OrganizationAccountAccessRole").is_ok());
    }

    proptest! {
        /// Whatever is taken is made of lowercase letters, digits and dashes only: nothing a
        /// terminal or a URL could read as more than a name.
        #[test]
        fn only_plain_ids_pass(raw in "\\PC{0,40}|(ou|r)-[a-z0-9\\-\u{1b}\n ]{0,40}") {
            if let Ok(id) = unit_id(&raw) {
                prop_assert!(id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'));
            }
            if let Ok(id) = account_id(&raw) {
                prop_assert!(id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()));
            }
        }
    }
}
