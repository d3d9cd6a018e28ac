//! `kubectl describe node` (`describeNode` and `describeNodeResource`).
//!
//! Besides the node itself kubectl reads three things: the node's Lease (for the
//! `Lease:` block), the node's non-terminated pods across all namespaces (for the pod
//! table and the allocated-resources totals, computed client-side against
//! allocatable), and the events recorded against the node's name (kubelet) and, from
//! 1.24, against its UID (node controller).

use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{Node, NodeSpec, NodeStatus, Pod};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, Time};

use super::DescribeEnv;
use super::events::describe_events;
use super::quantity::{Quantity, percent};
use super::resources::{ResourceList, pod_requests_and_limits};
use super::writer::{Writer, annotations, labels, rfc1123z, rfc1123z_or_zero, taints};
use crate::api::event::EventRecord;
use crate::kubectl::humanize::translate_timestamp_since;

/// Renders `kubectl describe node` with the node's Lease as kubectl would fetch it from
/// `kube-node-lease` (`None`: no Lease exists); `pods` are the node's non-terminated pods
/// in all namespaces.
pub fn describe_node_with_lease(
    node: &Node,
    lease: Option<&Lease>,
    pods: &[&Pod],
    env: &DescribeEnv,
) -> String {
    let style = env.style();
    let mut w = Writer::new(&style);
    let default_spec = NodeSpec::default();
    let default_status = NodeStatus::default();
    let spec = node.spec.as_ref().unwrap_or(&default_spec);
    let status = node.status.as_ref().unwrap_or(&default_status);
    let name = node.metadata.name.as_deref().unwrap_or("");

    identity(&mut w, node, spec);
    describe_lease(&mut w, name, lease);
    conditions(&mut w, status);
    addresses_and_capacity(&mut w, status);
    system_info(&mut w, status);
    cidrs(&mut w, spec);
    let mut pods = pods.to_vec();
    // The apiserver lists pods in key order: namespace, then name.
    pods.sort_by(|a, b| {
        (&a.metadata.namespace, &a.metadata.name).cmp(&(&b.metadata.namespace, &b.metadata.name))
    });
    node_resources(&mut w, status, &pods, env);
    let events = node_events(&env.events, name, style.node_uid_events);
    describe_events(&mut w, env, &events);
    w.finish()
}

/// The events kubectl lists for a node, in its order: first the query by the node's
/// UID (node controller), then the query by its name (kubelet), each in server (=
/// creation) order. kubectl before 1.24 ran only the second query.
fn node_events<'a>(events: &[&'a EventRecord], name: &str, uid_events: bool) -> Vec<&'a EventRecord> {
    let by_name = |e: &&&EventRecord| e.involved.uid == name;
    let by_uid = events.iter().filter(|e| uid_events && !by_name(e));
    by_uid.chain(events.iter().filter(by_name)).copied().collect()
}

fn identity(w: &mut Writer, node: &Node, spec: &NodeSpec) {
    let meta = &node.metadata;
    w.field(0, "Name", meta.name.as_deref().unwrap_or(""));
    let roles = node_roles(node);
    w.field(0, "Roles", if roles.is_empty() { "<none>".to_string() } else { roles.join(",") });
    labels(w, "Labels", meta.labels.as_ref());
    annotations(w, "Annotations", meta.annotations.as_ref());
    w.field(0, "CreationTimestamp", rfc1123z_or_zero(meta.creation_timestamp.as_ref()));
    taints(w, "Taints", spec.taints.as_deref().unwrap_or_default());
    w.field(0, "Unschedulable", spec.unschedulable.unwrap_or(false));
}

/// `findNodeRoles`: `node-role.kubernetes.io/<role>` label keys and the value of
/// `kubernetes.io/role`, sorted and de-duplicated.
fn node_roles(node: &Node) -> Vec<String> {
    let mut roles: Vec<String> = node
        .metadata
        .labels
        .iter()
        .flatten()
        .filter_map(|(k, v)| match k.strip_prefix("node-role.kubernetes.io/") {
            Some(role) if !role.is_empty() => Some(role.to_string()),
            Some(_) => None,
            None if k == "kubernetes.io/role" && !v.is_empty() => Some(v.clone()),
            None => None,
        })
        .collect();
    roles.sort();
    roles.dedup();
    roles
}

fn describe_lease(w: &mut Writer, node_name: &str, lease: Option<&Lease>) {
    if lease.is_none() && w.style().missing_lease_error {
        let error = format!("leases.coordination.k8s.io \"{node_name}\" not found");
        w.field(0, "Lease", format!("Failed to get lease: {error}"));
        return;
    }
    let spec = lease.and_then(|l| l.spec.as_ref());
    let micro = |t: Option<&MicroTime>| t.map_or("<unset>".to_string(), |t| rfc1123z(t.0));
    w.line(0, "Lease:");
    w.field(
        1,
        "HolderIdentity",
        spec.and_then(|s| s.holder_identity.clone()).unwrap_or_else(|| "<unset>".into()),
    );
    w.field(1, "AcquireTime", micro(spec.and_then(|s| s.acquire_time.as_ref())));
    w.field(1, "RenewTime", micro(spec.and_then(|s| s.renew_time.as_ref())));
}

/// Each value but the message is followed by a space before its tab.
fn conditions(w: &mut Writer, status: &NodeStatus) {
    let conditions = status.conditions.as_deref().unwrap_or_default();
    if conditions.is_empty() {
        return;
    }
    w.line(0, "Conditions:");
    w.line(1, "Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage");
    w.line(1, "----\t------\t-----------------\t------------------\t------\t-------");
    let time = |t: Option<&Time>| rfc1123z_or_zero(t);
    for c in conditions {
        w.line(
            1,
            &format!(
                "{} \t{} \t{} \t{} \t{} \t{}",
                c.type_,
                c.status,
                time(c.last_heartbeat_time.as_ref()),
                time(c.last_transition_time.as_ref()),
                c.reason.as_deref().unwrap_or(""),
                c.message.as_deref().unwrap_or("")
            ),
        );
    }
}

fn addresses_and_capacity(w: &mut Writer, status: &NodeStatus) {
    w.line(0, "Addresses:");
    for address in status.addresses.iter().flatten() {
        w.field(1, &address.type_, &address.address);
    }
    for (title, list) in [("Capacity", &status.capacity), ("Allocatable", &status.allocatable)] {
        let Some(list) = list.as_ref().filter(|l| !l.is_empty()) else {
            continue;
        };
        w.line(0, &format!("{title}:"));
        for (name, quantity) in list {
            w.field(1, name, Quantity::of(quantity));
        }
    }
}

fn system_info(w: &mut Writer, status: &NodeStatus) {
    let info = status.node_info.clone().unwrap_or_default();
    w.line(0, "System Info:");
    let fields = [
        ("Machine ID", &info.machine_id),
        ("System UUID", &info.system_uuid),
        ("Boot ID", &info.boot_id),
        ("Kernel Version", &info.kernel_version),
        ("OS Image", &info.os_image),
        ("Operating System", &info.operating_system),
        ("Architecture", &info.architecture),
        ("Container Runtime Version", &info.container_runtime_version),
        ("Kubelet Version", &info.kubelet_version),
        ("Kube-Proxy Version", &info.kube_proxy_version),
    ];
    for (label, value) in fields {
        w.field(1, label, value);
    }
}

fn cidrs(w: &mut Writer, spec: &NodeSpec) {
    if let Some(cidr) = spec.pod_cidr.as_deref().filter(|s| !s.is_empty()) {
        w.field(0, "PodCIDR", cidr);
    }
    if let Some(cidrs) = spec.pod_cidrs.as_deref().filter(|c| !c.is_empty()) {
        w.field(0, "PodCIDRs", cidrs.join(","));
    }
    if let Some(provider) = spec.provider_id.as_deref().filter(|s| !s.is_empty()) {
        w.field(0, "ProviderID", provider);
    }
}

/// Requests and limits of one pod or of all pods, by resource name.
struct Usage {
    requests: ResourceList,
    limits: ResourceList,
}

impl Usage {
    fn request(&self, name: &str) -> Quantity {
        self.requests.get(name).copied().unwrap_or(Quantity::ZERO)
    }

    fn limit(&self, name: &str) -> Quantity {
        self.limits.get(name).copied().unwrap_or(Quantity::ZERO)
    }
}

/// The pod table and `Allocated resources:`.
fn node_resources(w: &mut Writer, status: &NodeStatus, pods: &[&Pod], env: &DescribeEnv) {
    let allocatable: ResourceList = match status.allocatable.as_ref().filter(|a| !a.is_empty()) {
        Some(a) => a.iter().map(|(k, v)| (k.clone(), Quantity::of(v))).collect(),
        None => status.capacity.iter().flatten().map(|(k, v)| (k.clone(), Quantity::of(v))).collect(),
    };
    let alloc = |name: &str| allocatable.get(name).copied().unwrap_or(Quantity::ZERO);
    let (cpu, memory) = (alloc("cpu").milli_value(), alloc("memory").value());

    w.field(0, "Non-terminated Pods", format!("({} in total)", pods.len()));
    let age = w.style().node_pods_age_header;
    w.line(1, &format!("Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\t{age}"));
    w.line(1, "---------\t----\t\t------------\t----------\t---------------\t-------------\t---");
    let now = env.now_wall();
    let mut total = Usage { requests: ResourceList::new(), limits: ResourceList::new() };
    for pod in pods {
        let (requests, limits) = pod_requests_and_limits(pod);
        let usage = Usage { requests, limits };
        // No zero guard here in kubectl: a node without allocatable cpu prints Go's
        // conversion of NaN/Inf.
        let with_pct = |q: Quantity, of: i64, milli: bool| {
            let v = if milli { q.milli_value() } else { q.value() };
            format!("{q} ({}%)", percent(v, of))
        };
        let created = pod.metadata.creation_timestamp.as_ref().map(|t| t.0);
        w.line(
            1,
            &format!(
                "{}\t{}\t\t{}\t{}\t{}\t{}\t{}",
                pod.metadata.namespace.as_deref().unwrap_or(""),
                pod.metadata.name.as_deref().unwrap_or(""),
                with_pct(usage.request("cpu"), cpu, true),
                with_pct(usage.limit("cpu"), cpu, true),
                with_pct(usage.request("memory"), memory, false),
                with_pct(usage.limit("memory"), memory, false),
                translate_timestamp_since(now, created),
            ),
        );
        accumulate(&mut total.requests, &usage.requests);
        accumulate(&mut total.limits, &usage.limits);
    }
    allocated_resources(w, &allocatable, &total);
}

fn accumulate(total: &mut ResourceList, pod: &ResourceList) {
    for (name, q) in pod {
        total.entry(name.clone()).and_modify(|t| t.add(q)).or_insert(*q);
    }
}

/// `Allocated resources:`: cpu, memory, ephemeral-storage, huge pages (1.18+), then
/// extended resources without percentages. Totals guard against a zero allocatable.
fn allocated_resources(w: &mut Writer, allocatable: &ResourceList, total: &Usage) {
    w.line(0, "Allocated resources:");
    w.line(1, "(Total limits may be over 100 percent, i.e., overcommitted.)");
    w.line(1, "Resource\tRequests\tLimits");
    w.line(1, "--------\t--------\t------");
    let row = |w: &mut Writer, name: &str, milli: bool| {
        let value = |q: Quantity| if milli { q.milli_value() } else { q.value() };
        let of = value(allocatable.get(name).copied().unwrap_or(Quantity::ZERO));
        let pct = |q: Quantity| if of == 0 { 0 } else { percent(value(q), of) };
        let (req, lim) = (total.request(name), total.limit(name));
        w.line(1, &format!("{name}\t{req} ({}%)\t{lim} ({}%)", pct(req), pct(lim)));
    };
    row(w, "cpu", true);
    row(w, "memory", false);
    row(w, "ephemeral-storage", false);
    if w.style().node_hugepages_allocated {
        for name in allocatable.keys().filter(|n| n.starts_with("hugepages-")) {
            row(w, name, false);
        }
    }
    let standard =
        |n: &str| matches!(n, "cpu" | "memory" | "ephemeral-storage" | "pods") || n.starts_with("hugepages-");
    for name in allocatable.keys().filter(|n| !standard(n)) {
        w.line(1, &format!("{name}\t{}\t{}", total.request(name), total.limit(name)));
    }
}
