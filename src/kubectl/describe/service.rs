//! `kubectl describe service` (`describeService`).

use k8s_openapi::api::core::v1::{Endpoints, Service};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::DescribeEnv;
use super::events::describe_events;
use super::writer::{Writer, annotations, format_labels, labels};
use crate::kubectl::printers::service::format_endpoints;

/// Renders `kubectl describe service`; `endpoints` is the Service's Endpoints object
/// (kubesim keeps no EndpointSlices: newer kubectl's slice view is derived from it).
pub fn describe_service(svc: &Service, endpoints: Option<&Endpoints>, env: &DescribeEnv) -> String {
    let style = env.style();
    let mut w = Writer::new(&style);
    let spec = svc.spec.clone().unwrap_or_default();
    w.field(0, "Name", svc.metadata.name.as_deref().unwrap_or(""));
    w.field(0, "Namespace", svc.metadata.namespace.as_deref().unwrap_or(""));
    labels(&mut w, "Labels", svc.metadata.labels.as_ref());
    annotations(&mut w, "Annotations", svc.metadata.annotations.as_ref());
    w.field(0, "Selector", format_labels(spec.selector.as_ref()));
    w.field(0, "Type", spec.type_.as_deref().unwrap_or(""));
    if style.service_ip_families {
        if let Some(policy) = &spec.ip_family_policy {
            w.field(0, "IP Family Policy", policy);
        }
        match spec.ip_families.as_ref().filter(|f| !f.is_empty()) {
            Some(f) => w.field(0, "IP Families", f.join(",")),
            None => w.field(0, "IP Families", "<none>"),
        }
    }
    w.field(0, "IP", spec.cluster_ip.as_deref().unwrap_or(""));
    if style.service_ip_families {
        match spec.cluster_ips.as_ref().filter(|f| !f.is_empty()) {
            Some(ips) => w.field(0, "IPs", ips.join(",")),
            None => w.field(0, "IPs", "<none>"),
        }
    }
    if let Some(ext) = spec.external_ips.as_ref().filter(|e| !e.is_empty()) {
        w.field(0, "External IPs", ext.join(","));
    }
    if let Some(name) = spec.external_name.as_ref().filter(|n| !n.is_empty()) {
        w.field(0, "External Name", name);
    }
    let ingress: Vec<String> = svc
        .status
        .as_ref()
        .and_then(|s| s.load_balancer.as_ref())
        .and_then(|l| l.ingress.as_ref())
        .map(|i| i.iter().filter_map(|i| i.ip.clone().or(i.hostname.clone())).collect())
        .unwrap_or_default();
    if !ingress.is_empty() {
        w.field(0, "LoadBalancer Ingress", ingress.join(", "));
    }
    for sp in spec.ports.iter().flatten() {
        let name = sp.name.clone().filter(|n| !n.is_empty()).unwrap_or_else(|| "<unset>".into());
        let proto = sp.protocol.as_deref().unwrap_or("");
        w.line(0, &format!("Port:\t{name}\t{}/{proto}", sp.port));
        match &sp.target_port {
            Some(IntOrString::String(s)) => w.field(0, "TargetPort", format!("{s}/{proto}")),
            Some(IntOrString::Int(i)) => w.field(0, "TargetPort", format!("{i}/{proto}")),
            None => w.field(0, "TargetPort", format!("0/{proto}")),
        }
        if let Some(np) = sp.node_port.filter(|&n| n != 0) {
            w.line(0, &format!("NodePort:\t{name}\t{np}/{proto}"));
        }
        let port_name = sp.name.clone().unwrap_or_default();
        w.field(0, "Endpoints", endpoints_cell(endpoints, &port_name, style.service_endpoint_slices));
    }
    w.field(0, "Session Affinity", spec.session_affinity.as_deref().unwrap_or(""));
    if let Some(p) = spec.external_traffic_policy.as_ref().filter(|p| !p.is_empty()) {
        w.field(0, "External Traffic Policy", p);
    }
    if style.service_internal_traffic_policy
        && let Some(p) = &spec.internal_traffic_policy
    {
        w.field(0, "Internal Traffic Policy", p);
    }
    if let Some(hc) = spec.health_check_node_port.filter(|&h| h != 0) {
        w.field(0, "HealthCheck NodePort", hc);
    }
    if let Some(r) = spec.load_balancer_source_ranges.as_ref().filter(|r| !r.is_empty()) {
        w.field(0, "LoadBalancer Source Ranges", r.join(","));
    }
    describe_events(&mut w, env, &env.events);
    w.finish()
}

/// One port's `Endpoints:` value: from the Endpoints object (ready addresses), or as
/// `formatEndpointSlices` shows the EndpointSlices the controller mirrors from it (every
/// endpoint, ready or not; nothing listed is an empty value).
fn endpoints_cell(endpoints: Option<&Endpoints>, port_name: &str, slices: bool) -> String {
    let Some(ep) = endpoints else { return "<none>".into() };
    if !slices {
        return format_endpoints(ep, Some(port_name));
    }
    let mut all = ep.clone();
    for ss in all.subsets.iter_mut().flatten() {
        let mut addresses = ss.addresses.take().unwrap_or_default();
        addresses.extend(ss.not_ready_addresses.take().unwrap_or_default());
        ss.addresses = Some(addresses);
    }
    if all.subsets.as_ref().is_none_or(|s| s.is_empty()) {
        return String::new();
    }
    format_endpoints(&all, Some(port_name))
}
