//! ControllerRevisions of a StatefulSet (`pkg/controller/history/controller_history.go`,
//! `stateful_set_utils.go` `newRevision`, `stateful_set_control.go` `getStatefulSetRevisions`
//! and `truncateHistory`).
//!
//! A revision stores the patch that puts its pod template back:
//! `{"spec":{"template":{…,"$patch":"replace"}}}` with map keys sorted, as Go's JSON
//! encoding of the unstructured patch writes it. Its name is `<set>-<hash>`, the hash
//! being FNV-32 (not 32a) of those bytes, safe-encoded. The bytes come from serde's
//! encoding of the defaulted template rather than Go's, so names have the real shape and
//! are stable, but are not the values a real cluster would print.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{ControllerRevision, StatefulSet};
use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use k8s_openapi::apimachinery::pkg::runtime::RawExtension;
use serde_json::Value;

use crate::api::{ApiError, Kind, ObjKey, Store};

/// The label holding a ControllerRevision's hash (`ControllerRevisionHashLabel`).
pub const REVISION_HASH_LABEL: &str = "controller.kubernetes.io/hash";

/// The revisions a sync works with.
pub struct Revisions {
    pub current: ControllerRevision,
    pub update: ControllerRevision,
    pub collision_count: i32,
}

/// `getPatch`: the template as a replace patch, keys sorted (serde_json maps are
/// ordered), serialized compactly.
pub fn revision_data(template: &PodTemplateSpec) -> Value {
    let mut template = serde_json::to_value(template).expect("serializable");
    if let Value::Object(map) = &mut template {
        map.insert("$patch".into(), Value::String("replace".into()));
    }
    serde_json::json!({ "spec": { "template": template } })
}

/// The pod template a revision restores.
pub fn template_of(revision: &ControllerRevision) -> PodTemplateSpec {
    let mut template =
        revision.data.as_ref().and_then(|d| d.0.pointer("/spec/template")).cloned().unwrap_or_default();
    if let Value::Object(map) = &mut template {
        map.remove("$patch");
    }
    serde_json::from_value(template).unwrap_or_default()
}

/// FNV-32 (multiply, then xor) of the bytes, then the decimal collision count as text.
fn fnv32(bytes: &[u8], probe: Option<i32>) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    let mut feed = |b: u8| {
        hash = hash.wrapping_mul(0x0100_0193);
        hash ^= b as u32;
    };
    bytes.iter().for_each(|&b| feed(b));
    if let Some(p) = probe {
        p.to_string().bytes().for_each(feed);
    }
    hash
}

/// `HashControllerRevision`: the sum's decimal digits mapped through `SafeEncodeString`.
pub fn hash(data: &Value, probe: Option<i32>) -> String {
    const ALPHANUMS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let bytes = serde_json::to_vec(data).expect("serializable");
    fnv32(&bytes, probe)
        .to_string()
        .bytes()
        .map(|b| ALPHANUMS[b as usize % ALPHANUMS.len()] as char)
        .collect()
}

/// The set's ControllerRevisions (those it owns), oldest revision first.
pub fn list(store: &Store, set_uid: &str) -> Vec<ControllerRevision> {
    let mut revisions: Vec<ControllerRevision> = store
        .dependents_of_kind(set_uid, Kind::ControllerRevision)
        .into_iter()
        .filter_map(|key| store.get_by_key::<ControllerRevision>(&key).cloned())
        .collect();
    revisions.sort_by(|a, b| a.revision.cmp(&b.revision).then(a.metadata.name.cmp(&b.metadata.name)));
    revisions
}

/// `getStatefulSetRevisions`: finds or creates the update revision (an equal older one
/// is renumbered as the newest), and the current revision (`status.currentRevision`,
/// else the update revision).
pub fn sync(
    store: &mut Store,
    set: &StatefulSet,
    revisions: &[ControllerRevision],
) -> Result<Revisions, ApiError> {
    let template = set.spec.as_ref().map(|s| s.template.clone()).unwrap_or_default();
    let data = revision_data(&template);
    let next = revisions.last().map_or(1, |r| r.revision + 1);
    let mut collision_count = set.status.as_ref().and_then(|s| s.collision_count).unwrap_or(0);
    let equal = revisions.iter().rev().find(|r| r.data.as_ref().map(|d| &d.0) == Some(&data));
    let update = match equal {
        Some(r) if r.revision == next - 1 => r.clone(),
        Some(r) => {
            let mut bumped = r.clone();
            bumped.revision = next;
            store.update(bumped.clone())?;
            key_get(store, &bumped.metadata)
        }
        None => loop {
            let candidate = new_revision(set, &data, next, collision_count);
            match store.create(candidate) {
                Ok(created) => break created.clone(),
                Err(ApiError::AlreadyExists { .. }) => collision_count += 1,
                Err(e) => return Err(e),
            }
        },
    };
    let current_name = set.status.as_ref().and_then(|s| s.current_revision.clone()).unwrap_or_default();
    let current = revisions
        .iter()
        .find(|r| r.metadata.name.as_deref() == Some(current_name.as_str()))
        .cloned()
        .unwrap_or_else(|| update.clone());
    Ok(Revisions { current, update, collision_count })
}

fn key_get(store: &Store, meta: &ObjectMeta) -> ControllerRevision {
    let key: ObjKey = (meta.namespace.clone().unwrap_or_default(), meta.name.clone().unwrap_or_default());
    store.get_by_key::<ControllerRevision>(&key).cloned().expect("just written")
}

/// `history.NewControllerRevision` plus the set's annotations, as `newRevision` copies
/// them (so `rollout history` finds a change-cause there).
fn new_revision(set: &StatefulSet, data: &Value, revision: i64, collision_count: i32) -> ControllerRevision {
    let hash = hash(data, Some(collision_count));
    let name: String = set.metadata.name.clone().unwrap_or_default().chars().take(223).collect();
    let mut labels: BTreeMap<String, String> = set
        .spec
        .as_ref()
        .and_then(|s| s.template.metadata.as_ref())
        .and_then(|m| m.labels.clone())
        .unwrap_or_default();
    labels.insert(REVISION_HASH_LABEL.into(), hash.clone());
    ControllerRevision {
        metadata: ObjectMeta {
            name: Some(format!("{name}-{hash}")),
            namespace: set.metadata.namespace.clone(),
            labels: Some(labels),
            annotations: set.metadata.annotations.clone().filter(|a| !a.is_empty()),
            owner_references: Some(vec![owner_ref(set)]),
            ..Default::default()
        },
        data: Some(RawExtension(data.clone())),
        revision,
    }
}

/// The controller reference every object the set creates carries.
pub fn owner_ref(set: &StatefulSet) -> OwnerReference {
    OwnerReference {
        api_version: "apps/v1".into(),
        kind: "StatefulSet".into(),
        name: set.metadata.name.clone().unwrap_or_default(),
        uid: set.metadata.uid.clone().unwrap_or_default(),
        controller: Some(true),
        block_owner_deletion: Some(true),
    }
}

/// `truncateHistory`: deletes the oldest revisions no pod, nor the current or update
/// revision, uses, beyond `revisionHistoryLimit`.
pub fn truncate(
    store: &mut Store,
    set: &StatefulSet,
    revisions: &[ControllerRevision],
    live: &std::collections::BTreeSet<String>,
) {
    let limit = set.spec.as_ref().and_then(|s| s.revision_history_limit).unwrap_or(10).max(0) as usize;
    let old: Vec<&ControllerRevision> =
        revisions.iter().filter(|r| !live.contains(r.metadata.name.as_deref().unwrap_or(""))).collect();
    if old.len() <= limit {
        return;
    }
    for r in &old[..old.len() - limit] {
        let ns = r.metadata.namespace.clone().unwrap_or_default();
        let name = r.metadata.name.clone().unwrap_or_default();
        let _ = store.delete::<ControllerRevision>(&ns, &name, Default::default());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_has_the_safe_encoded_shape() {
        let data = revision_data(&PodTemplateSpec::default());
        let h = hash(&data, Some(0));
        assert!(h.len() >= 8 && h.len() <= 10, "{h}");
        assert!(h.bytes().all(|b| b"456789bcdf".contains(&b)), "{h}");
        assert_eq!(h, hash(&data, Some(0)));
        assert_ne!(h, hash(&data, Some(1)));
    }

    #[test]
    fn fnv32_matches_go_hash_fnv_new32() {
        // Go: fnv.New32() over "a" is 0x050c5d7e.
        assert_eq!(fnv32(b"a", None), 0x050c_5d7e);
    }
}
