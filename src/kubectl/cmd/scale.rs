//! `kubectl scale TYPE NAME --replicas=N`: sets `spec.replicas` through the scale
//! subresource.

use crate::api::{ApiError, Kind};
use crate::kubectl::cmd::create::update_value;
use crate::kubectl::flags::{Flag, FlagKind, flag};
use crate::kubectl::resources::{self, Target};
use crate::kubectl::{Env, Output, SimResult, server_error};
use crate::profile::ScaleNothingFound;

const FLAGS: &[Flag] = &[
    flag("replicas", None, FlagKind::Int),
    flag("current-replicas", None, FlagKind::Int),
    flag("selector", Some('l'), FlagKind::String),
    flag("all", None, FlagKind::Bool),
    flag("timeout", None, FlagKind::String),
    flag("filename", Some('f'), FlagKind::StringSlice),
    flag("record", None, FlagKind::Bool),
];

pub fn run(env: &mut Env, words: &[String], out: &mut Output) -> SimResult<()> {
    let Some(flags) = super::flags_or_fail("scale", FLAGS, words, out) else { return Ok(()) };
    crate::kubectl::record::warn_if_used(&flags, env.cluster.profile(), out);
    let Some(replicas) = flags.int("replicas") else {
        out.fail("error: required flag(s) \"replicas\" not set");
        return Ok(());
    };
    if replicas < 0 {
        out.fail(
            "error: The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0",
        );
        return Ok(());
    }
    let Some(targets) = super::targets_or_fail(&flags.args, super::NO_RESOURCES, out) else { return Ok(()) };
    let namespace = resources::namespace(&flags);
    let profile = env.cluster.profile().clone();
    // Like kubectl's resource builder: read every named object first, keeping the errors.
    let mut found = Vec::new();
    let mut missing = Vec::new();
    for Target { kind, names, .. } in targets {
        if !matches!(
            kind,
            Kind::ReplicaSet | Kind::ReplicationController | Kind::Deployment | Kind::StatefulSet
        ) {
            out.fail(format!(
                "error: no scaler has been implemented for {{\"{}\" \"{}\"}}",
                kind.info().group,
                kind.info().name
            ));
            continue;
        }
        for name in names {
            let key = resources::key(kind, &namespace, &name);
            match resources::get_value(&env.cluster.store, kind, &key) {
                Some(value) => found.push((kind, name, value)),
                None => missing.push(ApiError::not_found(kind, &name)),
            }
        }
    }
    if found.is_empty() && !missing.is_empty() {
        match profile.scale_nothing_found {
            ScaleNothingFound::ServerErrors => {
                missing.iter().for_each(|e| out.api_error(env.cluster.profile(), e))
            }
            ScaleNothingFound::NoObjects => out.fail("error: no objects passed to scale"),
            ScaleNothingFound::NoObjectsWithErrors => {
                out.fail(format!("error: no objects passed to scale {}", go_error_text(&missing)))
            }
        }
        return Ok(());
    }
    for (kind, name, mut value) in found {
        if let Some(current) = flags.int("current-replicas")
            && value.pointer("/spec/replicas").and_then(|v| v.as_i64()) != Some(current)
        {
            out.fail(format!(
                "error: Expected replicas to be {current}, was {}",
                value.pointer("/spec/replicas").and_then(|v| v.as_i64()).unwrap_or(0)
            ));
            continue;
        }
        value["spec"]["replicas"] = serde_json::json!(replicas);
        if crate::kubectl::record::requested(&flags) {
            crate::kubectl::record::annotate(
                &mut value,
                crate::kubectl::record::change_cause("scale", &flags),
            );
        }
        match update_value(&mut env.cluster.store, kind, value) {
            Ok(()) => out.line(format!("{} scaled", resources::name_ref(&profile, kind, &name))),
            Err(e) => out.fail(server_error(env.cluster.profile(), &e, None)),
        }
    }
    // The objects that could not be read are reported after the others were scaled.
    missing.iter().for_each(|e| out.api_error(env.cluster.profile(), e));
    Ok(())
}

/// Go's text of the builder's error: the error itself, or `[a, b]` for an aggregate.
fn go_error_text(errors: &[ApiError]) -> String {
    match errors {
        [one] => one.to_string(),
        many => format!("[{}]", many.iter().map(|e| e.to_string()).collect::<Vec<_>>().join(", ")),
    }
}
