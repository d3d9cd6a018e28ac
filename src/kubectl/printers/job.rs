//! `kubectl get jobs` (`printJob`): NAME [STATUS] COMPLETIONS DURATION AGE
//! [CONTAINERS IMAGES SELECTOR]; the STATUS column is 1.30+.

use k8s_openapi::api::batch::v1::{Job, JobStatus};

use super::replicaset::containers_and_images;
use super::{Column, PrintContext, Row, col, row, selector_cell, wide};
use crate::kubectl::humanize::human_duration;

pub const COLUMNS: &[Column] = &[
    col("NAME"),
    col("COMPLETIONS"),
    col("DURATION"),
    col("AGE"),
    wide("CONTAINERS"),
    wide("IMAGES"),
    wide("SELECTOR"),
];

pub const COLUMNS_WITH_STATUS: &[Column] = &[
    col("NAME"),
    col("STATUS"),
    col("COMPLETIONS"),
    col("DURATION"),
    col("AGE"),
    wide("CONTAINERS"),
    wide("IMAGES"),
    wide("SELECTOR"),
];

pub fn columns(ctx: &PrintContext) -> &'static [Column] {
    if ctx.profile.job.status_column { COLUMNS_WITH_STATUS } else { COLUMNS }
}

/// The first condition of a type decides (`getJobStatus`-style lookup).
fn condition_true(status: &JobStatus, type_: &str) -> bool {
    status.conditions.iter().flatten().find(|c| c.type_ == type_).is_some_and(|c| c.status == "True")
}

/// STATUS: Complete, Failed, Terminating, Suspended, FailureTarget, else Running.
fn status_cell(job: &Job, status: &JobStatus) -> &'static str {
    if condition_true(status, "Complete") {
        "Complete"
    } else if condition_true(status, "Failed") {
        "Failed"
    } else if job.metadata.deletion_timestamp.is_some() {
        "Terminating"
    } else if condition_true(status, "Suspended") {
        "Suspended"
    } else if condition_true(status, "FailureTarget") {
        "FailureTarget"
    } else {
        "Running"
    }
}

pub fn print(job: &Job, ctx: &PrintContext) -> Row {
    let spec = job.spec.clone().unwrap_or_default();
    let status = job.status.clone().unwrap_or_default();
    let succeeded = status.succeeded.unwrap_or(0);
    let completions = match spec.completions {
        Some(c) => format!("{succeeded}/{c}"),
        None => match spec.parallelism {
            Some(p) if p > 1 => format!("{succeeded}/1 of {p}"),
            _ => format!("{succeeded}/1"),
        },
    };
    let duration = match (&status.start_time, &status.completion_time) {
        (None, _) => String::new(),
        (Some(start), None) => human_duration(ctx.now.duration_since(start.0).as_millis() as i64),
        (Some(start), Some(end)) => human_duration(end.0.duration_since(start.0).as_millis() as i64),
    };
    let (containers, images) = containers_and_images(Some(&spec.template));
    let selector = spec.selector.as_ref().map_or_else(|| "<none>".into(), selector_cell);
    let mut cells = Vec::new();
    if ctx.profile.job.status_column {
        cells.push(status_cell(job, &status).to_string());
    }
    cells.extend([
        completions,
        duration,
        ctx.age(job.metadata.creation_timestamp.as_ref()),
        containers,
        images,
        selector,
    ]);
    row(&job.metadata, cells)
}
