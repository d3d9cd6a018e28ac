//! Pod-failure back-off and the limits that fail a Job (`backoffLimit`,
//! `activeDeadlineSeconds`), in the two forms Kubernetes had: through the work queue's
//! rate limiter (≤ 1.26) and from pod failure records (1.27+).

use k8s_openapi::api::batch::v1::JobStatus;

use super::pods::Census;
use super::{JobMemory, JobView};
use crate::api::Store;
use crate::constants::{JOB_BACKOFF_INITIAL, JOB_BACKOFF_MAX_QUEUE, JOB_BACKOFF_MAX_RECORDS};
use crate::profile::JobBackoff;
use crate::time::{Millis, SECOND};

/// `getBackoff`: 0 before any requeue, then 10 s × 2^(n−1), capped at 6 min.
pub fn queue_delay(requeues: u32) -> Millis {
    if requeues == 0 {
        return 0;
    }
    doubled(requeues, JOB_BACKOFF_MAX_QUEUE)
}

fn doubled(n: u32, max: Millis) -> Millis {
    let shift = (n - 1).min(20);
    (JOB_BACKOFF_INITIAL << shift).min(max)
}

/// With failure records: when a replacement pod may be created, if that is later than
/// now (10 s × 2^(n−1) after the last failure, n failures since the last success,
/// capped at 10 min).
pub fn records_wait(memory: &JobMemory, store: &Store) -> Option<Millis> {
    if store.profile.job.backoff != JobBackoff::FailureRecords || memory.consecutive_failures == 0 {
        return None;
    }
    let at = memory.last_failure + doubled(memory.consecutive_failures, JOB_BACKOFF_MAX_RECORDS);
    (at > store.now).then_some(at)
}

/// Why the Job fails now, if it does: the back-off limit is checked before the
/// deadline (`syncJob`).
pub fn failure_reason(
    job: &JobView,
    census: &Census,
    status: &JobStatus,
    previous_retry: u32,
    new_failure: bool,
    store: &Store,
) -> Option<(&'static str, &'static str)> {
    let limit = job.spec.backoff_limit.unwrap_or(crate::constants::JOB_DEFAULT_BACKOFF_LIMIT);
    let exceeds = match store.profile.job.backoff {
        JobBackoff::Queue => {
            new_failure
                && census.active_pods.len() as i32 != job.parallelism()
                && previous_retry as i64 + 1 > limit as i64
        }
        JobBackoff::FailureRecords => census.failed > limit,
    };
    // `pastBackoffLimitOnFailure`: restarts in place count against the limit.
    let on_failure = job.restart_policy() == "OnFailure"
        && if limit == 0 { census.restarts > 0 } else { census.restarts >= limit };
    if exceeds || on_failure {
        return Some(("BackoffLimitExceeded", "Job has reached the specified backoff limit"));
    }
    if past_deadline(job, status, store) {
        return Some(("DeadlineExceeded", "Job was active longer than specified deadline"));
    }
    None
}

/// `pastActiveDeadline`: `now − status.startTime ≥ activeDeadlineSeconds`.
fn past_deadline(job: &JobView, status: &JobStatus, store: &Store) -> bool {
    let (Some(deadline), Some(start)) = (job.spec.active_deadline_seconds, status.start_time.as_ref()) else {
        return false;
    };
    if job.suspended() {
        return false;
    }
    let now = store.clock.at(store.now);
    let elapsed = now.duration_since(start.0).as_millis();
    elapsed >= (deadline as i128) * SECOND as i128
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_delays_double_to_six_minutes() {
        let secs: Vec<Millis> = (0..8).map(|n| queue_delay(n) / SECOND).collect();
        assert_eq!(secs, vec![0, 10, 20, 40, 80, 160, 320, 360]);
    }
}
