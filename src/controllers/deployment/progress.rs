//! The Progressing condition and the progress deadline (`progress.go`): a rollout that
//! moves refreshes `ReplicaSetUpdated`; a complete one gets `NewReplicaSetAvailable`;
//! one that has not moved for `progressDeadlineSeconds` gets
//! `ProgressDeadlineExceeded`, which sticks. The controller asks the clock to wake it
//! when the deadline would pass, as `requeueStuckDeployment` does.

use k8s_openapi::api::apps::v1::{DeploymentStatus, ReplicaSet};

use super::sync::calculate_status;
use super::util::*;
use super::{Ctx, SyncResult};
use crate::time::SECOND;

impl Ctx<'_> {
    /// `syncRolloutStatus`.
    pub(crate) fn sync_rollout_status(
        &mut self,
        all: &[ReplicaSet],
        new_rs: Option<&ReplicaSet>,
    ) -> SyncResult<()> {
        let now = self.now_time();
        let mut status = calculate_status(all, new_rs, &self.d, &now);
        let deadline = progress_deadline_seconds(&self.d);
        if deadline.is_none() {
            remove_condition(&mut status, PROGRESSING);
        }
        let current = self.d.status.as_ref().and_then(|s| condition(s, PROGRESSING)).cloned();
        let complete_before = status_field(status.replicas) == status_field(status.updated_replicas)
            && current.as_ref().is_some_and(|c| c.reason.as_deref() == Some(NEW_RS_AVAILABLE_REASON));
        if deadline.is_some() && !complete_before {
            let what = match new_rs {
                Some(rs) => format!("ReplicaSet \"{}\"", rs.metadata.name.as_deref().unwrap_or("")),
                None => format!("Deployment \"{}\"", self.name()),
            };
            if deployment_complete(&self.d, &status) {
                let msg = format!("{what} has successfully progressed.");
                set_condition(
                    &mut status,
                    new_condition(PROGRESSING, "True", NEW_RS_AVAILABLE_REASON, msg, &now),
                );
            } else if deployment_progressing(&self.d, &status) {
                let msg = format!("{what} is progressing.");
                let mut cond = new_condition(PROGRESSING, "True", RS_UPDATED_REASON, msg, &now);
                // Unlike other conditions, an unchanged reason still refreshes
                // lastUpdateTime here: that is what keeps the deadline away.
                if let Some(current) = &current {
                    if current.status == "True" {
                        cond.last_transition_time = current.last_transition_time.clone();
                    }
                    remove_condition(&mut status, PROGRESSING);
                }
                set_condition(&mut status, cond);
            } else if deployment_timed_out(&self.d, &status, self.now_wall()) {
                let msg = format!("{what} has timed out progressing.");
                set_condition(&mut status, new_condition(PROGRESSING, "False", TIMED_OUT_REASON, msg, &now));
            }
        }
        // The ReplicaSets' ReplicaFailure condition is mirrored (new one first).
        match replica_failure(all, new_rs) {
            Some(failure) => set_condition(&mut status, failure),
            None => remove_condition(&mut status, REPLICA_FAILURE),
        }
        if self.d.status.clone().unwrap_or_default() == status {
            self.requeue_stuck_deployment(&status);
            return Ok(());
        }
        self.d.status = Some(status);
        self.update_status()
    }

    /// `requeueStuckDeployment`: with no progress now, sync again just after the
    /// deadline would pass (`lastUpdateTime + progressDeadlineSeconds`, plus 1 s).
    fn requeue_stuck_deployment(&mut self, status: &DeploymentStatus) {
        let Some(deadline) = progress_deadline_seconds(&self.d) else { return };
        let Some(current) = self.d.status.as_ref().and_then(|s| condition(s, PROGRESSING)).cloned() else {
            return;
        };
        if deployment_complete(&self.d, status) || current.reason.as_deref() == Some(TIMED_OUT_REASON) {
            return;
        }
        // A complete Deployment that lost pods (a crash, an eviction) keeps its
        // `NewReplicaSetAvailable` condition, which `DeploymentTimedOut` never times out.
        // The real controller still requeues it through its rate limiter (about ten
        // times a second) until the pods are back, but those syncs cannot change
        // anything, and every pod change syncs it anyway: skip them, or an old
        // condition would make the simulation step through hours a millisecond apart.
        if current.reason.as_deref() == Some(NEW_RS_AVAILABLE_REASON) {
            return;
        }
        let Some(updated) = current.last_update_time.as_ref() else { return };
        let due = updated.0 + jiff::SignedDuration::from_secs(deadline as i64);
        let due_ms = self.store.clock.millis_of(due).max(0) as u64;
        let now = self.store.now;
        // Less than a second away: the real controller retries through its rate
        // limiter until the deadline has passed; we wake just after it.
        let at = if due_ms < now + SECOND { due_ms.max(now) + 1 } else { due_ms + SECOND };
        self.requeue_at(at);
    }
}

/// `getReplicaFailures`: the new ReplicaSet's ReplicaFailure condition, else the first
/// old one's, as a Deployment condition.
fn replica_failure(
    all: &[ReplicaSet],
    new_rs: Option<&ReplicaSet>,
) -> Option<k8s_openapi::api::apps::v1::DeploymentCondition> {
    let new_uid = new_rs.and_then(|rs| rs.metadata.uid.clone());
    let ordered = new_rs.into_iter().chain(all.iter().filter(|rs| rs.metadata.uid != new_uid));
    for rs in ordered {
        let conds = rs.status.as_ref().and_then(|s| s.conditions.as_ref());
        if let Some(c) = conds.into_iter().flatten().find(|c| c.type_ == REPLICA_FAILURE) {
            return Some(k8s_openapi::api::apps::v1::DeploymentCondition {
                type_: c.type_.clone(),
                status: c.status.clone(),
                reason: c.reason.clone(),
                message: c.message.clone(),
                last_update_time: c.last_transition_time.clone(),
                last_transition_time: c.last_transition_time.clone(),
            });
        }
    }
    None
}
