//! `kubectl taint node NAME key=value:Effect … key[:Effect]- [--overwrite]`
//! (`pkg/cmd/taint/taint.go`, `utils.go`): adds, replaces and removes node taints with
//! kubectl's messages (`tainted`, `untainted`, `modified`) and errors.

use k8s_openapi::api::core::v1::{Node, Taint};

use crate::api::{ApiError, Kind};
use crate::kubectl::cmd::create::update_value;
use crate::kubectl::flags::{Flag, FlagKind, flag};
use crate::kubectl::resources;
use crate::kubectl::{Env, Output, SimResult, server_error};

const FLAGS: &[Flag] = &[
    flag("overwrite", None, FlagKind::Bool),
    flag("selector", Some('l'), FlagKind::String),
    flag("all", None, FlagKind::Bool),
    flag("output", Some('o'), FlagKind::String),
    flag("dry-run", None, FlagKind::OptionalString("unchanged")),
    flag("validate", None, FlagKind::OptionalString("strict")),
];

const USAGE_HINT: &str = "See 'kubectl taint -h' for help and examples";

const NAME_MSG: &str = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

/// `Taint.ToString`: `key=value:effect`, `key:effect`, `key=value:` or `key`.
fn taint_string(t: &Taint) -> String {
    let value = t.value.as_deref().unwrap_or("");
    match (t.effect.is_empty(), value.is_empty()) {
        (true, true) => t.key.clone(),
        (true, false) => format!("{}={value}:", t.key),
        (false, true) => format!("{}:{}", t.key, t.effect),
        (false, false) => format!("{}={value}:{}", t.key, t.effect),
    }
}

fn valid_name_part(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        && s.starts_with(|c: char| c.is_ascii_alphanumeric())
        && s.ends_with(|c: char| c.is_ascii_alphanumeric())
}

/// `validation.IsQualifiedName`, reduced to its common message (name part, optional
/// DNS prefix).
fn valid_key(key: &str) -> bool {
    match key.split_once('/') {
        Some((prefix, name)) => {
            !prefix.is_empty()
                && prefix.split('.').all(|p| {
                    !p.is_empty()
                        && p.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                        && !p.starts_with('-')
                        && !p.ends_with('-')
                })
                && valid_name_part(name)
        }
        None => valid_name_part(key),
    }
}

fn valid_effect(effect: &str) -> Result<(), String> {
    match effect {
        "NoSchedule" | "PreferNoSchedule" | "NoExecute" => Ok(()),
        other => Err(format!("invalid taint effect: {other}, unsupported taint effect")),
    }
}

/// `parseTaint`: `key[=value]:effect` or a bare key.
fn parse_taint(spec: &str) -> Result<Taint, String> {
    let parts: Vec<&str> = spec.split(':').collect();
    let (key, value, effect) = match parts.as_slice() {
        [key] => (*key, None, ""),
        [kv, effect] => {
            valid_effect(effect)?;
            let kv: Vec<&str> = kv.split('=').collect();
            match kv.as_slice() {
                [k] => (*k, None, *effect),
                [k, v] => (*k, Some(*v), *effect),
                _ => return Err(format!("invalid taint spec: {spec}")),
            }
        }
        _ => return Err(format!("invalid taint spec: {spec}")),
    };
    if !valid_key(key) {
        return Err(format!("invalid taint spec: {spec}, {NAME_MSG}"));
    }
    Ok(Taint { key: key.into(), value: value.map(str::to_string), effect: effect.into(), time_added: None })
}

/// Resource words, taints to add, taints to remove.
type TaintArgs = (Vec<String>, Vec<Taint>, Vec<Taint>);

/// Splits arguments into resource words, taints to add and taints to remove
/// (`ParseTaints`): an argument with `=` or `:` or a trailing `-` is a taint.
fn parse_args(args: &[String]) -> Result<TaintArgs, String> {
    let mut resources = Vec::new();
    let mut add: Vec<Taint> = Vec::new();
    let mut remove = Vec::new();
    for a in args {
        if let Some(spec) = a.strip_suffix('-') {
            let t = match spec.split_once(':') {
                Some((key, effect)) => {
                    valid_effect(effect)?;
                    Taint { key: key.into(), effect: effect.into(), ..Default::default() }
                }
                None => Taint { key: spec.into(), ..Default::default() },
            };
            remove.push(t);
        } else if a.contains('=') || a.contains(':') {
            let t = parse_taint(a)?;
            if t.effect.is_empty() {
                return Err(format!("invalid taint spec: {a}"));
            }
            if add.iter().any(|x| x.key == t.key && x.effect == t.effect) {
                return Err(format!(
                    "duplicated taints with the same key and effect: {{{} {} {} <nil>}}",
                    t.key,
                    t.value.as_deref().unwrap_or(""),
                    t.effect
                ));
            }
            add.push(t);
        } else {
            resources.push(a.clone());
        }
    }
    Ok((resources, add, remove))
}

pub fn run(env: &mut Env, words: &[String], out: &mut Output) -> SimResult<()> {
    let Some(flags) = super::flags_or_fail("taint", FLAGS, words, out) else { return Ok(()) };
    let (resource_args, add, remove) = match parse_args(&flags.args) {
        Ok(parsed) => parsed,
        Err(e) => {
            out.fail(format!("error: {e}\n{USAGE_HINT}"));
            return Ok(());
        }
    };
    if add.is_empty() && remove.is_empty() {
        out.fail(format!("error: at least one taint update is required\n{USAGE_HINT}"));
        return Ok(());
    }
    let Some(targets) = super::targets_or_fail(&resource_args, super::NO_RESOURCES, out) else {
        return Ok(());
    };
    let overwrite = flags.bool("overwrite");
    for t in targets {
        if t.kind != Kind::Node {
            out.fail(format!(
                "error: invalid resource type {}, only node types are supported",
                t.kind.info().plural
            ));
            return Ok(());
        }
        let names = if t.names.is_empty() || flags.bool("all") {
            env.cluster
                .store
                .list::<Node>(None)
                .map(|n| n.metadata.name.clone().unwrap_or_default())
                .collect()
        } else {
            t.names.clone()
        };
        for name in names {
            match taint_node(env, &name, &add, &remove, overwrite) {
                Ok(op) => out.line(format!("node/{name} {op}")),
                Err(TaintError::Client(e)) => out.fail(format!("error: {e}")),
                Err(TaintError::Api(e)) => out.fail(server_error(env.cluster.profile(), &e, None)),
            }
        }
    }
    Ok(())
}

enum TaintError {
    Client(String),
    Api(ApiError),
}

/// `updateTaints` + `reorganizeTaints` for one node; returns the operation word.
fn taint_node(
    env: &mut Env,
    name: &str,
    add: &[Taint],
    remove: &[Taint],
    overwrite: bool,
) -> Result<&'static str, TaintError> {
    let store = &mut env.cluster.store;
    let Some(node) = store.get::<Node>("", name) else {
        return Err(TaintError::Api(ApiError::not_found(Kind::Node, name)));
    };
    let old: Vec<Taint> = node.spec.as_ref().and_then(|s| s.taints.clone()).unwrap_or_default();
    if !overwrite {
        let exists: Vec<&str> = add
            .iter()
            .filter(|t| old.iter().any(|o| o.key == t.key && o.effect == t.effect))
            .map(|t| t.key.as_str())
            .collect();
        if !exists.is_empty() {
            return Err(TaintError::Client(format!(
                "node {name} already has {} taint(s) with same effect(s) and --overwrite is false",
                exists.join(",")
            )));
        }
    }
    let now = store.clock.time(store.now);
    let mut new: Vec<Taint> = add
        .iter()
        .map(|t| Taint { time_added: (t.effect == "NoExecute").then(|| now.clone()), ..t.clone() })
        .collect();
    for o in &old {
        if !new.iter().any(|t| t.key == o.key && t.effect == o.effect) {
            new.push(o.clone());
        }
    }
    let added = old.len() != new.len();
    let mut deleted = false;
    let mut errors = Vec::new();
    for r in remove {
        let before = new.len();
        new.retain(|t| !(t.key == r.key && (r.effect.is_empty() || t.effect == r.effect)));
        deleted = new.len() != before;
        if !deleted {
            errors.push(format!("taint {:?} not found", taint_string(r)));
        }
    }
    if !errors.is_empty() {
        let text = if errors.len() == 1 { errors.remove(0) } else { format!("[{}]", errors.join(", ")) };
        return Err(TaintError::Client(text));
    }
    let op = if (added && deleted) || overwrite {
        "modified"
    } else if added {
        "tainted"
    } else {
        "untainted"
    };
    let mut value =
        resources::get_value(store, Kind::Node, &(String::new(), name.to_string())).expect("exists");
    value["spec"]["taints"] =
        if new.is_empty() { serde_json::Value::Null } else { serde_json::to_value(&new).expect("taints") };
    update_value(store, Kind::Node, value).map_err(TaintError::Api)?;
    Ok(op)
}
