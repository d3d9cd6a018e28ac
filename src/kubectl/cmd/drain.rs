//! `kubectl cordon`, `uncordon` and `drain` (`pkg/cmd/drain/drain.go`, `pkg/drain`):
//! mark a node (un)schedulable; drain = cordon, then evict every pod the filters allow
//! and wait for them to be gone, or refuse with the filters' errors.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Node, Pod};

use crate::api::store::{DeleteOptions, controller_ref};
use crate::api::{ApiError, Kind, ObjKey};
use crate::kubectl::cmd::create::update_value;
use crate::kubectl::flags::{Flag, FlagKind, flag};
use crate::kubectl::resources;
use crate::kubectl::{Env, Output, SimResult, server_error};
use crate::profile::{DrainFailure, LocalDataFlag, Profile, UnmanagedText};
use crate::time::{HOUR, SECOND};

const CORDON_FLAGS: &[Flag] = &[
    flag("selector", Some('l'), FlagKind::String),
    flag("dry-run", None, FlagKind::OptionalString("unchanged")),
];

fn drain_flags(profile: &Profile) -> Vec<Flag> {
    let mut flags = vec![
        flag("selector", Some('l'), FlagKind::String),
        flag("pod-selector", None, FlagKind::String),
        flag("force", None, FlagKind::Bool),
        flag("ignore-daemonsets", None, FlagKind::Bool),
        flag("grace-period", None, FlagKind::Int),
        flag("timeout", None, FlagKind::Duration),
        flag("dry-run", None, FlagKind::OptionalString("unchanged")),
        flag("disable-eviction", None, FlagKind::Bool),
        flag("skip-wait-for-delete-timeout", None, FlagKind::Int),
    ];
    match profile.drain.local_data_flag {
        LocalDataFlag::Only => flags.push(flag("delete-local-data", None, FlagKind::Bool)),
        LocalDataFlag::Deprecated => {
            flags.push(flag("delete-local-data", None, FlagKind::Bool));
            flags.push(flag("delete-emptydir-data", None, FlagKind::Bool));
        }
        LocalDataFlag::Removed => flags.push(flag("delete-emptydir-data", None, FlagKind::Bool)),
    }
    flags
}

/// The node names a command works on, or `None` after printing kubectl's error.
fn node_names(args: &[String], usage: &str, out: &mut Output) -> Option<Vec<String>> {
    if args.is_empty() {
        out.fail(format!(
            "error: USAGE: {usage} NODE [flags]\nSee 'kubectl {} -h' for help and examples",
            usage
        ));
        return None;
    }
    Some(
        args.iter()
            .map(|a| a.strip_prefix("node/").or(a.strip_prefix("nodes/")).unwrap_or(a).to_string())
            .collect(),
    )
}

pub fn run_cordon(env: &mut Env, words: &[String], out: &mut Output) -> SimResult<()> {
    cordon_command(env, words, out, "cordon", true)
}

pub fn run_uncordon(env: &mut Env, words: &[String], out: &mut Output) -> SimResult<()> {
    cordon_command(env, words, out, "uncordon", false)
}

fn cordon_command(
    env: &mut Env,
    words: &[String],
    out: &mut Output,
    name: &str,
    desired: bool,
) -> SimResult<()> {
    let Some(flags) = super::flags_or_fail(name, CORDON_FLAGS, words, out) else { return Ok(()) };
    let Some(nodes) = node_names(&flags.args, name, out) else { return Ok(()) };
    for node in nodes {
        if let Err(e) = cordon(env, &node, desired, out) {
            out.fail(server_error(env.cluster.profile(), &e, None));
        }
    }
    Ok(())
}

/// Sets `spec.unschedulable` and prints `node/x cordoned` (or `already cordoned`).
fn cordon(env: &mut Env, node: &str, desired: bool, out: &mut Output) -> Result<(), ApiError> {
    let store = &mut env.cluster.store;
    let Some(current) = store.get::<Node>("", node) else {
        return Err(ApiError::not_found(Kind::Node, node));
    };
    let verb = if desired { "cordoned" } else { "uncordoned" };
    let is = current.spec.as_ref().and_then(|s| s.unschedulable).unwrap_or(false);
    if is == desired {
        out.line(format!("node/{node} already {verb}"));
        return Ok(());
    }
    let mut value =
        resources::get_value(store, Kind::Node, &(String::new(), node.to_string())).expect("exists");
    // A two-way merge patch of the bool: `false` is Go's zero value and goes away.
    value["spec"]["unschedulable"] =
        if desired { serde_json::Value::Bool(true) } else { serde_json::Value::Null };
    update_value(store, Kind::Node, value)?;
    out.line(format!("node/{node} {verb}"));
    Ok(())
}

/// Why a pod is not simply evicted (`pkg/drain/filters.go`).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Problem {
    DaemonSet,
    LocalStorage,
    Unmanaged,
}

/// A filter's verdict on one pod; the last filter a pod reaches decides.
enum Verdict {
    Delete,
    Skip,
    Warn(Problem),
    Fatal(Problem),
}

struct Options {
    force: bool,
    ignore_daemonsets: bool,
    delete_local_data: bool,
}

fn fatal_text(p: Problem, profile: &Profile) -> String {
    let local_flag = match profile.drain.local_data_flag {
        LocalDataFlag::Only => "--delete-local-data",
        _ => "--delete-emptydir-data",
    };
    match p {
        Problem::DaemonSet => "DaemonSet-managed Pods (use --ignore-daemonsets to ignore)".into(),
        Problem::LocalStorage => format!("Pods with local storage (use {local_flag} to override)"),
        Problem::Unmanaged => match profile.drain.unmanaged {
            UnmanagedText::NotManaged => {
                "Pods not managed by ReplicationController, ReplicaSet, Job, DaemonSet or StatefulSet (use --force to override)".into()
            }
            UnmanagedText::NoController => "Pods declare no controller (use --force to override)".into(),
            UnmanagedText::NoControllerDoubled => {
                "cannot delete Pods that declare no controller (use --force to override)".into()
            }
            UnmanagedText::ThatDeclareNoController => "Pods that declare no controller (use --force to override)".into(),
        },
    }
}

fn warning_text(p: Problem, profile: &Profile) -> &'static str {
    match p {
        Problem::DaemonSet => "ignoring DaemonSet-managed Pods",
        Problem::LocalStorage => "deleting Pods with local storage",
        Problem::Unmanaged => match profile.drain.unmanaged {
            UnmanagedText::NotManaged => {
                "deleting Pods not managed by ReplicationController, ReplicaSet, Job, DaemonSet or StatefulSet"
            }
            _ => "deleting Pods that declare no controller",
        },
    }
}

/// Runs the filters in upstream order: daemon set, mirror, local storage, unreplicated;
/// the first that does not allow deletion ends the chain.
fn filter(pod: &Pod, env: &Env, opts: &Options) -> Verdict {
    let phase = pod.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or("");
    let finished = phase == "Succeeded" || phase == "Failed";
    let mut verdict = Verdict::Delete;
    // daemonSetFilter
    if let Some(r) = controller_ref(&pod.metadata)
        && r.kind == "DaemonSet"
        && !finished
    {
        let ns = pod.metadata.namespace.clone().unwrap_or_default();
        let exists = env.cluster.store.get::<k8s_openapi::api::apps::v1::DaemonSet>(&ns, &r.name).is_some();
        // An orphan of a deleted DaemonSet goes under --force (upstream warns with the
        // NotFound text, left out here).
        if !(exists || opts.force) || (exists && !opts.ignore_daemonsets) {
            return Verdict::Fatal(Problem::DaemonSet);
        }
        if exists {
            return Verdict::Warn(Problem::DaemonSet);
        }
    }
    // mirrorPodFilter
    if pod.metadata.annotations.as_ref().is_some_and(|a| a.contains_key("kubernetes.io/config.mirror")) {
        return Verdict::Skip;
    }
    // localStorageFilter
    let empty_dir = pod.spec.iter().flat_map(|s| s.volumes.iter().flatten()).any(|v| v.empty_dir.is_some());
    if empty_dir && !finished {
        if !opts.delete_local_data {
            return Verdict::Fatal(Problem::LocalStorage);
        }
        verdict = Verdict::Warn(Problem::LocalStorage);
    }
    // unreplicatedFilter
    if finished || controller_ref(&pod.metadata).is_some() {
        return match verdict {
            // The next filter's "okay" replaces an earlier warning, as upstream's
            // last-status-wins loop does.
            Verdict::Warn(_) => Verdict::Delete,
            v => v,
        };
    }
    if opts.force { Verdict::Warn(Problem::Unmanaged) } else { Verdict::Fatal(Problem::Unmanaged) }
}

impl Verdict {
    /// DaemonSet pods under `--ignore-daemonsets` are skipped with a warning; the other
    /// warnings come with a deletion.
    fn deletes(&self) -> bool {
        matches!(self, Verdict::Delete | Verdict::Warn(Problem::LocalStorage | Problem::Unmanaged))
    }
}

pub fn run_drain(env: &mut Env, words: &[String], out: &mut Output) -> SimResult<()> {
    let profile = env.cluster.profile().clone();
    let specs = drain_flags(&profile);
    let Some(flags) = super::flags_or_fail("drain", &specs, words, out) else { return Ok(()) };
    let Some(nodes) = node_names(&flags.args, "drain", out) else { return Ok(()) };
    if flags.has("delete-local-data") && profile.drain.local_data_flag == LocalDataFlag::Deprecated {
        out.err_line(
            "Flag --delete-local-data has been deprecated, This option is deprecated and will be deleted. Use --delete-emptydir-data.",
        );
    }
    let opts = Options {
        force: flags.bool("force"),
        ignore_daemonsets: flags.bool("ignore-daemonsets"),
        delete_local_data: flags.bool("delete-local-data") || flags.bool("delete-emptydir-data"),
    };
    let grace = flags.int("grace-period").filter(|g| *g >= 0);
    let timeout = flags.duration_ms("timeout").filter(|t| *t > 0);
    // Per failed node, its errors (an aggregate).
    let mut fatal: Vec<Vec<String>> = Vec::new();
    let mut pending: Vec<String> = Vec::new();
    for (i, node) in nodes.iter().enumerate() {
        if let Err(e) = cordon(env, node, true, out) {
            out.fail(server_error(env.cluster.profile(), &e, None));
            continue;
        }
        match drain_node(env, node, &opts, grace, timeout, &profile, out)? {
            Ok(()) => out.line(format!("node/{node} drained")),
            Err(err) => match profile.drain.failure {
                DrainFailure::Abort | DrainFailure::AbortDeprecated => {
                    if profile.drain.failure == DrainFailure::AbortDeprecated {
                        out.err_line("DEPRECATED WARNING: Aborting the drain command in a list of nodes will be deprecated in v1.23.\nThe new behavior will make the drain command go through all nodes even if one or more nodes failed during the drain.\nFor now, users can try such experience via: --ignore-errors");
                    }
                    out.err_line(format!("error: unable to drain node \"{node}\", aborting command...\n"));
                    pending.extend(nodes[i..].iter().cloned());
                    fatal.push(err);
                    break;
                }
                DrainFailure::Continue | DrainFailure::ContinueSpaced => {
                    let space = if profile.drain.failure == DrainFailure::ContinueSpaced { " " } else { "" };
                    out.err_line(format!(
                            "error: unable to drain node \"{node}\" due to error:{space}{}, continuing command...",
                            aggregate_text(&err)
                        ));
                    pending.push(node.clone());
                    fatal.push(err);
                }
            },
        }
    }
    if !pending.is_empty() {
        out.err_line("There are pending nodes to be drained:");
        for n in &pending {
            out.err_line(format!(" {n}"));
        }
    }
    // `CheckErr` unwraps an aggregate of one: ≤ 1.22 returned the node's aggregate
    // itself (one error prints with `error: `), 1.23+ an aggregate of the nodes'
    // aggregates (the inner one prints one error per line, no prefix).
    let nested = matches!(profile.drain.failure, DrainFailure::Continue | DrainFailure::ContinueSpaced);
    let lines: Vec<String> = fatal.iter().flatten().cloned().collect();
    if !lines.is_empty() {
        if !nested && lines.len() == 1 {
            out.fail(format!("error: {}", lines[0]));
        } else if fatal.len() > 1 {
            out.fail(fatal.iter().map(|e| aggregate_text(e)).collect::<Vec<_>>().join("\n"));
        } else {
            out.fail(lines.join("\n"));
        }
    }
    Ok(())
}

/// An aggregate's `Error()`: the one message, or `[a, b]`.
fn aggregate_text(errors: &[String]) -> String {
    if errors.len() == 1 { errors[0].clone() } else { format!("[{}]", errors.join(", ")) }
}

/// Filters the node's pods, prints the warnings, evicts what may go and waits until it
/// is gone. `Err` carries the filters' errors.
fn drain_node(
    env: &mut Env,
    node: &str,
    opts: &Options,
    grace: Option<i64>,
    timeout: Option<u64>,
    profile: &Profile,
    out: &mut Output,
) -> SimResult<Result<(), Vec<String>>> {
    let pods: Vec<(ObjKey, Verdict)> = env
        .cluster
        .store
        .pods_on_node(node)
        .into_iter()
        .map(|p| {
            let key = (
                p.metadata.namespace.clone().unwrap_or_default(),
                p.metadata.name.clone().unwrap_or_default(),
            );
            (key, filter(&p.materialise(), env, opts))
        })
        .collect();
    let mut errors: BTreeMap<Problem, Vec<String>> = BTreeMap::new();
    let mut warnings: BTreeMap<Problem, Vec<String>> = BTreeMap::new();
    for (key, verdict) in &pods {
        let who = format!("{}/{}", key.0, key.1);
        match verdict {
            Verdict::Fatal(p) => errors.entry(*p).or_default().push(who),
            Verdict::Warn(p) => warnings.entry(*p).or_default().push(who),
            _ => {}
        }
    }
    if !errors.is_empty() {
        let errs: Vec<String> = errors
            .iter()
            .map(|(p, pods)| format!("cannot delete {}: {}", fatal_text(*p, profile), pods.join(", ")))
            .collect();
        return Ok(Err(errs));
    }
    if !warnings.is_empty() {
        let text: Vec<String> = warnings
            .iter()
            .map(|(p, pods)| format!("{}: {}", warning_text(*p, profile), pods.join(", ")))
            .collect();
        out.err_line(format!("{}{}", profile.drain.warning_prefix, text.join("; ")));
    }
    let victims: Vec<ObjKey> = pods.into_iter().filter(|(_, v)| v.deletes()).map(|(k, _)| k).collect();
    for key in &victims {
        if profile.drain.evicting_with_namespace {
            out.line(format!("evicting pod {}/{}", key.0, key.1));
        } else {
            out.line(format!("evicting pod \"{}\"", key.1));
        }
        let opts = DeleteOptions { grace_seconds: grace, propagation: None };
        let _ = env.cluster.store.delete::<Pod>(&key.0, &key.1, opts);
    }
    // Each eviction is followed by polling the pod every second until it is gone.
    let limit = env.cluster.now() + timeout.unwrap_or(HOUR);
    let mut left: Vec<ObjKey> = victims;
    while !left.is_empty() {
        let done = env.cluster.advance_until(limit, |c| left.iter().any(|k| c.is_gone(Kind::Pod, k)))?;
        if !done {
            break;
        }
        let now = env.cluster.now();
        let poll = now.div_ceil(SECOND) * SECOND;
        env.cluster.advance_to(poll)?;
        let (gone, rest): (Vec<ObjKey>, Vec<ObjKey>) =
            left.into_iter().partition(|k| env.cluster.is_gone(Kind::Pod, k));
        for k in gone {
            out.line(format!("pod/{} evicted", k.1));
        }
        left = rest;
    }
    Ok(Ok(()))
}
