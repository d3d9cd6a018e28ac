//! The CronJob controller, in its two generations (the profile picks one):
//!
//! * **v2** (`pkg/controller/cronjob/cronjob_controllerv2.go`, `utils.go`; default from
//!   1.21): informer-driven. A CronJob is synced when it or one of its Jobs changes, and
//!   requeued 100 ms after its next schedule time. Job names carry the scheduled time in
//!   **minutes** since the epoch.
//! * **v1** (`pkg/controller/cronjob/cronjob_controller.go`, up to 1.20): polls every
//!   CronJob every 10 s, lists every unmet start time (more than 100 is an error), names
//!   Jobs with the scheduled time in **seconds**.
//!
//! Both create the Job for the most recent unmet schedule time only, honour
//! `concurrencyPolicy`, `startingDeadlineSeconds` and `suspend`, keep `status.active`
//! and `lastScheduleTime`, and delete finished Jobs beyond the history limits (oldest
//! start time first). The Jobs themselves are run by the Job controller.

mod v1;
mod v2;

use v1::sync_v1;
use v2::{after_schedule_change, sync_v2};

use jiff::Timestamp;
use k8s_openapi::api::batch::v1::{CronJob, CronJobStatus, Job};
use k8s_openapi::api::core::v1::ObjectReference;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference, Time};

use crate::api::admission::admit;
use crate::api::event::EventType;
use crate::api::store::{Change, ChangeOp, DeleteOptions, Propagation, involved};
use crate::api::{ApiError, Kind, ObjKey, Store};
use crate::constants::{CRONJOB_MAX_MISSED, CRONJOB_REQUEUE_PAD, CRONJOB_V1_POLL};
use crate::controllers::replicaset::Requeues;
use crate::cron::{self, Schedule};
use crate::hash::HashMap;
use crate::sim::queue::WorkQueue;
use crate::time::Millis;

/// The event source of everything this controller records.
pub const COMPONENT: &str = "cronjob-controller";

/// Annotation with the scheduled time (1.28+, gate `CronJobsScheduledAnnotation`).
pub const SCHEDULED_TIMESTAMP_ANNOTATION: &str = "batch.kubernetes.io/cronjob-scheduled-timestamp";

/// The requeue key of the v1 controller's poll (no CronJob has an empty name).
fn poll_key() -> ObjKey {
    (String::new(), String::new())
}

#[derive(Default)]
pub struct CronJobController {
    queue: WorkQueue<ObjKey>,
    /// Earliest pending requeue per CronJob: like client-go's delaying queue, a later
    /// `AddAfter` for a key already waiting is dropped.
    pending: HashMap<ObjKey, Millis>,
    /// The schedule and time zone last seen per CronJob, to tell a schedule edit (requeued
    /// for its next time) from any other change (synced at once), as `updateCronJob` does.
    seen: HashMap<ObjKey, (String, Option<String>)>,
    /// CronJobs whose schedule changed since the last run.
    rescheduled: Vec<ObjKey>,
}

impl CronJobController {
    /// Informer handlers (v2 only: the v1 controller has no informers, it polls).
    pub fn observe(&mut self, change: &Change, store: &Store) {
        if !store.profile.cronjob.v2_controller {
            if change.kind == Kind::CronJob && change.op == ChangeOp::Added {
                self.queue.add(poll_key());
            }
            return;
        }
        match change.kind {
            Kind::CronJob => {
                if change.op == ChangeOp::Deleted {
                    self.pending.remove(&change.key);
                    self.seen.remove(&change.key);
                    return;
                }
                let Some(cj) = store.get_by_key::<CronJob>(&change.key) else { return };
                let spec =
                    cj.spec.as_ref().map(|s| (s.schedule.clone(), s.time_zone.clone())).unwrap_or_default();
                let before = self.seen.insert(change.key.clone(), spec.clone());
                if change.op == ChangeOp::Modified && before.is_some_and(|b| b != spec) {
                    self.rescheduled.push(change.key.clone());
                } else {
                    self.queue.add(change.key.clone());
                }
            }
            Kind::Job => {
                for uid in [&change.old_controller, &change.new_controller].into_iter().flatten() {
                    if let Some((Kind::CronJob, key)) = store.lookup_uid(uid) {
                        self.queue.add(key.clone());
                    }
                }
            }
            _ => {}
        }
    }

    /// A requeue timer fired.
    pub fn requeue(&mut self, key: ObjKey, at: Millis) {
        if self.pending.get(&key) == Some(&at) {
            self.pending.remove(&key);
        }
        self.queue.add(key);
    }

    /// Syncs every queued CronJob; returns how many it looked at.
    pub fn run(&mut self, store: &mut Store, requeues: &mut Requeues) -> usize {
        let rescheduled = std::mem::take(&mut self.rescheduled);
        for key in &rescheduled {
            if let Some(after) = after_schedule_change(store, key) {
                self.requeue_after(key.clone(), store.now + after, requeues);
            }
        }
        let keys = self.queue.drain();
        for key in &keys {
            if key == &poll_key() {
                self.poll(store, requeues);
                continue;
            }
            if let Some(after) = sync_v2(store, key) {
                self.requeue_after(key.clone(), store.now + after, requeues);
            }
        }
        keys.len() + rescheduled.len()
    }

    fn requeue_after(&mut self, key: ObjKey, at: Millis, requeues: &mut Requeues) {
        if self.pending.get(&key).is_some_and(|&t| t <= at) {
            return;
        }
        self.pending.insert(key.clone(), at);
        requeues.push(at, (Kind::CronJob, key));
    }

    /// v1 `syncAll`: every CronJob, then the next poll on the 10 s grid.
    fn poll(&mut self, store: &mut Store, requeues: &mut Requeues) {
        let now = store.now;
        let due_at_grid = now.is_multiple_of(CRONJOB_V1_POLL);
        if due_at_grid {
            let keys: Vec<ObjKey> = store.list::<CronJob>(None).map(|c| key_of(&c.metadata)).collect();
            for key in &keys {
                sync_v1(store, key);
            }
        }
        if store.count::<CronJob>() > 0 {
            let next = (now / CRONJOB_V1_POLL + 1) * CRONJOB_V1_POLL;
            self.requeue_after(poll_key(), next, requeues);
        }
    }
}

fn key_of(meta: &ObjectMeta) -> ObjKey {
    (meta.namespace.clone().unwrap_or_default(), meta.name.clone().unwrap_or_default())
}

// ----- shared helpers ----------------------------------------------------------------------

/// The Jobs a CronJob controls (by owner uid, from the store's index).
fn owned_jobs(store: &Store, cj: &CronJob) -> Vec<Job> {
    let uid = cj.metadata.uid.as_deref().unwrap_or("");
    store
        .dependents_of(uid)
        .into_iter()
        .filter(|(kind, _)| *kind == Kind::Job)
        .filter_map(|(_, key)| store.get_by_key::<Job>(&key).cloned())
        .filter(|j| crate::api::store::controller_ref(&j.metadata).is_some_and(|r| r.uid == uid))
        .collect()
}

/// `getFinishedStatus`: `Some("Complete"|"Failed")` once a terminal condition is True.
fn finished_status(job: &Job) -> Option<String> {
    job.status.as_ref()?.conditions.as_ref()?.iter().find_map(|c| {
        ((c.type_ == "Complete" || c.type_ == "Failed") && c.status == "True").then(|| c.type_.clone())
    })
}

fn in_active(status: &CronJobStatus, uid: &str) -> bool {
    status.active.iter().flatten().any(|r| r.uid.as_deref() == Some(uid))
}

fn remove_from_active(status: &mut CronJobStatus, uid: &str) {
    if let Some(active) = status.active.as_mut() {
        active.retain(|r| r.uid.as_deref() != Some(uid));
    }
}

fn event(store: &mut Store, cj: &CronJob, type_: EventType, reason: &str, message: String) {
    store.record_event(involved(cj), type_, reason, message, COMPONENT, None);
}

fn wall(store: &Store) -> Timestamp {
    store.clock.at(store.now)
}

fn time_of(t: &Time) -> Timestamp {
    t.0
}

/// Go's `time.RFC1123Z` in UTC: `Mon, 02 Jan 2006 15:04:05 +0000`.
fn rfc1123z(t: Timestamp) -> String {
    t.to_zoned(jiff::tz::TimeZone::UTC).strftime("%a, %d %b %Y %H:%M:%S %z").to_string()
}

/// Virtual milliseconds from now until a wall time (0 if it is past).
fn millis_until(store: &Store, t: Timestamp) -> Millis {
    let ms = t.duration_since(wall(store)).as_millis();
    ms.max(0) as Millis
}

/// The schedule string the controller parses (`formatSchedule`): a `TZ=` prefix when
/// `spec.timeZone` is set and the schedule has none; the Warning about a zone in the
/// schedule itself when `record` is given.
fn format_schedule(store: &mut Store, cj: &CronJob, record: bool) -> String {
    let spec = cj.spec.as_ref().expect("admitted CronJobs have a spec");
    if spec.schedule.contains("TZ") {
        if record && store.profile.cronjob.warn_tz_in_schedule {
            event(
                store,
                cj,
                EventType::Warning,
                "UnsupportedSchedule",
                format!(
                    "CRON_TZ or TZ used in schedule {:?} is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details",
                    spec.schedule
                ),
            );
        }
        return spec.schedule.clone();
    }
    match spec.time_zone.as_deref() {
        Some(tz) if cron::load_location(tz).is_ok() => format!("TZ={tz} {}", spec.schedule),
        _ => spec.schedule.clone(),
    }
}

/// Deletes a Job with background propagation and drops it from the active list
/// (`deleteJob`); false if the delete failed.
fn delete_job(store: &mut Store, cj: &CronJob, status: &mut CronJobStatus, job: &Job) -> bool {
    let (ns, name) = key_of(&job.metadata);
    let opts = DeleteOptions { propagation: Some(Propagation::Background), ..Default::default() };
    if let Err(e) = store.delete::<Job>(&ns, &name, opts) {
        event(store, cj, EventType::Warning, "FailedDelete", format!("Deleted job: {e}"));
        return false;
    }
    remove_from_active(status, job.metadata.uid.as_deref().unwrap_or(""));
    event(store, cj, EventType::Normal, "SuccessfulDelete", format!("Deleted job {name}"));
    true
}

/// `cleanupFinishedJobs`: per outcome, the oldest finished Jobs beyond the limit go
/// (sorted by start time, unstarted last, names breaking ties). Returns whether
/// anything was deleted.
fn cleanup_finished_jobs(store: &mut Store, cj: &CronJob, status: &mut CronJobStatus, jobs: &[Job]) -> bool {
    let spec = cj.spec.as_ref().expect("admitted");
    let mut changed = false;
    for (outcome, limit) in
        [("Complete", spec.successful_jobs_history_limit), ("Failed", spec.failed_jobs_history_limit)]
    {
        let Some(limit) = limit else { continue };
        let mut finished: Vec<&Job> =
            jobs.iter().filter(|j| finished_status(j).as_deref() == Some(outcome)).collect();
        let excess = finished.len() as i64 - limit as i64;
        if excess <= 0 {
            continue;
        }
        finished.sort_by(|a, b| {
            let start = |j: &Job| j.status.as_ref().and_then(|s| s.start_time.as_ref()).map(|t| t.0);
            match (start(a), start(b)) {
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (Some(_), None) => std::cmp::Ordering::Less,
                (x, y) if x == y => a.metadata.name.cmp(&b.metadata.name),
                (x, y) => x.cmp(&y),
            }
        });
        for job in finished.into_iter().take(excess as usize) {
            changed |= delete_job(store, cj, status, job);
        }
    }
    changed
}

/// A Job for one scheduled time (`getJobFromTemplate2` / `getJobFromTemplate`).
fn job_from_template(store: &Store, cj: &CronJob, scheduled: Timestamp) -> Job {
    let profile = store.profile.cronjob;
    let spec = cj.spec.as_ref().expect("admitted");
    let template = &spec.job_template;
    let name = job_name(store, cj, scheduled);
    let mut annotations = template.metadata.as_ref().and_then(|m| m.annotations.clone()).unwrap_or_default();
    if profile.scheduled_timestamp_annotation {
        let tz = spec
            .time_zone
            .as_deref()
            .and_then(|z| cron::load_location(z).ok())
            .unwrap_or(jiff::tz::TimeZone::UTC);
        let stamp =
            scheduled.to_zoned(tz).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string().replace("+00:00", "Z");
        annotations.insert(SCHEDULED_TIMESTAMP_ANNOTATION.into(), stamp);
    }
    let labels = template.metadata.as_ref().and_then(|m| m.labels.clone()).unwrap_or_default();
    let api_version = if profile.v2_controller { "batch/v1" } else { "batch/v1beta1" };
    Job {
        metadata: ObjectMeta {
            name: Some(name),
            namespace: cj.metadata.namespace.clone(),
            labels: (!labels.is_empty()).then_some(labels),
            annotations: (!annotations.is_empty()).then_some(annotations),
            owner_references: Some(vec![OwnerReference {
                api_version: api_version.into(),
                kind: "CronJob".into(),
                name: cj.metadata.name.clone().unwrap_or_default(),
                uid: cj.metadata.uid.clone().unwrap_or_default(),
                controller: Some(true),
                block_owner_deletion: Some(true),
            }]),
            ..Default::default()
        },
        spec: template.spec.clone(),
        status: None,
    }
}

/// `<cronjob>-<scheduled time>`: minutes since the epoch (v2), seconds (v1).
pub fn job_name(store: &Store, cj: &CronJob, scheduled: Timestamp) -> String {
    let secs = scheduled.as_second();
    let hash = if store.profile.cronjob.v2_controller { secs.div_euclid(60) } else { secs };
    format!("{}-{hash}", cj.metadata.name.as_deref().unwrap_or(""))
}

/// Admits and creates a Job; the object as stored, or the API error.
fn create_job(store: &mut Store, mut job: Job) -> Result<Job, ApiError> {
    admit(&mut job, store)?;
    store.create(job).cloned()
}

fn job_ref(job: &Job) -> ObjectReference {
    ObjectReference {
        api_version: Some("batch/v1".into()),
        kind: Some("Job".into()),
        name: job.metadata.name.clone(),
        namespace: job.metadata.namespace.clone(),
        uid: job.metadata.uid.clone(),
        resource_version: job.metadata.resource_version.clone(),
        ..Default::default()
    }
}

fn write_status(store: &mut Store, key: &ObjKey, status: CronJobStatus) {
    let status = (status != CronJobStatus::default()).then_some(status);
    let _ = store.modify_status::<CronJob>(key, |cj| {
        if let Some(s) = status.as_ref() {
            // An emptied active list is dropped from JSON (`omitempty`).
            let mut s = s.clone();
            if s.active.as_ref().is_some_and(|a| a.is_empty()) {
                s.active = None;
            }
            cj.status = Some(s);
        } else {
            cj.status = None;
        }
    });
}

/// Replace: delete every active Job before creating the new one; false on a failure.
fn replace_active(store: &mut Store, cj: &CronJob, status: &mut CronJobStatus, changed: &mut bool) -> bool {
    for r in status.active.clone().unwrap_or_default() {
        let ns = r.namespace.clone().unwrap_or_default();
        let name = r.name.clone().unwrap_or_default();
        let Some(job) = store.get::<Job>(&ns, &name).cloned() else {
            let e = ApiError::NotFound { kind: Kind::Job, name };
            event(store, cj, EventType::Warning, "FailedGet", format!("Get job: {e}"));
            return false;
        };
        if !delete_job(store, cj, status, &job) {
            return false;
        }
        *changed = true;
    }
    true
}
