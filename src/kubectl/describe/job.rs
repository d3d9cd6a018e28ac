//! `kubectl describe job` (`describeJob` in kubectl's `describe.go`).
//!
//! Version differences: `Pods Statuses` reads `N Running / …` up to 1.22 and
//! `N Active (N Ready) / …` from 1.23 (`N Active / …` when `status.ready` is unset);
//! `Suspend`, `Backoff Limit` and `TTL Seconds After Finished` lines are 1.30+.

use k8s_openapi::api::batch::v1::Job;

use super::DescribeEnv;
use super::events::describe_events;
use super::template::describe_pod_template;
use super::writer::{Writer, annotations, controller_of, format_label_selector, labels, rfc1123z};
use crate::kubectl::humanize::human_duration;

/// Renders `kubectl describe job`.
pub fn describe_job(job: &Job, env: &DescribeEnv) -> String {
    let style = env.style();
    let profile = env.profile.job;
    let mut w = Writer::new(&style);
    let meta = &job.metadata;
    let spec = job.spec.clone().unwrap_or_default();
    let status = job.status.clone().unwrap_or_default();
    w.field(0, "Name", meta.name.as_deref().unwrap_or(""));
    w.field(0, "Namespace", meta.namespace.as_deref().unwrap_or(""));
    w.field(0, "Selector", format_label_selector(spec.selector.as_ref()));
    labels(&mut w, "Labels", meta.labels.as_ref());
    annotations(&mut w, "Annotations", meta.annotations.as_ref());
    if let Some(controller) = controller_of(meta) {
        w.field(0, "Controlled By", controller);
    }
    if let Some(p) = spec.parallelism {
        w.field(0, "Parallelism", p);
    }
    match spec.completions {
        Some(c) => w.field(0, "Completions", c),
        None => w.field(0, "Completions", "<unset>"),
    }
    if let Some(mode) = &spec.completion_mode {
        w.field(0, "Completion Mode", mode);
    }
    if profile.describe_suspend_backoff {
        if let Some(s) = spec.suspend {
            w.field(0, "Suspend", s);
        }
        if let Some(b) = spec.backoff_limit {
            w.field(0, "Backoff Limit", b);
        }
        if let Some(t) = spec.ttl_seconds_after_finished {
            w.field(0, "TTL Seconds After Finished", t);
        }
    }
    if let Some(start) = &status.start_time {
        w.field(0, "Start Time", rfc1123z(start.0));
    }
    if let Some(done) = &status.completion_time {
        w.field(0, "Completed At", rfc1123z(done.0));
    }
    if let (Some(start), Some(done)) = (&status.start_time, &status.completion_time) {
        w.field(0, "Duration", human_duration(done.0.duration_since(start.0).as_millis() as i64));
    }
    if let Some(d) = spec.active_deadline_seconds {
        w.field(0, "Active Deadline Seconds", format!("{d}s"));
    }
    let (active, succeeded, failed) =
        (status.active.unwrap_or(0), status.succeeded.unwrap_or(0), status.failed.unwrap_or(0));
    let pods = match status.ready {
        _ if !profile.describe_active_ready => {
            format!("{active} Running / {succeeded} Succeeded / {failed} Failed")
        }
        Some(ready) => format!("{active} Active ({ready} Ready) / {succeeded} Succeeded / {failed} Failed"),
        None => format!("{active} Active / {succeeded} Succeeded / {failed} Failed"),
    };
    w.field(0, "Pods Statuses", pods);
    if spec.completion_mode.as_deref() == Some("Indexed") {
        w.field(0, "Completed Indexes", cap_indexes(status.completed_indexes.as_deref().unwrap_or(""), 50));
    }
    describe_pod_template(&mut w, Some(&spec.template));
    describe_events(&mut w, env, &env.events);
    w.finish()
}

/// `capIndexesListOrNone`: `<none>`, or the list cut at the last comma within `max`
/// characters followed by `...`.
fn cap_indexes(indexes: &str, max: usize) -> String {
    if indexes.is_empty() {
        return "<none>".into();
    }
    if indexes.len() <= max {
        return indexes.into();
    }
    let cut = indexes[..max].rfind(',').unwrap_or(max);
    format!("{}...", &indexes[..cut])
}
