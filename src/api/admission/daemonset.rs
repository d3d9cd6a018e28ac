//! Admission (defaults and validation) for DaemonSets: `SetDefaults_DaemonSet`
//! (`pkg/apis/apps/v1/defaults.go`), the template generation the registry strategy keeps
//! (`pkg/registry/apps/daemonset/strategy.go`), `ValidateDaemonSetSpec`
//! (`pkg/apis/apps/validation/validation.go`).

use k8s_openapi::api::apps::v1::{DaemonSet, DaemonSetUpdateStrategy, RollingUpdateDaemonSet};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::{Admit, go_int_or_string, int_or_percent_value, percent_value, validate_positive_int_or_percent};
use crate::api::store::Store;
use crate::controllers::daemonset::TEMPLATE_GENERATION_ANNOTATION;

impl Admit for DaemonSet {
    /// apps/v1: RollingUpdate with maxUnavailable 1 (and maxSurge 0 where the server
    /// knows the field), 10 revisions kept. The template generation is 1 on create and
    /// goes up by one whenever an update changes the template.
    fn set_defaults(&mut self, store: &mut Store) {
        let with_surge = store.profile.daemonset_max_surge;
        let spec = self.spec.get_or_insert_with(Default::default);
        super::default_template(&mut spec.template);
        let strategy = spec.update_strategy.get_or_insert_with(DaemonSetUpdateStrategy::default);
        let type_ = strategy.type_.get_or_insert_with(|| "RollingUpdate".into());
        if type_ == "RollingUpdate" {
            let rolling = strategy.rolling_update.get_or_insert_with(RollingUpdateDaemonSet::default);
            rolling.max_unavailable.get_or_insert(IntOrString::Int(1));
            if with_surge {
                rolling.max_surge.get_or_insert(IntOrString::Int(0));
            }
        }
        spec.revision_history_limit.get_or_insert(10);
        let ns = self.metadata.namespace.clone().unwrap_or_else(|| "default".into());
        let name = self.metadata.name.clone().unwrap_or_default();
        let generation = match store.get::<DaemonSet>(&ns, &name) {
            None => 1,
            Some(old) => {
                let old_generation = crate::controllers::daemonset::template_generation(old).unwrap_or(1);
                let old_template = old.spec.as_ref().map(|s| &s.template);
                if old_template == Some(&spec.template) { old_generation } else { old_generation + 1 }
            }
        };
        self.metadata
            .annotations
            .get_or_insert_with(Default::default)
            .insert(TEMPLATE_GENERATION_ANNOTATION.into(), generation.to_string());
    }

    fn validate(&self) -> Vec<String> {
        let Some(spec) = self.spec.as_ref() else {
            return vec!["spec.template.spec.containers: Required value".into()];
        };
        let mut causes = Vec::new();
        let labels = spec.template.metadata.as_ref().and_then(|m| m.labels.clone()).unwrap_or_default();
        match crate::api::selector::Selector::from_label_selector(&spec.selector) {
            Ok(sel) if !sel.is_empty() && sel.matches(&labels) => {}
            Ok(_) => causes.push(format!(
                "spec.template.metadata.labels: Invalid value: {}: `selector` does not match template `labels`",
                super::go_map(&labels)
            )),
            Err(e) => causes.push(format!("spec.selector: Invalid value: {e}")),
        }
        causes.extend(super::validate_pod_spec(spec.template.spec.as_ref(), "spec.template.spec"));
        let policy =
            spec.template.spec.as_ref().and_then(|s| s.restart_policy.as_deref()).unwrap_or("Always");
        if policy != "Always" && ["OnFailure", "Never"].contains(&policy) {
            causes.push(format!(
                "spec.template.spec.restartPolicy: Unsupported value: \"{policy}\": supported values: \"Always\""
            ));
        }
        if let Some(limit) = spec.revision_history_limit
            && limit < 0
        {
            causes.push(format!(
                "spec.revisionHistoryLimit: Invalid value: {limit}: must be greater than or equal to 0"
            ));
        }
        if let Some(strategy) = &spec.update_strategy {
            causes.extend(validate_strategy(strategy));
        }
        causes
    }
}

/// `ValidateDaemonSetUpdateStrategy` and `ValidateRollingUpdateDaemonSet`.
fn validate_strategy(strategy: &DaemonSetUpdateStrategy) -> Vec<String> {
    let path = "spec.updateStrategy";
    match strategy.type_.as_deref().unwrap_or("") {
        "OnDelete" => Vec::new(),
        "RollingUpdate" => {
            let Some(rolling) = &strategy.rolling_update else {
                return vec![format!("{path}.rollingUpdate: Required value")];
            };
            let zero = IntOrString::Int(0);
            let unavailable = rolling.max_unavailable.as_ref().unwrap_or(&zero);
            let surge = rolling.max_surge.as_ref().unwrap_or(&zero);
            let mut causes = validate_positive_int_or_percent(
                unavailable,
                &format!("{path}.rollingUpdate.maxUnavailable"),
            );
            causes.extend(validate_positive_int_or_percent(surge, &format!("{path}.rollingUpdate.maxSurge")));
            if int_or_percent_value(unavailable) == Some(0) && int_or_percent_value(surge) == Some(0) {
                causes.push(format!(
                    "{path}.rollingUpdate.maxUnavailable: Invalid value: {}: may not be 0 when `maxSurge` is 0",
                    go_int_or_string(unavailable)
                ));
            }
            if let IntOrString::String(s) = unavailable
                && percent_value(s).is_some_and(|n| n > 100)
            {
                causes.push(format!(
                    "{path}.rollingUpdate.maxUnavailable: Invalid value: {}: must not be greater than 100%",
                    go_int_or_string(unavailable)
                ));
            }
            causes
        }
        other => vec![format!(
            "{path}.type: Unsupported value: \"{other}\": supported values: \"OnDelete\", \"RollingUpdate\""
        )],
    }
}
