//! AWS regions: the ones the wizard offers, the ones AWS has, and the check of a typed one.

use super::input::{Answer, InputError};

/// Commercial, China and GovCloud regions offered first in the wizard's region choice (any of
/// `KNOWN_REGIONS` is accepted).
pub const REGIONS: [&str; 19] = [
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "ca-central-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-central-1",
    "eu-north-1",
    "eu-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-northeast-1",
    "ap-south-1",
    "sa-east-1",
    "cn-north-1",
    "us-gov-west-1",
    "us-gov-east-1",
];

/// Every region of every partition, as the AWS SDK's endpoint rules list them (the `regions` of
/// each partition in aws-sdk-sts 1.124's `partitions.json`).
pub const KNOWN_REGIONS: [&str; 46] = [
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "cn-north-1",
    "cn-northwest-1",
    "eusc-de-east-1",
    "us-iso-east-1",
    "us-iso-west-1",
    "us-isob-east-1",
    "us-isob-west-1",
    "eu-isoe-west-1",
    "us-isof-east-1",
    "us-isof-south-1",
    "us-gov-east-1",
    "us-gov-west-1",
];

/// An AWS region: one of `KNOWN_REGIONS`. A well-formed name that is not one (`us-east-9`) is
/// refused too: it would be written into the CI job, where every pipeline would fail to reach STS.
pub fn check_region(region: &str) -> Result<(), InputError> {
    if KNOWN_REGIONS.contains(&region) {
        return Ok(());
    }
    if well_formed_region(region) {
        let (area, _) = region.rsplit_once('-').unwrap_or((region, ""));
        let near: Vec<&str> = KNOWN_REGIONS
            .iter()
            .filter(|r| r.rsplit_once('-').is_some_and(|(a, _)| a == area))
            .copied()
            .collect();
        let hint = if near.is_empty() {
            String::new()
        } else {
            format!(" ({} are)", near.join(", "))
        };
        return Err(InputError::new(
            Answer::Region,
            region,
            format!("is not an AWS region{hint}"),
        ));
    }
    Err(InputError::new(
        Answer::Region,
        region,
        "is not an AWS region name (like eu-west-1 or us-east-1)",
    ))
}

/// `geo-area-N` (`eu-west-1`, `us-gov-west-1`, `ap-southeast-5`).
fn well_formed_region(region: &str) -> bool {
    let parts: Vec<&str> = region.split('-').collect();
    parts.len() >= 3
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase()))
        && parts[0].len() == 2
        && parts
            .last()
            .is_some_and(|n| !n.is_empty() && n.len() <= 2 && n.chars().all(|c| c.is_ascii_digit()))
}
