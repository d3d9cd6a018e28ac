//! One reconcile of a StatefulSet (`stateful_set_control.go` `updateStatefulSet`).
//!
//! 1. Revisions: find or create the update revision, remember the current one.
//! 2. Replicas in ascending ordinal: recreate failed pods, create missing claims and
//!    pods; `OrderedReady` stops after one creation and at the first pod that is not
//!    Running and Ready (or is terminating).
//! 3. Condemned pods (ordinal ≥ replicas) from the highest: `OrderedReady` deletes one
//!    and waits for it to vanish; `Parallel` deletes them all.
//! 4. `RollingUpdate` only: from the highest ordinal down to `partition`, delete the first
//!    pod not at the update revision (the next sync recreates it at that revision), or
//!    wait for an unhealthy one. One pod at a time, in either pod management policy.
//!
//! Then status is computed from the pods, and old revisions are pruned.

use std::collections::BTreeSet;

use jiff::Timestamp;
use k8s_openapi::api::apps::v1::{ControllerRevision, StatefulSet, StatefulSetStatus};
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Pod, PodTemplateSpec};

use super::COMPONENT;
use super::pods::{self, claim_templates};
use super::revision::{self, Revisions};
use crate::api::admission::admit;
use crate::api::event::EventType;
use crate::api::selector::Selector;
use crate::api::store::{DeleteOptions, controller_ref, involved};
use crate::api::stored_pod::StoredPod;
use crate::api::{Kind, ObjKey, Store};
use crate::controllers::replicaset::Requeues;
use crate::profile::Profile;
use crate::time::{Millis, SECOND};

/// What a sync needs to know about one pod, read once (pods are not cloned).
#[derive(Clone, Debug)]
struct PodFacts {
    name: String,
    uid: String,
    revision: String,
    phase: String,
    /// When Ready last turned True, if it is True.
    ready_since: Option<Option<Timestamp>>,
    terminating: bool,
}

impl PodFacts {
    fn of(pod: &StoredPod) -> PodFacts {
        let status = pod.status.as_ref();
        PodFacts {
            name: pod.metadata.name.clone().unwrap_or_default(),
            uid: pod.metadata.uid.clone().unwrap_or_default(),
            revision: pods::revision_of(&pod.metadata).to_string(),
            phase: status.and_then(|s| s.phase.clone()).unwrap_or_default(),
            ready_since: status
                .and_then(|s| s.conditions.as_ref())
                .and_then(|c| c.iter().find(|c| c.type_ == "Ready" && c.status == "True"))
                .map(|c| c.last_transition_time.as_ref().map(|t| t.0)),
            terminating: pod.metadata.deletion_timestamp.is_some(),
        }
    }

    /// A pod just created: Pending, at the revision it was made from.
    fn created(pod: &StoredPod) -> PodFacts {
        PodFacts { phase: "Pending".into(), ..PodFacts::of(pod) }
    }

    /// `isRunningAndReady`.
    fn running_and_ready(&self) -> bool {
        self.phase == "Running" && self.ready_since.is_some()
    }

    /// `isRunningAndAvailable`: ready for at least `minReadySeconds`.
    fn available(&self, min_ready_seconds: i64, now: Timestamp) -> bool {
        match self.ready_since {
            Some(_) if !self.running_and_ready() => false,
            Some(_) if min_ready_seconds == 0 => true,
            Some(Some(since)) => since + jiff::SignedDuration::from_secs(min_ready_seconds) <= now,
            _ => false,
        }
    }

    /// `isHealthy`: Running, Ready (and available) and not terminating.
    fn healthy(&self, min_ready_seconds: i64, now: Timestamp) -> bool {
        self.available(min_ready_seconds, now) && !self.terminating
    }
}

/// One sync's state.
struct Ctx<'a> {
    store: &'a mut Store,
    set: StatefulSet,
    key: ObjKey,
    profile: Profile,
    revisions: Revisions,
    min_ready_seconds: i64,
    now: Timestamp,
    /// Every pod's facts as the census read them, while this sync has written nothing
    /// (status then needs no second pass over the pods).
    census: Option<Vec<PodFacts>>,
}

pub(super) fn sync(store: &mut Store, requeues: &mut Requeues, key: &ObjKey, adopt: bool) {
    let Some(set) = store.get_by_key::<StatefulSet>(key).cloned() else { return };
    if adopt && set.metadata.deletion_timestamp.is_none() {
        adopt_orphans(store, &set);
    }
    let uid = set.metadata.uid.clone().unwrap_or_default();
    let existing = revision::list(store, &uid);
    let Ok(revisions) = revision::sync(store, &set, &existing) else { return };
    let profile = store.profile.clone();
    let min_ready_seconds = if profile.statefulset_min_ready_seconds {
        set.spec.as_ref().and_then(|s| s.min_ready_seconds).unwrap_or(0) as i64
    } else {
        0
    };
    let now = store.clock.at(store.now);
    let mut ctx =
        Ctx { store, set, key: key.clone(), profile, revisions, min_ready_seconds, now, census: None };
    if ctx.set.metadata.deletion_timestamp.is_none() {
        ctx.reconcile();
    }
    let live = ctx.update_status(requeues);
    let all = revision::list(ctx.store, &uid);
    revision::truncate(ctx.store, &ctx.set, &all, &live);
}

/// `ClaimPods`: pods without a controller that the selector matches and whose name makes
/// them members (`<set>-<ordinal>`) get the set as controller.
fn adopt_orphans(store: &mut Store, set: &StatefulSet) {
    let Some(spec) = set.spec.as_ref() else { return };
    let Ok(selector) = Selector::from_label_selector(&spec.selector) else { return };
    if selector.is_empty() {
        return;
    }
    let ns = set.metadata.namespace.clone().unwrap_or_default();
    let name = set.metadata.name.clone().unwrap_or_default();
    let orphans: Vec<ObjKey> = store
        .list_stored::<Pod>(Some(&ns))
        .filter(|p| controller_ref(&p.metadata).is_none() && p.metadata.deletion_timestamp.is_none())
        .filter(|p| p.metadata.name.as_deref().and_then(|n| pods::ordinal_of(&name, n)).is_some())
        .filter(|p| selector.matches_opt(p.metadata.labels.as_ref()))
        .map(|p| (ns.clone(), p.metadata.name.clone().unwrap_or_default()))
        .collect();
    for key in orphans {
        let owner = revision::owner_ref(set);
        let _ = store
            .update_meta::<Pod>(&key, |meta| meta.owner_references.get_or_insert_with(Vec::new).push(owner));
    }
    // `ClaimControllerRevisions`: orphaned revisions whose labels match, so that the
    // template they hold is found again instead of being recorded anew.
    let revisions: Vec<ControllerRevision> = store
        .list::<ControllerRevision>(Some(&ns))
        .filter(|r| controller_ref(&r.metadata).is_none() && r.metadata.deletion_timestamp.is_none())
        .filter(|r| selector.matches_opt(r.metadata.labels.as_ref()))
        .cloned()
        .collect();
    for mut r in revisions {
        r.metadata.owner_references.get_or_insert_with(Vec::new).push(revision::owner_ref(set));
        let _ = store.update(r);
    }
}

impl Ctx<'_> {
    fn name(&self) -> &str {
        &self.key.1
    }

    fn uid(&self) -> String {
        self.set.metadata.uid.clone().unwrap_or_default()
    }

    fn spec_replicas(&self) -> usize {
        self.set.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1).max(0) as usize
    }

    fn monotonic(&self) -> bool {
        self.set.spec.as_ref().and_then(|s| s.pod_management_policy.as_deref()) != Some("Parallel")
    }

    fn partition(&self) -> Option<usize> {
        let strategy = self.set.spec.as_ref().and_then(|s| s.update_strategy.as_ref())?;
        let rolling = strategy.rolling_update.as_ref()?;
        Some(rolling.partition.unwrap_or(0).max(0) as usize)
    }

    fn on_delete(&self) -> bool {
        self.set.spec.as_ref().and_then(|s| s.update_strategy.as_ref()).and_then(|s| s.type_.as_deref())
            == Some("OnDelete")
    }

    fn healthy(&self, p: &PodFacts) -> bool {
        p.healthy(self.min_ready_seconds, self.now)
    }

    /// The set's pods split into in-range slots by ordinal and condemned pods (highest
    /// ordinal first).
    fn census(&self) -> (Vec<Option<PodFacts>>, Vec<(usize, PodFacts)>) {
        let n = self.spec_replicas();
        let mut slots: Vec<Option<PodFacts>> = vec![None; n];
        let mut condemned = Vec::new();
        for pod in self.store.pods_controlled_by(&self.uid()) {
            let Some(ord) = pod.metadata.name.as_deref().and_then(|p| pods::ordinal_of(self.name(), p))
            else {
                continue;
            };
            if ord < n {
                slots[ord] = Some(PodFacts::of(pod));
            } else {
                condemned.push((ord, PodFacts::of(pod)));
            }
        }
        condemned.sort_by(|a, b| b.0.cmp(&a.0));
        (slots, condemned)
    }

    /// Every controlled pod's facts: the census's when nothing was written since.
    fn all_facts(&mut self) -> Vec<PodFacts> {
        if let Some(facts) = self.census.take() {
            return facts;
        }
        self.store.pods_controlled_by(&self.uid()).map(PodFacts::of).collect()
    }

    /// Phases 2–4 of the module doc; returns as soon as a phase has to wait.
    fn reconcile(&mut self) {
        let (mut slots, condemned) = self.census();
        let mut facts: Vec<PodFacts> = slots.iter().flatten().cloned().collect();
        facts.extend(condemned.iter().map(|(_, p)| p.clone()));
        self.census = Some(facts);
        let first_unhealthy = self.first_unhealthy(&slots, &condemned);
        if self.process_replicas(&mut slots) {
            return;
        }
        for (ord, p) in &condemned {
            self.fix_claims(*ord, &p.name, Some(&p.uid), true);
        }
        if self.process_condemned(&condemned, first_unhealthy) {
            return;
        }
        if !self.on_delete() {
            self.rolling_update(&slots);
        }
    }

    /// The lowest in-range ordinal that is missing or unhealthy, else the lowest
    /// condemned one.
    fn first_unhealthy(&self, slots: &[Option<PodFacts>], condemned: &[(usize, PodFacts)]) -> Option<usize> {
        let in_range = slots.iter().position(|s| s.as_ref().is_none_or(|p| !self.healthy(p)));
        in_range.or_else(|| condemned.iter().rev().find(|(_, p)| !self.healthy(p)).map(|(o, _)| *o))
    }

    /// Phase 2; true when the sync must stop here.
    fn process_replicas(&mut self, slots: &mut [Option<PodFacts>]) -> bool {
        let monotonic = self.monotonic();
        for ord in 0..slots.len() {
            if let Some(p) = &slots[ord]
                && (p.phase == "Failed" || p.phase == "Succeeded")
                && !p.terminating
            {
                let message =
                    format!("StatefulSet {}/{} is recreating failed Pod {}", self.key.0, self.name(), p.name);
                self.record(EventType::Warning, "RecreatingFailedPod", message);
                let name = p.name.clone();
                self.delete_pod(&name);
                slots[ord] = self.pod_facts(&name);
            }
            let Some(p) = slots[ord].clone() else {
                slots[ord] = self.create_replica(ord);
                if monotonic {
                    return true;
                }
                continue;
            };
            if p.terminating {
                if monotonic {
                    return true;
                }
                continue;
            }
            if p.phase == "Pending" || p.phase.is_empty() {
                self.create_claims(ord, &p.name);
            }
            if monotonic && !self.healthy(&p) {
                return true;
            }
            self.fix_claims(ord, &p.name, Some(&p.uid), false);
        }
        false
    }

    /// Phase 3; true when the sync must stop here.
    fn process_condemned(&mut self, condemned: &[(usize, PodFacts)], first_unhealthy: Option<usize>) -> bool {
        let monotonic = self.monotonic();
        for (ord, p) in condemned {
            if p.terminating {
                if monotonic {
                    return true;
                }
                continue;
            }
            if monotonic && !self.healthy(p) && first_unhealthy != Some(*ord) {
                return true;
            }
            self.delete_pod(&p.name);
            if monotonic {
                return true;
            }
        }
        false
    }

    /// Phase 4: one pod at a time from the highest ordinal down to the partition.
    fn rolling_update(&mut self, slots: &[Option<PodFacts>]) {
        let partition = self.partition().unwrap_or(0);
        let update = self.revisions.update.metadata.name.clone().unwrap_or_default();
        for ord in (partition..slots.len()).rev() {
            let Some(p) = &slots[ord] else { return };
            if p.revision != update && !p.terminating {
                let name = p.name.clone();
                self.delete_pod(&name);
                return;
            }
            if !self.healthy(p) {
                return;
            }
        }
    }

    fn pod_facts(&self, name: &str) -> Option<PodFacts> {
        self.store.stored_pod(&(self.key.0.clone(), name.to_string())).map(PodFacts::of)
    }

    /// The revision a new pod at `ord` gets: the current one below the partition, else
    /// the update revision (`newVersionedStatefulSetPod`).
    fn revision_for(&self, ord: usize) -> &ControllerRevision {
        match self.partition() {
            Some(p) if ord < p => &self.revisions.current,
            _ => &self.revisions.update,
        }
    }

    /// Creates the claims, then the pod, of one ordinal.
    fn create_replica(&mut self, ord: usize) -> Option<PodFacts> {
        let pod_name = pods::pod_name(self.name(), ord);
        if !self.create_claims(ord, &pod_name) {
            return None;
        }
        let revision = self.revision_for(ord);
        let template: PodTemplateSpec = revision::template_of(revision);
        let revision_name = revision.metadata.name.clone().unwrap_or_default();
        let mut pod = pods::new_pod(&self.set, &template, ord, &revision_name, &self.profile);
        self.census = None;
        let result = admit(&mut pod, self.store).and_then(|_| self.store.create(pod).map(PodFacts::created));
        match result {
            Ok(pod) => {
                let message = format!("create Pod {pod_name} in StatefulSet {} successful", self.name());
                self.record(EventType::Normal, "SuccessfulCreate", message);
                Some(pod)
            }
            Err(e) => {
                let message =
                    format!("create Pod {pod_name} in StatefulSet {} failed error: {e}", self.name());
                self.record(EventType::Warning, "FailedCreate", message);
                None
            }
        }
    }

    /// `createPersistentVolumeClaims`: the missing claims of one ordinal. False when a
    /// claim could not be made or is still being deleted (the pod must wait).
    fn create_claims(&mut self, ord: usize, pod_name: &str) -> bool {
        let templates: Vec<PersistentVolumeClaim> = claim_templates(&self.set).to_vec();
        for template in &templates {
            let claim = pods::new_claim(&self.set, template, ord);
            let claim_name = claim.metadata.name.clone().unwrap_or_default();
            if let Some(existing) = self.store.get::<PersistentVolumeClaim>(&self.key.0, &claim_name) {
                if existing.metadata.deletion_timestamp.is_some() {
                    return false;
                }
                continue;
            }
            let mut claim = claim;
            let refs = pods::claim_owner_refs(&[], &self.set, pod_name, None, false, &self.profile);
            claim.metadata.owner_references = if refs.is_empty() { None } else { Some(refs) };
            self.census = None;
            let result = admit(&mut claim, self.store).and_then(|_| self.store.create(claim).cloned());
            let set_name = self.name().to_string();
            match result {
                Ok(_) => self.record(
                    EventType::Normal,
                    "SuccessfulCreate",
                    format!("create Claim {claim_name} Pod {pod_name} in StatefulSet {set_name} success"),
                ),
                Err(e) => {
                    self.record(
                        EventType::Warning,
                        "FailedCreate",
                        format!("create Claim {claim_name} for Pod {pod_name} in StatefulSet {set_name} failed error: {e}"),
                    );
                    return false;
                }
            }
        }
        true
    }

    /// `UpdatePodClaimForRetentionPolicy`: brings the owner references of an ordinal's
    /// claims in line with the retention policy.
    fn fix_claims(&mut self, ord: usize, pod_name: &str, pod_uid: Option<&str>, condemned: bool) {
        if !self.profile.statefulset_pvc_retention || claim_templates(&self.set).is_empty() {
            return;
        }
        // Under Retain/Retain the claims carry no set or pod reference; only a policy
        // change (a new generation not yet observed) can leave some to remove.
        let policy_changed =
            self.set.metadata.generation != self.set.status.as_ref().and_then(|s| s.observed_generation);
        if pods::retention(&self.set, &self.profile) == (false, false) && !policy_changed {
            return;
        }
        let set_name = self.name().to_string();
        for template in claim_templates(&self.set).to_vec() {
            let name = pods::claim_name(template.metadata.name.as_deref().unwrap_or(""), &set_name, ord);
            let Some(claim) = self.store.get::<PersistentVolumeClaim>(&self.key.0, &name) else { continue };
            if claim.metadata.deletion_timestamp.is_some() {
                continue;
            }
            let existing = claim.metadata.owner_references.clone().unwrap_or_default();
            let wanted =
                pods::claim_owner_refs(&existing, &self.set, pod_name, pod_uid, condemned, &self.profile);
            if wanted != existing {
                let mut claim = claim.clone();
                claim.metadata.owner_references = if wanted.is_empty() { None } else { Some(wanted) };
                self.census = None;
                let _ = self.store.update(claim);
            }
        }
    }

    fn delete_pod(&mut self, name: &str) {
        self.census = None;
        match self.store.delete::<Pod>(&self.key.0, name, DeleteOptions::default()) {
            Ok(_) => {
                let message = format!("delete Pod {name} in StatefulSet {} successful", self.name());
                self.record(EventType::Normal, "SuccessfulDelete", message);
            }
            Err(e) => {
                let message = format!("delete Pod {name} in StatefulSet {} failed error: {e}", self.name());
                self.record(EventType::Warning, "FailedDelete", message);
            }
        }
    }

    fn record(&mut self, type_: EventType, reason: &str, message: String) {
        if let Some(set) = self.store.get_by_key::<StatefulSet>(&self.key) {
            let who = involved(set);
            self.store.record_event(who, type_, reason, message, COMPONENT, None);
        }
    }

    /// `computeReplicaStatus` over every pod the set controls, `completeRollingUpdate`,
    /// and the write when anything changed. Asks for a sync when a ready pod will turn
    /// available. Returns the revisions in use (current, update, every pod's), which
    /// history clean-up keeps.
    fn update_status(&mut self, requeues: &mut Requeues) -> BTreeSet<String> {
        let current = self.revisions.current.metadata.name.clone().unwrap_or_default();
        let update = self.revisions.update.metadata.name.clone().unwrap_or_default();
        let (mut replicas, mut ready, mut available, mut current_n, mut updated) = (0, 0, 0, 0, 0);
        let mut wake: Option<Millis> = None;
        let mut live: BTreeSet<String> = [current.clone(), update.clone()].into_iter().collect();
        for p in self.all_facts() {
            replicas += 1;
            if p.running_and_ready() {
                ready += 1;
                if p.available(self.min_ready_seconds, self.now) {
                    available += 1;
                } else if let Some(Some(since)) = p.ready_since {
                    let at = self.store.clock.millis_of(since).max(0) as Millis
                        + self.min_ready_seconds as Millis * SECOND;
                    wake = Some(wake.map_or(at, |w: Millis| w.min(at)));
                }
            }
            if !p.terminating {
                current_n += (p.revision == current) as i32;
                updated += (p.revision == update) as i32;
            }
            live.insert(p.revision);
        }
        let mut status = StatefulSetStatus {
            observed_generation: self.set.metadata.generation,
            replicas,
            ready_replicas: Some(ready).filter(|&n| n > 0),
            current_replicas: Some(current_n).filter(|&n| n > 0),
            updated_replicas: Some(updated).filter(|&n| n > 0),
            available_replicas: self.profile.statefulset_min_ready_seconds.then_some(available),
            current_revision: Some(current),
            update_revision: Some(update.clone()),
            collision_count: Some(self.revisions.collision_count),
            conditions: None,
        };
        if !self.on_delete() && updated == replicas && ready == replicas {
            status.current_replicas = status.updated_replicas;
            status.current_revision = Some(update);
        }
        if let Some(at) = wake {
            requeues.push(at.max(self.store.now), (Kind::StatefulSet, self.key.clone()));
        }
        let Some(stored) = self.store.get_by_key::<StatefulSet>(&self.key) else { return live };
        if stored.status.as_ref() != Some(&status) {
            let key = self.key.clone();
            let _ = self.store.modify_status::<StatefulSet>(&key, |s| s.status = Some(status));
        }
        live
    }
}
