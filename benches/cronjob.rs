//! CronJob benchmark (not a timed test): a `*/1` CronJob runs for 24 virtual hours
//! (1,440 Jobs, each with one pod that echoes and exits), with the default history
//! limits deleting old Jobs as it goes. Prints wall time, virtual time and peak memory.
//!
//! `cargo bench --bench cronjob` runs 24 hours; `cargo bench --bench cronjob -- 48`
//! runs another number of hours.

mod common;

use std::time::Instant;

use k8s_openapi::api::batch::v1::{CronJob, Job};
use kubesim::time::{HOUR, SECOND, default_start};

fn main() {
    kubesim::alloc::tune();
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let hours: u64 = args.first().and_then(|a| a.parse().ok()).unwrap_or(24);
    let wall = Instant::now();
    let mut cluster = common::cluster(None, 1, &[]);
    let manifest = "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: hello, namespace: default}\nspec:\n  schedule: '*/1 * * * *'\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: OnFailure\n          containers: [{name: hello, image: busybox, command: [sh, -c, 'date; echo Hello']}]\n";
    common::create::<CronJob>(&mut cluster, manifest);
    let target = hours * HOUR + 30 * SECOND;
    cluster.advance_to(target).expect("no livelock");
    let elapsed = wall.elapsed();
    let cj = cluster.store.get::<CronJob>("default", "hello").expect("still there");
    let last = cj.status.as_ref().and_then(|s| s.last_schedule_time.as_ref()).expect("scheduled");
    let jobs = cluster.store.count::<Job>();
    let expected_last = default_start() + jiff::SignedDuration::from_hours(hours as i64);
    assert_eq!(last.0, expected_last, "the last Job is the one of the last minute");
    assert_eq!(jobs, 3, "the successful history limit keeps three Jobs");
    println!(
        "cronjob */1 for {hours} h: {} Jobs run, {jobs} kept; wall {:.3} s; virtual {} h; peak {:.0} MiB",
        hours * 60,
        elapsed.as_secs_f64(),
        hours,
        common::peak_rss_mib()
    );
}
