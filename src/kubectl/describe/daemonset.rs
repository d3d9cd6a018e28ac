//! `kubectl describe daemonset` (`describeDaemonSet`): identity, node selector, the
//! status counters, the pods' phases, the pod template and events.

use k8s_openapi::api::apps::v1::DaemonSet;
use k8s_openapi::api::core::v1::Pod;

use super::DescribeEnv;
use super::events::describe_events;
use super::replicaset::PhaseCounts;
use super::template::describe_pod_template;
use super::writer::{Writer, annotations, format_label_selector, format_labels, labels};

/// Renders `kubectl describe daemonset`; `pods` are the pods its selector matches.
pub fn describe_daemon_set(ds: &DaemonSet, pods: &[&Pod], env: &DescribeEnv) -> String {
    let style = env.style();
    let mut w = Writer::new(&style);
    let spec = ds.spec.as_ref();
    w.field(0, "Name", ds.metadata.name.as_deref().unwrap_or(""));
    if style.daemonset_namespace {
        w.field(0, "Namespace", ds.metadata.namespace.as_deref().unwrap_or(""));
    }
    w.field(0, "Selector", format_label_selector(spec.map(|s| &s.selector)));
    let node_selector = spec.and_then(|s| s.template.spec.as_ref()).and_then(|s| s.node_selector.as_ref());
    w.field(0, "Node-Selector", format_labels(node_selector));
    labels(&mut w, "Labels", ds.metadata.labels.as_ref());
    annotations(&mut w, "Annotations", ds.metadata.annotations.as_ref());
    let status = ds.status.clone().unwrap_or_default();
    w.line(0, &format!("Desired Number of Nodes Scheduled: {}", status.desired_number_scheduled));
    w.line(0, &format!("Current Number of Nodes Scheduled: {}", status.current_number_scheduled));
    w.line(
        0,
        &format!(
            "Number of Nodes Scheduled with Up-to-date Pods: {}",
            status.updated_number_scheduled.unwrap_or(0)
        ),
    );
    w.line(
        0,
        &format!("Number of Nodes Scheduled with Available Pods: {}", status.number_available.unwrap_or(0)),
    );
    w.line(0, &format!("Number of Nodes Misscheduled: {}", status.number_misscheduled));
    let phases = PhaseCounts::of(pods);
    w.field(
        0,
        "Pods Status",
        format!(
            "{} Running / {} Waiting / {} Succeeded / {} Failed",
            phases.running, phases.waiting, phases.succeeded, phases.failed
        ),
    );
    describe_pod_template(&mut w, spec.map(|s| &s.template));
    describe_events(&mut w, env, &env.events);
    w.finish()
}
