//! Job conditions, status and events (`job_controller.go` `newCondition`,
//! `updateJobStatus`, the recorder calls).

use k8s_openapi::api::batch::v1::{Job, JobCondition, JobStatus};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use super::JobView;
use super::pods::Census;
use crate::api::Store;
use crate::api::event::{EventType, InvolvedObject};
use crate::api::stored_pod::StoredPod;

const COMPONENT: &str = "job-controller";

/// Records an event about the Job, from the job controller.
pub fn record(job: &JobView, store: &mut Store, type_: EventType, reason: &str, message: String) {
    let who = InvolvedObject {
        kind: "Job".into(),
        namespace: job.key.0.clone(),
        name: job.key.1.clone(),
        uid: job.uid.clone(),
        field_path: None,
        api_version: "batch/v1".into(),
    };
    store.record_event(who, type_, reason, message, COMPONENT, None);
}

/// Whether the status has a condition of this type with status True.
pub fn condition_true(status: &JobStatus, type_: &str) -> bool {
    status.conditions.iter().flatten().any(|c| c.type_ == type_ && c.status == "True")
}

/// A finished Job is left alone: complete, failed, or about to be (1.31+ interim
/// conditions).
pub fn finished(status: &JobStatus) -> bool {
    ["Complete", "Failed", "FailureTarget", "SuccessCriteriaMet"].iter().any(|t| condition_true(status, t))
}

/// When the Job finished: the transition time of its terminal condition (what the TTL
/// controller measures from).
pub fn finish_time(status: &JobStatus) -> Option<&Time> {
    status
        .conditions
        .iter()
        .flatten()
        .find(|c| (c.type_ == "Complete" || c.type_ == "Failed") && c.status == "True")
        .and_then(|c| c.last_transition_time.as_ref())
}

fn condition(store: &Store, type_: &str, status: bool, reason: &str, message: &str) -> JobCondition {
    let now = store.clock.time(store.now);
    let text = |s: &str| if s.is_empty() { None } else { Some(s.to_string()) };
    JobCondition {
        type_: type_.into(),
        status: if status { "True" } else { "False" }.into(),
        reason: text(reason),
        message: text(message),
        last_probe_time: Some(now.clone()),
        last_transition_time: Some(now),
    }
}

/// Sets a condition: updates the one of the same type, or appends.
fn set_condition(status: &mut JobStatus, cond: JobCondition) {
    let list = status.conditions.get_or_insert_with(Vec::new);
    match list.iter_mut().find(|c| c.type_ == cond.type_) {
        Some(c) => *c = cond,
        None => list.push(cond),
    }
}

fn pods_terminating(job: &JobView, store: &Store) -> usize {
    store
        .pods_controlled_by(&job.uid)
        .filter(|p: &&StoredPod| {
            let phase = p.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or("");
            p.metadata.deletion_timestamp.is_some() && phase != "Succeeded" && phase != "Failed"
        })
        .count()
}

/// The Job failed: the Failed condition (after an interim FailureTarget while pods still
/// terminate, 1.31+) and a Warning event with the reason.
pub fn fail(
    job: &JobView,
    st: &mut JobStatus,
    reason: &str,
    message: &str,
    terminating: usize,
    store: &mut Store,
) {
    if store.profile.job.interim_conditions {
        set_condition(st, condition(store, "FailureTarget", true, reason, message));
        if terminating == 0 {
            set_condition(st, condition(store, "Failed", true, reason, message));
        }
    } else {
        set_condition(st, condition(store, "Failed", true, reason, message));
    }
    record(job, store, EventType::Warning, reason, message.to_string());
}

/// 1.31+: an interim condition turns terminal once no pod is terminating any more.
pub fn finish_interim(job: &JobView, store: &mut Store) {
    let st = &job.status;
    let pending =
        |interim: &str, terminal: &str| condition_true(st, interim) && !condition_true(st, terminal);
    let failure = pending("FailureTarget", "Failed");
    let success = pending("SuccessCriteriaMet", "Complete");
    if !(failure || success) || pods_terminating(job, store) > 0 {
        return;
    }
    let mut st = st.clone();
    let interim = if failure { "FailureTarget" } else { "SuccessCriteriaMet" };
    let from = st.conditions.iter().flatten().find(|c| c.type_ == interim).cloned().expect("pending");
    let terminal = if failure { "Failed" } else { "Complete" };
    set_condition(
        &mut st,
        condition(
            store,
            terminal,
            true,
            from.reason.as_deref().unwrap_or(""),
            from.message.as_deref().unwrap_or(""),
        ),
    );
    if !failure {
        st.completion_time = Some(store.clock.time(store.now));
    }
    write(job, st, store);
}

/// Completes the Job when enough pods succeeded and none is active: condition
/// `Complete` (with `SuccessCriteriaMet` first, 1.31+), completion time, event.
pub fn complete_if_done(
    job: &JobView,
    census: &Census,
    active: usize,
    st: &mut JobStatus,
    store: &mut Store,
) {
    if job.suspended() || active > 0 {
        return;
    }
    let complete = match job.spec.completions {
        None => census.succeeded > 0,
        Some(c) => census.succeeded >= c,
    };
    if !complete {
        return;
    }
    if let Some(c) = job.spec.completions
        && census.succeeded > c
    {
        record(
            job,
            store,
            EventType::Warning,
            "TooManySucceededPods",
            "Too many succeeded pods running after completion count reached".into(),
        );
    }
    if store.profile.job.interim_conditions {
        let (reason, message) = ("CompletionsReached", "Reached expected number of succeeded pods");
        set_condition(st, condition(store, "SuccessCriteriaMet", true, reason, message));
        set_condition(st, condition(store, "Complete", true, reason, message));
    } else {
        set_condition(st, condition(store, "Complete", true, "", ""));
    }
    st.completion_time = Some(store.clock.time(store.now));
    if store.profile.job.completed_event {
        record(job, store, EventType::Normal, "Completed", "Job completed".into());
    }
}

/// The `Suspended` condition follows `spec.suspend`; resuming resets `startTime`.
/// Returns the event to record once the pods were handled (`Suspended`/`Resumed`).
pub fn track_suspension(
    job: &JobView,
    st: &mut JobStatus,
    store: &Store,
) -> Option<(&'static str, &'static str)> {
    let was = condition_true(st, "Suspended");
    if job.suspended() && !was {
        set_condition(st, condition(store, "Suspended", true, "JobSuspended", "Job suspended"));
        return Some(("Suspended", "Job suspended"));
    }
    if !job.suspended() && was {
        set_condition(st, condition(store, "Suspended", false, "JobResumed", "Job resumed"));
        st.start_time = Some(store.clock.time(store.now));
        return Some(("Resumed", "Job resumed"));
    }
    None
}

/// Writes the status when it changed.
pub fn write(job: &JobView, mut st: JobStatus, store: &mut Store) {
    let zero_none = |v: Option<i32>| v.filter(|n| *n != 0);
    st.active = zero_none(st.active);
    st.succeeded = zero_none(st.succeeded);
    st.failed = zero_none(st.failed);
    if store.profile.job.default_pod_replacement_policy {
        st.terminating = Some(pods_terminating(job, store) as i32);
    }
    let Some(current) = store.get_by_key::<Job>(&job.key) else { return };
    if current.status.as_ref() == Some(&st) {
        return;
    }
    let _ = store.modify_status::<Job>(&job.key, |j| j.status = Some(st));
}
