//! Admission (defaults and validation) for HorizontalPodAutoscalers.

use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;

use super::Admit;
use crate::api::store::Store;

impl Admit for HorizontalPodAutoscaler {
    fn set_defaults(&mut self, _store: &mut Store) {}

    fn validate(&self) -> Vec<String> {
        Vec::new()
    }
}
