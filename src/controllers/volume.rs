//! Storage: the simulated counterpart of the PersistentVolume controller, minikube's
//! hostpath `storage-provisioner` and the pvc-protection controller
//! (`pkg/controller/volume/{persistentvolume,pvcprotection}`).
//!
//! kubesim's choice of provisioner: a claim of the default class `standard` that is
//! Pending gets, at the same instant, a volume `pvc-<claim uid>` of exactly the requested
//! size and access modes (hostPath `/tmp/hostpath-provisioner/<ns>/<claim>`,
//! reclaimPolicy Delete), and both turn Bound, as minikube's provisioner does within a
//! second (its delay is not simulated, so a pod never waits for its claim). Claims of
//! another class, or naming a volume, stay Pending: there is no static binding.
//!
//! Deleting a claim: the `kubernetes.io/pvc-protection` finalizer holds it (Terminating)
//! while a pod that has not finished uses it; then it goes, and its volume with it
//! (reclaimPolicy Delete) or the volume turns Released (Retain).

use std::collections::{BTreeMap, HashMap};

use k8s_openapi::api::core::v1::{
    HostPathVolumeSource, ObjectReference, PersistentVolume, PersistentVolumeClaim, PersistentVolumeSpec,
    PersistentVolumeStatus, Pod,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::api::admission::admit;
use crate::api::store::{Change, ChangeOp, DeleteOptions};
use crate::api::{Kind, ObjKey, Store};
use crate::constants::{
    DEFAULT_STORAGE_CLASS, DEFAULT_STORAGE_PROVISIONER, HOSTPATH_PROVISIONER_ROOT, PV_PROTECTION_FINALIZER,
    PVC_PROTECTION_FINALIZER,
};
use crate::sim::queue::WorkQueue;

#[derive(Default)]
pub struct VolumeController {
    claims: WorkQueue<ObjKey>,
    /// Claim → the volume bound to it (looked up, never iterated).
    bound: HashMap<ObjKey, String>,
}

impl VolumeController {
    pub fn observe(&mut self, change: &Change, store: &Store) {
        match change.kind {
            Kind::PersistentVolumeClaim => self.claims.add(change.key.clone()),
            // A finished or vanished pod may release a claim being deleted.
            Kind::Pod if change.op == ChangeOp::Deleted => {
                for key in self.deleting_claims(store, &change.key.0) {
                    self.claims.add(key);
                }
            }
            _ => {}
        }
    }

    /// Claims of a namespace that wait for their pods (few; scanned only on pod deletion).
    fn deleting_claims(&self, store: &Store, namespace: &str) -> Vec<ObjKey> {
        store
            .list::<PersistentVolumeClaim>(Some(namespace))
            .filter(|c| c.metadata.deletion_timestamp.is_some())
            .map(|c| (namespace.to_string(), c.metadata.name.clone().unwrap_or_default()))
            .collect()
    }

    pub fn run(&mut self, store: &mut Store) -> usize {
        let keys = self.claims.drain();
        for key in &keys {
            match store.get_by_key::<PersistentVolumeClaim>(key).cloned() {
                Some(claim) if claim.metadata.deletion_timestamp.is_some() => {
                    release_if_unused(store, &claim)
                }
                Some(claim) => self.provision(store, key, &claim),
                None => self.reclaim(store, key),
            }
        }
        keys.len()
    }

    /// Creates and binds a volume for a Pending claim of the default class.
    fn provision(&mut self, store: &mut Store, key: &ObjKey, claim: &PersistentVolumeClaim) {
        let spec = claim.spec.clone().unwrap_or_default();
        let pending = claim.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Pending");
        let unbound = spec.volume_name.as_deref().unwrap_or("").is_empty();
        if !pending || !unbound || spec.storage_class_name.as_deref() != Some(DEFAULT_STORAGE_CLASS) {
            return;
        }
        let uid = claim.metadata.uid.clone().unwrap_or_default();
        let pv_name = format!("pvc-{uid}");
        let capacity: BTreeMap<_, _> = spec
            .resources
            .as_ref()
            .and_then(|r| r.requests.clone())
            .unwrap_or_default()
            .into_iter()
            .filter(|(k, _)| k == "storage")
            .collect();
        let mut annotations = BTreeMap::new();
        annotations
            .insert("hostPathProvisionerIdentity".to_string(), HOSTPATH_PROVISIONER_IDENTITY.to_string());
        annotations
            .insert("pv.kubernetes.io/provisioned-by".to_string(), DEFAULT_STORAGE_PROVISIONER.to_string());
        let mut pv = PersistentVolume {
            metadata: ObjectMeta {
                name: Some(pv_name.clone()),
                annotations: Some(annotations),
                ..Default::default()
            },
            spec: Some(PersistentVolumeSpec {
                access_modes: spec.access_modes.clone(),
                capacity: Some(capacity.clone()),
                claim_ref: Some(ObjectReference {
                    api_version: Some("v1".into()),
                    kind: Some("PersistentVolumeClaim".into()),
                    name: Some(key.1.clone()),
                    namespace: Some(key.0.clone()),
                    resource_version: claim.metadata.resource_version.clone(),
                    uid: Some(uid),
                    field_path: None,
                }),
                host_path: Some(HostPathVolumeSource {
                    path: format!("{HOSTPATH_PROVISIONER_ROOT}/{}/{}", key.0, key.1),
                    type_: Some(String::new()),
                }),
                persistent_volume_reclaim_policy: Some("Delete".into()),
                storage_class_name: Some(DEFAULT_STORAGE_CLASS.into()),
                volume_mode: spec.volume_mode.clone(),
                ..Default::default()
            }),
            status: None,
        };
        if admit(&mut pv, store).is_err() {
            return;
        }
        if store.create(pv).is_err() {
            return;
        }
        let _ = store.modify_status::<PersistentVolume>(&(String::new(), pv_name.clone()), |pv| {
            pv.status = Some(PersistentVolumeStatus { phase: Some("Bound".into()), ..Default::default() });
        });
        let mut bound = claim.clone();
        let annotations = bound.metadata.annotations.get_or_insert_with(Default::default);
        annotations.insert("pv.kubernetes.io/bind-completed".into(), "yes".into());
        annotations.insert("pv.kubernetes.io/bound-by-controller".into(), "yes".into());
        annotations.insert(
            "volume.beta.kubernetes.io/storage-provisioner".into(),
            DEFAULT_STORAGE_PROVISIONER.into(),
        );
        if store.profile.minor >= 23 {
            annotations.insert(
                "volume.kubernetes.io/storage-provisioner".into(),
                DEFAULT_STORAGE_PROVISIONER.into(),
            );
        }
        bound.spec.get_or_insert_with(Default::default).volume_name = Some(pv_name.clone());
        let status = bound.status.get_or_insert_with(Default::default);
        status.phase = Some("Bound".into());
        status.access_modes = spec.access_modes.clone();
        status.capacity = Some(capacity);
        if store.update(bound).is_ok() {
            self.bound.insert(key.clone(), pv_name);
        }
    }

    /// The claim is gone: its volume is deleted (reclaimPolicy Delete) or Released.
    fn reclaim(&mut self, store: &mut Store, key: &ObjKey) {
        let Some(pv_name) = self.bound.remove(key) else { return };
        let Some(pv) = store.get::<PersistentVolume>("", &pv_name).cloned() else { return };
        let policy =
            pv.spec.as_ref().and_then(|s| s.persistent_volume_reclaim_policy.clone()).unwrap_or_default();
        if policy == "Delete" {
            let mut pv = pv;
            remove_finalizer(&mut pv.metadata, PV_PROTECTION_FINALIZER);
            let _ = store.update(pv);
            let _ = store.delete::<PersistentVolume>("", &pv_name, DeleteOptions::default());
        } else {
            let _ = store.modify_status::<PersistentVolume>(&(String::new(), pv_name), |pv| {
                pv.status.get_or_insert_with(Default::default).phase = Some("Released".into());
            });
        }
    }
}

/// minikube's provisioner identifies itself by a UUID it makes at start-up; one fixed
/// value stands in for it.
const HOSTPATH_PROVISIONER_IDENTITY: &str = "4a2bd3b4-7f7b-4c43-8cf1-0c1b6f0b7a11";

/// The pvc-protection controller: lets a claim being deleted go once no pod that has
/// not finished refers to it.
fn release_if_unused(store: &mut Store, claim: &PersistentVolumeClaim) {
    let ns = claim.metadata.namespace.clone().unwrap_or_default();
    let name = claim.metadata.name.clone().unwrap_or_default();
    if pods_use_claim(store, &ns, &name) {
        return;
    }
    let mut claim = claim.clone();
    if remove_finalizer(&mut claim.metadata, PVC_PROTECTION_FINALIZER) {
        let _ = store.update(claim);
    }
}

fn pods_use_claim(store: &Store, namespace: &str, claim: &str) -> bool {
    store.list::<Pod>(Some(namespace)).any(|pod| {
        let finished =
            matches!(pod.status.as_ref().and_then(|s| s.phase.as_deref()), Some("Succeeded" | "Failed"));
        !finished
            && pod.spec.as_ref().and_then(|s| s.volumes.as_ref()).is_some_and(|vs| {
                vs.iter().any(|v| v.persistent_volume_claim.as_ref().is_some_and(|c| c.claim_name == claim))
            })
    })
}

fn remove_finalizer(meta: &mut ObjectMeta, finalizer: &str) -> bool {
    let Some(list) = meta.finalizers.as_mut() else { return false };
    let before = list.len();
    list.retain(|f| f != finalizer);
    let changed = list.len() != before;
    if list.is_empty() {
        meta.finalizers = None;
    }
    changed
}
