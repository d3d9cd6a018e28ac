//! The DaemonSet side of `kubectl rollout` (`polymorphichelpers`: `DaemonSetStatusViewer`,
//! `DaemonSetHistoryViewer`, `DaemonSetRollbacker`): status lines from the status
//! counters, history from the ControllerRevisions, undo by putting a revision's template
//! back.

use k8s_openapi::api::apps::v1::DaemonSet;

use crate::api::{Kind, ObjKey, Store};
use crate::controllers::daemonset::history::{change_cause, revision_template, revisions_of};
use crate::kubectl::cmd::create::update_value;
use crate::kubectl::cmd::rollout::Revisions;
use crate::kubectl::describe;
use crate::kubectl::flags::DryRun;

/// `DaemonSetStatusViewer.Status`: the line for one state and whether it is done.
pub fn status_line(ds: &DaemonSet) -> Result<(String, bool), String> {
    let name = ds.metadata.name.as_deref().unwrap_or("");
    let strategy = ds.spec.as_ref().and_then(|s| s.update_strategy.as_ref()).and_then(|s| s.type_.as_deref());
    if strategy != Some("RollingUpdate") {
        return Err("rollout status is only available for RollingUpdate strategy type".into());
    }
    let status = ds.status.clone().unwrap_or_default();
    if ds.metadata.generation.unwrap_or(0) > status.observed_generation.unwrap_or(0) {
        return Ok(("Waiting for daemon set spec update to be observed...\n".into(), false));
    }
    let desired = status.desired_number_scheduled;
    let updated = status.updated_number_scheduled.unwrap_or(0);
    let available = status.number_available.unwrap_or(0);
    let waiting = format!("Waiting for daemon set \"{name}\" rollout to finish: ");
    if updated < desired {
        return Ok((format!("{waiting}{updated} out of {desired} new pods have been updated...\n"), false));
    }
    if available < desired {
        return Ok((format!("{waiting}{available} of {desired} updated pods are available...\n"), false));
    }
    Ok((format!("daemon set \"{name}\" successfully rolled out\n"), true))
}

/// The revisions of a DaemonSet: number → (template, change-cause).
fn revisions(store: &Store, ds: &DaemonSet) -> Revisions {
    let uid = ds.metadata.uid.as_deref().unwrap_or("");
    let namespace = ds.metadata.namespace.as_deref().unwrap_or("");
    revisions_of(store, namespace, uid)
        .iter()
        .filter_map(|cr| Some((cr.revision, (revision_template(cr)?, change_cause(cr)))))
        .collect()
}

/// `DaemonSetHistoryViewer.ViewHistory`: the table, or one revision's template.
pub fn history_text(store: &Store, key: &ObjKey, revision: i64) -> Result<String, String> {
    let ds = store
        .get_by_key::<DaemonSet>(key)
        .ok_or_else(|| format!("daemonsets.apps \"{}\" not found", key.1))?;
    super::rollout::history_text(&revisions(store, ds), revision, &store.profile)
}

/// `DaemonSetRollbacker.Rollback`: the chosen revision (the second newest for 0)
/// patched back into the DaemonSet; the controller then renumbers that revision as the
/// newest. A client dry run only says which template it would put back (`will roll back
/// to` and the template as `describe` prints it); a server dry run goes through the
/// checks and changes nothing.
pub fn rollback(
    store: &mut Store,
    key: &ObjKey,
    to_revision: i64,
    dry_run: DryRun,
) -> Result<String, String> {
    if to_revision < 0 {
        return Err(format!("unable to find specified revision {to_revision} in history"));
    }
    let ds = store
        .get_by_key::<DaemonSet>(key)
        .ok_or_else(|| format!("daemonsets.apps \"{}\" not found", key.1))?;
    let all = revisions(store, ds);
    if to_revision == 0 && all.len() <= 1 {
        return Err("no last revision to roll back to".into());
    }
    let target = if to_revision == 0 { all.values().rev().nth(1) } else { all.get(&to_revision) };
    let Some((template, _)) = target else {
        return Err(format!("unable to find specified revision {to_revision} in history"));
    };
    if dry_run == DryRun::Client {
        return Ok(format!("will roll back to {}", describe::pod_template_text(template, &store.profile)));
    }
    // `daemonSetMatch`; the message names the revision asked for (0 when none was).
    let current = ds.spec.as_ref().map(|s| &s.template);
    if current == Some(template) {
        return Ok(format!("skipped rollback (current template already matches revision {to_revision})"));
    }
    if dry_run == DryRun::Server {
        return Ok("rolled back".into());
    }
    let mut value = serde_json::to_value(ds).expect("serializable");
    value["spec"]["template"] = serde_json::to_value(template).expect("serializable");
    update_value(store, Kind::DaemonSet, value)
        .map_err(|e| format!("failed restoring revision {to_revision}: {e}"))?;
    Ok("rolled back".into())
}
