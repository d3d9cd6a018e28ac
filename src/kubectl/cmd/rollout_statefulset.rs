//! `kubectl rollout status|history|undo` for StatefulSets
//! (`polymorphichelpers/rollout_status.go` `StatefulSetStatusViewer`, `history.go`
//! `StatefulSetHistoryViewer`, `rollback.go` `StatefulSetRollbacker`). The history is the
//! set's ControllerRevisions; a revision's data is the patch that restores its template.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{ControllerRevision, StatefulSet};

use crate::api::store::ChangeOp;
use crate::api::{ApiError, Kind, ObjKey, Store};
use crate::controllers::deployment::util::CHANGE_CAUSE;
use crate::controllers::statefulset::revision;
use crate::kubectl::cmd::create::update_value;
use crate::kubectl::flags::DryRun;
use crate::kubectl::tabwriter::{self, Config};
use crate::kubectl::{Env, Output, SimResult, describe};
use crate::time::{HOUR, Millis};

/// How long `rollout status` without `--timeout` may wait in virtual time.
const STATUS_WAIT_LIMIT_MS: Millis = 24 * HOUR;

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

/// Watches one StatefulSet until its rollout is done, printing a line per write as the
/// watch delivers them; false when it ended in an error.
pub fn watch(env: &mut Env, key: &ObjKey, watch: bool, timeout: Millis, out: &mut Output) -> SimResult<bool> {
    let cluster = &mut *env.cluster;
    let Some(current) = cluster.store.get_by_key::<StatefulSet>(key).cloned() else {
        out.api_error(env.cluster.profile(), &ApiError::not_found(Kind::StatefulSet, &key.1));
        return Ok(false);
    };
    let limit = cluster.now() + if timeout > 0 { timeout } else { STATUS_WAIT_LIMIT_MS };
    cluster.store.watch_start(Kind::StatefulSet, key.clone());
    let mut events = vec![(ChangeOp::Added, serde_json::to_value(current).expect("serializable"))];
    let result = loop {
        let mut finished = None;
        for (op, value) in events.drain(..) {
            if op == ChangeOp::Deleted {
                finished = Some(Err("error: object has been deleted".to_string()));
                break;
            }
            let set: StatefulSet = serde_json::from_value(value).expect("a stored StatefulSet");
            match status_line(&set) {
                Ok((line, done)) => {
                    out.out(line);
                    if done || !watch {
                        finished = Some(Ok(()));
                        break;
                    }
                }
                Err(e) => {
                    finished = Some(Err(format!("error: {e}")));
                    break;
                }
            }
        }
        if let Some(result) = finished {
            break result;
        }
        if cluster.now() >= limit {
            break Err(if timeout > 0 {
                "error: timed out waiting for the condition".to_string()
            } else {
                format!(
                    "error: kubesim: gave up after {} of virtual time; kubectl would keep waiting for statefulset \"{}\"",
                    crate::time::format_clock(STATUS_WAIT_LIMIT_MS),
                    key.1
                )
            });
        }
        if let Err(e) = cluster.advance_until(limit, |c| c.store.watch_pending()) {
            cluster.store.watch_stop();
            return Err(e);
        }
        events = cluster.store.watch_take();
    };
    cluster.store.watch_stop();
    match result {
        Ok(()) => Ok(true),
        Err(e) => {
            out.fail(e);
            Ok(false)
        }
    }
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
    if revisions.is_empty() {
        return Ok("No rollout history found.".into());
    }
    if revision_number > 0 {
        let Some(r) = revisions.get(&revision_number) else {
            return Err("unable to find the specified revision".into());
        };
        return Ok(describe::pod_template_text(&revision::template_of(r), &store.profile));
    }
    let mut table = String::from("REVISION\tCHANGE-CAUSE\n");
    for (number, r) in &revisions {
        let cause =
            r.metadata.annotations.as_ref().and_then(|a| a.get(CHANGE_CAUSE)).filter(|c| !c.is_empty());
        table.push_str(&format!("{number}\t{}\n", cause.map(String::as_str).unwrap_or("<none>")));
    }
    Ok(tabwriter::format(&table, Config::DESCRIBE))
}

/// `StatefulSetRollbacker.Rollback`: the chosen revision (the second newest when
/// `to_revision` is 0) patched back into the set; `skipped rollback` when the set's
/// template already is that revision's.
pub fn undo(env: &mut Env, key: &ObjKey, to_revision: i64, dry_run: DryRun) -> Result<String, String> {
    let store = &mut env.cluster.store;
    let (set, revisions) = history_of(store, key);
    let target = if to_revision == 0 {
        if revisions.len() <= 1 { None } else { revisions.values().rev().nth(1) }
    } else {
        revisions.get(&to_revision)
    };
    let Some(target) = target.cloned() else {
        return Err(format!("unable to find specified revision {to_revision} in history"));
    };
    let template = revision::template_of(&target);
    if dry_run == DryRun::Client {
        return Ok(describe::pod_template_text(&template, &store.profile));
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
