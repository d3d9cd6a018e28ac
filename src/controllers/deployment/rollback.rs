//! The legacy server-side rollback (`rollback.go`): a Deployment written through
//! extensions/v1beta1 or apps/v1beta1 with `spec.rollbackTo: {revision: N}` carries the
//! `deprecated.deployment.rollback.to` annotation in apps/v1, and the controller (still
//! today) copies the template of revision N's ReplicaSet into the Deployment (0 = the
//! revision before the current one), then clears the annotation. The template change
//! starts an ordinary rollout on the next sync, which renumbers that ReplicaSet as the
//! newest revision. kubectl never sends it since 1.13 (its `rollout undo` patches the
//! template itself); only a manifest can.

use k8s_openapi::api::apps::v1::ReplicaSet;

use super::util::{self, ROLLBACK_TO, equal_ignore_hash, revision, skip_copy_annotation};
use super::{Ctx, SyncResult};
use crate::api::event::EventType;

/// `deploymentutil.RollbackDone` and the warning reasons of `rollback.go`.
const ROLLBACK_DONE: &str = "DeploymentRollback";
const ROLLBACK_REVISION_NOT_FOUND: &str = "DeploymentRollbackRevisionNotFound";
const ROLLBACK_TEMPLATE_UNCHANGED: &str = "DeploymentRollbackTemplateUnchanged";

impl Ctx<'_> {
    /// `getRollbackTo`: the requested revision, `None` when absent or unparsable.
    pub(crate) fn rollback_to(&self) -> Option<i64> {
        self.d.metadata.annotations.as_ref()?.get(ROLLBACK_TO)?.parse().ok()
    }

    /// `rollback`: roll the Deployment back to the requested revision; in any case clear
    /// the request.
    pub(crate) fn rollback(&mut self, rs_list: &[ReplicaSet]) -> SyncResult<()> {
        let (new_rs, old) = self.get_all_replica_sets_and_sync_revision(rs_list, true)?;
        let all = super::sync::with_new(old, new_rs);
        let mut to = self.rollback_to().unwrap_or(0);
        if to == 0 {
            to = last_revision(&all);
            if to == 0 {
                self.record(
                    EventType::Warning,
                    ROLLBACK_REVISION_NOT_FOUND,
                    "Unable to find last revision.".into(),
                );
                return self.update_deployment_and_clear_rollback_to();
            }
        }
        if let Some(rs) = all.iter().find(|rs| revision(&rs.metadata).ok() == Some(to)) {
            let performed = self.rollback_to_template(rs)?;
            if performed {
                let message = format!("Rolled back deployment {:?} to revision {to}", self.name());
                self.record(EventType::Normal, ROLLBACK_DONE, message);
            }
            return Ok(());
        }
        self.record(
            EventType::Warning,
            ROLLBACK_REVISION_NOT_FOUND,
            "Unable to find the revision to rollback to.".into(),
        );
        self.update_deployment_and_clear_rollback_to()
    }

    /// `rollbackToTemplate`: copy the ReplicaSet's template (without the hash label) and
    /// annotations into the Deployment unless the templates already match. Returns
    /// whether it rolled back.
    fn rollback_to_template(&mut self, rs: &ReplicaSet) -> SyncResult<bool> {
        let template = rs.spec.as_ref().and_then(|s| s.template.clone()).unwrap_or_default();
        let current = self.d.spec.as_ref().map(|s| s.template.clone()).unwrap_or_default();
        let performed = !equal_ignore_hash(&current, &template);
        if performed {
            let mut template = template;
            if let Some(labels) = template.metadata.as_mut().and_then(|m| m.labels.as_mut()) {
                labels.remove(util::HASH_LABEL);
            }
            self.d.spec.get_or_insert_with(Default::default).template = template;
            // `SetDeploymentAnnotationsTo`: keep only the Deployment's own bookkeeping
            // annotations, take every other one from the ReplicaSet.
            let mut annotations = self.d.metadata.annotations.clone().unwrap_or_default();
            annotations.retain(|k, _| skip_copy_annotation(k));
            for (k, v) in rs.metadata.annotations.iter().flatten() {
                if !skip_copy_annotation(k) {
                    annotations.insert(k.clone(), v.clone());
                }
            }
            self.d.metadata.annotations = Some(annotations);
        } else {
            let message = format!(
                "The rollback revision contains the same template as current deployment {:?}",
                self.name()
            );
            self.record(EventType::Warning, ROLLBACK_TEMPLATE_UNCHANGED, message);
        }
        self.update_deployment_and_clear_rollback_to()?;
        Ok(performed)
    }

    /// `updateDeploymentAndClearRollbackTo`: an update of the whole object (spec and
    /// annotations) without the request.
    fn update_deployment_and_clear_rollback_to(&mut self) -> SyncResult<()> {
        if let Some(annotations) = self.d.metadata.annotations.as_mut() {
            annotations.remove(ROLLBACK_TO);
        }
        self.update_deployment()
    }
}

/// `LastRevision`: the second highest revision among the ReplicaSets (0 when none).
fn last_revision(all: &[ReplicaSet]) -> i64 {
    let (mut max, mut second) = (0, 0);
    for v in all.iter().filter_map(|rs| revision(&rs.metadata).ok()) {
        if v >= max {
            second = max;
            max = v;
        } else if v > second {
            second = v;
        }
    }
    second
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn rs_at(rev: &str) -> ReplicaSet {
        let mut rs = ReplicaSet::default();
        rs.metadata.annotations = Some(BTreeMap::from([(util::REVISION.to_string(), rev.to_string())]));
        rs
    }

    #[test]
    fn last_revision_is_the_second_highest() {
        let cases: &[(&str, &[&str], i64)] = &[
            ("none", &[], 0),
            ("one", &["1"], 0),
            ("two", &["1", "2"], 1),
            ("unordered", &["5", "2", "4"], 4),
            ("unparsable ignored", &["x", "3", "1"], 1),
        ];
        for (name, revs, want) in cases {
            let all: Vec<ReplicaSet> = revs.iter().map(|r| rs_at(r)).collect();
            assert_eq!(last_revision(&all), *want, "{name}");
        }
    }
}
