//! `kubectl describe endpoints` (`describeEndpoints`, the same from 1.15 to 1.33).

use k8s_openapi::api::core::v1::{EndpointAddress, Endpoints};

use super::DescribeEnv;
use super::events::describe_events;
use super::writer::{Writer, annotations, labels};

/// Renders `kubectl describe endpoints`: each subset's ready and not-ready IPs and its
/// ports, each subset followed by a blank line.
pub fn describe_endpoints(ep: &Endpoints, env: &DescribeEnv) -> String {
    let style = env.style();
    let mut w = Writer::new(&style);
    w.field(0, "Name", ep.metadata.name.as_deref().unwrap_or(""));
    w.field(0, "Namespace", ep.metadata.namespace.as_deref().unwrap_or(""));
    labels(&mut w, "Labels", ep.metadata.labels.as_ref());
    annotations(&mut w, "Annotations", ep.metadata.annotations.as_ref());
    w.line(0, "Subsets:");
    for subset in ep.subsets.iter().flatten() {
        w.field(1, "Addresses", ips(subset.addresses.as_deref()));
        w.field(1, "NotReadyAddresses", ips(subset.not_ready_addresses.as_deref()));
        let ports = subset.ports.as_deref().unwrap_or_default();
        if !ports.is_empty() {
            w.line(1, "Ports:");
            w.line(2, "Name\tPort\tProtocol");
            w.line(2, "----\t----\t--------");
            for port in ports {
                let name = port.name.as_deref().filter(|n| !n.is_empty()).unwrap_or("<unset>");
                w.line(2, &format!("{name}\t{}\t{}", port.port, port.protocol.as_deref().unwrap_or("")));
            }
        }
        w.line(0, "");
    }
    describe_events(&mut w, env, &env.events);
    w.finish()
}

/// The addresses' IPs joined by commas, `<none>` without any.
fn ips(addresses: Option<&[EndpointAddress]>) -> String {
    let list: Vec<&str> = addresses.unwrap_or_default().iter().map(|a| a.ip.as_str()).collect();
    if list.is_empty() { "<none>".into() } else { list.join(",") }
}
