//! Admission (defaults, allocation and validation) for Services and Endpoints.
//!
//! Defaults follow `pkg/apis/core/v1/defaults.go` (`SetDefaults_Service`) and the
//! service registry's REST create (`pkg/registry/core/service/storage`): the ClusterIP
//! and NodePort allocators run at create time, inside the apiserver, so they live here
//! with the defaults. Both allocators draw a random free value from the seeded RNG, as
//! the real bitmap allocators pick a random free offset (`allocator.AllocateNext`,
//! `randomScanStrategy`); from the versions that have static subranges on, they draw
//! from above the subrange first (`randomScanStrategyWithOffset`).

use std::collections::BTreeSet;

use k8s_openapi::api::core::v1::{Endpoints, Service, ServiceSpec, ServiceStatus};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::Admit;
use crate::api::store::Store;
use crate::constants;

pub const SERVICE_TYPES: &[&str] = &["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"];

/// The store's service CIDR as (first address as u32, size).
fn service_range(store: &Store) -> (u32, u64) {
    let (base, prefix) = store.service_subnet;
    (base, 1u64 << (32 - prefix))
}

/// `10.1.0.0/16` → (network address, prefix length); `None` unless a valid IPv4 CIDR
/// with a prefix of 8 to 30 bits.
pub fn parse_cidr(text: &str) -> Option<(u32, u32)> {
    let (ip, prefix) = text.trim().split_once('/')?;
    let prefix: u32 = prefix.parse().ok().filter(|p| (8..=30).contains(p))?;
    let ip = parse_ip(ip)?;
    let mask = u32::MAX << (32 - prefix);
    Some((ip & mask, prefix))
}

pub fn ip_text(ip: u32) -> String {
    let [a, b, c, d] = ip.to_be_bytes();
    format!("{a}.{b}.{c}.{d}")
}

fn parse_ip(text: &str) -> Option<u32> {
    let parts: Vec<u8> = text.split('.').map(|p| p.parse::<u8>().ok()).collect::<Option<_>>()?;
    (parts.len() == 4).then(|| u32::from_be_bytes([parts[0], parts[1], parts[2], parts[3]]))
}

/// The address the `kubernetes` Service gets: the range's first usable one (10.96.0.1).
pub fn kubernetes_service_ip(store: &Store) -> String {
    ip_text(service_range(store).0 + 1)
}

fn used_cluster_ips(store: &Store) -> BTreeSet<String> {
    store
        .list::<Service>(None)
        .filter_map(|s| s.spec.as_ref().and_then(|s| s.cluster_ip.clone()))
        .filter(|ip| ip != "None" && !ip.is_empty())
        .collect()
}

fn used_node_ports(store: &Store) -> BTreeSet<i32> {
    store
        .list::<Service>(None)
        .flat_map(|s| s.spec.iter().flat_map(|s| s.ports.iter().flatten()))
        .filter_map(|p| p.node_port)
        .collect()
}

/// A random free value in `[lo, hi]` (inclusive), first in `[lo + offset, hi]` when an
/// offset is given, scanning upward (and wrapping) from a random start, as the bitmap
/// allocators do.
fn pick_free(store: &mut Store, lo: u64, hi: u64, offset: u64, taken: impl Fn(u64) -> bool) -> Option<u64> {
    let mut bands = vec![(lo + offset, hi)];
    if offset > 0 {
        bands.push((lo, lo + offset - 1));
    }
    for (a, b) in bands {
        if a > b {
            continue;
        }
        let size = b - a + 1;
        let start = store.rng.next_u64() % size;
        for i in 0..size {
            let v = a + (start + i) % size;
            if !taken(v) {
                return Some(v);
            }
        }
    }
    None
}

fn allocate_cluster_ip(store: &mut Store) -> Option<String> {
    let (base, size) = service_range(store);
    let used = used_cluster_ips(store);
    // Usable offsets 1..size-2 (network and broadcast excluded, as the bitmap does).
    let (lo, hi) = (1u64, size - 2);
    let offset = if store.profile.service_ip_static_subrange {
        (size / 16).clamp(constants::SERVICE_IP_OFFSET_MIN, constants::SERVICE_IP_OFFSET_MAX)
    } else {
        0
    };
    let pick = pick_free(store, lo, hi, offset, |v| used.contains(&ip_text(base + v as u32)))?;
    Some(ip_text(base + pick as u32))
}

fn allocate_node_port(store: &mut Store, also_taken: &BTreeSet<i32>) -> Option<i32> {
    let used = used_node_ports(store);
    let (lo, hi) = (constants::NODE_PORT_MIN as u64, constants::NODE_PORT_MAX as u64);
    let size = (hi - lo + 1) as i32;
    let offset = if store.profile.node_port_static_subrange {
        (size / 32).clamp(constants::NODE_PORT_OFFSET_MIN, constants::NODE_PORT_OFFSET_MAX) as u64
    } else {
        0
    };
    pick_free(store, lo, hi, offset, |v| used.contains(&(v as i32)) || also_taken.contains(&(v as i32)))
        .map(|v| v as i32)
}

fn needs_node_ports(spec: &ServiceSpec) -> bool {
    match spec.type_.as_deref() {
        Some("NodePort") => true,
        Some("LoadBalancer") => spec.allocate_load_balancer_node_ports != Some(false),
        _ => false,
    }
}

impl Admit for Service {
    fn set_defaults(&mut self, store: &mut Store) {
        let profile = store.profile.clone();
        let spec = self.spec.get_or_insert_with(Default::default);
        spec.type_.get_or_insert_with(|| "ClusterIP".into());
        let external_name = spec.type_.as_deref() == Some("ExternalName");
        if !external_name {
            spec.session_affinity.get_or_insert_with(|| "None".into());
        }
        for port in spec.ports.iter_mut().flatten() {
            port.protocol.get_or_insert_with(|| "TCP".into());
            let unset = match &port.target_port {
                None => true,
                Some(IntOrString::Int(0)) => true,
                Some(IntOrString::String(s)) => s.is_empty(),
                _ => false,
            };
            if unset {
                port.target_port = Some(IntOrString::Int(port.port));
            }
        }
        let node_ports = needs_node_ports(spec);
        if node_ports || spec.type_.as_deref() == Some("LoadBalancer") {
            spec.external_traffic_policy.get_or_insert_with(|| "Cluster".into());
        }
        if spec.type_.as_deref() == Some("LoadBalancer") && profile.service_allocate_lb_node_ports {
            spec.allocate_load_balancer_node_ports.get_or_insert(true);
        }
        if !external_name && profile.service_internal_traffic_policy {
            spec.internal_traffic_policy.get_or_insert_with(|| "Cluster".into());
        }
        // Allocation (only on create: an update carries the allocated values).
        if !external_name && spec.cluster_ip.as_deref().unwrap_or("").is_empty() {
            if let Some(first) =
                spec.cluster_ips.as_ref().and_then(|ips| ips.first()).filter(|ip| !ip.is_empty())
            {
                spec.cluster_ip = Some(first.clone());
            } else if let Some(ip) = allocate_cluster_ip(store) {
                let spec = self.spec.as_mut().expect("defaulted");
                spec.cluster_ip = Some(ip);
            }
        }
        let spec = self.spec.as_mut().expect("defaulted");
        if node_ports {
            let mut mine: BTreeSet<i32> = spec.ports.iter().flatten().filter_map(|p| p.node_port).collect();
            let missing: Vec<usize> = spec
                .ports
                .iter()
                .flatten()
                .enumerate()
                .filter(|(_, p)| p.node_port.unwrap_or(0) == 0)
                .map(|(i, _)| i)
                .collect();
            for i in missing {
                if let Some(port) = allocate_node_port(store, &mine) {
                    mine.insert(port);
                    let spec = self.spec.as_mut().expect("defaulted");
                    spec.ports.as_mut().expect("ports")[i].node_port = Some(port);
                }
            }
        }
        let spec = self.spec.as_mut().expect("defaulted");
        if !external_name && profile.service_ip_families {
            let ip = spec.cluster_ip.clone().unwrap_or_default();
            if spec.cluster_ips.as_ref().is_none_or(|v| v.is_empty()) && !ip.is_empty() {
                spec.cluster_ips = Some(vec![ip]);
            }
            spec.ip_family_policy.get_or_insert_with(|| "SingleStack".into());
            spec.ip_families.get_or_insert_with(|| vec!["IPv4".into()]);
        }
        if self.status.is_none() {
            self.status =
                Some(ServiceStatus { load_balancer: Some(Default::default()), ..Default::default() });
        }
    }

    /// Field checks, then the allocators' (ClusterIP and NodePort already taken).
    fn validate_in(&self, store: &Store) -> Vec<String> {
        let mut causes = self.validate();
        causes.extend(check_allocations(self, store));
        causes
    }

    fn validate(&self) -> Vec<String> {
        let mut causes = Vec::new();
        let Some(spec) = self.spec.as_ref() else { return causes };
        let type_ = spec.type_.as_deref().unwrap_or("ClusterIP");
        if !SERVICE_TYPES.contains(&type_) {
            causes.push(format!(
                "spec.type: Unsupported value: \"{type_}\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\""
            ));
        }
        let headless = spec.cluster_ip.as_deref() == Some("None");
        let ports = spec.ports.as_deref().unwrap_or_default();
        if ports.is_empty() && !headless && type_ != "ExternalName" {
            causes.push("spec.ports: Required value".into());
        }
        if type_ == "ExternalName" && spec.external_name.as_deref().unwrap_or("").is_empty() {
            causes.push("spec.externalName: Required value".into());
        }
        if headless && (type_ == "NodePort" || type_ == "LoadBalancer") {
            causes.push(format!(
                "spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for {type_} services"
            ));
        }
        let mut names = BTreeSet::new();
        for (i, p) in ports.iter().enumerate() {
            let name = p.name.clone().unwrap_or_default();
            if ports.len() > 1 && name.is_empty() {
                causes.push(format!("spec.ports[{i}].name: Required value"));
            } else if !name.is_empty() && !names.insert(name.clone()) {
                causes.push(format!("spec.ports[{i}].name: Duplicate value: \"{name}\""));
            }
            if !(1..=65535).contains(&p.port) {
                causes.push(format!(
                    "spec.ports[{i}].port: Invalid value: {}: must be between 1 and 65535, inclusive",
                    p.port
                ));
            }
            if let Some(proto) = p.protocol.as_deref()
                && !["TCP", "UDP", "SCTP"].contains(&proto)
            {
                causes.push(format!(
                    "spec.ports[{i}].protocol: Unsupported value: \"{proto}\": supported values: \"SCTP\", \"TCP\", \"UDP\""
                ));
            }
            if let Some(np) = p.node_port
                && np != 0
            {
                if type_ != "NodePort" && type_ != "LoadBalancer" {
                    causes.push(format!(
                        "spec.ports[{i}].nodePort: Forbidden: may not be used when `type` is '{type_}'"
                    ));
                } else if !(constants::NODE_PORT_MIN..=constants::NODE_PORT_MAX).contains(&np) {
                    causes.push(format!(
                        "spec.ports[{i}].nodePort: Invalid value: {np}: provided port is not in the valid range. The range of valid ports is {}-{}",
                        constants::NODE_PORT_MIN,
                        constants::NODE_PORT_MAX
                    ));
                }
            }
        }
        causes
    }
}

/// Checks that a new Service's requested ClusterIP and NodePorts are free; the
/// allocators' errors (`provided IP is already allocated`, `provided port is already
/// allocated`).
fn check_allocations(svc: &Service, store: &Store) -> Vec<String> {
    let mut causes = Vec::new();
    let Some(spec) = svc.spec.as_ref() else { return causes };
    let ns = svc.metadata.namespace.as_deref().unwrap_or("default");
    let name = svc.metadata.name.as_deref().unwrap_or("");
    if store.get::<Service>(ns, name).is_some() {
        return causes;
    }
    if let Some(ip) = spec.cluster_ip.as_deref()
        && !ip.is_empty()
        && ip != "None"
    {
        let (base, size) = service_range(store);
        match parse_ip(ip) {
            Some(v) if v > base && (v as u64) < base as u64 + size - 1 => {}
            _ => causes.push(format!(
                "spec.clusterIPs: Invalid value: []string{{\"{ip}\"}}: failed to allocate IP {ip}: the provided IP ({ip}) is not in the valid range. The range of valid IPs is {}/{}",
                ip_text(base),
                store.service_subnet.1
            )),
        }
    }
    if let Some(ip) = spec.cluster_ip.as_deref()
        && used_cluster_ips(store).contains(ip)
    {
        causes.push(format!(
            "spec.clusterIPs: Invalid value: []string{{\"{ip}\"}}: failed to allocate IP {ip}: provided IP is already allocated"
        ));
    }
    let used = used_node_ports(store);
    for (i, p) in spec.ports.iter().flatten().enumerate() {
        if let Some(np) = p.node_port
            && used.contains(&np)
        {
            causes.push(format!(
                "spec.ports[{i}].nodePort: Invalid value: {np}: provided port is already allocated"
            ));
        }
    }
    causes
}

impl Admit for Endpoints {
    fn set_defaults(&mut self, _store: &mut Store) {
        for subset in self.subsets.iter_mut().flatten() {
            for port in subset.ports.iter_mut().flatten() {
                port.protocol.get_or_insert_with(|| "TCP".into());
            }
        }
    }

    fn validate(&self) -> Vec<String> {
        Vec::new()
    }
}
