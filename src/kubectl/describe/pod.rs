//! `kubectl describe pod` (`describePod`).
//!
//! Field order: identity and placement, labels and annotations, status, IPs and
//! controller, containers, conditions, volumes, scheduling, events. The quirks that
//! make it byte-exact are all in the stream: `IP:\t` is written even when empty,
//! condition rows are `"<type> \t<status> "` (a space before the tab and a trailing
//! one), and `QoS Class:`, `Node-Selectors:` and `Tolerations:` join the aligned run of
//! the last volume's fields.

use k8s_openapi::api::core::v1::{ContainerStatus, Pod, PodSpec, PodStatus};

use super::DescribeEnv;
use super::containers::{Source, describe_containers, describe_resources};
use super::events::describe_events;
use super::resources::pod_qos;
use super::template::topology_spread_constraints;
use super::volumes::describe_volumes;
use super::writer::{Writer, annotations, controller_of, labels, rfc1123z, tolerations};
use crate::kubectl::humanize::translate_timestamp_since;

/// Renders `kubectl describe pod` for this pod.
pub fn describe_pod(pod: &Pod, env: &DescribeEnv) -> String {
    let style = env.style();
    let mut w = Writer::new(&style);
    let default_spec = PodSpec::default();
    let default_status = PodStatus::default();
    let parts = Parts {
        pod,
        spec: pod.spec.as_ref().unwrap_or(&default_spec),
        status: pod.status.as_ref().unwrap_or(&default_status),
    };
    parts.identity(&mut w);
    labels(&mut w, "Labels", pod.metadata.labels.as_ref());
    annotations(&mut w, "Annotations", pod.metadata.annotations.as_ref());
    parts.status_lines(&mut w, env);
    parts.network_and_owner(&mut w);
    parts.containers(&mut w);
    parts.conditions(&mut w);
    describe_volumes(
        &mut w,
        parts.spec.volumes.as_deref().unwrap_or_default(),
        "",
    );
    parts.scheduling(&mut w);
    describe_events(&mut w, env, &env.events);
    w.finish()
}

/// The pod with its spec and status resolved (Go reads missing structs as empty).
struct Parts<'a> {
    pod: &'a Pod,
    spec: &'a PodSpec,
    status: &'a PodStatus,
}

/// An optional string that kubectl only prints when non-empty.
fn non_empty(s: &Option<String>) -> Option<&str> {
    s.as_deref().filter(|s| !s.is_empty())
}

impl Parts<'_> {
    fn identity(&self, w: &mut Writer) {
        let meta = &self.pod.metadata;
        w.field(0, "Name", meta.name.as_deref().unwrap_or(""));
        w.field(0, "Namespace", meta.namespace.as_deref().unwrap_or(""));
        if let Some(priority) = self.spec.priority {
            w.field(0, "Priority", priority);
        }
        if let Some(pc) = non_empty(&self.spec.priority_class_name) {
            w.field(0, "Priority Class Name", pc);
        }
        if w.style().pod_runtime_class
            && let Some(rc) = non_empty(&self.spec.runtime_class_name)
        {
            w.field(0, "Runtime Class Name", rc);
        }
        if w.style().pod_service_account
            && let Some(sa) = non_empty(&self.spec.service_account_name)
        {
            w.field(0, "Service Account", sa);
        }
        match non_empty(&self.spec.node_name) {
            None => w.field(0, "Node", "<none>"),
            Some(node) => w.field(
                0,
                "Node",
                format!("{node}/{}", self.status.host_ip.as_deref().unwrap_or("")),
            ),
        }
        if let Some(start) = &self.status.start_time {
            w.field(0, "Start Time", rfc1123z(start.0));
        }
    }

    /// `Status:` (or `Terminating (lasts …)` with the grace period), reason, message and
    /// the pod's seccomp profile.
    fn status_lines(&self, w: &mut Writer, env: &DescribeEnv) {
        let meta = &self.pod.metadata;
        let phase = self.status.phase.as_deref().unwrap_or("");
        let finished = phase == "Succeeded" || phase == "Failed";
        match &meta.deletion_timestamp {
            Some(deleted) if w.style().terminating_finished_pods || !finished => {
                // The deletion timestamp lies in the future while the grace period runs,
                // so this reads `<invalid>` or `0s` most of the time, as in kubectl.
                let lasts = translate_timestamp_since(env.now_wall(), Some(deleted.0));
                w.field(0, "Status", format!("Terminating (lasts {lasts})"));
                w.field(
                    0,
                    "Termination Grace Period",
                    format!("{}s", meta.deletion_grace_period_seconds.unwrap_or(0)),
                );
            }
            _ => w.field(0, "Status", phase),
        }
        if let Some(reason) = non_empty(&self.status.reason) {
            w.field(0, "Reason", reason);
        }
        if let Some(message) = non_empty(&self.status.message) {
            w.field(0, "Message", message);
        }
        if w.style().seccomp_profile
            && let Some(profile) = self
                .spec
                .security_context
                .as_ref()
                .and_then(|s| s.seccomp_profile.as_ref())
        {
            w.field(0, "SeccompProfile", &profile.type_);
            if profile.type_ == "Localhost" {
                w.field(
                    0,
                    "LocalhostProfile",
                    profile.localhost_profile.as_deref().unwrap_or(""),
                );
            }
        }
    }

    fn network_and_owner(&self, w: &mut Writer) {
        w.field(0, "IP", self.status.pod_ip.as_deref().unwrap_or(""));
        match self.status.pod_ips.as_deref().filter(|ips| !ips.is_empty()) {
            None => w.field(0, "IPs", "<none>"),
            Some(ips) => {
                w.line(0, "IPs:");
                for ip in ips {
                    w.field(1, "IP", &ip.ip);
                }
            }
        }
        if let Some(controller) = controller_of(&self.pod.metadata) {
            w.field(0, "Controlled By", controller);
        }
        if let Some(nominated) = non_empty(&self.status.nominated_node_name) {
            w.field(0, "NominatedNodeName", nominated);
        }
    }

    /// Pod-level resources (a 1.32+ field), init, regular and ephemeral containers.
    fn containers(&self, w: &mut Writer) {
        if let Some(resources) = &self.spec.resources {
            w.line(0, "Resources:");
            describe_resources(w, resources, 1);
        }
        let status = self.status;
        let source = |statuses| pod_source(self.pod, statuses);
        if let Some(init) = self
            .spec
            .init_containers
            .as_deref()
            .filter(|c| !c.is_empty())
        {
            describe_containers(
                w,
                "Init Containers",
                init,
                source(&status.init_container_statuses),
                "",
            );
        }
        describe_containers(
            w,
            "Containers",
            &self.spec.containers,
            source(&status.container_statuses),
            "",
        );
        if let Some(ephemeral) = self
            .spec
            .ephemeral_containers
            .as_deref()
            .filter(|c| !c.is_empty())
        {
            let as_containers: Vec<_> = ephemeral
                .iter()
                .map(super::containers::ephemeral_as_container)
                .collect();
            let statuses = source(&status.ephemeral_container_statuses);
            describe_containers(w, "Ephemeral Containers", &as_containers, statuses, "");
        }
    }

    fn conditions(&self, w: &mut Writer) {
        let conditions = self.status.conditions.as_deref().unwrap_or_default();
        if let Some(gates) = self
            .spec
            .readiness_gates
            .as_deref()
            .filter(|g| !g.is_empty())
        {
            w.line(0, "Readiness Gates:");
            w.line(1, "Type\tStatus");
            for gate in gates {
                let status = conditions
                    .iter()
                    .find(|c| c.type_ == gate.condition_type)
                    .map_or("<none>", |c| c.status.as_str());
                w.line(1, &format!("{} \t{status} ", gate.condition_type));
            }
        }
        if !conditions.is_empty() {
            w.line(0, "Conditions:");
            w.line(1, "Type\tStatus");
            for c in conditions {
                w.line(1, &format!("{} \t{} ", c.type_, c.status));
            }
        }
    }

    fn scheduling(&self, w: &mut Writer) {
        w.field(0, "QoS Class", pod_qos(self.pod));
        labels(w, "Node-Selectors", self.spec.node_selector.as_ref());
        tolerations(
            w,
            "Tolerations",
            self.spec.tolerations.as_deref().unwrap_or_default(),
        );
        if w.style().topology_spread_constraints {
            topology_spread_constraints(
                w,
                self.spec
                    .topology_spread_constraints
                    .as_deref()
                    .unwrap_or_default(),
                "",
            );
        }
    }
}

fn pod_source<'a>(pod: &'a Pod, statuses: &'a Option<Vec<ContainerStatus>>) -> Source<'a> {
    Source::Pod {
        pod,
        statuses: statuses.as_deref().unwrap_or_default(),
    }
}
