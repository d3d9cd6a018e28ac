//! Admission (defaults and validation) for StatefulSets: `SetDefaults_StatefulSet`
//! (`pkg/apis/apps/v1/defaults.go`), the fields a disabled feature gate drops
//! (`pkg/registry/apps/statefulset/strategy.go` `dropStatefulSetDisabledFields`), and
//! `ValidateStatefulSetSpec` (`pkg/apis/apps/validation/validation.go`) with its texts.

use k8s_openapi::api::apps::v1::{
    RollingUpdateStatefulSetStrategy, StatefulSet, StatefulSetPersistentVolumeClaimRetentionPolicy,
    StatefulSetSpec, StatefulSetUpdateStrategy,
};
use k8s_openapi::api::core::v1::PersistentVolumeClaim;

use super::Admit;
use crate::api::selector::Selector;
use crate::api::store::Store;
use crate::constants;

impl Admit for StatefulSet {
    fn set_defaults(&mut self, store: &mut Store) {
        let profile = store.profile.clone();
        let spec = self.spec.get_or_insert_with(Default::default);
        spec.replicas.get_or_insert(1);
        spec.pod_management_policy.get_or_insert_with(|| "OrderedReady".into());
        let strategy = spec.update_strategy.get_or_insert_with(Default::default);
        let type_ = strategy.type_.get_or_insert_with(|| "RollingUpdate".into());
        if type_ == "RollingUpdate" {
            let rolling = strategy.rolling_update.get_or_insert_with(Default::default);
            rolling.partition.get_or_insert(0);
        }
        // `maxUnavailable` sits behind the alpha gate MaxUnavailableStatefulSet, off in
        // every supported version: the apiserver drops it.
        if let Some(rolling) = strategy.rolling_update.as_mut() {
            rolling.max_unavailable = None;
        }
        spec.revision_history_limit.get_or_insert(constants::STATEFULSET_DEFAULT_REVISION_HISTORY_LIMIT);
        if profile.statefulset_pvc_retention {
            let policy = spec
                .persistent_volume_claim_retention_policy
                .get_or_insert_with(StatefulSetPersistentVolumeClaimRetentionPolicy::default);
            policy.when_deleted.get_or_insert_with(|| "Retain".into());
            policy.when_scaled.get_or_insert_with(|| "Retain".into());
        } else {
            spec.persistent_volume_claim_retention_policy = None;
        }
        if !profile.statefulset_min_ready_seconds {
            spec.min_ready_seconds = None;
        }
        for claim in spec.volume_claim_templates.iter_mut().flatten() {
            default_claim_template(claim);
        }
        super::default_template(&mut spec.template);
    }

    fn validate(&self) -> Vec<String> {
        let Some(spec) = self.spec.as_ref() else {
            return vec!["spec.selector: Required value".into()];
        };
        let mut causes = validate_policies(spec);
        for (field, value) in [("replicas", spec.replicas), ("minReadySeconds", spec.min_ready_seconds)] {
            if let Some(v) = value
                && v < 0
            {
                causes.push(format!("spec.{field}: Invalid value: {v}: must be greater than or equal to 0"));
            }
        }
        causes.extend(validate_selector_and_template(spec));
        causes
    }

    /// `ValidateStatefulSetUpdate`: the spec may change only in the fields the profile's
    /// Forbidden text names. Fields a disabled gate drops are gone from both objects
    /// already, so copying them from the old spec is the same as not copying them.
    fn validate_update(&self, old: &Self, store: &Store) -> Vec<String> {
        let (Some(new_spec), Some(old_spec)) = (self.spec.as_ref(), old.spec.as_ref()) else {
            return Vec::new();
        };
        let mut clone = new_spec.clone();
        clone.replicas = old_spec.replicas;
        clone.ordinals = old_spec.ordinals.clone();
        clone.template = old_spec.template.clone();
        clone.update_strategy = old_spec.update_strategy.clone();
        clone.persistent_volume_claim_retention_policy =
            old_spec.persistent_volume_claim_retention_policy.clone();
        clone.min_ready_seconds = old_spec.min_ready_seconds;
        if clone == *old_spec {
            return Vec::new();
        }
        vec![format!("spec: Forbidden: {}", store.profile.statefulset_update_forbidden)]
    }
}

/// `SetDefaults_PersistentVolumeClaim` on a claim template: `volumeMode: Filesystem`
/// and `status.phase: Pending` (the template keeps both, as `kubectl get -o yaml`
/// shows).
fn default_claim_template(claim: &mut PersistentVolumeClaim) {
    let spec = claim.spec.get_or_insert_with(Default::default);
    spec.volume_mode.get_or_insert_with(|| "Filesystem".into());
    let status = claim.status.get_or_insert_with(Default::default);
    status.phase.get_or_insert_with(|| "Pending".into());
}

/// podManagementPolicy and updateStrategy, in the order the apiserver reports them.
fn validate_policies(spec: &StatefulSetSpec) -> Vec<String> {
    let mut causes = Vec::new();
    match spec.pod_management_policy.as_deref().unwrap_or("") {
        "" => causes.push("spec.podManagementPolicy: Required value".into()),
        "OrderedReady" | "Parallel" => {}
        other => causes.push(format!(
            "spec.podManagementPolicy: Invalid value: \"{other}\": must be 'OrderedReady' or 'Parallel'"
        )),
    }
    let default_strategy = StatefulSetUpdateStrategy::default();
    let strategy = spec.update_strategy.as_ref().unwrap_or(&default_strategy);
    match strategy.type_.as_deref().unwrap_or("") {
        "" => causes.push("spec.updateStrategy: Required value".into()),
        "OnDelete" => {
            if let Some(rolling) = &strategy.rolling_update {
                causes.push(format!(
                    "spec.updateStrategy.rollingUpdate: Invalid value: {}: only allowed for updateStrategy 'RollingUpdate'",
                    go_rolling_update(rolling)
                ));
            }
        }
        "RollingUpdate" => {
            if let Some(p) = strategy.rolling_update.as_ref().and_then(|r| r.partition)
                && p < 0
            {
                causes.push(format!(
                    "spec.updateStrategy.rollingUpdate.partition: Invalid value: {p}: must be greater than or equal to 0"
                ));
            }
        }
        // Go prints the struct with `%#v`; a set rollingUpdate pointer shows its address,
        // which cannot be reproduced (a fixed one stands in for it).
        other => causes.push(format!(
            "spec.updateStrategy: Invalid value: apps.StatefulSetUpdateStrategy{{Type:\"{other}\", RollingUpdate:{}}}: must be 'RollingUpdate' or 'OnDelete'",
            if strategy.rolling_update.is_some() {
                "(*apps.RollingUpdateStatefulSetStrategy)(0xc000000000)"
            } else {
                "(*apps.RollingUpdateStatefulSetStrategy)(nil)"
            }
        )),
    }
    causes
}

/// How a field error prints a `*apps.RollingUpdateStatefulSetStrategy`: dereferenced,
/// then Go's `%#v` of the internal struct (whose partition is a plain int32).
fn go_rolling_update(rolling: &RollingUpdateStatefulSetStrategy) -> String {
    format!(
        "apps.RollingUpdateStatefulSetStrategy{{Partition:{}, MaxUnavailable:(*intstr.IntOrString)(nil)}}",
        rolling.partition.unwrap_or(0)
    )
}

/// The selector (required, not empty), the template's labels against it, and the pod
/// template rules of a StatefulSet (`restartPolicy: Always`, no activeDeadlineSeconds).
fn validate_selector_and_template(spec: &StatefulSetSpec) -> Vec<String> {
    let mut causes = Vec::new();
    let labels = spec.template.metadata.as_ref().and_then(|m| m.labels.clone()).unwrap_or_default();
    let mismatch = || {
        format!(
            "spec.template.metadata.labels: Invalid value: {}: `selector` does not match template `labels`",
            super::go_map(&labels)
        )
    };
    match Selector::from_label_selector(&spec.selector) {
        // A missing selector decodes as an empty one: nil in Go, which matches nothing.
        Ok(sel) if sel.is_empty() => {
            causes.push("spec.selector: Required value".into());
            causes.push(mismatch());
        }
        Ok(sel) => {
            if !sel.matches(&labels) {
                causes.push(mismatch());
            }
        }
        Err(e) => causes.push(format!("spec.selector: Invalid value: {e}")),
    }
    causes.extend(super::validate_pod_spec(spec.template.spec.as_ref(), "spec.template.spec"));
    let pod_spec = spec.template.spec.as_ref();
    let policy = pod_spec.and_then(|s| s.restart_policy.as_deref()).unwrap_or("Always");
    if policy != "Always" && ["OnFailure", "Never"].contains(&policy) {
        causes.push(format!(
            "spec.template.spec.restartPolicy: Unsupported value: \"{policy}\": supported values: \"Always\""
        ));
    }
    if pod_spec.and_then(|s| s.active_deadline_seconds).is_some() {
        causes.push(
            "spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in StatefulSet is not Supported"
                .into(),
        );
    }
    causes
}
