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
