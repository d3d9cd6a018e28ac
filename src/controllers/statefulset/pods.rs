//! A StatefulSet pod's identity and storage (`stateful_set_utils.go`): the name
//! `<set>-<ordinal>`, hostname and subdomain, the identity labels, the revision label, and
//! the PersistentVolumeClaims `<template>-<set>-<ordinal>` with the owner references the
//! retention policy asks for.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{
    PersistentVolumeClaim, PersistentVolumeClaimVolumeSource, Pod, PodTemplateSpec, Volume,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};

use super::revision::owner_ref;
use crate::profile::Profile;

pub const POD_NAME_LABEL: &str = "statefulset.kubernetes.io/pod-name";
pub const POD_INDEX_LABEL: &str = "apps.kubernetes.io/pod-index";
pub const REVISION_LABEL: &str = "controller-revision-hash";

/// The ordinal of a pod of this set (`getParentNameAndOrdinal`: `(.*)-([0-9]+)$`, the
/// parent being the set), `None` for pods that are not members.
pub fn ordinal_of(set_name: &str, pod_name: &str) -> Option<usize> {
    let (parent, digits) = pod_name.rsplit_once('-')?;
    if parent != set_name || digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

pub fn pod_name(set_name: &str, ordinal: usize) -> String {
    format!("{set_name}-{ordinal}")
}

/// `controller-revision-hash`: the full revision name.
pub fn revision_of(meta: &ObjectMeta) -> &str {
    meta.labels.as_ref().and_then(|l| l.get(REVISION_LABEL)).map(String::as_str).unwrap_or("")
}

/// `newVersionedStatefulSetPod`: the template of the revision it belongs to, identity,
/// storage volumes, and the revision label.
pub fn new_pod(
    set: &StatefulSet,
    template: &PodTemplateSpec,
    ordinal: usize,
    revision: &str,
    profile: &Profile,
) -> Pod {
    let set_name = set.metadata.name.clone().unwrap_or_default();
    let name = pod_name(&set_name, ordinal);
    let template_meta = template.metadata.clone().unwrap_or_default();
    let mut labels = template_meta.labels.clone().unwrap_or_default();
    labels.insert(POD_NAME_LABEL.into(), name.clone());
    if profile.statefulset_pod_index_label {
        labels.insert(POD_INDEX_LABEL.into(), ordinal.to_string());
    }
    labels.insert(REVISION_LABEL.into(), revision.to_string());
    let mut spec = template.spec.clone().unwrap_or_default();
    spec.hostname = Some(name.clone());
    let service = set.spec.as_ref().and_then(|s| s.service_name.clone()).unwrap_or_default();
    if !service.is_empty() {
        spec.subdomain = Some(service);
    }
    // `updateStorage`: one volume per claim template first, then the template's other
    // volumes.
    let claims = claim_templates(set);
    let mut volumes: Vec<Volume> = claims
        .iter()
        .map(|t| {
            let template_name = t.metadata.name.clone().unwrap_or_default();
            Volume {
                name: template_name.clone(),
                persistent_volume_claim: Some(PersistentVolumeClaimVolumeSource {
                    claim_name: claim_name(&template_name, &set_name, ordinal),
                    read_only: None,
                }),
                ..Default::default()
            }
        })
        .collect();
    for v in spec.volumes.take().into_iter().flatten() {
        if !claims.iter().any(|t| t.metadata.name.as_deref() == Some(v.name.as_str())) {
            volumes.push(v);
        }
    }
    spec.volumes = if volumes.is_empty() { None } else { Some(volumes) };
    Pod {
        metadata: ObjectMeta {
            name: Some(name),
            generate_name: Some(format!("{set_name}-")),
            namespace: set.metadata.namespace.clone(),
            labels: Some(labels),
            annotations: template_meta.annotations.clone(),
            owner_references: Some(vec![owner_ref(set)]),
            ..Default::default()
        },
        spec: Some(spec),
        status: None,
    }
}

pub fn claim_templates(set: &StatefulSet) -> &[PersistentVolumeClaim] {
    set.spec.as_ref().and_then(|s| s.volume_claim_templates.as_deref()).unwrap_or_default()
}

/// `getPersistentVolumeClaimName`.
pub fn claim_name(template: &str, set_name: &str, ordinal: usize) -> String {
    format!("{template}-{set_name}-{ordinal}")
}

/// The retention policy as (whenDeleted, whenScaled); Retain/Retain where the profile
/// has no policy.
pub fn retention(set: &StatefulSet, profile: &Profile) -> (bool, bool) {
    if !profile.statefulset_pvc_retention {
        return (false, false);
    }
    let policy = set.spec.as_ref().and_then(|s| s.persistent_volume_claim_retention_policy.as_ref());
    let delete = |v: Option<&String>| v.is_some_and(|v| v == "Delete");
    (
        delete(policy.and_then(|p| p.when_deleted.as_ref())),
        delete(policy.and_then(|p| p.when_scaled.as_ref())),
    )
}

/// `updateClaimOwnerRefForSetAndPod`: the owner references a claim should carry for its
/// ordinal: its pod alone when `whenScaled: Delete` and the ordinal is being scaled away,
/// else the set when `whenDeleted: Delete`. Other owners are kept. (The garbage collector
/// keeps a dependent while any owner exists, hence never both.)
pub fn claim_owner_refs(
    existing: &[OwnerReference],
    set: &StatefulSet,
    pod_name: &str,
    pod_uid: Option<&str>,
    condemned: bool,
    profile: &Profile,
) -> Vec<OwnerReference> {
    let (when_deleted, when_scaled) = retention(set, profile);
    let set_uid = set.metadata.uid.clone().unwrap_or_default();
    let mut refs: Vec<OwnerReference> = existing
        .iter()
        .filter(|r| r.uid != set_uid && !(r.kind == "Pod" && r.name == pod_name))
        .cloned()
        .collect();
    // A claim being scaled away belongs to its pod alone, so that it goes with the pod
    // even when the set stays; otherwise to the set when `whenDeleted: Delete`.
    let scaled_away = when_scaled && condemned && pod_uid.is_some();
    if when_deleted && !scaled_away {
        refs.push(OwnerReference {
            api_version: "apps/v1".into(),
            kind: "StatefulSet".into(),
            name: set.metadata.name.clone().unwrap_or_default(),
            uid: set_uid,
            controller: None,
            block_owner_deletion: None,
        });
    }
    if when_scaled
        && condemned
        && let Some(uid) = pod_uid
    {
        refs.push(OwnerReference {
            api_version: "v1".into(),
            kind: "Pod".into(),
            name: pod_name.to_string(),
            uid: uid.to_string(),
            controller: None,
            block_owner_deletion: None,
        });
    }
    refs
}

/// `getPersistentVolumeClaims`: the claim for one template and ordinal, labelled with the
/// template's labels and the set's matchLabels.
pub fn new_claim(
    set: &StatefulSet,
    template: &PersistentVolumeClaim,
    ordinal: usize,
) -> PersistentVolumeClaim {
    let set_name = set.metadata.name.clone().unwrap_or_default();
    let template_name = template.metadata.name.clone().unwrap_or_default();
    let mut labels: BTreeMap<String, String> = template.metadata.labels.clone().unwrap_or_default();
    if let Some(match_labels) = set.spec.as_ref().and_then(|s| s.selector.match_labels.as_ref()) {
        labels.extend(match_labels.clone());
    }
    PersistentVolumeClaim {
        metadata: ObjectMeta {
            name: Some(claim_name(&template_name, &set_name, ordinal)),
            namespace: set.metadata.namespace.clone(),
            labels: if labels.is_empty() { None } else { Some(labels) },
            annotations: template.metadata.annotations.clone(),
            ..Default::default()
        },
        spec: template.spec.clone(),
        status: None,
    }
}
