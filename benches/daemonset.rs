//! DaemonSet benchmark (not a timed test): a DaemonSet on N nodes (default 5,000) is
//! created and run until every node has an available pod, then its image is changed
//! and the RollingUpdate (maxUnavailable 10%) runs until every pod is updated and
//! available. Prints wall time per phase, virtual time, and peak memory.
//!
//! `cargo bench --bench daemonset` runs 5k nodes; `cargo bench --bench daemonset --
//! 1000` runs another size.

mod common;

use std::time::Instant;

use k8s_openapi::api::apps::v1::DaemonSet;
use kubesim::api::admission::admit;
use kubesim::profile::Profile;
use kubesim::sim::image::ImageTable;
use kubesim::sim::{Cluster, NodeSpecInput};
use kubesim::time::{HOUR, Millis, SECOND, WallClock, default_start};

/// Whether the DaemonSet's rollout is done (what `rollout status` waits for).
fn complete(cluster: &Cluster, nodes: i32) -> bool {
    let Some(ds) = cluster.store.get::<DaemonSet>("default", "agent") else { return false };
    let status = ds.status.clone().unwrap_or_default();
    status.observed_generation >= ds.metadata.generation
        && status.desired_number_scheduled == nodes
        && status.updated_number_scheduled == Some(nodes)
        && status.number_available == Some(nodes)
}

fn wait_complete(cluster: &mut Cluster, nodes: i32, phase: &str) -> Millis {
    let start = cluster.now();
    let done = cluster.advance_until(start + 24 * HOUR, |c| complete(c, nodes)).expect("no livelock");
    assert!(done, "{phase}: the rollout did not complete");
    cluster.now() - start
}

fn main() {
    kubesim::alloc::tune();
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let nodes: i32 = args.first().and_then(|a| a.parse().ok()).unwrap_or(5_000);
    let wall = Instant::now();
    let mut cluster =
        Cluster::new(Profile::default(), WallClock::new(default_start()), 0, ImageTable::default());
    for i in 0..nodes {
        let node = NodeSpecInput { name: format!("node-{}", i + 1), ..Default::default() };
        cluster.add_node(&node).expect("node");
    }
    let manifest = "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: agent, namespace: default}\nspec:\n  updateStrategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 10%}}\n  selector: {matchLabels: {app: agent}}\n  template:\n    metadata: {labels: {app: agent}}\n    spec: {containers: [{name: agent, image: nginx:1.25}]}\n";
    let mut ds: DaemonSet = serde_yaml::from_str(manifest).expect("manifest");
    admit(&mut ds, &mut cluster.store).expect("valid");
    cluster.store.create(ds).expect("create");
    let setup = wall.elapsed();
    let virtual_create = wait_complete(&mut cluster, nodes, "create");
    let created = wall.elapsed();

    let mut ds = cluster.store.get::<DaemonSet>("default", "agent").cloned().expect("exists");
    ds.spec.as_mut().expect("spec").template.spec.as_mut().expect("pod spec").containers[0].image =
        Some("nginx:1.26".into());
    admit(&mut ds, &mut cluster.store).expect("valid");
    cluster.store.update(ds).expect("update");
    let virtual_update = wait_complete(&mut cluster, nodes, "update");
    let updated = wall.elapsed();
    println!(
        "daemonset on {nodes} nodes: setup {:.2} s, create {:.2} s wall ({} s virtual), \
         rolling update 10% {:.2} s wall ({} s virtual), total {:.2} s, {} events, peak {:.0} MiB",
        setup.as_secs_f64(),
        (created - setup).as_secs_f64(),
        virtual_create / SECOND,
        (updated - created).as_secs_f64(),
        virtual_update / SECOND,
        updated.as_secs_f64(),
        cluster.store.events().len(),
        common::peak_rss_mib()
    );
}
