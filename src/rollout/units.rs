//! The Organization's units as a tree, for choosing where a rollout goes.

use serde::Serialize;

use crate::aws::org::{Account, Org};
use crate::engine::{EngineError, Step};

/// One unit (or the root), below its parent, with the accounts directly in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitRow {
    pub id: String,
    /// 0 for the root.
    pub depth: usize,
    pub accounts: Vec<Account>,
}

impl UnitRow {
    pub fn is_root(&self) -> bool {
        self.depth == 0
    }
}

/// Every unit from the root down, each below its parent (depth first); the units of one level
/// are read side by side.
pub async fn units<A: Org>(aws: &A) -> Result<Vec<UnitRow>, EngineError> {
    let org = |error| EngineError::Aws {
        step: Step::Organization,
        error,
    };
    let root = aws.root().await.map_err(org)?;
    // Each unit's children, read level by level, then laid out depth first.
    let mut children: std::collections::BTreeMap<String, (Vec<Account>, Vec<String>)> =
        std::collections::BTreeMap::new();
    let mut level = vec![root.clone()];
    while !level.is_empty() {
        let answers = futures_util::future::join_all(level.iter().map(|u| aws.children(u))).await;
        let mut next = Vec::new();
        for (unit, answer) in level.iter().zip(answers) {
            let c = answer.map_err(org)?;
            // A unit seen twice (a cycle AWS would never give) is not walked again.
            let fresh: Vec<String> = c
                .units
                .iter()
                .filter(|u| !children.contains_key(*u) && *u != unit)
                .cloned()
                .collect();
            next.extend(fresh.iter().cloned());
            children.insert(unit.clone(), (c.accounts, fresh));
        }
        level = next;
    }
    let mut rows = Vec::new();
    let mut stack = vec![(root, 0)];
    while let Some((id, depth)) = stack.pop() {
        let (accounts, units) = children.remove(&id).unwrap_or_default();
        for u in units.iter().rev() {
            stack.push((u.clone(), depth + 1));
        }
        rows.push(UnitRow {
            id,
            depth,
            accounts,
        });
    }
    Ok(rows)
}
