//! The default scheduler, reduced to what shows: filter nodes (nodeName, nodeSelector,
//! unschedulable, taints/tolerations, pod count, CPU and memory requests), score them
//! so that replicas of one owner spread and load balances, break ties with the seeded
//! RNG, bind, and report `FailedScheduling` with the filters' reasons.
//!
//! Like kube-scheduler, it keeps its own cache of what each node has been given
//! (`NodeInfo`) instead of summing pods per decision, and for large clusters it stops
//! looking after enough feasible nodes (`percentageOfNodesToScore`).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use k8s_openapi::api::core::v1::{Binding, Node, ObjectReference, Pod, PodCondition, Taint, Toleration};

use crate::api::event::EventType;
use crate::api::store::{Change, ChangeOp, Object, controller_ref, involved};
use crate::api::{Kind, ObjKey, Store};
use crate::constants;
use crate::sim::queue::WorkQueue;
use crate::sim::resources;

#[derive(Default, Clone)]
struct NodeInfo {
    milli_cpu: i64,
    memory: i64,
    pods: i64,
}

/// What a bound pod contributes to its node, remembered to undo it on removal.
#[derive(Clone)]
struct Placement {
    node: String,
    milli_cpu: i64,
    memory: i64,
    owner: Option<String>,
}

#[derive(Default)]
pub struct Scheduler {
    queue: WorkQueue<ObjKey>,
    /// Pods that fit nowhere, retried when nodes or pods change.
    unschedulable: BTreeSet<ObjKey>,
    nodes: HashMap<String, NodeInfo>,
    placements: HashMap<ObjKey, Placement>,
    /// (owner uid, node) → pods of that owner on that node, for spreading.
    owner_counts: HashMap<(String, String), i64>,
    next_start: usize,
}

fn is_terminal(pod: &Pod) -> bool {
    matches!(pod.status.as_ref().and_then(|s| s.phase.as_deref()), Some("Succeeded" | "Failed"))
}

/// Requests as the scheduler counts them: the containers' requests, with 100m CPU and
/// 200Mi memory for containers that request nothing (`pod_resources.go` non-zero).
fn pod_requests(pod: &Pod) -> (i64, i64) {
    let mut cpu = 0;
    let mut mem = 0;
    for c in pod.spec.iter().flat_map(|s| s.containers.iter()) {
        let req = c.resources.as_ref().and_then(|r| r.requests.as_ref());
        cpu += req
            .and_then(|r| r.get("cpu"))
            .and_then(|q| resources::milli_cpu(&q.0))
            .unwrap_or(constants::DEFAULT_MILLI_CPU_REQUEST);
        mem += req
            .and_then(|r| r.get("memory"))
            .and_then(|q| resources::bytes(&q.0))
            .unwrap_or(constants::DEFAULT_MEMORY_REQUEST);
    }
    (cpu, mem)
}

pub fn tolerates(tolerations: &[Toleration], taint: &Taint) -> bool {
    tolerations.iter().any(|t| {
        let effect_ok =
            t.effect.as_deref().unwrap_or("").is_empty() || t.effect.as_deref() == Some(&taint.effect);
        let key = t.key.as_deref().unwrap_or("");
        let op = t.operator.as_deref().unwrap_or("Equal");
        let key_ok = if key.is_empty() { op == "Exists" } else { key == taint.key };
        let value_ok =
            op == "Exists" || t.value.as_deref().unwrap_or("") == taint.value.as_deref().unwrap_or("");
        effect_ok && key_ok && value_ok
    })
}

/// Why a node was filtered out; the order is the order of the message.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Reject {
    Selector,
    Taint(String),
    Unschedulable,
    TooManyPods,
    Cpu,
    Memory,
}

impl Scheduler {
    pub fn observe(&mut self, change: &Change, store: &Store) {
        match change.kind {
            Kind::Pod => self.observe_pod(change, store),
            Kind::Node => {
                if change.op != ChangeOp::Deleted {
                    self.retry_unschedulable();
                }
            }
            _ => {}
        }
    }

    fn observe_pod(&mut self, change: &Change, store: &Store) {
        let pod = store.get_by_key::<Pod>(&change.key);
        let account = pod.is_some_and(|p| p.bound_node().is_some() && !is_terminal(p));
        if !account {
            if let Some(placement) = self.placements.remove(&change.key) {
                self.unaccount(placement);
                self.retry_unschedulable();
            }
        } else if let Some(pod) = pod
            && !self.placements.contains_key(&change.key)
        {
            self.account(change.key.clone(), pod);
        }
        if let Some(pod) = pod
            && pod.bound_node().is_none()
            && pod.metadata.deletion_timestamp.is_none()
            && pod.spec.as_ref().and_then(|s| s.scheduler_name.as_deref()).unwrap_or("default-scheduler")
                == "default-scheduler"
            && !self.unschedulable.contains(&change.key)
        {
            self.queue.add(change.key.clone());
        }
        if pod.is_none() {
            self.unschedulable.remove(&change.key);
        }
    }

    fn retry_unschedulable(&mut self) {
        for key in std::mem::take(&mut self.unschedulable) {
            self.queue.add(key);
        }
    }

    fn account(&mut self, key: ObjKey, pod: &Pod) {
        let (milli_cpu, memory) = pod_requests(pod);
        let node = pod.bound_node().unwrap_or_default().to_string();
        let owner = controller_ref(&pod.metadata).map(|r| r.uid.clone());
        let info = self.nodes.entry(node.clone()).or_default();
        info.milli_cpu += milli_cpu;
        info.memory += memory;
        info.pods += 1;
        if let Some(owner) = &owner {
            *self.owner_counts.entry((owner.clone(), node.clone())).or_default() += 1;
        }
        self.placements.insert(key, Placement { node, milli_cpu, memory, owner });
    }

    fn unaccount(&mut self, p: Placement) {
        if let Some(info) = self.nodes.get_mut(&p.node) {
            info.milli_cpu -= p.milli_cpu;
            info.memory -= p.memory;
            info.pods -= 1;
        }
        if let Some(owner) = p.owner
            && let Some(n) = self.owner_counts.get_mut(&(owner, p.node))
        {
            *n -= 1;
        }
    }

    /// Schedules every queued pod; returns how many pods it looked at.
    pub fn run(&mut self, store: &mut Store) -> usize {
        let keys = self.queue.drain();
        let n = keys.len();
        if n == 0 {
            return 0;
        }
        let nodes: Vec<Node> = store.list::<Node>(None).cloned().collect();
        for key in keys {
            let Some(pod) = store.get_by_key::<Pod>(&key).cloned() else { continue };
            if pod.bound_node().is_some() || pod.metadata.deletion_timestamp.is_some() {
                continue;
            }
            match self.pick_node(&pod, &nodes, store) {
                Ok(node) => self.bind(store, pod, &node),
                Err(message) => {
                    self.unschedulable.insert(key);
                    mark_unschedulable(store, pod, message);
                }
            }
        }
        n
    }

    /// How many feasible nodes to find before scoring (`numFeasibleNodesToFind` with the
    /// adaptive `percentageOfNodesToScore`: 50% − nodes/125, at least 5%, at least 100).
    fn feasible_target(total: usize) -> usize {
        if total < 100 {
            return total;
        }
        let pct = (50 - (total as i64) / 125).max(5) as usize;
        (total * pct / 100).max(100)
    }

    fn pick_node(&mut self, pod: &Pod, nodes: &[Node], store: &mut Store) -> Result<String, String> {
        if nodes.is_empty() {
            return Err("no nodes available to schedule pods".into());
        }
        let spec = pod.spec.as_ref();
        let (cpu, mem) = pod_requests(pod);
        let owner = controller_ref(&pod.metadata).map(|r| r.uid.clone());
        let target = Self::feasible_target(nodes.len());
        let mut feasible: Vec<(i64, i64, &str)> = Vec::new();
        let mut rejects: BTreeMap<Reject, usize> = BTreeMap::new();
        let start = self.next_start % nodes.len();
        let mut examined = 0;
        for i in 0..nodes.len() {
            let node = &nodes[(start + i) % nodes.len()];
            examined += 1;
            let name = node.metadata.name.as_deref().unwrap_or("");
            let info = self.nodes.get(name).cloned().unwrap_or_default();
            match self.filter(pod, node, &info, cpu, mem) {
                Err(reason) => *rejects.entry(reason).or_default() += 1,
                Ok(()) => {
                    let alloc = allocatable(node);
                    let spread = owner
                        .as_ref()
                        .and_then(|o| self.owner_counts.get(&(o.clone(), name.to_string())))
                        .copied()
                        .unwrap_or(0);
                    let cpu_free = 100 * (alloc.0 - info.milli_cpu - cpu).max(0) / alloc.0.max(1);
                    let mem_free = 100 * (alloc.1 - info.memory - mem).max(0) / alloc.1.max(1);
                    feasible.push((spread, -(cpu_free + mem_free) / 2, name));
                    if feasible.len() >= target {
                        break;
                    }
                }
            }
        }
        self.next_start = (start + examined) % nodes.len();
        if feasible.is_empty() {
            let _ = spec;
            return Err(unschedulable_message(nodes.len(), &rejects));
        }
        let best = feasible.iter().map(|(s, l, _)| (*s, *l)).min().expect("non-empty");
        let ties: Vec<&str> =
            feasible.iter().filter(|(s, l, _)| (*s, *l) == best).map(|(_, _, n)| *n).collect();
        let choice = if ties.len() == 1 { 0 } else { store.rng.below(ties.len() as u64) as usize };
        Ok(ties[choice].to_string())
    }

    fn filter(&self, pod: &Pod, node: &Node, info: &NodeInfo, cpu: i64, mem: i64) -> Result<(), Reject> {
        let spec = pod.spec.as_ref();
        let labels = node.metadata.labels.clone().unwrap_or_default();
        if let Some(selector) = spec.and_then(|s| s.node_selector.as_ref())
            && selector.iter().any(|(k, v)| labels.get(k) != Some(v))
        {
            return Err(Reject::Selector);
        }
        let tolerations = spec.and_then(|s| s.tolerations.clone()).unwrap_or_default();
        let node_spec = node.spec.as_ref();
        if node_spec.and_then(|s| s.unschedulable).unwrap_or(false) {
            let taint = Taint {
                key: "node.kubernetes.io/unschedulable".into(),
                effect: "NoSchedule".into(),
                ..Default::default()
            };
            if !tolerates(&tolerations, &taint) {
                return Err(Reject::Unschedulable);
            }
        }
        for taint in node_spec.and_then(|s| s.taints.as_ref()).into_iter().flatten() {
            if (taint.effect == "NoSchedule" || taint.effect == "NoExecute")
                && !tolerates(&tolerations, taint)
            {
                return Err(Reject::Taint(format!(
                    "{}: {}",
                    taint.key,
                    taint.value.as_deref().unwrap_or("")
                )));
            }
        }
        let alloc = allocatable(node);
        if info.pods + 1 > alloc.2 {
            return Err(Reject::TooManyPods);
        }
        if info.milli_cpu + cpu > alloc.0 && has_requests(pod, "cpu") {
            return Err(Reject::Cpu);
        }
        if info.memory + mem > alloc.1 && has_requests(pod, "memory") {
            return Err(Reject::Memory);
        }
        Ok(())
    }

    fn bind(&mut self, store: &mut Store, mut pod: Pod, node: &str) {
        let _binding = Binding {
            target: ObjectReference {
                kind: Some("Node".into()),
                name: Some(node.into()),
                ..Default::default()
            },
            ..Default::default()
        };
        let spec = pod.spec.get_or_insert_with(Default::default);
        spec.node_name = Some(node.to_string());
        let status = pod.status.get_or_insert_with(Default::default);
        set_condition(
            status.conditions.get_or_insert_with(Vec::new),
            PodCondition {
                type_: "PodScheduled".into(),
                status: "True".into(),
                last_transition_time: Some(store.clock.time(store.now)),
                ..Default::default()
            },
        );
        if status.phase.is_none() {
            status.phase = Some("Pending".into());
        }
        let ns = pod.metadata.namespace.clone().unwrap_or_default();
        let name = pod.metadata.name.clone().unwrap_or_default();
        let who = involved(&pod);
        if let Ok(pod) = store.update(pod) {
            let key = (ns.clone(), name.clone());
            self.account(key, &pod);
        }
        store.record_event(
            who,
            EventType::Normal,
            "Scheduled",
            format!("Successfully assigned {ns}/{name} to {node}"),
            "default-scheduler",
            None,
        );
    }
}

fn has_requests(pod: &Pod, resource: &str) -> bool {
    pod.spec.iter().flat_map(|s| s.containers.iter()).any(|c| {
        c.resources.as_ref().and_then(|r| r.requests.as_ref()).is_some_and(|r| r.contains_key(resource))
    })
}

/// (milli CPU, memory bytes, pods) the node can give.
fn allocatable(node: &Node) -> (i64, i64, i64) {
    let status = node.status.as_ref();
    let map = status.and_then(|s| s.allocatable.as_ref().or(s.capacity.as_ref()));
    let get = |k: &str| map.and_then(|m| m.get(k)).map(|q| q.0.clone());
    (
        get("cpu").and_then(|q| resources::milli_cpu(&q)).unwrap_or(i64::MAX / 4),
        get("memory").and_then(|q| resources::bytes(&q)).unwrap_or(i64::MAX / 4),
        get("pods").and_then(|q| q.parse().ok()).unwrap_or(110),
    )
}

pub fn set_condition(conditions: &mut Vec<PodCondition>, new: PodCondition) {
    match conditions.iter_mut().find(|c| c.type_ == new.type_) {
        Some(existing) => {
            if existing.status != new.status {
                *existing = new;
            } else {
                existing.reason = new.reason;
                existing.message = new.message;
            }
        }
        None => conditions.push(new),
    }
}

/// `0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, …`
fn unschedulable_message(total: usize, rejects: &BTreeMap<Reject, usize>) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut taints: BTreeMap<&str, usize> = BTreeMap::new();
    for (reason, n) in rejects {
        match reason {
            Reject::Selector => parts.push(format!("{n} node(s) didn't match Pod's node affinity/selector")),
            Reject::Taint(t) => *taints.entry(t.as_str()).or_default() += n,
            Reject::Unschedulable => parts.push(format!("{n} node(s) were unschedulable")),
            Reject::TooManyPods => parts.push(format!("{n} Too many pods")),
            Reject::Cpu => parts.push(format!("{n} Insufficient cpu")),
            Reject::Memory => parts.push(format!("{n} Insufficient memory")),
        }
    }
    for (taint, n) in taints {
        parts.push(format!("{n} node(s) had untolerated taint {{{taint}}}"));
    }
    parts.sort();
    format!(
        "0/{total} nodes are available: {}. preemption: 0/{total} nodes are available: {total} Preemption is not helpful for scheduling.",
        parts.join(", ")
    )
}

fn mark_unschedulable(store: &mut Store, mut pod: Pod, message: String) {
    let status = pod.status.get_or_insert_with(Default::default);
    status.phase = Some("Pending".into());
    let conditions = status.conditions.get_or_insert_with(Vec::new);
    let already =
        conditions.iter().any(|c| c.type_ == "PodScheduled" && c.message.as_deref() == Some(&message));
    set_condition(
        conditions,
        PodCondition {
            type_: "PodScheduled".into(),
            status: "False".into(),
            reason: Some("Unschedulable".into()),
            message: Some(message.clone()),
            last_transition_time: Some(store.clock.time(store.now)),
            ..Default::default()
        },
    );
    let who = involved(&pod);
    if !already {
        let _ = store.update(pod);
    }
    store.record_event(who, EventType::Warning, "FailedScheduling", message, "default-scheduler", None);
}
