//! `kubectl describe cronjob` (`describeCronJob`, the same layout for batch/v1 and
//! v1beta1 and unchanged from 1.15 to 1.33): schedule and policies, the job template,
//! the last schedule time, the active Jobs, events.

use k8s_openapi::api::batch::v1::{CronJob, JobTemplateSpec};

use super::DescribeEnv;
use super::events::describe_events;
use super::template::describe_pod_template;
use super::writer::{Writer, annotations, labels, rfc1123z};
use crate::api::selector::Selector;

pub fn describe_cronjob(cj: &CronJob, env: &DescribeEnv) -> String {
    let style = env.style();
    let mut w = Writer::new(&style);
    let spec = cj.spec.clone().unwrap_or_default();
    let status = cj.status.clone().unwrap_or_default();
    w.field(0, "Name", cj.metadata.name.as_deref().unwrap_or(""));
    w.field(0, "Namespace", cj.metadata.namespace.as_deref().unwrap_or(""));
    labels(&mut w, "Labels", cj.metadata.labels.as_ref());
    annotations(&mut w, "Annotations", cj.metadata.annotations.as_ref());
    w.field(0, "Schedule", &spec.schedule);
    w.field(0, "Concurrency Policy", spec.concurrency_policy.as_deref().unwrap_or(""));
    w.field(0, "Suspend", bool_ptr(spec.suspend));
    w.field(
        0,
        "Successful Job History Limit",
        int_or_unset(spec.successful_jobs_history_limit.map(i64::from), ""),
    );
    w.field(0, "Failed Job History Limit", int_or_unset(spec.failed_jobs_history_limit.map(i64::from), ""));
    w.field(0, "Starting Deadline Seconds", int_or_unset(spec.starting_deadline_seconds, "s"));
    describe_job_template(&mut w, &spec.job_template);
    match status.last_schedule_time.as_ref() {
        Some(t) => w.field(0, "Last Schedule Time", rfc1123z(t.0)),
        None => w.field(0, "Last Schedule Time", "<unset>"),
    }
    // `printActiveJobs`: names joined by ", ".
    let active: Vec<String> =
        status.active.iter().flatten().map(|r| r.name.clone().unwrap_or_default()).collect();
    w.field(0, "Active Jobs", if active.is_empty() { "<none>".into() } else { active.join(", ") });
    describe_events(&mut w, env, &env.events);
    w.finish()
}

/// `printBoolPtr`.
fn bool_ptr(b: Option<bool>) -> &'static str {
    match b {
        Some(true) => "True",
        Some(false) => "False",
        None => "<unset>",
    }
}

fn int_or_unset(n: Option<i64>, unit: &str) -> String {
    n.map_or_else(|| "<unset>".into(), |n| format!("{n}{unit}"))
}

/// `describeJobTemplate`.
fn describe_job_template(w: &mut Writer, template: &JobTemplateSpec) {
    let spec = template.spec.clone().unwrap_or_default();
    match spec.selector.as_ref().map(Selector::from_label_selector) {
        None => w.field(0, "Selector", "<unset>"),
        Some(Ok(s)) => w.field(0, "Selector", s.render()),
        Some(Err(e)) => w.field(0, "Selector", format!("Failed to get selector: {e}")),
    }
    w.field(0, "Parallelism", int_or_unset(spec.parallelism.map(i64::from), ""));
    w.field(0, "Completions", int_or_unset(spec.completions.map(i64::from), ""));
    if let Some(d) = spec.active_deadline_seconds {
        w.field(0, "Active Deadline Seconds", format!("{d}s"));
    }
    describe_pod_template(w, Some(&spec.template));
}
