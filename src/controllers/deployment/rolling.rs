//! The RollingUpdate strategy (`rolling.go`): each sync either scales the new
//! ReplicaSet up within `replicas + maxSurge`, or scales old ones down while keeping
//! `replicas − maxUnavailable` available, or (when complete) cleans up old revisions.

use k8s_openapi::api::apps::v1::ReplicaSet;

use super::sync::{new_rs_new_replicas, with_new};
use super::util::*;
use super::{Ctx, SyncResult};

impl Ctx<'_> {
    /// `rolloutRolling`.
    pub(crate) fn rollout_rolling(&mut self, rs_list: &[ReplicaSet]) -> SyncResult<()> {
        let (new_rs, old) = self.get_all_replica_sets_and_sync_revision(rs_list, true)?;
        let new_rs = new_rs.expect("created when missing");
        // The ReplicaSets as this sync saw them; like the real controller, status is
        // computed from these copies even after scaling one of them.
        let all = with_new(old.clone(), Some(new_rs.clone()));
        if self.reconcile_new_replica_set(&all, &new_rs)? {
            return self.sync_rollout_status(&all, Some(&new_rs));
        }
        let active_old: Vec<ReplicaSet> = old.iter().filter(|rs| rs_replicas(rs) > 0).cloned().collect();
        if self.reconcile_old_replica_sets(&all, active_old, &new_rs)? {
            return self.sync_rollout_status(&all, Some(&new_rs));
        }
        let status = self.d.status.clone().unwrap_or_default();
        if deployment_complete(&self.d, &status) {
            self.cleanup_deployment(&old)?;
        }
        self.sync_rollout_status(&all, Some(&new_rs))
    }

    /// `reconcileNewReplicaSet`: grows the new ReplicaSet as far as the surge allows
    /// (or shrinks it to `replicas`).
    fn reconcile_new_replica_set(&mut self, all: &[ReplicaSet], new_rs: &ReplicaSet) -> SyncResult<bool> {
        let replicas = replicas(&self.d);
        if rs_replicas(new_rs) == replicas {
            return Ok(false);
        }
        let target =
            if rs_replicas(new_rs) > replicas { replicas } else { new_rs_new_replicas(&self.d, all, new_rs) };
        Ok(self.scale_replica_set_and_record_event(new_rs, target)?.0)
    }

    /// `reconcileOldReplicaSets`: how far old ReplicaSets may shrink.
    ///
    /// With 10 replicas, maxUnavailable 2 and maxSurge 3: at least 8 must stay
    /// available. If old has 8 (all available) and new has 5 of which 3 are not yet
    /// available, then `maxScaledDown = 13 − 8 − 3 = 2`: old may lose 2. Unavailable old
    /// pods go first (kubernetes#16737), then available ones down to the minimum.
    fn reconcile_old_replica_sets(
        &mut self,
        all: &[ReplicaSet],
        old: Vec<ReplicaSet>,
        new_rs: &ReplicaSet,
    ) -> SyncResult<bool> {
        let old_count: i32 = old.iter().map(rs_replicas).sum();
        if old_count == 0 {
            return Ok(false);
        }
        let all_count: i32 = all.iter().map(rs_replicas).sum();
        let min_available = replicas(&self.d) - max_unavailable(&self.d);
        let new_unavailable = rs_replicas(new_rs) - rs_available(new_rs);
        let max_scaled_down = all_count - min_available - new_unavailable;
        if max_scaled_down <= 0 {
            return Ok(false);
        }
        let (old, cleaned) = self.cleanup_unhealthy_replicas(old, max_scaled_down)?;
        let all = with_new(old.clone(), Some(new_rs.clone()));
        let scaled = self.scale_down_old_replica_sets_for_rolling_update(&all, old)?;
        Ok(cleaned + scaled > 0)
    }

    /// `cleanupUnhealthyReplicas`: removes old replicas that are not available, oldest
    /// ReplicaSet first, at most `max_cleanup` in all.
    fn cleanup_unhealthy_replicas(
        &mut self,
        mut old: Vec<ReplicaSet>,
        max_cleanup: i32,
    ) -> SyncResult<(Vec<ReplicaSet>, i32)> {
        old.sort_by(by_creation);
        let mut total = 0;
        for rs in old.iter_mut() {
            if total >= max_cleanup {
                break;
            }
            let (size, available) = (rs_replicas(rs), rs_available(rs));
            if size == 0 || size == available {
                continue;
            }
            let count = (max_cleanup - total).min(size - available);
            let (_, updated) = self.scale_replica_set_and_record_event(rs, size - count)?;
            total += count;
            *rs = updated;
        }
        Ok((old, total))
    }

    /// `scaleDownOldReplicaSetsForRollingUpdate`: removes available old replicas,
    /// oldest ReplicaSet first, while more than `replicas − maxUnavailable` are available.
    fn scale_down_old_replica_sets_for_rolling_update(
        &mut self,
        all: &[ReplicaSet],
        mut old: Vec<ReplicaSet>,
    ) -> SyncResult<i32> {
        let min_available = replicas(&self.d) - max_unavailable(&self.d);
        let available: i32 = all.iter().map(rs_available).sum();
        if available <= min_available {
            return Ok(0);
        }
        old.sort_by(by_creation);
        let to_remove = available - min_available;
        let mut total = 0;
        for rs in &old {
            if total >= to_remove {
                break;
            }
            if rs_replicas(rs) == 0 {
                continue;
            }
            let count = rs_replicas(rs).min(to_remove - total);
            self.scale_replica_set_and_record_event(rs, rs_replicas(rs) - count)?;
            total += count;
        }
        Ok(total)
    }
}
