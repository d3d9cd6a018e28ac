//! Rollout invariants, checked whenever the cluster is quiet (after every instant) while
//! a Deployment rolls from one complete state to a new template:
//!
//! * RollingUpdate: the ReplicaSets never ask for, and never run, more than
//!   `replicas + maxSurge` pods; and at least `replicas − maxUnavailable` pods stay
//!   available, unless something other than the controller took availability away
//!   (a ReplicaSet lost more available pods than it was scaled down by: a crash, an
//!   evicted or deleted pod, a node gone), after which the availability check is off
//!   until the rollout completes.
//! * Recreate: the new ReplicaSet has no replicas while old ones still have pods.
//!
//! A violation becomes a message the runner reports as a failed check; the simulation
//! goes on. Rollouts that start from an incomplete state, scaling, and paused
//! Deployments are not checked (Kubernetes promises nothing there).

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};

use crate::api::{Kind, Store};
use crate::controllers::deployment::util::{
    deployment_complete, max_surge, min_available, paused, replicas, rs_available, rs_replicas,
    rs_status_replicas, strategy_type,
};
use crate::hash::HashMap;
use crate::time::format_clock;

#[derive(Default)]
pub struct RolloutChecker {
    /// Per Deployment uid.
    tracked: HashMap<String, Tracked>,
    violations: Vec<String>,
}

#[derive(Default)]
struct Tracked {
    /// `replicas` when the Deployment was last seen complete.
    complete_at: Option<i32>,
    /// Per ReplicaSet uid: (spec replicas, available) when last seen complete, so that
    /// pods lost at the very instant a rollout seems to start (an eviction, a crash)
    /// count as a disturbance rather than as the controller's doing.
    complete_counts: HashMap<String, (i32, i32)>,
    rollout: Option<Rollout>,
}

struct Rollout {
    strategy: String,
    replicas: i32,
    max_total: i32,
    min_available: i32,
    /// Availability was taken away by something other than the controller.
    disturbed: bool,
    /// Per ReplicaSet uid: (spec replicas, available) at the previous check.
    previous: HashMap<String, (i32, i32)>,
    /// One report per rollout is enough.
    reported: bool,
}

impl RolloutChecker {
    /// Checks every Deployment of the store (called when the cluster is quiet).
    pub fn check(&mut self, store: &Store) {
        let mut seen = Vec::new();
        for d in store.list::<Deployment>(None) {
            let Some(uid) = d.metadata.uid.clone() else { continue };
            seen.push(uid.clone());
            let tracked = self.tracked.entry(uid).or_default();
            if let Some(violation) = check_one(tracked, d, store) {
                self.violations.push(violation);
            }
        }
        self.tracked.retain(|uid, _| seen.contains(uid));
    }

    pub fn take_violations(&mut self) -> Vec<String> {
        std::mem::take(&mut self.violations)
    }
}

fn check_one(tracked: &mut Tracked, d: &Deployment, store: &Store) -> Option<String> {
    let status = d.status.clone().unwrap_or_default();
    let strategy = strategy_type(d).to_string();
    if paused(d) {
        *tracked = Tracked::default();
        return None;
    }
    if deployment_complete(d, &status) {
        tracked.rollout = None;
        tracked.complete_at = Some(replicas(d));
        tracked.complete_counts = replica_set_counts(&replica_sets(d, store));
        return None;
    }
    let changed_shape = tracked.rollout.as_ref().is_some_and(|r| {
        r.replicas != replicas(d) || r.strategy != strategy || r.max_total != replicas(d) + max_surge(d)
    });
    if changed_shape {
        *tracked = Tracked::default();
        return None;
    }
    if tracked.rollout.is_none() {
        if tracked.complete_at != Some(replicas(d)) {
            return None;
        }
        tracked.rollout = Some(Rollout {
            strategy: strategy.clone(),
            replicas: replicas(d),
            max_total: replicas(d) + max_surge(d),
            min_available: min_available(d),
            disturbed: false,
            previous: std::mem::take(&mut tracked.complete_counts),
            reported: false,
        });
    }
    let rollout = tracked.rollout.as_mut().expect("set above");
    let rss = replica_sets(d, store);
    let mut current = HashMap::default();
    for rs in &rss {
        let uid = rs.metadata.uid.clone().unwrap_or_default();
        let (spec, available) = (rs_replicas(rs), rs_available(rs));
        if let Some(&(prev_spec, prev_available)) = rollout.previous.get(&uid)
            && prev_available - available > (prev_spec - spec).max(0)
        {
            rollout.disturbed = true;
        }
        current.insert(uid, (spec, available));
    }
    rollout.previous = current;
    if rollout.reported {
        return None;
    }
    let name = format!(
        "deployment {}/{}",
        d.metadata.namespace.as_deref().unwrap_or(""),
        d.metadata.name.as_deref().unwrap_or("")
    );
    let at = format_clock(store.now);
    let violation =
        if strategy == "Recreate" { recreate_violation(d, &rss) } else { rolling_violation(rollout, &rss) };
    violation.map(|v| {
        rollout.reported = true;
        format!("rollout invariant broken at t={at}: {name}: {v}")
    })
}

/// (spec replicas, available) per ReplicaSet uid.
fn replica_set_counts(rss: &[&ReplicaSet]) -> HashMap<String, (i32, i32)> {
    rss.iter()
        .map(|rs| (rs.metadata.uid.clone().unwrap_or_default(), (rs_replicas(rs), rs_available(rs))))
        .collect()
}

fn rolling_violation(rollout: &Rollout, rss: &[&ReplicaSet]) -> Option<String> {
    let asked: i32 = rss.iter().map(|rs| rs_replicas(rs)).sum();
    let running: i32 = rss.iter().map(|rs| rs_status_replicas(rs)).sum();
    let available: i32 = rss.iter().map(|rs| rs_available(rs)).sum();
    if asked > rollout.max_total || running > rollout.max_total {
        return Some(format!(
            "its ReplicaSets want {asked} and run {running} pods, more than replicas + maxSurge = {}",
            rollout.max_total
        ));
    }
    if !rollout.disturbed && available < rollout.min_available {
        return Some(format!(
            "{available} pods available, fewer than replicas − maxUnavailable = {}",
            rollout.min_available
        ));
    }
    None
}

fn recreate_violation(d: &Deployment, rss: &[&ReplicaSet]) -> Option<String> {
    let template = d.spec.as_ref().map(|s| &s.template)?;
    let is_new = |rs: &ReplicaSet| {
        rs.spec
            .as_ref()
            .and_then(|s| s.template.as_ref())
            .is_some_and(|t| crate::controllers::deployment::util::equal_ignore_hash(t, template))
    };
    let old_pods: i32 = rss.iter().filter(|rs| !is_new(rs)).map(|rs| rs_status_replicas(rs)).sum();
    let new_wanted: i32 = rss.iter().filter(|rs| is_new(rs)).map(|rs| rs_replicas(rs)).sum();
    (old_pods > 0 && new_wanted > 0)
        .then(|| format!("the new ReplicaSet wants {new_wanted} pods while {old_pods} old pods still run"))
}

/// The ReplicaSets the Deployment controls.
fn replica_sets<'a>(d: &Deployment, store: &'a Store) -> Vec<&'a ReplicaSet> {
    let uid = d.metadata.uid.as_deref().unwrap_or("");
    store
        .dependents_of(uid)
        .into_iter()
        .filter(|(kind, _)| *kind == Kind::ReplicaSet)
        .filter_map(|(_, key)| store.get_by_key::<ReplicaSet>(&key))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rs(uid: &str, spec: i32, status: i32, available: i32) -> ReplicaSet {
        serde_json::from_value(json!({
            "metadata": {"uid": uid},
            "spec": {"replicas": spec, "selector": {}},
            "status": {"replicas": status, "availableReplicas": available},
        }))
        .unwrap()
    }

    fn rollout() -> Rollout {
        Rollout {
            strategy: "RollingUpdate".into(),
            replicas: 4,
            max_total: 5,
            min_available: 3,
            disturbed: false,
            previous: HashMap::default(),
            reported: false,
        }
    }

    #[test]
    fn surge_and_availability_bounds() {
        let (old, new) = (rs("a", 3, 3, 3), rs("b", 2, 2, 0));
        assert_eq!(rolling_violation(&rollout(), &[&old, &new]), None);
        let (old, new) = (rs("a", 4, 4, 4), rs("b", 2, 2, 0));
        assert!(
            rolling_violation(&rollout(), &[&old, &new])
                .unwrap()
                .contains("more than replicas + maxSurge = 5")
        );
        let (old, new) = (rs("a", 2, 2, 2), rs("b", 2, 2, 0));
        assert!(
            rolling_violation(&rollout(), &[&old, &new])
                .unwrap()
                .contains("fewer than replicas − maxUnavailable = 3")
        );
        let mut disturbed = rollout();
        disturbed.disturbed = true;
        assert_eq!(rolling_violation(&disturbed, &[&old, &new]), None);
    }
}
