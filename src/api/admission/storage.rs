//! Admission (defaults and validation) for PersistentVolumeClaims and PersistentVolumes.

use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};

use super::Admit;
use crate::api::store::Store;

impl Admit for PersistentVolumeClaim {
    fn set_defaults(&mut self, _store: &mut Store) {}

    fn validate(&self) -> Vec<String> {
        Vec::new()
    }
}

impl Admit for PersistentVolume {
    fn set_defaults(&mut self, _store: &mut Store) {}

    fn validate(&self) -> Vec<String> {
        Vec::new()
    }
}
