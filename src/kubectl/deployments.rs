//! kubectl's own view of a Deployment's ReplicaSets (`kubectl/pkg/util/deployment`),
//! used by `describe`, `rollout history` and `rollout undo`: the ReplicaSets matching
//! the selector and controlled by the Deployment, in creation order, split into the
//! new one (template equal to the Deployment's, ignoring the hash label) and the rest.

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};

use crate::api::Store;
use crate::api::selector::Selector;
use crate::api::store::controller_ref;
use crate::controllers::deployment::util::{by_creation, equal_ignore_hash};

pub struct DeploymentReplicaSets<'a> {
    /// Every old ReplicaSet (also those scaled to 0), oldest first.
    pub old: Vec<&'a ReplicaSet>,
    pub new: Option<&'a ReplicaSet>,
}

impl<'a> DeploymentReplicaSets<'a> {
    pub fn of(store: &'a Store, d: &'a Deployment) -> Self {
        let uid = d.metadata.uid.as_deref().unwrap_or("");
        let ns = d.metadata.namespace.as_deref().unwrap_or("");
        let selector = d.spec.as_ref().map(|s| Selector::from_label_selector(&s.selector));
        let mut all: Vec<&ReplicaSet> = match selector {
            Some(Ok(sel)) => store
                .list::<ReplicaSet>(Some(ns))
                .filter(|rs| sel.matches_opt(rs.metadata.labels.as_ref()))
                .filter(|rs| controller_ref(&rs.metadata).is_some_and(|r| r.uid == uid))
                .collect(),
            _ => Vec::new(),
        };
        all.sort_by(|a, b| by_creation(a, b));
        let template = d.spec.as_ref().map(|s| &s.template);
        let new = all.iter().copied().find(|rs| {
            match (rs.spec.as_ref().and_then(|s| s.template.as_ref()), template) {
                (Some(a), Some(b)) => equal_ignore_hash(a, b),
                _ => false,
            }
        });
        let old =
            all.into_iter().filter(|rs| new.is_none_or(|n| n.metadata.uid != rs.metadata.uid)).collect();
        DeploymentReplicaSets { old, new }
    }

    /// All of them, old first.
    pub fn all(&self) -> Vec<&'a ReplicaSet> {
        self.old.iter().copied().chain(self.new).collect()
    }
}
