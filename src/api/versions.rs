//! API versions: a request written in any version the profile serves is decoded in that
//! version, given that version's defaults, then converted to the version kubesim stores
//! (the k8s-openapi type of the kind), as the apiserver decodes, defaults and converts to
//! its internal version. Reads come back in the stored version.
//!
//! Legacy versions differ in defaults (extensions/v1beta1 Deployments roll 1/1 and keep
//! every old ReplicaSet; their selector comes from the template's labels) and in fields
//! the stored version keeps as annotations (`spec.rollbackTo`).

use k8s_openapi::Resource;
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use serde_json::Value;

use super::admission::default_deployment;
use super::kind::Kind;
use crate::constants::{self, DeploymentDefaults};
use crate::with_kind;

/// Where apps/v1 keeps an extensions/v1beta1 or apps/v1beta1 `spec.rollbackTo.revision`
/// (`appsv1.DeprecatedRollbackTo`, set by the conversion of those versions).
pub const ROLLBACK_TO_ANNOTATION: &str = "deprecated.deployment.rollback.to";

/// The apiVersion objects of `kind` are stored and read in (`apps/v1`, `v1`, …).
pub fn stored_version(kind: Kind) -> Option<&'static str> {
    with_kind!(kind, T => Some(<T as Resource>::API_VERSION), else None)
}

/// Converts a request body from its own `apiVersion` to the stored version, applying the
/// defaults of the version it was written in first. A body already in the stored version
/// (or without one) is left alone.
pub fn to_stored_version(kind: Kind, value: &mut Value) -> Result<(), String> {
    if kind == Kind::HorizontalPodAutoscaler {
        // `autoscaling/v1` and `v2beta*` bodies become `autoscaling/v2`, their extra
        // fields kept in annotations as the apiserver's conversion does.
        *value = crate::api::admission::hpa_to_v2(std::mem::take(value));
        return Ok(());
    }
    let Some(stored) = stored_version(kind) else { return Ok(()) };
    let Some(requested) = value.get("apiVersion").and_then(Value::as_str).map(str::to_string) else {
        return Ok(());
    };
    if requested == stored {
        return Ok(());
    }
    move_rollback_to(value);
    value["apiVersion"] = Value::String(stored.to_string());
    match (kind, legacy_deployment_defaults(&requested)) {
        (Kind::Deployment, Some(defaults)) => {
            let mut d: Deployment = serde_json::from_value(value.clone()).map_err(|e| e.to_string())?;
            default_deployment(&mut d, defaults);
            *value = serde_json::to_value(d).map_err(|e| e.to_string())?;
        }
        (Kind::DaemonSet, _) if requested == "extensions/v1beta1" => legacy_daemon_set_defaults(value),
        (Kind::ReplicaSet, _) if requested == "extensions/v1beta1" => {
            let mut rs: ReplicaSet = serde_json::from_value(value.clone()).map_err(|e| e.to_string())?;
            default_selector_and_labels_from_template(&mut rs);
            *value = serde_json::to_value(rs).map_err(|e| e.to_string())?;
        }
        (Kind::StatefulSet, _) if requested == "apps/v1beta1" => statefulset_v1beta1_defaults(value),
        _ => {}
    }
    Ok(())
}

/// Converts a stored object to the version the profile's kubectl asks for when it reads
/// by type (its preferred version), for display: 1.15 reads Deployments and ReplicaSets
/// as extensions/v1beta1, whose fields are those of apps/v1 plus `spec.rollbackTo`
/// (kept in apps/v1 as an annotation). Other kinds and versions are shown as stored.
pub fn to_preferred_version(profile: &crate::profile::Profile, kind: Kind, value: &mut Value) {
    if !matches!(kind, Kind::Deployment | Kind::ReplicaSet) {
        return;
    }
    let Some(&preferred) = profile.versions_of(kind.info().name).first() else { return };
    if preferred != "extensions/v1beta1" {
        return;
    }
    value["apiVersion"] = Value::String(preferred.to_string());
    let revision = value
        .pointer_mut("/metadata/annotations")
        .and_then(Value::as_object_mut)
        .and_then(|a| a.remove(ROLLBACK_TO_ANNOTATION));
    if let Some(annotations) = value.pointer("/metadata/annotations").and_then(Value::as_object)
        && annotations.is_empty()
    {
        value["metadata"].as_object_mut().expect("metadata").remove("annotations");
    }
    if let Some(revision) = revision.as_ref().and_then(Value::as_str).and_then(|r| r.parse::<i64>().ok()) {
        value["spec"]["rollbackTo"] = serde_json::json!({ "revision": revision });
    }
}

/// apps/v1beta1 StatefulSets (`pkg/apis/apps/v1beta1/defaults.go`): `OnDelete` when no
/// update strategy is given, selector and object labels from the template's labels; the
/// rest defaults as apps/v1 does.
fn statefulset_v1beta1_defaults(value: &mut Value) {
    let labels = value.pointer("/spec/template/metadata/labels").cloned();
    let Some(spec) = value.get_mut("spec").and_then(Value::as_object_mut) else { return };
    let strategy = spec.entry("updateStrategy").or_insert_with(|| Value::Object(Default::default()));
    if let Some(strategy) = strategy.as_object_mut()
        && strategy.get("type").and_then(Value::as_str).unwrap_or("").is_empty()
    {
        strategy.insert("type".into(), Value::String("OnDelete".into()));
    }
    let Some(labels) = labels.filter(|l| l.as_object().is_some_and(|m| !m.is_empty())) else { return };
    if spec.get("selector").is_none_or(Value::is_null) {
        spec.insert("selector".into(), serde_json::json!({ "matchLabels": labels }));
    }
    default_object_labels(value, labels);
}

/// The Deployment defaults of a legacy group/version (`SetDefaults_Deployment` in
/// `pkg/apis/extensions/v1beta1` and `pkg/apis/apps/v1beta1`); `None` for versions that
/// default as apps/v1 does (apps/v1beta2).
fn legacy_deployment_defaults(api_version: &str) -> Option<&'static DeploymentDefaults> {
    match api_version {
        "extensions/v1beta1" => Some(&constants::DEPLOYMENT_DEFAULTS_EXTENSIONS_V1BETA1),
        "apps/v1beta1" => Some(&constants::DEPLOYMENT_DEFAULTS_APPS_V1BETA1),
        _ => None,
    }
}

/// `spec.rollbackTo: {revision: N}` becomes the `deprecated.deployment.rollback.to: "N"`
/// annotation (`Convert_extensions_DeploymentSpec_To_v1_DeploymentSpec`).
fn move_rollback_to(value: &mut Value) {
    let Some(spec) = value.get_mut("spec").and_then(Value::as_object_mut) else { return };
    let Some(rollback_to) = spec.remove("rollbackTo") else { return };
    let revision = rollback_to.get("revision").and_then(Value::as_i64).unwrap_or(0);
    let Some(meta) = value
        .as_object_mut()
        .map(|o| o.entry("metadata").or_insert_with(|| Value::Object(Default::default())))
    else {
        return;
    };
    let Some(meta) = meta.as_object_mut() else { return };
    let annotations = meta.entry("annotations").or_insert_with(|| Value::Object(Default::default()));
    if let Some(annotations) = annotations.as_object_mut() {
        annotations.insert(ROLLBACK_TO_ANNOTATION.to_string(), Value::String(revision.to_string()));
    }
}

/// extensions/v1beta1 DaemonSets (`SetDefaults_DaemonSet` there): the update strategy
/// is `OnDelete` unless given, and an empty selector and empty object labels come from
/// the template's labels. (Its `spec.templateGeneration` lives on in apps/v1 as the
/// `deprecated.daemonset.template.generation` annotation, which admission keeps.)
fn legacy_daemon_set_defaults(value: &mut Value) {
    let labels = value.pointer("/spec/template/metadata/labels").cloned();
    let Some(spec) = value.get_mut("spec").and_then(Value::as_object_mut) else { return };
    let strategy = spec.entry("updateStrategy").or_insert_with(|| Value::Object(Default::default()));
    if let Some(strategy) = strategy.as_object_mut() {
        strategy.entry("type").or_insert_with(|| Value::String("OnDelete".into()));
    }
    if let Some(labels) = labels {
        let selector = spec.entry("selector").or_insert_with(|| Value::Object(Default::default()));
        if let Some(selector) = selector.as_object_mut()
            && !selector.contains_key("matchLabels")
            && !selector.contains_key("matchExpressions")
        {
            selector.insert("matchLabels".into(), labels.clone());
        }
        default_object_labels(value, labels);
    }
}

/// extensions/v1beta1 ReplicaSets: an empty selector and empty object labels default to
/// the template's labels (`SetDefaults_ReplicaSet`).
fn default_selector_and_labels_from_template(rs: &mut ReplicaSet) {
    let labels = rs
        .spec
        .as_ref()
        .and_then(|s| s.template.as_ref())
        .and_then(|t| t.metadata.as_ref())
        .and_then(|m| m.labels.clone());
    let Some(spec) = rs.spec.as_mut() else { return };
    if spec.selector.match_labels.is_none() && spec.selector.match_expressions.is_none() {
        spec.selector.match_labels = labels.clone();
    }
    if rs.metadata.labels.as_ref().is_none_or(|l| l.is_empty()) {
        rs.metadata.labels = labels;
    }
}

/// The legacy groups' defaulting of an object's own labels: empty or missing
/// `metadata.labels` take the pod template's (`labels`).
fn default_object_labels(value: &mut Value, labels: Value) {
    let meta = value
        .as_object_mut()
        .map(|o| o.entry("metadata").or_insert_with(|| Value::Object(Default::default())));
    if let Some(meta) = meta.and_then(Value::as_object_mut)
        && meta.get("labels").and_then(Value::as_object).is_none_or(|l| l.is_empty())
    {
        meta.insert("labels".into(), labels);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_deployment_gets_legacy_defaults() {
        let mut v = serde_json::json!({
            "apiVersion": "extensions/v1beta1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"replicas": 3, "rollbackTo": {"revision": 2},
                "template": {"metadata": {"labels": {"app": "nginx"}},
                    "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}}}
        });
        to_stored_version(Kind::Deployment, &mut v).unwrap();
        assert_eq!(v["apiVersion"], "apps/v1");
        assert_eq!(v["spec"]["selector"]["matchLabels"]["app"], "nginx");
        assert_eq!(v["metadata"]["labels"]["app"], "nginx");
        assert_eq!(v["spec"]["strategy"]["rollingUpdate"]["maxSurge"], 1);
        assert_eq!(v["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"], 1);
        assert_eq!(v["spec"]["revisionHistoryLimit"], i32::MAX);
        assert_eq!(v["spec"]["progressDeadlineSeconds"], i32::MAX);
        assert_eq!(v["metadata"]["annotations"][ROLLBACK_TO_ANNOTATION], "2");
        assert!(v["spec"].get("rollbackTo").is_none());
    }

    #[test]
    fn extensions_is_what_1_15_reads() {
        let mut v = serde_json::json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "annotations": {ROLLBACK_TO_ANNOTATION: "2"}}, "spec": {}
        });
        to_preferred_version(&crate::profile::Profile::for_minor(15), Kind::Deployment, &mut v);
        assert_eq!(v["apiVersion"], "extensions/v1beta1");
        assert_eq!(v["spec"]["rollbackTo"]["revision"], 2);
        assert!(v["metadata"].get("annotations").is_none());
        let mut v = serde_json::json!({"apiVersion": "apps/v1", "kind": "Deployment", "spec": {}});
        to_preferred_version(&crate::profile::Profile::for_minor(22), Kind::Deployment, &mut v);
        assert_eq!(v["apiVersion"], "apps/v1");
    }

    #[test]
    fn stored_version_is_left_alone() {
        let mut v = serde_json::json!({"apiVersion": "apps/v1", "kind": "Deployment", "spec": {}});
        let before = v.clone();
        to_stored_version(Kind::Deployment, &mut v).unwrap();
        assert_eq!(v, before);
    }
}
