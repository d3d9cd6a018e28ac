//! `kubectl set image (TYPE NAME | TYPE/NAME) CONTAINER=IMAGE…` (`cmd/set/set_image.go`):
//! changes container images in a workload's pod template (or a pod), `*` meaning every
//! container; prints `… image updated` only when something changed; `--record` writes
//! the command into `kubernetes.io/change-cause`.

use serde_json::Value;

use crate::api::Kind;
use crate::kubectl::cmd::create::update_value;
use crate::kubectl::flags::{self, Flag, FlagKind, flag};
use crate::kubectl::resources::{self, Target, name_ref};
use crate::kubectl::{Env, Output, SimResult, record, server_error};

const HELP: &str = include_str!("help/set-1.33.txt");

const IMAGE_FLAGS: &[Flag] = &[
    flag("selector", Some('l'), FlagKind::String),
    flag("filename", Some('f'), FlagKind::StringSlice),
    flag("all", None, FlagKind::Bool),
    flag("local", None, FlagKind::Bool),
    flag("output", Some('o'), FlagKind::String),
    flag("record", None, FlagKind::Bool),
    flag("dry-run", None, FlagKind::OptionalString("unchanged")),
    flag("field-manager", None, FlagKind::String),
];

pub fn run(env: &mut Env, words: &[String], out: &mut Output) -> SimResult<()> {
    let Some(pos) = crate::kubectl::command_position(words) else {
        out.stderr.push_str(HELP);
        out.code = 1;
        return Ok(());
    };
    let sub = words[pos].as_str();
    let mut rest = words[..pos].to_vec();
    rest.extend_from_slice(&words[pos + 1..]);
    match sub {
        "image" => image(env, &rest, out),
        "env" | "resources" | "selector" | "serviceaccount" | "sa" | "subject" => {
            out.fail(format!("error: kubesim does not emulate `kubectl set {sub}` yet"));
            Ok(())
        }
        other => {
            out.fail(format!(
                "error: unknown command \"{other}\"\nSee 'kubectl set -h' for help and examples"
            ));
            Ok(())
        }
    }
}

fn image(env: &mut Env, words: &[String], out: &mut Output) -> SimResult<()> {
    let Some(flags) = super::flags_or_fail("set image", IMAGE_FLAGS, words, out) else { return Ok(()) };
    let profile = env.cluster.profile().clone();
    record::warn_if_used(&flags, &profile, out);
    let (resource_args, pairs) = match resources_and_pairs(&flags.args) {
        Ok(split) => split,
        Err(e) => {
            out.fail(e);
            return Ok(());
        }
    };
    let Some((found, missing)) = find_objects(env, &flags, &resource_args, out) else { return Ok(()) };
    if found.is_empty() && !missing.is_empty() {
        missing.iter().for_each(|e| out.api_error(env.cluster.profile(), e));
        return Ok(());
    }
    if pairs.is_empty() {
        out.fail("error: at least one image update is required");
        return Ok(());
    }
    if pairs.len() > 1 && pairs.iter().any(|(k, _)| k == "*") {
        out.fail("error: all containers are already specified by *, but saw more than one container_name=container_image pairs");
        return Ok(());
    }
    let Some(dry_run) = super::dry_run_or_fail(&flags, out) else { return Ok(()) };
    let cause = record::requested(&flags).then(|| record::change_cause("set image", &flags));
    let mut errors: Vec<String> = Vec::new();
    for (kind, key) in found {
        let Some(current) = resources::get_value(&env.cluster.store, kind, &key) else { continue };
        let mut value = current.clone();
        if let Err(e) = set_images(kind, &key.1, &mut value, &pairs, &mut errors) {
            errors.push(e);
            continue;
        }
        if let Some(cause) = &cause {
            record::annotate(&mut value, cause.clone());
        }
        if value == current {
            continue;
        }
        if dry_run != flags::DryRun::None {
            out.line(format!("{} image updated{}", name_ref(&profile, kind, &key.1), dry_run.suffix()));
            continue;
        }
        match update_value(&mut env.cluster.store, kind, value) {
            Ok(()) => out.line(format!("{} image updated", name_ref(&profile, kind, &key.1))),
            Err(e) => errors.push(format!(
                "failed to patch image update to pod template: {}",
                server_error(&profile, &e, None)
            )),
        }
    }
    errors.extend(missing.iter().map(|e| server_error(&profile, e, None)));
    let single = errors.len() == 1;
    for e in errors {
        if single && !e.starts_with("error: ") && !e.starts_with("Error from server") {
            out.fail(format!("error: {e}"));
        } else {
            out.fail(e);
        }
    }
    Ok(())
}

/// `CONTAINER=IMAGE` pairs as given.
type Pairs = Vec<(String, String)>;

/// Objects found, and the NotFound errors for those that were not.
type Found = (Vec<(Kind, crate::api::ObjKey)>, Vec<crate::api::ApiError>);

/// `GetResourcesAndPairs`: resources first, then `CONTAINER=IMAGE` pairs.
fn resources_and_pairs(args: &[String]) -> Result<(Vec<String>, Pairs), String> {
    let mut resource_args: Vec<String> = Vec::new();
    let mut pairs: Vec<(String, String)> = Vec::new();
    for arg in args {
        if arg.contains('=') && !arg.starts_with('=') {
            let (k, v) = arg.split_once('=').expect("contains =");
            pairs.push((k.to_string(), v.to_string()));
        } else if !pairs.is_empty() {
            return Err(format!("error: all resources must be specified before image changes: {arg}"));
        } else {
            resource_args.push(arg.clone());
        }
    }
    Ok((resource_args, pairs))
}

/// The objects the resource arguments name (found, and NotFound errors), as the
/// resource builder reads them; `None` after printing a usage error.
fn find_objects(
    env: &Env,
    flags: &flags::Parsed,
    resource_args: &[String],
    out: &mut Output,
) -> Option<Found> {
    let targets = match resources::parse_targets(resource_args) {
        Ok(t) if !t.is_empty() => t,
        Ok(_) => {
            out.fail(super::NO_RESOURCES);
            return None;
        }
        Err(e) => {
            out.fail(e);
            return None;
        }
    };
    let namespace = resources::namespace(flags);
    let store = &env.cluster.store;
    let mut found = Vec::new();
    let mut missing = Vec::new();
    for Target { kind, names, .. } in targets {
        if names.is_empty() {
            if !flags.bool("all") && flags.string("selector").is_none() {
                out.fail("error: resource(s) were provided, but no name was specified");
                return None;
            }
            found.extend(
                resources::list_keys(store, kind, Some(&namespace), &Default::default())
                    .into_iter()
                    .map(|k| (kind, k)),
            );
        }
        for name in names {
            let key = resources::key(kind, &namespace, &name);
            if resources::exists(store, kind, &key) {
                found.push((kind, key));
            } else {
                missing.push(crate::api::ApiError::not_found(kind, &name));
            }
        }
    }
    Some((found, missing))
}

/// `setImage` over init containers and containers (`*` = all); a name matching no
/// container is an error, the others still apply.
fn set_images(
    kind: Kind,
    name: &str,
    value: &mut Value,
    pairs: &[(String, String)],
    errors: &mut Vec<String>,
) -> Result<(), String> {
    if kind == Kind::Job {
        // The apiserver rejects it (a Job's template is immutable) with a Go dump of the
        // whole template that kubesim does not reproduce.
        return Err("error: kubesim does not emulate `kubectl set image` on Jobs (the apiserver rejects template changes)".into());
    }
    let Some(spec) = pod_spec_mut(kind, value) else {
        return Err(format!(
            "error: {}/{name} the object is not a pod or does not have a pod template: {}",
            kind.qualified_singular(),
            kind_go_type(kind)
        ));
    };
    for (container, image) in pairs {
        let mut found = false;
        for list in ["initContainers", "containers"] {
            for c in spec.get_mut(list).and_then(|l| l.as_array_mut()).into_iter().flatten() {
                if container == "*" || c.get("name").and_then(|n| n.as_str()) == Some(container) {
                    c["image"] = Value::String(image.clone());
                    found = true;
                }
            }
        }
        if !found {
            errors.push(format!("error: unable to find container named \"{container}\""));
        }
    }
    Ok(())
}

/// The pod spec inside an object's JSON: a pod's own, its template's, or a CronJob's
/// job template's (`polymorphichelpers.updatePodSpecForObject`; Jobs are refused before).
fn pod_spec_mut(kind: Kind, value: &mut Value) -> Option<&mut Value> {
    match kind {
        Kind::Pod => value.get_mut("spec"),
        Kind::Deployment
        | Kind::ReplicaSet
        | Kind::ReplicationController
        | Kind::DaemonSet
        | Kind::StatefulSet => value.get_mut("spec")?.get_mut("template")?.get_mut("spec"),
        Kind::CronJob => value.pointer_mut("/spec/jobTemplate/spec/template/spec"),
        _ => None,
    }
}

fn kind_go_type(kind: Kind) -> String {
    format!("*v1.{}", kind.info().name)
}
