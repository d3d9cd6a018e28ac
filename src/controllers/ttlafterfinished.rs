//! The TTL-after-finished controller
//! (`pkg/controller/ttlafterfinished/ttlafterfinished_controller.go`): a finished Job
//! with `ttlSecondsAfterFinished` is deleted that long after its `Complete` or `Failed`
//! condition turned True, with Foreground propagation so its pods go first.

use k8s_openapi::api::batch::v1::Job;

use crate::api::store::{Change, ChangeOp, DeleteOptions, Propagation};
use crate::api::{Kind, ObjKey, Store};
use crate::controllers::job::finish_time;
use crate::controllers::replicaset::Requeues;
use crate::sim::queue::WorkQueue;
use crate::time::{Millis, SECOND};

#[derive(Default)]
pub struct TtlAfterFinished {
    queue: WorkQueue<ObjKey>,
}

impl TtlAfterFinished {
    pub fn observe(&mut self, change: &Change) {
        if change.kind == Kind::Job && change.op != ChangeOp::Deleted {
            self.queue.add(change.key.clone());
        }
    }

    /// A requeued Job came due.
    pub fn requeue(&mut self, key: ObjKey) {
        self.queue.add(key);
    }

    pub fn run(&mut self, store: &mut Store, requeues: &mut Requeues) -> usize {
        if !store.profile.job.ttl_after_finished {
            self.queue.drain();
            return 0;
        }
        let keys = self.queue.drain();
        for key in &keys {
            process(key, store, requeues);
        }
        keys.len()
    }
}

/// Deletes the Job when its time is up, or asks to look again then.
fn process(key: &ObjKey, store: &mut Store, requeues: &mut Requeues) {
    let Some(job) = store.get_by_key::<Job>(key) else { return };
    if job.metadata.deletion_timestamp.is_some() {
        return;
    }
    let Some(ttl) = job.spec.as_ref().and_then(|s| s.ttl_seconds_after_finished) else { return };
    let Some(finished) = job.status.as_ref().and_then(finish_time) else { return };
    let finished_ms = store.clock.millis_of(finished.0).max(0) as Millis;
    let expire = finished_ms + ttl.max(0) as Millis * SECOND;
    if store.now < expire {
        requeues.push(expire, (Kind::Job, key.clone()));
        return;
    }
    let opts = DeleteOptions { grace_seconds: None, propagation: Some(Propagation::Foreground) };
    let _ = store.delete::<Job>(&key.0, &key.1, opts);
}
