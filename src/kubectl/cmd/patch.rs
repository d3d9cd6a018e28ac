//! `kubectl patch` (`--type strategic|merge|json`) and `kubectl edit`, whose editor
//! session a scenario scripts with the step's `edit:` merge patch.

use serde_json::Value;

use crate::api::{ApiError, Kind, patch};
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
    let Some(targets) = super::named_targets_or_fail(&flags.args, None, out) else { return Ok(()) };
    let namespace = resources::namespace(&flags);
    let name_only = flags.string("output") == Some("name");
    for t in targets {
        for name in &t.names {
            let changed = change_object(env, t.kind, &namespace, name, out, |value| match patch_type {
                "merge" => {
                    patch::merge_patch(value, &patch_value);
                    Ok(())
                }
                "json" => {
                    patch::json_patch(value, &patch_value).map_err(|e| format!("Error from server: {e}"))
                }
                _ => {
                    patch::strategic_merge(value, &patch_value);
                    Ok(())
                }
            });
            let verb = match changed {
                Some(true) => "patched",
                Some(false) => "patched (no change)",
                None => continue,
            };
            out.line(if name_only {
                name_ref(env.cluster.profile(), t.kind, name)
            } else {
                format!("{} {verb}", name_ref(env.cluster.profile(), t.kind, name))
            });
        }
    }
    Ok(())
}

/// Reads an object as JSON, applies `change`, and writes it back (with admission) when it
/// changed: `Some(changed)`, or `None` after printing the error.
fn change_object(
    env: &mut Env,
    kind: Kind,
    namespace: &str,
    name: &str,
    out: &mut Output,
    change: impl FnOnce(&mut Value) -> Result<(), String>,
) -> Option<bool> {
    let key = resources::key(kind, namespace, name);
    let Some(current) = resources::get_value(&env.cluster.store, kind, &key) else {
        out.api_error(env.cluster.profile(), &ApiError::not_found(kind, name));
        return None;
    };
    let mut updated = current.clone();
    if let Err(e) = change(&mut updated) {
        out.fail(e);
        return None;
    }
    if updated == current {
        return Some(false);
    }
    match update_value(&mut env.cluster.store, kind, updated) {
        Ok(()) => Some(true),
        Err(e) => {
            out.fail(server_error(env.cluster.profile(), &e, None));
            None
        }
    }
}

pub fn run_edit(env: &mut Env, words: &[String], out: &mut Output) -> SimResult<()> {
    let Some(flags) = super::flags_or_fail("edit", EDIT_FLAGS, words, out) else { return Ok(()) };
    let Some(targets) = super::targets_or_fail(&flags.args, super::NO_RESOURCES, out) else { return Ok(()) };
    let namespace = resources::namespace(&flags);
    let edit = env.edit.cloned();
    for t in targets {
        for name in &t.names {
            let changed = change_object(env, t.kind, &namespace, name, out, |value| {
                if let Some(edit) = &edit {
                    patch::merge_patch(value, edit);
                }
                Ok(())
            });
            match changed {
                Some(true) => out.line(format!("{} edited", name_ref(env.cluster.profile(), t.kind, name))),
                Some(false) => out.err_line("Edit cancelled, no changes made."),
                None => {}
            }
        }
    }
    Ok(())
}
