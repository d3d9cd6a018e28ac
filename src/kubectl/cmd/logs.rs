//! `kubectl logs POD [CONTAINER] [-c CONTAINER] [-p]`: what the simulated container printed so far.

use crate::api::stored_pod::StoredPod;
use k8s_openapi::api::core::v1::Pod;

use crate::kubectl::flags::{Flag, FlagKind, flag};
use crate::kubectl::resources;
use crate::kubectl::{Env, Output, SimResult};

const FLAGS: &[Flag] = &[
    flag("container", Some('c'), FlagKind::String),
    flag("previous", Some('p'), FlagKind::Bool),
    flag("follow", Some('f'), FlagKind::Bool),
    flag("tail", None, FlagKind::Int),
    flag("timestamps", None, FlagKind::Bool),
];

pub fn run(env: &mut Env, words: &[String], out: &mut Output) -> SimResult<()> {
    let Some(flags) = super::flags_or_fail("logs", FLAGS, words, out) else { return Ok(()) };
    // `logs POD [CONTAINER]`: kubectl's Complete rejects no argument and more than two.
    let (arg, inline_container) = match flags.args.as_slice() {
        [pod] => (pod, None),
        [pod, container] => (pod, Some(container.clone())),
        _ => {
            out.fail("error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command\nSee 'kubectl logs -h' for help and examples");
            return Ok(());
        }
    };
    let namespace = resources::namespace(&flags);
    let store = &env.cluster.store;
    let job_pod;
    let name = match arg.strip_prefix("job/").or_else(|| arg.strip_prefix("jobs/")) {
        Some(job) => match pod_of_job(store, &namespace, job, out) {
            Some(pod) => {
                job_pod = pod;
                job_pod.as_str()
            }
            None => return Ok(()),
        },
        None => arg.strip_prefix("pod/").or_else(|| arg.strip_prefix("pods/")).unwrap_or(arg),
    };
    let Some(pod) = store.get::<Pod>(&namespace, name) else {
        // 1.30+ wraps the NotFound with `%w`, so CheckErr no longer sees an API status and
        // prints it as a plain error (kubectl `pkg/cmd/logs/logs.go`).
        if store.profile.logs_not_found_namespace {
            out.fail(format!(
                "error: error from server (NotFound): pods \"{name}\" not found in namespace \"{namespace}\""
            ));
        } else {
            out.fail(format!("Error from server (NotFound): pods \"{name}\" not found"));
        }
        return Ok(());
    };
    // Validate runs after Complete has read the pod.
    if inline_container.is_some() && flags.has("container") {
        out.fail("error: only one of -c or an inline [CONTAINER] arg is allowed");
        return Ok(());
    }
    let containers: Vec<String> =
        pod.spec.iter().flat_map(|s| s.containers.iter()).map(|c| c.name.clone()).collect();
    let container = match inline_container.as_deref().or(flags.string("container")) {
        Some(c) => c.to_string(),
        None if containers.len() == 1 => containers[0].clone(),
        None => {
            if store.profile.minor >= 24 {
                out.err_line(format!(
                    "Defaulted container \"{}\" out of: {}",
                    containers[0],
                    containers.join(", ")
                ));
                containers[0].clone()
            } else {
                out.fail(format!(
                    "error: a container name must be specified for pod {name}, choose one of: [{}]",
                    containers.join(" ")
                ));
                return Ok(());
            }
        }
    };
    if !containers.contains(&container) {
        out.fail(format!("error: container {container} is not valid for pod {name}"));
        return Ok(());
    }
    let key = (namespace.clone(), name.to_string());
    let previous = flags.bool("previous");
    match env.cluster.kubelet.logs(&key, &container, previous, store) {
        Some(text) if previous || env.cluster.kubelet.container_started(&key, &container) == Some(true) => {
            let lines: Vec<&str> = text.lines().collect();
            let shown = match flags.int("tail") {
                Some(n) if n >= 0 => &lines[lines.len().saturating_sub(n as usize)..],
                _ => &lines[..],
            };
            for l in shown {
                out.line(l);
            }
        }
        _ if previous => out.fail(format!(
            "Error from server (BadRequest): previous terminated container \"{container}\" in pod \"{name}\" not found"
        )),
        _ => {
            let reason = pod
                .status
                .as_ref()
                .and_then(|s| s.container_statuses.as_ref())
                .and_then(|cs| cs.iter().find(|c| c.name == container))
                .and_then(|c| c.state.as_ref())
                .and_then(|s| s.waiting.as_ref())
                .and_then(|w| w.reason.clone())
                .unwrap_or_else(|| "ContainerCreating".into());
            out.fail(format!(
                "Error from server (BadRequest): container \"{container}\" in pod \"{name}\" is waiting to start: {reason}"
            ));
        }
    }
    Ok(())
}

/// `logs job/NAME`: the first of the Job's pods in kubectl's `ByLogging` order (assigned,
/// Running before others, ready, more restarts, older), with `Found N pods, using …` when
/// there are several (`polymorphichelpers.AttachablePodForObject`, `GetFirstPod`).
fn pod_of_job(store: &crate::api::Store, namespace: &str, job: &str, out: &mut Output) -> Option<String> {
    use k8s_openapi::api::batch::v1::Job;
    let Some(j) = store.get::<Job>(namespace, job) else {
        out.fail(format!("Error from server (NotFound): jobs.batch \"{job}\" not found"));
        return None;
    };
    let uid = j.metadata.uid.clone().unwrap_or_default();
    let mut pods: Vec<&StoredPod> = store.pods_controlled_by(&uid).collect();
    if pods.is_empty() {
        out.fail("error: timed out waiting for the condition");
        return None;
    }
    let phase = |p: &StoredPod| match p.status.as_ref().and_then(|s| s.phase.as_deref()) {
        Some("Running") => 0,
        Some("Unknown") => 1,
        _ => 2,
    };
    let ready = |p: &StoredPod| {
        p.status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
    };
    let restarts = |p: &StoredPod| -> i32 {
        p.status.iter().flat_map(|s| s.container_statuses.iter().flatten()).map(|c| c.restart_count).sum()
    };
    pods.sort_by_key(|p| {
        (
            p.node_name().is_none(),
            phase(p),
            !ready(p),
            -restarts(p),
            p.metadata.creation_timestamp.as_ref().map(|t| t.0),
        )
    });
    let name = pods[0].metadata.name.clone().unwrap_or_default();
    if pods.len() > 1 {
        out.err_line(format!("Found {} pods, using pod/{name}", pods.len()));
    }
    Some(name)
}
