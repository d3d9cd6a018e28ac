//! Pod-level resource arithmetic kubectl does client-side: the QoS class shown by
//! `describe pod`, and the per-pod requests and limits summed on `describe node`.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Container, ContainerStatus, Pod};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity as ApiQuantity;

use super::quantity::Quantity;

/// A resource list with parsed quantities, keyed and ordered by resource name.
pub(crate) type ResourceList = BTreeMap<String, Quantity>;

fn parse_list(list: Option<&BTreeMap<String, ApiQuantity>>) -> ResourceList {
    list.into_iter().flatten().map(|(k, v)| (k.clone(), Quantity::of(v))).collect()
}

/// `addResourceList`: a new name starts as a copy (keeping its format), an existing one
/// is summed (keeping the first non-zero format).
fn add(list: &mut ResourceList, other: &ResourceList) {
    for (name, q) in other {
        list.entry(name.clone()).and_modify(|v| v.add(q)).or_insert(*q);
    }
}

/// `maxResourceList`: each name takes the larger quantity (and its format).
fn max(list: &mut ResourceList, other: &ResourceList) {
    for (name, q) in other {
        let entry = list.entry(name.clone()).or_insert(*q);
        if q.cmp_amount(entry).is_gt() {
            *entry = *q;
        }
    }
}

fn requests(c: &Container) -> ResourceList {
    parse_list(c.resources.as_ref().and_then(|r| r.requests.as_ref()))
}

fn limits(c: &Container) -> ResourceList {
    parse_list(c.resources.as_ref().and_then(|r| r.limits.as_ref()))
}

fn is_sidecar(c: &Container) -> bool {
    c.restart_policy.as_deref() == Some("Always")
}

/// A container's effective requests: while an in-place resize is reported in its
/// status, the larger of spec, status and allocated requests. (kubectl 1.33 also
/// special-cases infeasible resizes; kubesim does not simulate resizing.)
fn effective_requests(c: &Container, status: Option<&ContainerStatus>) -> ResourceList {
    let mut reqs = requests(c);
    if let Some(status) = status
        && let Some(res) = &status.resources
    {
        max(&mut reqs, &parse_list(res.requests.as_ref()));
        max(&mut reqs, &parse_list(status.allocated_resources.as_ref()));
    }
    reqs
}

/// kubectl's `PodRequestsAndLimits` (`resourcehelper`): the containers' sum; init
/// containers raise it to their own maximum (sidecars add to the sum and to every later
/// init container); the overhead is added to the requests and to the non-zero limits.
/// Without sidecars and resizes this equals the older (1.17) algorithm.
pub(crate) fn pod_requests_and_limits(pod: &Pod) -> (ResourceList, ResourceList) {
    let Some(spec) = &pod.spec else {
        return Default::default();
    };
    let status = pod.status.as_ref();
    let statuses: BTreeMap<&str, &ContainerStatus> = status
        .into_iter()
        .flat_map(|s| s.container_statuses.iter().flatten().chain(s.init_container_statuses.iter().flatten()))
        .map(|s| (s.name.as_str(), s))
        .collect();
    let status_of = |c: &Container| statuses.get(c.name.as_str()).copied();

    let (mut reqs, mut lims) = (ResourceList::new(), ResourceList::new());
    for c in &spec.containers {
        add(&mut reqs, &effective_requests(c, status_of(c)));
        add(&mut lims, &limits(c));
    }
    let (mut sidecar_reqs, mut sidecar_lims) = (ResourceList::new(), ResourceList::new());
    let (mut init_reqs, mut init_lims) = (ResourceList::new(), ResourceList::new());
    for c in spec.init_containers.iter().flatten() {
        let (r, l) = (effective_requests(c, status_of(c)), limits(c));
        if is_sidecar(c) {
            add(&mut reqs, &r);
            add(&mut lims, &l);
            add(&mut sidecar_reqs, &r);
            add(&mut sidecar_lims, &l);
            max(&mut init_reqs, &sidecar_reqs);
            max(&mut init_lims, &sidecar_lims);
        } else {
            let (mut r, mut l) = (r, l);
            add(&mut r, &sidecar_reqs);
            add(&mut l, &sidecar_lims);
            max(&mut init_reqs, &r);
            max(&mut init_lims, &l);
        }
    }
    max(&mut reqs, &init_reqs);
    max(&mut lims, &init_lims);
    let overhead = parse_list(spec.overhead.as_ref());
    add(&mut reqs, &overhead);
    for (name, q) in &overhead {
        if let Some(limit) = lims.get_mut(name).filter(|l| !l.is_zero()) {
            limit.add(q);
        }
    }
    (reqs, lims)
}

/// The QoS class: `status.qosClass` when the kubelet set it, else computed the way
/// kubectl does (`ComputePodQOS`): BestEffort without any cpu/memory request or limit,
/// Guaranteed when every container limits both and requests equal limits, else
/// Burstable.
pub(crate) fn pod_qos(pod: &Pod) -> String {
    if let Some(class) = pod.status.as_ref().and_then(|s| s.qos_class.clone()).filter(|c| !c.is_empty()) {
        return class;
    }
    compute_qos(pod).into()
}

fn compute_qos(pod: &Pod) -> &'static str {
    let Some(spec) = &pod.spec else {
        return "BestEffort";
    };
    let mut reqs = ResourceList::new();
    let mut lims = ResourceList::new();
    let mut guaranteed = true;
    let lists: Vec<(ResourceList, ResourceList)> = match &spec.resources {
        Some(pod_level) => {
            vec![(parse_list(pod_level.requests.as_ref()), parse_list(pod_level.limits.as_ref()))]
        }
        None => spec
            .containers
            .iter()
            .chain(spec.init_containers.iter().flatten())
            .map(|c| (requests(c), limits(c)))
            .collect(),
    };
    for (r, l) in &lists {
        add(&mut reqs, &qos_relevant(r));
        add(&mut lims, &qos_relevant(l));
        let limited = qos_relevant(l);
        if !(limited.contains_key("cpu") && limited.contains_key("memory")) {
            guaranteed = false;
        }
    }
    if reqs.is_empty() && lims.is_empty() {
        return "BestEffort";
    }
    let equal = reqs.iter().all(|(name, r)| lims.get(name).is_some_and(|l| l.cmp_amount(r).is_eq()));
    if guaranteed && equal && reqs.len() == lims.len() { "Guaranteed" } else { "Burstable" }
}

/// Only positive cpu and memory quantities count for QoS.
fn qos_relevant(list: &ResourceList) -> ResourceList {
    list.iter()
        .filter(|(name, q)| {
            matches!(name.as_str(), "cpu" | "memory") && q.cmp_amount(&Quantity::ZERO).is_gt()
        })
        .map(|(k, v)| (k.clone(), *v))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{PodSpec, ResourceRequirements};

    fn container(name: &str, req: &[(&str, &str)], lim: &[(&str, &str)]) -> Container {
        let list = |pairs: &[(&str, &str)]| {
            Some(pairs.iter().map(|(k, v)| (k.to_string(), ApiQuantity(v.to_string()))).collect())
        };
        Container {
            name: name.into(),
            resources: Some(ResourceRequirements {
                requests: list(req),
                limits: list(lim),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    fn pod(containers: Vec<Container>, init: Vec<Container>) -> Pod {
        Pod {
            spec: Some(PodSpec { containers, init_containers: Some(init), ..Default::default() }),
            ..Default::default()
        }
    }

    #[test]
    fn sums_containers_and_raises_to_init_maximum() {
        let p = pod(
            vec![
                container("a", &[("cpu", "100m")], &[("memory", "128Mi")]),
                container("b", &[("cpu", "200m")], &[]),
            ],
            vec![container("init", &[("cpu", "500m")], &[])],
        );
        let (reqs, lims) = pod_requests_and_limits(&p);
        assert_eq!(reqs["cpu"].to_string(), "500m");
        assert_eq!(lims["memory"].to_string(), "128Mi");
    }

    #[test]
    fn qos_classes() {
        let best = pod(vec![container("a", &[], &[])], vec![]);
        assert_eq!(pod_qos(&best), "BestEffort");
        let both = [("cpu", "500m"), ("memory", "512Mi")];
        let guaranteed = pod(vec![container("a", &both, &both)], vec![]);
        assert_eq!(pod_qos(&guaranteed), "Guaranteed");
        let burstable = pod(vec![container("a", &[("cpu", "100m")], &[("memory", "256Mi")])], vec![]);
        assert_eq!(pod_qos(&burstable), "Burstable");
    }
}
