//! kubectl commands, one module each.

pub mod annotate;
pub mod autoscale;
pub mod create;
pub mod create_configmap;
pub mod create_cronjob;
pub mod create_deployment;
pub mod create_namespace;
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
pub mod run;
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

/// The resource builder's `visitBySelector`: named objects and a label or field
/// selector do not mix; printed (exit 1) and `false` when they are mixed.
pub fn names_without_selectors_or_fail(flags: &Parsed, targets: &[Target], out: &mut Output) -> bool {
    let selects = |name: &str| flags.string(name).is_some_and(|s| !s.trim().is_empty());
    if (selects("selector") || selects("field-selector")) && targets.iter().any(|t| !t.names.is_empty()) {
        out.fail("error: name cannot be provided when a selector is specified");
        return false;
    }
    true
}

/// `--field-selector`, parsed and checked against each kind as the apiserver would; a
/// refusal is printed (exit 1) and gives `None`.
pub fn field_selector_or_fail(
    flags: &Parsed,
    profile: &Profile,
    kinds: &[Kind],
    out: &mut Output,
) -> Option<crate::api::fields::FieldSelector> {
    let text = flags.string("field-selector").unwrap_or("");
    let label_text = flags.string("selector").unwrap_or("");
    let refuse = |kind: Kind, message: &str| {
        resources::list_error_with_fields(profile, kind, label_text, text, message)
    };
    let selector = match crate::api::fields::FieldSelector::parse(text) {
        Ok(s) => s,
        Err(e) => {
            kinds.iter().for_each(|k| out.fail(refuse(*k, &e)));
            return None;
        }
    };
    let refusals: Vec<String> =
        kinds.iter().filter_map(|k| selector.check(*k).err().map(|e| refuse(*k, &e))).collect();
    if refusals.is_empty() {
        return Some(selector);
    }
    refusals.iter().for_each(|e| out.fail(e));
    None
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
    if let Some(format) = flags.string("output").filter(|f| *f != "name") {
        // With an explicit `-n` (EnforceNamespace) the generators name the namespace in
        // the object; `autoscale` does not.
        let enforce =
            flags.has("namespace") && kind.info().namespaced && kind != Kind::HorizontalPodAutoscaler;
        let mut value = value;
        if enforce && dry_run == flags::DryRun::Client {
            value["metadata"]["namespace"] = serde_json::Value::String(namespace.to_string());
        }
        return print_generated(store, kind, value, namespace, format, dry_run, out, on_error);
    }
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

/// `-o yaml` of a generator command: with `--dry-run=client` the object kubectl built, as
/// Go encodes it ([`client_object`]); otherwise the object the server stored. Other
/// formats are refused as kubectl's printer lookup refuses them; `json` (struct field
/// order, not sorted keys) and server dry runs are not emulated.
#[allow(clippy::too_many_arguments)]
fn print_generated(
    store: &mut crate::api::Store,
    kind: Kind,
    value: serde_json::Value,
    namespace: &str,
    format: &str,
    dry_run: flags::DryRun,
    out: &mut Output,
    on_error: impl FnOnce(&Profile, crate::api::ApiError, &mut Output),
) {
    match format {
        "yaml" => {}
        "json" | "jsonpath" | "go-template" | "template" => {
            return out.fail(format!(
                "error: kubesim does not emulate -o {format} for generated objects (use -o yaml)"
            ));
        }
        other if other.starts_with("jsonpath=") || other.starts_with("go-template=") => {
            return out.fail("error: kubesim does not emulate templates for generated objects (use -o yaml)");
        }
        other => {
            return out.fail(format!(
                "error: unable to match a printer suitable for the output format \"{other}\", allowed formats are: {GENERATED_FORMATS}"
            ));
        }
    }
    match dry_run {
        flags::DryRun::Client => out.out(super::yaml::to_yaml(&client_object(kind, value))),
        flags::DryRun::Server => out.fail("error: kubesim does not emulate -o yaml with --dry-run=server"),
        flags::DryRun::None => match create::create_value(store, kind, value, namespace) {
            Ok(mut created) => {
                crate::api::versions::to_preferred_version(&store.profile, kind, &mut created);
                out.out(super::yaml::to_yaml(&created))
            }
            Err(e) => on_error(&store.profile, e, out),
        },
    }
}

/// The formats kubectl's printer flags accept for a generated object (no `wide`: that
/// is `get`'s table printer).
pub(super) const GENERATED_FORMATS: &str = "go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,yaml";

/// A generated object as kubectl prints it before sending it: Go's encoding keeps the
/// zero value of struct fields without `omitempty`, which serde leaves out —
/// `metadata.creationTimestamp: null`, `status: {}`, containers' `resources: {}`, a
/// Deployment's `strategy: {}`, a Namespace's `spec: {}`, a Service's
/// `status.loadBalancer: {}`, a HorizontalPodAutoscaler's zero status counts.
pub fn client_object(kind: Kind, mut value: serde_json::Value) -> serde_json::Value {
    use serde_json::{Value, json};
    fn meta(obj: &mut Value) {
        obj["metadata"]["creationTimestamp"] = Value::Null;
    }
    fn pod_spec(spec: &mut Value) {
        for c in spec.get_mut("containers").and_then(Value::as_array_mut).into_iter().flatten() {
            c.as_object_mut().map(|c| c.entry("resources").or_insert_with(|| json!({})));
        }
    }
    fn empty(obj: &mut Value, field: &str) {
        if let Some(map) = obj.as_object_mut() {
            map.entry(field).or_insert_with(|| json!({}));
        }
    }
    meta(&mut value);
    // ConfigMaps and Secrets have no status.
    if !matches!(kind, Kind::ConfigMap | Kind::Secret) {
        empty(&mut value, "status");
    }
    match kind {
        Kind::Pod => pod_spec(&mut value["spec"]),
        Kind::Deployment => {
            empty(&mut value["spec"], "strategy");
            meta(&mut value["spec"]["template"]);
            pod_spec(&mut value["spec"]["template"]["spec"]);
        }
        Kind::Namespace => empty(&mut value, "spec"),
        Kind::Service => empty(&mut value["status"], "loadBalancer"),
        // HorizontalPodAutoscalerStatus: v2 has `currentMetrics` and `desiredReplicas`
        // without omitempty, v1 `currentReplicas` and `desiredReplicas`.
        Kind::HorizontalPodAutoscaler => {
            let v1 = value.get("apiVersion").and_then(Value::as_str) == Some("autoscaling/v1");
            let status = &mut value["status"];
            if v1 {
                status["currentReplicas"] = json!(0);
            } else {
                status["currentMetrics"] = Value::Null;
            }
            status["desiredReplicas"] = json!(0);
        }
        _ => {}
    }
    value
}
