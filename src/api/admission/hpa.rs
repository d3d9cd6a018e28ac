//! Admission (defaults and validation) for HorizontalPodAutoscalers, and the conversions
//! between the stored `autoscaling/v2` form and `autoscaling/v1` / `v2beta1`
//! (`pkg/apis/autoscaling/v2/defaults.go`, `pkg/apis/autoscaling/validation`,
//! `pkg/apis/autoscaling/v1/conversion.go`, `v2beta1/conversion.go`).
//!
//! `autoscaling/v1` only knows a CPU utilization target; everything else it cannot hold
//! travels in annotations, as the apiserver's conversion does: other metric specs in
//! `autoscaling.alpha.kubernetes.io/metrics`, current metrics in
//! `…/current-metrics`, conditions in `…/conditions`, behavior in `…/behavior`.

use k8s_openapi::api::autoscaling::v2::{
    HPAScalingPolicy, HPAScalingRules, HorizontalPodAutoscaler, MetricSpec, MetricTarget,
    ResourceMetricSource,
};
use serde_json::{Value, json};

use super::Admit;
use crate::api::store::Store;
use crate::constants;

pub const METRICS_ANNOTATION: &str = "autoscaling.alpha.kubernetes.io/metrics";
pub const CURRENT_METRICS_ANNOTATION: &str = "autoscaling.alpha.kubernetes.io/current-metrics";
pub const CONDITIONS_ANNOTATION: &str = "autoscaling.alpha.kubernetes.io/conditions";
pub const BEHAVIOR_ANNOTATION: &str = "autoscaling.alpha.kubernetes.io/behavior";

fn policy(type_: &str, value: i32) -> HPAScalingPolicy {
    HPAScalingPolicy {
        type_: type_.into(),
        value,
        period_seconds: constants::HPA_SCALE_POLICY_PERIOD_SECONDS,
    }
}

/// `GenerateHPAScaleUpRules` / `GenerateHPAScaleDownRules`: the user's fields over the
/// defaults.
fn fill_rules(rules: &mut Option<HPAScalingRules>, up: bool) {
    let r = rules.get_or_insert_with(Default::default);
    if up {
        r.stabilization_window_seconds.get_or_insert(0);
    }
    r.select_policy.get_or_insert_with(|| "Max".into());
    if r.policies.as_ref().is_none_or(|p| p.is_empty()) {
        r.policies = Some(if up {
            vec![
                policy("Pods", constants::HPA_SCALE_UP_PODS),
                policy("Percent", constants::HPA_SCALE_UP_PERCENT),
            ]
        } else {
            vec![policy("Percent", constants::HPA_SCALE_DOWN_PERCENT)]
        });
    }
}

/// The CPU utilization metric every HPA without metrics gets.
pub fn cpu_metric(utilization: i32) -> MetricSpec {
    MetricSpec {
        type_: "Resource".into(),
        resource: Some(ResourceMetricSource {
            name: "cpu".into(),
            target: MetricTarget {
                type_: "Utilization".into(),
                average_utilization: Some(utilization),
                ..Default::default()
            },
        }),
        ..Default::default()
    }
}

impl Admit for HorizontalPodAutoscaler {
    fn set_defaults(&mut self, _store: &mut Store) {
        let spec = self.spec.get_or_insert_with(Default::default);
        spec.min_replicas.get_or_insert(constants::HPA_DEFAULT_MIN_REPLICAS);
        if spec.metrics.as_ref().is_none_or(|m| m.is_empty()) {
            spec.metrics = Some(vec![cpu_metric(constants::HPA_DEFAULT_CPU_UTILIZATION)]);
        }
        if let Some(b) = spec.behavior.as_mut() {
            fill_rules(&mut b.scale_up, true);
            fill_rules(&mut b.scale_down, false);
        }
    }

    fn validate(&self) -> Vec<String> {
        let mut causes = Vec::new();
        let Some(spec) = self.spec.as_ref() else { return causes };
        if let Some(min) = spec.min_replicas
            && min < 1
        {
            causes
                .push(format!("spec.minReplicas: Invalid value: {min}: must be greater than or equal to 1"));
        }
        if spec.max_replicas < 1 {
            causes.push(format!(
                "spec.maxReplicas: Invalid value: {}: must be greater than 0",
                spec.max_replicas
            ));
        }
        if let Some(min) = spec.min_replicas
            && spec.max_replicas < min
        {
            causes.push(format!(
                "spec.maxReplicas: Invalid value: {}: must be greater than or equal to `minReplicas`",
                spec.max_replicas
            ));
        }
        if spec.scale_target_ref.kind.is_empty() {
            causes.push("spec.scaleTargetRef.kind: Required value".into());
        }
        if spec.scale_target_ref.name.is_empty() {
            causes.push("spec.scaleTargetRef.name: Required value".into());
        }
        for (i, m) in spec.metrics.iter().flatten().enumerate() {
            if let Some(r) = &m.resource
                && let Some(u) = r.target.average_utilization
                && u < 1
            {
                causes.push(format!(
                    "spec.metrics[{i}].resource.target.averageUtilization: Invalid value: {u}: must be greater than 0"
                ));
            }
        }
        causes
    }
}

/// A manifest of any served HPA version as the stored `autoscaling/v2` JSON.
pub fn to_v2(mut value: Value) -> Value {
    let version = value.get("apiVersion").and_then(|v| v.as_str()).unwrap_or("").to_string();
    match version.as_str() {
        "autoscaling/v1" => v1_to_v2(&mut value),
        "autoscaling/v2beta1" => v2beta1_to_v2(&mut value),
        _ => {}
    }
    if let Some(obj) = value.as_object_mut() {
        obj.insert("apiVersion".into(), json!("autoscaling/v2"));
    }
    value
}

fn take_annotation(value: &mut Value, key: &str) -> Option<Value> {
    let annotations = value.pointer_mut("/metadata/annotations")?.as_object_mut()?;
    let text = annotations.remove(key)?;
    let parsed = serde_json::from_str(text.as_str()?).ok();
    if annotations.is_empty()
        && let Some(meta) = value.pointer_mut("/metadata").and_then(|m| m.as_object_mut())
    {
        meta.remove("annotations");
    }
    parsed
}

fn v1_to_v2(value: &mut Value) {
    let other = take_annotation(value, METRICS_ANNOTATION);
    let behavior = take_annotation(value, BEHAVIOR_ANNOTATION);
    let _ = take_annotation(value, CURRENT_METRICS_ANNOTATION);
    let _ = take_annotation(value, CONDITIONS_ANNOTATION);
    let Some(spec) = value.get_mut("spec").and_then(|s| s.as_object_mut()) else { return };
    let mut metrics: Vec<Value> = Vec::new();
    if let Some(Value::Array(list)) = other {
        for mut m in list {
            v2beta1_metric_to_v2(&mut m);
            metrics.push(m);
        }
    }
    if let Some(cpu) = spec.remove("targetCPUUtilizationPercentage") {
        metrics.push(json!({"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": cpu}}}));
    }
    if !metrics.is_empty() {
        spec.insert("metrics".into(), Value::Array(metrics));
    }
    if let Some(b) = behavior {
        spec.insert("behavior".into(), b);
    }
    if let Some(status) = value.get_mut("status").and_then(|s| s.as_object_mut()) {
        status.remove("currentCPUUtilizationPercentage");
    }
}

/// A v2beta1 metric spec (`targetAverageUtilization`, `targetAverageValue`, …) in v2 form.
fn v2beta1_metric_to_v2(m: &mut Value) {
    let Some(obj) = m.as_object_mut() else { return };
    for (key, value) in obj.iter_mut() {
        if key == "type" {
            continue;
        }
        let Some(src) = value.as_object_mut() else { continue };
        let mut target = serde_json::Map::new();
        if let Some(u) = src.remove("targetAverageUtilization") {
            target.insert("type".into(), json!("Utilization"));
            target.insert("averageUtilization".into(), u);
        } else if let Some(v) = src.remove("targetAverageValue") {
            target.insert("type".into(), json!("AverageValue"));
            target.insert("averageValue".into(), v);
        } else if let Some(v) = src.remove("targetValue") {
            target.insert("type".into(), json!("Value"));
            target.insert("value".into(), v);
        }
        if !target.is_empty() {
            src.insert("target".into(), Value::Object(target));
        }
    }
}

fn v2beta1_to_v2(value: &mut Value) {
    if let Some(Value::Array(list)) = value.pointer_mut("/spec/metrics") {
        for m in list {
            v2beta1_metric_to_v2(m);
        }
    }
}

/// The stored object as `autoscaling/v1` serves it.
pub fn to_v1(hpa: &HorizontalPodAutoscaler) -> Value {
    let mut value = serde_json::to_value(hpa).expect("serializable");
    let spec = hpa.spec.clone().unwrap_or_default();
    let status = hpa.status.clone().unwrap_or_default();
    let metrics = spec.metrics.clone().unwrap_or_default();
    let is_cpu_utilization = |m: &MetricSpec| {
        m.type_ == "Resource"
            && m.resource.as_ref().is_some_and(|r| r.name == "cpu" && r.target.average_utilization.is_some())
    };
    let cpu_target = metrics
        .iter()
        .find(|m| is_cpu_utilization(m))
        .and_then(|m| m.resource.as_ref())
        .and_then(|r| r.target.average_utilization);
    let other: Vec<Value> =
        metrics.iter().filter(|m| !is_cpu_utilization(m)).map(metric_spec_v2beta1).collect();
    let mut annotations = serde_json::Map::new();
    if !other.is_empty() {
        annotations.insert(METRICS_ANNOTATION.into(), json!(serde_json::to_string(&other).unwrap()));
    }
    let current: Vec<Value> = status.current_metrics.iter().flatten().map(metric_status_v2beta1).collect();
    if !current.is_empty() {
        annotations
            .insert(CURRENT_METRICS_ANNOTATION.into(), json!(serde_json::to_string(&current).unwrap()));
    }
    let conditions: Vec<Value> = status
        .conditions
        .iter()
        .flatten()
        .map(|c| {
            let mut m = serde_json::Map::new();
            m.insert("type".into(), json!(c.type_));
            m.insert("status".into(), json!(c.status));
            if let Some(t) = &c.last_transition_time {
                m.insert("lastTransitionTime".into(), serde_json::to_value(t).unwrap());
            }
            if let Some(r) = &c.reason {
                m.insert("reason".into(), json!(r));
            }
            if let Some(msg) = &c.message {
                m.insert("message".into(), json!(msg));
            }
            Value::Object(m)
        })
        .collect();
    if !conditions.is_empty() {
        annotations.insert(CONDITIONS_ANNOTATION.into(), json!(serde_json::to_string(&conditions).unwrap()));
    }
    if let Some(b) = &spec.behavior {
        annotations.insert(BEHAVIOR_ANNOTATION.into(), json!(serde_json::to_string(b).unwrap()));
    }
    let obj = value.as_object_mut().expect("object");
    obj.insert("apiVersion".into(), json!("autoscaling/v1"));
    if !annotations.is_empty() {
        let meta = obj.entry("metadata").or_insert_with(|| json!({})).as_object_mut().expect("metadata");
        let existing = meta.entry("annotations").or_insert_with(|| json!({})).as_object_mut().expect("map");
        existing.extend(annotations);
    }
    if let Some(s) = obj.get_mut("spec").and_then(|s| s.as_object_mut()) {
        s.remove("metrics");
        s.remove("behavior");
        if let Some(t) = cpu_target {
            s.insert("targetCPUUtilizationPercentage".into(), json!(t));
        }
    }
    let current_cpu = status.current_metrics.iter().flatten().find_map(|m| {
        m.resource.as_ref().filter(|r| r.name == "cpu").and_then(|r| r.current.average_utilization)
    });
    let mut st = serde_json::Map::new();
    if let Some(c) = current_cpu {
        st.insert("currentCPUUtilizationPercentage".into(), json!(c));
    }
    st.insert("currentReplicas".into(), json!(status.current_replicas.unwrap_or(0)));
    st.insert("desiredReplicas".into(), json!(status.desired_replicas));
    if let Some(t) = &status.last_scale_time {
        st.insert("lastScaleTime".into(), serde_json::to_value(t).unwrap());
    }
    if let Some(g) = status.observed_generation {
        st.insert("observedGeneration".into(), json!(g));
    }
    obj.insert("status".into(), Value::Object(st));
    value
}

/// A v2 metric spec in the v2beta1 shape the annotations use.
fn metric_spec_v2beta1(m: &MetricSpec) -> Value {
    let mut v = serde_json::to_value(m).unwrap();
    if let Some(obj) = v.as_object_mut() {
        for (key, src) in obj.iter_mut() {
            if key == "type" {
                continue;
            }
            let Some(src) = src.as_object_mut() else { continue };
            if let Some(Value::Object(target)) = src.remove("target") {
                if let Some(u) = target.get("averageUtilization") {
                    src.insert("targetAverageUtilization".into(), u.clone());
                } else if let Some(a) = target.get("averageValue") {
                    src.insert("targetAverageValue".into(), a.clone());
                } else if let Some(a) = target.get("value") {
                    src.insert("targetValue".into(), a.clone());
                }
            }
        }
    }
    v
}

/// A v2 metric status as v2beta1 (`currentAverageUtilization`, `currentAverageValue`).
fn metric_status_v2beta1(m: &k8s_openapi::api::autoscaling::v2::MetricStatus) -> Value {
    match &m.resource {
        Some(r) if m.type_ == "Resource" => {
            let mut res = serde_json::Map::new();
            res.insert("name".into(), json!(r.name));
            if let Some(u) = r.current.average_utilization {
                res.insert("currentAverageUtilization".into(), json!(u));
            }
            res.insert(
                "currentAverageValue".into(),
                json!(r.current.average_value.as_ref().map(|q| q.0.clone()).unwrap_or_else(|| "0".into())),
            );
            json!({"type": "Resource", "resource": Value::Object(res)})
        }
        _ => json!({"type": m.type_}),
    }
}
