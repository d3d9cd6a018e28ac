//! `kubectl wait --for=condition=NAME[=VALUE] TYPE/NAME… [--timeout=30s]`
//! (`cmd/wait/wait.go`): advances virtual time until each object has the condition
//! (type and status compared case-insensitively, status `True` by default), printing
//! `<type>/<name> condition met`, or fails with kubectl's timeout error.

use crate::api::ObjKey;
use crate::api::error::ApiError;
use crate::kubectl::flags::{Flag, FlagKind, flag};
use crate::kubectl::resources::{self, name_ref};
use crate::kubectl::{Env, Output, SimResult};
use crate::time::SECOND;

const FLAGS: &[Flag] = &[
    flag("for", None, FlagKind::String),
    flag("timeout", None, FlagKind::Duration),
    flag("all", None, FlagKind::Bool),
    flag("selector", Some('l'), FlagKind::String),
];

/// `--timeout` default (`wait.go`: 30 s).
const DEFAULT_TIMEOUT_MS: u64 = 30 * SECOND;

pub fn run(env: &mut Env, words: &[String], out: &mut Output) -> SimResult<()> {
    let Some(flags) = super::flags_or_fail("wait", FLAGS, words, out) else { return Ok(()) };
    let Some(condition) = flags.string("for").map(str::to_string) else {
        // Without --for the empty condition fails in cobra's RunE path: capital `Error:`.
        out.fail("Error: unrecognized condition: \"\"");
        return Ok(());
    };
    let Some((type_, value)) = parse_condition(&condition) else {
        out.fail(format!("error: unrecognized condition: {condition:?}"));
        return Ok(());
    };
    let Some(targets) = super::targets_or_fail(&flags.args, super::NO_RESOURCES, out) else { return Ok(()) };
    let namespace = resources::namespace(&flags);
    let timeout = flags.duration_ms("timeout").unwrap_or(DEFAULT_TIMEOUT_MS);
    for target in targets {
        for name in &target.names {
            let key = resources::key(target.kind, &namespace, name);
            if !resources::exists(&env.cluster.store, target.kind, &key) {
                out.fail(format!(
                    "Error from server (NotFound): {}",
                    ApiError::NotFound { kind: target.kind, name: name.clone() }
                ));
                continue;
            }
            let kind = target.kind;
            let limit = env.cluster.now() + timeout;
            let met = env.cluster.advance_until(limit, |c| has_condition(c, kind, &key, &type_, &value))?;
            if met {
                out.line(format!("{} condition met", name_ref(env.cluster.profile(), kind, name)));
            } else {
                out.fail(format!(
                    "error: timed out waiting for the condition on {}/{name}",
                    kind.info().plural
                ));
            }
        }
    }
    Ok(())
}

/// `condition=Complete` or `condition=Ready=false`.
fn parse_condition(text: &str) -> Option<(String, String)> {
    let rest = text.strip_prefix("condition=")?;
    let (type_, value) = match rest.split_once('=') {
        Some((t, v)) => (t, v),
        None => (rest, "true"),
    };
    (!type_.is_empty()).then(|| (type_.to_lowercase(), value.to_lowercase()))
}

fn has_condition(
    cluster: &crate::sim::Cluster,
    kind: crate::api::Kind,
    key: &ObjKey,
    type_: &str,
    value: &str,
) -> bool {
    let Some(obj) = resources::get_value(&cluster.store, kind, key) else { return false };
    obj.pointer("/status/conditions").and_then(|c| c.as_array()).is_some_and(|conditions| {
        conditions.iter().any(|c| {
            c.get("type").and_then(|t| t.as_str()).is_some_and(|t| t.to_lowercase() == type_)
                && c.get("status").and_then(|s| s.as_str()).is_some_and(|s| s.to_lowercase() == value)
        })
    })
}
