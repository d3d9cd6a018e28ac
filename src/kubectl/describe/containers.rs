//! Container blocks (`describeContainers`), shared by pods and pod templates.
//!
//! A pod shows each container with its status (ID, image ID, state, readiness,
//! restarts); a pod template has no statuses and indents container names by one more
//! space. Field order and the `<none>` placeholders follow kubectl; the tabwriter
//! aligns each run of `Label:\tvalue` lines, which is why a multi-line `Command:` or
//! `Mounts:` splits a container's fields into separately aligned groups.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    Container, ContainerPort, ContainerState, ContainerStatus, EnvFromSource, EnvVar, EphemeralContainer,
    Pod, Probe, ResourceFieldSelector, ResourceRequirements,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity as ApiQuantity;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::quantity::Quantity;
use super::writer::{Writer, go_quote, rfc1123z_or_zero, title_bool};

/// Where the containers come from: a pod (statuses, field refs resolvable) or a
/// template (neither).
#[derive(Clone, Copy)]
pub(crate) enum Source<'a> {
    Pod { pod: &'a Pod, statuses: &'a [ContainerStatus] },
    Template,
}

/// `describeContainers`: the `label:` line, then every container. `space` is `"  "`
/// inside pod templates and empty for pods.
pub(crate) fn describe_containers(
    w: &mut Writer,
    label: &str,
    containers: &[Container],
    source: Source,
    space: &str,
) {
    let none = if containers.is_empty() { " <none>" } else { "" };
    w.line(0, &format!("{space}{label}:{none}"));
    let statuses: BTreeMap<&str, &ContainerStatus> = match source {
        Source::Pod { statuses, .. } => statuses.iter().map(|s| (s.name.as_str(), s)).collect(),
        Source::Template => BTreeMap::new(),
    };
    let pod = match source {
        Source::Pod { pod, .. } => Some(pod),
        Source::Template => None,
    };
    for container in containers {
        let status = statuses.get(container.name.as_str()).copied();
        describe_container(w, container, status, pod, space);
    }
}

fn describe_container(
    w: &mut Writer,
    c: &Container,
    status: Option<&ContainerStatus>,
    pod: Option<&Pod>,
    space: &str,
) {
    basic_info(w, c, status, space);
    command(w, c);
    if let Some(status) = status {
        container_state(w, status);
    }
    if let Some(resources) = &c.resources {
        describe_resources(w, resources, 2);
    }
    probes(w, c);
    if c.env_from.as_ref().is_some_and(|e| !e.is_empty()) {
        env_from(w, c.env_from.as_deref().unwrap_or_default());
    }
    env_vars(w, c, pod);
    mounts(w, c);
}

fn basic_info(w: &mut Writer, c: &Container, status: Option<&ContainerStatus>, space: &str) {
    let name_indent = if space.is_empty() { "" } else { " " };
    w.line(1, &format!("{name_indent}{}:", c.name));
    if let Some(status) = status {
        w.field(2, "Container ID", status.container_id.as_deref().unwrap_or(""));
    }
    w.field(2, "Image", c.image.as_deref().unwrap_or(""));
    if let Some(status) = status {
        w.field(2, "Image ID", &status.image_id);
    }
    let ports = c.ports.as_deref().unwrap_or_default();
    port_line(w, "Port", "Ports", &join_ports(ports, |p| p.container_port));
    port_line(w, "Host Port", "Host Ports", &join_ports(ports, |p| p.host_port.unwrap_or(0)));
    if w.style().seccomp_profile
        && let Some(profile) = c.security_context.as_ref().and_then(|s| s.seccomp_profile.as_ref())
    {
        w.field(2, "SeccompProfile", &profile.type_);
        if profile.type_ == "Localhost" {
            w.field(3, "LocalhostProfile", profile.localhost_profile.as_deref().unwrap_or(""));
        }
    }
}

/// `80/TCP, 443/TCP`; the protocol is printed as stored (the apiserver defaults it).
fn join_ports(ports: &[ContainerPort], number: impl Fn(&ContainerPort) -> i32) -> String {
    ports
        .iter()
        .map(|p| format!("{}/{}", number(p), p.protocol.as_deref().unwrap_or("")))
        .collect::<Vec<_>>()
        .join(", ")
}

/// kubectl picks the plural label when the joined list contains a comma.
fn port_line(w: &mut Writer, singular: &str, plural: &str, joined: &str) {
    if joined.contains(',') {
        w.field(2, plural, joined);
    } else {
        w.field(2, singular, if joined.is_empty() { "<none>" } else { joined });
    }
}

fn command(w: &mut Writer, c: &Container) {
    for (label, items) in [("Command", &c.command), ("Args", &c.args)] {
        let items = items.as_deref().unwrap_or_default();
        if items.is_empty() {
            continue;
        }
        w.line(2, &format!("{label}:"));
        for line in items.iter().flat_map(|item| item.split('\n')) {
            w.line(3, line);
        }
    }
}

fn container_state(w: &mut Writer, status: &ContainerStatus) {
    describe_status(w, "State", status.state.as_ref());
    if let Some(last) = status.last_state.as_ref().filter(|s| s.terminated.is_some()) {
        describe_status(w, "Last State", Some(last));
    }
    w.field(2, "Ready", title_bool(status.ready));
    w.field(2, "Restart Count", status.restart_count);
}

/// `describeStatus`: a missing state reads as Waiting, like Go's empty struct.
fn describe_status(w: &mut Writer, name: &str, state: Option<&ContainerState>) {
    let state = state.cloned().unwrap_or_default();
    if let Some(running) = &state.running {
        w.field(2, name, "Running");
        w.field(3, "Started", rfc1123z_or_zero(running.started_at.as_ref()));
    } else if let Some(waiting) = &state.waiting {
        w.field(2, name, "Waiting");
        if let Some(reason) = waiting.reason.as_deref().filter(|r| !r.is_empty()) {
            w.field(3, "Reason", reason);
        }
    } else if let Some(t) = &state.terminated {
        w.field(2, name, "Terminated");
        if let Some(reason) = t.reason.as_deref().filter(|r| !r.is_empty()) {
            w.field(3, "Reason", reason);
        }
        if let Some(message) = t.message.as_deref().filter(|m| !m.is_empty()) {
            w.field(3, "Message", message);
        }
        w.field(3, "Exit Code", t.exit_code);
        if let Some(signal) = t.signal.filter(|s| *s > 0) {
            w.field(3, "Signal", signal);
        }
        w.field(3, "Started", rfc1123z_or_zero(t.started_at.as_ref()));
        w.field(3, "Finished", rfc1123z_or_zero(t.finished_at.as_ref()));
    } else {
        w.field(2, name, "Waiting");
    }
}

/// `Limits:` and `Requests:`, resource names sorted, quantities canonical.
pub(crate) fn describe_resources(w: &mut Writer, resources: &ResourceRequirements, level: usize) {
    for (label, list) in [("Limits", &resources.limits), ("Requests", &resources.requests)] {
        let Some(list) = list.as_ref().filter(|l| !l.is_empty()) else {
            continue;
        };
        w.line(level, &format!("{label}:"));
        for (name, quantity) in list {
            w.field(level + 1, name, Quantity::of(quantity));
        }
    }
}

fn probes(w: &mut Writer, c: &Container) {
    let all =
        [("Liveness", &c.liveness_probe), ("Readiness", &c.readiness_probe), ("Startup", &c.startup_probe)];
    for (label, probe) in all {
        if let Some(probe) = probe {
            w.field(2, label, describe_probe(probe));
        }
    }
}

/// `DescribeProbe`: the handler, then `delay=… timeout=… period=… #success=… #failure=…`
/// with unset numbers as 0 (the apiserver defaults them, kubectl prints what is stored).
pub(crate) fn describe_probe(p: &Probe) -> String {
    let attrs = format!(
        "delay={}s timeout={}s period={}s #success={} #failure={}",
        p.initial_delay_seconds.unwrap_or(0),
        p.timeout_seconds.unwrap_or(0),
        p.period_seconds.unwrap_or(0),
        p.success_threshold.unwrap_or(0),
        p.failure_threshold.unwrap_or(0),
    );
    if let Some(exec) = &p.exec {
        format!("exec [{}] {attrs}", exec.command.as_deref().unwrap_or_default().join(" "))
    } else if let Some(http) = &p.http_get {
        let scheme = http.scheme.as_deref().unwrap_or("").to_lowercase();
        let url = probe_url(
            &scheme,
            http.host.as_deref().unwrap_or(""),
            &int_or_string(&http.port),
            http.path.as_deref().unwrap_or(""),
        );
        format!("http-get {url} {attrs}")
    } else if let Some(tcp) = &p.tcp_socket {
        format!("tcp-socket {}:{} {attrs}", tcp.host.as_deref().unwrap_or(""), int_or_string(&tcp.port))
    } else if let Some(grpc) = &p.grpc {
        format!("grpc <pod>:{} {} {attrs}", grpc.port, grpc.service.as_deref().unwrap_or(""))
    } else {
        format!("unknown {attrs}")
    }
}

fn int_or_string(v: &IntOrString) -> String {
    match v {
        IntOrString::Int(i) => i.to_string(),
        IntOrString::String(s) => s.clone(),
    }
}

/// What Go's `url.URL{Scheme, Host: JoinHostPort(host, port), Path}.String()` gives.
fn probe_url(scheme: &str, host: &str, port: &str, path: &str) -> String {
    let host = if port.is_empty() {
        host.to_string()
    } else if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    };
    let mut out = String::new();
    if !scheme.is_empty() {
        out.push_str(scheme);
        out.push(':');
    }
    if (!scheme.is_empty() || !host.is_empty()) && (!host.is_empty() || !path.is_empty()) {
        out.push_str("//");
        out.push_str(&escape_url(&host, false));
    }
    let path = escape_url(path, true);
    if !path.is_empty() && !path.starts_with('/') && !host.is_empty() {
        out.push('/');
    }
    out.push_str(&path);
    out
}

/// Go's `url.escape` in path or host mode, for the bytes probes can contain.
fn escape_url(s: &str, path: bool) -> String {
    let keep = |b: u8| match b {
        b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => true,
        b'$' | b'&' | b'+' | b',' | b'/' | b':' | b';' | b'=' | b'@' if path => true,
        b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'=' | b':' | b'[' | b']'
        | b'<' | b'>' | b'"'
            if !path =>
        {
            true
        }
        _ => false,
    };
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if keep(b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn env_from(w: &mut Writer, sources: &[EnvFromSource]) {
    w.line(2, "Environment Variables from:");
    for source in sources {
        let (kind, name, optional) = if let Some(cm) = &source.config_map_ref {
            ("ConfigMap", cm.name.as_str(), cm.optional.unwrap_or(false))
        } else if let Some(secret) = &source.secret_ref {
            ("Secret", secret.name.as_str(), secret.optional.unwrap_or(false))
        } else {
            ("", "", false)
        };
        match source.prefix.as_deref().filter(|p| !p.is_empty()) {
            None => w.line(3, &format!("{name}\t{kind}\tOptional: {optional}")),
            Some(prefix) => {
                w.line(3, &format!("{name}\t{kind} with prefix '{prefix}'\tOptional: {optional}"))
            }
        }
    }
}

fn env_vars(w: &mut Writer, c: &Container, pod: Option<&Pod>) {
    let env = c.env.as_deref().unwrap_or_default();
    if env.is_empty() {
        w.field(2, "Environment", "<none>");
        return;
    }
    w.line(2, "Environment:");
    for var in env {
        env_var(w, var, c, pod);
    }
}

fn env_var(w: &mut Writer, var: &EnvVar, c: &Container, pod: Option<&Pod>) {
    let Some(from) = &var.value_from else {
        let value = var.value.as_deref().unwrap_or("");
        for (i, line) in value.split('\n').enumerate() {
            if i == 0 {
                w.field(3, &var.name, line);
            } else {
                w.line(3, &format!("\t{line}"));
            }
        }
        return;
    };
    let name = &var.name;
    if let Some(field) = &from.field_ref {
        let value = pod.map(|p| field_path_value(p, &field.field_path)).unwrap_or_default();
        let api_version = field.api_version.as_deref().unwrap_or("");
        w.line(3, &format!("{name}:\t{value} ({api_version}:{})", field.field_path));
    } else if let Some(res) = &from.resource_field_ref {
        let mut value = container_resource_value(res, c).unwrap_or_default();
        let resource = res.resource.as_str();
        if value == "0" && (resource == "limits.cpu" || resource == "limits.memory") {
            value = "node allocatable".into();
        }
        w.line(3, &format!("{name}:\t{value} ({resource})"));
    } else if let Some(secret) = &from.secret_key_ref {
        let optional = secret.optional.unwrap_or(false);
        w.line(
            3,
            &format!(
                "{name}:\t<set to the key '{}' in secret '{}'>\tOptional: {optional}",
                secret.key, secret.name
            ),
        );
    } else if let Some(cm) = &from.config_map_key_ref {
        let optional = cm.optional.unwrap_or(false);
        w.line(
            3,
            &format!(
                "{name}:\t<set to the key '{}' of config map '{}'>\tOptional: {optional}",
                cm.key, cm.name
            ),
        );
    }
}

/// kubectl's `fieldpath.ExtractFieldPathAsString`: only metadata paths resolve; any
/// other path (`spec.nodeName`, `status.podIP`) prints empty.
fn field_path_value(pod: &Pod, path: &str) -> String {
    let meta = &pod.metadata;
    if let Some((base, key)) = subscript(path) {
        let map = match base {
            "metadata.labels" => &meta.labels,
            "metadata.annotations" => &meta.annotations,
            _ => return String::new(),
        };
        return map.as_ref().and_then(|m| m.get(key)).cloned().unwrap_or_default();
    }
    match path {
        "metadata.name" => meta.name.clone().unwrap_or_default(),
        "metadata.namespace" => meta.namespace.clone().unwrap_or_default(),
        "metadata.uid" => meta.uid.clone().unwrap_or_default(),
        "metadata.labels" => format_map(meta.labels.as_ref()),
        "metadata.annotations" => format_map(meta.annotations.as_ref()),
        _ => String::new(),
    }
}

/// `metadata.labels['app']` → (`metadata.labels`, `app`).
fn subscript(path: &str) -> Option<(&str, &str)> {
    let (base, rest) = path.split_once("['")?;
    Some((base, rest.strip_suffix("']")?))
}

/// `fieldpath.FormatMap`: sorted `key="value"` lines.
fn format_map(map: Option<&BTreeMap<String, String>>) -> String {
    map.into_iter().flatten().map(|(k, v)| format!("{k}={}", go_quote(v))).collect::<Vec<_>>().join("\n")
}

/// `ExtractContainerResourceValue`: the container's own limit or request divided by
/// the divisor (default 1), rounded up. `None` for resources kubectl does not know.
fn container_resource_value(sel: &ResourceFieldSelector, c: &Container) -> Option<String> {
    let divisor = sel.divisor.as_ref().map(Quantity::of).filter(|d| !d.is_zero()).unwrap_or(ONE);
    let (kind, name) = sel.resource.split_once('.')?;
    let resources = c.resources.as_ref();
    let list = match kind {
        "limits" => resources.and_then(|r| r.limits.as_ref()),
        "requests" => resources.and_then(|r| r.requests.as_ref()),
        _ => return None,
    };
    let amount = |n: &str| lookup(list, n);
    let ceil_div = |a: i64, b: i64| (a as f64 / b as f64).ceil() as i64;
    let value = match name {
        "cpu" => ceil_div(amount("cpu").milli_value(), divisor.milli_value()),
        "memory" | "ephemeral-storage" => ceil_div(amount(name).value(), divisor.value()),
        n if n.starts_with("hugepages-") => ceil_div(amount(n).value(), divisor.value()),
        _ => return None,
    };
    Some(value.to_string())
}

/// The default divisor, `resource.MustParse("1")`.
const ONE: Quantity = Quantity::from_units(1);

fn lookup(list: Option<&BTreeMap<String, ApiQuantity>>, name: &str) -> Quantity {
    list.and_then(|l| l.get(name)).map(Quantity::of).unwrap_or(Quantity::ZERO)
}

fn mounts(w: &mut Writer, c: &Container) {
    let mounts = c.volume_mounts.as_deref().unwrap_or_default();
    if mounts.is_empty() {
        w.field(2, "Mounts", "<none>");
    } else {
        w.line(2, "Mounts:");
    }
    let mut sorted: Vec<_> = mounts.iter().collect();
    sorted.sort_by(|a, b| a.mount_path.cmp(&b.mount_path));
    for m in sorted {
        let mut flags = vec![if m.read_only == Some(true) { "ro".to_string() } else { "rw".to_string() }];
        if let Some(sub) = m.sub_path.as_deref().filter(|s| !s.is_empty()) {
            flags.push(format!("path={}", go_quote(sub)));
        }
        w.line(3, &format!("{} from {} ({})", m.mount_path, m.name, flags.join(",")));
    }
    let devices = c.volume_devices.as_deref().unwrap_or_default();
    if !devices.is_empty() {
        // Go reuses the (empty) mounts placeholder here.
        let none = if mounts.is_empty() { "\t<none>" } else { "" };
        w.line(2, &format!("Devices:{none}"));
        let mut sorted: Vec<_> = devices.iter().collect();
        sorted.sort_by(|a, b| a.device_path.cmp(&b.device_path));
        for d in sorted {
            w.line(3, &format!("{} from {}", d.device_path, d.name));
        }
    }
}

/// An ephemeral container seen as a container, as kubectl converts it (the shared
/// fields are identical; describe reads no other).
pub(crate) fn ephemeral_as_container(e: &EphemeralContainer) -> Container {
    Container {
        name: e.name.clone(),
        image: e.image.clone(),
        command: e.command.clone(),
        args: e.args.clone(),
        ports: e.ports.clone(),
        env: e.env.clone(),
        env_from: e.env_from.clone(),
        resources: e.resources.clone(),
        liveness_probe: e.liveness_probe.clone(),
        readiness_probe: e.readiness_probe.clone(),
        startup_probe: e.startup_probe.clone(),
        security_context: e.security_context.clone(),
        volume_mounts: e.volume_mounts.clone(),
        volume_devices: e.volume_devices.clone(),
        ..Container::default()
    }
}
