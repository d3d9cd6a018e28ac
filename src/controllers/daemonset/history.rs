//! A DaemonSet's history (`pkg/controller/daemon/update.go`: `constructHistory`,
//! `snapshot`, `cleanupHistory`): one ControllerRevision per distinct pod template,
//! named `<ds>-<hash>`, carrying the template as a patch and a revision number; the
//! current template's revision is always the highest (a rollback renumbers it).

use std::collections::BTreeSet;

use k8s_openapi::api::apps::v1::{ControllerRevision, DaemonSet};
use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::runtime::RawExtension;
use serde_json::{Value, json};

use super::Ds;
use crate::api::store::controller_ref;
use crate::api::{ObjKey, Store};
use crate::controllers::deployment::util::pod_template_hash;

/// The label that carries a revision's hash, on revisions and on daemon pods.
pub const HASH_LABEL: &str = "controller-revision-hash";

/// `getPatch`: the template as a replacing strategic merge patch of the DaemonSet.
pub fn template_patch(template: &PodTemplateSpec) -> Value {
    let mut t = serde_json::to_value(template).expect("templates serialize");
    if let Value::Object(map) = &mut t {
        map.insert("$patch".into(), Value::String("replace".into()));
    }
    json!({"spec": {"template": t}})
}

/// The template a revision recorded, if its data is a template patch.
pub fn revision_template(cr: &ControllerRevision) -> Option<PodTemplateSpec> {
    let mut t = cr.data.as_ref()?.0.get("spec")?.get("template")?.clone();
    if let Value::Object(map) = &mut t {
        map.remove("$patch");
    }
    serde_json::from_value(t).ok()
}

/// The revisions a DaemonSet controls, in revision order. Read from the namespace's few
/// ControllerRevisions rather than from the owner index, which also holds every pod.
pub fn revisions_of(store: &Store, namespace: &str, uid: &str) -> Vec<ControllerRevision> {
    let mut out: Vec<ControllerRevision> = store
        .list::<ControllerRevision>(Some(namespace))
        .filter(|cr| controller_ref(&cr.metadata).is_some_and(|r| r.uid == uid))
        .cloned()
        .collect();
    out.sort_by(|a, b| (a.revision, &a.metadata.name).cmp(&(b.revision, &b.metadata.name)));
    out
}

/// `controlledHistories`: `ClaimControllerRevisions` over the namespace's revisions.
/// Orphans whose labels the selector matches are adopted (after `--cascade=orphan` and
/// the DaemonSet made again, its old history comes back with it); owned revisions whose
/// labels no longer match are released.
fn claim(ds: &Ds, store: &mut Store) {
    let mut adopt: Vec<ControllerRevision> = Vec::new();
    let mut release: Vec<ControllerRevision> = Vec::new();
    for cr in store.list::<ControllerRevision>(Some(&ds.key.0)) {
        let matches = ds.selector.matches_opt(cr.metadata.labels.as_ref());
        match controller_ref(&cr.metadata) {
            Some(owner) if owner.uid == ds.uid && !matches => release.push(cr.clone()),
            None if matches && cr.metadata.deletion_timestamp.is_none() => adopt.push(cr.clone()),
            _ => {}
        }
    }
    if !adopt.is_empty() && ds.can_adopt(store) {
        for mut cr in adopt {
            cr.metadata.owner_references.get_or_insert_with(Vec::new).push(ds.owner_ref());
            let _ = store.update(cr);
        }
    }
    for mut cr in release {
        if let Some(refs) = cr.metadata.owner_references.as_mut() {
            refs.retain(|r| r.uid != ds.uid);
            if refs.is_empty() {
                cr.metadata.owner_references = None;
            }
        }
        let _ = store.update(cr);
    }
}

/// Finds or creates the revision of the current template and makes it the newest;
/// returns its hash. Claims the revisions first.
pub fn construct(ds: &Ds, store: &mut Store) -> String {
    claim(ds, store);
    let patch = template_patch(&ds.template);
    let histories = revisions_of(store, &ds.key.0, &ds.uid);
    let max = histories.iter().map(|h| h.revision).max().unwrap_or(0);
    let current = histories.iter().find(|h| h.data.as_ref().map(|d| &d.0) == Some(&patch));
    if let Some(cur) = current {
        let hash = cur
            .metadata
            .labels
            .as_ref()
            .and_then(|l| l.get(HASH_LABEL))
            .cloned()
            .unwrap_or_else(|| pod_template_hash(&ds.template, ds.collision_count));
        if cur.revision < max {
            let mut cur = cur.clone();
            cur.revision = max + 1;
            let _ = store.update(cur);
        }
        return hash;
    }
    let hash = pod_template_hash(&ds.template, ds.collision_count);
    let mut labels = ds.template.metadata.as_ref().and_then(|m| m.labels.clone()).unwrap_or_default();
    labels.insert(HASH_LABEL.into(), hash.clone());
    let cr = ControllerRevision {
        metadata: ObjectMeta {
            name: Some(format!("{}-{hash}", ds.key.1)),
            namespace: Some(ds.key.0.clone()),
            labels: Some(labels),
            annotations: ds.annotations.clone(),
            owner_references: Some(vec![ds.owner_ref()]),
            ..Default::default()
        },
        data: Some(RawExtension(patch)),
        revision: max + 1,
    };
    let _ = store.create(cr);
    hash
}

/// `cleanupHistory`: keeps `revisionHistoryLimit` old revisions, deleting the lowest
/// first but never one whose hash a live pod still carries.
pub fn cleanup(ds: &Ds, current_hash: &str, live_hashes: &BTreeSet<String>, store: &mut Store) {
    let histories = revisions_of(store, &ds.key.0, &ds.uid);
    let old: Vec<&ControllerRevision> = histories
        .iter()
        .filter(|h| {
            h.metadata.labels.as_ref().and_then(|l| l.get(HASH_LABEL)).map(String::as_str)
                != Some(current_hash)
        })
        .collect();
    let limit = ds.revision_history_limit.max(0) as usize;
    let mut to_kill = old.len().saturating_sub(limit);
    for h in old {
        if to_kill == 0 {
            break;
        }
        let hash = h.metadata.labels.as_ref().and_then(|l| l.get(HASH_LABEL));
        if hash.is_some_and(|x| live_hashes.contains(x)) {
            continue;
        }
        let key: ObjKey = (ds.key.0.clone(), h.metadata.name.clone().unwrap_or_default());
        let _ = store.delete::<ControllerRevision>(&key.0, &key.1, Default::default());
        to_kill -= 1;
    }
}

/// The `kubernetes.io/change-cause` of a revision, for `rollout history`.
pub fn change_cause(cr: &ControllerRevision) -> Option<String> {
    cr.metadata.annotations.as_ref()?.get("kubernetes.io/change-cause").cloned()
}

/// The DaemonSet a revision belongs to, for callers holding only the DaemonSet.
pub fn owned_by(cr: &ControllerRevision, ds: &DaemonSet) -> bool {
    cr.metadata.owner_references.iter().flatten().any(|r| Some(&r.uid) == ds.metadata.uid.as_ref())
}
