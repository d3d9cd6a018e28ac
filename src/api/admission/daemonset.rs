//! Admission (defaults and validation) for DaemonSets.

use k8s_openapi::api::apps::v1::DaemonSet;

use super::Admit;
use crate::api::store::Store;

impl Admit for DaemonSet {
    fn set_defaults(&mut self, _store: &mut Store) {
        if let Some(t) = self.spec.as_mut().map(|s| &mut s.template) {
            super::default_template(t);
        }
    }

    fn validate(&self) -> Vec<String> {
        Vec::new()
    }
}
