//! `kubectl patch` (`--type strategic|merge|json`) and `kubectl edit`, whose editor
//! session a scenario scripts with the step's `edit:` merge patch.

use serde_json::Value;

use crate::api::{ApiError, patch};
use crate::kubectl::cmd::create::update_value;
use crate::kubectl::flags::{Flag, FlagKind, flag};
use crate::kubectl::resources::{self, name_ref};
use crate::kubectl::{Env, Output, SimResult, server_error};

const PATCH_FLAGS: &[Flag] = &[
    flag("patch", Some('p'), FlagKind::String),
    flag("type", None, FlagKind::String),
    flag("output", Some('o'), FlagKind::String),
    flag("dry-run", None, FlagKind::String),
];

const EDIT_FLAGS: &[Flag] =
    &[flag("output", Some('o'), FlagKind::String), flag("record", None, FlagKind::Bool)];

pub fn run_patch(env: &mut Env, words: &[String], out: &mut Output) -> SimResult<()> {
    let Some(flags) = super::flags_or_fail("patch", PATCH_FLAGS, words, out) else { return Ok(()) };
    let Some(text) = flags.string("patch") else {
        out.fail("error: must specify --patch or --patch-file containing the contents of the patch");
        return Ok(());
    };
    let patch_type = flags.string("type").unwrap_or("strategic");
    if !["strategic", "merge", "json"].contains(&patch_type) {
        out.fail(format!("error: --type must be one of [json merge strategic], not \"{patch_type}\""));
        return Ok(());
    }
    let patch_value: Value = match serde_yaml::from_str::<serde_yaml::Value>(text)
        .map_err(|e| e.to_string())
        .and_then(|v| serde_json::to_value(v).map_err(|e| e.to_string()))
    {
        Ok(v) => v,
        Err(e) => {
            out.fail(format!("error: unable to parse \"{text}\": {e}"));
            return Ok(());
        }
    };
    let targets = match resources::parse_targets(&flags.args) {
        Ok(t) if !t.is_empty() && t.iter().all(|t| !t.names.is_empty()) => t,
        Ok(_) => {
            out.fail(super::NO_RESOURCES);
            return Ok(());
        }
        Err(e) => {
            out.fail(e);
            return Ok(());
        }
    };
    let namespace = resources::namespace(&flags);
    for t in targets {
        for name in &t.names {
            let key = resources::key(t.kind, &namespace, name);
            let Some(current) = resources::get_value(&env.cluster.store, t.kind, &key) else {
                out.api_error(&ApiError::not_found(t.kind, name));
                continue;
            };
            let mut updated = current.clone();
            let applied = match patch_type {
                "merge" => {
                    patch::merge_patch(&mut updated, &patch_value);
                    Ok(())
                }
                "json" => patch::json_patch(&mut updated, &patch_value),
                _ => {
                    patch::strategic_merge(&mut updated, &patch_value);
                    Ok(())
                }
            };
            if let Err(e) = applied {
                out.fail(format!("Error from server: {e}"));
                continue;
            }
            let name_only = flags.string("output") == Some("name");
            let report = |verb: &str| {
                if name_only { name_ref(t.kind, name) } else { format!("{} {verb}", name_ref(t.kind, name)) }
            };
            if updated == current {
                out.line(report("patched (no change)"));
                continue;
            }
            match update_value(&mut env.cluster.store, t.kind, updated) {
                Ok(()) => out.line(report("patched")),
                Err(e) => out.fail(server_error(&e, None)),
            }
        }
    }
    Ok(())
}

pub fn run_edit(env: &mut Env, words: &[String], out: &mut Output) -> SimResult<()> {
    let Some(flags) = super::flags_or_fail("edit", EDIT_FLAGS, words, out) else { return Ok(()) };
    let Some(targets) = super::targets_or_fail(&flags.args, super::NO_RESOURCES, out) else { return Ok(()) };
    let namespace = resources::namespace(&flags);
    for t in targets {
        for name in &t.names {
            let key = resources::key(t.kind, &namespace, name);
            let Some(current) = resources::get_value(&env.cluster.store, t.kind, &key) else {
                out.api_error(&ApiError::not_found(t.kind, name));
                continue;
            };
            let mut updated = current.clone();
            if let Some(edit) = env.edit {
                patch::merge_patch(&mut updated, edit);
            }
            if updated == current {
                out.err_line("Edit cancelled, no changes made.");
                continue;
            }
            match update_value(&mut env.cluster.store, t.kind, updated) {
                Ok(()) => out.line(format!("{} edited", name_ref(t.kind, name))),
                Err(e) => out.fail(server_error(&e, None)),
            }
        }
    }
    Ok(())
}
