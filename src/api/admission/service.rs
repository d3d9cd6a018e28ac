//! Admission (defaults and validation) for Services and Endpoints.

use k8s_openapi::api::core::v1::{Endpoints, Service};

use super::Admit;
use crate::api::store::Store;

impl Admit for Service {
    fn set_defaults(&mut self, _store: &mut Store) {}

    fn validate(&self) -> Vec<String> {
        Vec::new()
    }
}

impl Admit for Endpoints {
    fn set_defaults(&mut self, _store: &mut Store) {}

    fn validate(&self) -> Vec<String> {
        Vec::new()
    }
}
