//! kubectl commands, one module each.

pub mod autoscale;
pub mod create;
pub mod create_cronjob;
pub mod create_deployment;
pub mod create_service;
pub mod delete;
pub mod describe;
pub mod drain;
pub mod expose;
pub mod get;
pub mod label;
pub mod logs;
pub mod patch;
pub mod rollout;
pub mod rollout_daemonset;
pub mod rollout_statefulset;
pub mod scale;
pub mod set;
pub mod taint;
pub mod wait;

use super::Output;
use super::flags::{self, Flag, Parsed};
use super::resources::{self, Target};
use crate::api::Kind;
use crate::api::selector::Selector;
use crate::profile::Profile;

/// kubectl's message when a command needs resources and was given none.
pub const NO_RESOURCES: &str = "error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'";

/// Parses a command's flags; a parse error is printed (exit 1) and gives `None`.
pub fn flags_or_fail(command: &str, specs: &[Flag], words: &[String], out: &mut Output) -> Option<Parsed> {
    flags::parse(command, specs, words).map_err(|e| out.fail(e)).ok()
}

/// Resolves `TYPE NAME…` / `TYPE/NAME` arguments; none at all prints `when_empty`.
pub fn targets_or_fail(args: &[String], when_empty: &str, out: &mut Output) -> Option<Vec<Target>> {
    match resources::parse_targets(args) {
        Ok(t) if !t.is_empty() => Some(t),
        Ok(_) => {
            out.fail(when_empty);
            None
        }
        Err(e) => {
            out.fail(e);
            None
        }
    }
}

/// Resolves `TYPE NAME…` / `TYPE/NAME` arguments of a command that acts on named objects
/// only: none, or a bare `TYPE`, prints [`NO_RESOURCES`]; a parse error is printed with
/// `usage_hint` on the next line when given.
pub fn named_targets_or_fail(
    args: &[String],
    usage_hint: Option<&str>,
    out: &mut Output,
) -> Option<Vec<Target>> {
    match resources::parse_targets(args) {
        Ok(t) if !t.is_empty() && t.iter().all(|t| !t.names.is_empty()) => Some(t),
        Ok(_) => {
            out.fail(NO_RESOURCES);
            None
        }
        Err(e) => {
            out.fail(match usage_hint {
                Some(hint) => format!("{e}\n{hint}"),
                None => e,
            });
            None
        }
    }
}

/// The `-l` selector for listing `kinds` (`None` without `-l`); a selector the server would
/// reject prints its error lines and gives `Err(())`.
pub fn selector_or_fail(
    flags: &Parsed,
    profile: &Profile,
    kinds: &[Kind],
    out: &mut Output,
) -> Result<Option<Selector>, ()> {
    resources::list_selector(flags, profile, kinds).map_err(|lines| lines.iter().for_each(|l| out.fail(l)))
}

/// `NameFromCommandArgs`: the one NAME argument before `--` of a generator command
/// (`command`: `create deployment`, …); another count is printed (exit 1) and gives `None`.
pub fn name_or_fail(flags: &Parsed, command: &str, out: &mut Output) -> Option<String> {
    if flags.args.len() != 1 {
        out.fail(format!(
            "error: exactly one NAME is required, got {}\nSee 'kubectl {command} -h' for help and examples",
            flags.args.len()
        ));
        return None;
    }
    Some(flags.args[0].clone())
}

/// The `--dry-run` mode; an invalid value is printed (exit 1) and gives `None`.
pub fn dry_run_or_fail(flags: &Parsed, out: &mut Output) -> Option<flags::DryRun> {
    flags::DryRun::of(flags).map_err(|e| out.fail(e)).ok()
}

/// The generator commands' (`create deployment|service`, `expose`, `autoscale`) ending:
/// creates `value` unless `dry_run`, then prints the name printer's line — `REF VERB` plus
/// the dry-run suffix, or only `REF` with `-o name` once really created. A failed create
/// is reported by `on_error`, because each command words it its own way.
#[allow(clippy::too_many_arguments)]
pub fn create_and_report(
    store: &mut crate::api::Store,
    kind: Kind,
    value: serde_json::Value,
    namespace: &str,
    flags: &Parsed,
    dry_run: flags::DryRun,
    name_ref: &str,
    verb: &str,
    out: &mut Output,
    on_error: impl FnOnce(&Profile, crate::api::ApiError, &mut Output),
) {
    // `-o name` prints the bare name, also for a dry run (no "(dry run)" suffix).
    let name_only = flags.string("output") == Some("name");
    if dry_run != flags::DryRun::None {
        return out.line(if name_only {
            name_ref.to_string()
        } else {
            format!("{name_ref} {verb}{}", dry_run.suffix())
        });
    }
    match create::create_value(store, kind, value, namespace) {
        Ok(_) if name_only => out.line(name_ref),
        Ok(_) => out.line(format!("{name_ref} {verb}")),
        Err(e) => on_error(&store.profile, e, out),
    }
}
