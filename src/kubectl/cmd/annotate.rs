//! `kubectl annotate (TYPE NAME | TYPE/NAME | TYPE -l SEL | TYPE --all) k=v … [k-]
//! [--overwrite] [--list] [--dry-run]` (`pkg/cmd/annotate/annotate.go`). The argument
//! split and object resolution are `kubectl label`'s (`cmd/label.rs`); annotations
//! differ in that values are free text (the apiserver checks the keys), a conflict names
//! every annotation that already has a value, the change-cause annotation may always be
//! overwritten, and every object prints `annotated`, changed or not.

use std::collections::BTreeMap;

use crate::kubectl::flags::{DryRun, Flag, FlagKind, flag};
use crate::kubectl::record::CHANGE_CAUSE;
use crate::kubectl::resources::name_ref;
use crate::kubectl::{Env, Output, SimResult};

use super::label::{objects_or_fail, read_map, resources_and_pairs, write_map};

const FLAGS: &[Flag] = &[
    flag("overwrite", None, FlagKind::Bool),
    flag("list", None, FlagKind::Bool),
    flag("local", None, FlagKind::Bool),
    flag("selector", Some('l'), FlagKind::String),
    flag("field-selector", None, FlagKind::String),
    flag("all", None, FlagKind::Bool),
    flag("resource-version", None, FlagKind::String),
    flag("filename", Some('f'), FlagKind::StringSlice),
    flag("dry-run", None, FlagKind::OptionalString("unchanged")),
    flag("output", Some('o'), FlagKind::String),
    flag("field-manager", None, FlagKind::String),
    flag("record", None, FlagKind::Bool),
];

pub fn run(env: &mut Env, words: &[String], out: &mut Output) -> SimResult<()> {
    let Some(flags) = super::flags_or_fail("annotate", FLAGS, words, out) else { return Ok(()) };
    for unsupported in ["local", "filename", "field-selector", "resource-version"] {
        if flags.has(unsupported) {
            out.fail(format!("error: kubesim does not emulate kubectl annotate --{unsupported}"));
            return Ok(());
        }
    }
    let Some(dry_run) = super::dry_run_or_fail(&flags, out) else { return Ok(()) };
    if let Some(other) = flags.string("output").filter(|o| !matches!(*o, "" | "yaml" | "json" | "name")) {
        out.fail(format!(
            "error: unable to match a printer suitable for the output format \"{other}\", allowed formats are: {}",
            super::GENERATED_FORMATS
        ));
        return Ok(());
    }
    let list = flags.bool("list");
    // kubectl 1.33 does not refuse `--list -o …` (its check reads an output format the
    // print flags have not set yet): the listing wins.
    let (resource_args, set, remove) = match resources_and_pairs(&flags.args, "annotation") {
        Ok(split) => split,
        Err(e) => {
            out.fail(e);
            return Ok(());
        }
    };
    // Validate, in kubectl's order.
    if flags.bool("all") && flags.string("selector").is_some_and(|s| !s.is_empty()) {
        out.fail("error: cannot set --all and --selector at the same time");
        return Ok(());
    }
    if resource_args.is_empty() {
        out.fail("error: one or more resources must be specified as <resource> <name> or <resource>/<name>");
        return Ok(());
    }
    if set.is_empty() && remove.is_empty() && !list {
        out.fail("error: at least one annotation update is required");
        return Ok(());
    }
    let both: Vec<&str> = remove.iter().filter(|k| set.contains_key(*k)).map(String::as_str).collect();
    if !both.is_empty() {
        out.fail(format!(
            "error: can not both modify and remove the following annotation(s) in the same command: {}",
            both.join(", ")
        ));
        return Ok(());
    }
    let Some(objects) = objects_or_fail(env, &flags, &resource_args, out) else { return Ok(()) };
    let profile = env.cluster.profile().clone();
    let overwrite = flags.bool("overwrite");
    // `--list` on one named object prints bare `k=v` lines; on several, a heading each.
    let single = objects.len() == 1 && !flags.bool("all") && !flags.has("selector");
    for (kind, key) in objects {
        let Some((value, current)) = read_map(env, kind, &key, "annotations", out) else { continue };
        if !overwrite && let Some(conflict) = conflicts(&current, &set) {
            out.fail(conflict);
            continue;
        }
        let mut updated = current.clone();
        updated.extend(set.iter().map(|(k, v)| (k.clone(), v.clone())));
        for k in &remove {
            updated.remove(k);
        }
        if list {
            if !single {
                let info = kind.info();
                let group = crate::kubectl::resources::message_group(&profile, kind, None);
                out.line(format!("Listing annotations for {}.{group}/{}:", info.name, key.1));
            }
            let indent = if single { "" } else { " " };
            for (k, v) in &updated {
                out.line(format!("{indent}{k}={v}"));
            }
            continue;
        }
        let mut shown = value.clone();
        if dry_run == DryRun::None
            && updated != current
            && !write_map(env, kind, value, "annotations", &updated, out)
        {
            continue;
        }
        let name_ref = name_ref(&profile, kind, &key.1);
        let format = flags.string("output").unwrap_or("");
        if matches!(format, "yaml" | "json") {
            // The object the server answered (a client dry run: the one read, changed).
            shown = match dry_run {
                DryRun::Client => {
                    shown["metadata"]["annotations"] = serde_json::to_value(&updated).expect("map");
                    shown
                }
                _ => crate::kubectl::resources::get_value(&env.cluster.store, kind, &key).unwrap_or(shown),
            };
            crate::api::versions::to_preferred_version(&profile, kind, &mut shown);
            if format == "yaml" {
                out.out(crate::kubectl::yaml::to_yaml(&shown));
            } else {
                out.line(super::get::json_text(&shown));
            }
        } else if format == "name" {
            out.line(name_ref);
        } else {
            out.line(format!("{name_ref} annotated{}", dry_run.suffix()));
        }
    }
    Ok(())
}

/// `validateNoAnnotationOverwrites`: every annotation to set that already has a value,
/// except the change-cause one. kubectl walks a Go map (random order); kubesim names
/// them in key order.
fn conflicts(current: &BTreeMap<String, String>, set: &BTreeMap<String, String>) -> Option<String> {
    let found: Vec<String> = set
        .keys()
        .filter(|k| k.as_str() != CHANGE_CAUSE)
        .filter_map(|k| current.get(k).map(|v| format!("'{k}' already has a value ({v})")))
        .collect();
    (!found.is_empty()).then(|| {
        format!(
            "error: --overwrite is false but found the following declared annotation(s): {}",
            found.join("; ")
        )
    })
}
