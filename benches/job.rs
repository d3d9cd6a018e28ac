//! Job benchmark (not a timed test): a Job with completions 10 000 and parallelism 500
//! on 50 nodes, each pod sleeping 30 s, run until the Job is Complete. Prints wall time,
//! virtual time and peak memory.
//!
//! `cargo bench --bench job` runs the default size; `cargo bench --bench job -- 20000 1000`
//! runs another completions/parallelism pair.

mod common;

use std::time::Instant;

use k8s_openapi::api::batch::v1::Job;
use kubesim::api::admission::admit;
use kubesim::controllers::job::condition_true;
use kubesim::profile::Profile;
use kubesim::sim::image::{Exit, ImageSpec, ImageTable, Pull};
use kubesim::sim::{Cluster, NodeSpecInput};
use kubesim::time::{SECOND, WallClock, default_start};

fn run(completions: usize, parallelism: usize, nodes: usize) {
    let start = Instant::now();
    let mut images = ImageTable::default();
    images.entries.insert(
        "worker".into(),
        ImageSpec {
            pull: Some(Pull::After(SECOND)),
            exit: Some(Exit::After { after: 30 * SECOND, code: 0 }),
            ..Default::default()
        },
    );
    let mut cluster = Cluster::new(Profile::default(), WallClock::new(default_start()), 0, images);
    for i in 0..nodes {
        let mut node = NodeSpecInput { name: format!("node-{}", i + 1), ..Default::default() };
        node.capacity.insert("pods".into(), "250".into());
        cluster.add_node(&node).expect("node");
    }
    let manifest = format!(
        "apiVersion: batch/v1\nkind: Job\nmetadata: {{name: work, namespace: default}}\nspec:\n  completions: {completions}\n  parallelism: {parallelism}\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{{name: work, image: worker:1}}]\n"
    );
    let mut job: Job = serde_yaml::from_str(&manifest).expect("manifest");
    admit(&mut job, &mut cluster.store).expect("valid");
    cluster.store.create(job).expect("create");
    let done = cluster
        .advance_until(24 * 3600 * SECOND, |c| {
            c.store
                .get::<Job>("default", "work")
                .and_then(|j| j.status.as_ref())
                .is_some_and(|s| condition_true(s, "Complete"))
        })
        .expect("no livelock");
    let elapsed = start.elapsed();
    assert!(done, "the Job did not complete");
    println!(
        "job completions {completions} parallelism {parallelism} on {nodes} nodes: {:>6.2} s wall, virtual {} s, peak {:.0} MiB",
        elapsed.as_secs_f64(),
        cluster.now() / SECOND,
        common::peak_rss_mib()
    );
}

fn main() {
    kubesim::alloc::tune();
    let args: Vec<usize> =
        std::env::args().skip(1).filter(|a| !a.starts_with('-')).filter_map(|a| a.parse().ok()).collect();
    match args.as_slice() {
        [c, p, ..] => run(*c, *p, 50),
        _ => run(10_000, 500, 50),
    }
}
