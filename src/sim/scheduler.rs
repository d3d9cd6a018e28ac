//! The default scheduler, reduced to what shows: filter nodes (nodeName, nodeSelector,
//! unschedulable, taints/tolerations, pod count, CPU and memory requests), score them
//! so that replicas of one owner spread and load balances, break ties with the seeded
//! RNG, bind, and report `FailedScheduling` with the filters' reasons.
//!
//! Like kube-scheduler, it keeps its own cache of what each node has been given
//! (`NodeInfo`) instead of summing pods per decision, and for large clusters it stops
//! looking after enough feasible nodes (`percentageOfNodesToScore`).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use k8s_openapi::api::core::v1::{Node, PersistentVolumeClaim, Pod, PodCondition, Taint, Toleration};

use crate::api::event::EventType;
use crate::api::store::{Change, ChangeOp, controller_ref, involved_pod};
use crate::api::stored_pod::StoredPod;
use crate::api::{Kind, ObjKey, Store};
use crate::constants;
use crate::hash::HashMap;
use crate::sim::queue::WorkQueue;
use crate::sim::resources;

#[derive(Default, Clone)]
struct NodeInfo {
    milli_cpu: i64,
    memory: i64,
    pods: i64,
    /// The least-allocated score last computed here, with the requests it was for
    /// (milli CPU, memory): valid until the node's usage changes. Pods of one template
    /// ask the same, so scoring a node again costs a comparison, not two divisions.
    score: Option<((i64, i64), i64)>,
}

/// One owner's pods per node id, for spreading, with their total (to forget an owner
/// whose last pod left without scanning every node).
#[derive(Default)]
struct OwnerSpread {
    per_node: Vec<i64>,
    total: i64,
}

impl OwnerSpread {
    fn add(&mut self, node: usize, n: i64) {
        if self.per_node.len() <= node {
            self.per_node.resize(node + 1, 0);
        }
        self.per_node[node] += n;
        self.total += n;
    }

    fn on(&self, node: usize) -> i64 {
        self.per_node.get(node).copied().unwrap_or(0)
    }
}

/// What a bound pod contributes to its node, remembered to undo it on removal.
#[derive(Clone)]
struct Placement {
    node: usize,
    milli_cpu: i64,
    memory: i64,
    owner: Option<String>,
}

/// What filtering and scoring read of a node, extracted once per node change instead of
/// once per pod and node.
struct NodeEntry {
    name: String,
    /// Stable id of the node name (index into usage and spread counts).
    id: usize,
    labels: BTreeMap<String, String>,
    unschedulable: bool,
    /// NoSchedule and NoExecute taints.
    taints: Vec<Taint>,
    /// (milli CPU, memory bytes, pods).
    allocatable: (i64, i64, i64),
}

impl NodeEntry {
    fn new(node: &Node, id: usize) -> Self {
        let spec = node.spec.as_ref();
        NodeEntry {
            name: node.metadata.name.clone().unwrap_or_default(),
            id,
            labels: node.metadata.labels.clone().unwrap_or_default(),
            unschedulable: spec.and_then(|s| s.unschedulable).unwrap_or(false),
            taints: spec
                .and_then(|s| s.taints.clone())
                .unwrap_or_default()
                .into_iter()
                .filter(|t| t.effect == "NoSchedule" || t.effect == "NoExecute")
                .collect(),
            allocatable: allocatable(node),
        }
    }
}

#[derive(Default)]
pub struct Scheduler {
    /// Nodes in name order; rebuilt when a node changes.
    node_cache: Option<Vec<NodeEntry>>,
    queue: WorkQueue<ObjKey>,
    /// Pods that fit nowhere, retried when nodes or pods change.
    unschedulable: BTreeSet<ObjKey>,
    /// Node name → stable id; ids index `usage` and the spread counts.
    node_ids: HashMap<String, usize>,
    /// What each node (by id) has been given.
    usage: Vec<NodeInfo>,
    placements: HashMap<ObjKey, Placement>,
    /// owner uid → pods of that owner per node id, for spreading.
    owner_counts: HashMap<String, OwnerSpread>,
    next_start: usize,
}

fn is_terminal(pod: &StoredPod) -> bool {
    matches!(pod.status.as_ref().and_then(|s| s.phase.as_deref()), Some("Succeeded" | "Failed"))
}

/// Requests as the scheduler counts them: the containers' requests, with 100m CPU and
/// 200Mi memory for containers that request nothing (`pod_resources.go` non-zero).
fn pod_requests(pod: &StoredPod) -> (i64, i64) {
    let mut cpu = 0;
    let mut mem = 0;
    for c in pod.spec_sans_per_pod_parts().into_iter().flat_map(|s| s.containers.iter()) {
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
            // A claim that turns Bound may let a pod waiting for it through PreFilter.
            Kind::PersistentVolumeClaim if !self.unschedulable.is_empty() => self.retry_unschedulable(),
            Kind::Node => {
                self.node_cache = None;
                if change.op != ChangeOp::Deleted {
                    self.retry_unschedulable();
                }
            }
            _ => {}
        }
    }

    fn observe_pod(&mut self, change: &Change, store: &Store) {
        let pod = store.changed_pod(change);
        let account = pod.is_some_and(|p| p.bound_node().is_some() && !is_terminal(p));
        if !account {
            if let Some(placement) = self.placements.remove(&change.key) {
                self.unaccount(placement);
                self.retry_unschedulable();
            }
        } else if let Some(pod) = pod
            && !self.placements.contains_key(&change.key)
        {
            let node = self.node_id(pod.bound_node().unwrap_or_default());
            self.account(change.key.clone(), pod, node);
        }
        // A terminating pod still holds its resources but no longer counts for spreading
        // (the spreading plugins skip pods with a deletionTimestamp, kubernetes#87621).
        if let Some(pod) = pod
            && pod.metadata.deletion_timestamp.is_some()
            && let Some(placement) = self.placements.get_mut(&change.key)
            && let Some(owner) = placement.owner.take()
        {
            let node = placement.node;
            self.forget_spread(&owner, node);
        }
        if let Some(pod) = pod
            && pod.bound_node().is_none()
            && pod.metadata.deletion_timestamp.is_none()
            && pod
                .spec_sans_per_pod_parts()
                .and_then(|s| s.scheduler_name.as_deref())
                .unwrap_or("default-scheduler")
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

    /// The stable id of a node name, allocated on first sight.
    fn node_id(&mut self, name: &str) -> usize {
        if let Some(&id) = self.node_ids.get(name) {
            return id;
        }
        let id = self.usage.len();
        self.node_ids.insert(name.to_string(), id);
        self.usage.push(NodeInfo::default());
        id
    }

    /// Counts a pod bound to node `node` (its id) against that node.
    fn account(&mut self, key: ObjKey, pod: &StoredPod, node: usize) {
        let (milli_cpu, memory) = pod_requests(pod);
        let owner = controller_ref(&pod.metadata).map(|r| r.uid.clone());
        let info = &mut self.usage[node];
        info.milli_cpu += milli_cpu;
        info.memory += memory;
        info.pods += 1;
        info.score = None;
        if let Some(owner) = &owner {
            if !self.owner_counts.contains_key(owner) {
                self.owner_counts.insert(owner.clone(), OwnerSpread::default());
            }
            self.owner_counts.get_mut(owner).expect("just ensured").add(node, 1);
        }
        self.placements.insert(key, Placement { node, milli_cpu, memory, owner });
    }

    fn unaccount(&mut self, p: Placement) {
        let info = &mut self.usage[p.node];
        info.milli_cpu -= p.milli_cpu;
        info.memory -= p.memory;
        info.pods -= 1;
        info.score = None;
        if let Some(owner) = p.owner {
            self.forget_spread(&owner, p.node);
        }
    }

    /// One pod of `owner` on `node` no longer counts for spreading.
    fn forget_spread(&mut self, owner: &str, node: usize) {
        if let Some(spread) = self.owner_counts.get_mut(owner) {
            spread.add(node, -1);
            if spread.total <= 0 {
                self.owner_counts.remove(owner);
            }
        }
    }

    /// Schedules every queued pod; returns how many pods it looked at.
    pub fn run(&mut self, store: &mut Store) -> usize {
        let keys = self.queue.drain();
        let n = keys.len();
        if n == 0 {
            return 0;
        }
        let nodes = match self.node_cache.take() {
            Some(nodes) => nodes,
            None => {
                let names: Vec<String> =
                    store.list::<Node>(None).map(|n| n.metadata.name.clone().unwrap_or_default()).collect();
                let ids: Vec<usize> = names.iter().map(|n| self.node_id(n)).collect();
                store.list::<Node>(None).zip(ids).map(|(n, id)| NodeEntry::new(n, id)).collect()
            }
        };
        for key in keys {
            let Some(pod) = store.stored_pod(&key) else { continue };
            if pod.bound_node().is_some() || pod.metadata.deletion_timestamp.is_some() {
                continue;
            }
            match self.feasible_nodes(pod, &nodes, store) {
                Ok(ties) => {
                    let choice =
                        if ties.len() == 1 { 0 } else { store.rng.below(ties.len() as u64) as usize };
                    self.bind(store, &key, &nodes[ties[choice]]);
                }
                Err(message) => {
                    self.unschedulable.insert(key.clone());
                    mark_unschedulable(store, &key, message);
                }
            }
        }
        self.node_cache = Some(nodes);
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

    /// The best-scoring feasible nodes (indexes into `nodes`; the seeded RNG breaks the
    /// tie), or the `FailedScheduling` message.
    fn feasible_nodes(
        &mut self,
        pod: &StoredPod,
        nodes: &[NodeEntry],
        store: &Store,
    ) -> Result<Vec<usize>, String> {
        if nodes.is_empty() {
            return Err("no nodes available to schedule pods".into());
        }
        if let Some(reason) = unbound_claims(pod, store) {
            return Err(prefilter_message(nodes.len(), &reason, store.profile.scheduler_prefilter_per_node));
        }
        let spec = pod.spec_sans_per_pod_parts();
        let selector = spec.and_then(|s| s.node_selector.as_ref());
        let tolerations: &[Toleration] = spec.and_then(|s| s.tolerations.as_deref()).unwrap_or(&[]);
        let requests = pod_requests(pod);
        let explicit = (has_requests(pod, "cpu"), has_requests(pod, "memory"));
        let owner_counts = controller_ref(&pod.metadata).and_then(|r| self.owner_counts.get(&r.uid));
        // A daemon pod's required affinity names its one node: look at that node only.
        if let Some(pinned) = spec.and_then(crate::controllers::daemonset::eligibility::pinned_node) {
            // The node cache is in name order, as the store lists nodes.
            let found = nodes.binary_search_by(|n| n.name.as_str().cmp(pinned));
            let others = nodes.len() - usize::from(found.is_ok());
            return match found {
                Ok(i) => {
                    let info = &self.usage[nodes[i].id];
                    let used = (info.milli_cpu, info.memory, info.pods);
                    match filter(&nodes[i], selector, tolerations, used, requests, explicit) {
                        Ok(()) => Ok(vec![i]),
                        Err(reason) => {
                            let mut rejects = BTreeMap::from([(reason, 1)]);
                            if others > 0 {
                                *rejects.entry(Reject::Selector).or_default() += others;
                            }
                            Err(unschedulable_message(nodes.len(), &rejects))
                        }
                    }
                }
                Err(_) => {
                    Err(unschedulable_message(nodes.len(), &BTreeMap::from([(Reject::Selector, others)])))
                }
            };
        }
        let target = Self::feasible_target(nodes.len());
        let mut feasible: Vec<(i64, i64, usize)> = Vec::with_capacity(target);
        let mut rejects: BTreeMap<Reject, usize> = BTreeMap::new();
        let start = self.next_start % nodes.len();
        let mut examined = 0;
        for i in 0..nodes.len() {
            let index = (start + i) % nodes.len();
            let node = &nodes[index];
            examined += 1;
            let info = &mut self.usage[node.id];
            let used = (info.milli_cpu, info.memory, info.pods);
            match filter(node, selector, tolerations, used, requests, explicit) {
                Err(reason) => *rejects.entry(reason).or_default() += 1,
                Ok(()) => {
                    let spread = owner_counts.map_or(0, |c| c.on(node.id));
                    let score = match info.score {
                        Some((asked, score)) if asked == requests => score,
                        _ => {
                            let score = least_allocated(node.allocatable, used, requests);
                            info.score = Some((requests, score));
                            score
                        }
                    };
                    feasible.push((spread, score, index));
                    if feasible.len() >= target {
                        break;
                    }
                }
            }
        }
        self.next_start = (start + examined) % nodes.len();
        if feasible.is_empty() {
            return Err(unschedulable_message(nodes.len(), &rejects));
        }
        let best = feasible.iter().map(|(s, l, _)| (*s, *l)).min().expect("non-empty");
        Ok(feasible.iter().filter(|(s, l, _)| (*s, *l) == best).map(|(_, _, n)| *n).collect())
    }

    /// Binds the pod, accounts it on the node (whose id the cache already knows) and
    /// records `Scheduled`. The message names the pod, so it is handed over as is:
    /// interning a text that never repeats would only grow the store's intern table.
    fn bind(&mut self, store: &mut Store, key: &ObjKey, node: &NodeEntry) {
        if store.bind_pod(key, &node.name).is_err() {
            return;
        }
        let pod = store.stored_pod(key).expect("just bound");
        let who = involved_pod(pod);
        self.account(key.clone(), pod, node.id);
        let (ns, name) = key;
        let message: Arc<str> = format!("Successfully assigned {ns}/{name} to {}", node.name).into();
        store.record_event(who, EventType::Normal, "Scheduled", message, "default-scheduler", None);
    }
}

/// The (negated) least-allocated score: the mean of the free CPU and memory percentages
/// once the pod is placed.
fn least_allocated(alloc: (i64, i64, i64), used: (i64, i64, i64), requests: (i64, i64)) -> i64 {
    let cpu_free = 100 * (alloc.0 - used.0 - requests.0).max(0) / alloc.0.max(1);
    let mem_free = 100 * (alloc.1 - used.1 - requests.1).max(0) / alloc.1.max(1);
    -(cpu_free + mem_free) / 2
}

/// The filter plugins: node selector, unschedulable, taints, pod count, requests.
fn filter(
    node: &NodeEntry,
    selector: Option<&BTreeMap<String, String>>,
    tolerations: &[Toleration],
    used: (i64, i64, i64),
    requests: (i64, i64),
    explicit: (bool, bool),
) -> Result<(), Reject> {
    if let Some(selector) = selector
        && selector.iter().any(|(k, v)| node.labels.get(k) != Some(v))
    {
        return Err(Reject::Selector);
    }
    if node.unschedulable {
        let taint = Taint {
            key: "node.kubernetes.io/unschedulable".into(),
            effect: "NoSchedule".into(),
            ..Default::default()
        };
        if !tolerates(tolerations, &taint) {
            return Err(Reject::Unschedulable);
        }
    }
    for taint in &node.taints {
        if !tolerates(tolerations, taint) {
            return Err(Reject::Taint(format!("{}: {}", taint.key, taint.value.as_deref().unwrap_or(""))));
        }
    }
    let alloc = node.allocatable;
    if used.2 + 1 > alloc.2 {
        return Err(Reject::TooManyPods);
    }
    if used.0 + requests.0 > alloc.0 && explicit.0 {
        return Err(Reject::Cpu);
    }
    if used.1 + requests.1 > alloc.1 && explicit.1 {
        return Err(Reject::Memory);
    }
    Ok(())
}

fn has_requests(pod: &StoredPod, resource: &str) -> bool {
    pod.spec_sans_per_pod_parts().into_iter().flat_map(|s| s.containers.iter()).any(|c| {
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

/// VolumeBinding's PreFilter (`podHasPVCs`): a claim the pod names that does not exist,
/// or that is not bound yet (every class here binds immediately: no
/// WaitForFirstConsumer), keeps the pod off every node.
fn unbound_claims(pod: &StoredPod, store: &Store) -> Option<String> {
    let namespace = pod.metadata.namespace.as_deref().unwrap_or("");
    let volumes = pod.spec_sans_per_pod_parts().and_then(|s| s.volumes.as_ref())?;
    let mut unbound = false;
    for claim in volumes.iter().filter_map(|v| v.persistent_volume_claim.as_ref()) {
        let Some(pvc) = store.get::<PersistentVolumeClaim>(namespace, &claim.claim_name) else {
            return Some(format!("persistentvolumeclaim \"{}\" not found", claim.claim_name));
        };
        if pvc.metadata.deletion_timestamp.is_some() {
            return Some(format!("persistentvolumeclaim \"{}\" is being deleted", claim.claim_name));
        }
        if pvc.spec.as_ref().and_then(|s| s.volume_name.as_deref()).unwrap_or("").is_empty() {
            unbound = true;
        }
    }
    unbound.then(|| "pod has unbound immediate PersistentVolumeClaims".to_string())
}

/// `FitError.Error()` for a PreFilter rejection, in the profile's wording.
fn prefilter_message(total: usize, reason: &str, per_node: bool) -> String {
    if per_node {
        format!("0/{total} nodes are available: {total} {reason}.")
    } else {
        format!(
            "0/{total} nodes are available: {reason}. preemption: 0/{total} nodes are available: {total} Preemption is not helpful for scheduling."
        )
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

/// The pod's PodScheduled condition turned False (a status write) and a
/// `FailedScheduling` event.
fn mark_unschedulable(store: &mut Store, key: &ObjKey, message: String) {
    let Some(pod) = store.stored_pod(key) else { return };
    let who = involved_pod(pod);
    let mut status = pod.status.clone().unwrap_or_default();
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
    if !already {
        let _ = store.modify_status::<Pod>(key, |pod| pod.status = Some(status));
    }
    store.record_event(who, EventType::Warning, "FailedScheduling", message, "default-scheduler", None);
}
