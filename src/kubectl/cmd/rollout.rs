//! `kubectl rollout status|history|undo|pause|resume|restart` for Deployments
//! (`cmd/rollout/*.go`, `polymorphichelpers/{rollout_status,history,rollback,
//! objectpauser,objectresumer,objectrestarter}.go`).
//!
//! `rollout status` watches in virtual time: it prints one line for the Deployment as
//! it is now (the watch's initial list), then lets the cluster run event by event and
//! prints one line per write of the Deployment, as the real watch delivers them, until
//! the rollout is done, fails, or `--timeout` passes.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::PodTemplateSpec;
use serde_json::Value;

use crate::api::selector::Selector;
use crate::api::store::ChangeOp;
use crate::api::{ApiError, Kind, ObjKey};
use crate::controllers::deployment::util::{self as dutil, equal_ignore_hash, skip_copy_annotation};
use crate::kubectl::cmd::create::update_value;
use crate::kubectl::deployments::DeploymentReplicaSets;
use crate::kubectl::flags::{self, Flag, FlagKind, flag};
use crate::kubectl::resources::{self, Target, name_ref};
use crate::kubectl::tabwriter::{self, Config};
use crate::kubectl::{Env, Output, SimResult, describe, server_error};
use crate::profile::Profile;
use crate::time::HOUR;

const HELP: &str = include_str!("help/rollout-1.33.txt");

/// How long `rollout status` without `--timeout` may wait in virtual time before the
/// simulator gives up (a real kubectl would wait forever).
const STATUS_WAIT_LIMIT_MS: u64 = 24 * HOUR;

const SELECTOR: Flag = flag("selector", Some('l'), FlagKind::String);
const FILENAME: Flag = flag("filename", Some('f'), FlagKind::StringSlice);
const OUTPUT: Flag = flag("output", Some('o'), FlagKind::String);

const STATUS_FLAGS: &[Flag] = &[
    SELECTOR,
    FILENAME,
    flag("watch", Some('w'), FlagKind::Bool),
    flag("revision", None, FlagKind::Int),
    flag("timeout", None, FlagKind::Duration),
];
const HISTORY_FLAGS: &[Flag] = &[SELECTOR, FILENAME, OUTPUT, flag("revision", None, FlagKind::Int)];
const UNDO_FLAGS: &[Flag] = &[
    SELECTOR,
    FILENAME,
    OUTPUT,
    flag("to-revision", None, FlagKind::Int),
    flag("dry-run", None, FlagKind::OptionalString("unchanged")),
];
const PATCH_FLAGS: &[Flag] = &[SELECTOR, FILENAME, OUTPUT, flag("field-manager", None, FlagKind::String)];

pub fn run(env: &mut Env, words: &[String], out: &mut Output) -> SimResult<()> {
    let Some(pos) = crate::kubectl::command_position(words) else {
        out.out(HELP);
        out.code = 1;
        return Ok(());
    };
    let sub = words[pos].as_str();
    let mut rest = words[..pos].to_vec();
    rest.extend_from_slice(&words[pos + 1..]);
    let flag_set = match sub {
        "status" => STATUS_FLAGS,
        "history" => HISTORY_FLAGS,
        "undo" => UNDO_FLAGS,
        "pause" | "resume" | "restart" => PATCH_FLAGS,
        other => {
            out.fail(format!(
                "error: unknown command \"{other}\"\nSee 'kubectl rollout -h' for help and examples"
            ));
            return Ok(());
        }
    };
    let flags = match flags::parse(&format!("rollout {sub}"), flag_set, &rest) {
        Ok(f) => f,
        Err(e) => {
            out.fail(e);
            return Ok(());
        }
    };
    if flags.args.is_empty() && flags.strings("filename").is_empty() {
        out.fail("error: required resource not specified");
        return Ok(());
    }
    if matches!(sub, "status" | "history")
        && let Some(r) = flags.int("revision")
        && r < 0
    {
        out.fail(format!("error: revision must be a positive integer: {r}"));
        return Ok(());
    }
    let Some(objects) = resolve(env, &flags, out) else { return Ok(()) };
    match sub {
        "status" => status(env, &flags, &objects, out)?,
        "history" => history(env, &flags, &objects, out),
        "undo" => undo(env, &flags, &objects, out),
        _ => patch(env, sub, &objects, out),
    }
    Ok(())
}

/// The objects the arguments name, as kubectl's resource builder finds them; missing
/// ones are reported (after the others are handled, by the caller's aggregate).
struct Objects {
    found: Vec<(Kind, ObjKey)>,
    missing: Vec<ApiError>,
    namespace: String,
}

fn resolve(env: &Env, flags: &flags::Parsed, out: &mut Output) -> Option<Objects> {
    let targets = match resources::parse_targets(&flags.args) {
        Ok(t) => t,
        Err(e) => {
            out.fail(e);
            return None;
        }
    };
    let selector = match flags.string("selector").map(Selector::parse).transpose() {
        Ok(s) => s,
        Err(e) => {
            out.fail(format!("error: {e}"));
            return None;
        }
    };
    let namespace = resources::namespace(flags);
    let store = &env.cluster.store;
    let mut objects = Objects { found: Vec::new(), missing: Vec::new(), namespace: namespace.clone() };
    for Target { kind, names, .. } in targets {
        if names.is_empty() {
            let sel = selector.clone().unwrap_or_default();
            for key in resources::list_keys(store, kind, Some(&namespace), &sel) {
                objects.found.push((kind, key));
            }
            continue;
        }
        for name in names {
            let key = resources::key(kind, &namespace, &name);
            if resources::exists(store, kind, &key) {
                objects.found.push((kind, key));
            } else {
                objects.missing.push(ApiError::not_found(kind, &name));
            }
        }
    }
    Some(objects)
}

/// One error of an aggregate: a server error or kubectl's own text.
enum Failure {
    Api(ApiError),
    Text(String),
}

/// `CheckErr` of an aggregate: one error gets kubectl's `error: ` prefix when it lacks
/// one; several are printed one per line as they are.
fn fail_all(profile: &Profile, out: &mut Output, failures: Vec<Failure>) {
    let single = failures.len() == 1;
    for f in failures {
        let text = match f {
            Failure::Api(e) => server_error(profile, &e, None),
            Failure::Text(t) if single && !t.starts_with("error: ") => format!("error: {t}"),
            Failure::Text(t) => t,
        };
        out.fail(text);
    }
}

/// `GroupKind.String()`: `ReplicaSet.apps`, `Pod`.
fn group_kind(kind: Kind) -> String {
    let info = kind.info();
    if info.group.is_empty() { info.name.to_string() } else { format!("{}.{}", info.name, info.group) }
}

// ----- status ------------------------------------------------------------------------

fn status(env: &mut Env, flags: &flags::Parsed, objects: &Objects, out: &mut Output) -> SimResult<()> {
    let watch = !flags.has("watch") || flags.bool("watch");
    let revision = flags.int("revision").unwrap_or(0);
    let timeout = flags.duration_ms("timeout").unwrap_or(0);
    for (kind, key) in &objects.found {
        if !matches!(*kind, Kind::Deployment | Kind::DaemonSet | Kind::StatefulSet) {
            out.fail(format!("error: no status viewer has been implemented for {}", group_kind(*kind)));
            return Ok(());
        }
        if !watch_one(env, *kind, key, revision, watch, timeout, out)? {
            return Ok(());
        }
    }
    if !objects.missing.is_empty() {
        fail_all(env.cluster.profile(), out, objects.missing.iter().cloned().map(Failure::Api).collect());
        return Ok(());
    }
    if objects.found.is_empty() {
        out.err_line(format!("No resources found in {} namespace.", objects.namespace));
    }
    Ok(())
}

/// Watches one Deployment, DaemonSet or StatefulSet until its rollout is done, printing
/// a line per write as the watch delivers them; false when it ended in an error.
fn watch_one(
    env: &mut Env,
    kind: Kind,
    key: &ObjKey,
    revision: i64,
    watch: bool,
    timeout: u64,
    out: &mut Output,
) -> SimResult<bool> {
    let cluster = &mut *env.cluster;
    let Some(current) = crate::kubectl::resources::get_value(&cluster.store, kind, key) else {
        out.api_error(env.cluster.profile(), &ApiError::not_found(kind, &key.1));
        return Ok(false);
    };
    let start = cluster.now();
    let limit = start + if timeout > 0 { timeout } else { STATUS_WAIT_LIMIT_MS };
    cluster.store.watch_start(kind, key.clone());
    let mut events = vec![(ChangeOp::Added, current)];
    let result = loop {
        let mut finished = None;
        for (op, value) in events.drain(..) {
            if op == ChangeOp::Deleted {
                finished = Some(Err("error: object has been deleted".to_string()));
                break;
            }
            let line = match kind {
                Kind::DaemonSet => {
                    let ds = serde_json::from_value(value).expect("a stored DaemonSet");
                    super::rollout_daemonset::status_line(&ds)
                }
                Kind::StatefulSet => {
                    let set = serde_json::from_value(value).expect("a stored StatefulSet");
                    super::rollout_statefulset::status_line(&set)
                }
                _ => {
                    let d: Deployment = serde_json::from_value(value).expect("a stored Deployment");
                    status_line(&d, revision)
                }
            };
            match line {
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
                    "error: kubesim: gave up after {} of virtual time; kubectl would keep waiting for {} \"{}\"",
                    crate::time::format_clock(STATUS_WAIT_LIMIT_MS),
                    kind.info().name.to_lowercase(),
                    key.1
                )
            });
        }
        let advanced = cluster.advance_until(limit, |c| c.store.watch_pending());
        if let Err(e) = advanced {
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

/// `DeploymentStatusViewer.Status`: the line for one state of the Deployment and
/// whether the rollout is done.
fn status_line(d: &Deployment, revision: i64) -> Result<(String, bool), String> {
    let name = d.metadata.name.as_deref().unwrap_or("");
    if revision > 0 {
        let running = dutil::revision(&d.metadata)
            .map_err(|_| format!("cannot get the revision of deployment \"{name}\""))?;
        if running != revision {
            return Err(format!(
                "desired revision ({revision}) is different from the running revision ({running})"
            ));
        }
    }
    let status = d.status.clone().unwrap_or_default();
    if d.metadata.generation.unwrap_or(0) > status.observed_generation.unwrap_or(0) {
        return Ok(("Waiting for deployment spec update to be observed...\n".into(), false));
    }
    if dutil::condition(&status, dutil::PROGRESSING)
        .is_some_and(|c| c.reason.as_deref() == Some(dutil::TIMED_OUT_REASON))
    {
        return Err(format!("deployment \"{name}\" exceeded its progress deadline"));
    }
    let replicas = d.spec.as_ref().and_then(|s| s.replicas);
    let updated = status.updated_replicas.unwrap_or(0);
    let total = status.replicas.unwrap_or(0);
    let available = status.available_replicas.unwrap_or(0);
    let waiting = format!("Waiting for deployment \"{name}\" rollout to finish: ");
    if let Some(r) = replicas
        && updated < r
    {
        return Ok((format!("{waiting}{updated} out of {r} new replicas have been updated...\n"), false));
    }
    if total > updated {
        return Ok((
            format!("{waiting}{} old replicas are pending termination...\n", total - updated),
            false,
        ));
    }
    if available < updated {
        return Ok((format!("{waiting}{available} of {updated} updated replicas are available...\n"), false));
    }
    Ok((format!("deployment \"{name}\" successfully rolled out\n"), true))
}

// ----- history -----------------------------------------------------------------------

fn history(env: &mut Env, flags: &flags::Parsed, objects: &Objects, out: &mut Output) {
    let revision = flags.int("revision").unwrap_or(0);
    let store = &env.cluster.store;
    let mut failures: Vec<Failure> = Vec::new();
    for (kind, key) in &objects.found {
        let info = match kind {
            Kind::DaemonSet => super::rollout_daemonset::history_text(store, key, revision),
            Kind::StatefulSet => super::rollout_statefulset::history(store, key, revision),
            Kind::Deployment => {
                let d = store.get_by_key::<Deployment>(key).expect("resolved");
                if let Some(format) = flags.string("output") {
                    if let Err(f) = print_history_objects(env, d, revision, format, out) {
                        failures.push(f);
                        break;
                    }
                    continue;
                }
                history_text(&deployment_revisions(store, d), revision, &store.profile)
            }
            _ => Err(format!("no history viewer has been implemented for \"{}\"", group_kind(*kind))),
        };
        match info {
            Ok(info) => {
                let with_revision =
                    if revision > 0 { format!("with revision #{revision}") } else { String::new() };
                out.line(format!(
                    "{} {with_revision}\n{info}",
                    name_ref(env.cluster.profile(), *kind, &key.1)
                ));
            }
            Err(e) => {
                failures.push(Failure::Text(e));
                break;
            }
        }
    }
    failures.extend(objects.missing.iter().cloned().map(Failure::Api));
    if !failures.is_empty() {
        fail_all(env.cluster.profile(), out, failures);
    }
}

/// The revisions a history viewer shows: number → (pod template, change-cause).
pub type Revisions = BTreeMap<i64, (PodTemplateSpec, Option<String>)>;

/// `DeploymentHistoryViewer.ViewHistory`: the ReplicaSets' templates by revision, each
/// carrying its ReplicaSet's change-cause annotation (so that `--revision` shows it).
fn deployment_revisions(store: &crate::api::Store, d: &Deployment) -> Revisions {
    let mut revisions = Revisions::new();
    for rs in DeploymentReplicaSets::of(store, d).all() {
        let Ok(v) = dutil::revision(&rs.metadata) else { continue };
        let mut template = rs.spec.as_ref().and_then(|s| s.template.clone()).unwrap_or_default();
        if let Some(cause) = rs.metadata.annotations.as_ref().and_then(|a| a.get(dutil::CHANGE_CAUSE))
            && !cause.is_empty()
        {
            let meta = template.metadata.get_or_insert_with(Default::default);
            meta.annotations
                .get_or_insert_with(Default::default)
                .insert(dutil::CHANGE_CAUSE.into(), cause.clone());
        }
        let cause = template
            .metadata
            .as_ref()
            .and_then(|m| m.annotations.as_ref())
            .and_then(|a| a.get(dutil::CHANGE_CAUSE))
            .cloned();
        revisions.insert(v, (template, cause));
    }
    revisions
}

/// `printHistory` (`history.go`), shared by the Deployment, DaemonSet and StatefulSet
/// history viewers: no revisions, one revision's pod template (`--revision`), or the
/// REVISION / CHANGE-CAUSE table.
pub fn history_text(
    revisions: &Revisions,
    revision: i64,
    profile: &crate::profile::Profile,
) -> Result<String, String> {
    if revisions.is_empty() {
        return Ok("No rollout history found.".into());
    }
    if revision > 0 {
        let (template, _) = revisions.get(&revision).ok_or("unable to find the specified revision")?;
        return Ok(describe::pod_template_text(template, profile));
    }
    let mut table = String::from("REVISION\tCHANGE-CAUSE\n");
    for (v, (_, cause)) in revisions {
        table.push_str(&format!("{v}\t{}\n", cause.as_deref().unwrap_or("<none>")));
    }
    Ok(tabwriter::format(&table, Config::DESCRIBE))
}

/// `rollout history -o FORMAT` (`history.go`): the history viewer's objects, the
/// Deployment's ReplicaSets by revision (only `--revision`'s when given), each printed
/// as the API returns it: YAML documents separated by `---`, JSON objects one after the
/// other, or `replicaset.apps/NAME`.
fn print_history_objects(
    env: &Env,
    d: &Deployment,
    revision: i64,
    format: &str,
    out: &mut Output,
) -> Result<(), Failure> {
    const ALLOWED: &str = "go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,yaml";
    if !matches!(format, "yaml" | "json" | "name") {
        return Err(Failure::Text(format!(
            "unable to match a printer suitable for the output format {format:?}, allowed formats are: {ALLOWED}"
        )));
    }
    let store = &env.cluster.store;
    let mut by_revision: BTreeMap<i64, &ReplicaSet> = BTreeMap::new();
    for rs in DeploymentReplicaSets::of(store, d).all() {
        if let Ok(v) = dutil::revision(&rs.metadata) {
            by_revision.insert(v, rs);
        }
    }
    if revision > 0 {
        let Some(rs) = by_revision.remove(&revision) else {
            return Err(Failure::Text("unable to find the specified revision".into()));
        };
        by_revision = BTreeMap::from([(revision, rs)]);
    }
    for (i, rs) in by_revision.values().enumerate() {
        let value = serde_json::to_value(rs).expect("serializable");
        match format {
            "yaml" => {
                if i > 0 {
                    out.out("---\n");
                }
                out.out(crate::kubectl::yaml::to_yaml(&value));
            }
            "json" => out.line(crate::kubectl::cmd::get::json_text(&value)),
            _ => out.line(resources::manifest_name_ref(
                &store.profile,
                Kind::ReplicaSet,
                "apps/v1",
                rs.metadata.name.as_deref().unwrap_or(""),
            )),
        }
    }
    Ok(())
}

// ----- undo --------------------------------------------------------------------------

fn undo(env: &mut Env, flags: &flags::Parsed, objects: &Objects, out: &mut Output) {
    let to_revision = flags.int("to-revision").unwrap_or(0);
    let Some(dry_run) = super::dry_run_or_fail(flags, out) else { return };
    let mut failures: Vec<Failure> = Vec::new();
    for (kind, key) in &objects.found {
        let result = match kind {
            Kind::DaemonSet => {
                super::rollout_daemonset::rollback(&mut env.cluster.store, key, to_revision, dry_run)
                    .map_err(Failure::Text)
            }
            Kind::StatefulSet => {
                super::rollout_statefulset::undo(env, key, to_revision, dry_run).map_err(Failure::Text)
            }
            Kind::Deployment => rollback(env, key, to_revision, dry_run),
            _ => Err(Failure::Text(format!(
                "no rollbacker has been implemented for \"{}\"",
                group_kind(*kind)
            ))),
        };
        match result {
            Ok(result) => out.line(format!(
                "{} {result}{}",
                name_ref(env.cluster.profile(), *kind, &key.1),
                dry_run.suffix()
            )),
            Err(f) => {
                failures.push(f);
                break;
            }
        }
    }
    failures.extend(objects.missing.iter().cloned().map(Failure::Api));
    if !failures.is_empty() {
        fail_all(env.cluster.profile(), out, failures);
    }
}

/// `DeploymentRollbacker.Rollback`: puts the template of the chosen revision (the one
/// before the current when `to_revision` is 0) back into the Deployment, with that
/// revision's annotations; the controller then renumbers that ReplicaSet as the newest
/// revision. A client dry run shows that revision's pod template; a server dry run
/// changes nothing.
fn rollback(
    env: &mut Env,
    key: &ObjKey,
    to_revision: i64,
    dry_run: flags::DryRun,
) -> Result<String, Failure> {
    if to_revision < 0 {
        return Err(Failure::Text(format!("unable to find specified revision {to_revision} in history")));
    }
    let store = &mut env.cluster.store;
    let d = store.get_by_key::<Deployment>(key).expect("resolved").clone();
    let target: ReplicaSet = {
        let rss = DeploymentReplicaSets::of(store, &d).all();
        pick_revision(&rss, to_revision, &d)?.clone()
    };
    if dry_run == flags::DryRun::Client {
        let template = target.spec.as_ref().and_then(|s| s.template.clone()).unwrap_or_default();
        return Ok(describe::pod_template_text(&template, &store.profile));
    }
    if dutil::paused(&d) {
        let hint = if store.profile.undo_paused_names_deployment {
            format!("'kubectl rollout resume deployment/{}'", key.1)
        } else {
            "'kubectl rollout resume'".to_string()
        };
        return Err(Failure::Text(format!(
            "you cannot rollback a paused deployment; resume it first with {hint} and try again"
        )));
    }
    let mut template = target.spec.as_ref().and_then(|s| s.template.clone()).unwrap_or_default();
    if equal_ignore_hash(&template, dutil::template(&d)) {
        return Ok(format!("skipped rollback (current template already matches revision {to_revision})"));
    }
    if let Some(labels) = template.metadata.as_mut().and_then(|m| m.labels.as_mut()) {
        labels.remove(dutil::HASH_LABEL);
    }
    let mut annotations: BTreeMap<String, String> = BTreeMap::new();
    for (k, v) in d.metadata.annotations.iter().flatten() {
        if skip_copy_annotation(k) {
            annotations.insert(k.clone(), v.clone());
        }
    }
    for (k, v) in target.metadata.annotations.iter().flatten() {
        if !skip_copy_annotation(k) {
            annotations.insert(k.clone(), v.clone());
        }
    }
    let mut value = serde_json::to_value(&d).expect("serializable");
    value["spec"]["template"] = serde_json::to_value(&template).expect("serializable");
    value["metadata"]["annotations"] = if annotations.is_empty() {
        Value::Null
    } else {
        serde_json::to_value(&annotations).expect("serializable")
    };
    if let Some(meta) = value["metadata"].as_object_mut()
        && meta.get("annotations") == Some(&Value::Null)
    {
        meta.remove("annotations");
    }
    if dry_run == flags::DryRun::Server {
        return Ok("rolled back".into());
    }
    update_value(store, Kind::Deployment, value)
        .map_err(|e| Failure::Text(format!("failed restoring revision {to_revision}: {e}")))?;
    Ok("rolled back".into())
}

/// `deploymentRevision`: the ReplicaSet of `to_revision`, or the second-newest one.
fn pick_revision<'a>(
    rss: &[&'a ReplicaSet],
    to_revision: i64,
    d: &Deployment,
) -> Result<&'a ReplicaSet, Failure> {
    let mut latest: Option<(i64, &ReplicaSet)> = None;
    let mut previous: Option<(i64, &ReplicaSet)> = None;
    for rs in rss {
        let Ok(v) = dutil::revision(&rs.metadata) else { continue };
        if to_revision == 0 {
            if latest.is_none_or(|(l, _)| l < v) {
                previous = latest;
                latest = Some((v, rs));
            } else if previous.is_none_or(|(p, _)| p < v) {
                previous = Some((v, rs));
            }
        } else if v == to_revision {
            return Ok(rs);
        }
    }
    if to_revision > 0 {
        return Err(Failure::Text(format!("unable to find specified revision {to_revision} in history")));
    }
    previous.map(|(_, rs)| rs).ok_or_else(|| {
        Failure::Text(format!(
            "no rollout history found for deployment \"{}\"",
            d.metadata.name.as_deref().unwrap_or("")
        ))
    })
}

// ----- pause, resume, restart --------------------------------------------------------

fn patch(env: &mut Env, sub: &str, objects: &Objects, out: &mut Output) {
    if objects.found.is_empty() && objects.missing.is_empty() {
        out.err_line(format!("No resources found in {} namespace.", objects.namespace));
        return;
    }
    let mut failures: Vec<Failure> = Vec::new();
    for (kind, key) in &objects.found {
        match patch_one(env, sub, *kind, key) {
            Ok(verb) => out.line(format!("{} {verb}", name_ref(env.cluster.profile(), *kind, &key.1))),
            Err(f) => failures.push(f),
        }
    }
    failures.extend(objects.missing.iter().cloned().map(Failure::Api));
    if !failures.is_empty() {
        fail_all(env.cluster.profile(), out, failures);
    }
}

/// Pauses, resumes or restarts one object (`objectpauser.go`, `objectresumer.go`,
/// `objectrestarter.go`); returns the verb the name printer shows.
fn patch_one(env: &mut Env, sub: &str, kind: Kind, key: &ObjKey) -> Result<&'static str, Failure> {
    let resource = resources::qualified_resource(env.cluster.profile(), kind);
    let refuse = |problem: &str| Failure::Text(format!("error: {resource} \"{}\" {problem}", key.1));
    if kind == Kind::StatefulSet && sub == "restart" {
        return super::rollout_statefulset::restart(env, key).map_err(Failure::Text);
    }
    if kind != Kind::Deployment {
        return Err(refuse(match sub {
            "pause" => "pausing is not supported",
            "resume" => "resuming is not supported",
            _ => "restarting is not supported",
        }));
    }
    let store = &mut env.cluster.store;
    let d = store.get_by_key::<Deployment>(key).expect("resolved").clone();
    let paused = dutil::paused(&d);
    let mut value = serde_json::to_value(&d).expect("serializable");
    let verb = match sub {
        "pause" if paused => return Err(refuse("is already paused")),
        "pause" => {
            value["spec"]["paused"] = Value::Bool(true);
            "paused"
        }
        "resume" if !paused => return Err(refuse("is not paused")),
        "resume" => {
            if let Some(spec) = value["spec"].as_object_mut() {
                spec.remove("paused");
            }
            "resumed"
        }
        _ if paused => return Err(refuse("can't restart paused deployment (run rollout resume first)")),
        _ => {
            // `time.Now().Format(time.RFC3339)` in kubectl's zone (UTC here).
            let stamp = store.clock.time(store.now).0.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
            let annotations = &mut value["spec"]["template"]["metadata"]["annotations"];
            if annotations.is_null() {
                *annotations = Value::Object(Default::default());
            }
            if annotations.get(RESTARTED_AT) == Some(&Value::String(stamp.clone())) {
                return Err(Failure::Text(format!(
                    "failed to create patch for {}: if restart has already been triggered within the past second, please wait before attempting to trigger another",
                    key.1
                )));
            }
            annotations[RESTARTED_AT] = Value::String(stamp);
            "restarted"
        }
    };
    update_value(store, Kind::Deployment, value)
        .map_err(|e| Failure::Text(format!("failed to patch: {e}")))?;
    Ok(verb)
}

/// The template annotation `rollout restart` sets to the current time.
const RESTARTED_AT: &str = "kubectl.kubernetes.io/restartedAt";

#[cfg(test)]
mod tests {
    use super::*;

    fn deployment(generation: i64, status: Value) -> Deployment {
        serde_json::from_value(serde_json::json!({
            "metadata": {"name": "web", "generation": generation},
            "spec": {"replicas": 3, "selector": {}, "template": {}},
            "status": status,
        }))
        .unwrap()
    }

    #[test]
    fn status_lines_in_kubectl_order() {
        let cases = [
            (
                "spec not observed",
                deployment(2, serde_json::json!({"observedGeneration": 1})),
                "Waiting for deployment spec update to be observed...\n",
                false,
            ),
            (
                "updating",
                deployment(
                    1,
                    serde_json::json!({"observedGeneration": 1, "replicas": 4, "updatedReplicas": 1}),
                ),
                "Waiting for deployment \"web\" rollout to finish: 1 out of 3 new replicas have been updated...\n",
                false,
            ),
            (
                "old pending",
                deployment(
                    1,
                    serde_json::json!({"observedGeneration": 1, "replicas": 4, "updatedReplicas": 3}),
                ),
                "Waiting for deployment \"web\" rollout to finish: 1 old replicas are pending termination...\n",
                false,
            ),
            (
                "available",
                deployment(
                    1,
                    serde_json::json!({"observedGeneration": 1, "replicas": 3, "updatedReplicas": 3, "availableReplicas": 2}),
                ),
                "Waiting for deployment \"web\" rollout to finish: 2 of 3 updated replicas are available...\n",
                false,
            ),
            (
                "done",
                deployment(
                    1,
                    serde_json::json!({"observedGeneration": 1, "replicas": 3, "updatedReplicas": 3, "availableReplicas": 3}),
                ),
                "deployment \"web\" successfully rolled out\n",
                true,
            ),
        ];
        for (name, d, line, done) in cases {
            assert_eq!(status_line(&d, 0), Ok((line.to_string(), done)), "{name}");
        }
        let timed_out = deployment(
            1,
            serde_json::json!({"observedGeneration": 1, "conditions": [
            {"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded"}]}),
        );
        assert_eq!(
            status_line(&timed_out, 0),
            Err("deployment \"web\" exceeded its progress deadline".into())
        );
    }
}
