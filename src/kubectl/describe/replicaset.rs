//! `kubectl describe replicaset` and `kubectl describe replicationcontroller`.
//!
//! Both print the same shape: identity, selector, replica counts, the pods' phases, the
//! pod template, conditions and events. They differ in the selector syntax (a
//! LabelSelector vs a plain map), in `Controlled By:` (only ReplicaSets have owners),
//! and in a nil template (only possible for an RC).

use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::core::v1::{Pod, ReplicationController};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::DescribeEnv;
use super::events::describe_events;
use super::template::describe_pod_template;
use super::writer::{
    Writer, annotations, controller_of, format_label_selector, format_labels, labels,
};

/// Renders `kubectl describe replicaset`; `pods` are the pods the ReplicaSet controls.
pub fn describe_replica_set(rs: &ReplicaSet, pods: &[&Pod], env: &DescribeEnv) -> String {
    let style = env.style();
    let mut w = Writer::new(&style);
    let spec = rs.spec.as_ref();
    let selector = format_label_selector(spec.map(|s| &s.selector));
    header(&mut w, &rs.metadata, &selector);
    if let Some(controller) = controller_of(&rs.metadata) {
        w.field(0, "Controlled By", controller);
    }
    let current = rs.status.as_ref().map_or(0, |s| s.replicas);
    replicas(&mut w, current, spec.and_then(|s| s.replicas), pods);
    // A ReplicaSet's template is a value in Go: an absent one prints as empty.
    let default_template = Default::default();
    describe_pod_template(
        &mut w,
        Some(
            spec.and_then(|s| s.template.as_ref())
                .unwrap_or(&default_template),
        ),
    );
    let conditions = rs
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_deref())
        .unwrap_or_default();
    controller_conditions(
        &mut w,
        conditions.iter().map(|c| (&c.type_, &c.status, &c.reason)),
    );
    describe_events(&mut w, env, &env.events);
    w.finish()
}

/// Renders `kubectl describe replicationcontroller`; `pods` are the pods it controls.
pub fn describe_replication_controller(
    rc: &ReplicationController,
    pods: &[&Pod],
    env: &DescribeEnv,
) -> String {
    let style = env.style();
    let mut w = Writer::new(&style);
    let spec = rc.spec.as_ref();
    let selector = format_labels(spec.and_then(|s| s.selector.as_ref()));
    header(&mut w, &rc.metadata, &selector);
    let current = rc.status.as_ref().map_or(0, |s| s.replicas);
    replicas(&mut w, current, spec.and_then(|s| s.replicas), pods);
    describe_pod_template(&mut w, spec.and_then(|s| s.template.as_ref()));
    let conditions = rc
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_deref())
        .unwrap_or_default();
    controller_conditions(
        &mut w,
        conditions.iter().map(|c| (&c.type_, &c.status, &c.reason)),
    );
    describe_events(&mut w, env, &env.events);
    w.finish()
}

fn header(w: &mut Writer, meta: &ObjectMeta, selector: &str) {
    w.field(0, "Name", meta.name.as_deref().unwrap_or(""));
    w.field(0, "Namespace", meta.namespace.as_deref().unwrap_or(""));
    w.field(0, "Selector", selector);
    labels(w, "Labels", meta.labels.as_ref());
    annotations(w, "Annotations", meta.annotations.as_ref());
}

/// `Replicas:` and `Pods Status:`. An unset `spec.replicas` reads as the apiserver's
/// default of 1 (kubectl would dereference a nil pointer).
fn replicas(w: &mut Writer, current: i32, desired: Option<i32>, pods: &[&Pod]) {
    w.field(
        0,
        "Replicas",
        format!("{current} current / {} desired", desired.unwrap_or(1)),
    );
    let phases = PhaseCounts::of(pods);
    w.field(
        0,
        "Pods Status",
        format!(
            "{} Running / {} Waiting / {} Succeeded / {} Failed",
            phases.running, phases.waiting, phases.succeeded, phases.failed
        ),
    );
}

/// Pods by phase, as `getPodStatusForController` counts them (Pending is "Waiting";
/// Unknown counts nowhere).
#[derive(Default)]
struct PhaseCounts {
    running: usize,
    waiting: usize,
    succeeded: usize,
    failed: usize,
}

impl PhaseCounts {
    fn of(pods: &[&Pod]) -> Self {
        let mut counts = PhaseCounts::default();
        for pod in pods {
            match pod.status.as_ref().and_then(|s| s.phase.as_deref()) {
                Some("Running") => counts.running += 1,
                Some("Pending") => counts.waiting += 1,
                Some("Succeeded") => counts.succeeded += 1,
                Some("Failed") => counts.failed += 1,
                _ => {}
            }
        }
        counts
    }
}

/// The controller `Conditions:` table; note the space before the first tab.
fn controller_conditions<'a>(
    w: &mut Writer,
    conditions: impl ExactSizeIterator<Item = (&'a String, &'a String, &'a Option<String>)>,
) {
    if conditions.len() == 0 {
        return;
    }
    w.line(0, "Conditions:");
    w.line(1, "Type\tStatus\tReason");
    w.line(1, "----\t------\t------");
    for (type_, status, reason) in conditions {
        w.line(
            1,
            &format!("{type_} \t{status}\t{}", reason.as_deref().unwrap_or("")),
        );
    }
}
