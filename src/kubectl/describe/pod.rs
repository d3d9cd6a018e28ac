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
    describe_volumes(&mut w, parts.spec.volumes.as_deref().unwrap_or_default(), "");
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
            Some(node) => {
                w.field(0, "Node", format!("{node}/{}", self.status.host_ip.as_deref().unwrap_or("")))
            }
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
            && let Some(profile) =
                self.spec.security_context.as_ref().and_then(|s| s.seccomp_profile.as_ref())
        {
            w.field(0, "SeccompProfile", &profile.type_);
            if profile.type_ == "Localhost" {
                w.field(0, "LocalhostProfile", profile.localhost_profile.as_deref().unwrap_or(""));
            }
        }
    }

    fn network_and_owner(&self, w: &mut Writer) {
        w.field(0, "IP", self.status.pod_ip.as_deref().unwrap_or(""));
        match self.status.pod_ips.as_deref().filter(|ips| !ips.is_empty()) {
            _ if !w.style().pod_ips => {}
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
        if let Some(init) = self.spec.init_containers.as_deref().filter(|c| !c.is_empty()) {
            describe_containers(w, "Init Containers", init, source(&status.init_container_statuses), "");
        }
        describe_containers(w, "Containers", &self.spec.containers, source(&status.container_statuses), "");
        if let Some(ephemeral) = self.spec.ephemeral_containers.as_deref().filter(|c| !c.is_empty()) {
            let as_containers: Vec<_> =
                ephemeral.iter().map(super::containers::ephemeral_as_container).collect();
            let statuses = source(&status.ephemeral_container_statuses);
            describe_containers(w, "Ephemeral Containers", &as_containers, statuses, "");
        }
    }

    fn conditions(&self, w: &mut Writer) {
        let conditions = self.status.conditions.as_deref().unwrap_or_default();
        if let Some(gates) = self.spec.readiness_gates.as_deref().filter(|g| !g.is_empty()) {
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
        tolerations(w, "Tolerations", self.spec.tolerations.as_deref().unwrap_or_default());
        if w.style().topology_spread_constraints {
            topology_spread_constraints(
                w,
                self.spec.topology_spread_constraints.as_deref().unwrap_or_default(),
                "",
            );
        }
    }
}

fn pod_source<'a>(pod: &'a Pod, statuses: &'a Option<Vec<ContainerStatus>>) -> Source<'a> {
    Source::Pod { pod, statuses: statuses.as_deref().unwrap_or_default() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::event::{EventRecord, EventType, InvolvedObject};
    use crate::profile::Profile;
    use crate::time::{MINUTE, Millis, SECOND, WallClock};
    use serde_json::json;

    fn kubelet_or_scheduler(reason: &str, message: &str, component: &'static str, at: Millis) -> EventRecord {
        EventRecord {
            name_suffix: 0,
            involved: std::sync::Arc::new(InvolvedObject {
                kind: "Pod".into(),
                namespace: "default".into(),
                name: "kubia-dssvz".into(),
                uid: "u".into(),
                field_path: None,
                api_version: "v1".into(),
            }),
            type_: EventType::Normal,
            reason: reason.into(),
            message: message.into(),
            component,
            host: (component == "kubelet").then(|| "minikube".into()),
            first: at,
            last: at,
            count: 1,
        }
    }

    /// A pod of a 1.17 cluster: secret service-account volume, no `Service Account` line
    /// or `PodReadyToStartContainers`, tolerations without `op=Exists`, kubelet events
    /// from `kubelet, <node>` and the scheduler's events.k8s.io event aged `<unknown>`.
    #[test]
    fn pod_on_1_17() {
        let pod: Pod = serde_json::from_value(json!({
            "metadata": {
                "name": "kubia-dssvz", "namespace": "default", "labels": {"app": "kubia"},
                "ownerReferences": [{"apiVersion": "v1", "kind": "ReplicationController", "name": "kubia",
                                     "uid": "r", "controller": true}]
            },
            "spec": {
                "priority": 0, "serviceAccountName": "default", "nodeName": "minikube",
                "containers": [{
                    "name": "kubia", "image": "luksa/kubia",
                    "ports": [{"containerPort": 8080, "protocol": "TCP"}],
                    "volumeMounts": [{"name": "default-token-7zvwp", "readOnly": true,
                                      "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}]
                }],
                "volumes": [{"name": "default-token-7zvwp", "secret": {"secretName": "default-token-7zvwp"}}],
                "tolerations": [
                    {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
                    {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}
                ]
            },
            "status": {
                "phase": "Running", "hostIP": "192.168.99.100", "podIP": "172.17.0.4",
                "podIPs": [{"ip": "172.17.0.4"}], "startTime": "2020-01-01T00:00:01Z", "qosClass": "BestEffort",
                "conditions": [
                    {"type": "Initialized", "status": "True"}, {"type": "Ready", "status": "True"},
                    {"type": "ContainersReady", "status": "True"}, {"type": "PodScheduled", "status": "True"}
                ],
                "containerStatuses": [{
                    "name": "kubia", "image": "luksa/kubia:latest", "imageID": "docker-pullable://luksa/kubia@sha256:3f28",
                    "containerID": "docker://5e8b", "ready": true, "restartCount": 0,
                    "state": {"running": {"startedAt": "2020-01-01T00:00:09Z"}}
                }]
            }
        }))
        .unwrap();
        let events = [
            kubelet_or_scheduler(
                "Scheduled",
                "Successfully assigned default/kubia-dssvz to minikube",
                "default-scheduler",
                0,
            ),
            kubelet_or_scheduler("Pulling", "Pulling image \"luksa/kubia\"", "kubelet", 2 * SECOND),
            kubelet_or_scheduler("Started", "Started container kubia", "kubelet", 9 * SECOND),
        ];
        let profile = Profile::for_minor(17);
        let env = DescribeEnv {
            profile: &profile,
            clock: WallClock::new("2020-01-01T00:00:00Z".parse().unwrap()),
            now: 5 * MINUTE + 2 * SECOND,
            events: events.iter().collect(),
        };
        let expected = "\
Name:         kubia-dssvz
Namespace:    default
Priority:     0
Node:         minikube/192.168.99.100
Start Time:   Wed, 01 Jan 2020 00:00:01 +0000
Labels:       app=kubia
Annotations:  <none>
Status:       Running
IP:           172.17.0.4
IPs:
  IP:           172.17.0.4
Controlled By:  ReplicationController/kubia
Containers:
  kubia:
    Container ID:   docker://5e8b
    Image:          luksa/kubia
    Image ID:       docker-pullable://luksa/kubia@sha256:3f28
    Port:           8080/TCP
    Host Port:      0/TCP
    State:          Running
      Started:      Wed, 01 Jan 2020 00:00:09 +0000
    Ready:          True
    Restart Count:  0
    Environment:    <none>
    Mounts:
      /var/run/secrets/kubernetes.io/serviceaccount from default-token-7zvwp (ro)
Conditions:
  Type              Status
  Initialized       True 
  Ready             True 
  ContainersReady   True 
  PodScheduled      True 
Volumes:
  default-token-7zvwp:
    Type:        Secret (a volume populated by a Secret)
    SecretName:  default-token-7zvwp
    Optional:    false
QoS Class:       BestEffort
Node-Selectors:  <none>
Tolerations:     node.kubernetes.io/not-ready:NoExecute for 300s
                 node.kubernetes.io/unreachable:NoExecute for 300s
Events:
  Type    Reason     Age        From               Message
  ----    ------     ----       ----               -------
  Normal  Scheduled  <unknown>  default-scheduler  Successfully assigned default/kubia-dssvz to minikube
  Normal  Pulling    5m         kubelet, minikube  Pulling image \"luksa/kubia\"
  Normal  Started    4m53s      kubelet, minikube  Started container kubia
";
        assert_eq!(describe_pod(&pod, &env), expected);
    }

    #[test]
    fn terminating_status_depends_on_version_for_finished_pods() {
        let pod: Pod = serde_json::from_value(json!({
            "metadata": {"name": "p", "namespace": "d", "deletionTimestamp": "2020-01-01T00:01:00Z",
                         "deletionGracePeriodSeconds": 30},
            "spec": {"containers": []},
            "status": {"phase": "Succeeded"}
        }))
        .unwrap();
        let render = |minor| {
            let profile = Profile::for_minor(minor);
            let env = DescribeEnv {
                profile: &profile,
                clock: WallClock::new("2020-01-01T00:00:00Z".parse().unwrap()),
                now: 30 * SECOND,
                events: vec![],
            };
            describe_pod(&pod, &env)
        };
        let old = render(30);
        assert!(old.contains("Status:                    Terminating (lasts <invalid>)\n"), "{old}");
        assert!(old.contains("Termination Grace Period:  30s\n"), "{old}");
        assert!(render(33).contains("Status:       Succeeded\n"));
    }
}
