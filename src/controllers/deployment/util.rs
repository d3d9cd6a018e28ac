//! Pure helpers of the deployment controller (`pkg/controller/deployment/util`): the
//! rolling-update fenceposts, revision and replica annotations, the pod-template hash,
//! Deployment conditions, and the orderings the controller sorts ReplicaSets by.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{Deployment, DeploymentCondition, DeploymentStatus, ReplicaSet};
use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

/// Annotations the controller keeps on Deployments and their ReplicaSets.
pub const REVISION: &str = "deployment.kubernetes.io/revision";
pub const REVISION_HISTORY: &str = "deployment.kubernetes.io/revision-history";
pub const DESIRED_REPLICAS: &str = "deployment.kubernetes.io/desired-replicas";
pub const MAX_REPLICAS: &str = "deployment.kubernetes.io/max-replicas";
pub const ROLLBACK_TO: &str = crate::api::versions::ROLLBACK_TO_ANNOTATION;
pub const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";
pub const CHANGE_CAUSE: &str = "kubernetes.io/change-cause";
/// The label that tells a Deployment's ReplicaSets (and their pods) apart.
pub const HASH_LABEL: &str = "pod-template-hash";

/// Condition types and reasons (`deployment_util.go`).
pub const AVAILABLE: &str = "Available";
pub const PROGRESSING: &str = "Progressing";
pub const REPLICA_FAILURE: &str = "ReplicaFailure";
pub const NEW_RS_REASON: &str = "NewReplicaSetCreated";
pub const FOUND_NEW_RS_REASON: &str = "FoundNewReplicaSet";
pub const NEW_RS_AVAILABLE_REASON: &str = "NewReplicaSetAvailable";
pub const RS_UPDATED_REASON: &str = "ReplicaSetUpdated";
pub const TIMED_OUT_REASON: &str = "ProgressDeadlineExceeded";
pub const PAUSED_REASON: &str = "DeploymentPaused";
pub const RESUMED_REASON: &str = "DeploymentResumed";
pub const FAILED_RS_CREATE_REASON: &str = "ReplicaSetCreateError";
pub const MIN_AVAILABLE_REASON: &str = "MinimumReplicasAvailable";
pub const MIN_UNAVAILABLE_REASON: &str = "MinimumReplicasUnavailable";

/// `spec.replicas` (the apiserver defaults it to 1).
pub fn replicas(d: &Deployment) -> i32 {
    d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1)
}

pub fn rs_replicas(rs: &ReplicaSet) -> i32 {
    rs.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1)
}

pub fn rs_status_replicas(rs: &ReplicaSet) -> i32 {
    rs.status.as_ref().map_or(0, |s| s.replicas)
}

pub fn rs_available(rs: &ReplicaSet) -> i32 {
    rs.status.as_ref().and_then(|s| s.available_replicas).unwrap_or(0)
}

pub fn rs_ready(rs: &ReplicaSet) -> i32 {
    rs.status.as_ref().and_then(|s| s.ready_replicas).unwrap_or(0)
}

pub fn strategy_type(d: &Deployment) -> &str {
    d.spec.as_ref().and_then(|s| s.strategy.as_ref()).and_then(|s| s.type_.as_deref()).unwrap_or("")
}

pub fn is_rolling_update(d: &Deployment) -> bool {
    strategy_type(d) == "RollingUpdate"
}

pub fn paused(d: &Deployment) -> bool {
    d.spec.as_ref().and_then(|s| s.paused).unwrap_or(false)
}

pub fn template(d: &Deployment) -> &PodTemplateSpec {
    static EMPTY: std::sync::OnceLock<PodTemplateSpec> = std::sync::OnceLock::new();
    d.spec.as_ref().map(|s| &s.template).unwrap_or_else(|| EMPTY.get_or_init(PodTemplateSpec::default))
}

/// `HasProgressDeadline`: set and not MaxInt32 (extensions/v1beta1's "no deadline").
pub fn progress_deadline_seconds(d: &Deployment) -> Option<i32> {
    d.spec.as_ref().and_then(|s| s.progress_deadline_seconds).filter(|&s| s != i32::MAX)
}

/// `HasRevisionHistoryLimit`: set and not MaxInt32.
pub fn revision_history_limit(d: &Deployment) -> Option<i32> {
    d.spec.as_ref().and_then(|s| s.revision_history_limit).filter(|&s| s != i32::MAX)
}

/// `intstr.GetScaledValueFromIntOrPercent`: an int as is, a percentage of `total`
/// rounded up or down. `None` for a malformed percentage (validation rejects those).
pub fn scaled_value(value: &IntOrString, total: i32, round_up: bool) -> Option<i32> {
    match value {
        IntOrString::Int(i) => Some(*i),
        IntOrString::String(s) => {
            let percent: i64 = s.strip_suffix('%')?.parse().ok()?;
            let product = percent * total as i64;
            Some(if round_up { (product + 99).div_euclid(100) } else { product.div_euclid(100) } as i32)
        }
    }
}

/// `ResolveFenceposts`: maxSurge rounds up, maxUnavailable down; when both come out 0,
/// maxUnavailable becomes 1 (rounding must not stall a rollout).
///
/// With 25%/25%: 1 replica → 1/0, 3 → 1/0, 4 → 1/1, 10 → 3/2.
pub fn resolve_fenceposts(
    surge: Option<&IntOrString>,
    unavailable: Option<&IntOrString>,
    desired: i32,
) -> (i32, i32) {
    let zero = IntOrString::Int(0);
    let surge = scaled_value(surge.unwrap_or(&zero), desired, true).unwrap_or(0);
    let mut unavailable = scaled_value(unavailable.unwrap_or(&zero), desired, false).unwrap_or(0);
    if surge == 0 && unavailable == 0 {
        unavailable = 1;
    }
    (surge, unavailable)
}

fn fenceposts(d: &Deployment) -> (i32, i32) {
    let rolling = d.spec.as_ref().and_then(|s| s.strategy.as_ref()).and_then(|s| s.rolling_update.as_ref());
    resolve_fenceposts(
        rolling.and_then(|r| r.max_surge.as_ref()),
        rolling.and_then(|r| r.max_unavailable.as_ref()),
        replicas(d),
    )
}

/// `MaxSurge`: 0 unless RollingUpdate.
pub fn max_surge(d: &Deployment) -> i32 {
    if !is_rolling_update(d) {
        return 0;
    }
    fenceposts(d).0
}

/// `MaxUnavailable`: 0 unless RollingUpdate with replicas; never more than replicas.
pub fn max_unavailable(d: &Deployment) -> i32 {
    if !is_rolling_update(d) || replicas(d) == 0 {
        return 0;
    }
    fenceposts(d).1.min(replicas(d))
}

/// `MinAvailable`: replicas − maxUnavailable.
pub fn min_available(d: &Deployment) -> i32 {
    replicas(d) - max_unavailable(d)
}

// ----- the pod-template hash -------------------------------------------------------------

/// client-go's `rand.SafeEncodeString` alphabet: no vowels, no 0/1/3.
const ALPHANUMS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

/// The pod-template-hash of a template (`controller.ComputeHash`): FNV-32a, then the
/// sum's decimal digits mapped through the safe-encoding alphabet, so a hash is 1 to 10
/// of `4 5 6 7 8 9 b c d f`.
///
/// Kubernetes hashes a `spew` dump of the Go struct, which cannot be reproduced outside
/// Go; we hash the template's canonical JSON instead (k8s-openapi serializes fields in a
/// fixed order and maps sorted by key). Equal templates therefore get equal hashes in
/// every run, different ones (almost always) different hashes, and the names look like
/// the real ones, but they are not the values a real cluster would compute.
/// `collisionCount`, when set, is mixed in as Kubernetes does: its 32 bits little-endian
/// in an 8-byte word.
pub fn pod_template_hash(template: &PodTemplateSpec, collision_count: Option<i32>) -> String {
    let json = serde_json::to_vec(template).expect("templates serialize");
    let mut hash = fnv32a(0x811c_9dc5, &json);
    if let Some(count) = collision_count {
        let mut word = [0u8; 8];
        word[..4].copy_from_slice(&(count as u32).to_le_bytes());
        hash = fnv32a(hash, &word);
    }
    hash.to_string().bytes().map(|b| ALPHANUMS[b as usize % ALPHANUMS.len()] as char).collect()
}

fn fnv32a(mut hash: u32, bytes: &[u8]) -> u32 {
    for &b in bytes {
        hash ^= b as u32;
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash
}

/// `EqualIgnoreHash`: templates equal once the hash label is dropped from both (Go's
/// semantic equality, under which empty and missing maps are the same).
pub fn equal_ignore_hash(a: &PodTemplateSpec, b: &PodTemplateSpec) -> bool {
    canonical_without_hash(a) == canonical_without_hash(b)
}

fn canonical_without_hash(t: &PodTemplateSpec) -> serde_json::Value {
    let mut t = t.clone();
    if let Some(meta) = t.metadata.as_mut() {
        if let Some(labels) = meta.labels.as_mut() {
            labels.remove(HASH_LABEL);
            if labels.is_empty() {
                meta.labels = None;
            }
        }
        if meta.annotations.as_ref().is_some_and(|a| a.is_empty()) {
            meta.annotations = None;
        }
    }
    let mut value = serde_json::to_value(&t).expect("templates serialize");
    drop_empty(&mut value);
    value
}

/// Removes empty objects and arrays, so that `{}` / `[]` equal an absent field.
fn drop_empty(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            for v in map.values_mut() {
                drop_empty(v);
            }
            map.retain(|_, v| !is_empty(v));
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(drop_empty),
        _ => {}
    }
}

fn is_empty(v: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::Object(m) => m.is_empty(),
        serde_json::Value::Array(a) => a.is_empty(),
        serde_json::Value::Null => true,
        _ => false,
    }
}

// ----- orderings -----------------------------------------------------------------------

/// `ReplicaSetsByCreationTimestamp`: older first, then by name.
pub fn by_creation(a: &ReplicaSet, b: &ReplicaSet) -> Ordering {
    let ta = a.metadata.creation_timestamp.as_ref().map(|t| t.0);
    let tb = b.metadata.creation_timestamp.as_ref().map(|t| t.0);
    ta.cmp(&tb).then_with(|| a.metadata.name.cmp(&b.metadata.name))
}

/// `ReplicaSetsBySizeOlder`: larger first; equal sizes older first.
pub fn by_size_older(a: &ReplicaSet, b: &ReplicaSet) -> Ordering {
    rs_replicas(b).cmp(&rs_replicas(a)).then_with(|| by_creation(a, b))
}

/// `ReplicaSetsBySizeNewer`: larger first; equal sizes newer first.
pub fn by_size_newer(a: &ReplicaSet, b: &ReplicaSet) -> Ordering {
    rs_replicas(b).cmp(&rs_replicas(a)).then_with(|| by_creation(b, a))
}

/// `ReplicaSetsByRevision`: by revision, falling back to creation order when either
/// revision is unparsable or both are equal.
pub fn by_revision(a: &ReplicaSet, b: &ReplicaSet) -> Ordering {
    match (revision(&a.metadata), revision(&b.metadata)) {
        (Ok(x), Ok(y)) if x != y => x.cmp(&y),
        _ => by_creation(a, b),
    }
}

// ----- annotations ---------------------------------------------------------------------

fn annotation<'a>(meta: &'a ObjectMeta, key: &str) -> Option<&'a str> {
    meta.annotations.as_ref().and_then(|a| a.get(key)).map(|s| s.as_str())
}

/// `Revision`: the revision annotation; absent reads as 0, unparsable is an error.
pub fn revision(meta: &ObjectMeta) -> Result<i64, std::num::ParseIntError> {
    match annotation(meta, REVISION) {
        None => Ok(0),
        Some(v) => v.parse(),
    }
}

/// `MaxRevision`: the highest parsable revision (0 when none).
pub fn max_revision<'a>(rss: impl IntoIterator<Item = &'a ReplicaSet>) -> i64 {
    rss.into_iter().filter_map(|rs| revision(&rs.metadata).ok()).max().unwrap_or(0).max(0)
}

/// Annotations never copied from a Deployment to its ReplicaSets (`annotationsToSkip`).
pub fn skip_copy_annotation(key: &str) -> bool {
    [LAST_APPLIED, REVISION, REVISION_HISTORY, DESIRED_REPLICAS, MAX_REPLICAS, ROLLBACK_TO].contains(&key)
}

fn annotations_mut(meta: &mut ObjectMeta) -> &mut BTreeMap<String, String> {
    meta.annotations.get_or_insert_with(BTreeMap::new)
}

/// `copyDeploymentAnnotationsToReplicaSet`: adds or overwrites, never removes.
fn copy_deployment_annotations(d: &Deployment, rs: &mut ReplicaSet) -> bool {
    let mut changed = false;
    for (k, v) in d.metadata.annotations.iter().flatten() {
        if skip_copy_annotation(k) || annotation(&rs.metadata, k) == Some(v.as_str()) {
            continue;
        }
        annotations_mut(&mut rs.metadata).insert(k.clone(), v.clone());
        changed = true;
    }
    changed
}

/// `SetNewReplicaSetAnnotations`: the Deployment's annotations, the revision (raised,
/// never lowered; a raised one that existed goes to the revision history, trimmed from
/// the front to `history_max_chars`), and for a ReplicaSet about to be created the
/// replica annotations.
pub fn set_new_replica_set_annotations(
    d: &Deployment,
    rs: &mut ReplicaSet,
    new_revision: i64,
    exists: bool,
    history_max_chars: usize,
) -> bool {
    let mut changed = copy_deployment_annotations(d, rs);
    let old = annotation(&rs.metadata, REVISION).map(str::to_string);
    let old_value = match old.as_deref() {
        None => 0,
        Some(v) => match v.parse::<i64>() {
            Ok(n) => n,
            Err(_) => return false,
        },
    };
    if old_value < new_revision {
        annotations_mut(&mut rs.metadata).insert(REVISION.into(), new_revision.to_string());
        changed = true;
    }
    if let Some(old) = old
        && old_value < new_revision
    {
        let history = annotation(&rs.metadata, REVISION_HISTORY).unwrap_or("").to_string();
        let annotations = annotations_mut(&mut rs.metadata);
        if history.is_empty() {
            annotations.insert(REVISION_HISTORY.into(), old);
        } else {
            let parts: Vec<&str> = history.split(',').collect();
            let mut total = history.len() + old.len() + 1;
            let mut start = 0;
            while total > history_max_chars && start < parts.len() {
                total -= parts[start].len() + 1;
                start += 1;
            }
            if total <= history_max_chars {
                let mut kept: Vec<&str> = parts[start..].to_vec();
                kept.push(&old);
                annotations.insert(REVISION_HISTORY.into(), kept.join(","));
            }
        }
    }
    if !exists && set_replicas_annotations(rs, replicas(d), replicas(d) + max_surge(d)) {
        changed = true;
    }
    changed
}

/// `SetDeploymentRevision`.
pub fn set_deployment_revision(d: &mut Deployment, revision: &str) -> bool {
    if annotation(&d.metadata, REVISION) == Some(revision) {
        return false;
    }
    annotations_mut(&mut d.metadata).insert(REVISION.into(), revision.to_string());
    true
}

/// `SetReplicasAnnotations`: desired-replicas and max-replicas.
pub fn set_replicas_annotations(rs: &mut ReplicaSet, desired: i32, max: i32) -> bool {
    let mut changed = false;
    let annotations = annotations_mut(&mut rs.metadata);
    for (key, value) in [(DESIRED_REPLICAS, desired), (MAX_REPLICAS, max)] {
        let value = value.to_string();
        if annotations.get(key) != Some(&value) {
            annotations.insert(key.into(), value);
            changed = true;
        }
    }
    changed
}

/// `ReplicasAnnotationsNeedUpdate`.
pub fn replicas_annotations_need_update(rs: &ReplicaSet, desired: i32, max: i32) -> bool {
    annotation(&rs.metadata, DESIRED_REPLICAS) != Some(desired.to_string().as_str())
        || annotation(&rs.metadata, MAX_REPLICAS) != Some(max.to_string().as_str())
}

/// `GetDesiredReplicasAnnotation` / `getMaxReplicasAnnotation`.
pub fn int_annotation(rs: &ReplicaSet, key: &str) -> Option<i32> {
    annotation(&rs.metadata, key)?.parse().ok()
}

// ----- conditions ----------------------------------------------------------------------

pub fn condition<'a>(status: &'a DeploymentStatus, type_: &str) -> Option<&'a DeploymentCondition> {
    status.conditions.as_ref()?.iter().find(|c| c.type_ == type_)
}

pub fn new_condition(
    type_: &str,
    status: &str,
    reason: &str,
    message: String,
    now: &Time,
) -> DeploymentCondition {
    DeploymentCondition {
        type_: type_.into(),
        status: status.into(),
        reason: Some(reason.into()),
        message: Some(message),
        last_update_time: Some(now.clone()),
        last_transition_time: Some(now.clone()),
    }
}

/// `SetDeploymentCondition`: same status and reason → no change; same status → the
/// transition time is kept; the condition moves to the end of the list.
pub fn set_condition(status: &mut DeploymentStatus, mut cond: DeploymentCondition) {
    if let Some(current) = condition(status, &cond.type_) {
        if current.status == cond.status && current.reason == cond.reason {
            return;
        }
        if current.status == cond.status {
            cond.last_transition_time = current.last_transition_time.clone();
        }
    }
    let conditions = status.conditions.get_or_insert_with(Vec::new);
    conditions.retain(|c| c.type_ != cond.type_);
    conditions.push(cond);
}

pub fn remove_condition(status: &mut DeploymentStatus, type_: &str) {
    if let Some(conditions) = status.conditions.as_mut() {
        conditions.retain(|c| c.type_ != type_);
        if conditions.is_empty() {
            status.conditions = None;
        }
    }
}

// ----- status predicates ---------------------------------------------------------------

/// A count as the API stores it: Go's `omitempty` drops zeros.
pub fn count(n: i32) -> Option<i32> {
    if n == 0 { None } else { Some(n) }
}

pub fn status_field(v: Option<i32>) -> i32 {
    v.unwrap_or(0)
}

/// `DeploymentComplete`: every replica updated and available, none old, spec observed.
pub fn deployment_complete(d: &Deployment, status: &DeploymentStatus) -> bool {
    let r = replicas(d);
    status_field(status.updated_replicas) == r
        && status_field(status.replicas) == r
        && status_field(status.available_replicas) == r
        && status.observed_generation.unwrap_or(0) >= d.metadata.generation.unwrap_or(0)
}

/// `DeploymentProgressing`: more updated, fewer old, more ready or more available pods
/// than the stored status says.
pub fn deployment_progressing(d: &Deployment, new: &DeploymentStatus) -> bool {
    let old = d.status.clone().unwrap_or_default();
    let old_old = status_field(old.replicas) - status_field(old.updated_replicas);
    let new_old = status_field(new.replicas) - status_field(new.updated_replicas);
    status_field(new.updated_replicas) > status_field(old.updated_replicas)
        || new_old < old_old
        || status_field(new.ready_replicas) > status_field(old.ready_replicas)
        || status_field(new.available_replicas) > status_field(old.available_replicas)
}

/// `DeploymentTimedOut`: the Progressing condition was last updated more than the
/// deadline ago (and the rollout has not completed).
pub fn deployment_timed_out(d: &Deployment, new: &DeploymentStatus, now: jiff::Timestamp) -> bool {
    let Some(deadline) = progress_deadline_seconds(d) else { return false };
    let Some(cond) = condition(new, PROGRESSING) else { return false };
    match cond.reason.as_deref() {
        Some(NEW_RS_AVAILABLE_REASON) => false,
        Some(TIMED_OUT_REASON) => true,
        _ => cond
            .last_update_time
            .as_ref()
            .is_some_and(|t| t.0 + jiff::SignedDuration::from_secs(deadline as i64) < now),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fenceposts_round_surge_up_and_unavailable_down() {
        let pct = |s: &str| IntOrString::String(s.into());
        let cases = [
            ("25%/25% of 1", pct("25%"), pct("25%"), 1, (1, 0)),
            ("25%/25% of 3", pct("25%"), pct("25%"), 3, (1, 0)),
            ("25%/25% of 4", pct("25%"), pct("25%"), 4, (1, 1)),
            ("25%/25% of 10", pct("25%"), pct("25%"), 10, (3, 2)),
            ("both round to 0", pct("10%"), pct("10%"), 0, (0, 1)),
            ("ints", IntOrString::Int(0), IntOrString::Int(1), 5, (0, 1)),
            ("30% of 7", pct("30%"), pct("30%"), 7, (3, 2)),
        ];
        for (name, surge, unavailable, desired, want) in cases {
            assert_eq!(resolve_fenceposts(Some(&surge), Some(&unavailable), desired), want, "{name}");
        }
    }

    #[test]
    fn hashes_are_safe_encoded_decimal() {
        let t: PodTemplateSpec = serde_json::from_value(serde_json::json!({
            "metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "nginx", "image": "nginx:1.25"}]}
        }))
        .unwrap();
        let h = pod_template_hash(&t, None);
        assert!(!h.is_empty() && h.len() <= 10, "{h}");
        assert!(h.chars().all(|c| "456789bcdf".contains(c)), "{h}");
        assert_eq!(h, pod_template_hash(&t, None), "stable");
        assert_ne!(h, pod_template_hash(&t, Some(1)), "collision count changes it");
        // The FNV-1a 32-bit test vector.
        assert_eq!(fnv32a(0x811c_9dc5, b"a"), 0xe40c_292c);
    }

    #[test]
    fn equal_ignoring_the_hash_label() {
        let a: PodTemplateSpec =
            serde_json::from_value(serde_json::json!({"metadata": {"labels": {"app": "web"}}})).unwrap();
        let b: PodTemplateSpec = serde_json::from_value(
            serde_json::json!({"metadata": {"labels": {"app": "web", "pod-template-hash": "x"}, "annotations": {}}}),
        )
        .unwrap();
        assert!(equal_ignore_hash(&a, &b));
    }

    #[test]
    fn revision_history_is_trimmed_from_the_front() {
        let d = Deployment::default();
        let mut rs = ReplicaSet::default();
        annotations_mut(&mut rs.metadata).insert(REVISION.into(), "3".into());
        annotations_mut(&mut rs.metadata).insert(REVISION_HISTORY.into(), "1,2".into());
        assert!(set_new_replica_set_annotations(&d, &mut rs, 5, true, 2000));
        assert_eq!(annotation(&rs.metadata, REVISION), Some("5"));
        assert_eq!(annotation(&rs.metadata, REVISION_HISTORY), Some("1,2,3"));
        annotations_mut(&mut rs.metadata).insert(REVISION.into(), "7".into());
        set_new_replica_set_annotations(&d, &mut rs, 8, true, 6);
        assert_eq!(annotation(&rs.metadata, REVISION_HISTORY), Some("2,3,7"));
    }
}
