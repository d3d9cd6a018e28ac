//! The replica calculator for CPU utilization targets
//! (`pkg/controller/podautoscaler/replica_calculator.go` `GetResourceReplicas`,
//! `groupPods`, `calculatePodRequests`; `metrics/utilization.go`
//! `GetResourceUtilizationRatio`).

use std::collections::BTreeMap;

use crate::api::stored_pod::StoredPod;

use crate::constants;
use crate::sim::metrics::PodMetrics;
use crate::sim::resources::milli_cpu;
use crate::time::{Millis, WallClock};

/// What the calculator proposes for one metric.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Proposal {
    pub replicas: i32,
    /// Average utilization in percent of requests, over the pods that had samples.
    pub utilization: i32,
    /// Average usage in millicores over the same pods.
    pub raw_milli: i64,
}

/// The pods, their samples and requests, as `GetResourceReplicas` groups them.
struct Grouped {
    ready_count: usize,
    unready: Vec<String>,
    missing: Vec<String>,
    /// Pod name → usage of the pods whose sample counts.
    metrics: BTreeMap<String, i64>,
}

fn millis_of(
    clock: &WallClock,
    t: Option<&k8s_openapi::apimachinery::pkg::apis::meta::v1::Time>,
) -> Option<i64> {
    t.map(|t| clock.millis_of(t.0))
}

/// `groupPods` for CPU: deleted and failed pods are ignored, pending ones unready, pods
/// without a sample missing; within the CPU initialization period a pod whose Ready
/// condition is False, or turned True less than a metrics window before the sample, is
/// unready; afterwards only a pod that is not Ready and never became Ready within the
/// initial readiness delay.
fn group_pods(pods: &[&StoredPod], metrics: &PodMetrics, clock: &WallClock, now: Millis) -> Grouped {
    let mut g =
        Grouped { ready_count: 0, unready: Vec::new(), missing: Vec::new(), metrics: BTreeMap::new() };
    let now = now as i64;
    for pod in pods {
        let name = pod.metadata.name.clone().unwrap_or_default();
        let status = pod.status.clone().unwrap_or_default();
        let phase = status.phase.as_deref().unwrap_or("");
        if pod.metadata.deletion_timestamp.is_some() || phase == "Failed" {
            continue;
        }
        if phase == "Pending" {
            g.unready.push(name);
            continue;
        }
        let Some(usage) = metrics.cpu_of(pod) else {
            g.missing.push(name);
            continue;
        };
        let ready = status.conditions.as_ref().and_then(|cs| cs.iter().find(|c| c.type_ == "Ready"));
        let start = millis_of(clock, status.start_time.as_ref());
        let unready = match (ready, start) {
            (Some(cond), Some(start)) => {
                let transition = millis_of(clock, cond.last_transition_time.as_ref()).unwrap_or(start);
                if start + constants::HPA_CPU_INITIALIZATION_MS as i64 > now {
                    // The sample is taken now; its window starts METRICS_WINDOW before.
                    cond.status == "False" || now - (constants::METRICS_WINDOW_MS as i64) < transition
                } else {
                    cond.status == "False"
                        && start + constants::HPA_INITIAL_READINESS_DELAY_MS as i64 > transition
                }
            }
            _ => true,
        };
        if unready {
            g.unready.push(name);
            continue;
        }
        g.ready_count += 1;
        g.metrics.insert(name, usage as i64);
    }
    g
}

/// A pod's CPU request: the sum over its containers; `Err` names the first container
/// without one.
pub fn pod_request(pod: &StoredPod) -> Result<i64, String> {
    let mut sum = 0;
    for c in pod.spec_sans_per_pod_parts().into_iter().flat_map(|s| s.containers.iter()) {
        let request = c.resources.as_ref().and_then(|r| r.requests.as_ref()).and_then(|r| r.get("cpu"));
        match request.and_then(|q| milli_cpu(&q.0)) {
            Some(m) => sum += m,
            None => return Err(c.name.clone()),
        }
    }
    Ok(sum)
}

/// `GetResourceUtilizationRatio`: (ratio to target, utilization %, average usage).
fn utilization_ratio(
    metrics: &BTreeMap<String, i64>,
    requests: &BTreeMap<String, i64>,
    target: i32,
) -> Result<(f64, i32, i64), String> {
    let (mut usage, mut requested, mut n) = (0i64, 0i64, 0i64);
    for (name, m) in metrics {
        if let Some(r) = requests.get(name) {
            usage += m;
            requested += r;
            n += 1;
        }
    }
    if requested == 0 {
        return Err("no metrics returned matched known pods".into());
    }
    let utilization = (usage * 100 / requested) as i32;
    Ok((utilization as f64 / target as f64, utilization, usage / n.max(1)))
}

/// `GetResourceReplicas` for a CPU utilization target. Errors are the calculator's
/// texts (before the controller wraps them).
pub fn cpu_replicas(
    current: i32,
    target: i32,
    pods: &[&StoredPod],
    metrics: &PodMetrics,
    clock: &WallClock,
    now: Millis,
    missing_request_detail: bool,
) -> Result<Proposal, String> {
    let any_sample = pods.iter().any(|p| metrics.cpu_of(p).is_some());
    if !any_sample {
        return Err(
            "unable to get metrics for resource cpu: no metrics returned from resource metrics API".into()
        );
    }
    if pods.is_empty() {
        return Err("no pods returned by selector while calculating replica count".into());
    }
    let mut g = group_pods(pods, metrics, clock, now);
    let mut requests = BTreeMap::new();
    for pod in pods {
        match pod_request(pod) {
            Ok(r) => {
                requests.insert(pod.metadata.name.clone().unwrap_or_default(), r);
            }
            Err(container) => {
                return Err(if missing_request_detail {
                    format!(
                        "missing request for cpu in container {container} of Pod {}",
                        pod.metadata.name.as_deref().unwrap_or("")
                    )
                } else {
                    "missing request for cpu".into()
                });
            }
        }
    }
    if g.metrics.is_empty() {
        return Err("did not receive metrics for targeted pods (pods might be unready)".into());
    }
    let (ratio, utilization, raw_milli) = utilization_ratio(&g.metrics, &requests, target)?;
    let proposal = |replicas| Proposal { replicas, utilization, raw_milli };
    let scale_up_with_unready = !g.unready.is_empty() && ratio > 1.0;
    if !scale_up_with_unready && g.missing.is_empty() {
        if (1.0 - ratio).abs() <= constants::HPA_TOLERANCE {
            return Ok(proposal(current));
        }
        return Ok(proposal((ratio * g.ready_count as f64).ceil() as i32));
    }
    if !g.missing.is_empty() {
        if ratio < 1.0 {
            // Assume missing pods use their request (or the target, if above 100 %).
            let fallback = target.max(100) as i64;
            for name in &g.missing {
                g.metrics.insert(name.clone(), requests.get(name).copied().unwrap_or(0) * fallback / 100);
            }
        } else if ratio > 1.0 {
            for name in &g.missing {
                g.metrics.insert(name.clone(), 0);
            }
        }
    }
    if scale_up_with_unready {
        for name in &g.unready {
            g.metrics.insert(name.clone(), 0);
        }
    }
    let (new_ratio, _, _) = utilization_ratio(&g.metrics, &requests, target)?;
    if (1.0 - new_ratio).abs() <= constants::HPA_TOLERANCE
        || (ratio < 1.0 && new_ratio > 1.0)
        || (ratio > 1.0 && new_ratio < 1.0)
    {
        return Ok(proposal(current));
    }
    let new_replicas = (new_ratio * g.metrics.len() as f64).ceil() as i32;
    if (new_ratio < 1.0 && new_replicas > current) || (new_ratio > 1.0 && new_replicas < current) {
        return Ok(proposal(current));
    }
    Ok(proposal(new_replicas))
}
