//! `kubectl get svc` (`printService`): NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE
//! [SELECTOR], and `kubectl get endpoints` (`printEndpoints`): NAME ENDPOINTS AGE.

use k8s_openapi::api::core::v1::{Endpoints, Service};

use super::{Column, PrintContext, Row, col, row, wide};
use crate::api::selector::format_labels;
use crate::constants;

pub const COLUMNS: &[Column] = &[
    col("NAME"),
    col("TYPE"),
    col("CLUSTER-IP"),
    col("EXTERNAL-IP"),
    col("PORT(S)"),
    col("AGE"),
    wide("SELECTOR"),
];

pub fn print(svc: &Service, ctx: &PrintContext) -> Row {
    let spec = svc.spec.clone().unwrap_or_default();
    let type_ = spec.type_.clone().unwrap_or_default();
    let cluster_ip = match spec.cluster_ips.as_ref().and_then(|v| v.first()) {
        Some(ip) => ip.clone(),
        None => spec.cluster_ip.clone().filter(|s| !s.is_empty()).unwrap_or_else(|| "<none>".into()),
    };
    row(
        &svc.metadata,
        vec![
            type_,
            cluster_ip,
            external_ip(svc, false),
            ports(svc),
            ctx.age(svc.metadata.creation_timestamp.as_ref()),
            format_labels(spec.selector.as_ref()),
        ],
    )
}

/// `getServiceExternalIP`.
fn external_ip(svc: &Service, wide: bool) -> String {
    let spec = svc.spec.clone().unwrap_or_default();
    let external = spec.external_ips.clone().unwrap_or_default();
    match spec.type_.as_deref().unwrap_or("") {
        "ClusterIP" | "NodePort" => {
            if external.is_empty() {
                "<none>".into()
            } else {
                external.join(",")
            }
        }
        "LoadBalancer" => {
            let mut lb: Vec<String> = svc
                .status
                .as_ref()
                .and_then(|s| s.load_balancer.as_ref())
                .and_then(|l| l.ingress.as_ref())
                .map(|ing| {
                    ing.iter()
                        .filter_map(|i| i.ip.clone().filter(|s| !s.is_empty()).or(i.hostname.clone()))
                        .collect()
                })
                .unwrap_or_default();
            lb.sort();
            lb.dedup();
            let mut text = lb.join(",");
            if !wide && text.len() > 16 {
                text = format!("{}...", &text[..13]);
            }
            let mut all: Vec<String> = Vec::new();
            if !text.is_empty() {
                all.push(text);
            }
            all.extend(external);
            if all.is_empty() { "<pending>".into() } else { all.join(",") }
        }
        "ExternalName" => spec.external_name.clone().unwrap_or_default(),
        _ => "<unknown>".into(),
    }
}

/// `makePortString`: `80/TCP`, `80:32465/TCP`, comma-joined.
fn ports(svc: &Service) -> String {
    let list: Vec<String> = svc
        .spec
        .iter()
        .flat_map(|s| s.ports.iter().flatten())
        .map(|p| {
            let proto = p.protocol.clone().unwrap_or_default();
            match p.node_port {
                Some(np) if np > 0 => format!("{}:{np}/{proto}", p.port),
                _ => format!("{}/{proto}", p.port),
            }
        })
        .collect();
    if list.is_empty() { "<none>".into() } else { list.join(",") }
}

pub const ENDPOINTS_COLUMNS: &[Column] = &[col("NAME"), col("ENDPOINTS"), col("AGE")];

pub fn print_endpoints(ep: &Endpoints, ctx: &PrintContext) -> Row {
    row(&ep.metadata, vec![format_endpoints(ep, None), ctx.age(ep.metadata.creation_timestamp.as_ref())])
}

/// `formatEndpoints`: ready `ip:port` pairs (ports outer, addresses inner), at most 3,
/// then ` + N more...`; `<none>` without subsets. `port_name` restricts to one port
/// (describe's per-port line).
pub fn format_endpoints(ep: &Endpoints, port_name: Option<&str>) -> String {
    let Some(subsets) = ep.subsets.as_ref().filter(|s| !s.is_empty()) else { return "<none>".into() };
    let mut list: Vec<String> = Vec::new();
    let mut count = 0usize;
    let mut more = false;
    for ss in subsets {
        let addresses = ss.addresses.as_deref().unwrap_or_default();
        match ss.ports.as_ref().filter(|p| !p.is_empty()) {
            None => {
                if port_name.is_none_or(|n| n.is_empty()) {
                    for a in addresses {
                        if list.len() < constants::ENDPOINTS_SHOWN {
                            list.push(a.ip.clone());
                        } else {
                            more = true;
                        }
                        count += 1;
                    }
                }
            }
            Some(ports) => {
                for port in ports {
                    if let Some(n) = port_name
                        && port.name.as_deref().unwrap_or("") != n
                    {
                        continue;
                    }
                    for a in addresses {
                        if list.len() < constants::ENDPOINTS_SHOWN {
                            list.push(join_host_port(&a.ip, port.port));
                        } else {
                            more = true;
                        }
                        count += 1;
                    }
                }
            }
        }
    }
    let mut text = list.join(",");
    if more {
        text.push_str(&format!(" + {} more...", count - constants::ENDPOINTS_SHOWN));
    }
    text
}

fn join_host_port(ip: &str, port: i32) -> String {
    if ip.contains(':') { format!("[{ip}]:{port}") } else { format!("{ip}:{port}") }
}
