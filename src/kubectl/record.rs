//! `--record` (cli-runtime `genericclioptions/record_flags.go`): writes the command line
//! into the object's `kubernetes.io/change-cause` annotation, which `rollout history`
//! shows. Deprecated since 1.22, when pflag starts warning about it.

use super::Output;
use super::flags::Parsed;
use crate::profile::Profile;

pub const CHANGE_CAUSE: &str = "kubernetes.io/change-cause";

/// Prints pflag's deprecation notice when `--record` was given and this kubectl has
/// deprecated it. It comes first on stderr, at parse time.
pub fn warn_if_used(flags: &Parsed, profile: &Profile, out: &mut Output) {
    if flags.has("record") && profile.record_flag_deprecated {
        out.err_line("Flag --record has been deprecated, --record will be removed in the future");
    }
}

/// Whether `--record` asks for recording (`--record=false` does not).
pub fn requested(flags: &Parsed) -> bool {
    flags.has("record") && flags.bool("record")
}

/// Sets the change-cause annotation on an object given as JSON.
pub fn annotate(value: &mut serde_json::Value, cause: String) {
    let Some(meta) = value.get_mut("metadata").and_then(|m| m.as_object_mut()) else { return };
    let annotations =
        meta.entry("annotations").or_insert_with(|| serde_json::Value::Object(Default::default()));
    if let Some(map) = annotations.as_object_mut() {
        map.insert(CHANGE_CAUSE.into(), serde_json::Value::String(cause));
    }
}

/// `parseCommandArguments`: `kubectl`, the command path and positional arguments, then
/// every flag as ` --name=value` in the order given (`--record` as `--record=true`).
/// `command` is the command path (`set image`).
pub fn change_cause(command: &str, flags: &Parsed) -> String {
    let mut text = format!("kubectl {command}");
    for arg in flags.args.iter().chain(&flags.rest) {
        text.push(' ');
        text.push_str(arg);
    }
    for (name, value) in &flags.seen {
        text.push_str(&format!(" --{name}={value}"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kubectl::flags::{FlagKind, flag, parse};

    #[test]
    fn change_cause_as_kubectl_records_it() {
        let flags = [flag("record", None, FlagKind::Bool)];
        let words: Vec<String> =
            ["deployment/web", "nginx=nginx:1.26", "--record"].iter().map(|s| s.to_string()).collect();
        let parsed = parse("set image", &flags, &words).unwrap();
        assert_eq!(
            change_cause("set image", &parsed),
            "kubectl set image deployment/web nginx=nginx:1.26 --record=true"
        );
    }
}
