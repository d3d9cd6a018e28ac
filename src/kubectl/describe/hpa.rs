//! `kubectl describe hpa` (`describeHorizontalPodAutoscalerV2`; kubectl ≤ 1.22 reads
//! `autoscaling/v2beta2` with the same layout).

use k8s_openapi::api::autoscaling::v2::{HPAScalingRules, HorizontalPodAutoscaler};

use super::DescribeEnv;
use super::events::describe_events;
use super::writer::{Writer, annotations, labels, rfc1123z_or_zero};

pub fn describe_hpa(hpa: &HorizontalPodAutoscaler, env: &DescribeEnv) -> String {
    let style = env.style();
    let mut w = Writer::new(&style);
    let spec = hpa.spec.clone().unwrap_or_default();
    let status = hpa.status.clone().unwrap_or_default();
    w.field(0, "Name", hpa.metadata.name.as_deref().unwrap_or(""));
    w.field(0, "Namespace", hpa.metadata.namespace.as_deref().unwrap_or(""));
    labels(&mut w, "Labels", hpa.metadata.labels.as_ref());
    annotations(&mut w, "Annotations", hpa.metadata.annotations.as_ref());
    w.field(0, "CreationTimestamp", rfc1123z_or_zero(hpa.metadata.creation_timestamp.as_ref()));
    w.field(0, "Reference", format!("{}/{}", spec.scale_target_ref.kind, spec.scale_target_ref.name));
    w.field(0, "Metrics", "( current / target )");
    let currents = status.current_metrics.clone().unwrap_or_default();
    for (i, metric) in spec.metrics.iter().flatten().enumerate() {
        let current = currents.get(i);
        match (metric.type_.as_str(), &metric.resource) {
            ("Resource", Some(r)) => {
                let cur = current.and_then(|c| c.resource.as_ref()).map(|c| c.current.clone());
                if let Some(avg) = &r.target.average_value {
                    let c =
                        cur.and_then(|c| c.average_value).map(|q| q.0).unwrap_or_else(|| "<unknown>".into());
                    w.line(1, &format!("resource {} on pods:\t{c} / {}", r.name, avg.0));
                } else {
                    let c = cur
                        .and_then(|c| {
                            let u = c.average_utilization?;
                            Some(format!(
                                "{u}% ({})",
                                c.average_value.map(|q| q.0).unwrap_or_else(|| "0".into())
                            ))
                        })
                        .unwrap_or_else(|| "<unknown>".into());
                    let t = r
                        .target
                        .average_utilization
                        .map(|u| format!("{u}%"))
                        .unwrap_or_else(|| "<auto>".into());
                    w.line(
                        1,
                        &format!("resource {} on pods  (as a percentage of request):\t{c} / {t}", r.name),
                    );
                }
            }
            (other, _) => w.line(1, &format!("<unknown metric type \"{other}\">")),
        }
    }
    let min = spec.min_replicas.map(|m| m.to_string()).unwrap_or_else(|| "<unset>".into());
    w.field(0, "Min replicas", min);
    w.field(0, "Max replicas", spec.max_replicas);
    if let Some(b) = &spec.behavior {
        w.line(0, "Behavior:");
        direction(&mut w, "Scale Up", b.scale_up.as_ref());
        direction(&mut w, "Scale Down", b.scale_down.as_ref());
    }
    w.line(
        0,
        &format!(
            "{} pods:\t{} current / {} desired",
            spec.scale_target_ref.kind,
            status.current_replicas.unwrap_or(0),
            status.desired_replicas
        ),
    );
    if let Some(conditions) = status.conditions.as_ref().filter(|c| !c.is_empty()) {
        w.line(0, "Conditions:");
        w.line(1, "Type\tStatus\tReason\tMessage");
        w.line(1, "----\t------\t------\t-------");
        for c in conditions {
            w.line(
                1,
                &format!(
                    "{}\t{}\t{}\t{}",
                    c.type_,
                    c.status,
                    c.reason.as_deref().unwrap_or(""),
                    c.message.as_deref().unwrap_or("")
                ),
            );
        }
    }
    describe_events(&mut w, env, &env.events);
    w.finish()
}

/// `printDirectionBehavior`.
fn direction(w: &mut Writer, title: &str, rules: Option<&HPAScalingRules>) {
    let Some(rules) = rules else { return };
    w.line(1, &format!("{title}:"));
    if let Some(s) = rules.stabilization_window_seconds {
        w.line(2, &format!("Stabilization Window: {s} seconds"));
    }
    if let Some(policies) = rules.policies.as_ref().filter(|p| !p.is_empty()) {
        w.line(2, &format!("Select Policy: {}", rules.select_policy.as_deref().unwrap_or("Max")));
        w.line(2, "Policies:");
        for p in policies {
            w.line(
                3,
                &format!("- Type: {}\tValue: {}\tPeriod: {} seconds", p.type_, p.value, p.period_seconds),
            );
        }
    }
}
