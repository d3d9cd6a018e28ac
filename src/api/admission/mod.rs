//! Admission: the defaults the apiserver fills in and the validation it applies, with
//! Kubernetes' own error texts (`pkg/apis/*/v1/defaults.go`, `pkg/apis/*/validation`,
//! the ServiceAccount and DefaultTolerationSeconds admission plugins).

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{
    Deployment, DeploymentStrategy, ReplicaSet, ReplicaSetSpec, RollingUpdateDeployment,
};
use k8s_openapi::api::core::v1::{
    ConfigMapProjection, Container, ContainerPort, DownwardAPIProjection, DownwardAPIVolumeFile, KeyToPath,
    ObjectFieldSelector, Pod, PodSpec, PodTemplateSpec, ProjectedVolumeSource, ReplicationController,
    SecretVolumeSource, ServiceAccountTokenProjection, Toleration, Volume, VolumeMount, VolumeProjection,
};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

mod configmap;
mod daemonset;
mod hpa;
mod job;
mod service;
mod statefulset;
mod storage;

pub use configmap::config_key_errors;
pub use hpa::{cpu_metric, to_v1 as hpa_to_v1, to_v2 as hpa_to_v2};
pub use service::{ip_text, kubernetes_service_ip, parse_cidr};

use super::error::ApiError;
use super::selector::Selector;
use super::store::Store;
use crate::constants;

/// Defaults and validation for one kind.
pub trait Admit {
    fn set_defaults(&mut self, store: &mut Store);
    /// Field errors as `path: message`.
    fn validate(&self) -> Vec<String>;
    /// Validation that depends on the server (its version, allocators); by default
    /// [`Admit::validate`].
    fn validate_in(&self, _store: &Store) -> Vec<String> {
        self.validate()
    }
    /// What an update may not change from the stored object (the `ValidateXUpdate`
    /// functions), checked after defaults; nothing by default.
    fn validate_update(&self, _old: &Self, _store: &Store) -> Vec<String> {
        Vec::new()
    }
}

/// [`admit`] for an update of `old`: defaults, validation, then the update rules.
pub fn admit_update<T: Admit + super::store::Object>(
    obj: &mut T,
    old: &T,
    store: &mut Store,
) -> Result<(), ApiError> {
    admit(obj, store)?;
    let causes = obj.validate_update(old, store);
    if causes.is_empty() {
        return Ok(());
    }
    let name = obj.metadata().name.clone().unwrap_or_default();
    Err(ApiError::Invalid { kind: T::STORED_KIND, name, causes })
}

/// Applies defaults then validation; the error names the object as the server does.
pub fn admit<T: Admit + super::store::Object>(obj: &mut T, store: &mut Store) -> Result<(), ApiError> {
    obj.set_defaults(store);
    let mut causes = validate_meta(obj.metadata(), T::STORED_KIND);
    causes.extend(obj.validate_in(store));
    if causes.is_empty() {
        return Ok(());
    }
    let meta = obj.metadata();
    let name = meta.name.clone().or_else(|| meta.generate_name.clone()).unwrap_or_default();
    Err(ApiError::Invalid { kind: T::STORED_KIND, name, causes })
}

const DNS1123_SUBDOMAIN_MSG: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

pub fn is_dns1123_subdomain(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|part| {
            !part.is_empty()
                && part.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !part.starts_with('-')
                && !part.ends_with('-')
        })
}

const DNS1123_LABEL_MSG: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

/// `ValidateObjectMeta` with the kind's name rule: Namespace names are DNS-1123 labels
/// (`ValidateNamespaceName`), other kinds' DNS-1123 subdomains.
fn validate_meta(
    meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
    kind: super::Kind,
) -> Vec<String> {
    let mut causes = Vec::new();
    match meta.name.as_deref() {
        Some(name) if !name.is_empty() && kind == super::Kind::Namespace => {
            // `IsDNS1123Label`: the length error, then the pattern error.
            if name.len() > 63 {
                causes.push(format!(
                    "metadata.name: Invalid value: \"{name}\": must be no more than 63 characters"
                ));
            }
            if !is_dns1123_subdomain(name) || name.contains('.') {
                causes.push(format!("metadata.name: Invalid value: \"{name}\": {DNS1123_LABEL_MSG}"));
            }
        }
        Some(name) if !name.is_empty() => {
            if !is_dns1123_subdomain(name) {
                causes.push(format!("metadata.name: Invalid value: \"{name}\": {DNS1123_SUBDOMAIN_MSG}"));
            }
        }
        _ => {
            if meta.generate_name.as_deref().unwrap_or("").is_empty() {
                causes.push("metadata.name: Required value: name or generateName is required".into());
            }
        }
    }
    // `ValidateAnnotations`: keys are qualified names, case aside (values are free text).
    for key in meta.annotations.iter().flat_map(|a| a.keys()) {
        let errs =
            super::validation::qualified_name_errors(&key.to_lowercase(), "a lowercase RFC 1123 subdomain");
        causes
            .extend(errs.into_iter().map(|e| format!("metadata.annotations: Invalid value: \"{key}\": {e}")));
    }
    causes
}

// ----- pods ----------------------------------------------------------------------------

/// `imagePullPolicy` default: Always for `:latest` or no tag, else IfNotPresent.
pub fn default_pull_policy(image: &str) -> &'static str {
    let last = image.rsplit('/').next().unwrap_or(image);
    if image.contains('@') {
        return "IfNotPresent";
    }
    match last.split_once(':') {
        Some((_, tag)) if tag != "latest" => "IfNotPresent",
        _ => "Always",
    }
}

fn default_container(c: &mut Container) {
    if c.image_pull_policy.is_none() {
        c.image_pull_policy = Some(default_pull_policy(c.image.as_deref().unwrap_or("")).into());
    }
    c.termination_message_path.get_or_insert_with(|| "/dev/termination-log".into());
    c.termination_message_policy.get_or_insert_with(|| "File".into());
    c.resources.get_or_insert_with(Default::default);
    for port in c.ports.iter_mut().flatten() {
        port.protocol.get_or_insert_with(|| "TCP".into());
    }
    for probe in [&mut c.liveness_probe, &mut c.readiness_probe, &mut c.startup_probe].into_iter().flatten() {
        default_probe(probe);
    }
}

/// `SetDefaults_Probe` (and `SetDefaults_HTTPGetAction`'s path and scheme).
fn default_probe(probe: &mut k8s_openapi::api::core::v1::Probe) {
    probe.timeout_seconds.get_or_insert(constants::PROBE_TIMEOUT_SECONDS);
    probe.period_seconds.get_or_insert(constants::PROBE_PERIOD_SECONDS);
    probe.success_threshold.get_or_insert(constants::PROBE_SUCCESS_THRESHOLD);
    probe.failure_threshold.get_or_insert(constants::PROBE_FAILURE_THRESHOLD);
    if let Some(http) = probe.http_get.as_mut() {
        http.path.get_or_insert_with(|| "/".into());
        http.scheme.get_or_insert_with(|| "HTTP".into());
    }
}

/// Pod spec defaults shared by pods and pod templates (`SetDefaults_PodSpec`).
fn default_pod_spec(spec: &mut PodSpec) {
    spec.restart_policy.get_or_insert_with(|| "Always".into());
    spec.termination_grace_period_seconds.get_or_insert(constants::DEFAULT_TERMINATION_GRACE_SECONDS);
    spec.dns_policy.get_or_insert_with(|| "ClusterFirst".into());
    spec.scheduler_name.get_or_insert_with(|| "default-scheduler".into());
    spec.security_context.get_or_insert_with(Default::default);
    for c in spec.containers.iter_mut() {
        default_container(c);
    }
    for c in spec.init_containers.iter_mut().flatten() {
        default_container(c);
    }
}

pub(super) fn default_template(template: &mut PodTemplateSpec) {
    default_pod_spec(template.spec.get_or_insert_with(Default::default));
}

pub(super) fn validate_pod_spec(spec: Option<&PodSpec>, prefix: &str) -> Vec<String> {
    let mut causes = Vec::new();
    let Some(spec) = spec else {
        causes.push(format!("{prefix}.containers: Required value"));
        return causes;
    };
    if spec.containers.is_empty() {
        causes.push(format!("{prefix}.containers: Required value"));
    }
    for (i, c) in spec.containers.iter().enumerate() {
        if c.name.is_empty() {
            causes.push(format!("{prefix}.containers[{i}].name: Required value"));
        }
        if c.image.as_deref().unwrap_or("").is_empty() {
            causes.push(format!("{prefix}.containers[{i}].image: Required value"));
        }
    }
    if let Some(policy) = spec.restart_policy.as_deref()
        && !["Always", "OnFailure", "Never"].contains(&policy)
    {
        causes.push(format!(
            "{prefix}.restartPolicy: Unsupported value: \"{policy}\": supported values: \"Always\", \"OnFailure\", \"Never\""
        ));
    }
    causes
}

impl Admit for Pod {
    fn set_defaults(&mut self, store: &mut Store) {
        let profile = store.profile.clone();
        let spec = self.spec.get_or_insert_with(Default::default);
        default_pod_spec(spec);
        spec.enable_service_links.get_or_insert(true);
        spec.priority.get_or_insert(0);
        if profile.minor >= 19 {
            spec.preemption_policy.get_or_insert_with(|| "PreemptLowerPriority".into());
        }
        // ServiceAccount admission plugin.
        if spec.service_account_name.is_none() {
            spec.service_account_name = Some("default".into());
            spec.service_account = Some("default".into());
        }
        let spec = self.spec.as_mut().expect("just defaulted");
        let has_token_volume = spec
            .volumes
            .iter()
            .flatten()
            .any(|v| v.name.starts_with("kube-api-access-") || v.name.starts_with("default-token-"));
        if has_token_volume {
            return;
        }
        let namespace = self.metadata.namespace.clone().unwrap_or_else(|| "default".into());
        let volume = service_account_volume(store, &namespace);
        let spec = self.spec.as_mut().expect("just defaulted");
        let mount = VolumeMount {
            name: volume.name.clone(),
            mount_path: "/var/run/secrets/kubernetes.io/serviceaccount".into(),
            read_only: Some(true),
            ..Default::default()
        };
        spec.volumes.get_or_insert_with(Vec::new).push(volume);
        for c in spec.containers.iter_mut() {
            c.volume_mounts.get_or_insert_with(Vec::new).push(mount.clone());
        }
        // DefaultTolerationSeconds admission plugin.
        let tolerations = spec.tolerations.get_or_insert_with(Vec::new);
        for key in ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"] {
            let tolerated = tolerations.iter().any(|t| {
                (t.key.as_deref() == Some(key) || t.key.as_deref().unwrap_or("").is_empty())
                    && (t.effect.as_deref() == Some("NoExecute")
                        || t.effect.as_deref().unwrap_or("").is_empty())
            });
            if !tolerated {
                tolerations.push(Toleration {
                    key: Some(key.into()),
                    operator: Some("Exists".into()),
                    effect: Some("NoExecute".into()),
                    toleration_seconds: Some(constants::DEFAULT_TOLERATION_SECONDS),
                    ..Default::default()
                });
            }
        }
    }

    fn validate(&self) -> Vec<String> {
        validate_pod_spec(self.spec.as_ref(), "spec")
    }
}

/// The token volume the ServiceAccount plugin mounts: a projected `kube-api-access-xxxxx`
/// volume per pod (1.21+), or the namespace's `default-token-xxxxx` secret before.
fn service_account_volume(store: &mut Store, namespace: &str) -> Volume {
    if store.profile.projected_service_account_token {
        let name = format!("kube-api-access-{}", store.rng.name_suffix());
        Volume {
            name,
            projected: Some(ProjectedVolumeSource {
                default_mode: Some(420),
                sources: Some(vec![
                    VolumeProjection {
                        service_account_token: Some(ServiceAccountTokenProjection {
                            expiration_seconds: Some(3607),
                            path: "token".into(),
                            ..Default::default()
                        }),
                        ..Default::default()
                    },
                    VolumeProjection {
                        config_map: Some(ConfigMapProjection {
                            name: "kube-root-ca.crt".into(),
                            items: Some(vec![KeyToPath {
                                key: "ca.crt".into(),
                                path: "ca.crt".into(),
                                mode: None,
                            }]),
                            ..Default::default()
                        }),
                        ..Default::default()
                    },
                    VolumeProjection {
                        downward_api: Some(DownwardAPIProjection {
                            items: Some(vec![DownwardAPIVolumeFile {
                                path: "namespace".into(),
                                field_ref: Some(ObjectFieldSelector {
                                    api_version: Some("v1".into()),
                                    field_path: "metadata.namespace".into(),
                                }),
                                ..Default::default()
                            }]),
                        }),
                        ..Default::default()
                    },
                ]),
            }),
            ..Default::default()
        }
    } else {
        let secret = store.default_token_secret(namespace);
        Volume {
            name: secret.clone(),
            secret: Some(SecretVolumeSource {
                secret_name: Some(secret),
                default_mode: Some(420),
                ..Default::default()
            }),
            ..Default::default()
        }
    }
}

// ----- ReplicaSet ----------------------------------------------------------------------

impl Admit for ReplicaSet {
    fn set_defaults(&mut self, _store: &mut Store) {
        let spec = self.spec.get_or_insert_with(Default::default);
        spec.replicas.get_or_insert(1);
        spec.min_ready_seconds.get_or_insert(0);
        if let Some(t) = spec.template.as_mut() {
            default_template(t);
        }
    }

    fn validate(&self) -> Vec<String> {
        let Some(spec) = self.spec.as_ref() else {
            return vec!["spec.selector: Required value".into()];
        };
        validate_replicated(spec_replicas(spec), Some(&spec.selector), spec.template.as_ref())
    }
}

fn spec_replicas(spec: &ReplicaSetSpec) -> Option<i32> {
    spec.replicas
}

/// Shared checks for workload specs: non-negative replicas, a non-empty selector that
/// the template's labels satisfy, a valid pod template.
fn validate_replicated(
    replicas: Option<i32>,
    selector: Option<&k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector>,
    template: Option<&PodTemplateSpec>,
) -> Vec<String> {
    let mut causes = Vec::new();
    if let Some(r) = replicas
        && r < 0
    {
        causes.push(format!("spec.replicas: Invalid value: {r}: must be greater than or equal to 0"));
    }
    let selector = selector.map(Selector::from_label_selector);
    let empty = selector.as_ref().is_none_or(|s| s.as_ref().is_ok_and(|s| s.is_empty()));
    if empty {
        causes.push("spec.selector: Required value".into());
        let labels =
            template.and_then(|t| t.metadata.as_ref()).and_then(|m| m.labels.clone()).unwrap_or_default();
        causes.push(format!(
            "spec.template.metadata.labels: Invalid value: {}: `selector` does not match template `labels`",
            go_map(&labels)
        ));
    }
    match selector {
        None => {}
        Some(Err(e)) => causes.push(format!("spec.selector: Invalid value: {e}")),
        Some(Ok(sel)) if sel.is_empty() => {}
        Some(Ok(sel)) => {
            let labels =
                template.and_then(|t| t.metadata.as_ref()).and_then(|m| m.labels.clone()).unwrap_or_default();
            if !sel.matches(&labels) {
                causes.push(format!(
                    "spec.template.metadata.labels: Invalid value: {}: `selector` does not match template `labels`",
                    go_map(&labels)
                ));
            }
        }
    }
    match template {
        None => causes.push("spec.template: Required value".into()),
        Some(t) => causes.extend(validate_pod_spec(t.spec.as_ref(), "spec.template.spec")),
    }
    causes
}

/// Go's `%#v` of a `map[string]string`, as validation messages print label maps.
fn go_map(map: &BTreeMap<String, String>) -> String {
    let pairs: Vec<String> = map.iter().map(|(k, v)| format!("{k:?}:{v:?}")).collect();
    format!("map[string]string{{{}}}", pairs.join(", "))
}

// ----- Deployment --------------------------------------------------------------------

impl Admit for Deployment {
    /// `SetDefaults_Deployment` of apps/v1 (the only version served so far): one
    /// replica, RollingUpdate with 25%/25%, ten old ReplicaSets kept, a 600 s progress
    /// deadline; the template's pod defaults.
    fn set_defaults(&mut self, _store: &mut Store) {
        default_deployment(self, &constants::DEPLOYMENT_DEFAULTS_APPS_V1);
    }

    /// `ValidateDeploymentSpec`, in the order the apiserver reports.
    fn validate(&self) -> Vec<String> {
        let Some(spec) = self.spec.as_ref() else {
            return vec!["spec.selector: Required value".into(), "spec.template: Required value".into()];
        };
        let mut causes = Vec::new();
        if let Some(r) = spec.replicas
            && r < 0
        {
            causes.push(format!("spec.replicas: Invalid value: {r}: must be greater than or equal to 0"));
        }
        causes.extend(validate_template_for_replica_set(&spec.selector, &spec.template));
        if let Some(strategy) = &spec.strategy {
            causes.extend(validate_deployment_strategy(strategy));
        }
        let min_ready = spec.min_ready_seconds.unwrap_or(0);
        if min_ready < 0 {
            causes.push(format!(
                "spec.minReadySeconds: Invalid value: {min_ready}: must be greater than or equal to 0"
            ));
        }
        if let Some(limit) = spec.revision_history_limit
            && limit < 0
        {
            causes.push(format!(
                "spec.revisionHistoryLimit: Invalid value: {limit}: must be greater than or equal to 0"
            ));
        }
        if let Some(deadline) = spec.progress_deadline_seconds {
            if deadline < 0 {
                causes.push(format!(
                    "spec.progressDeadlineSeconds: Invalid value: {deadline}: must be greater than or equal to 0"
                ));
            }
            if deadline <= min_ready {
                causes.push(format!(
                    "spec.progressDeadlineSeconds: Invalid value: {deadline}: must be greater than minReadySeconds"
                ));
            }
        }
        causes
    }
}

/// Fills in a Deployment's defaults from one version's table.
pub(crate) fn default_deployment(d: &mut Deployment, defaults: &constants::DeploymentDefaults) {
    let int_or_percent = |v: constants::DefaultIntOrPercent| match v {
        constants::DefaultIntOrPercent::Int(i) => IntOrString::Int(i),
        constants::DefaultIntOrPercent::Percent(p) => IntOrString::String(p.into()),
    };
    let spec = d.spec.get_or_insert_with(Default::default);
    if defaults.selector_from_template {
        let labels = spec.template.metadata.as_ref().and_then(|m| m.labels.clone());
        if spec.selector.match_labels.is_none() && spec.selector.match_expressions.is_none() {
            spec.selector.match_labels = labels.clone();
        }
        if d.metadata.labels.as_ref().is_none_or(|l| l.is_empty()) {
            d.metadata.labels = labels;
        }
    }
    let spec = d.spec.get_or_insert_with(Default::default);
    spec.replicas.get_or_insert(1);
    let strategy = spec.strategy.get_or_insert_with(Default::default);
    let type_ = strategy.type_.get_or_insert_with(|| "RollingUpdate".into());
    if type_ == "RollingUpdate" {
        let rolling = strategy.rolling_update.get_or_insert_with(Default::default);
        rolling.max_unavailable.get_or_insert_with(|| int_or_percent(defaults.max_unavailable));
        rolling.max_surge.get_or_insert_with(|| int_or_percent(defaults.max_surge));
    }
    spec.revision_history_limit.get_or_insert(defaults.revision_history_limit);
    spec.progress_deadline_seconds.get_or_insert(defaults.progress_deadline_seconds);
    default_template(&mut spec.template);
}

/// Selector and template checks of `ValidateDeploymentSpec` and
/// `ValidatePodTemplateSpecForReplicaSet`: a non-empty selector that the template's
/// labels satisfy, a valid pod spec with `restartPolicy: Always`.
fn validate_template_for_replica_set(
    selector: &k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector,
    template: &PodTemplateSpec,
) -> Vec<String> {
    let mut causes = Vec::new();
    let labels = template.metadata.as_ref().and_then(|m| m.labels.clone()).unwrap_or_default();
    match Selector::from_label_selector(selector) {
        // A missing selector decodes as an empty one: nil in Go, which matches nothing.
        Ok(sel) if sel.is_empty() => {
            causes.push("spec.selector: Required value".into());
            causes.push(format!(
                "spec.template.metadata.labels: Invalid value: {}: `selector` does not match template `labels`",
                go_map(&labels)
            ));
        }
        Ok(sel) => {
            if !sel.matches(&labels) {
                causes.push(format!(
                    "spec.template.metadata.labels: Invalid value: {}: `selector` does not match template `labels`",
                    go_map(&labels)
                ));
            }
        }
        Err(e) => causes.push(format!("spec.selector: Invalid value: {e}")),
    }
    causes.extend(validate_pod_spec(template.spec.as_ref(), "spec.template.spec"));
    let policy = template.spec.as_ref().and_then(|s| s.restart_policy.as_deref()).unwrap_or("Always");
    if policy != "Always" && ["OnFailure", "Never"].contains(&policy) {
        causes.push(format!(
            "spec.template.spec.restartPolicy: Unsupported value: \"{policy}\": supported values: \"Always\""
        ));
    }
    causes
}

/// `ValidateDeploymentStrategy` and `ValidateRollingUpdateDeployment`.
fn validate_deployment_strategy(strategy: &DeploymentStrategy) -> Vec<String> {
    let mut causes = Vec::new();
    match strategy.type_.as_deref().unwrap_or("") {
        "Recreate" => {
            if strategy.rolling_update.is_some() {
                causes.push(
                    "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"
                        .into(),
                );
            }
        }
        "RollingUpdate" => match &strategy.rolling_update {
            None => causes
                .push("spec.strategy.rollingUpdate: Required value: this should be defaulted and never be nil".into()),
            Some(rolling) => causes.extend(validate_rolling_update(rolling)),
        },
        // Go prints the struct with `%#v`; a set rollingUpdate pointer shows its address,
        // which cannot be reproduced (a fixed one stands in for it).
        other => causes.push(format!(
            "spec.strategy: Unsupported value: apps.DeploymentStrategy{{Type:\"{other}\", RollingUpdate:{}}}: supported values: \"Recreate\", \"RollingUpdate\"",
            if strategy.rolling_update.is_some() {
                "(*apps.RollingUpdateDeployment)(0xc000000000)"
            } else {
                "(*apps.RollingUpdateDeployment)(nil)"
            }
        )),
    }
    causes
}

fn validate_rolling_update(rolling: &RollingUpdateDeployment) -> Vec<String> {
    let zero = IntOrString::Int(0);
    let unavailable = rolling.max_unavailable.as_ref().unwrap_or(&zero);
    let surge = rolling.max_surge.as_ref().unwrap_or(&zero);
    let path = "spec.strategy.rollingUpdate";
    let mut causes = validate_positive_int_or_percent(unavailable, &format!("{path}.maxUnavailable"));
    causes.extend(validate_positive_int_or_percent(surge, &format!("{path}.maxSurge")));
    if int_or_percent_value(unavailable) == Some(0) && int_or_percent_value(surge) == Some(0) {
        causes.push(format!(
            "{path}.maxUnavailable: Invalid value: {}: may not be 0 when `maxSurge` is 0",
            go_int_or_string(unavailable)
        ));
    }
    if let IntOrString::String(s) = unavailable
        && let Some(n) = percent_value(s)
        && n > 100
    {
        causes.push(format!(
            "{path}.maxUnavailable: Invalid value: {}: must not be greater than 100%",
            go_int_or_string(unavailable)
        ));
    }
    causes
}

const PERCENT_MSG: &str = "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')";

fn validate_positive_int_or_percent(value: &IntOrString, path: &str) -> Vec<String> {
    match value {
        IntOrString::String(s) if percent_value(s).is_none() => {
            vec![format!("{path}: Invalid value: {}: {PERCENT_MSG}", go_int_or_string(value))]
        }
        IntOrString::Int(i) if *i < 0 => {
            vec![format!("{path}: Invalid value: {i}: must be greater than or equal to 0")]
        }
        _ => Vec::new(),
    }
}

/// `[0-9]+%` → the number.
fn percent_value(s: &str) -> Option<i64> {
    let digits = s.strip_suffix('%')?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// `getIntOrPercentValue`: the int, or the percent's number; `None` if unparsable.
fn int_or_percent_value(value: &IntOrString) -> Option<i64> {
    match value {
        IntOrString::Int(i) => Some(*i as i64),
        IntOrString::String(s) => percent_value(s),
    }
}

/// Go's `%#v` of an `intstr.IntOrString`, as field errors print it.
fn go_int_or_string(value: &IntOrString) -> String {
    match value {
        IntOrString::Int(i) => format!("intstr.IntOrString{{Type:0, IntVal:{i}, StrVal:\"\"}}"),
        IntOrString::String(s) => format!("intstr.IntOrString{{Type:1, IntVal:0, StrVal:{s:?}}}"),
    }
}

// ----- ReplicationController -------------------------------------------------------------

impl Admit for ReplicationController {
    /// `SetDefaults_ReplicationController`: selector and labels from the template's
    /// labels when empty; one replica.
    fn set_defaults(&mut self, _store: &mut Store) {
        let template_labels = self
            .spec
            .as_ref()
            .and_then(|s| s.template.as_ref())
            .and_then(|t| t.metadata.as_ref())
            .and_then(|m| m.labels.clone())
            .unwrap_or_default();
        let spec = self.spec.get_or_insert_with(Default::default);
        if spec.selector.as_ref().is_none_or(|s| s.is_empty()) && !template_labels.is_empty() {
            spec.selector = Some(template_labels.clone());
        }
        spec.replicas.get_or_insert(1);
        spec.min_ready_seconds.get_or_insert(0);
        if let Some(t) = spec.template.as_mut() {
            default_template(t);
        }
        if self.metadata.labels.as_ref().is_none_or(|l| l.is_empty()) && !template_labels.is_empty() {
            self.metadata.labels = Some(template_labels);
        }
    }

    fn validate(&self) -> Vec<String> {
        let mut causes = Vec::new();
        let Some(spec) = self.spec.as_ref() else {
            return vec!["spec.selector: Required value".into()];
        };
        if let Some(r) = spec.replicas
            && r < 0
        {
            causes.push(format!("spec.replicas: Invalid value: {r}: must be greater than or equal to 0"));
        }
        let selector = spec.selector.clone().unwrap_or_default();
        if selector.is_empty() {
            causes.push("spec.selector: Required value".into());
        }
        match spec.template.as_ref() {
            None => causes.push("spec.template: Required value".into()),
            Some(t) => {
                let labels = t.metadata.as_ref().and_then(|m| m.labels.clone()).unwrap_or_default();
                if !selector.is_empty() && !Selector::from_map(&selector).matches(&labels) {
                    causes.push(format!(
                        "spec.template.metadata.labels: Invalid value: {}: `selector` does not match template `labels`",
                        go_map(&labels)
                    ));
                }
                causes.extend(validate_pod_spec(t.spec.as_ref(), "spec.template.spec"));
            }
        }
        causes
    }
}

impl Admit for k8s_openapi::api::core::v1::Node {
    fn set_defaults(&mut self, _store: &mut Store) {}
    fn validate(&self) -> Vec<String> {
        Vec::new()
    }
}

/// ControllerRevisions are written by the DaemonSet and StatefulSet controllers only.
impl Admit for k8s_openapi::api::apps::v1::ControllerRevision {
    fn set_defaults(&mut self, _store: &mut Store) {}
    fn validate(&self) -> Vec<String> {
        Vec::new()
    }
}

/// The label the apiserver puts on every namespace (1.21+).
pub const NAMESPACE_NAME_LABEL: &str = "kubernetes.io/metadata.name";

impl Admit for k8s_openapi::api::core::v1::Namespace {
    /// Phase `Active` and the `kubernetes` finalizer; from 1.21 the apiserver also labels every namespace with its own
    /// name (`kubernetes.io/metadata.name`, NamespaceDefaultLabelName, beta in 1.21).
    fn set_defaults(&mut self, store: &mut Store) {
        if store.profile.namespace_name_label {
            let name = self.metadata.name.clone().unwrap_or_default();
            self.metadata
                .labels
                .get_or_insert_with(Default::default)
                .insert(NAMESPACE_NAME_LABEL.into(), name);
        }
        // `PrepareForCreate`: the `kubernetes` finalizer, which the namespace lifecycle
        // controller removes once a deleted namespace is empty.
        let finalizers =
            self.spec.get_or_insert_with(Default::default).finalizers.get_or_insert_with(Vec::new);
        if !finalizers.iter().any(|f| f == "kubernetes") {
            finalizers.push("kubernetes".into());
        }
        let status = self.status.get_or_insert_with(Default::default);
        status.phase.get_or_insert_with(|| "Active".into());
    }
    fn validate(&self) -> Vec<String> {
        Vec::new()
    }
}

/// A container port as kubectl shows it, for printers.
pub fn port_string(p: &ContainerPort) -> String {
    format!("{}/{}", p.container_port, p.protocol.as_deref().unwrap_or("TCP"))
}
