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

use std::collections::HashMap;

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
        let due_at_grid = now % CRONJOB_V1_POLL == 0;
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
    store.create(job)
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

// ----- v2 --------------------------------------------------------------------------------

/// How many start times were missed since `earliest` (`missedSchedulesType`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Missed {
    None,
    Few,
    Many(i64),
}

struct MostRecent {
    earliest: Timestamp,
    most_recent: Option<Timestamp>,
    missed: Missed,
}

/// `mostRecentScheduleTime`: the latest start time ≤ now since the last schedule (or
/// creation, or `now − startingDeadlineSeconds`), found by estimating the number of
/// missed times from the first two and scanning only the last few.
fn most_recent_schedule_time(
    cj: &CronJob,
    now: Timestamp,
    sched: &Schedule,
    include_deadline: bool,
    scan: bool,
) -> Result<MostRecent, String> {
    let meta_created = cj.metadata.creation_timestamp.as_ref().map(time_of).unwrap_or(now);
    let mut earliest =
        cj.status.as_ref().and_then(|s| s.last_schedule_time.as_ref()).map(time_of).unwrap_or(meta_created);
    if include_deadline && let Some(d) = cj.spec.as_ref().and_then(|s| s.starting_deadline_seconds) {
        let deadline = now - jiff::SignedDuration::from_secs(d);
        if deadline > earliest {
            earliest = deadline;
        }
    }
    let none = |earliest| MostRecent { earliest, most_recent: None, missed: Missed::None };
    let too_close = if scan {
        "time difference between two schedules is less than 1 second"
    } else {
        "time difference between two schedules less than 1 second"
    }
    .to_string();
    let Some(t1) = sched.next(earliest) else { return Err(too_close) };
    if now < t1 {
        return Ok(none(earliest));
    }
    let Some(t2) = sched.next(t1) else { return Err(too_close) };
    if now < t2 {
        return Ok(MostRecent { earliest, most_recent: Some(t1), missed: Missed::None });
    }
    let between = (t2.duration_since(t1).as_millis() as f64 / 1000.0).round() as i64;
    if between < 1 {
        return Err(too_close);
    }
    let elapsed = now.duration_since(t1).as_secs();
    let missed = elapsed / between + 1;
    if !scan {
        // Before the scan (1.21–1.26 [boundary unpinned]): pure arithmetic from the first
        // two times, which lands off-schedule for irregular schedules.
        let t = Timestamp::from_second(t1.as_second() + (missed - 1) * between).ok();
        let missed = if missed > CRONJOB_MAX_MISSED { Missed::Many(missed) } else { Missed::Few };
        return Ok(MostRecent { earliest, most_recent: t, missed });
    }
    let potential = t1 + jiff::SignedDuration::from_secs((missed - 2) * between);
    let mut most_recent = None;
    let mut t = sched.next(potential);
    while let Some(tt) = t {
        if tt > now {
            break;
        }
        most_recent = Some(tt);
        t = sched.next(tt);
    }
    let missed = if missed > CRONJOB_MAX_MISSED { Missed::Many(missed) } else { Missed::Few };
    Ok(MostRecent { earliest, most_recent, missed })
}

/// `nextScheduleTimeDuration`: milliseconds until 100 ms after the next start time.
fn next_schedule_after(store: &Store, cj: &CronJob, sched: &Schedule) -> Millis {
    let now = wall(store);
    let scan = store.profile.cronjob.most_recent_scan;
    // 1.21–1.26: simply the next time after now (`nextScheduledTimeDuration(sched, now)`).
    let base = if !scan {
        Ok(MostRecent { earliest: now, most_recent: None, missed: Missed::None })
    } else {
        most_recent_schedule_time(cj, now, sched, false, true)
    };
    let base = match base {
        Err(_) => now,
        Ok(m) => match (m.most_recent, m.missed) {
            (Some(t), _) => t,
            (None, Missed::None) => m.earliest,
            (None, _) => now,
        },
    };
    match sched.next(base) {
        Some(next) => millis_until(store, next) + CRONJOB_REQUEUE_PAD,
        // A schedule that never fires: the real controller computes a negative
        // duration against Go's zero time and retries at once; an hour here.
        None => crate::time::HOUR,
    }
}

/// `updateCronJob` for a changed schedule or time zone: no sync now, a requeue at the
/// new schedule's next time (or, unparseable, a Warning and no requeue).
fn after_schedule_change(store: &mut Store, key: &ObjKey) -> Option<Millis> {
    let cj = store.get_by_key::<CronJob>(key)?.clone();
    let text = format_schedule(store, &cj, false);
    match cron::parse_standard(&text, store.profile.cronjob.cron) {
        Ok(sched) => Some(next_schedule_after(store, &cj, &sched)),
        Err(_) => {
            let schedule = cj.spec.as_ref().map(|s| s.schedule.clone()).unwrap_or_default();
            let message = format!("unparseable schedule for cronjob: {schedule}");
            event(store, &cj, EventType::Warning, "UnParseableCronJobSchedule", message);
            None
        }
    }
}

/// One v2 sync (`sync` + `syncCronJob` + `cleanupFinishedJobs`); the requeue delay.
fn sync_v2(store: &mut Store, key: &ObjKey) -> Option<Millis> {
    let cj = store.get_by_key::<CronJob>(key)?.clone();
    let jobs = owned_jobs(store, &cj);
    let cleanup_first = store.profile.cronjob.cleanup_first;
    let mut status = cj.status.clone().unwrap_or_default();
    let mut changed = false;
    if cleanup_first {
        changed |= cleanup_finished_jobs(store, &cj, &mut status, &jobs);
    }
    let (requeue, synced) = sync_cron_job_v2(store, &cj, &mut status, &jobs);
    changed |= synced;
    if !cleanup_first {
        changed |= cleanup_finished_jobs(store, &cj, &mut status, &jobs);
    }
    if changed && cj.status.clone().unwrap_or_default() != status {
        write_status(store, key, status);
    }
    requeue
}

/// `syncCronJob` of the v2 controller.
fn sync_cron_job_v2(
    store: &mut Store,
    cj: &CronJob,
    status: &mut CronJobStatus,
    jobs: &[Job],
) -> (Option<Millis>, bool) {
    let mut changed = false;
    for j in jobs {
        let uid = j.metadata.uid.as_deref().unwrap_or("");
        let found = in_active(status, uid);
        let finished = finished_status(j);
        let name = j.metadata.name.clone().unwrap_or_default();
        match (found, finished) {
            (false, None) => event(
                store,
                cj,
                EventType::Warning,
                "UnexpectedJob",
                format!("Saw a job that the controller did not create or forgot: {name}"),
            ),
            (true, Some(outcome)) => {
                remove_from_active(status, uid);
                event(
                    store,
                    cj,
                    EventType::Normal,
                    "SawCompletedJob",
                    format!("Saw completed job: {name}, status: {outcome}"),
                );
                changed = true;
            }
            (_, Some(outcome)) if outcome == "Complete" => {
                let done = j.status.as_ref().and_then(|s| s.completion_time.clone());
                let last = status.last_successful_time.as_ref().map(|t| t.0);
                if let Some(done) = done
                    && last.is_none_or(|l| done.0 > l)
                {
                    status.last_successful_time = Some(done);
                    changed = true;
                }
            }
            _ => {}
        }
    }
    // Active entries whose Job is gone.
    for r in status.active.clone().unwrap_or_default() {
        let uid = r.uid.clone().unwrap_or_default();
        if jobs.iter().any(|j| j.metadata.uid.as_deref() == Some(&uid)) {
            continue;
        }
        let exists =
            store.get::<Job>(r.namespace.as_deref().unwrap_or(""), r.name.as_deref().unwrap_or("")).is_some();
        if !exists {
            let name = r.name.clone().unwrap_or_default();
            event(store, cj, EventType::Normal, "MissingJob", format!("Active job went missing: {name}"));
            remove_from_active(status, &uid);
            changed = true;
        }
    }
    if cj.metadata.deletion_timestamp.is_some() {
        return (None, changed);
    }
    let spec = cj.spec.as_ref().expect("admitted");
    if let Some(tz) = spec.time_zone.as_deref()
        && let Err(e) = cron::load_location(tz)
    {
        event(store, cj, EventType::Warning, "UnknownTimeZone", format!("invalid timeZone: {tz:?}: {e}"));
        return (None, changed);
    }
    if spec.suspend == Some(true) {
        return (None, changed);
    }
    let text = format_schedule(store, cj, true);
    let sched = match cron::parse_standard(&text, store.profile.cronjob.cron) {
        Ok(s) => s,
        Err(e) => {
            let message = format!("unparseable schedule: {:?} : {e}", spec.schedule);
            event(store, cj, EventType::Warning, "UnparseableSchedule", message);
            return (None, changed);
        }
    };
    // The status being built is what the next steps read (lastScheduleTime, active).
    let mut view = cj.clone();
    view.status = Some(status.clone());
    let now = wall(store);
    let scan = store.profile.cronjob.most_recent_scan;
    let scheduled = match most_recent_schedule_time(&view, now, &sched, true, scan) {
        Err(e) => {
            let message = format!("invalid schedule: {} : {e}", spec.schedule);
            event(store, cj, EventType::Warning, "InvalidSchedule", message);
            return (None, changed);
        }
        Ok(m) => {
            if let (Some(_), Missed::Many(n)) = (m.most_recent, m.missed) {
                let message = if store.profile.cronjob.too_many_missed_count {
                    format!(
                        "too many missed start times: {n}. Set or decrease .spec.startingDeadlineSeconds or check clock skew"
                    )
                } else {
                    "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew".into()
                };
                event(store, cj, EventType::Warning, "TooManyMissedTimes", message);
            }
            m.most_recent
        }
    };
    let requeue = |store: &Store, view: &CronJob| Some(next_schedule_after(store, view, &sched));
    let Some(scheduled) = scheduled.filter(|t| *t <= now) else {
        return (requeue(store, &view), changed);
    };
    if let Some(d) = spec.starting_deadline_seconds
        && scheduled + jiff::SignedDuration::from_secs(d) < now
    {
        let message = format!("Missed scheduled time to start a job: {}", rfc1123z(scheduled));
        event(store, cj, EventType::Warning, "MissSchedule", message);
        return (requeue(store, &view), changed);
    }
    let name = job_name(store, cj, scheduled);
    let already = status.active.iter().flatten().any(|r| r.name.as_deref() == Some(name.as_str()))
        || status.last_schedule_time.as_ref().is_some_and(|t| t.0 == scheduled);
    if already {
        return (requeue(store, &view), changed);
    }
    let policy = spec.concurrency_policy.as_deref().unwrap_or("Allow");
    if policy == "Forbid" && status.active.as_ref().is_some_and(|a| !a.is_empty()) {
        event(
            store,
            cj,
            EventType::Normal,
            "JobAlreadyActive",
            "Not starting job because prior execution is running and concurrency policy is Forbid".into(),
        );
        return (requeue(store, &view), changed);
    }
    if policy == "Replace" && !replace_active(store, cj, status, &mut changed) {
        return (None, changed);
    }
    let job = job_from_template(store, cj, scheduled);
    let mut already_existed = false;
    let created = match create_job(store, job) {
        Ok(j) => j,
        Err(ApiError::AlreadyExists { .. }) => {
            let Some(existing) =
                store.get::<Job>(cj.metadata.namespace.as_deref().unwrap_or(""), &name).cloned()
            else {
                return (None, changed);
            };
            let ours = crate::api::store::controller_ref(&existing.metadata)
                .is_some_and(|r| Some(&r.uid) == cj.metadata.uid.as_ref());
            if !ours || in_active(status, existing.metadata.uid.as_deref().unwrap_or("")) {
                return (None, changed);
            }
            already_existed = true;
            existing
        }
        Err(e) => {
            event(store, cj, EventType::Warning, "FailedCreate", format!("Error creating job: {e}"));
            return (None, changed);
        }
    };
    if !already_existed {
        event(store, cj, EventType::Normal, "SuccessfulCreate", format!("Created job {name}"));
    }
    status.active.get_or_insert_with(Vec::new).push(job_ref(&created));
    status.last_schedule_time = Some(Time(scheduled));
    view.status = Some(status.clone());
    (requeue(store, &view), true)
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

// ----- v1 --------------------------------------------------------------------------------

/// `getRecentUnmetScheduleTimes` of the v1 controller: every start time after the last
/// (or creation, or `now − startingDeadlineSeconds`) up to now; more than 100 is an error.
fn unmet_schedule_times(store: &Store, cj: &CronJob, now: Timestamp) -> Result<Vec<Timestamp>, String> {
    let spec = cj.spec.as_ref().expect("admitted");
    let sched = cron::parse_standard(&spec.schedule, store.profile.cronjob.cron)
        .map_err(|e| format!("unparseable schedule: {} : {e}", spec.schedule))?;
    let created = cj.metadata.creation_timestamp.as_ref().map(time_of).unwrap_or(now);
    let mut earliest =
        cj.status.as_ref().and_then(|s| s.last_schedule_time.as_ref()).map(time_of).unwrap_or(created);
    if let Some(d) = spec.starting_deadline_seconds {
        let deadline = now - jiff::SignedDuration::from_secs(d);
        if deadline > earliest {
            earliest = deadline;
        }
    }
    let mut starts = Vec::new();
    if earliest > now {
        return Ok(starts);
    }
    let too_many = || {
        "too many missed start time (> 100). Set or decrease .spec.startingDeadlineSeconds or check clock skew."
            .to_string()
    };
    let mut t = sched.next(earliest);
    loop {
        // Go's zero time (a schedule that never fires) is "not after now" forever.
        if let Some(tt) = t
            && tt > now
        {
            break;
        }
        starts.push(t.unwrap_or(Timestamp::MIN));
        if starts.len() as i64 > CRONJOB_MAX_MISSED {
            return Err(too_many());
        }
        t = t.and_then(|tt| sched.next(tt));
    }
    Ok(starts)
}

/// One v1 poll of one CronJob (`syncOne`, then `cleanupFinishedJobs`).
fn sync_v1(store: &mut Store, key: &ObjKey) {
    let Some(cj) = store.get_by_key::<CronJob>(key).cloned() else { return };
    let jobs = owned_jobs(store, &cj);
    let mut status = cj.status.clone().unwrap_or_default();
    sync_one_v1(store, &cj, &mut status, &jobs);
    cleanup_finished_jobs(store, &cj, &mut status, &jobs);
    if cj.status.clone().unwrap_or_default() != status {
        write_status(store, key, status);
    }
}

fn sync_one_v1(store: &mut Store, cj: &CronJob, status: &mut CronJobStatus, jobs: &[Job]) {
    for j in jobs {
        let uid = j.metadata.uid.as_deref().unwrap_or("");
        let name = j.metadata.name.clone().unwrap_or_default();
        match (in_active(status, uid), finished_status(j).is_some()) {
            (false, false) => event(
                store,
                cj,
                EventType::Warning,
                "UnexpectedJob",
                format!("Saw a job that the controller did not create or forgot: {name}"),
            ),
            (true, true) => {
                remove_from_active(status, uid);
                event(store, cj, EventType::Normal, "SawCompletedJob", format!("Saw completed job: {name}"));
            }
            _ => {}
        }
    }
    for r in status.active.clone().unwrap_or_default() {
        let uid = r.uid.clone().unwrap_or_default();
        if !jobs.iter().any(|j| j.metadata.uid.as_deref() == Some(&uid)) {
            let name = r.name.clone().unwrap_or_default();
            event(store, cj, EventType::Normal, "MissingJob", format!("Active job went missing: {name}"));
            remove_from_active(status, &uid);
        }
    }
    let spec = cj.spec.as_ref().expect("admitted");
    if cj.metadata.deletion_timestamp.is_some() || spec.suspend == Some(true) {
        return;
    }
    let now = wall(store);
    let mut view = cj.clone();
    view.status = Some(status.clone());
    let times = match unmet_schedule_times(store, &view, now) {
        Ok(t) => t,
        Err(e) => {
            let message = format!("Cannot determine if job needs to be started: {e}");
            event(store, cj, EventType::Warning, "FailedNeedsStart", message);
            return;
        }
    };
    let Some(&scheduled) = times.last() else { return };
    if let Some(d) = spec.starting_deadline_seconds
        && scheduled + jiff::SignedDuration::from_secs(d) < now
    {
        let message = format!("Missed scheduled time to start a job: {}", rfc1123z(scheduled));
        event(store, cj, EventType::Warning, "MissSchedule", message);
        return;
    }
    let policy = spec.concurrency_policy.as_deref().unwrap_or("Allow");
    if policy == "Forbid" && status.active.as_ref().is_some_and(|a| !a.is_empty()) {
        return;
    }
    let mut changed = false;
    if policy == "Replace" && !replace_active(store, cj, status, &mut changed) {
        return;
    }
    let job = job_from_template(store, cj, scheduled);
    match create_job(store, job) {
        Ok(created) => {
            let name = created.metadata.name.clone().unwrap_or_default();
            event(store, cj, EventType::Normal, "SuccessfulCreate", format!("Created job {name}"));
            status.active.get_or_insert_with(Vec::new).push(job_ref(&created));
            status.last_schedule_time = Some(Time(scheduled));
        }
        Err(e) => event(store, cj, EventType::Warning, "FailedCreate", format!("Error creating job: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cronjob(created: &str, last: Option<&str>, deadline: Option<i64>) -> CronJob {
        let mut cj = CronJob::default();
        cj.metadata.creation_timestamp = Some(Time(created.parse().unwrap()));
        let spec = cj.spec.get_or_insert_with(Default::default);
        spec.starting_deadline_seconds = deadline;
        if let Some(last) = last {
            cj.status = Some(CronJobStatus {
                last_schedule_time: Some(Time(last.parse().unwrap())),
                ..Default::default()
            });
        }
        cj
    }

    fn sched(expr: &str) -> Schedule {
        cron::parse_standard(expr, cron::Dialect::V3).unwrap()
    }

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn most_recent_is_the_latest_time_not_after_now() {
        let cj = cronjob("2024-01-01T00:00:00Z", None, None);
        let m = most_recent_schedule_time(&cj, at("2024-01-01T00:00:30Z"), &sched("*/1 * * * *"), true, true)
            .unwrap();
        assert_eq!((m.most_recent, m.missed), (None, Missed::None));
        let m =
            most_recent_schedule_time(&cj, at("2024-01-01T00:01:00.1Z"), &sched("*/1 * * * *"), true, true)
                .unwrap();
        assert_eq!((m.most_recent, m.missed), (Some(at("2024-01-01T00:01:00Z")), Missed::None));
        let m = most_recent_schedule_time(&cj, at("2024-01-01T00:05:30Z"), &sched("*/1 * * * *"), true, true)
            .unwrap();
        assert_eq!((m.most_recent, m.missed), (Some(at("2024-01-01T00:05:00Z")), Missed::Few));
        // 101 missed minutes: "many", still the most recent one.
        let m = most_recent_schedule_time(&cj, at("2024-01-01T01:41:10Z"), &sched("*/1 * * * *"), true, true)
            .unwrap();
        assert_eq!((m.most_recent, m.missed), (Some(at("2024-01-01T01:41:00Z")), Missed::Many(101)));
        // An irregular schedule (every 4 hours from 6 to 16, weekdays) still lands on the
        // right time although the estimate uses the first two gaps.
        let m = most_recent_schedule_time(
            &cj,
            at("2024-01-03T15:00:00Z"),
            &sched("30 6-16/4 * * 1-5"),
            true,
            true,
        )
        .unwrap();
        assert_eq!(m.most_recent, Some(at("2024-01-03T14:30:00Z")));
    }

    #[test]
    fn starting_deadline_bounds_the_search() {
        let cj = cronjob("2024-01-01T00:00:00Z", Some("2024-01-01T00:01:00Z"), Some(30));
        // 00:05:00 is 40 s back: beyond the deadline, nothing to start until 00:06.
        let m = most_recent_schedule_time(&cj, at("2024-01-01T00:05:40Z"), &sched("*/1 * * * *"), true, true)
            .unwrap();
        assert_eq!(m.most_recent, None);
        let m = most_recent_schedule_time(&cj, at("2024-01-01T00:05:20Z"), &sched("*/1 * * * *"), true, true)
            .unwrap();
        assert_eq!(m.most_recent, Some(at("2024-01-01T00:05:00Z")));
    }

    #[test]
    fn impossible_schedule_is_an_error() {
        let cj = cronjob("2024-01-01T00:00:00Z", None, None);
        let err =
            most_recent_schedule_time(&cj, at("2024-06-01T00:00:00Z"), &sched("0 0 30 2 *"), true, true)
                .err();
        assert_eq!(err.as_deref(), Some("time difference between two schedules is less than 1 second"));
    }

    #[test]
    fn before_the_scan_the_most_recent_time_is_arithmetic() {
        let cj = cronjob("2024-01-01T00:00:00Z", None, None);
        // Weekdays at 09:00 from Monday: t1 = Mon 09:00, t2 = Tue 09:00 → one day apart,
        // so on Sunday the 7th at 10:00 the estimate is Sun 09:00, a time the schedule
        // never has. The scan starts one estimated period earlier (Sat 09:00) and finds
        // nothing up to now: Friday's time is simply not run.
        let s = sched("0 9 * * 1-5");
        let m = most_recent_schedule_time(&cj, at("2024-01-07T10:00:00Z"), &s, true, false).unwrap();
        assert_eq!(m.most_recent, Some(at("2024-01-07T09:00:00Z")));
        let m = most_recent_schedule_time(&cj, at("2024-01-07T10:00:00Z"), &s, true, true).unwrap();
        assert_eq!(m.most_recent, None);
    }

    #[test]
    fn rfc1123z_pads_the_day() {
        assert_eq!(rfc1123z(at("2022-11-04T23:08:29Z")), "Fri, 04 Nov 2022 23:08:29 +0000");
    }
}
