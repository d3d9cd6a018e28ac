//! The endpoints controller (`pkg/controller/endpoint/endpoints_controller.go`): for every
//! Service with a selector, one Endpoints object of the same name listing the pods that
//! match, ready ones under `addresses`, the others under `notReadyAddresses`, each with
//! the Service's ports resolved against the pod's container ports.
//!
//! It reacts to Service and Pod changes; a pod change requeues the selector Services of
//! its namespace (the real controller asks its pod→services index the same question).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    EndpointAddress, EndpointPort, EndpointSubset, Endpoints, ObjectReference, Pod, Service, ServicePort,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::api::admission::admit;
use crate::api::selector::Selector;
use crate::api::store::{Change, ChangeOp, DeleteOptions};
use crate::api::stored_pod::StoredPod;
use crate::api::{Kind, ObjKey, Store};
use crate::sim::queue::WorkQueue;

/// The label the controller adds to the Endpoints of a headless Service
/// (`v1.IsHeadlessService`, `LabelIsHeadlessService`).
const HEADLESS_LABEL: &str = "service.kubernetes.io/headless";

#[derive(Default)]
pub struct EndpointsController {
    queue: WorkQueue<ObjKey>,
}

/// The selector of a Service the controller manages: one with a selector that is not
/// of type ExternalName (those get no endpoints).
fn selector_of(svc: &Service) -> Option<Selector> {
    if svc.spec.as_ref()?.type_.as_deref() == Some("ExternalName") {
        return None;
    }
    let map = svc.spec.as_ref()?.selector.as_ref().filter(|m| !m.is_empty())?;
    Some(Selector::from_map(map))
}

impl EndpointsController {
    pub fn observe(&mut self, change: &Change, store: &Store) {
        match change.kind {
            Kind::Service => self.queue.add(change.key.clone()),
            Kind::Pod => {
                for svc in store.list::<Service>(Some(&change.key.0)) {
                    if selector_of(svc).is_some() {
                        self.queue.add((change.key.0.clone(), svc.metadata.name.clone().unwrap_or_default()));
                    }
                }
            }
            Kind::Endpoints if change.op == ChangeOp::Deleted => self.queue.add(change.key.clone()),
            _ => {}
        }
    }

    /// Syncs every queued Service; returns how many Endpoints it wrote.
    pub fn run(&mut self, store: &mut Store) -> usize {
        let mut writes = 0;
        for key in self.queue.drain() {
            writes += sync(store, &key);
        }
        writes
    }
}

fn sync(store: &mut Store, key: &ObjKey) -> usize {
    let Some(svc) = store.get_by_key::<Service>(key).cloned() else {
        // The Service is gone: so are its Endpoints.
        if store.get_by_key::<Endpoints>(key).is_some() {
            let _ = store.delete::<Endpoints>(&key.0, &key.1, DeleteOptions::default());
            return 1;
        }
        return 0;
    };
    let Some(selector) = selector_of(&svc) else { return 0 };
    let spec = svc.spec.clone().unwrap_or_default();
    let publish_not_ready = spec.publish_not_ready_addresses == Some(true);
    let ports = spec.ports.clone().unwrap_or_default();
    // Port set → (ready, not ready) addresses: RepackSubsets groups them this way.
    let mut groups: BTreeMap<Vec<(String, i32, String)>, (Vec<EndpointAddress>, Vec<EndpointAddress>)> =
        BTreeMap::new();
    for pod in store.list_stored::<Pod>(Some(&key.0)) {
        if !selector.matches_opt(pod.metadata.labels.as_ref()) || !should_be_in_endpoints(pod) {
            continue;
        }
        let Some(ip) = pod.status.as_ref().and_then(|s| s.pod_ip.clone()).filter(|ip| !ip.is_empty()) else {
            continue;
        };
        let resolved: Vec<(String, i32, String)> = ports
            .iter()
            .filter_map(|sp| {
                let port = find_port(pod, sp)?;
                Some((sp.name.clone().unwrap_or_default(), port, sp.protocol.clone().unwrap_or("TCP".into())))
            })
            .collect();
        if resolved.is_empty() && !ports.is_empty() {
            continue;
        }
        let address = EndpointAddress {
            ip,
            node_name: pod.node_name().map(str::to_string),
            target_ref: Some(ObjectReference {
                kind: Some("Pod".into()),
                name: pod.metadata.name.clone(),
                namespace: pod.metadata.namespace.clone(),
                uid: pod.metadata.uid.clone(),
                ..Default::default()
            }),
            ..Default::default()
        };
        let entry = groups.entry(resolved).or_default();
        if publish_not_ready || is_ready(pod) {
            entry.0.push(address);
        } else {
            entry.1.push(address);
        }
    }
    let subsets: Vec<EndpointSubset> = groups
        .into_iter()
        .map(|(ports, (mut ready, mut not_ready))| {
            // `SortSubsets`: addresses by IP (byte order of the text).
            ready.sort_by(|a, b| a.ip.cmp(&b.ip));
            not_ready.sort_by(|a, b| a.ip.cmp(&b.ip));
            EndpointSubset {
                addresses: (!ready.is_empty()).then_some(ready),
                not_ready_addresses: (!not_ready.is_empty()).then_some(not_ready),
                ports: (!ports.is_empty()).then(|| {
                    ports
                        .into_iter()
                        .map(|(name, port, protocol)| EndpointPort {
                            name: (!name.is_empty()).then_some(name),
                            port,
                            protocol: Some(protocol),
                            ..Default::default()
                        })
                        .collect()
                }),
            }
        })
        .collect();
    let mut labels = svc.metadata.labels.clone().unwrap_or_default();
    if spec.cluster_ip.as_deref() == Some("None") {
        labels.insert(HEADLESS_LABEL.into(), String::new());
    }
    let labels = (!labels.is_empty()).then_some(labels);
    let subsets = (!subsets.is_empty()).then_some(subsets);
    match store.get_by_key::<Endpoints>(key).cloned() {
        Some(mut current) => {
            if current.subsets == subsets && current.metadata.labels == labels {
                return 0;
            }
            current.subsets = subsets;
            current.metadata.labels = labels;
            let _ = store.update(current);
            1
        }
        None => {
            let mut ep = Endpoints {
                metadata: ObjectMeta {
                    name: Some(key.1.clone()),
                    namespace: Some(key.0.clone()),
                    labels,
                    ..Default::default()
                },
                subsets,
            };
            if admit(&mut ep, store).is_ok() {
                let _ = store.create(ep);
            }
            1
        }
    }
}

/// `endpointsliceutil.ShouldPodBeInEndpoints`: not finished, not being deleted.
fn should_be_in_endpoints(pod: &StoredPod) -> bool {
    let phase = pod.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or("");
    phase != "Succeeded" && phase != "Failed" && pod.metadata.deletion_timestamp.is_none()
}

fn is_ready(pod: &StoredPod) -> bool {
    pod.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|cs| cs.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

/// `podutil.FindPort`: a number is used as is; a name is looked up among the pod's
/// container ports with the same protocol.
fn find_port(pod: &StoredPod, sp: &ServicePort) -> Option<i32> {
    match sp.target_port.as_ref() {
        None => Some(sp.port),
        Some(IntOrString::Int(p)) => Some(*p),
        Some(IntOrString::String(name)) => {
            let protocol = sp.protocol.as_deref().unwrap_or("TCP");
            pod.spec_sans_per_pod_parts()?.containers.iter().flat_map(|c| c.ports.iter().flatten()).find_map(
                |p| {
                    (p.name.as_deref() == Some(name.as_str())
                        && p.protocol.as_deref().unwrap_or("TCP") == protocol)
                        .then_some(p.container_port)
                },
            )
        }
    }
}
