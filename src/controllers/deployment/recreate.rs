//! The Recreate strategy (`recreate.go`): scale every old ReplicaSet to 0, wait until
//! no old pod is left running (terminating ones count), then create or scale up the
//! new ReplicaSet to `replicas` in one step.

use k8s_openapi::api::apps::v1::ReplicaSet;

use super::sync::with_new;
use super::util::*;
use super::{Ctx, SyncResult};

impl Ctx<'_> {
    /// `rolloutRecreate`.
    pub(crate) fn rollout_recreate(&mut self, rs_list: &[ReplicaSet]) -> SyncResult<()> {
        // The new ReplicaSet is not created yet, so nothing scales up before old pods go.
        let (mut new_rs, mut old) = self.get_all_replica_sets_and_sync_revision(rs_list, false)?;
        let mut all = with_new(old.clone(), new_rs.clone());
        let mut scaled_down = false;
        for rs in old.iter().filter(|rs| rs_replicas(rs) > 0) {
            scaled_down |= self.scale_replica_set_and_record_event(rs, 0)?.0;
        }
        if scaled_down {
            return self.sync_rollout_status(&all, new_rs.as_ref());
        }
        if self.old_pods_running(new_rs.as_ref(), &old) {
            return self.sync_rollout_status(&all, new_rs.as_ref());
        }
        if new_rs.is_none() {
            (new_rs, old) = self.get_all_replica_sets_and_sync_revision(rs_list, true)?;
            all = with_new(old.clone(), new_rs.clone());
        }
        if let Some(rs) = &new_rs {
            self.scale_replica_set_and_record_event(rs, replicas(&self.d))?;
        }
        let status = self.d.status.clone().unwrap_or_default();
        if deployment_complete(&self.d, &status) {
            self.cleanup_deployment(&old)?;
        }
        self.sync_rollout_status(&all, new_rs.as_ref())
    }

    /// `oldPodsRunning`: an old ReplicaSet still counts pods, or one of its pods is not
    /// finished (pending, running, unknown, or terminating).
    fn old_pods_running(&self, new_rs: Option<&ReplicaSet>, old: &[ReplicaSet]) -> bool {
        if old.iter().map(rs_status_replicas).sum::<i32>() > 0 {
            return true;
        }
        let new_uid = new_rs.and_then(|rs| rs.metadata.uid.as_deref());
        old.iter().filter(|rs| rs.metadata.uid.as_deref() != new_uid).any(|rs| {
            self.pods_of(rs).any(|pod| {
                let phase = pod.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or("");
                phase != "Succeeded" && phase != "Failed"
            })
        })
    }
}
