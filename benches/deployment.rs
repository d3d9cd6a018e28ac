//! Deployment benchmark (not a timed test): a Deployment of N replicas (default
//! 100,000) on N/20 nodes (5,000) is created and run until complete, then rolled to a
//! new image with maxSurge 25% and maxUnavailable 25% and run until that rollout is
//! complete, with the rollout invariants checked whenever the cluster is quiet.
//! Prints wall time per phase, virtual time, and peak memory.
//!
//! `cargo bench --bench deployment` runs 100k replicas; `cargo bench --bench
//! deployment -- 10000` runs another size.

mod common;

use std::time::Instant;

use k8s_openapi::api::apps::v1::Deployment;
use kubesim::api::admission::admit;
use kubesim::profile::Profile;
use kubesim::sim::image::ImageTable;
use kubesim::sim::{Cluster, NodeSpecInput};
use kubesim::time::{HOUR, Millis, SECOND, WallClock, default_start};

/// Whether the Deployment's rollout is complete (what `rollout status` waits for).
fn complete(cluster: &Cluster, replicas: i32) -> bool {
    let Some(d) = cluster.store.get::<Deployment>("default", "web") else { return false };
    let status = d.status.clone().unwrap_or_default();
    status.observed_generation >= d.metadata.generation
        && status.updated_replicas == Some(replicas)
        && status.replicas == Some(replicas)
        && status.available_replicas == Some(replicas)
}

fn wait_complete(cluster: &mut Cluster, replicas: i32, phase: &str) -> Millis {
    let start = cluster.now();
    let done = cluster.advance_until(start + 24 * HOUR, |c| complete(c, replicas)).expect("no livelock");
    assert!(done, "{phase}: the rollout did not complete");
    let violations = cluster.take_violations();
    assert!(violations.is_empty(), "{phase}: {violations:?}");
    cluster.now() - start
}

fn main() {
    kubesim::alloc::tune();
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let replicas: i32 = args.first().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let nodes = (replicas as usize / 20).max(1);
    let wall = Instant::now();
    let mut cluster =
        Cluster::new(Profile::default(), WallClock::new(default_start()), 0, ImageTable::default());
    cluster.enable_invariants();
    for i in 0..nodes {
        let mut node = NodeSpecInput { name: format!("node-{}", i + 1), ..Default::default() };
        node.capacity.insert("pods".into(), "110".into());
        node.capacity.insert("cpu".into(), "64".into());
        node.capacity.insert("memory".into(), "256Gi".into());
        cluster.add_node(&node).expect("node");
    }
    let manifest = format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web, namespace: default}}\nspec:\n  replicas: {replicas}\n  strategy: {{rollingUpdate: {{maxSurge: 25%, maxUnavailable: 25%}}}}\n  selector: {{matchLabels: {{app: web}}}}\n  template:\n    metadata: {{labels: {{app: web}}}}\n    spec: {{containers: [{{name: web, image: nginx:1.25}}]}}\n"
    );
    common::create::<Deployment>(&mut cluster, &manifest);
    let setup = wall.elapsed();
    let virtual_create = wait_complete(&mut cluster, replicas, "create");
    let created = wall.elapsed();

    let mut d = cluster.store.get::<Deployment>("default", "web").cloned().expect("exists");
    d.spec.as_mut().expect("spec").template.spec.as_mut().expect("pod spec").containers[0].image =
        Some("nginx:1.26".into());
    admit(&mut d, &mut cluster.store).expect("valid");
    cluster.store.update(d).expect("update");
    let virtual_rollout = wait_complete(&mut cluster, replicas, "rollout");
    let rolled = wall.elapsed();
    let events = cluster.store.events().len();
    println!(
        "deployment {replicas} replicas on {nodes} nodes: setup {:.2} s, create {:.2} s wall ({} s virtual), \
         rollout 25%/25% {:.2} s wall ({} s virtual), total {:.2} s, {events} events, peak {:.0} MiB",
        setup.as_secs_f64(),
        (created - setup).as_secs_f64(),
        virtual_create / SECOND,
        (rolled - created).as_secs_f64(),
        virtual_rollout / SECOND,
        rolled.as_secs_f64(),
        common::peak_rss_mib()
    );
}
