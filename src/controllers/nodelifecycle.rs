//! Node lifecycle (`pkg/controller/nodelifecycle`): a node whose kubelet stops posting
//! status turns `NotReady` (Ready=Unknown) after the monitor grace period and is tainted
//! `node.kubernetes.io/unreachable`; the taint manager then evicts its pods once their
//! NoExecute tolerations run out. When heartbeats resume, the node is Ready again and
//! the taints go.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Node, NodeCondition, Pod, Taint};

use crate::api::event::EventType;
use crate::api::store::{DeleteOptions, involved, involved_pod};
use crate::api::{ObjKey, Store};
use crate::constants;
use crate::sim::queue::TimerQueue;
use crate::sim::scheduler::tolerates;
use crate::time::{Millis, SECOND};

#[derive(Clone, Debug)]
pub enum NodeTimer {
    /// The grace period of a silent node ran out.
    GraceExpired { node: String, since: Millis },
    /// A pod's toleration of the unreachable taint ran out.
    Evict { node: String, pod: ObjKey, since: Millis },
    /// PodGC's pass after a node object was deleted: its pods are force-deleted.
    OrphanPods { node: String },
}

pub type NodeTimers = TimerQueue<NodeTimer>;

pub const UNREACHABLE: &str = "node.kubernetes.io/unreachable";
pub const UNSCHEDULABLE: &str = "node.kubernetes.io/unschedulable";

#[derive(Default)]
pub struct NodeLifecycle {
    /// Nodes whose kubelet is silent, with the time it went silent.
    silent: BTreeMap<String, Millis>,
    /// Nodes with a kubelet, with the time it last started: the node joined, or its
    /// machine came back up.
    started: BTreeMap<String, Millis>,
}

impl NodeLifecycle {
    /// A node's kubelet registered it and starts its heartbeats.
    pub fn node_joined(&mut self, node: &str, now: Millis) {
        self.started.insert(node.to_string(), now);
    }

    /// When the node's kubelet last started, and when it went silent if it is silent now
    /// (`None` for a node no kubelet runs on).
    pub fn kubelet_uptime(&self, node: &str) -> Option<(Millis, Option<Millis>)> {
        let started = *self.started.get(node)?;
        Some((started, self.silent.get(node).copied()))
    }

    pub fn node_down(&mut self, node: &str, store: &Store, timers: &mut NodeTimers) {
        let now = store.now;
        self.silent.insert(node.to_string(), now);
        timers.push(
            now + constants::NODE_MONITOR_GRACE_MS + constants::NODE_MONITOR_PERIOD_MS,
            NodeTimer::GraceExpired { node: node.to_string(), since: now },
        );
    }

    pub fn node_up(&mut self, node: &str, store: &mut Store) {
        if self.silent.remove(node).is_some() {
            self.started.insert(node.to_string(), store.now);
        }
        let Some(mut obj) = store.get::<Node>("", node).cloned() else { return };
        let now = store.clock.time(store.now);
        let status = obj.status.get_or_insert_with(Default::default);
        for c in status.conditions.iter_mut().flatten() {
            if c.type_ == "Ready" {
                if c.status != "True" {
                    *c = ready_condition(now.clone());
                }
            } else if c.status == "Unknown" {
                c.status = "False".into();
                c.last_transition_time = Some(now.clone());
                c.last_heartbeat_time = Some(now.clone());
            }
        }
        if let Some(spec) = obj.spec.as_mut()
            && let Some(taints) = spec.taints.as_mut()
        {
            taints.retain(|t| t.key != UNREACHABLE);
            if taints.is_empty() {
                spec.taints = None;
            }
        }
        let who = involved(&obj);
        let _ = store.update(obj);
        store.record_event(
            who,
            EventType::Normal,
            "NodeReady",
            format!("Node {node} status is now: NodeReady"),
            "kubelet",
            Some(node.to_string()),
        );
    }

    /// The Node object is gone: PodGC force-deletes its pods once they have been
    /// orphaned for the quarantine period, on its 20 s tick
    /// (`pkg/controller/podgc/gc_controller.go`).
    pub fn node_deleted(&mut self, node: &str, store: &Store, timers: &mut NodeTimers) {
        self.silent.remove(node);
        self.started.remove(node);
        let due = store.now + constants::POD_GC_QUARANTINE_MS;
        let tick = due.div_ceil(constants::POD_GC_PERIOD_MS) * constants::POD_GC_PERIOD_MS;
        timers.push(tick, NodeTimer::OrphanPods { node: node.to_string() });
    }

    pub fn handle(&mut self, timer: NodeTimer, store: &mut Store, timers: &mut NodeTimers) {
        match timer {
            NodeTimer::OrphanPods { node } => {
                if store.get::<Node>("", &node).is_some() {
                    return;
                }
                let pods: Vec<ObjKey> = store
                    .pods_on_node(&node)
                    .into_iter()
                    .map(|p| {
                        (
                            p.metadata.namespace.clone().unwrap_or_default(),
                            p.metadata.name.clone().unwrap_or_default(),
                        )
                    })
                    .collect();
                for (ns, name) in pods {
                    let opts = DeleteOptions { grace_seconds: Some(0), propagation: None };
                    let _ = store.delete::<Pod>(&ns, &name, opts);
                }
            }
            NodeTimer::GraceExpired { node, since } => {
                if self.silent.get(&node) == Some(&since) {
                    self.mark_unreachable(&node, since, store, timers);
                }
            }
            NodeTimer::Evict { node, pod, since } => {
                if self.silent.get(&node) != Some(&since) {
                    return;
                }
                let Some(p) = store.stored_pod(&pod) else { return };
                if p.metadata.deletion_timestamp.is_some() {
                    return;
                }
                let who = involved_pod(p);
                let _ = store.delete::<Pod>(&pod.0, &pod.1, DeleteOptions::default());
                store.record_event(
                    who,
                    EventType::Normal,
                    "TaintManagerEviction",
                    format!("Marking for deletion Pod {}/{}", pod.0, pod.1),
                    "taint-controller",
                    None,
                );
            }
        }
    }

    fn mark_unreachable(&mut self, node: &str, since: Millis, store: &mut Store, timers: &mut NodeTimers) {
        let Some(mut obj) = store.get::<Node>("", node).cloned() else { return };
        let now = store.now;
        let now_time = store.clock.time(now);
        let status = obj.status.get_or_insert_with(Default::default);
        for c in status.conditions.iter_mut().flatten() {
            c.status = "Unknown".into();
            c.reason = Some("NodeStatusUnknown".into());
            c.message = Some("Kubelet stopped posting node status.".into());
            c.last_transition_time = Some(now_time.clone());
        }
        let spec = obj.spec.get_or_insert_with(Default::default);
        let taints = spec.taints.get_or_insert_with(Vec::new);
        for effect in ["NoSchedule", "NoExecute"] {
            if !taints.iter().any(|t| t.key == UNREACHABLE && t.effect == effect) {
                taints.push(Taint {
                    key: UNREACHABLE.into(),
                    effect: effect.into(),
                    time_added: if effect == "NoExecute" { Some(now_time.clone()) } else { None },
                    value: None,
                });
            }
        }
        let who = involved(&obj);
        let _ = store.update(obj);
        store.record_event(
            who,
            EventType::Normal,
            "NodeNotReady",
            format!("Node {node} status is now: NodeNotReady"),
            "node-controller",
            None,
        );
        mark_pods_not_ready(node, store);
        let taint = Taint { key: UNREACHABLE.into(), effect: "NoExecute".into(), ..Default::default() };
        let pods: Vec<(ObjKey, Option<i64>, bool)> = store
            .pods_on_node(node)
            .into_iter()
            .map(|p| {
                let tolerations =
                    p.spec_sans_per_pod_parts().and_then(|s| s.tolerations.clone()).unwrap_or_default();
                let seconds = tolerations
                    .iter()
                    .filter(|t| tolerates(std::slice::from_ref(t), &taint))
                    .filter_map(|t| t.toleration_seconds)
                    .min();
                let tolerated = tolerates(&tolerations, &taint);
                (
                    (
                        p.metadata.namespace.clone().unwrap_or_default(),
                        p.metadata.name.clone().unwrap_or_default(),
                    ),
                    seconds,
                    tolerated,
                )
            })
            .collect();
        for (pod, seconds, tolerated) in pods {
            let delay = match (tolerated, seconds) {
                (false, _) => Some(0),
                (true, Some(s)) => Some(s.max(0) as Millis * SECOND),
                (true, None) => None,
            };
            if let Some(delay) = delay {
                timers.push(now + delay, NodeTimer::Evict { node: node.to_string(), pod, since });
            }
        }
    }
}

/// `MarkPodsNotReady`: the Ready condition of every pod on a node that stopped
/// reporting turns False (the containers still look ready: no kubelet updates them),
/// with a `NodeNotReady` warning on each pod.
fn mark_pods_not_ready(node: &str, store: &mut Store) {
    let keys: Vec<ObjKey> = store
        .pods_on_node(node)
        .into_iter()
        .filter(|p| {
            p.status
                .as_ref()
                .and_then(|s| s.conditions.as_ref())
                .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
        })
        .map(|p| {
            (p.metadata.namespace.clone().unwrap_or_default(), p.metadata.name.clone().unwrap_or_default())
        })
        .collect();
    let now = store.clock.time(store.now);
    for key in keys {
        let _ = store.modify_status::<Pod>(&key, |p| {
            for c in p.status.iter_mut().flat_map(|s| s.conditions.iter_mut().flatten()) {
                if c.type_ == "Ready" {
                    c.status = "False".into();
                    c.last_transition_time = Some(now.clone());
                }
            }
        });
        if let Some(who) = store.stored_pod(&key).map(involved_pod) {
            store.record_event(
                who,
                EventType::Warning,
                "NodeNotReady",
                "Node is not ready",
                "node-controller",
                None,
            );
        }
    }
}

/// `doNoScheduleTaintingPass` for cordoning: a node with `spec.unschedulable` carries
/// `node.kubernetes.io/unschedulable:NoSchedule`, and loses it when uncordoned.
pub fn sync_unschedulable_taint(node: &str, store: &mut Store) {
    let Some(obj) = store.get::<Node>("", node) else { return };
    let spec = obj.spec.as_ref();
    let cordoned = spec.and_then(|s| s.unschedulable).unwrap_or(false);
    let tainted =
        spec.and_then(|s| s.taints.as_ref()).is_some_and(|t| t.iter().any(|t| t.key == UNSCHEDULABLE));
    if cordoned == tainted {
        return;
    }
    let mut obj = obj.clone();
    let spec = obj.spec.get_or_insert_with(Default::default);
    let taints = spec.taints.get_or_insert_with(Vec::new);
    if cordoned {
        taints.push(Taint { key: UNSCHEDULABLE.into(), effect: "NoSchedule".into(), ..Default::default() });
    } else {
        taints.retain(|t| t.key != UNSCHEDULABLE);
        if taints.is_empty() {
            spec.taints = None;
        }
    }
    let _ = store.update(obj);
}

pub fn ready_condition(now: k8s_openapi::apimachinery::pkg::apis::meta::v1::Time) -> NodeCondition {
    NodeCondition {
        type_: "Ready".into(),
        status: "True".into(),
        reason: Some("KubeletReady".into()),
        message: Some("kubelet is posting ready status".into()),
        last_heartbeat_time: Some(now.clone()),
        last_transition_time: Some(now),
    }
}
