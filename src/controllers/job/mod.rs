//! The Job controller (`pkg/controller/job/job_controller.go`).
//!
//! A sync counts the Job's pods, decides whether the Job failed (back-off limit, active
//! deadline), completed, or needs pods created or deleted, and writes status,
//! conditions and events. Split by concern: [`pods`] (census, creation and deletion),
//! [`backoff`] (pod-failure back-off and limits, which changed between versions) and
//! [`status`] (conditions, status, events).

mod backoff;
mod pods;
mod status;

use k8s_openapi::api::batch::v1::{Job, JobSpec};

use crate::api::store::{Change, ChangeOp};
use crate::api::{Kind, ObjKey, Store};
use crate::controllers::replicaset::Requeues;
use crate::hash::{HashMap, HashSet};
use crate::profile::JobBackoff;
use crate::sim::queue::WorkQueue;
use crate::time::{Millis, SECOND};

pub use status::{condition_true, finish_time};

/// What the controller remembers about one Job between syncs (the work queue's rate
/// limiter and the pod-failure records of the real controller).
#[derive(Default)]
struct JobMemory {
    /// Legacy back-off: the work queue's requeue count for the key (`NumRequeues`).
    requeues: u32,
    /// The one pending delayed sync (the delaying queue keeps the earliest).
    pending: Option<Millis>,
    /// Failure-record back-off: failures since the last success, and when the last
    /// one finished.
    consecutive_failures: u32,
    last_failure: Millis,
    /// Pods already counted into status (finalizer-style tracking, 1.27+).
    counted: HashSet<String>,
    succeeded: i32,
    failed: i32,
    /// Indexes that have succeeded (Indexed jobs).
    completed_indexes: std::collections::BTreeSet<i32>,
}

#[derive(Default)]
pub struct JobController {
    queue: WorkQueue<ObjKey>,
    memory: HashMap<String, JobMemory>,
}

/// The fields of a Job a sync works from.
struct JobView {
    key: ObjKey,
    uid: String,
    spec: JobSpec,
    status: k8s_openapi::api::batch::v1::JobStatus,
    deleting: bool,
}

impl JobView {
    fn load(store: &Store, key: &ObjKey) -> Option<JobView> {
        let job = store.get_by_key::<Job>(key)?;
        Some(JobView {
            key: key.clone(),
            uid: job.metadata.uid.clone()?,
            spec: job.spec.clone()?,
            status: job.status.clone().unwrap_or_default(),
            deleting: job.metadata.deletion_timestamp.is_some(),
        })
    }

    fn parallelism(&self) -> i32 {
        self.spec.parallelism.unwrap_or(1).max(0)
    }

    fn indexed(&self) -> bool {
        self.spec.completion_mode.as_deref() == Some("Indexed")
    }

    fn suspended(&self) -> bool {
        self.spec.suspend == Some(true)
    }

    fn restart_policy(&self) -> &str {
        self.spec.template.spec.as_ref().and_then(|s| s.restart_policy.as_deref()).unwrap_or("Never")
    }
}

impl JobController {
    pub fn observe(&mut self, change: &Change, store: &Store, requeues: &mut Requeues) {
        match change.kind {
            Kind::Job => {
                if change.op == ChangeOp::Deleted {
                    self.memory.remove(&change.uid);
                } else {
                    self.queue.add(change.key.clone());
                }
            }
            Kind::Pod => {
                for owner in [&change.old_controller, &change.new_controller].into_iter().flatten() {
                    let Some((Kind::Job, key)) = store.lookup_uid(owner).cloned() else { continue };
                    let failed = store.stored_pod(&change.key).is_some_and(|p| {
                        p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Failed")
                    });
                    self.pod_changed(owner, key, failed, store, requeues);
                }
            }
            _ => {}
        }
    }

    /// A pod of the Job changed. With the work-queue back-off a failed pod requeues the
    /// Job after `getBackoff` (0 the first time); anything else syncs it at once.
    fn pod_changed(&mut self, uid: &str, key: ObjKey, failed: bool, store: &Store, requeues: &mut Requeues) {
        if failed && store.profile.job.backoff == JobBackoff::Queue {
            let memory = self.memory.entry(uid.to_string()).or_default();
            let delay = backoff::queue_delay(memory.requeues);
            if delay > 0 {
                schedule(memory, key, store.now + delay, requeues);
                return;
            }
        }
        self.queue.add(key);
    }

    /// A delayed sync came due.
    pub fn requeue(&mut self, key: ObjKey, store: &Store) {
        if let Some(job) = store.get_by_key::<Job>(&key)
            && let Some(memory) = job.metadata.uid.as_ref().and_then(|u| self.memory.get_mut(u))
            && memory.pending.is_some_and(|t| t <= store.now)
        {
            memory.pending = None;
        }
        self.queue.add(key);
    }

    /// Syncs every queued Job; returns how many it looked at.
    pub fn run(&mut self, store: &mut Store, requeues: &mut Requeues) -> usize {
        let keys = self.queue.drain();
        for key in &keys {
            self.sync(key, store, requeues);
        }
        keys.len()
    }

    fn sync(&mut self, key: &ObjKey, store: &mut Store, requeues: &mut Requeues) {
        let Some(job) = JobView::load(store, key) else { return };
        // Counting happens from the pods as they are now; the finalizers can go.
        let census_first = pods::Census::take(
            &job,
            store,
            self.memory.entry(job.uid.clone()).or_default(),
            store.profile.job.backoff,
        );
        pods::release_counted(&job.uid, store);
        if status::finished(&job.status) {
            status::finish_interim(&job, store);
            return;
        }
        let profile = store.profile.job;
        let memory = self.memory.entry(job.uid.clone()).or_default();
        let census = census_first;
        let mut st = job.status.clone();
        let now_time = store.clock.time(store.now);
        // Job first start (not while suspended).
        if st.start_time.is_none() && !job.suspended() {
            st.start_time = Some(now_time.clone());
            if let Some(deadline) = job.spec.active_deadline_seconds {
                requeues.push(store.now + deadline.max(0) as Millis * SECOND, (Kind::Job, key.clone()));
            }
        }
        let previous_retry = memory.requeues;
        let new_failure = census.failed > job.status.failed.unwrap_or(0);
        if census.succeeded > job.status.succeeded.unwrap_or(0) {
            memory.requeues = 0;
        }
        let failure = backoff::failure_reason(&job, &census, &st, previous_retry, new_failure, store);
        if let Some((reason, message)) = failure {
            let deleted = pods::delete_active(&job, &census, census.active_pods.len(), store);
            st.failed = Some(census.failed + deleted as i32);
            st.active = None;
            status::fail(&job, &mut st, reason, message, census.terminating + deleted, store);
        } else if !job.deleting {
            let active = self.manage(&job, &census, &mut st, store, requeues);
            status::complete_if_done(&job, &census, active, &mut st, store);
            st.active = Some(active as i32);
            st.failed = Some(census.failed);
        }
        st.succeeded = Some(census.succeeded);
        st.ready = profile.ready_status.then_some(census.ready);
        if job.indexed() {
            st.completed_indexes = Some(pods::format_indexes(&census.succeeded_indexes));
        }
        if new_failure && profile.backoff == JobBackoff::Queue && !status::finished(&st) {
            let memory = self.memory.get_mut(&job.uid).expect("entry made above");
            // The sync returns an error: `AddRateLimited` requeues after 10 s × 2^n; the
            // Job's own status update then resyncs against the not yet updated cache,
            // sees the same failure and counts a second requeue (the delaying queue
            // keeps the earlier time). This is what makes the seed's 1.22 Job with
            // `backoffLimit: 6` stop after four pods, 0 s, 1 s, 10 s and 40 s apart.
            let delay = backoff::queue_delay(memory.requeues + 1);
            memory.requeues += 2;
            schedule(memory, key.clone(), store.now + delay, requeues);
        }
        status::write(&job, st, store);
    }

    /// `manageJob`: suspends, deletes extra pods or creates missing ones; returns the
    /// number of active pods afterwards. `Suspended`/`Resumed` events follow the pod
    /// events, as the real controller records them with the status update.
    fn manage(
        &mut self,
        job: &JobView,
        census: &pods::Census,
        st: &mut k8s_openapi::api::batch::v1::JobStatus,
        store: &mut Store,
        requeues: &mut Requeues,
    ) -> usize {
        let event = status::track_suspension(job, st, store);
        let active = self.manage_pods(job, census, store, requeues);
        if let Some((reason, message)) = event {
            status::record(job, store, crate::api::event::EventType::Normal, reason, message.into());
            if reason == "Resumed"
                && let Some(deadline) = job.spec.active_deadline_seconds
            {
                requeues.push(store.now + deadline.max(0) as Millis * SECOND, (Kind::Job, job.key.clone()));
            }
        }
        active
    }

    fn manage_pods(
        &mut self,
        job: &JobView,
        census: &pods::Census,
        store: &mut Store,
        requeues: &mut Requeues,
    ) -> usize {
        let active = census.active_pods.len();
        if job.suspended() {
            let deleted = pods::delete_active(job, census, active, store);
            return active - deleted;
        }
        let want = wanted_active(job, census);
        if active > want {
            let deleted = pods::delete_active(job, census, active - want, store);
            return active - deleted;
        }
        let missing = (want - active).min(crate::constants::JOB_MAX_PODS_PER_SYNC);
        if missing == 0 {
            return active;
        }
        let memory = self.memory.get_mut(&job.uid).expect("entry made in sync");
        if let Some(at) = backoff::records_wait(memory, store) {
            schedule(memory, job.key.clone(), at, requeues);
            return active;
        }
        active + pods::create(job, census, missing, store)
    }
}

/// How many pods should run now (`manageJob`'s `wantActive`).
fn wanted_active(job: &JobView, census: &pods::Census) -> usize {
    let parallelism = job.parallelism() as i64;
    let want = match job.spec.completions {
        Some(completions) => parallelism.min(completions as i64 - census.succeeded as i64),
        // Work queue: no new pods once one has succeeded.
        None if census.succeeded > 0 => census.active_pods.len() as i64,
        None => parallelism,
    };
    want.max(0) as usize
}

/// Queues a delayed sync unless one is already due no later.
fn schedule(memory: &mut JobMemory, key: ObjKey, at: Millis, requeues: &mut Requeues) {
    if memory.pending.is_some_and(|t| t <= at) {
        return;
    }
    memory.pending = Some(at);
    requeues.push(at, (Kind::Job, key));
}
