//! The RollingUpdate strategy (`pkg/controller/daemon/update.go`, `rollingUpdate`).
//!
//! `maxUnavailable` and `maxSurge` are scaled from the number of nodes that should run a
//! pod, both rounding **up**; if both come out 0, one pod may be unavailable. Without
//! surge, old pods are deleted while fewer than `maxUnavailable` nodes lack an available
//! pod (old pods that are not available go at once), and `manage` recreates them from
//! the new template. With surge, a new pod starts beside an old one on up to `maxSurge`
//! nodes and the old pod goes once the new one is available. Upstream walks the nodes
//! in Go map order (random); here they go in name order. Only nodes that have daemon
//! pods are looked at, as upstream iterates its node → pods map.

use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::{DaemonPod, Ds, NodeFacts, NodePods};
use crate::controllers::deployment::util::scaled_value;
use crate::time::Millis;

/// `updatedDesiredNodeCounts`: (maxSurge, maxUnavailable).
pub fn desired_counts(nodes: &[NodeFacts], unavailable: &IntOrString, surge: &IntOrString) -> (i32, i32) {
    let desired = nodes.iter().filter(|n| n.placement.should_run).count() as i32;
    let mut max_unavailable = scaled_value(unavailable, desired, true).unwrap_or(0);
    let max_surge = scaled_value(surge, desired, true).unwrap_or(0);
    if desired > 0 && max_unavailable == 0 && max_surge == 0 {
        max_unavailable = 1;
    }
    (max_surge, max_unavailable)
}

/// `findUpdatedPodsOnNode`: the node's one new and one old pod (not being deleted);
/// `None` when it has two of either.
fn updated_and_old(pods: &[DaemonPod]) -> Option<(Option<&DaemonPod>, Option<&DaemonPod>)> {
    let (mut new, mut old) = (None, None);
    for pod in pods.iter().filter(|p| !p.deleting) {
        let slot = if pod.updated { &mut new } else { &mut old };
        if slot.is_some() {
            return None;
        }
        *slot = Some(pod);
    }
    Some((new, old))
}

/// Pods to delete and nodes to create a new pod on.
pub fn plan(
    ds: &Ds,
    nodes: &[NodeFacts],
    pods: &NodePods,
    unavailable: &IntOrString,
    surge: &IntOrString,
    now: Millis,
) -> (Vec<String>, Vec<String>) {
    let (max_surge, max_unavailable) = desired_counts(nodes, unavailable, surge);
    let available = |p: &DaemonPod| p.available(ds.min_ready_seconds, now);
    // Nodes come in name order (the store lists them so).
    let should_run = |name: &str| {
        nodes.binary_search_by(|n| n.name.as_str().cmp(name)).is_ok_and(|i| nodes[i].placement.should_run)
    };
    if max_surge == 0 {
        let mut num_unavailable = 0;
        let mut delete_now = Vec::new();
        let mut candidates = Vec::new();
        for on_node in pods.values() {
            let Some((new, old)) = updated_and_old(on_node) else {
                num_unavailable += 1;
                continue;
            };
            match (new, old) {
                (None, None) | (Some(_), Some(_)) => num_unavailable += 1,
                (Some(new), None) => num_unavailable += i32::from(!available(new)),
                (None, Some(old)) => {
                    if !available(old) {
                        delete_now.push(old.name.clone());
                    } else {
                        candidates.push(old.name.clone());
                    }
                }
            }
        }
        let room = (max_unavailable - num_unavailable).max(0) as usize;
        delete_now.extend(candidates.into_iter().take(room));
        return (delete_now, Vec::new());
    }
    let mut num_surge = 0;
    let mut delete = Vec::new();
    let mut create_now = Vec::new();
    let mut candidates = Vec::new();
    for (node, on_node) in pods {
        let Some((new, old)) = updated_and_old(on_node) else {
            num_surge += 1;
            continue;
        };
        match (new, old) {
            (_, None) => {}
            (None, Some(old)) => {
                if !should_run(node) {
                    continue;
                }
                if !available(old) {
                    create_now.push(node.clone());
                } else {
                    candidates.push(node.clone());
                }
            }
            (Some(new), Some(old)) => {
                if !available(new) {
                    num_surge += 1;
                } else {
                    delete.push(old.name.clone());
                }
            }
        }
    }
    let room = (max_surge - num_surge).max(0) as usize;
    create_now.extend(candidates.into_iter().take(room));
    (delete, create_now)
}
