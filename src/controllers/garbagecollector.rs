//! The garbage collector (`pkg/controller/garbagecollector`): deletes dependents whose
//! owners are all gone (background), deletes the dependents of an owner being deleted in
//! the foreground and finalizes it when none block it any more, and strips the owner
//! reference from the dependents of an owner deleted with `orphan`.

use crate::api::store::{
    Change, ChangeOp, DeleteOptions, FINALIZER_FOREGROUND, FINALIZER_ORPHAN, Propagation, Stored,
};
use crate::api::{Kind, ObjKey, Store};
use crate::sim::queue::WorkQueue;
use crate::with_kind;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Work {
    /// An owner vanished: look at its dependents.
    OwnerGone(String),
    /// An object being deleted carries a GC finalizer.
    Finalize(Kind, ObjKey),
}

#[derive(Default)]
pub struct GarbageCollector {
    queue: WorkQueue<Work>,
}

impl GarbageCollector {
    pub fn observe(&mut self, change: &Change, store: &Store) {
        match change.op {
            ChangeOp::Deleted => {
                self.queue.add(Work::OwnerGone(change.uid.clone()));
                // A dependent left: an owner waiting in the foreground may be done.
                if let Some(owner) = &change.old_controller
                    && let Some((kind, key)) = store.lookup_uid(owner)
                {
                    self.queue.add(Work::Finalize(*kind, key.clone()));
                }
            }
            _ => {
                if store.changed_meta(change).is_some_and(finalizing) {
                    self.queue.add(Work::Finalize(change.kind, change.key.clone()));
                }
                if let Some(owner) = &change.new_controller
                    && let Some((kind, key)) = store.lookup_uid(owner)
                    && has_gc_finalizer(*kind, key, store)
                {
                    self.queue.add(Work::Finalize(*kind, key.clone()));
                }
            }
        }
    }

    pub fn run(&mut self, store: &mut Store) -> usize {
        let work = self.queue.drain();
        for item in &work {
            match item {
                Work::OwnerGone(uid) => collect_dependents(store, uid),
                Work::Finalize(kind, key) => finalize(store, *kind, key),
            }
        }
        work.len()
    }
}

fn meta_of(
    kind: Kind,
    key: &ObjKey,
    store: &Store,
) -> Option<k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta> {
    with_kind!(kind, T => store.get_stored::<T>(key).map(|o| o.meta().clone()), else None)
}

fn has_gc_finalizer(kind: Kind, key: &ObjKey, store: &Store) -> bool {
    with_kind!(kind, T => store.get_stored::<T>(key).is_some_and(|o| finalizing(o.meta())), else false)
}

/// Being deleted with the orphan or foreground finalizer: the collector's to finish.
fn finalizing(m: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta) -> bool {
    m.deletion_timestamp.is_some()
        && m.finalizers.iter().flatten().any(|f| f == FINALIZER_ORPHAN || f == FINALIZER_FOREGROUND)
}

/// Dependents of a vanished owner: deleted when no owner of theirs is left, otherwise
/// the dangling reference is removed.
fn collect_dependents(store: &mut Store, owner_uid: &str) {
    for (kind, key) in store.dependents_of(owner_uid) {
        let Some(meta) = meta_of(kind, &key, store) else { continue };
        let live_owner = meta
            .owner_references
            .iter()
            .flatten()
            .any(|r| r.uid != owner_uid && store.lookup_uid(&r.uid).is_some());
        if live_owner {
            remove_owner_ref(store, kind, &key, owner_uid);
        } else if meta.deletion_timestamp.is_none() {
            delete(store, kind, &key, Propagation::Background);
        }
    }
}

fn delete(store: &mut Store, kind: Kind, key: &ObjKey, propagation: Propagation) {
    let opts = DeleteOptions { grace_seconds: None, propagation: Some(propagation) };
    with_kind!(kind, T => { let _ = store.delete::<T>(&key.0, &key.1, opts); }, else ());
}

fn remove_owner_ref(store: &mut Store, kind: Kind, key: &ObjKey, owner_uid: &str) {
    with_kind!(kind, T => {
        let _ = store.update_meta::<T>(key, |meta| {
            if let Some(refs) = meta.owner_references.as_mut() {
                refs.retain(|r| r.uid != owner_uid);
                if refs.is_empty() {
                    meta.owner_references = None;
                }
            }
        });
    }, else ())
}

fn remove_finalizer(store: &mut Store, kind: Kind, key: &ObjKey, finalizer: &str) {
    with_kind!(kind, T => {
        let _ = store.update_meta::<T>(key, |meta| {
            if let Some(list) = meta.finalizers.as_mut() {
                list.retain(|f| f != finalizer);
                if list.is_empty() {
                    meta.finalizers = None;
                }
            }
        });
    }, else ())
}

/// Processes the `orphan` and `foregroundDeletion` finalizers of an object being deleted.
fn finalize(store: &mut Store, kind: Kind, key: &ObjKey) {
    let Some(meta) = meta_of(kind, key, store) else { return };
    if meta.deletion_timestamp.is_none() {
        return;
    }
    let uid = meta.uid.clone().unwrap_or_default();
    let finalizers = meta.finalizers.clone().unwrap_or_default();
    if finalizers.iter().any(|f| f == FINALIZER_ORPHAN) {
        for (dkind, dkey) in store.dependents_of(&uid) {
            remove_owner_ref(store, dkind, &dkey, &uid);
        }
        remove_finalizer(store, kind, key, FINALIZER_ORPHAN);
        return;
    }
    if finalizers.iter().any(|f| f == FINALIZER_FOREGROUND) {
        let mut blocking = 0;
        for (dkind, dkey) in store.dependents_of(&uid) {
            let Some(dmeta) = meta_of(dkind, &dkey, store) else { continue };
            let blocks = dmeta
                .owner_references
                .iter()
                .flatten()
                .any(|r| r.uid == uid && r.block_owner_deletion == Some(true));
            if blocks {
                blocking += 1;
            }
            if dmeta.deletion_timestamp.is_none() {
                let has_dependents = !store.dependents_of(dmeta.uid.as_deref().unwrap_or("")).is_empty();
                let propagation =
                    if has_dependents { Propagation::Foreground } else { Propagation::Background };
                delete(store, dkind, &dkey, propagation);
            }
        }
        let still_blocking = store
            .dependents_of(&uid)
            .into_iter()
            .filter(|(dkind, dkey)| {
                meta_of(*dkind, dkey, store).is_some_and(|m| {
                    m.owner_references
                        .iter()
                        .flatten()
                        .any(|r| r.uid == uid && r.block_owner_deletion == Some(true))
                })
            })
            .count();
        let _ = blocking;
        if still_blocking == 0 {
            remove_finalizer(store, kind, key, FINALIZER_FOREGROUND);
        }
    }
}
