//! The proposal as configuration JSON: the policy in force (or an empty one)
//! with each project's lists switched to `listed` and the proposed entries
//! added. A list switched on here stays in dry run, so applying a proposal
//! never starts enforcing by itself.

use serde_json::{json, Map, Value};

use super::proposal::{Existing, ProjectProposal, Proposed};

/// What became of one project's settings.
#[derive(Debug, Default)]
pub struct Applied {
    /// Lists this proposal switched from `all` to `listed`.
    pub switched: Vec<&'static str>,
    /// Lists enforced today that the proposal adds entries to: those
    /// callers are let in as soon as it is applied.
    pub grown_enforced: Vec<&'static str>,
    /// The condition was set to `or`: browser and server callers both pass.
    pub condition_or: bool,
    /// Both lists are listed under `and`, as the policy had it.
    pub and_kept: bool,
}

/// A project's settings in the policy (the top level without `projects`).
fn settings<'p>(policy: &'p Value, id: &str) -> Option<&'p Value> {
    match policy.get("projects") {
        Some(projects) => projects.get("policies")?.get(id),
        None => Some(policy),
    }
}

/// The entries a project's listed lists hold.
pub fn existing(policy: &Value, id: &str) -> Existing {
    let values = |key: &str, entry_key: &str| -> Vec<String> {
        let list = settings(policy, id).and_then(|s| s.get(key));
        let listed = list.and_then(|l| l.get("mode")).and_then(Value::as_str) == Some("listed");
        let allowed = list
            .and_then(|l| l.get("allowed"))
            .and_then(Value::as_array);
        allowed
            .filter(|_| listed)
            .into_iter()
            .flatten()
            .filter_map(|entry| entry.get(entry_key)?.as_str().map(str::to_string))
            .collect()
    };
    Existing {
        domains: values("domains", "domain"),
        ips: values("source_ips", "ip"),
    }
}

/// Applies one project's proposal to `policy` (an object); `None` when the
/// policy has `projects` and this project is not among them.
pub fn apply(policy: &mut Value, proposal: &ProjectProposal) -> Option<Applied> {
    let global_dry_run = policy.get("dry_run").and_then(Value::as_bool) == Some(true);
    let settings = if policy.get("projects").is_some() {
        policy
            .get_mut("projects")?
            .get_mut("policies")?
            .get_mut(&proposal.id)?
    } else {
        policy
    };
    let settings = settings.as_object_mut()?;
    let mut applied = Applied::default();
    for (key, entry_key, proposed) in [
        ("domains", "domain", &proposal.sites),
        ("source_ips", "ip", &proposal.networks),
    ] {
        if proposed.is_empty() {
            continue;
        }
        match add_entries(settings, key, entry_key, proposed, global_dry_run) {
            Change::SwitchedOn => applied.switched.push(key),
            Change::Grown { enforced: true } => applied.grown_enforced.push(key),
            Change::Grown { enforced: false } => {}
        }
    }
    let listed = |key: &str| {
        settings
            .get(key)
            .and_then(|l| l.get("mode"))
            .and_then(Value::as_str)
            == Some("listed")
    };
    if !(listed("domains") && listed("source_ips")) {
        return Some(applied);
    }
    // `or` only when both lists are switched on here: over a list enforced
    // today it would let in anyone who passes the other (a forged Origin).
    if applied.switched.len() == 2 {
        settings.insert("condition".into(), json!("or"));
        applied.condition_or = true;
    } else {
        applied.and_kept = settings.get("condition").and_then(Value::as_str) != Some("or");
    }
    Some(applied)
}

enum Change {
    SwitchedOn,
    Grown { enforced: bool },
}

/// Adds entries to a list, switching it on if it is in mode `all`.
fn add_entries(
    settings: &mut Map<String, Value>,
    key: &str,
    entry_key: &str,
    proposed: &[Proposed],
    global_dry_run: bool,
) -> Change {
    let entries = proposed
        .iter()
        .map(|p| json!({"name": p.name, entry_key: p.value}));
    let list = settings.entry(key).or_insert_with(|| json!({}));
    let listed = list.get("mode").and_then(Value::as_str) == Some("listed");
    let dry_run = global_dry_run || list.get("dry_run").and_then(Value::as_bool) == Some(true);
    match list.get_mut("allowed").and_then(Value::as_array_mut) {
        Some(allowed) if listed => {
            allowed.extend(entries);
            return Change::Grown { enforced: !dry_run };
        }
        _ => {
            let mut switched = Map::new();
            switched.insert("mode".into(), json!("listed"));
            if !global_dry_run {
                switched.insert("dry_run".into(), json!(true));
            }
            switched.insert("allowed".into(), Value::Array(entries.collect()));
            *list = Value::Object(switched);
        }
    }
    Change::SwitchedOn
}

#[cfg(test)]
mod tests {
    use super::super::frequent::Seen;
    use super::*;

    fn entry(value: &str) -> Proposed {
        Proposed {
            name: value.into(),
            value: value.into(),
            seen: Seen {
                count: 1,
                first: None,
                last: None,
                extra: (),
            },
            covers: Vec::new(),
        }
    }

    #[test]
    fn lists_switch_on_in_dry_run_and_listed_ones_grow() {
        let proposal = ProjectProposal {
            id: String::new(),
            sites: vec![entry("https://app.example.com")],
            networks: vec![entry("198.51.100.0/28")],
            ..Default::default()
        };
        let mut policy = json!({"max_entries": 30});
        let applied = apply(&mut policy, &proposal).unwrap();
        assert_eq!(applied.switched, ["domains", "source_ips"]);
        assert!(applied.condition_or);
        assert_eq!(policy["domains"]["dry_run"], json!(true));
        assert_eq!(
            policy["source_ips"]["allowed"][0]["ip"],
            json!("198.51.100.0/28")
        );
        assert_eq!(policy["condition"], json!("or"));

        let mut policy = json!({"dry_run": true, "condition": "and",
            "domains": {"mode": "listed", "allowed": [{"domain": "old.example.com"}]},
            "source_ips": {"mode": "listed", "allowed": [{"ip": "203.0.113.0/24"}]}});
        let applied = apply(&mut policy, &proposal).unwrap();
        assert!(
            applied.switched.is_empty() && !applied.condition_or,
            "the user's condition stands"
        );
        assert!(applied.and_kept && applied.grown_enforced.is_empty());
        assert_eq!(policy["domains"]["allowed"].as_array().unwrap().len(), 2);
        assert_eq!(
            policy["domains"].get("dry_run"),
            None,
            "the global dry run covers it"
        );
    }

    #[test]
    fn a_project_the_policy_does_not_hold_is_reported() {
        let proposal = ProjectProposal {
            id: "gone".into(),
            sites: vec![entry("https://app.example.com")],
            ..Default::default()
        };
        let mut policy =
            json!({"projects": {"from": {"header": "x-project-id"}, "policies": {"shop": {}}}});
        assert!(apply(&mut policy, &proposal).is_none());
    }

    #[test]
    fn an_enforced_list_keeps_its_condition_when_the_other_is_switched_on() {
        let proposal = ProjectProposal {
            id: String::new(),
            sites: vec![entry("https://app.example.com")],
            networks: vec![entry("203.0.113.0/28")],
            ..Default::default()
        };
        let mut policy = json!({"condition": "and", "domains": {"mode": "all", "dry_run": true},
            "source_ips": {"mode": "listed", "allowed": [{"ip": "198.51.100.0/24"}]}});
        let applied = apply(&mut policy, &proposal).unwrap();
        assert_eq!(applied.switched, ["domains"]);
        assert_eq!(applied.grown_enforced, ["source_ips"]);
        assert!(!applied.condition_or && applied.and_kept);
        assert_eq!(policy["condition"], json!("and"));
        assert_eq!(
            existing(&policy, "").ips,
            ["198.51.100.0/24", "203.0.113.0/28"]
        );
    }
}
