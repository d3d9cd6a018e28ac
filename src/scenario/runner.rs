//! Runs a parsed scenario against a fresh simulated cluster: every step in order, every
//! check evaluated (a failed check does not stop the scenario), a transcript of the
//! console session kept for `--transcript`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use k8s_openapi::api::core::v1::Taint as ApiTaint;
use serde_json::Value;

use super::model::{
    Action, Assert, Exit, ImageBehaviour, Live, NodeAction, NodeSpec, PodAction, PodTarget, Pull, Ready, Run,
    Scenario,
};
use super::shell::{self, CommandLine, Program};
use super::snapshot::{SnapshotCheck, check_snapshot};
use super::{Vars, expand_vars, match_output};
use crate::api::Kind;
use crate::api::selector::Selector;
use crate::kubectl::{self, Env, resources};
use crate::sim::image::{self, ImageSpec, ImageTable};
use crate::sim::{Cluster, NodeSpecInput};
use crate::time::{Millis, WallClock, default_start, format_clock};

/// One failed check, with what a reader needs to find and understand it.
#[derive(Clone, Debug)]
pub struct Failure {
    pub line: usize,
    pub clock: Millis,
    pub command: Option<String>,
    pub message: String,
}

/// The outcome of one scenario.
#[derive(Clone, Debug, Default)]
pub struct Outcome {
    pub name: String,
    pub checks: usize,
    pub passed: usize,
    pub failures: Vec<Failure>,
    pub transcript: String,
    /// Snapshot files this scenario names (for the unreferenced-snapshot report).
    pub snapshots: Vec<PathBuf>,
}

impl Outcome {
    pub fn ok(&self) -> bool {
        self.failures.is_empty()
    }

    /// The failure report: file:line, clock, command, and the message or diff.
    pub fn render_failures(&self, file: &str) -> String {
        let mut text = String::new();
        for f in &self.failures {
            text.push_str(&format!("{file}:{} (t={})", f.line, format_clock(f.clock)));
            if let Some(cmd) = &f.command {
                text.push_str(&format!(": {cmd}"));
            }
            text.push('\n');
            for line in f.message.lines() {
                text.push_str("    ");
                text.push_str(line);
                text.push('\n');
            }
        }
        text
    }
}

/// Where snapshots live and how a run treats them.
#[derive(Clone, Debug)]
pub struct SnapshotSettings {
    /// The `snapshots/` folder.
    pub dir: PathBuf,
    /// The scenario path below the scenarios root, without extension (`deployment/rolling`).
    pub scenario_id: String,
    /// The scenario file, for the snapshot header.
    pub source: String,
}

fn image_spec(b: &ImageBehaviour) -> ImageSpec {
    ImageSpec {
        pull: b.pull.map(|p| match p {
            Pull::After(d) => image::Pull::After(d),
            Pull::Error { after } => image::Pull::Error(after.unwrap_or(crate::constants::DEFAULT_PULL)),
            Pull::Never => image::Pull::Never,
        }),
        start: b.start,
        exit: b.exit.map(|e| match e {
            Exit::Never => image::Exit::Never,
            Exit::After { after, code } => image::Exit::After { after, code },
        }),
        terminate: b.terminate,
        ready: b.ready.map(|r| match r {
            Ready::Always => image::Readiness::Always,
            Ready::Never => image::Readiness::Never,
            Ready::After(d) => image::Readiness::After(d),
        }),
        live: b.live.map(|l| match l {
            Live::Always => image::Liveness::Always,
            Live::FailAfter(n) => image::Liveness::FailAfter(n),
        }),
        logs: b.logs.clone(),
    }
}

fn node_input(spec: &NodeSpec) -> NodeSpecInput {
    NodeSpecInput {
        name: spec.name.clone(),
        roles: spec.roles.clone(),
        labels: spec.labels.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        taints: spec
            .taints
            .iter()
            .map(|t| ApiTaint {
                key: t.key.clone(),
                value: t.value.clone(),
                effect: t.effect.as_str().into(),
                time_added: None,
            })
            .collect(),
        capacity: spec.capacity.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
    }
}

/// Builds the cluster a scenario starts from.
pub fn build_cluster(scenario: &Scenario) -> Result<Cluster, String> {
    let images =
        ImageTable { entries: scenario.images.iter().map(|(k, v)| (k.clone(), image_spec(v))).collect() };
    let clock = WallClock::new(scenario.start.unwrap_or_else(default_start));
    let mut cluster = Cluster::new(scenario.profile.clone(), clock, scenario.seed, images);
    cluster.enable_invariants();
    if let Some((base, prefix)) = scenario.cluster.service_subnet {
        cluster.store.set_service_subnet(base, prefix);
    }
    for node in &scenario.cluster.nodes {
        cluster.add_node(&node_input(node)).map_err(|e| format!("node {}: {e}", node.name))?;
    }
    cluster.settle().map_err(|e| e.to_string())?;
    Ok(cluster)
}

pub fn run(scenario: &Scenario, snapshots: &SnapshotSettings) -> Outcome {
    let mut outcome = Outcome { name: scenario.name.clone(), ..Default::default() };
    let mut cluster = match build_cluster(scenario) {
        Ok(c) => c,
        Err(e) => {
            outcome.checks = 1;
            outcome.failures.push(Failure { line: 1, clock: 0, command: None, message: e });
            return outcome;
        }
    };
    let mut files: BTreeMap<String, String> =
        scenario.files.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    let mut vars = Vars::new();
    for step in &scenario.steps {
        let line = step.line;
        let clock = cluster.now();
        let fail = |outcome: &mut Outcome, command: Option<String>, message: String| {
            outcome.failures.push(Failure { line, clock, command, message });
        };
        match &step.action {
            Action::Run(run) => run_step(run, &mut cluster, &files, &mut vars, snapshots, &mut outcome, line),
            Action::Wait(d) => {
                outcome.transcript.push_str(&format!("# wait {}\n", format_clock(*d)));
                if let Err(e) = cluster.advance_by(*d) {
                    outcome.checks += 1;
                    fail(&mut outcome, None, e.to_string());
                }
            }
            Action::At(t) => {
                outcome.transcript.push_str(&format!("# at {}\n", format_clock(*t)));
                if *t < cluster.now() {
                    outcome.checks += 1;
                    fail(
                        &mut outcome,
                        None,
                        format!(
                            "at: {} is earlier than now ({})",
                            format_clock(*t),
                            format_clock(cluster.now())
                        ),
                    );
                } else if let Err(e) = cluster.advance_to(*t) {
                    outcome.checks += 1;
                    fail(&mut outcome, None, e.to_string());
                }
            }
            Action::Node(action) => {
                let (text, result) = node_step(action, &mut cluster);
                outcome.transcript.push_str(&format!("# [{}] {text}\n", format_clock(cluster.now())));
                if let Err(e) = result {
                    outcome.checks += 1;
                    fail(&mut outcome, None, e);
                }
            }
            Action::Pod(PodAction::Crash { target, exit_code, container }) => {
                let keys = pod_keys(&cluster, target);
                let mut crashed = 0;
                for key in &keys {
                    crashed += cluster.crash(key, container.as_deref(), *exit_code);
                }
                outcome.transcript.push_str(&format!(
                    "# [{}] crash {} container(s) with exit code {exit_code}\n",
                    format_clock(cluster.now()),
                    crashed
                ));
                let settled = cluster.settle();
                if crashed == 0 || settled.is_err() {
                    outcome.checks += 1;
                    let message = match settled {
                        Err(e) => e.to_string(),
                        Ok(()) => format!("pod: no running container matched {target:?}"),
                    };
                    fail(&mut outcome, None, message);
                }
            }
            Action::Metrics(m) => match crate::api::selector::Selector::parse(&m.selector) {
                Ok(selector) => {
                    cluster.metrics.set(selector, m.cpu_millicores);
                    outcome.transcript.push_str(&format!(
                        "# [{}] metrics: pods matching {} use {} CPU\n",
                        format_clock(cluster.now()),
                        m.selector,
                        m.cpu
                    ));
                }
                Err(e) => {
                    outcome.checks += 1;
                    fail(&mut outcome, None, format!("metrics: bad selector {:?}: {e}", m.selector));
                }
            },
            Action::Assert(a) => {
                outcome.checks += 1;
                match assert_step(a, &cluster) {
                    Ok(()) => outcome.passed += 1,
                    Err(message) => fail(&mut outcome, None, message),
                }
            }
            Action::Note(text) => {
                for l in text.lines() {
                    outcome.transcript.push_str(&format!("# {l}\n"));
                }
            }
            Action::File(write) => {
                outcome.transcript.push_str(&format!("# {} is now:\n", write.name));
                for l in write.content.lines() {
                    outcome.transcript.push_str(&format!("#   {l}\n"));
                }
                files.insert(write.name.clone(), write.content.clone());
            }
        }
        // Whatever the step made the cluster do, rollouts must have kept their bounds.
        for violation in cluster.take_violations() {
            outcome.checks += 1;
            fail(&mut outcome, None, violation);
        }
    }
    outcome
}

fn node_step(action: &NodeAction, cluster: &mut Cluster) -> (String, Result<(), String>) {
    match action {
        NodeAction::Add(spec) => (
            format!("node {} joins", spec.name),
            cluster
                .add_node(&node_input(spec))
                .map_err(|e| e.to_string())
                .and_then(|_| cluster.settle().map_err(|e| e.to_string())),
        ),
        NodeAction::Down(name) => {
            cluster.node_down(name);
            (format!("node {name} goes down"), cluster.settle().map_err(|e| e.to_string()))
        }
        NodeAction::Up(name) => {
            cluster.node_up(name);
            (format!("node {name} comes back"), cluster.settle().map_err(|e| e.to_string()))
        }
        NodeAction::Remove(name) => (
            format!("node {name} is removed"),
            cluster
                .remove_node(name)
                .map_err(|e| e.to_string())
                .and_then(|_| cluster.settle().map_err(|e| e.to_string())),
        ),
    }
}

fn pod_keys(cluster: &Cluster, target: &PodTarget) -> Vec<(String, String)> {
    match target {
        PodTarget::Name(name) => vec![("default".to_string(), name.clone())],
        PodTarget::Selector(sel) => match Selector::parse(sel) {
            Ok(sel) => resources::list_keys(&cluster.store, Kind::Pod, Some("default"), &sel),
            Err(_) => Vec::new(),
        },
    }
}

#[allow(clippy::too_many_arguments)]
fn run_step(
    run: &Run,
    cluster: &mut Cluster,
    files: &BTreeMap<String, String>,
    vars: &mut Vars,
    snapshots: &SnapshotSettings,
    outcome: &mut Outcome,
    line: usize,
) {
    let clock = cluster.now();
    let mut failures: Vec<String> = Vec::new();
    let mut checks = 1
        + usize::from(run.expect.is_some())
        + usize::from(run.stderr.is_some())
        + usize::from(run.snapshot.is_some());
    let command = match expand_vars(&run.command, vars) {
        Ok(c) => c,
        Err(e) => {
            outcome.checks += checks;
            outcome.failures.push(Failure { line, clock, command: Some(run.command.clone()), message: e });
            return;
        }
    };
    outcome.transcript.push_str(&format!("[{}] $ {command}\n", format_clock(clock)));
    let parsed: CommandLine = match shell::parse_command_line(&command) {
        Ok(p) => p,
        Err(e) => {
            outcome.checks += checks;
            outcome.failures.push(Failure { line, clock, command: Some(command), message: e });
            return;
        }
    };
    let (mut stdout, stderr, mut code) = match &parsed.program {
        Program::Echo(words) => (format!("{}\n", words.join(" ")), String::new(), 0),
        Program::Kubectl(argv) => {
            let mut env = Env { cluster, files, edit: run.edit.as_ref() };
            match kubectl::run(&mut env, argv) {
                Ok(out) => (out.stdout, out.stderr, out.code),
                Err(livelock) => (String::new(), livelock.to_string(), 1),
            }
        }
    };
    if let Some(stage) = &parsed.stage {
        match shell::apply_stage(stage, &stdout) {
            Ok((text, status)) => {
                stdout = text;
                code = status;
            }
            Err(e) => failures.push(e),
        }
    }
    // A `NAME=$(…)` binding swallows stdout, as a shell does.
    if parsed.assign.is_none() {
        outcome.transcript.push_str(&stdout);
    }
    outcome.transcript.push_str(&stderr);
    if let Some(name) = &parsed.assign {
        vars.set(name.clone(), stdout.trim_end_matches('\n').to_string());
    }
    match run.status {
        Some(expected) if expected != code => {
            failures.push(format!("exit status {code}, expected {expected}\nstderr:\n{stderr}"));
        }
        None if code != 0 => failures.push(format!("exit status {code}\nstderr:\n{stderr}")),
        _ => {}
    }
    if let Some(expected) = &run.expect {
        let shown = if parsed.assign.is_some() { String::new() } else { stdout.clone() };
        let actual = if parsed.assign.is_some() { stdout.clone() } else { shown };
        if let Err(m) = match_output(expected, &actual, run.match_options(), vars) {
            failures.push(format!("stdout {m}"));
        }
    }
    if let Some(expected) = &run.stderr
        && let Err(m) = match_output(expected, &stderr, run.match_options(), vars)
    {
        failures.push(format!("stderr {m}"));
    }
    if let Some(name) = &run.snapshot {
        let path = snapshot_path(&snapshots.dir, &snapshots.scenario_id, name);
        outcome.snapshots.push(path.clone());
        if let SnapshotCheck::Differs(diff) = check_snapshot(&path, &snapshots.source, &stdout) {
            failures.push(diff);
        }
    }
    checks = checks.max(failures.len());
    outcome.checks += checks;
    outcome.passed += checks - failures.len().min(checks);
    for message in failures {
        outcome.failures.push(Failure { line, clock, command: Some(command.clone()), message });
    }
}

/// `scenarios/deployment/rolling.yaml` + `after-update` →
/// `snapshots/deployment__rolling__after-update.snap`.
pub fn snapshot_path(dir: &Path, scenario_id: &str, name: &str) -> PathBuf {
    dir.join(format!("{}__{name}.snap", scenario_id.replace('/', "__")))
}

fn assert_step(a: &Assert, cluster: &Cluster) -> Result<(), String> {
    let kind = Kind::resolve(&a.kind).ok_or_else(|| format!("assert: unknown kind {:?}", a.kind))?;
    let namespace = a.namespace.clone().unwrap_or_else(|| "default".into());
    let store = &cluster.store;
    let keys: Vec<(String, String)> = match (&a.name, &a.selector) {
        (Some(name), _) => {
            let key = resources::key(kind, &namespace, name);
            if resources::exists(store, kind, &key) { vec![key] } else { vec![] }
        }
        (None, sel) => {
            let sel = Selector::parse(sel.as_deref().unwrap_or("")).map_err(|e| format!("assert: {e}"))?;
            resources::list_keys(store, kind, Some(&namespace), &sel)
        }
    };
    let what = match (&a.name, &a.selector) {
        (Some(n), _) => format!("{kind} {namespace}/{n}"),
        (None, Some(s)) => format!("{kind}s matching {s}"),
        (None, None) => format!("{kind}s in {namespace}"),
    };
    if a.absent {
        return if keys.is_empty() {
            Ok(())
        } else {
            Err(format!("assert: expected no {what}, found {}", keys.len()))
        };
    }
    if a.count == Some(0) && keys.is_empty() {
        return Ok(());
    }
    if let Some(count) = a.count
        && keys.len() as u64 != count
    {
        let names: Vec<&str> = keys.iter().map(|k| k.1.as_str()).collect();
        return Err(format!("assert: expected {count} {what}, found {}: {}", keys.len(), names.join(", ")));
    }
    if keys.is_empty() {
        return Err(format!("assert: no {what}"));
    }
    if a.fragment.is_empty() {
        return Ok(());
    }
    let expected = Value::Object(a.fragment.clone());
    for key in &keys {
        let actual = resources::get_value(store, kind, key).unwrap_or(Value::Null);
        if let Err(path) = partial_match(&expected, &actual, a.contains, "") {
            return Err(format!(
                "assert: {kind} {}/{} differs at {path}\nexpected (fragment):\n{}actual:\n{}",
                key.0,
                key.1,
                crate::kubectl::yaml::to_yaml(&expected),
                crate::kubectl::yaml::to_yaml(&actual)
            ));
        }
    }
    Ok(())
}

/// Whether `actual` contains everything `expected` says; the error names the first path
/// that differs.
fn partial_match(expected: &Value, actual: &Value, contains: bool, path: &str) -> Result<(), String> {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (k, v) in e {
                let p = format!("{path}.{k}");
                partial_match(v, a.get(k).unwrap_or(&Value::Null), contains, &p)?;
            }
            Ok(())
        }
        (Value::Array(e), Value::Array(a)) => {
            if e.len() != a.len() && !(contains && e.len() < a.len()) {
                return Err(format!("{path} (expected {} items, found {})", e.len(), a.len()));
            }
            for (i, v) in e.iter().enumerate() {
                partial_match(v, &a[i], contains, &format!("{path}[{i}]"))?;
            }
            Ok(())
        }
        (Value::Number(e), Value::Number(a)) if e.as_f64() == a.as_f64() => Ok(()),
        (Value::Number(e), Value::Null) if e.as_f64() == Some(0.0) => Ok(()),
        (e, a) if e == a => Ok(()),
        _ => Err(if path.is_empty() { ".".into() } else { path.to_string() }),
    }
}
