//! Admission (defaults and validation) for Jobs and CronJobs.

use k8s_openapi::api::batch::v1::{CronJob, Job};

use super::Admit;
use crate::api::store::Store;

impl Admit for Job {
    fn set_defaults(&mut self, _store: &mut Store) {
        if let Some(t) = self.spec.as_mut().map(|s| &mut s.template) {
            super::default_template(t);
        }
    }

    fn validate(&self) -> Vec<String> {
        Vec::new()
    }
}

impl Admit for CronJob {
    fn set_defaults(&mut self, _store: &mut Store) {
        if let Some(t) =
            self.spec.as_mut().and_then(|s| s.job_template.spec.as_mut()).map(|s| &mut s.template)
        {
            super::default_template(t);
        }
    }

    fn validate(&self) -> Vec<String> {
        Vec::new()
    }
}
