//! The StatefulSet controller (`pkg/controller/statefulset`): pods with stable names
//! `<set>-<ordinal>`, created in order and each Running and Ready before the next
//! (`OrderedReady`) or all at once (`Parallel`); PersistentVolumeClaims per ordinal that
//! outlive their pods; rolling updates from the highest ordinal down to the partition,
//! or none (`OnDelete`); ControllerRevisions recording each template.
//!
//! [`sync`] holds the reconcile (`stateful_set_control.go`), [`pods`] the identity and
//! storage of a pod (`stateful_set_utils.go`), [`revision`] the revision history
//! (`pkg/controller/history`). Like the real controller this one never looks at the
//! headless Service: `serviceName` only becomes each pod's `subdomain`.

pub mod pods;
pub mod revision;
mod sync;

use k8s_openapi::api::apps::v1::StatefulSet;

use crate::api::store::{Change, ChangeOp};
use crate::api::{Kind, ObjKey, Store};
use crate::controllers::replicaset::Requeues;
use crate::hash::HashSet;
use crate::sim::queue::WorkQueue;

/// The event source of everything this controller records.
pub const COMPONENT: &str = "statefulset-controller";

#[derive(Default)]
pub struct StatefulSetController {
    queue: WorkQueue<ObjKey>,
    /// Sets that may have orphans to adopt (new sets, and sets named by an orphan pod).
    adopt: HashSet<ObjKey>,
}

impl StatefulSetController {
    /// Informer handlers: StatefulSets, the pods they control, and claims that vanish
    /// (a pod waits for its stale claim to be gone before it is recreated).
    pub fn observe(&mut self, change: &Change, store: &Store) {
        match change.kind {
            Kind::StatefulSet if change.op != ChangeOp::Deleted => {
                if change.op == ChangeOp::Added {
                    self.adopt.insert(change.key.clone());
                }
                self.queue.add(change.key.clone());
            }
            Kind::Pod => {
                for uid in [&change.old_controller, &change.new_controller].into_iter().flatten() {
                    if let Some((Kind::StatefulSet, key)) = store.lookup_uid(uid) {
                        self.queue.add(key.clone());
                    }
                }
                self.observe_orphan(change, store);
            }
            Kind::PersistentVolumeClaim if change.op == ChangeOp::Deleted => {
                for set in store.list::<StatefulSet>(Some(&change.key.0)) {
                    let meta = &set.metadata;
                    self.queue.add((
                        meta.namespace.clone().unwrap_or_default(),
                        meta.name.clone().unwrap_or_default(),
                    ));
                }
            }
            _ => {}
        }
    }

    /// An orphan pod named like a set's member (`<set>-<ordinal>`) may be adopted by it.
    fn observe_orphan(&mut self, change: &Change, store: &Store) {
        if change.new_controller.is_some() || change.op == ChangeOp::Deleted {
            return;
        }
        let Some(pod) = store.stored_pod(&change.key) else { return };
        if pod.metadata.deletion_timestamp.is_some() {
            return;
        }
        let Some((parent, _)) = change.key.1.rsplit_once('-') else { return };
        let key = (change.key.0.clone(), parent.to_string());
        if store.get_by_key::<StatefulSet>(&key).is_some() {
            self.adopt.insert(key.clone());
            self.queue.add(key);
        }
    }

    /// A timer the controller set (minReadySeconds) fired.
    pub fn requeue(&mut self, key: ObjKey) {
        self.queue.add(key);
    }

    /// Syncs every queued StatefulSet; returns how many it looked at.
    pub fn run(&mut self, store: &mut Store, requeues: &mut Requeues) -> usize {
        let keys = self.queue.drain();
        for key in &keys {
            let adopt = self.adopt.remove(key);
            sync::sync(store, requeues, key, adopt);
        }
        keys.len()
    }
}
