//! The named profiles of the AWS config files, read as the SDK reads them (`AWS_CONFIG_FILE`,
//! `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/config` and `~/.aws/credentials`; SSO profiles
//! included). A profile that is named but not there is refused, as the AWS CLI refuses it,
//! instead of the credential chain quietly using other credentials under the named profile.

use aws_runtime::env_config::file::EnvConfigFiles;
use aws_types::os_shim_internal::{Env, Fs};

/// A named profile that the config files do not have.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("profile {name} is not in ~/.aws/config or ~/.aws/credentials; {}", known_words(.known))]
pub struct ProfileNotFound {
    pub name: String,
    /// The profiles that are there, sorted.
    pub known: Vec<String>,
}

fn known_words(known: &[String]) -> String {
    if known.is_empty() {
        "no profiles are configured".to_string()
    } else {
        format!("known profiles: {}", known.join(", "))
    }
}

/// Every profile name in the AWS config files, sorted; none when there are no files.
pub async fn known() -> Vec<String> {
    let set =
        aws_config::profile::load(&Fs::real(), &Env::real(), &EnvConfigFiles::default(), None)
            .await;
    let mut names: Vec<String> = match set {
        Ok(set) => set.profiles().map(str::to_string).collect(),
        Err(e) => {
            tracing::warn!(error = %e, "the AWS config files could not be read");
            Vec::new()
        }
    };
    names.sort();
    names.dedup();
    names
}

/// `name` must be one of `known`.
pub fn check(name: &str, known: &[String]) -> Result<(), ProfileNotFound> {
    if known.iter().any(|k| k == name) {
        Ok(())
    } else {
        Err(ProfileNotFound {
            name: name.to_string(),
            known: known.to_vec(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_profile_names_the_known_ones() {
        let known = vec!["ci".to_string(), "dev".to_string()];
        assert_eq!(check("dev", &known), Ok(()));
        let err = check("prod", &known).expect_err("missing");
        assert_eq!(
            err.to_string(),
            "profile prod is not in ~/.aws/config or ~/.aws/credentials; known profiles: ci, dev"
        );
        assert_eq!(
            check("prod", &[]).expect_err("missing").to_string(),
            "profile prod is not in ~/.aws/config or ~/.aws/credentials; no profiles are configured"
        );
    }
}
