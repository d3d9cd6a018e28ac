//! `kubectl delete`: by name, `-f`, `--all` or `-l`, with `--cascade`, grace periods and
//! `--force`; then, like kubectl, waits (in virtual time) until the objects are gone.

use crate::api::store::{DeleteOptions, Propagation};
use crate::api::{ApiError, Kind, ObjKey};
use crate::kubectl::cmd::create;
use crate::kubectl::flags::{Flag, FlagKind, flag, parse_go_bool};
use crate::kubectl::resources::{self, Target};
use crate::kubectl::{Env, Output, SimResult};
use crate::time::HOUR;
use crate::with_kind;

const FLAGS: &[Flag] = &[
    flag("filename", Some('f'), FlagKind::StringSlice),
    flag("selector", Some('l'), FlagKind::String),
    flag("field-selector", None, FlagKind::String),
    flag("all", None, FlagKind::Bool),
    flag("cascade", None, FlagKind::OptionalString("background")),
    flag("grace-period", None, FlagKind::Int),
    flag("force", None, FlagKind::Bool),
    flag("now", None, FlagKind::Bool),
    flag("wait", None, FlagKind::Bool),
    flag("timeout", None, FlagKind::String),
    flag("ignore-not-found", None, FlagKind::Bool),
    flag("output", Some('o'), FlagKind::String),
];

/// `--cascade`: background, foreground, orphan, or the legacy booleans.
fn cascade(value: Option<&str>, strings_allowed: bool, out: &mut Output) -> Option<Propagation> {
    let Some(value) = value else { return Some(Propagation::Background) };
    if !strings_allowed {
        return match parse_go_bool(value) {
            Some(true) => Some(Propagation::Background),
            Some(false) => Some(Propagation::Orphan),
            None => {
                out.fail(format!(
                    "error: invalid argument \"{value}\" for \"--cascade\" flag: strconv.ParseBool: parsing \"{value}\": invalid syntax\nSee 'kubectl delete --help' for usage."
                ));
                None
            }
        };
    }
    match value {
        "background" => Some(Propagation::Background),
        "foreground" => Some(Propagation::Foreground),
        "orphan" => Some(Propagation::Orphan),
        v => match parse_go_bool(v) {
            Some(b) => {
                let replacement = if b { "background" } else { "orphan" };
                out.err_line(format!(
                    "warning: --cascade={v} is deprecated (boolean value) and can be replaced with --cascade={replacement}."
                ));
                Some(if b { Propagation::Background } else { Propagation::Orphan })
            }
            None => {
                out.fail(format!("error: invalid cascade value ({v}). Must be \"background\", \"foreground\", or \"orphan\""));
                None
            }
        },
    }
}

pub fn run(env: &mut Env, words: &[String], out: &mut Output) -> SimResult<()> {
    let Some(flags) = super::flags_or_fail("delete", FLAGS, words, out) else { return Ok(()) };
    let profile = env.cluster.profile().clone();
    let Some(propagation) = cascade(flags.string("cascade"), profile.cascade_bool_warns, out) else {
        return Ok(());
    };
    let namespace = resources::namespace(&flags);
    let selector_text = resources::label_selector(&flags);
    let field_text = flags.string("field-selector").filter(|s| !s.trim().is_empty());
    let by_listing = selector_text.is_some() || field_text.is_some() || flags.bool("all");
    // What to delete, in order.
    let mut victims: Vec<(Kind, ObjKey)> = Vec::new();
    // The file each victim came from, for "error when deleting \"FILE\"".
    let mut sources: Vec<Option<String>> = Vec::new();
    // The manifest's apiVersion of each victim read from a file: its group names it.
    let mut versions: Vec<Option<String>> = Vec::new();
    let mut errors: Vec<String> = Vec::new();
    let files = flags.strings("filename");
    if !files.is_empty() {
        for file in &files {
            match create::load(env, file, &profile) {
                Ok(ms) => {
                    for m in ms {
                        let name = m.value.pointer("/metadata/name").and_then(|v| v.as_str()).unwrap_or("");
                        let ns = m
                            .value
                            .pointer("/metadata/namespace")
                            .and_then(|v| v.as_str())
                            .unwrap_or(&namespace);
                        victims.push((m.kind, resources::key(m.kind, ns, name)));
                        sources.push(Some(file.clone()));
                        versions.push(Some(m.api_version().to_string()));
                    }
                }
                Err(e) => {
                    out.fail(e);
                    return Ok(());
                }
            }
        }
    } else {
        let Some(targets) = super::targets_or_fail(&flags.args, super::NO_RESOURCES, out) else {
            return Ok(());
        };
        if !super::names_without_selectors_or_fail(&flags, &targets, out) {
            return Ok(());
        }
        let listed: Vec<Kind> = targets.iter().filter(|t| t.names.is_empty()).map(|t| t.kind).collect();
        let Ok(selector) = super::selector_or_fail(&flags, &profile, &listed, out) else { return Ok(()) };
        let selector = selector.unwrap_or_default();
        let Some(fields) = super::field_selector_or_fail(&flags, &profile, &listed, out) else {
            return Ok(());
        };
        for Target { kind, names, .. } in targets {
            if names.is_empty() {
                if !by_listing {
                    out.fail("error: resource(s) were provided, but no name was specified".to_string());
                    return Ok(());
                }
                let store = &env.cluster.store;
                let mut keys = resources::list_keys(store, kind, Some(&namespace), &selector);
                if !fields.is_empty() {
                    let values = resources::object_values(store, kind, &keys);
                    let mut values = values.iter();
                    keys.retain(|_| values.next().is_some_and(|v| fields.matches(v)));
                }
                victims.extend(keys.into_iter().map(|key| (kind, key)));
            } else {
                for name in names {
                    victims.push((kind, resources::key(kind, &namespace, &name)));
                }
            }
        }
    }
    let force = flags.bool("force");
    let mut grace = flags.int("grace-period").filter(|g| *g >= 0);
    if flags.bool("now") {
        grace = Some(1);
    }
    if grace == Some(0) && !force {
        grace = Some(1);
    }
    if force {
        grace = Some(grace.unwrap_or(0));
        if grace == Some(0) {
            out.err_line(format!(
                "{}Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.",
                profile.warning_prefix
            ));
        }
    }
    let opts = DeleteOptions { grace_seconds: grace, propagation: Some(propagation) };
    let name_output = flags.string("output") == Some("name");
    // kubectl waits for the object it deleted (by uid): a replacement with the same
    // name (a StatefulSet pod) does not keep it waiting.
    let mut deleted: Vec<(Kind, ObjKey, String)> = Vec::new();
    for (i, (kind, key)) in victims.iter().enumerate() {
        let source = sources.get(i).cloned().flatten();
        let version = versions.get(i).cloned().flatten();
        let result: Result<String, ApiError> = with_kind!(*kind, T => env.cluster.store.delete::<T>(&key.0, &key.1, opts), else Ok(String::new()));
        match result {
            Ok(uid) => {
                if name_output {
                    out.line(format!(
                        "{}/{}",
                        resources::qualified_kind(&profile, *kind, version.as_deref()),
                        key.1
                    ));
                } else {
                    let verb = if grace == Some(0) { "force deleted" } else { "deleted" };
                    out.line(format!(
                        "{} \"{}\" {verb}",
                        resources::qualified_kind(&profile, *kind, version.as_deref()),
                        key.1
                    ));
                }
                deleted.push((*kind, key.clone(), uid));
            }
            Err(ApiError::NotFound { .. }) if flags.bool("ignore-not-found") => {}
            Err(e) => {
                let context = source.map(|f| format!("error when deleting \"{f}\""));
                errors.push(match version.as_deref() {
                    Some(v) => crate::kubectl::manifest_server_error(&profile, &e, context.as_deref(), v),
                    None => crate::kubectl::server_error(&profile, &e, context.as_deref()),
                })
            }
        }
    }
    if victims.is_empty() && by_listing {
        out.line("No resources found");
    }
    for e in errors {
        out.fail(e);
    }
    let wait = flags.string("wait").is_none_or(|v| parse_go_bool(v) != Some(false));
    if wait && !deleted.is_empty() {
        let limit = env.cluster.now() + HOUR;
        env.cluster
            .advance_until(limit, |c| deleted.iter().all(|(k, key, uid)| c.is_gone_uid(*k, key, uid)))?;
    }
    Ok(())
}
