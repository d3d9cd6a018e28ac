//! The ReplicaSet controller, which also serves ReplicationControllers as
//! kube-controller-manager does (`pkg/controller/replicaset`, `pkg/controller/replication`).
//!
//! A sync reads the current state and acts: claim pods (adopt matching orphans, release
//! owned pods that no longer match), create or delete the difference to `replicas`
//! (at most 500 per sync), then write status computed from the pods it claimed.

use k8s_openapi::api::apps::v1::{ReplicaSet, ReplicaSetStatus};
use k8s_openapi::api::core::v1::{Pod, PodTemplateSpec, ReplicationController, ReplicationControllerStatus};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};

use crate::api::admission::admit;
use crate::api::event::EventType;
use crate::api::selector::Selector;
use crate::api::store::{Change, ChangeOp, DeleteOptions, Object, controller_ref, involved};
use crate::api::stored_pod::StoredPod;
use crate::api::{Kind, ObjKey, Store};
use crate::constants;
use crate::controllers::claim::{self, Orphans};
use crate::hash::HashMap;
use crate::sim::queue::{TimerQueue, WorkQueue};
use crate::time::{Millis, SECOND};
use std::collections::BinaryHeap;

/// A ReplicaSet or ReplicationController, seen through what both have in common.
struct Replicated {
    kind: Kind,
    key: ObjKey,
    uid: String,
    api_version: &'static str,
    replicas: i32,
    selector: Selector,
    template: PodTemplateSpec,
    min_ready_seconds: i32,
    deleting: bool,
    generation: Option<i64>,
    /// The controller owning this ReplicaSet (a Deployment), for scale-down ranking.
    owner: Option<String>,
}

/// Requeues the controller asks the clock for.
pub type Requeues = TimerQueue<(Kind, ObjKey)>;

/// What a sync learned about one controlled pod. Facts that are counted stay true
/// until the pod is written again, because every write reaches [`ReplicaSetController::
/// observe`], which takes the pod out of its owner's tally first.
#[derive(Clone, Copy, Default)]
struct PodFacts {
    /// The owner whose tally counts this pod (an index into `tallies`), if any.
    counted_in: Option<usize>,
    active: bool,
    fully_labeled: bool,
    ready_since: Option<Option<jiff::Timestamp>>,
}

/// Running counts of one owner's pods, kept up to date from the change log so that a
/// sync reads only the pods written since the last one (informer caches give the real
/// controller the same economy): a large ReplicaSet is synced hundreds of times while
/// its pods start.
#[derive(Default)]
struct Tally {
    /// The owner's generation when counted: a new template or selector recounts all.
    generation: Option<i64>,
    /// Whether the counts cover every controlled pod but those in `dirty`.
    complete: bool,
    active: usize,
    fully_labeled: i32,
    ready: i32,
    /// Slots written since the last sync (counted nowhere until the next one).
    dirty: Vec<usize>,
}

impl Tally {
    fn add(&mut self, facts: &PodFacts, sign: i32) {
        if facts.active {
            self.active = (self.active as i64 + sign as i64) as usize;
            self.fully_labeled += sign * i32::from(facts.fully_labeled);
            self.ready += sign * i32::from(facts.ready_since.is_some());
        }
    }
}

#[derive(Default)]
pub struct ReplicaSetController {
    queue: WorkQueue<(Kind, ObjKey)>,
    /// Owner uid → index into `tallies`.
    tally_ids: HashMap<String, usize>,
    tallies: Vec<Tally>,
    /// Facts about pods, by pod slot (an array read per pod, not a hashed lookup).
    slot_facts: Vec<PodFacts>,
    /// Pods with no controller: adoption candidates.
    orphans: Orphans,
    /// Each owner's deletion ranking, by the same index as `tallies`.
    rankings: Vec<Ranking>,
    /// Where each pod slot is listed in `rankings`.
    placements: Vec<Placement>,
    /// Node name → small id, so that co-location counts are an array, not a map.
    node_ids: HashMap<String, u32>,
    /// Reused buffer: related active pods by node id, for one scale-down.
    on_node: Vec<u32>,
    /// The `seq` after the last change noted (see [`ReplicaSetController::note_written`]).
    noted: u64,
}

fn is_active(pod: &StoredPod) -> bool {
    let phase = pod.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or("");
    phase != "Succeeded" && phase != "Failed" && pod.metadata.deletion_timestamp.is_none()
}

/// When the pod's Ready condition last turned True, if it is True.
fn ready_since(pod: &StoredPod) -> Option<Option<jiff::Timestamp>> {
    pod.status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find(|c| c.type_ == "Ready" && c.status == "True")
        .map(|c| c.last_transition_time.as_ref().map(|t| t.0))
}

fn available_since(
    ready: Option<Option<jiff::Timestamp>>,
    min_ready_seconds: i32,
    now: jiff::Timestamp,
) -> bool {
    match ready {
        None => false,
        Some(_) if min_ready_seconds == 0 => true,
        Some(None) => false,
        Some(Some(since)) => since + jiff::SignedDuration::from_secs(min_ready_seconds as i64) < now,
    }
}

impl ReplicaSetController {
    pub fn observe(&mut self, change: &Change, store: &Store) {
        match change.kind {
            Kind::ReplicaSet | Kind::ReplicationController => {
                if change.op == ChangeOp::Deleted {
                    if let Some(id) = self.tally_ids.remove(&change.uid) {
                        self.drop_ranking(id);
                    }
                } else {
                    self.queue.add((change.kind, change.key.clone()));
                }
            }
            Kind::Pod => self.observe_pod(change, store),
            _ => {}
        }
    }

    fn observe_pod(&mut self, change: &Change, store: &Store) {
        self.note_written(change);
        for owner in [&change.old_controller, &change.new_controller].into_iter().flatten() {
            if let Some((kind, key)) = store.lookup_uid(owner)
                && matches!(kind, Kind::ReplicaSet | Kind::ReplicationController)
            {
                self.queue.add((*kind, key.clone()));
            }
        }
        // Only active orphans are claimed (`FilterActivePods` before `ClaimPods`).
        if let Some(pod) = self.orphans.note(change, store).filter(|p| is_active(p)) {
            for (kind, key) in matching_controllers(store, &change.key.0, pod) {
                self.queue.add((kind, key));
            }
        }
    }

    pub fn requeue(&mut self, key: (Kind, ObjKey)) {
        self.queue.add(key);
    }

    /// Syncs every queued ReplicaSet/RC; returns how many it looked at.
    pub fn run(&mut self, store: &mut Store, requeues: &mut Requeues) -> usize {
        let keys = self.queue.drain();
        for (kind, key) in &keys {
            self.sync(*kind, key, store, requeues);
        }
        keys.len()
    }

    fn sync(&mut self, kind: Kind, key: &ObjKey, store: &mut Store, requeues: &mut Requeues) {
        let Some(rs) = load(kind, key, store) else { return };
        if !rs.deleting {
            self.adopt_orphans(&rs, store);
        }
        let census = self.census(&rs, store);
        if !rs.deleting {
            for key in &census.release {
                claim::release(store, key, &rs.uid);
            }
            self.manage_replicas(&rs, census.active, store);
        }
        update_status(&rs, &census, store, requeues);
    }

    /// A pod was written: out of the tally that counted it, into its controller's
    /// pods to count at the next sync.
    fn note_written(&mut self, change: &Change) {
        if change.seq < self.noted {
            return;
        }
        self.noted = change.seq + 1;
        self.uncount(change.slot);
        self.unrank(change.slot);
        if let Some(owner) = &change.new_controller
            && let Some(&id) = self.tally_ids.get(owner)
        {
            self.tallies[id].dirty.push(change.slot);
            self.rank_dirty(id, change.slot);
        }
    }

    /// Notes the pod writes made earlier in this round, not observed yet: a sync reads
    /// the store as it is now, so it takes them into account first.
    fn note_pending(&mut self, store: &Store) {
        let pending = store.pending_changes();
        let first_new = pending.partition_point(|c| c.seq < self.noted);
        for change in pending[first_new..].iter().filter(|c| c.kind == Kind::Pod) {
            self.note_written(change);
        }
    }

    /// Takes a pod out of the tally that counted it.
    fn uncount(&mut self, slot: usize) {
        if let Some(facts) = self.slot_facts.get_mut(slot)
            && let Some(owner) = facts.counted_in.take()
        {
            let facts = *facts;
            self.tallies[owner].add(&facts, -1);
        }
    }

    /// The owner's census: its tally brought up to date by counting the pods written
    /// since the last sync, or by counting all its pods when the tally cannot be
    /// trusted (first sync, new generation, deletion) or availability depends on the
    /// clock (`minReadySeconds`).
    fn census(&mut self, rs: &Replicated, store: &Store) -> Census {
        let id = self.owner_id(&rs.uid);
        self.note_pending(store);
        let tally = &self.tallies[id];
        let recount =
            !tally.complete || tally.generation != rs.generation || rs.deleting || rs.min_ready_seconds > 0;
        let mut census = Census { release: Vec::new(), active: 0, fully_labeled: 0, ready: 0, available: 0 };
        if recount {
            self.recount(id, rs, store, &mut census);
        } else {
            self.count_written(id, rs, store, &mut census);
            census.available = self.tallies[id].ready;
        }
        let tally = &self.tallies[id];
        census.active = tally.active;
        census.fully_labeled = tally.fully_labeled;
        census.ready = tally.ready;
        debug_assert_eq!(
            (census.active, census.fully_labeled, census.ready),
            recount_from_scratch(rs, store),
            "the running tally of {:?} drifted from its pods",
            rs.key
        );
        census
    }

    /// Counts every pod the owner controls afresh (reusing the facts of pods it counted
    /// under the same generation), and which of them are available now.
    fn recount(&mut self, id: usize, rs: &Replicated, store: &Store, census: &mut Census) {
        let tally = &self.tallies[id];
        let same_generation = tally.complete && tally.generation == rs.generation;
        self.tallies[id] = Tally { generation: rs.generation, complete: !rs.deleting, ..Tally::default() };
        let now = store.clock.at(store.now);
        for (slot, _) in store.pod_slots_controlled_by(&rs.uid) {
            let facts = match self.slot_facts.get(slot) {
                Some(f) if same_generation && f.counted_in == Some(id) => *f,
                _ => {
                    match self.slot_facts.get_mut(slot) {
                        // Counted in the tally just reset: nothing to take out.
                        Some(f) if f.counted_in == Some(id) => f.counted_in = None,
                        _ => self.uncount(slot),
                    }
                    let Some(pod) = store.pod_at(slot) else { continue };
                    match pod_facts(rs, pod) {
                        Some(facts) => facts,
                        None => {
                            census.release.push(pod_key(pod));
                            continue;
                        }
                    }
                }
            };
            self.count(slot, facts, id);
            if facts.active && available_since(facts.ready_since, rs.min_ready_seconds, now) {
                census.available += 1;
            }
        }
    }

    /// Counts the pods written since the last sync that the owner still controls.
    fn count_written(&mut self, id: usize, rs: &Replicated, store: &Store, census: &mut Census) {
        for slot in std::mem::take(&mut self.tallies[id].dirty) {
            if self.slot_facts.get(slot).is_some_and(|f| f.counted_in.is_some()) {
                continue;
            }
            let Some(pod) = store.pod_at(slot) else { continue };
            if controller_ref(&pod.metadata).is_none_or(|r| r.uid != rs.uid) {
                continue;
            }
            match pod_facts(rs, pod) {
                Some(facts) => self.count(slot, facts, id),
                None => census.release.push(pod_key(pod)),
            }
        }
    }

    /// Counts a pod in an owner's tally.
    fn count(&mut self, slot: usize, mut facts: PodFacts, owner: usize) {
        facts.counted_in = Some(owner);
        if self.slot_facts.len() <= slot {
            self.slot_facts.resize(slot + 1, PodFacts::default());
        }
        self.slot_facts[slot] = facts;
        self.tallies[owner].add(&facts, 1);
    }

    /// Adopts active orphans in the namespace that the selector matches.
    fn adopt_orphans(&mut self, rs: &Replicated, store: &mut Store) {
        for name in self.orphans.in_namespace(&rs.key.0) {
            let Some(pod) = store.stored_pod(&(rs.key.0.clone(), name.clone())) else { continue };
            if controller_ref(&pod.metadata).is_none()
                && is_active(pod)
                && rs.selector.matches_opt(pod.metadata.labels.as_ref())
            {
                claim::adopt(store, &(rs.key.0.clone(), name), controller_owner_ref(rs));
            }
        }
    }
}

/// What one sync learns from the pods it controls (`calculateStatus` inputs).
struct Census {
    release: Vec<ObjKey>,
    active: usize,
    fully_labeled: i32,
    ready: i32,
    available: i32,
}

/// What the owner learns of a pod it controls; `None` when its labels no longer match
/// the selector (the pod is to be released), unless the owner is being deleted.
fn pod_facts(rs: &Replicated, pod: &StoredPod) -> Option<PodFacts> {
    let labels = pod.metadata.labels.as_ref();
    if !rs.deleting && !rs.selector.matches_opt(labels) {
        return None;
    }
    let template_labels = rs.template.metadata.as_ref().and_then(|m| m.labels.as_ref());
    Some(PodFacts {
        counted_in: None,
        active: is_active(pod),
        fully_labeled: template_labels
            .into_iter()
            .flatten()
            .all(|(k, v)| labels.and_then(|l| l.get(k)) == Some(v)),
        ready_since: ready_since(pod),
    })
}

/// (active, fully labeled, ready) counted from every controlled pod: what the running
/// tally must equal (checked in debug builds).
fn recount_from_scratch(rs: &Replicated, store: &Store) -> (usize, i32, i32) {
    let mut tally = Tally::default();
    for pod in store.pods_controlled_by(&rs.uid) {
        if let Some(facts) = pod_facts(rs, pod) {
            tally.add(&facts, 1);
        }
    }
    (tally.active, tally.fully_labeled, tally.ready)
}

fn pod_key(p: &StoredPod) -> ObjKey {
    (p.metadata.namespace.clone().unwrap_or_default(), p.metadata.name.clone().unwrap_or_default())
}

impl ReplicaSetController {
    /// Creates or deletes the difference between active pods and `replicas`.
    fn manage_replicas(&mut self, rs: &Replicated, active_count: usize, store: &mut Store) {
        let diff = active_count as i64 - rs.replicas as i64;
        if diff < 0 {
            let count = (-diff as usize).min(constants::REPLICASET_BURST);
            for _ in 0..count {
                create_pod(store, rs);
            }
        } else if diff > 0 {
            let count = (diff as usize).min(constants::REPLICASET_BURST);
            let victims: Vec<String> = self
                .pods_to_delete(count, rs, store)
                .into_iter()
                .filter_map(|slot| store.pod_at(slot).and_then(|p| p.metadata.name.clone()))
                .collect();
            for name in victims {
                if store.delete::<Pod>(&rs.key.0, &name, DeleteOptions::default()).is_ok() {
                    record(store, rs, EventType::Normal, "SuccessfulDelete", format!("Deleted pod: {name}"));
                }
            }
        }
    }
}

fn update_status(rs: &Replicated, census: &Census, store: &mut Store, requeues: &mut Requeues) {
    let replicas = census.active as i32;
    let (fully_labeled, ready, available) = (census.fully_labeled, census.ready, census.available);
    if rs.min_ready_seconds > 0 && ready == rs.replicas && available != rs.replicas {
        // Availability needs `readySince + minReadySeconds < now`, strictly: look again
        // just after that instant, as the real requeue lands a little after it.
        requeues.push(store.now + rs.min_ready_seconds as Millis * SECOND + 1, (rs.kind, rs.key.clone()));
    }
    let opt = |n: i32| if n == 0 { None } else { Some(n) };
    match rs.kind {
        Kind::ReplicaSet => write_status_if_changed::<ReplicaSet, _>(
            store,
            &rs.key,
            ReplicaSetStatus {
                replicas,
                fully_labeled_replicas: opt(fully_labeled),
                ready_replicas: opt(ready),
                available_replicas: opt(available),
                observed_generation: rs.generation,
                conditions: None,
                terminating_replicas: None,
            },
            |o| &o.status,
            |o| &mut o.status,
        ),
        _ => write_status_if_changed::<ReplicationController, _>(
            store,
            &rs.key,
            ReplicationControllerStatus {
                replicas,
                fully_labeled_replicas: opt(fully_labeled),
                ready_replicas: opt(ready),
                available_replicas: opt(available),
                observed_generation: rs.generation,
                conditions: None,
            },
            |o| &o.status,
            |o| &mut o.status,
        ),
    }
}

/// Writes a status only when it differs from the stored one.
fn write_status_if_changed<T: Object, S: PartialEq>(
    store: &mut Store,
    key: &ObjKey,
    status: S,
    get: fn(&T::Stored) -> &Option<S>,
    set: fn(&mut T::Stored) -> &mut Option<S>,
) {
    let Some(current) = store.get_stored::<T>(key) else { return };
    if get(current).as_ref() == Some(&status) {
        return;
    }
    let _ = store.modify_status::<T>(key, |o| *set(o) = Some(status));
}

fn load(kind: Kind, key: &ObjKey, store: &Store) -> Option<Replicated> {
    match kind {
        Kind::ReplicaSet => {
            let rs = store.get_by_key::<ReplicaSet>(key)?;
            let spec = rs.spec.clone()?;
            Some(Replicated {
                kind,
                key: key.clone(),
                uid: rs.metadata.uid.clone()?,
                api_version: "apps/v1",
                replicas: spec.replicas.unwrap_or(1),
                selector: Selector::from_label_selector(&spec.selector).ok()?,
                template: spec.template.unwrap_or_default(),
                min_ready_seconds: spec.min_ready_seconds.unwrap_or(0),
                deleting: rs.metadata.deletion_timestamp.is_some(),
                generation: rs.metadata.generation,
                owner: controller_ref(&rs.metadata).map(|r| r.uid.clone()),
            })
        }
        Kind::ReplicationController => {
            let rc = store.get_by_key::<ReplicationController>(key)?;
            let spec = rc.spec.clone()?;
            Some(Replicated {
                kind,
                key: key.clone(),
                uid: rc.metadata.uid.clone()?,
                api_version: "v1",
                replicas: spec.replicas.unwrap_or(1),
                selector: Selector::from_map(&spec.selector.unwrap_or_default()),
                template: spec.template.unwrap_or_default(),
                min_ready_seconds: spec.min_ready_seconds.unwrap_or(0),
                deleting: rc.metadata.deletion_timestamp.is_some(),
                generation: rc.metadata.generation,
                owner: None,
            })
        }
        _ => None,
    }
}

/// ReplicaSets and RCs in a namespace whose selector matches the pod's labels.
fn matching_controllers(store: &Store, namespace: &str, pod: &StoredPod) -> Vec<(Kind, ObjKey)> {
    let mut out = Vec::new();
    for rs in store.list::<ReplicaSet>(Some(namespace)) {
        if let Some(spec) = &rs.spec
            && let Ok(sel) = Selector::from_label_selector(&spec.selector)
            && !sel.is_empty()
            && sel.matches_opt(pod.metadata.labels.as_ref())
        {
            out.push((
                Kind::ReplicaSet,
                (namespace.to_string(), rs.metadata.name.clone().unwrap_or_default()),
            ));
        }
    }
    for rc in store.list::<ReplicationController>(Some(namespace)) {
        if let Some(selector) = rc.spec.as_ref().and_then(|s| s.selector.as_ref())
            && !selector.is_empty()
            && Selector::from_map(selector).matches_opt(pod.metadata.labels.as_ref())
        {
            out.push((
                Kind::ReplicationController,
                (namespace.to_string(), rc.metadata.name.clone().unwrap_or_default()),
            ));
        }
    }
    out
}

fn controller_owner_ref(rs: &Replicated) -> OwnerReference {
    claim::controller_owner_ref(rs.api_version, rs.kind.info().name, &rs.key.1, &rs.uid)
}

fn component(kind: Kind) -> &'static str {
    match kind {
        Kind::ReplicationController => "replication-controller",
        _ => "replicaset-controller",
    }
}

fn record(store: &mut Store, rs: &Replicated, type_: EventType, reason: &str, message: String) {
    let who = match rs.kind {
        Kind::ReplicaSet => store.get_by_key::<ReplicaSet>(&rs.key).map(involved),
        _ => store.get_by_key::<ReplicationController>(&rs.key).map(involved),
    };
    if let Some(who) = who {
        store.record_event(who, type_, reason, message, component(rs.kind), None);
    }
}

/// `GetPodFromTemplate`: `generateName: <owner>-`, the template's labels and
/// annotations, the owner as controller.
fn create_pod(store: &mut Store, rs: &Replicated) {
    let template_meta = rs.template.metadata.as_ref();
    let mut pod = Pod {
        metadata: ObjectMeta {
            generate_name: Some(format!("{}-", rs.key.1)),
            namespace: Some(rs.key.0.clone()),
            labels: template_meta.and_then(|m| m.labels.clone()),
            annotations: template_meta.and_then(|m| m.annotations.clone()),
            owner_references: Some(vec![controller_owner_ref(rs)]),
            ..Default::default()
        },
        spec: rs.template.spec.clone(),
        status: None,
    };
    let result = admit(&mut pod, store).and_then(|_| store.create(pod));
    match result {
        Ok(pod) => {
            let name = pod.metadata.name.clone().unwrap_or_default();
            record(store, rs, EventType::Normal, "SuccessfulCreate", format!("Created pod: {name}"));
        }
        Err(err) => record(store, rs, EventType::Warning, "FailedCreate", format!("Error creating: {err}")),
    }
}

impl ReplicaSetController {
    /// Chooses `count` pods to delete, as slots: the ranking of
    /// `controller.ActivePodsWithRanks` (1.22+: deletion cost, co-located related pods,
    /// log-scale ready/creation times) or the older `controller.ActivePods` order.
    ///
    /// Each owner's active pods and their per-node counts are kept up to date from the
    /// change log (see [`Ranking`]), so a sync neither walks the pods of the related
    /// ReplicaSets nor reads a pod that was not written since the last one; the `count`
    /// first in the order are then kept in a bounded max-heap while scanning the owner's
    /// compact facts once, instead of building and partitioning a key per active pod.
    /// A rollout of a large Deployment runs this hundreds of times.
    fn pods_to_delete(&mut self, count: usize, rs: &Replicated, store: &Store) -> Vec<usize> {
        // Pods released since the census are written but not yet observed.
        self.note_pending(store);
        let now = store.clock.at(store.now).as_nanosecond() as i64;
        let ranked = store.profile.minor >= 22;
        let id = self.owner_id(&rs.uid);
        self.refresh_ranking(id, &rs.uid, store);
        // Rank = active pods of related ReplicaSets (same owner) on the same node.
        let mut sources = vec![id];
        if ranked && let Some(owner) = &rs.owner {
            for key in store.dependents_of_kind(owner, Kind::ReplicaSet) {
                let Some(uid) = store.get_by_key::<ReplicaSet>(&key).and_then(|r| r.metadata.uid.clone())
                else {
                    continue;
                };
                if uid != rs.uid {
                    let related = self.owner_id(&uid);
                    self.refresh_ranking(related, &uid, store);
                    sources.push(related);
                }
            }
        }
        let members = &self.rankings[id].members;
        let chosen = if count >= members.len() {
            // Every active pod goes, in listing order.
            let mut slots: Vec<usize> = members.iter().map(|f| f.slot as usize).collect();
            slots.sort_unstable();
            slots
        } else {
            let mut on_node = std::mem::take(&mut self.on_node);
            on_node.clear();
            if ranked {
                on_node.resize(self.node_ids.len(), 0);
                for &source in &sources {
                    for (total, n) in on_node.iter_mut().zip(&self.rankings[source].on_node) {
                        *total += n;
                    }
                }
            }
            let mut best: BinaryHeap<DeletionKey> = BinaryHeap::with_capacity(count + 1);
            for facts in members {
                let key = deletion_key(facts, ranked, &on_node, now);
                if best.len() < count {
                    best.push(key);
                } else if let Some(mut worst) = best.peek_mut()
                    && key < *worst
                {
                    *worst = key;
                }
            }
            self.on_node = on_node;
            best.into_sorted_vec().into_iter().map(|k| k.slot).collect()
        };
        debug_assert_eq!(
            chosen,
            pods_to_delete_from_scratch(count, rs, store),
            "the deletion ranking of {:?} drifted from its pods",
            rs.key
        );
        chosen
    }

    /// The index of an owner's [`Tally`] and [`Ranking`], made on first use.
    fn owner_id(&mut self, uid: &str) -> usize {
        if let Some(&id) = self.tally_ids.get(uid) {
            return id;
        }
        self.tallies.push(Tally::default());
        self.rankings.push(Ranking::default());
        self.tally_ids.insert(uid.to_string(), self.tallies.len() - 1);
        self.tallies.len() - 1
    }

    /// Brings an owner's ranking up to date: every controlled pod on first use, then
    /// only the pods written since.
    fn refresh_ranking(&mut self, id: usize, uid: &str, store: &Store) {
        if !self.rankings[id].built {
            self.rankings[id].built = true;
            for (slot, _) in store.pod_slots_controlled_by(uid) {
                self.rank(id, slot, uid, store);
            }
        } else {
            for slot in std::mem::take(&mut self.rankings[id].dirty) {
                self.rank(id, slot as usize, uid, store);
            }
        }
    }

    /// Adds the pod in `slot` to the owner's ranking if the owner controls it and it is
    /// active (and it is not there already: a pod written twice is listed twice).
    fn rank(&mut self, id: usize, slot: usize, uid: &str, store: &Store) {
        if self.placements.get(slot).is_some_and(|p| p.owner != NONE) {
            return;
        }
        let Some(pod) = store.pod_at(slot) else { return };
        if !is_active(pod) || controller_ref(&pod.metadata).is_none_or(|r| r.uid != uid) {
            return;
        }
        let node = match pod.bound_node() {
            Some(name) => match self.node_ids.get(name) {
                Some(&n) => n,
                None => {
                    let n = self.node_ids.len() as u32;
                    self.node_ids.insert(name.to_string(), n);
                    n
                }
            },
            None => NONE,
        };
        let facts = rank_facts(pod, slot, node);
        let ranking = &mut self.rankings[id];
        if node != NONE {
            if ranking.on_node.len() <= node as usize {
                ranking.on_node.resize(node as usize + 1, 0);
            }
            ranking.on_node[node as usize] += 1;
        }
        if self.placements.len() <= slot {
            self.placements.resize(slot + 1, Placement::NOWHERE);
        }
        self.placements[slot] = Placement { owner: id as u32, pos: ranking.members.len() as u32 };
        ranking.members.push(facts);
    }

    /// Takes a written pod out of the ranking that lists it.
    fn unrank(&mut self, slot: usize) {
        let Some(&Placement { owner, pos }) = self.placements.get(slot) else { return };
        if owner == NONE {
            return;
        }
        self.placements[slot] = Placement::NOWHERE;
        let ranking = &mut self.rankings[owner as usize];
        let facts = ranking.members.swap_remove(pos as usize);
        if facts.node != NONE {
            ranking.on_node[facts.node as usize] -= 1;
        }
        if let Some(moved) = ranking.members.get(pos as usize) {
            self.placements[moved.slot as usize].pos = pos;
        }
    }

    /// Notes that the owner's pod in `slot` was written, for its next refresh. A
    /// ranking whose owner is not scaled down again would gather writes forever: past
    /// a bound it is dropped and built afresh if it is needed again.
    fn rank_dirty(&mut self, id: usize, slot: usize) {
        let ranking = &mut self.rankings[id];
        if !ranking.built {
            return;
        }
        ranking.dirty.push(slot as u32);
        if ranking.dirty.len() > 2 * ranking.members.len() + RANKING_DIRTY_SLACK {
            self.drop_ranking(id);
        }
    }

    /// Forgets an owner's ranking (its pods are listed nowhere until it is rebuilt).
    fn drop_ranking(&mut self, id: usize) {
        for facts in std::mem::take(&mut self.rankings[id]).members {
            self.placements[facts.slot as usize] = Placement::NOWHERE;
        }
    }
}

/// How many written pods, beyond twice the listed ones, a ranking gathers before it is
/// dropped (a bound on its memory, not a Kubernetes constant).
const RANKING_DIRTY_SLACK: usize = 4096;

/// "No owner" / "not bound", in the `u32` ids of the ranking.
const NONE: u32 = u32::MAX;

/// An owner's active pods as the deletion ranking sees them, kept up to date between
/// syncs: every pod write takes the pod out ([`ReplicaSetController::unrank`]) and
/// lists its slot in its controller's `dirty`, read again at the next refresh.
#[derive(Default)]
struct Ranking {
    /// Whether `members` lists every active controlled pod but those in `dirty`.
    built: bool,
    /// The active pods, in no particular order (the key breaks every tie).
    members: Vec<RankFacts>,
    /// Active pods by node id (see `node_ids`).
    on_node: Vec<u32>,
    /// Slots written since the last refresh.
    dirty: Vec<u32>,
}

/// Where a pod slot is listed: `rankings[owner].members[pos]`.
#[derive(Clone, Copy)]
struct Placement {
    owner: u32,
    pos: u32,
}

impl Placement {
    const NOWHERE: Placement = Placement { owner: NONE, pos: 0 };
}

/// What the deletion ranking reads of an active pod, valid until the pod is written
/// again (times in nanoseconds since the epoch). One cache line: a sync scans them all.
#[derive(Clone, Copy)]
struct RankFacts {
    uid: u128,
    ready_at: i64,
    created: i64,
    slot: u32,
    /// The id (see `node_ids`) of the node the pod is bound to, or [`NONE`].
    node: u32,
    restarts: i32,
    cost: i32,
    phase: u8,
    /// 0: not ready; 1: ready with no transition time; 2: ready since `ready_at`.
    ready: u8,
    has_created: bool,
}

fn rank_facts(pod: &StoredPod, slot: usize, node: u32) -> RankFacts {
    let nanos = |t: jiff::Timestamp| t.as_nanosecond() as i64;
    let (ready, ready_at) = match ready_since(pod) {
        None => (0, 0),
        Some(None) => (1, 0),
        Some(Some(t)) => (2, nanos(t)),
    };
    let created = pod.metadata.creation_timestamp.as_ref().map(|t| nanos(t.0));
    RankFacts {
        uid: pod.metadata.uid.as_deref().map_or(0, uid_number),
        ready_at,
        created: created.unwrap_or(0),
        slot: slot as u32,
        node,
        restarts: max_restarts(pod),
        cost: deletion_cost(pod),
        phase: phase_rank(pod),
        ready,
        has_created: created.is_some(),
    }
}

/// The choice of [`ReplicaSetController::pods_to_delete`] made from the pods alone,
/// by the full sort it stands for: what the incremental one must equal (checked in
/// debug builds).
fn pods_to_delete_from_scratch(count: usize, rs: &Replicated, store: &Store) -> Vec<usize> {
    let now = store.clock.at(store.now).as_nanosecond() as i64;
    let ranked = store.profile.minor >= 22;
    let related: Vec<String> = match &rs.owner {
        Some(owner) if ranked => store
            .dependents_of_kind(owner, Kind::ReplicaSet)
            .into_iter()
            .filter_map(|key| store.get_by_key::<ReplicaSet>(&key).and_then(|r| r.metadata.uid.clone()))
            .filter(|uid| *uid != rs.uid)
            .collect(),
        _ => Vec::new(),
    };
    let mut node_ids: std::collections::BTreeMap<&str, u32> = Default::default();
    let mut on_node: Vec<u32> = Vec::new();
    let mut active = Vec::new();
    for uid in std::iter::once(&rs.uid).chain(&related) {
        for (slot, _) in store.pod_slots_controlled_by(uid) {
            let Some(pod) = store.pod_at(slot).filter(|p| is_active(p)) else { continue };
            let node = pod.bound_node().map_or(NONE, |name| {
                let next = node_ids.len() as u32;
                *node_ids.entry(name).or_insert(next)
            });
            if node != NONE {
                if on_node.len() <= node as usize {
                    on_node.resize(node as usize + 1, 0);
                }
                on_node[node as usize] += 1;
            }
            if *uid == rs.uid {
                active.push(rank_facts(pod, slot, node));
            }
        }
    }
    if count >= active.len() {
        return active.iter().map(|f| f.slot as usize).collect();
    }
    let mut keys: Vec<DeletionKey> = active.iter().map(|f| deletion_key(f, ranked, &on_node, now)).collect();
    keys.sort();
    keys.into_iter().take(count).map(|k| k.slot).collect()
}

/// A uid as a number: the order of its hex digits, which is the order of the uid
/// strings (all of one shape), so ties break as the real comparator's string compare.
fn uid_number(uid: &str) -> u128 {
    uid.chars().filter_map(|c| c.to_digit(16)).fold(0u128, |n, d| n.wrapping_mul(16) | d as u128)
}

/// A pod's place in the deletion order, smallest first (`ActivePodsWithRanks.Less`,
/// or `ActivePods.Less` when not ranked), field by field: unassigned before assigned;
/// Pending < Unknown < Running; not ready before ready; (ranked) lower deletion cost,
/// then more co-located related pods; for ready pods, ready more recently (in log2
/// buckets of the time since, when ranked; a missing time first); more restarts;
/// created more recently (log2 buckets when ranked); then the pod UID (ranked) or the
/// listing order (the stable sort of the older comparator; slots list in that order).
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct DeletionKey {
    assigned: bool,
    phase: u8,
    ready: bool,
    cost: i32,
    neg_rank: i64,
    ready_time: (u8, i64),
    neg_restarts: i32,
    created: i64,
    uid: u128,
    slot: usize,
}

fn deletion_key(f: &RankFacts, ranked: bool, on_node: &[u32], now: i64) -> DeletionKey {
    let time_key = |t: i64| if ranked { log_bucket(t, now) } else { -t };
    DeletionKey {
        assigned: f.node != NONE,
        phase: f.phase,
        ready: f.ready != 0,
        cost: if ranked { f.cost } else { 0 },
        neg_rank: if ranked { -(on_node.get(f.node as usize).copied().unwrap_or(0) as i64) } else { 0 },
        ready_time: if f.ready == 2 { (1, time_key(f.ready_at)) } else { (0, 0) },
        neg_restarts: -f.restarts,
        created: if f.has_created { time_key(f.created) } else { 0 },
        uid: if ranked { f.uid } else { 0 },
        slot: f.slot as usize,
    }
}

fn phase_rank(pod: &StoredPod) -> u8 {
    match pod.status.as_ref().and_then(|s| s.phase.as_deref()) {
        Some("Pending") => 0,
        Some("Unknown") => 1,
        Some("Running") => 2,
        _ => 0,
    }
}

fn deletion_cost(pod: &StoredPod) -> i32 {
    pod.metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get("controller.kubernetes.io/pod-deletion-cost"))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn max_restarts(pod: &StoredPod) -> i32 {
    pod.status
        .iter()
        .flat_map(|s| s.container_statuses.iter().flatten())
        .map(|c| c.restart_count)
        .max()
        .unwrap_or(0)
}

/// floor(log2(nanoseconds since t)), the LogarithmicScaleDown bucket (times in
/// nanoseconds).
fn log_bucket(t: i64, now: i64) -> i64 {
    let nanos = (now - t).max(1);
    63 - nanos.leading_zeros() as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uid_numbers_order_as_the_uid_strings() {
        let uids = [
            "00000000-0000-4000-8000-000000000001",
            "0f000000-0000-4000-8000-000000000000",
            "9e2c41aa-1b0d-4c8e-9f3a-5d6e7f8091a2",
            "9e2c41aa-1b0d-4c8e-9f3a-5d6e7f8091a3",
            "a0000000-0000-4000-8000-000000000000",
            "ffffffff-ffff-4fff-bfff-ffffffffffff",
        ];
        for pair in uids.windows(2) {
            assert!(pair[0] < pair[1]);
            assert!(uid_number(pair[0]) < uid_number(pair[1]), "{pair:?}");
        }
    }

    #[test]
    fn rank_facts_fit_a_cache_line() {
        assert!(std::mem::size_of::<RankFacts>() <= 64);
    }

    #[test]
    fn log_buckets_are_floor_log2_of_the_nanoseconds_since() {
        assert_eq!(log_bucket(0, 1), 0);
        assert_eq!(log_bucket(0, 2), 1);
        assert_eq!(log_bucket(0, 3), 1);
        assert_eq!(log_bucket(0, 1_000_000_000), 29);
        // A time in the future (or now) counts as one nanosecond ago.
        assert_eq!(log_bucket(5, 5), 0);
    }
}
