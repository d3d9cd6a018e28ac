//! Pod claiming shared by the controllers that adopt pods by label
//! (`pkg/controller/controller_ref_manager.go`, `PodControllerRefManager.ClaimPods`): an
//! orphan (no controller, not being deleted) whose labels the selector matches is adopted
//! by patching in a controller reference; an owned pod whose labels stopped matching is
//! released by removing the owner's reference. Neither records an event.
//!
//! Listing every pod of a namespace at each sync, as the real controllers do from their
//! informer cache, would be quadratic here; instead each controller keeps an [`Orphans`]
//! index fed from the change log and reads only the orphans of the synced namespace.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;

use crate::api::store::{Change, controller_ref};
use crate::api::stored_pod::StoredPod;
use crate::api::{ObjKey, Store};

/// Pods with no controller that are not being deleted, per namespace: the adoption
/// candidates.
#[derive(Default)]
pub struct Orphans {
    by_namespace: BTreeMap<String, BTreeSet<String>>,
}

impl Orphans {
    /// Notes a pod write; returns the pod when it is (still) an orphan, so that the
    /// caller can wake the controllers whose selector matches it.
    pub fn note<'s>(&mut self, change: &Change, store: &'s Store) -> Option<&'s StoredPod> {
        let (ns, name) = &change.key;
        let pod = store
            .changed_pod(change)
            .filter(|p| controller_ref(&p.metadata).is_none() && p.metadata.deletion_timestamp.is_none());
        match pod {
            Some(_) => {
                self.by_namespace.entry(ns.clone()).or_default().insert(name.clone());
            }
            None => {
                if let Some(set) = self.by_namespace.get_mut(ns) {
                    set.remove(name);
                }
            }
        }
        pod
    }

    /// The orphans of a namespace, in name order.
    pub fn in_namespace(&self, namespace: &str) -> Vec<String> {
        self.by_namespace.get(namespace).map(|s| s.iter().cloned().collect()).unwrap_or_default()
    }
}

/// `metav1.NewControllerRef`: the reference an owner puts on the pods it controls.
pub fn controller_owner_ref(api_version: &str, kind: &str, name: &str, uid: &str) -> OwnerReference {
    OwnerReference {
        api_version: api_version.into(),
        kind: kind.into(),
        name: name.into(),
        uid: uid.into(),
        controller: Some(true),
        block_owner_deletion: Some(true),
    }
}

/// `AdoptPod`: adds the owner as the pod's controller.
pub fn adopt(store: &mut Store, key: &ObjKey, owner: OwnerReference) {
    let _ =
        store.update_meta::<Pod>(key, |meta| meta.owner_references.get_or_insert_with(Vec::new).push(owner));
}

/// `ReleasePod`: removes the owner's reference (a pod that is gone is ignored).
pub fn release(store: &mut Store, key: &ObjKey, owner_uid: &str) {
    let _ = store.update_meta::<Pod>(key, |meta| {
        if let Some(refs) = meta.owner_references.as_mut() {
            refs.retain(|r| r.uid != owner_uid);
            if refs.is_empty() {
                meta.owner_references = None;
            }
        }
    });
}
