//! Admission (defaults and validation) for PersistentVolumeClaims and PersistentVolumes:
//! `SetDefaults_PersistentVolumeClaim` / `SetDefaults_PersistentVolume`
//! (`pkg/apis/core/v1/defaults.go`), the DefaultStorageClass and
//! StorageObjectInUseProtection admission plugins (`plugin/pkg/admission/storage`), and
//! the required-field checks of `ValidatePersistentVolumeClaimSpec`.

use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};

use super::Admit;
use crate::api::store::Store;
use crate::constants;

impl Admit for PersistentVolumeClaim {
    fn set_defaults(&mut self, _store: &mut Store) {
        let spec = self.spec.get_or_insert_with(Default::default);
        spec.volume_mode.get_or_insert_with(|| "Filesystem".into());
        // DefaultStorageClass: a claim that names no class gets the default one (an
        // explicit "" asks for no class and is left alone).
        spec.storage_class_name.get_or_insert_with(|| constants::DEFAULT_STORAGE_CLASS.into());
        let status = self.status.get_or_insert_with(Default::default);
        status.phase.get_or_insert_with(|| "Pending".into());
        add_finalizer(&mut self.metadata, constants::PVC_PROTECTION_FINALIZER);
    }

    fn validate(&self) -> Vec<String> {
        let mut causes = Vec::new();
        let spec = self.spec.clone().unwrap_or_default();
        if spec.access_modes.as_ref().is_none_or(|m| m.is_empty()) {
            causes.push("spec.accessModes: Required value: at least 1 access mode is required".into());
        }
        let has_storage = spec
            .resources
            .as_ref()
            .and_then(|r| r.requests.as_ref())
            .is_some_and(|r| r.contains_key("storage"));
        if !has_storage && spec.volume_name.as_deref().unwrap_or("").is_empty() {
            causes.push("spec.resources[storage]: Required value".into());
        }
        causes
    }
}

impl Admit for PersistentVolume {
    fn set_defaults(&mut self, _store: &mut Store) {
        let spec = self.spec.get_or_insert_with(Default::default);
        spec.persistent_volume_reclaim_policy.get_or_insert_with(|| "Retain".into());
        spec.volume_mode.get_or_insert_with(|| "Filesystem".into());
        let status = self.status.get_or_insert_with(Default::default);
        status.phase.get_or_insert_with(|| "Pending".into());
        add_finalizer(&mut self.metadata, constants::PV_PROTECTION_FINALIZER);
    }

    fn validate(&self) -> Vec<String> {
        let mut causes = Vec::new();
        let spec = self.spec.clone().unwrap_or_default();
        if spec.access_modes.as_ref().is_none_or(|m| m.is_empty()) {
            causes.push("spec.accessModes: Required value".into());
        }
        if spec.capacity.as_ref().is_none_or(|c| c.is_empty()) {
            causes.push("spec.capacity: Required value".into());
        }
        causes
    }
}

fn add_finalizer(meta: &mut k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta, finalizer: &str) {
    let finalizers = meta.finalizers.get_or_insert_with(Vec::new);
    if !finalizers.iter().any(|f| f == finalizer) {
        finalizers.push(finalizer.into());
    }
}
