//! Scale benchmark (not a timed test): a ReplicaSet scaled to 10k and 100k replicas on
//! 1k nodes, run until every pod is Running. Prints wall time and peak memory.
//!
//! `cargo bench --bench scale` runs both sizes; `cargo bench --bench scale -- 100000`
//! runs one. Each size runs in its own process so peak memory is per size.

mod common;

use std::process::Command;
use std::time::Instant;

use k8s_openapi::api::apps::v1::ReplicaSet;
use kubesim::time::SECOND;

fn run(replicas: usize, nodes: usize) {
    let start = Instant::now();
    let mut cluster = common::cluster(None, nodes, &[("pods", "250"), ("cpu", "64"), ("memory", "256Gi")]);
    let manifest = format!(
        "apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {{name: web, namespace: default}}\nspec:\n  replicas: {replicas}\n  selector: {{matchLabels: {{app: web}}}}\n  template:\n    metadata: {{labels: {{app: web}}}}\n    spec: {{containers: [{{name: web, image: nginx:1.25}}]}}\n"
    );
    common::create::<ReplicaSet>(&mut cluster, &manifest);
    let setup = start.elapsed();
    let done = cluster
        .advance_until(3600 * SECOND, |c| {
            c.store
                .get::<ReplicaSet>("default", "web")
                .and_then(|r| r.status.as_ref())
                .and_then(|s| s.ready_replicas)
                .unwrap_or(0) as usize
                == replicas
        })
        .expect("no livelock");
    let elapsed = start.elapsed();
    assert!(done, "not all replicas became ready");
    println!(
        "replicaset {replicas:>6} replicas on {nodes} nodes: {:>7.2} s wall ({:.2} s setup), virtual {} s, peak {:.0} MiB",
        elapsed.as_secs_f64(),
        setup.as_secs_f64(),
        cluster.now() / SECOND,
        common::peak_rss_mib()
    );
}

fn main() {
    kubesim::alloc::tune();
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    if let Some(n) = args.first().and_then(|a| a.parse::<usize>().ok()) {
        run(n, 1000);
        return;
    }
    let exe = std::env::current_exe().expect("bench binary");
    for n in [10_000, 100_000] {
        let status = Command::new(&exe).arg(n.to_string()).status().expect("spawn");
        assert!(status.success());
    }
}
