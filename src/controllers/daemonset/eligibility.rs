//! Which nodes a DaemonSet's pods belong on (`NodeShouldRunDaemonPod`,
//! `pkg/controller/daemon/daemon_controller.go`) and the tolerations the controller adds
//! to every daemon pod (`util.AddOrUpdateDaemonPodTolerations`).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Node, NodeSelectorRequirement, PodSpec, Taint, Toleration};

use crate::api::stored_pod::StoredPod;
use crate::sim::scheduler::tolerates;

/// `(shouldRun, shouldContinueRunning)` for one node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Placement {
    pub should_run: bool,
    pub should_continue: bool,
}

const NO: Placement = Placement { should_run: false, should_continue: false };

/// The taint keys daemon pods tolerate by themselves, with the effect, in the order
/// `AddOrUpdateDaemonPodTolerations` adds them. The last one only for `hostNetwork`.
const DAEMON_TOLERATIONS: &[(&str, &str)] = &[
    ("node.kubernetes.io/not-ready", "NoExecute"),
    ("node.kubernetes.io/unreachable", "NoExecute"),
    ("node.kubernetes.io/disk-pressure", "NoSchedule"),
    ("node.kubernetes.io/memory-pressure", "NoSchedule"),
    ("node.kubernetes.io/pid-pressure", "NoSchedule"),
    ("node.kubernetes.io/unschedulable", "NoSchedule"),
];
const NETWORK_UNAVAILABLE: (&str, &str) = ("node.kubernetes.io/network-unavailable", "NoSchedule");

/// The template's tolerations plus the daemon ones (`operator: Exists`, no
/// tolerationSeconds), an identical toleration not added twice.
pub fn daemon_tolerations(spec: Option<&PodSpec>) -> Vec<Toleration> {
    let mut out: Vec<Toleration> = spec.and_then(|s| s.tolerations.clone()).unwrap_or_default();
    let host_network = spec.and_then(|s| s.host_network).unwrap_or(false);
    let extra = host_network.then_some(NETWORK_UNAVAILABLE);
    for &(key, effect) in DAEMON_TOLERATIONS.iter().chain(extra.iter()) {
        let t = Toleration {
            key: Some(key.into()),
            operator: Some("Exists".into()),
            effect: Some(effect.into()),
            ..Default::default()
        };
        if !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

/// `NodeShouldRunDaemonPod`: the template's `nodeName`, `nodeSelector` and required node
/// affinity must admit the node; an untolerated NoSchedule/NoExecute taint stops new
/// pods, an untolerated NoExecute taint also removes running ones. Cordoning is not
/// checked (daemon pods tolerate `unschedulable`).
pub fn should_run(node: &Node, spec: Option<&PodSpec>, tolerations: &[Toleration]) -> Placement {
    let name = node.metadata.name.as_deref().unwrap_or("");
    let empty = BTreeMap::new();
    let labels = node.metadata.labels.as_ref().unwrap_or(&empty);
    if let Some(wanted) = spec.and_then(|s| s.node_name.as_deref()).filter(|n| !n.is_empty())
        && wanted != name
    {
        return NO;
    }
    if let Some(selector) = spec.and_then(|s| s.node_selector.as_ref())
        && selector.iter().any(|(k, v)| labels.get(k) != Some(v))
    {
        return NO;
    }
    if !required_affinity_matches(spec, name, labels) {
        return NO;
    }
    let mut placement = Placement { should_run: true, should_continue: true };
    for taint in node.spec.as_ref().and_then(|s| s.taints.as_deref()).unwrap_or_default() {
        if !matches!(taint.effect.as_str(), "NoSchedule" | "NoExecute") || tolerates(tolerations, taint) {
            continue;
        }
        placement.should_run = false;
        if taint.effect == "NoExecute" {
            placement.should_continue = false;
        }
    }
    placement
}

/// Required node affinity: any term matches (all of its expressions and fields).
fn required_affinity_matches(spec: Option<&PodSpec>, name: &str, labels: &BTreeMap<String, String>) -> bool {
    let Some(required) = spec
        .and_then(|s| s.affinity.as_ref())
        .and_then(|a| a.node_affinity.as_ref())
        .and_then(|a| a.required_during_scheduling_ignored_during_execution.as_ref())
    else {
        return true;
    };
    required.node_selector_terms.iter().any(|term| {
        let exprs = term.match_expressions.as_deref().unwrap_or_default();
        let fields = term.match_fields.as_deref().unwrap_or_default();
        if exprs.is_empty() && fields.is_empty() {
            return false;
        }
        exprs.iter().all(|r| requirement_matches(r, labels.get(&r.key).map(String::as_str)))
            && fields.iter().all(|r| {
                let value = (r.key == "metadata.name").then_some(name);
                requirement_matches(r, value)
            })
    })
}

/// One node selector requirement against a label (or field) value.
pub fn requirement_matches(r: &NodeSelectorRequirement, value: Option<&str>) -> bool {
    let values = r.values.as_deref().unwrap_or_default();
    match r.operator.as_str() {
        "In" => value.is_some_and(|v| values.iter().any(|x| x == v)),
        "NotIn" => value.is_none_or(|v| !values.iter().any(|x| x == v)),
        "Exists" => value.is_some(),
        "DoesNotExist" => value.is_none(),
        "Gt" | "Lt" => {
            let (Some(v), Some(bound)) = (
                value.and_then(|v| v.parse::<i64>().ok()),
                values.first().and_then(|b| b.parse::<i64>().ok()),
            ) else {
                return false;
            };
            if r.operator == "Gt" { v > bound } else { v < bound }
        }
        _ => false,
    }
}

/// The node a daemon pod targets: its binding, or else the node its required affinity
/// pins it to (`util.GetTargetNodeName`).
pub fn target_node(pod: &StoredPod) -> Option<String> {
    if let Some(n) = pod.bound_node() {
        return Some(n.to_string());
    }
    pinned_node(pod.spec_sans_per_pod_parts()?).map(str::to_string)
}

/// The single node a `matchFields metadata.name In [node]` term names, as the DaemonSet
/// controller writes it (`ReplaceDaemonSetPodNodeNameNodeAffinity`).
pub fn pinned_node(spec: &PodSpec) -> Option<&str> {
    let terms = &spec
        .affinity
        .as_ref()?
        .node_affinity
        .as_ref()?
        .required_during_scheduling_ignored_during_execution
        .as_ref()?
        .node_selector_terms;
    let [term] = terms.as_slice() else { return None };
    let [field] = term.match_fields.as_deref()? else { return None };
    if field.key != "metadata.name" || field.operator != "In" {
        return None;
    }
    match field.values.as_deref()? {
        [one] => Some(one.as_str()),
        _ => None,
    }
}

/// A NoSchedule taint, for tests and callers that build one.
pub fn taint(key: &str, effect: &str) -> Taint {
    Taint { key: key.into(), effect: effect.into(), ..Default::default() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::NodeSpec;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

    fn node(labels: &[(&str, &str)], taints: Vec<Taint>) -> Node {
        Node {
            metadata: ObjectMeta {
                name: Some("n1".into()),
                labels: Some(labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()),
                ..Default::default()
            },
            spec: Some(NodeSpec { taints: Some(taints), ..Default::default() }),
            status: None,
        }
    }

    #[test]
    fn selector_and_taints_decide() {
        let spec = PodSpec {
            node_selector: Some([("disk".to_string(), "ssd".to_string())].into()),
            ..Default::default()
        };
        let tol = daemon_tolerations(Some(&spec));
        assert!(!should_run(&node(&[], vec![]), Some(&spec), &tol).should_run);
        assert!(should_run(&node(&[("disk", "ssd")], vec![]), Some(&spec), &tol).should_run);
        let master = taint("node-role.kubernetes.io/master", "NoSchedule");
        let p = should_run(&node(&[("disk", "ssd")], vec![master]), Some(&spec), &tol);
        assert_eq!(p, Placement { should_run: false, should_continue: true });
        let exec = taint("dedicated", "NoExecute");
        let p = should_run(&node(&[("disk", "ssd")], vec![exec]), Some(&spec), &tol);
        assert_eq!(p, NO);
        // Daemon pods tolerate unreachable and unschedulable by themselves.
        let down = vec![
            taint("node.kubernetes.io/unreachable", "NoExecute"),
            taint("node.kubernetes.io/unschedulable", "NoSchedule"),
        ];
        assert!(should_run(&node(&[("disk", "ssd")], down), Some(&spec), &tol).should_run);
    }

    #[test]
    fn tolerations_in_upstream_order() {
        let tol = daemon_tolerations(None);
        let keys: Vec<&str> = tol.iter().map(|t| t.key.as_deref().unwrap()).collect();
        assert_eq!(keys[0], "node.kubernetes.io/not-ready");
        assert_eq!(keys.len(), 6);
        let spec = PodSpec { host_network: Some(true), ..Default::default() };
        assert_eq!(daemon_tolerations(Some(&spec)).len(), 7);
    }
}
