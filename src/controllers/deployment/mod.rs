//! The Deployment controller (`pkg/controller/deployment`), split as upstream splits it:
//! this module wires the work queue and the per-sync state; [`sync`] finds, creates and
//! scales ReplicaSets and computes status; [`rolling`] and [`recreate`] are the two
//! strategies; [`progress`] keeps the Progressing condition and the deadline timer;
//! [`util`] holds the pure helpers (fenceposts, annotations, hash, conditions).
//!
//! A sync is level-triggered: it reads the Deployment and the ReplicaSets it controls,
//! does one kind of change (scale up, or scale down, or clean up), and writes status.
//! Writes use optimistic concurrency as the apiserver does: the controller keeps the
//! copies it read, and writing a copy that is no longer current fails with a conflict
//! that ends the sync and requeues the Deployment (which is how the real controller
//! behaves after it wrote the same Deployment's status earlier in one sync).

mod progress;
mod recreate;
mod rollback;
mod rolling;
mod sync;
pub mod util;

use crate::api::stored_pod::StoredPod;
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use crate::api::event::EventType;
use crate::api::selector::Selector;
use crate::api::store::{Change, ChangeOp, controller_ref, involved};
use crate::api::{ApiError, Kind, ObjKey, Store};
use crate::controllers::replicaset::Requeues;
use crate::hash::HashMap;
use crate::sim::queue::WorkQueue;
use crate::time::Millis;

/// The event source of everything this controller records.
pub const COMPONENT: &str = "deployment-controller";

use crate::constants::{DEPLOYMENT_MAX_RETRIES as MAX_RETRIES, RETRY_BASE_MS, RETRY_MAX_MS};

#[derive(Default)]
pub struct DeploymentController {
    queue: WorkQueue<ObjKey>,
    /// Consecutive failed syncs per Deployment.
    failures: HashMap<ObjKey, u32>,
}

impl DeploymentController {
    /// Informer handlers: Deployments, their ReplicaSets, and (for Recreate) pod
    /// deletions.
    pub fn observe(&mut self, change: &Change, store: &Store) {
        match change.kind {
            Kind::Deployment => {
                if change.op == ChangeOp::Deleted {
                    self.failures.remove(&change.key);
                } else {
                    self.queue.add(change.key.clone());
                }
            }
            Kind::ReplicaSet => self.observe_replica_set(change, store),
            Kind::Pod if change.op == ChangeOp::Deleted => {
                if let Some(key) =
                    change.old_controller.as_deref().and_then(|rs| owning_deployment(store, rs))
                    && store
                        .get_by_key::<Deployment>(&key)
                        .is_some_and(|d| util::strategy_type(d) == "Recreate")
                {
                    self.queue.add(key);
                }
            }
            _ => {}
        }
    }

    fn observe_replica_set(&mut self, change: &Change, store: &Store) {
        let mut owned = false;
        for uid in [&change.old_controller, &change.new_controller].into_iter().flatten() {
            owned = true;
            if let Some((Kind::Deployment, key)) = store.lookup_uid(uid) {
                self.queue.add(key.clone());
            }
        }
        if owned || change.op == ChangeOp::Deleted {
            return;
        }
        // An orphan: every Deployment whose selector matches it may adopt it.
        let Some(rs) = store.get_by_key::<ReplicaSet>(&change.key) else { return };
        for d in store.list::<Deployment>(Some(&change.key.0)) {
            let selector = d.spec.as_ref().map(|s| Selector::from_label_selector(&s.selector));
            if let Some(Ok(sel)) = selector
                && !sel.is_empty()
                && sel.matches_opt(rs.metadata.labels.as_ref())
            {
                self.queue.add(key_of(&d.metadata));
            }
        }
    }

    /// A timer the controller set (progress deadline, retry) fired.
    pub fn requeue(&mut self, key: ObjKey) {
        self.queue.add(key);
    }

    /// Syncs every queued Deployment; returns how many it looked at.
    pub fn run(&mut self, store: &mut Store, requeues: &mut Requeues) -> usize {
        let keys = self.queue.drain();
        for key in &keys {
            let Some(d) = store.get_by_key::<Deployment>(key).cloned() else {
                self.failures.remove(key);
                continue;
            };
            let mut ctx = Ctx { store, requeues, key: key.clone(), d };
            match ctx.sync_deployment() {
                Ok(()) => {
                    self.failures.remove(key);
                }
                Err(_) => {
                    let failures = self.failures.entry(key.clone()).or_default();
                    if *failures >= MAX_RETRIES {
                        self.failures.remove(key);
                        continue;
                    }
                    let delay = (RETRY_BASE_MS << (*failures).min(30)).min(RETRY_MAX_MS);
                    *failures += 1;
                    requeues.push(store.now + delay, (Kind::Deployment, key.clone()));
                }
            }
        }
        keys.len()
    }
}

fn key_of(meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta) -> ObjKey {
    (meta.namespace.clone().unwrap_or_default(), meta.name.clone().unwrap_or_default())
}

/// The Deployment controlling the ReplicaSet with this uid.
fn owning_deployment(store: &Store, rs_uid: &str) -> Option<ObjKey> {
    let (kind, rs_key) = store.lookup_uid(rs_uid)?;
    if *kind != Kind::ReplicaSet {
        return None;
    }
    let rs = store.get_by_key::<ReplicaSet>(rs_key)?;
    let owner = controller_ref(&rs.metadata)?;
    match store.lookup_uid(&owner.uid)? {
        (Kind::Deployment, key) => Some(key.clone()),
        _ => None,
    }
}

/// Why a sync stopped early; every one requeues the Deployment with back-off.
#[derive(Debug)]
pub(crate) enum SyncError {
    /// A write of an object this sync read before its own earlier write of it.
    Conflict,
    Api(#[expect(dead_code, reason = "read through Debug when a sync is traced")] ApiError),
}

impl From<ApiError> for SyncError {
    fn from(e: ApiError) -> Self {
        SyncError::Api(e)
    }
}

pub(crate) type SyncResult<T> = Result<T, SyncError>;

/// One sync's state: the Deployment as read (its status is built up here before being
/// written) and the store.
pub(crate) struct Ctx<'a> {
    pub store: &'a mut Store,
    pub requeues: &'a mut Requeues,
    pub key: ObjKey,
    pub d: Deployment,
}

impl Ctx<'_> {
    /// Now, as a stored `metav1.Time` (whole seconds).
    pub fn now_time(&self) -> Time {
        self.store.clock.time(self.store.now)
    }

    pub fn now_wall(&self) -> jiff::Timestamp {
        self.store.clock.at(self.store.now)
    }

    pub fn name(&self) -> &str {
        &self.key.1
    }

    /// `UpdateStatus` with the Deployment copy this sync holds: status and annotations
    /// are taken from it (the status strategy keeps spec and labels). The copy is not
    /// refreshed afterwards, as the real controller discards the answer, so a second
    /// write in the same sync conflicts.
    pub fn update_status(&mut self) -> SyncResult<()> {
        let Some(stored) = self.store.get_by_key::<Deployment>(&self.key) else {
            return Err(ApiError::not_found(Kind::Deployment, &self.key.1).into());
        };
        if stored.metadata.resource_version != self.d.metadata.resource_version {
            return Err(SyncError::Conflict);
        }
        let mut updated = stored.clone();
        updated.status = self.d.status.clone();
        updated.metadata.annotations = self.d.metadata.annotations.clone();
        self.store.update(updated)?;
        Ok(())
    }

    /// `Update` of the Deployment copy this sync holds (spec and metadata; the stored
    /// status stays): conflicts when the copy is stale.
    pub fn update_deployment(&mut self) -> SyncResult<()> {
        let Some(stored) = self.store.get_by_key::<Deployment>(&self.key) else {
            return Err(ApiError::not_found(Kind::Deployment, &self.key.1).into());
        };
        if stored.metadata.resource_version != self.d.metadata.resource_version {
            return Err(SyncError::Conflict);
        }
        let mut updated = self.d.clone();
        updated.status = stored.status.clone();
        self.store.update(updated)?;
        Ok(())
    }

    /// `Update` of a ReplicaSet copy: conflicts when the copy is stale. Returns the
    /// stored result.
    pub fn update_replica_set(&mut self, rs: ReplicaSet) -> SyncResult<ReplicaSet> {
        let key = key_of(&rs.metadata);
        let Some(stored) = self.store.get_by_key::<ReplicaSet>(&key) else {
            return Err(ApiError::not_found(Kind::ReplicaSet, &key.1).into());
        };
        if stored.metadata.resource_version != rs.metadata.resource_version {
            return Err(SyncError::Conflict);
        }
        self.store.update(rs)?;
        Ok(self.store.get_by_key::<ReplicaSet>(&key).cloned().expect("just written"))
    }

    pub fn record(&mut self, type_: EventType, reason: &str, message: String) {
        if let Some(d) = self.store.get_by_key::<Deployment>(&self.key) {
            let who = involved(d);
            self.store.record_event(who, type_, reason, message, COMPONENT, None);
        }
    }

    /// Asks the clock to sync this Deployment again at `at`.
    pub fn requeue_at(&mut self, at: Millis) {
        self.requeues.push(at, (Kind::Deployment, self.key.clone()));
    }

    /// Pods controlled by a ReplicaSet (the pod map Recreate consults).
    pub fn pods_of<'s>(&'s self, rs: &ReplicaSet) -> impl Iterator<Item = &'s StoredPod> + 's {
        let uid = rs.metadata.uid.clone().unwrap_or_default();
        self.store.pods_controlled_by(&uid).collect::<Vec<_>>().into_iter()
    }
}
