//! `kubectl rollout status|history|undo` for StatefulSets
//! (`polymorphichelpers/rollout_status.go` `StatefulSetStatusViewer`, `history.go`
//! `StatefulSetHistoryViewer`, `rollback.go` `StatefulSetRollbacker`). The history is the
//! set's ControllerRevisions; a revision's data is the patch that restores its template.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{ControllerRevision, StatefulSet};

use crate::api::{Kind, ObjKey, Store};
use crate::controllers::deployment::util::CHANGE_CAUSE;
use crate::controllers::statefulset::revision;
use crate::kubectl::cmd::create::update_value;
use crate::kubectl::flags::DryRun;
use crate::kubectl::{Env, describe};

/// `StatefulSetStatusViewer.Status`: the line for one state of the set and whether the
/// rollout is done. apps/v1 always has a `rollingUpdate.partition` (defaulted to 0), so
/// a finished rollout reads `partitioned roll out complete`.
pub fn status_line(set: &StatefulSet) -> Result<(String, bool), String> {
    let spec = set.spec.clone().unwrap_or_default();
    let strategy = spec.update_strategy.clone().unwrap_or_default();
    if strategy.type_.as_deref() != Some("RollingUpdate") {
        return Err("rollout status is only available for RollingUpdate strategy type".into());
    }
    let status = set.status.clone().unwrap_or_default();
    let observed = status.observed_generation.unwrap_or(0);
    if observed == 0 || set.metadata.generation.unwrap_or(0) > observed {
        return Ok(("Waiting for statefulset spec update to be observed...\n".into(), false));
    }
    let ready = status.ready_replicas.unwrap_or(0);
    let updated = status.updated_replicas.unwrap_or(0);
    if let Some(r) = spec.replicas
        && ready < r
    {
        return Ok((format!("Waiting for {} pods to be ready...\n", r - ready), false));
    }
    if let Some(rolling) = &strategy.rolling_update {
        if let (Some(r), Some(p)) = (spec.replicas, rolling.partition)
            && updated < r - p
        {
            return Ok((
                format!(
                    "Waiting for partitioned roll out to finish: {updated} out of {} new pods have been updated...\n",
                    r - p
                ),
                false,
            ));
        }
        return Ok((
            format!("partitioned roll out complete: {updated} new pods have been updated...\n"),
            true,
        ));
    }
    let update_revision = status.update_revision.clone().unwrap_or_default();
    if status.update_revision != status.current_revision {
        return Ok((
            format!(
                "waiting for statefulset rolling update to complete {updated} pods at revision {update_revision}...\n"
            ),
            false,
        ));
    }
    Ok((
        format!(
            "statefulset rolling update complete {} pods at revision {}...\n",
            status.current_replicas.unwrap_or(0),
            status.current_revision.clone().unwrap_or_default()
        ),
        true,
    ))
}

/// The set's revisions by number (`controlledHistory`).
fn history_of(store: &Store, key: &ObjKey) -> (StatefulSet, BTreeMap<i64, ControllerRevision>) {
    let set = store.get_by_key::<StatefulSet>(key).cloned().expect("resolved");
    let uid = set.metadata.uid.clone().unwrap_or_default();
    let revisions = revision::list(store, &uid).into_iter().map(|r| (r.revision, r)).collect();
    (set, revisions)
}

/// `StatefulSetHistoryViewer.ViewHistory` through `printHistory`: the revision table, or
/// one revision's pod template.
pub fn history(store: &Store, key: &ObjKey, revision_number: i64) -> Result<String, String> {
    let (_, revisions) = history_of(store, key);
    let revisions = revisions
        .iter()
        .map(|(number, r)| {
            let cause =
                r.metadata.annotations.as_ref().and_then(|a| a.get(CHANGE_CAUSE)).filter(|c| !c.is_empty());
            (*number, (revision::template_of(r), cause.cloned()))
        })
        .collect();
    super::rollout::history_text(&revisions, revision_number, &store.profile)
}

/// `StatefulSetRollbacker.Rollback`: the chosen revision (the second newest when
/// `to_revision` is 0) patched back into the set; `skipped rollback` when the set's
/// template already is that revision's.
pub fn undo(env: &mut Env, key: &ObjKey, to_revision: i64, dry_run: DryRun) -> Result<String, String> {
    if to_revision < 0 {
        return Err(format!("unable to find specified revision {to_revision} in history"));
    }
    let store = &mut env.cluster.store;
    let (set, revisions) = history_of(store, key);
    if to_revision == 0 && revisions.len() <= 1 {
        return Err("no last revision to roll back to".into());
    }
    let target = if to_revision == 0 { revisions.values().rev().nth(1) } else { revisions.get(&to_revision) };
    let Some(target) = target.cloned() else {
        return Err(format!("unable to find specified revision {to_revision} in history"));
    };
    let template = revision::template_of(&target);
    if dry_run == DryRun::Client {
        // `printPodTemplate`.
        return Ok(format!("will roll back to {}", describe::pod_template_text(&template, &store.profile)));
    }
    let current = set.spec.as_ref().map(|s| s.template.clone()).unwrap_or_default();
    if target.data.as_ref().map(|d| &d.0) == Some(&revision::revision_data(&current)) {
        return Ok(format!("skipped rollback (current template already matches revision {to_revision})"));
    }
    if dry_run == DryRun::Server {
        return Ok("rolled back".into());
    }
    let mut value = serde_json::to_value(&set).expect("serializable");
    value["spec"]["template"] = serde_json::to_value(&template).expect("serializable");
    update_value(store, Kind::StatefulSet, value)
        .map_err(|e| format!("failed restoring revision {to_revision}: {e}"))?;
    Ok("rolled back".into())
}

/// `rollout restart` (`objectrestarter.go`): stamps the pod template with
/// `kubectl.kubernetes.io/restartedAt`, which makes a new revision that the update
/// strategy rolls out.
pub fn restart(env: &mut Env, key: &ObjKey) -> Result<&'static str, String> {
    const RESTARTED_AT: &str = "kubectl.kubernetes.io/restartedAt";
    let store = &mut env.cluster.store;
    let set = store.get_by_key::<StatefulSet>(key).cloned().expect("resolved");
    let stamp = store.clock.time(store.now).0.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
    let mut value = serde_json::to_value(&set).expect("serializable");
    let annotations = &mut value["spec"]["template"]["metadata"]["annotations"];
    if annotations.is_null() {
        *annotations = serde_json::Value::Object(Default::default());
    }
    if annotations.get(RESTARTED_AT) == Some(&serde_json::Value::String(stamp.clone())) {
        return Err(format!(
            "failed to create patch for {}: if restart has already been triggered within the past second, please wait before attempting to trigger another",
            key.1
        ));
    }
    annotations[RESTARTED_AT] = serde_json::Value::String(stamp);
    update_value(store, Kind::StatefulSet, value).map_err(|e| format!("failed to patch: {e}"))?;
    Ok("restarted")
}
