//! The DaemonSet controller (`pkg/controller/daemon`), split as upstream splits it: this
//! module wires the work queue and one sync (`syncDaemonSet`: history, `manage`, the
//! update strategy, history clean-up, status); [`eligibility`] decides which nodes a
//! daemon pod belongs on; [`history`] keeps the ControllerRevisions; [`rolling`] is the
//! RollingUpdate strategy (OnDelete needs nothing: `manage` recreates what users delete
//! from the current template).
//!
//! Daemon pods are created with a required node affinity pinning them to their node
//! and are bound by the default scheduler, as since `ScheduleDaemonSetPods` (1.12+).

pub mod eligibility;
pub mod history;
mod rolling;

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::apps::v1::{DaemonSet, DaemonSetStatus};
use k8s_openapi::api::core::v1::{
    Affinity, Node, NodeAffinity, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, Pod,
    PodTemplateSpec,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::api::admission::admit;
use crate::api::event::EventType;
use crate::api::selector::Selector;
use crate::api::store::{Change, ChangeOp, DeleteOptions, controller_ref, involved};
use crate::api::stored_pod::StoredPod;
use crate::api::{Kind, ObjKey, Store};
use crate::constants;
use crate::controllers::claim::{self, Orphans};
use crate::controllers::replicaset::Requeues;
use crate::hash::HashMap;
use crate::sim::queue::WorkQueue;
use crate::time::{Millis, SECOND};
use eligibility::{Placement, daemon_tolerations, should_run, target_node};
use history::HASH_LABEL;

/// The event source of everything this controller records.
pub const COMPONENT: &str = "daemonset-controller";
/// The DaemonSet annotation the apiserver keeps the template generation in.
pub const TEMPLATE_GENERATION_ANNOTATION: &str = "deprecated.daemonset.template.generation";
/// The pod label carrying that generation.
pub const TEMPLATE_GENERATION_LABEL: &str = "pod-template-generation";

/// What one sync needs of a DaemonSet, read once.
pub struct Ds {
    pub key: ObjKey,
    pub uid: String,
    pub selector: Selector,
    pub template: PodTemplateSpec,
    pub annotations: Option<BTreeMap<String, String>>,
    pub template_generation: Option<i64>,
    pub rolling: Option<(IntOrString, IntOrString)>,
    pub min_ready_seconds: i32,
    pub revision_history_limit: i32,
    pub collision_count: Option<i32>,
    pub generation: Option<i64>,
}

impl Ds {
    fn load(store: &Store, key: &ObjKey) -> Option<Ds> {
        let ds = store.get_by_key::<DaemonSet>(key)?;
        if ds.metadata.deletion_timestamp.is_some() {
            return None;
        }
        let spec = ds.spec.as_ref()?;
        let strategy = spec.update_strategy.as_ref();
        let rolling = match strategy.and_then(|s| s.type_.as_deref()).unwrap_or("RollingUpdate") {
            "RollingUpdate" => {
                let r = strategy.and_then(|s| s.rolling_update.as_ref());
                Some((
                    r.and_then(|r| r.max_unavailable.clone()).unwrap_or(IntOrString::Int(1)),
                    r.and_then(|r| r.max_surge.clone()).unwrap_or(IntOrString::Int(0)),
                ))
            }
            _ => None,
        };
        Some(Ds {
            key: key.clone(),
            uid: ds.metadata.uid.clone()?,
            selector: Selector::from_label_selector(&spec.selector).ok()?,
            template: spec.template.clone(),
            annotations: ds.metadata.annotations.clone(),
            template_generation: template_generation(ds),
            rolling,
            min_ready_seconds: spec.min_ready_seconds.unwrap_or(0),
            revision_history_limit: spec.revision_history_limit.unwrap_or(10),
            collision_count: ds.status.as_ref().and_then(|s| s.collision_count),
            generation: ds.metadata.generation,
        })
    }

    pub fn owner_ref(&self) -> OwnerReference {
        claim::controller_owner_ref("apps/v1", "DaemonSet", &self.key.1, &self.uid)
    }

    /// `RecheckDeletionTimestamp` before the first adoption of a sync: a fresh read of
    /// the DaemonSet, which must be the same object (uid) and not being deleted.
    pub fn can_adopt(&self, store: &Store) -> bool {
        store.get_by_key::<DaemonSet>(&self.key).is_some_and(|fresh| {
            fresh.metadata.uid.as_deref() == Some(self.uid.as_str())
                && fresh.metadata.deletion_timestamp.is_none()
        })
    }
}

/// The template generation the apiserver recorded in the DaemonSet's annotation.
pub fn template_generation(ds: &DaemonSet) -> Option<i64> {
    ds.metadata.annotations.as_ref()?.get(TEMPLATE_GENERATION_ANNOTATION)?.parse().ok()
}

/// What a sync needs of one daemon pod.
#[derive(Clone, Debug)]
pub struct DaemonPod {
    pub name: String,
    pub deleting: bool,
    pub phase: String,
    pub ready: bool,
    /// When the Ready condition turned True (for minReadySeconds).
    pub ready_since: Option<Millis>,
    pub hash: Option<String>,
    pub updated: bool,
    /// (creation time, not Running, name): `podByCreationTimestampAndPhase` order.
    pub order: (i64, bool, String),
}

impl DaemonPod {
    fn of(pod: &StoredPod, ds: &Ds, hash: &str, store: &Store) -> DaemonPod {
        let labels = pod.metadata.labels.as_ref();
        let status = pod.status.as_ref();
        let phase = status.and_then(|s| s.phase.clone()).unwrap_or_default();
        let ready_cond =
            status.and_then(|s| s.conditions.as_ref()).and_then(|c| c.iter().find(|c| c.type_ == "Ready"));
        let ready = ready_cond.is_some_and(|c| c.status == "True");
        let pod_hash = labels.and_then(|l| l.get(HASH_LABEL)).cloned();
        let generation = labels.and_then(|l| l.get(TEMPLATE_GENERATION_LABEL));
        let updated = pod_hash.as_deref() == Some(hash)
            || ds.template_generation.is_some_and(|g| generation == Some(&g.to_string()));
        let created = pod.metadata.creation_timestamp.as_ref().map_or(0, |t| store.clock.millis_of(t.0));
        DaemonPod {
            name: pod.metadata.name.clone().unwrap_or_default(),
            deleting: pod.metadata.deletion_timestamp.is_some(),
            ready,
            ready_since: ready_cond
                .filter(|_| ready)
                .and_then(|c| c.last_transition_time.as_ref())
                .map(|t| store.clock.millis_of(t.0).max(0) as Millis),
            hash: pod_hash,
            updated,
            order: (created, phase != "Running", pod.metadata.name.clone().unwrap_or_default()),
            phase,
        }
    }

    /// `IsPodAvailable`: ready for at least minReadySeconds.
    pub fn available(&self, min_ready_seconds: i32, now: Millis) -> bool {
        self.ready
            && (min_ready_seconds == 0
                || self.ready_since.is_some_and(|t| t + min_ready_seconds as Millis * SECOND <= now))
    }
}

/// Daemon pods by the node they are on or meant for, each node's oldest first. Pods that
/// finished and are being deleted are left out (`getNodesToDaemonPods`).
pub type NodePods = BTreeMap<String, Vec<DaemonPod>>;

/// `getNodesToDaemonPods` after the claim: the controlled pods whose labels the selector
/// still matches, and the names of those it no longer matches (to be released).
fn node_to_pods(ds: &Ds, hash: &str, store: &Store) -> (NodePods, Vec<String>) {
    let mut map: NodePods = BTreeMap::new();
    let mut unmatched = Vec::new();
    for pod in store.pods_controlled_by(&ds.uid) {
        if !ds.selector.matches_opt(pod.metadata.labels.as_ref()) {
            unmatched.push(pod.metadata.name.clone().unwrap_or_default());
            continue;
        }
        let phase = pod.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or("");
        let terminal = phase == "Succeeded" || phase == "Failed";
        if terminal && pod.metadata.deletion_timestamp.is_some() {
            continue;
        }
        let Some(node) = target_node(pod) else { continue };
        map.entry(node).or_default().push(DaemonPod::of(pod, ds, hash, store));
    }
    for pods in map.values_mut() {
        pods.sort_by(|a, b| a.order.cmp(&b.order));
    }
    (map, unmatched)
}

/// One node as a sync sees it.
pub struct NodeFacts {
    pub name: String,
    pub placement: Placement,
}

#[derive(Default)]
pub struct DaemonSetController {
    queue: WorkQueue<ObjKey>,
    /// Failed-pod back-off per (DaemonSet uid, node): next allowed deletion and delay.
    backoff: HashMap<(String, String), (Millis, Millis)>,
    /// Pods with no controller: adoption candidates.
    orphans: Orphans,
}

impl DaemonSetController {
    /// Informer handlers: DaemonSets, their pods, and every node change (a node that
    /// joins, leaves or changes labels or taints may change where daemon pods belong).
    pub fn observe(&mut self, change: &Change, store: &Store) {
        match change.kind {
            Kind::DaemonSet if change.op != ChangeOp::Deleted => self.queue.add(change.key.clone()),
            Kind::Pod => {
                for owner in [&change.old_controller, &change.new_controller].into_iter().flatten() {
                    if let Some((Kind::DaemonSet, key)) = store.lookup_uid(owner) {
                        self.queue.add(key.clone());
                    }
                }
                // An orphan: every DaemonSet whose selector matches it may adopt it
                // (`getDaemonSetsForPod`).
                if let Some(pod) = self.orphans.note(change, store) {
                    for ds in store.list::<DaemonSet>(Some(&change.key.0)) {
                        if let Some(spec) = &ds.spec
                            && let Ok(selector) = Selector::from_label_selector(&spec.selector)
                            && !selector.is_empty()
                            && selector.matches_opt(pod.metadata.labels.as_ref())
                        {
                            self.queue
                                .add((change.key.0.clone(), ds.metadata.name.clone().unwrap_or_default()));
                        }
                    }
                }
            }
            Kind::Node => {
                for ds in store.list::<DaemonSet>(None) {
                    self.queue.add((
                        ds.metadata.namespace.clone().unwrap_or_default(),
                        ds.metadata.name.clone().unwrap_or_default(),
                    ));
                }
            }
            _ => {}
        }
    }

    pub fn requeue(&mut self, key: ObjKey) {
        self.queue.add(key);
    }

    /// Syncs every queued DaemonSet; returns how many it looked at.
    pub fn run(&mut self, store: &mut Store, requeues: &mut Requeues) -> usize {
        let keys = self.queue.drain();
        for key in &keys {
            self.sync(key, store, requeues);
        }
        keys.len()
    }

    fn sync(&mut self, key: &ObjKey, store: &mut Store, requeues: &mut Requeues) {
        let Some(ds) = Ds::load(store, key) else { return };
        let tolerations = daemon_tolerations(ds.template.spec.as_ref());
        let nodes: Vec<NodeFacts> = store
            .list::<Node>(None)
            .map(|n| NodeFacts {
                name: n.metadata.name.clone().unwrap_or_default(),
                placement: should_run(n, ds.template.spec.as_ref(), &tolerations),
            })
            .collect();
        let hash = history::construct(&ds, store);
        self.adopt_orphans(&ds, store);
        let (mut pods, unmatched) = node_to_pods(&ds, &hash, store);
        for name in unmatched {
            claim::release(store, &(ds.key.0.clone(), name), &ds.uid);
        }
        let mut acted = self.manage(&ds, &nodes, &pods, &hash, store, requeues);
        // The real controller acts again only once its informer saw its own writes
        // (expectations); those writes requeue this DaemonSet, so the next sync goes on.
        let observed = !acted;
        if observed {
            if let Some((unavailable, surge)) = &ds.rolling {
                let (delete, create) = rolling::plan(&ds, &nodes, &pods, unavailable, surge, store.now);
                acted = !delete.is_empty() || !create.is_empty();
                sync_nodes(&ds, &delete, &create, &hash, store);
            }
            let live: BTreeSet<String> = pods.values().flatten().filter_map(|p| p.hash.clone()).collect();
            history::cleanup(&ds, &hash, &live, store);
        }
        // Status reads the pods as they are now (the writes above are in the store).
        if acted {
            pods = node_to_pods(&ds, &hash, store).0;
        }
        update_status(&ds, &nodes, &pods, observed, store, requeues);
    }

    /// The adoption half of `ClaimPods` (`getDaemonPods`): orphans of the namespace that
    /// are not being deleted and whose labels the selector matches, whatever their phase
    /// (unlike a ReplicaSet, a DaemonSet does not filter out finished pods first).
    fn adopt_orphans(&mut self, ds: &Ds, store: &mut Store) {
        let mut can_adopt: Option<bool> = None;
        for name in self.orphans.in_namespace(&ds.key.0) {
            let Some(pod) = store.stored_pod(&(ds.key.0.clone(), name.clone())) else { continue };
            if controller_ref(&pod.metadata).is_some()
                || pod.metadata.deletion_timestamp.is_some()
                || !ds.selector.matches_opt(pod.metadata.labels.as_ref())
            {
                continue;
            }
            if !*can_adopt.get_or_insert_with(|| ds.can_adopt(store)) {
                return;
            }
            claim::adopt(store, &(ds.key.0.clone(), name), ds.owner_ref());
        }
    }

    /// `manage`: a pod for every node that should run one and has none; failed and
    /// surplus pods deleted; pods on nodes that no longer qualify deleted. Returns
    /// whether it wrote anything.
    fn manage(
        &mut self,
        ds: &Ds,
        nodes: &[NodeFacts],
        pods: &NodePods,
        hash: &str,
        store: &mut Store,
        requeues: &mut Requeues,
    ) -> bool {
        let surging = ds.rolling.as_ref().is_some_and(|(_, s)| {
            crate::controllers::deployment::util::scaled_value(s, nodes.len() as i32, true).unwrap_or(0) > 0
        });
        let mut create: Vec<String> = Vec::new();
        let mut delete: Vec<String> = Vec::new();
        let now = store.now;
        for node in nodes {
            let on_node = pods.get(&node.name).map(Vec::as_slice).unwrap_or_default();
            let Placement { should_run, should_continue } = node.placement;
            if should_run && on_node.is_empty() {
                create.push(node.name.clone());
            } else if should_continue {
                let mut running: Vec<&DaemonPod> = Vec::new();
                for pod in on_node.iter().filter(|p| !p.deleting) {
                    match pod.phase.as_str() {
                        "Failed" => {
                            let backoff_key = (ds.uid.clone(), node.name.clone());
                            let (next, delay) = self.backoff.get(&backoff_key).copied().unwrap_or((0, 0));
                            if now < next {
                                requeues.push(next, (Kind::DaemonSet, ds.key.clone()));
                                continue;
                            }
                            let delay = if delay == 0 {
                                constants::DAEMONSET_FAILED_POD_BACKOFF_INITIAL
                            } else {
                                (delay * 2).min(constants::DAEMONSET_FAILED_POD_BACKOFF_MAX)
                            };
                            self.backoff.insert(backoff_key, (now + delay, delay));
                            record(
                                store,
                                &ds.key,
                                EventType::Warning,
                                "FailedDaemonPod",
                                format!(
                                    "Found failed daemon pod {}/{} on node {}, will try to kill it",
                                    ds.key.0, pod.name, node.name
                                ),
                            );
                            delete.push(pod.name.clone());
                        }
                        "Succeeded" => {
                            record(
                                store,
                                &ds.key,
                                EventType::Normal,
                                "SucceededDaemonPod",
                                format!(
                                    "Found succeeded daemon pod {}/{} on node {}, will try to delete it",
                                    ds.key.0, pod.name, node.name
                                ),
                            );
                            delete.push(pod.name.clone());
                        }
                        _ => running.push(pod),
                    }
                }
                if !surging {
                    // Keep the oldest; the rest go.
                    delete.extend(running.iter().skip(1).map(|p| p.name.clone()));
                } else {
                    delete.extend(surge_extras(&running, hash, ds.min_ready_seconds, now));
                }
            } else {
                delete.extend(on_node.iter().filter(|p| !p.deleting).map(|p| p.name.clone()));
            }
        }
        let acted = !create.is_empty() || !delete.is_empty();
        sync_nodes(ds, &delete, &create, hash, store);
        acted
    }
}

/// With surge, a node keeps an old ready pod beside a new one that is not yet
/// available; every other extra pod goes.
fn surge_extras(running: &[&DaemonPod], hash: &str, min_ready_seconds: i32, now: Millis) -> Vec<String> {
    let mut out = Vec::new();
    let (mut oldest_new, mut oldest_old): (Option<&DaemonPod>, Option<&DaemonPod>) = (None, None);
    for pod in running {
        let slot = if pod.hash.as_deref() == Some(hash) { &mut oldest_new } else { &mut oldest_old };
        if slot.is_none() {
            *slot = Some(pod);
        } else {
            out.push(pod.name.clone());
        }
    }
    if let (Some(new), Some(old)) = (oldest_new, oldest_old)
        && (!old.ready || new.available(min_ready_seconds, now))
    {
        out.push(old.name.clone());
    }
    out
}

/// `syncNodes`: deletes the named pods and creates one pod per named node, at most
/// `BurstReplicas` of each per sync.
fn sync_nodes(ds: &Ds, delete: &[String], create: &[String], hash: &str, store: &mut Store) {
    for name in delete.iter().take(constants::DAEMONSET_BURST) {
        if store.delete::<Pod>(&ds.key.0, name, DeleteOptions::default()).is_ok() {
            record(store, &ds.key, EventType::Normal, "SuccessfulDelete", format!("Deleted pod: {name}"));
        }
    }
    for node in create.iter().take(constants::DAEMONSET_BURST) {
        create_pod(ds, node, hash, store);
    }
}

/// `CreatePodTemplate` + `ReplaceDaemonSetPodNodeNameNodeAffinity`: the template with the
/// hash and generation labels, the daemon tolerations, and a required affinity for the
/// one node.
fn create_pod(ds: &Ds, node: &str, hash: &str, store: &mut Store) {
    let meta = ds.template.metadata.clone().unwrap_or_default();
    let mut labels = meta.labels.clone().unwrap_or_default();
    if let Some(g) = ds.template_generation {
        labels.insert(TEMPLATE_GENERATION_LABEL.into(), g.to_string());
    }
    if !hash.is_empty() {
        labels.insert(HASH_LABEL.into(), hash.to_string());
    }
    let mut spec = ds.template.spec.clone().unwrap_or_default();
    spec.tolerations = Some(daemon_tolerations(Some(&spec)));
    let pin = NodeSelector {
        node_selector_terms: vec![NodeSelectorTerm {
            match_fields: Some(vec![NodeSelectorRequirement {
                key: "metadata.name".into(),
                operator: "In".into(),
                values: Some(vec![node.to_string()]),
            }]),
            match_expressions: None,
        }],
    };
    let affinity = spec.affinity.get_or_insert_with(Affinity::default);
    affinity
        .node_affinity
        .get_or_insert_with(NodeAffinity::default)
        .required_during_scheduling_ignored_during_execution = Some(pin);
    let mut pod = Pod {
        metadata: ObjectMeta {
            generate_name: Some(format!("{}-", ds.key.1)),
            namespace: Some(ds.key.0.clone()),
            labels: Some(labels),
            annotations: meta.annotations.clone(),
            owner_references: Some(vec![ds.owner_ref()]),
            ..Default::default()
        },
        spec: Some(spec),
        status: None,
    };
    match admit(&mut pod, store).and_then(|_| store.create(pod)) {
        Ok(pod) => {
            let name = pod.metadata.name.clone().unwrap_or_default();
            record(store, &ds.key, EventType::Normal, "SuccessfulCreate", format!("Created pod: {name}"));
        }
        Err(err) => {
            record(store, &ds.key, EventType::Warning, "FailedCreate", format!("Error creating: {err}"))
        }
    }
}

fn record(store: &mut Store, key: &ObjKey, type_: EventType, reason: &str, message: String) {
    if let Some(who) = store.get_by_key::<DaemonSet>(key).map(involved) {
        store.record_event(who, type_, reason, message, COMPONENT, None);
    }
}

/// `updateDaemonSetStatus`: per eligible node, the oldest pod decides ready, available
/// and updated; pods on nodes that should not run one are misscheduled.
fn update_status(
    ds: &Ds,
    nodes: &[NodeFacts],
    pods: &NodePods,
    observed: bool,
    store: &mut Store,
    requeues: &mut Requeues,
) {
    let now = store.now;
    let (mut desired, mut current, mut misscheduled, mut ready, mut available, mut updated) =
        (0, 0, 0, 0, 0, 0);
    let mut recheck: Option<Millis> = None;
    for node in nodes {
        let on_node = pods.get(&node.name).map(Vec::as_slice).unwrap_or_default();
        if !node.placement.should_run {
            misscheduled += i32::from(!on_node.is_empty());
            continue;
        }
        desired += 1;
        let Some(pod) = on_node.first() else { continue };
        current += 1;
        if pod.ready {
            ready += 1;
            if pod.available(ds.min_ready_seconds, now) {
                available += 1;
            } else if let Some(since) = pod.ready_since {
                let at = since + ds.min_ready_seconds as Millis * SECOND;
                recheck = Some(recheck.map_or(at, |r: Millis| r.min(at)));
            }
        }
        updated += i32::from(pod.updated);
    }
    if let Some(at) = recheck {
        requeues.push(at.max(now + 1), (Kind::DaemonSet, ds.key.clone()));
    }
    let Some(stored) = store.get_by_key::<DaemonSet>(&ds.key) else { return };
    let old = stored.status.clone().unwrap_or_default();
    let opt = |n: i32| if n == 0 { None } else { Some(n) };
    let status = DaemonSetStatus {
        desired_number_scheduled: desired,
        current_number_scheduled: current,
        number_misscheduled: misscheduled,
        number_ready: ready,
        updated_number_scheduled: opt(updated),
        number_available: opt(available),
        number_unavailable: opt(desired - available),
        observed_generation: if observed { ds.generation } else { old.observed_generation },
        collision_count: old.collision_count,
        conditions: old.conditions.clone(),
    };
    if stored.status.as_ref() == Some(&status) {
        return;
    }
    let _ = store.modify_status::<DaemonSet>(&ds.key, |d| d.status = Some(status));
}

/// Whether the pod's controller is a DaemonSet (for drain and describe).
pub fn is_daemon_pod(pod: &Pod) -> bool {
    controller_ref(&pod.metadata).is_some_and(|r| r.kind == "DaemonSet")
}
