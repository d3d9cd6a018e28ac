//! StatefulSet benchmark (not a timed test): a StatefulSet of N replicas (default 1,000)
//! in OrderedReady mode, with a volume claim template, on N/20 nodes, run until every
//! replica is Running and Ready. Each pod waits for the previous one, so the controller
//! syncs the whole set about five times per pod (create, schedule, start, ready, status):
//! the cost is quadratic in N by the nature of OrderedReady, and this shows how large.
//! Prints wall time, virtual time and peak memory.
//!
//! `cargo bench --bench statefulset` runs 1,000 replicas; `cargo bench --bench
//! statefulset -- 3000` runs another size.

mod common;

use std::time::Instant;

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::PersistentVolumeClaim;
use kubesim::sim::Cluster;
use kubesim::time::{HOUR, SECOND};

/// Every replica Running and Ready, as `rollout status` waits for.
fn ready(cluster: &Cluster, replicas: i32) -> bool {
    let Some(set) = cluster.store.get::<StatefulSet>("default", "web") else { return false };
    set.status.as_ref().and_then(|s| s.ready_replicas) == Some(replicas)
}

fn main() {
    kubesim::alloc::tune();
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let replicas: i32 = args.first().and_then(|a| a.parse().ok()).unwrap_or(1_000);
    let nodes = (replicas as usize / 20).max(1);
    let wall = Instant::now();
    let mut cluster = common::cluster(None, nodes, &[]);
    let manifest = format!(
        "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {{name: web, namespace: default}}\nspec:\n  replicas: {replicas}\n  serviceName: web\n  selector: {{matchLabels: {{app: web}}}}\n  template:\n    metadata: {{labels: {{app: web}}}}\n    spec: {{containers: [{{name: web, image: nginx:1.25, volumeMounts: [{{name: www, mountPath: /data}}]}}]}}\n  volumeClaimTemplates:\n  - metadata: {{name: www}}\n    spec: {{accessModes: [ReadWriteOnce], resources: {{requests: {{storage: 1Gi}}}}}}\n"
    );
    common::create::<StatefulSet>(&mut cluster, &manifest);
    let setup = wall.elapsed();
    let start = cluster.now();
    let done = cluster.advance_until(start + 24 * HOUR, |c| ready(c, replicas)).expect("no livelock");
    assert!(done, "the StatefulSet did not become ready");
    let virtual_ms = cluster.now() - start;
    let total = wall.elapsed();
    let claims = cluster.store.count::<PersistentVolumeClaim>();
    println!(
        "statefulset {replicas} replicas (OrderedReady) on {nodes} nodes: setup {:.2} s, ready {:.2} s wall \
         ({} s virtual), {claims} claims, {} events, peak {:.0} MiB",
        setup.as_secs_f64(),
        (total - setup).as_secs_f64(),
        virtual_ms / SECOND,
        cluster.store.events().len(),
        common::peak_rss_mib()
    );
}
