//! Storage: the simulated counterpart of the PersistentVolume controller, minikube's
//! hostpath `storage-provisioner` and the pvc-protection controller
//! (`pkg/controller/volume/{persistentvolume,pvcprotection}`).
//!
//! kubesim's choice of provisioner: a claim of the default class `standard` that is
//! Pending gets, at the same instant, a volume `pvc-<claim uid>` of exactly the requested
//! size and access modes (hostPath `/tmp/hostpath-provisioner/<ns>/<claim>`,
//! reclaimPolicy Delete), and both turn Bound, as minikube's provisioner does within a
//! second (its delay is not simulated, so a pod never waits for its claim).
//!
//! Static binding comes first, as `syncUnboundClaim` does: a claim naming a volume
//! (`volumeName`) binds to it; otherwise to the smallest Available volume of the same
//! class (`""` matches volumes without a class) whose capacity and access modes cover
//! the request (`findBestMatchForClaim`), a volume pre-bound to the claim by its
//! `claimRef` winning. Nothing fits: the default class is provisioned, a claim without
//! a class records `FailedBinding`, another class `ProvisioningFailed` (kubesim has no
//! StorageClass but `standard`). The controller's 15 s resync, which repeats those
//! events, is not simulated: each is recorded when the claim or a volume changes.
//!
//! Deleting a claim: the `kubernetes.io/pvc-protection` finalizer holds it (Terminating)
//! while a pod that has not finished uses it; then it goes, and its volume with it
//! (reclaimPolicy Delete) or the volume turns Released (Retain).

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::{
    HostPathVolumeSource, ObjectReference, PersistentVolume, PersistentVolumeClaim, PersistentVolumeSpec,
    PersistentVolumeStatus, Pod,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::api::admission::admit;
use crate::api::event::EventType;
use crate::api::store::{Change, ChangeOp, DeleteOptions, involved};
use crate::api::{Kind, ObjKey, Store};
use crate::constants::{
    DEFAULT_STORAGE_CLASS, DEFAULT_STORAGE_PROVISIONER, HOSTPATH_PROVISIONER_ROOT, PV_PROTECTION_FINALIZER,
    PVC_PROTECTION_FINALIZER,
};
use crate::hash::HashMap;
use crate::kubectl::describe::quantity::Quantity;
use crate::sim::queue::WorkQueue;

#[derive(Default)]
pub struct VolumeController {
    claims: WorkQueue<ObjKey>,
    /// Claims synced because they changed (not because a volume did): only those record
    /// the no-match events, standing in for one event per claim sync.
    claim_changed: BTreeSet<ObjKey>,
    /// Volumes to move from Pending to Available (`syncVolume`).
    volumes: WorkQueue<ObjKey>,
    /// Claim → the volume bound to it (looked up, never iterated).
    bound: HashMap<ObjKey, String>,
}

impl VolumeController {
    pub fn observe(&mut self, change: &Change, store: &Store) {
        match change.kind {
            Kind::PersistentVolumeClaim => {
                self.claims.add(change.key.clone());
                self.claim_changed.insert(change.key.clone());
            }
            // A new or freed volume may fit a claim that waits.
            Kind::PersistentVolume if change.op != ChangeOp::Deleted => {
                self.volumes.add(change.key.clone());
                for key in pending_claims(store) {
                    self.claims.add(key);
                }
            }
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
        let volumes = self.volumes.drain();
        for key in &volumes {
            make_available(store, key);
        }
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
        self.claim_changed.clear();
        keys.len() + volumes.len()
    }

    /// Binds a Pending claim to an existing volume, or provisions one for it.
    fn provision(&mut self, store: &mut Store, key: &ObjKey, claim: &PersistentVolumeClaim) {
        let spec = claim.spec.clone().unwrap_or_default();
        let pending = claim.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Pending");
        if !pending {
            return;
        }
        let class = spec.storage_class_name.clone().unwrap_or_default();
        let named = spec.volume_name.clone().filter(|n| !n.is_empty());
        if let Some(name) = &named {
            // A volume the user named: bind if it is free or pre-bound to this claim.
            if let Some(pv) = store.get::<PersistentVolume>("", name).cloned()
                && claim_ref_free_or_ours(&pv, claim)
            {
                self.bind(store, key, claim, &pv, false);
            }
            return;
        }
        if let Some(pv) = best_match(store, claim) {
            self.bind(store, key, claim, &pv, true);
            return;
        }
        let changed = self.claim_changed.remove(key);
        if class != DEFAULT_STORAGE_CLASS {
            if !changed {
                return;
            }
            let (type_, reason, message) = if class.is_empty() {
                (
                    EventType::Normal,
                    "FailedBinding",
                    "no persistent volumes available for this claim and no storage class is set".to_string(),
                )
            } else {
                (
                    EventType::Warning,
                    "ProvisioningFailed",
                    format!("storageclass.storage.k8s.io \"{class}\" not found"),
                )
            };
            store.record_event(involved(claim), type_, reason, message, PV_CONTROLLER, None);
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

    /// `bind`: the volume's claimRef and phase, then the claim's volumeName, annotations
    /// and status (capacity and access modes are the volume's).
    fn bind(
        &mut self,
        store: &mut Store,
        key: &ObjKey,
        claim: &PersistentVolumeClaim,
        pv: &PersistentVolume,
        by_controller: bool,
    ) {
        let pv_name = pv.metadata.name.clone().unwrap_or_default();
        let mut volume = pv.clone();
        let volume_spec = volume.spec.get_or_insert_with(Default::default);
        // A volume pre-bound by the user (claimRef by name) gets the full reference but
        // not the bound-by-controller annotation (`IsVolumeBoundToClaim`).
        let pre_bound = volume_spec.claim_ref.is_some();
        volume_spec.claim_ref = Some(claim_ref(claim));
        if !pre_bound {
            volume
                .metadata
                .annotations
                .get_or_insert_with(Default::default)
                .insert("pv.kubernetes.io/bound-by-controller".into(), "yes".into());
        }
        let capacity = volume_spec.capacity.clone();
        let modes = volume_spec.access_modes.clone();
        if store.update(volume).is_err() {
            return;
        }
        let _ = store.modify_status::<PersistentVolume>(&(String::new(), pv_name.clone()), |pv| {
            pv.status.get_or_insert_with(Default::default).phase = Some("Bound".into());
        });
        let mut bound = claim.clone();
        let annotations = bound.metadata.annotations.get_or_insert_with(Default::default);
        annotations.insert("pv.kubernetes.io/bind-completed".into(), "yes".into());
        if by_controller {
            annotations.insert("pv.kubernetes.io/bound-by-controller".into(), "yes".into());
        }
        bound.spec.get_or_insert_with(Default::default).volume_name = Some(pv_name.clone());
        let status = bound.status.get_or_insert_with(Default::default);
        status.phase = Some("Bound".into());
        status.access_modes = modes;
        status.capacity = capacity;
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

/// The component the PV controller records events as.
const PV_CONTROLLER: &str = "persistentvolume-controller";

/// Claims of every namespace still Pending (scanned when a volume appears; few).
fn pending_claims(store: &Store) -> Vec<ObjKey> {
    store
        .list::<PersistentVolumeClaim>(None)
        .filter(|c| c.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Pending"))
        .map(|c| {
            (c.metadata.namespace.clone().unwrap_or_default(), c.metadata.name.clone().unwrap_or_default())
        })
        .collect()
}

/// A new volume without a claim turns Available (`syncVolume`, `volume.Spec.ClaimRef == nil`).
fn make_available(store: &mut Store, key: &ObjKey) {
    let Some(pv) = store.get_by_key::<PersistentVolume>(key) else { return };
    let phase = pv.status.as_ref().and_then(|s| s.phase.as_deref());
    let claimed =
        pv.spec.as_ref().and_then(|s| s.claim_ref.as_ref()).and_then(|r| r.uid.as_deref()).is_some();
    if phase == Some("Pending") && !claimed {
        let _ = store.modify_status::<PersistentVolume>(key, |pv| {
            pv.status.get_or_insert_with(Default::default).phase = Some("Available".into());
        });
    }
}

fn claim_ref(claim: &PersistentVolumeClaim) -> ObjectReference {
    ObjectReference {
        api_version: Some("v1".into()),
        kind: Some("PersistentVolumeClaim".into()),
        name: claim.metadata.name.clone(),
        namespace: claim.metadata.namespace.clone(),
        resource_version: claim.metadata.resource_version.clone(),
        uid: claim.metadata.uid.clone(),
        field_path: None,
    }
}

/// The volume has no claimRef, or one naming this claim (by name, and by uid if set).
fn claim_ref_free_or_ours(pv: &PersistentVolume, claim: &PersistentVolumeClaim) -> bool {
    let Some(r) = pv.spec.as_ref().and_then(|s| s.claim_ref.as_ref()) else { return true };
    r.name == claim.metadata.name
        && r.namespace == claim.metadata.namespace
        && r.uid.as_ref().is_none_or(|u| Some(u) == claim.metadata.uid.as_ref())
}

/// `findBestMatchForClaim`: among volumes of the claim's class and volume mode that are
/// free (or pre-bound to it) and not being deleted, with every requested access mode and
/// at least the requested storage, a volume pre-bound to the claim, else the smallest.
fn best_match(store: &Store, claim: &PersistentVolumeClaim) -> Option<PersistentVolume> {
    let spec = claim.spec.clone().unwrap_or_default();
    let class = spec.storage_class_name.clone().unwrap_or_default();
    let mode = spec.volume_mode.clone().unwrap_or_else(|| "Filesystem".into());
    let wanted_modes = spec.access_modes.clone().unwrap_or_default();
    let request = spec
        .resources
        .as_ref()
        .and_then(|r| r.requests.as_ref())
        .and_then(|r| r.get("storage"))
        .map(Quantity::of)
        .unwrap_or(Quantity::ZERO);
    let mut best: Option<(bool, Quantity, &PersistentVolume)> = None;
    for pv in store.list::<PersistentVolume>(None) {
        let Some(pv_spec) = pv.spec.as_ref() else { continue };
        let phase = pv.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or("");
        let pre_bound = pv_spec.claim_ref.is_some();
        if pv.metadata.deletion_timestamp.is_some()
            || !claim_ref_free_or_ours(pv, claim)
            || (!pre_bound && phase != "Available")
            || pv_spec.storage_class_name.clone().unwrap_or_default() != class
            || pv_spec.volume_mode.clone().unwrap_or_else(|| "Filesystem".into()) != mode
        {
            continue;
        }
        let modes = pv_spec.access_modes.clone().unwrap_or_default();
        if !wanted_modes.iter().all(|m| modes.contains(m)) {
            continue;
        }
        let size = pv_spec
            .capacity
            .as_ref()
            .and_then(|c| c.get("storage"))
            .map(Quantity::of)
            .unwrap_or(Quantity::ZERO);
        if size.cmp_amount(&request).is_lt() {
            continue;
        }
        let better = match &best {
            None => true,
            Some((b_pre, b_size, _)) => {
                (pre_bound && !b_pre) || (pre_bound == *b_pre && size.cmp_amount(b_size).is_lt())
            }
        };
        if better {
            best = Some((pre_bound, size, pv));
        }
    }
    best.map(|(_, _, pv)| pv.clone())
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
    store.list_stored::<Pod>(Some(namespace)).any(|pod| {
        let finished =
            matches!(pod.status.as_ref().and_then(|s| s.phase.as_deref()), Some("Succeeded" | "Failed"));
        !finished
            && pod.spec_sans_per_pod_parts().and_then(|s| s.volumes.as_ref()).is_some_and(|vs| {
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
