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
use super::writer::{Writer, annotations, controller_of, format_label_selector, format_labels, labels};

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
    describe_pod_template(&mut w, Some(spec.and_then(|s| s.template.as_ref()).unwrap_or(&default_template)));
    let conditions = rs.status.as_ref().and_then(|s| s.conditions.as_deref()).unwrap_or_default();
    controller_conditions(&mut w, conditions.iter().map(|c| (&c.type_, &c.status, &c.reason)));
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
    let conditions = rc.status.as_ref().and_then(|s| s.conditions.as_deref()).unwrap_or_default();
    controller_conditions(&mut w, conditions.iter().map(|c| (&c.type_, &c.status, &c.reason)));
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
    w.field(0, "Replicas", format!("{current} current / {} desired", desired.unwrap_or(1)));
    pods_status(w, pods);
}

/// `Pods Status:` from the pods' phases (also used by the StatefulSet and DaemonSet
/// describers).
pub(super) fn pods_status(w: &mut Writer, pods: &[&Pod]) {
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
pub(super) struct PhaseCounts {
    pub(super) running: usize,
    pub(super) waiting: usize,
    pub(super) succeeded: usize,
    pub(super) failed: usize,
}

impl PhaseCounts {
    pub(super) fn of(pods: &[&Pod]) -> Self {
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
pub(crate) fn controller_conditions<'a>(
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
        w.line(1, &format!("{type_} \t{status}\t{}", reason.as_deref().unwrap_or("")));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::event::{EventRecord, EventType, InvolvedObject};
    use crate::profile::Profile;
    use crate::time::{MINUTE, SECOND, WallClock};
    use serde_json::json;

    fn template() -> serde_json::Value {
        json!({
            "metadata": {"labels": {"app": "kubia"}},
            "spec": {"containers": [{"name": "kubia", "image": "ksfzhaohui/kubia"}]}
        })
    }

    fn running_pods() -> Vec<Pod> {
        (0..3).map(|_| serde_json::from_value(json!({"status": {"phase": "Running"}})).unwrap()).collect()
    }

    fn env<'a>(profile: &'a Profile, events: &'a [EventRecord]) -> DescribeEnv<'a> {
        DescribeEnv {
            profile,
            clock: WallClock::new("2020-01-01T00:00:00Z".parse().unwrap()),
            now: 10 * MINUTE,
            events: events.iter().collect(),
        }
    }

    /// The output of `kubectl describe rs` against a 1.17 cluster.
    #[test]
    fn replica_set_on_1_17() {
        let rs: ReplicaSet = serde_json::from_value(json!({
            "metadata": {"name": "kubia", "namespace": "default"},
            "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "kubia"}}, "template": template()},
            "status": {"replicas": 3}
        }))
        .unwrap();
        let pods = running_pods();
        let profile = Profile::for_minor(17);
        let out = describe_replica_set(&rs, &pods.iter().collect::<Vec<_>>(), &env(&profile, &[]));
        let expected = "\
Name:         kubia
Namespace:    default
Selector:     app=kubia
Labels:       <none>
Annotations:  <none>
Replicas:     3 current / 3 desired
Pods Status:  3 Running / 0 Waiting / 0 Succeeded / 0 Failed
Pod Template:
  Labels:  app=kubia
  Containers:
   kubia:
    Image:        ksfzhaohui/kubia
    Port:         <none>
    Host Port:    <none>
    Environment:  <none>
    Mounts:       <none>
  Volumes:        <none>
Events:           <none>
";
        assert_eq!(out, expected);
    }

    #[test]
    fn replication_controller_events_on_1_17() {
        let rc: ReplicationController = serde_json::from_value(json!({
            "metadata": {"name": "kubia", "namespace": "default"},
            "spec": {"replicas": 3, "selector": {"app": "kubia"}, "template": template()},
            "status": {"replicas": 3}
        }))
        .unwrap();
        let created = EventRecord {
            name_suffix: 0,
            involved: std::sync::Arc::new(InvolvedObject {
                kind: "ReplicationController".into(),
                namespace: "default".into(),
                name: "kubia".into(),
                uid: "u".into(),
                field_path: None,
                api_version: "v1".into(),
            }),
            type_: EventType::Normal,
            reason: "SuccessfulCreate".into(),
            message: "Created pod: kubia-dssvz".into(),
            component: "replication-controller",
            host: None,
            first: 4 * MINUTE + 40 * SECOND,
            last: 4 * MINUTE + 40 * SECOND,
            count: 1,
        };
        let pods = running_pods();
        let profile = Profile::for_minor(17);
        let events = [created];
        let out =
            describe_replication_controller(&rc, &pods.iter().collect::<Vec<_>>(), &env(&profile, &events));
        let tail = "\
  Volumes:        <none>
Events:
  Type    Reason            Age    From                    Message
  ----    ------            ----   ----                    -------
  Normal  SuccessfulCreate  5m20s  replication-controller  Created pod: kubia-dssvz
";
        assert!(
            out.starts_with("Name:         kubia\nNamespace:    default\nSelector:     app=kubia\n"),
            "{out}"
        );
        assert!(out.ends_with(tail), "{out}");
    }

    #[test]
    fn nil_rc_template_prints_unset_without_newline() {
        let rc: ReplicationController = serde_json::from_value(
            json!({"metadata": {"name": "x", "namespace": "d"}, "spec": {"replicas": 0}}),
        )
        .unwrap();
        let profile = Profile::for_minor(33);
        let out = describe_replication_controller(&rc, &[], &env(&profile, &[]));
        assert!(out.contains("Pod Template:\n  <unset>Events:"), "{out}");
    }
}
