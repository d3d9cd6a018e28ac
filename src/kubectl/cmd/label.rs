//! `kubectl label TYPE NAME k=v … [k-] [--overwrite]`, with kubectl's messages for
//! added, unchanged, removed and conflicting labels. The argument split, the object
//! resolution and the read-modify-write of a metadata map are shared with
//! `kubectl annotate` (`cmd/annotate.rs`).

use std::collections::BTreeMap;

use serde_json::Value;

use crate::api::{ApiError, Kind, ObjKey};
use crate::kubectl::cmd::create::update_value;
use crate::kubectl::flags::{Flag, FlagKind, Parsed, flag};
use crate::kubectl::resources::{self, name_ref};
use crate::kubectl::{Env, Output, SimResult, server_error};

const FLAGS: &[Flag] = &[
    flag("overwrite", None, FlagKind::Bool),
    flag("selector", Some('l'), FlagKind::String),
    flag("all", None, FlagKind::Bool),
    flag("list", None, FlagKind::Bool),
    flag("output", Some('o'), FlagKind::String),
    flag("resource-version", None, FlagKind::String),
];

/// `GetResourcesAndPairs` then `ParsePairs` (kubectl's `cmd/util`), shared with
/// `kubectl annotate`: resources come first, then `k=v` (set) and `k-` (remove) pairs,
/// `pair_type` naming them in the error for a resource after a pair.
pub(super) fn resources_and_pairs(
    args: &[String],
    pair_type: &str,
) -> Result<(Vec<String>, BTreeMap<String, String>, Vec<String>), String> {
    let mut resources = Vec::new();
    let mut set = BTreeMap::new();
    let mut remove = Vec::new();
    let mut found_pair = false;
    for a in args {
        let is_set = a.contains('=') && !a.starts_with('=');
        let is_remove = a.ends_with('-') && a != "-";
        if !is_set && !is_remove {
            if found_pair {
                return Err(format!(
                    "error: all resources must be specified before {pair_type} changes: {a}"
                ));
            }
            resources.push(a.clone());
            continue;
        }
        found_pair = true;
        if let Some((k, v)) = a.split_once('=').filter(|_| is_set) {
            set.insert(k.to_string(), v.to_string());
        } else {
            remove.push(a[..a.len() - 1].to_string());
        }
    }
    Ok((resources, set, remove))
}

/// The objects `TYPE NAME…`, `TYPE/NAME` or `TYPE` with `-l`/`--all` name, as
/// `(kind, key)` in kubectl's visiting order; a resolution error is printed (exit 1)
/// and gives `None`. Shared by `label` and `annotate`.
pub(super) fn objects_or_fail(
    env: &Env,
    flags: &Parsed,
    resource_args: &[String],
    out: &mut Output,
) -> Option<Vec<(Kind, ObjKey)>> {
    let targets = match resources::parse_targets(resource_args) {
        Ok(t) if !t.is_empty() => t,
        Ok(_) => {
            out.fail(
                "error: one or more resources must be specified as <resource> <name> or <resource>/<name>",
            );
            return None;
        }
        Err(e) => {
            out.fail(e);
            return None;
        }
    };
    let namespace = resources::namespace(flags);
    let listing = resources::label_selector(flags).is_some() || flags.bool("all");
    if listing && targets.iter().any(|t| !t.names.is_empty()) {
        out.fail("error: name cannot be provided when a selector is specified");
        return None;
    }
    if !listing && targets.iter().any(|t| t.names.is_empty()) {
        out.fail("error: resource(s) were provided, but no name was specified");
        return None;
    }
    let listed: Vec<Kind> = targets.iter().map(|t| t.kind).collect();
    let selector = super::selector_or_fail(flags, env.cluster.profile(), &listed, out).ok()?;
    let mut objects = Vec::new();
    for t in targets {
        if t.names.is_empty() {
            let sel = selector.clone().unwrap_or_default();
            let keys = resources::list_keys(&env.cluster.store, t.kind, Some(&namespace), &sel);
            objects.extend(keys.into_iter().map(|k| (t.kind, k)));
        } else {
            objects.extend(t.names.iter().map(|n| (t.kind, resources::key(t.kind, &namespace, n))));
        }
    }
    Some(objects)
}

/// An object's current `metadata.<field>` map (`labels`, `annotations`), with the object
/// itself; a missing object prints the server's NotFound and gives `None`.
pub(super) fn read_map(
    env: &Env,
    kind: Kind,
    key: &ObjKey,
    field: &str,
    out: &mut Output,
) -> Option<(Value, BTreeMap<String, String>)> {
    let Some(value) = resources::get_value(&env.cluster.store, kind, key) else {
        out.api_error(env.cluster.profile(), &ApiError::not_found(kind, &key.1));
        return None;
    };
    let map = value
        .pointer(&format!("/metadata/{field}"))
        .and_then(|l| serde_json::from_value(l.clone()).ok())
        .unwrap_or_default();
    Some((value, map))
}

/// Stores `value` with `metadata.<field>` replaced by `map` (dropped when empty); the
/// server's error is printed (exit 1) and gives `false`.
pub(super) fn write_map(
    env: &mut Env,
    kind: Kind,
    mut value: Value,
    field: &str,
    map: &BTreeMap<String, String>,
    out: &mut Output,
) -> bool {
    value["metadata"][field] =
        if map.is_empty() { Value::Null } else { serde_json::to_value(map).expect("map") };
    match update_value(&mut env.cluster.store, kind, value) {
        Ok(()) => true,
        Err(e) => {
            out.fail(server_error(env.cluster.profile(), &e, None));
            false
        }
    }
}

fn valid_value(v: &str) -> bool {
    v.len() <= 63
        && v.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        && (v.is_empty()
            || (v.starts_with(|c: char| c.is_ascii_alphanumeric())
                && v.ends_with(|c: char| c.is_ascii_alphanumeric())))
}

pub fn run(env: &mut Env, words: &[String], out: &mut Output) -> SimResult<()> {
    let Some(flags) = super::flags_or_fail("label", FLAGS, words, out) else { return Ok(()) };
    let (resource_args, set, remove) = match resources_and_pairs(&flags.args, "label") {
        Ok(split) => split,
        Err(e) => {
            out.fail(e);
            return Ok(());
        }
    };
    if set.is_empty() && remove.is_empty() {
        out.fail("error: at least one label update is required");
        return Ok(());
    }
    if remove.iter().any(|k| set.contains_key(k)) {
        out.fail("error: can not both modify and remove a label in the same command");
        return Ok(());
    }
    for (k, v) in &set {
        if !valid_value(v) {
            out.fail(format!("error: invalid label value: \"{k}={v}\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"));
            return Ok(());
        }
    }
    let Some(objects) = objects_or_fail(env, &flags, &resource_args, out) else { return Ok(()) };
    let profile = env.cluster.profile().clone();
    let overwrite = flags.bool("overwrite");
    for (kind, key) in objects {
        let Some((value, labels)) = read_map(env, kind, &key, "labels", out) else { continue };
        if !overwrite {
            let conflict = set
                .iter()
                .find(|(k, v)| labels.get(*k).is_some_and(|old| !(profile.label_same_value_ok && old == *v)));
            if let Some((k, _)) = conflict {
                out.fail(format!(
                    "error: '{k}' already has a value ({}), and --overwrite is false",
                    labels[k]
                ));
                continue;
            }
        }
        let mut updated = labels.clone();
        for k in &remove {
            if updated.remove(k).is_none() {
                out.line(format!("label \"{k}\" not found."));
            }
        }
        for (k, v) in &set {
            updated.insert(k.clone(), v.clone());
        }
        let verb = if updated == labels {
            "not labeled"
        } else if set.is_empty() && !overwrite && profile.label_prints_unlabeled {
            "unlabeled"
        } else {
            "labeled"
        };
        if updated != labels && !write_map(env, kind, value, "labels", &updated, out) {
            continue;
        }
        if flags.string("output") == Some("name") {
            out.line(name_ref(&profile, kind, &key.1));
        } else {
            out.line(format!("{} {verb}", name_ref(&profile, kind, &key.1)));
        }
    }
    Ok(())
}
