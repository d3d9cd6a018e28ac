//! `kubectl label TYPE NAME k=v … [k-] [--overwrite]`, with kubectl's messages for
//! added, unchanged, removed and conflicting labels.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::api::{ApiError, Kind, ObjKey};
use crate::kubectl::cmd::create::update_value;
use crate::kubectl::flags::{Flag, FlagKind, flag};
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

/// Splits arguments into resources and label changes (`k=v` sets, `k-` removes).
fn split_args(args: &[String]) -> (Vec<String>, BTreeMap<String, String>, Vec<String>) {
    let mut resources = Vec::new();
    let mut set = BTreeMap::new();
    let mut remove = Vec::new();
    for a in args {
        if let Some((k, v)) = a.split_once('=') {
            set.insert(k.to_string(), v.to_string());
        } else if let Some(k) = a.strip_suffix('-') {
            remove.push(k.to_string());
        } else {
            resources.push(a.clone());
        }
    }
    (resources, set, remove)
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
    let (resource_args, set, remove) = split_args(&flags.args);
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
    let targets = match resources::parse_targets(&resource_args) {
        Ok(t) if !t.is_empty() => t,
        Ok(_) => {
            out.fail(
                "error: one or more resources must be specified as <resource> <name> or <resource>/<name>",
            );
            return Ok(());
        }
        Err(e) => {
            out.fail(e);
            return Ok(());
        }
    };
    let namespace = resources::namespace(&flags);
    let listing = resources::label_selector(&flags).is_some() || flags.bool("all");
    if listing && targets.iter().any(|t| !t.names.is_empty()) {
        out.fail("error: name cannot be provided when a selector is specified");
        return Ok(());
    }
    if !listing && targets.iter().any(|t| t.names.is_empty()) {
        out.fail("error: resource(s) were provided, but no name was specified");
        return Ok(());
    }
    let profile = env.cluster.profile().clone();
    let listed: Vec<Kind> = targets.iter().map(|t| t.kind).collect();
    let Ok(selector) = super::selector_or_fail(&flags, &profile, &listed, out) else { return Ok(()) };
    let overwrite = flags.bool("overwrite");
    for t in targets {
        let keys: Vec<ObjKey> = if t.names.is_empty() {
            let sel = selector.clone().unwrap_or_default();
            resources::list_keys(&env.cluster.store, t.kind, Some(&namespace), &sel)
        } else {
            t.names.iter().map(|n| resources::key(t.kind, &namespace, n)).collect()
        };
        for key in keys {
            let Some(mut value) = resources::get_value(&env.cluster.store, t.kind, &key) else {
                out.api_error(env.cluster.profile(), &ApiError::not_found(t.kind, &key.1));
                continue;
            };
            let labels: BTreeMap<String, String> = value
                .pointer("/metadata/labels")
                .and_then(|l| serde_json::from_value(l.clone()).ok())
                .unwrap_or_default();
            if !overwrite {
                let conflict = set.iter().find(|(k, v)| {
                    labels.get(*k).is_some_and(|old| !(profile.label_same_value_ok && old == *v))
                });
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
            if updated != labels {
                let labels_value = if updated.is_empty() {
                    Value::Null
                } else {
                    serde_json::to_value(&updated).expect("map")
                };
                value["metadata"]["labels"] = labels_value;
                if let Err(e) = update_value(&mut env.cluster.store, t.kind, value) {
                    out.fail(server_error(env.cluster.profile(), &e, None));
                    continue;
                }
            }
            if flags.string("output") == Some("name") {
                out.line(name_ref(&profile, t.kind, &key.1));
            } else {
                out.line(format!("{} {verb}", name_ref(&profile, t.kind, &key.1)));
            }
        }
    }
    Ok(())
}
