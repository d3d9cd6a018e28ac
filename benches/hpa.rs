//! HorizontalPodAutoscaler benchmark (not a timed test): a Deployment (100m CPU
//! requested per pod) driven by an HPA between 10 and 1,000 replicas (50 % target) over
//! 2 virtual hours, on 20 nodes. The load is a total CPU demand spread over the pods
//! that exist, as a real service's traffic is: every 15 s the driver sets each pod's
//! usage to demand / replicas. The demand asks for 10 pods, climbs to 1,000 over 30
//! minutes, holds 30 minutes, falls back over 30 minutes and holds 30 minutes.
//! Prints wall time, virtual time, rescale count, the replica range reached, peak
//! memory.
//!
//! `cargo bench --bench hpa`; `cargo bench --bench hpa -- 500` for another peak.

mod common;

use std::time::Instant;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use kubesim::api::selector::Selector;
use kubesim::time::{MINUTE, Millis, SECOND};

/// Millicores per pod at the 50 % target of a 100m request.
const PER_POD_AT_TARGET: f64 = 50.0;

/// Pods' worth of demand at `t` (virtual ms since the HPA started).
fn demand_pods(t: Millis, low: f64, high: f64) -> f64 {
    let m = t as f64 / MINUTE as f64;
    match m {
        m if m < 30.0 => low + (high - low) * m / 30.0,
        m if m < 60.0 => high,
        m if m < 90.0 => high - (high - low) * (m - 60.0) / 30.0,
        _ => low,
    }
}

fn main() {
    kubesim::alloc::tune();
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let max: i32 = args.first().and_then(|a| a.parse().ok()).unwrap_or(1_000);
    let min = 10;
    let nodes = 20;
    let wall = Instant::now();
    let mut cluster = common::cluster(None, nodes, &[("pods", "110"), ("cpu", "64"), ("memory", "256Gi")]);
    let manifest = format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web, namespace: default}}\nspec:\n  replicas: {min}\n  selector: {{matchLabels: {{app: web}}}}\n  template:\n    metadata: {{labels: {{app: web}}}}\n    spec: {{containers: [{{name: web, image: nginx:1.25, resources: {{requests: {{cpu: 100m}}}}}}]}}\n"
    );
    common::create::<Deployment>(&mut cluster, &manifest);
    cluster.advance_by(MINUTE).expect("no livelock");
    let hpa = format!(
        "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {{name: web, namespace: default}}\nspec:\n  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: web}}\n  minReplicas: {min}\n  maxReplicas: {max}\n  metrics: [{{type: Resource, resource: {{name: cpu, target: {{type: Utilization, averageUtilization: 50}}}}}}]\n"
    );
    common::create::<HorizontalPodAutoscaler>(&mut cluster, &hpa);
    let setup = wall.elapsed();
    let start = cluster.now();
    let selector = Selector::parse("app=web").expect("selector");
    let (mut lowest, mut highest) = (i32::MAX, 0);
    while cluster.now() - start < 120 * MINUTE {
        let replicas = cluster
            .store
            .get::<Deployment>("default", "web")
            .and_then(|d| d.status.as_ref().and_then(|s| s.replicas))
            .unwrap_or(min)
            .max(1);
        lowest = lowest.min(replicas);
        highest = highest.max(replicas);
        let demand = demand_pods(cluster.now() - start, min as f64, max as f64) * PER_POD_AT_TARGET;
        cluster.metrics.set(selector.clone(), (demand / replicas as f64).round() as u64);
        cluster.advance_by(15 * SECOND).expect("no livelock");
    }
    let elapsed = wall.elapsed();
    let rescales = cluster.store.events().iter().filter(|e| &*e.reason == "SuccessfulRescale").count();
    println!(
        "hpa {min}..{max} replicas over {} s virtual on {nodes} nodes: setup {:.2} s, run {:.2} s wall, \
         {rescales} rescales, replicas {lowest}..{highest}, {} events, peak {:.0} MiB",
        (cluster.now() - start) / SECOND,
        setup.as_secs_f64(),
        (elapsed - setup).as_secs_f64(),
        cluster.store.events().len(),
        common::peak_rss_mib()
    );
}
