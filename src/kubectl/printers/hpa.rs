//! `kubectl get hpa` (`printHorizontalPodAutoscaler`): NAME REFERENCE TARGETS MINPODS
//! MAXPODS REPLICAS AGE.

use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;

use super::{Column, PrintContext, Row, col, row};

pub const COLUMNS: &[Column] = &[
    col("NAME"),
    col("REFERENCE"),
    col("TARGETS"),
    col("MINPODS"),
    col("MAXPODS"),
    col("REPLICAS"),
    col("AGE"),
];

pub fn print(hpa: &HorizontalPodAutoscaler, ctx: &PrintContext) -> Row {
    let spec = hpa.spec.clone().unwrap_or_default();
    let status = hpa.status.clone().unwrap_or_default();
    let reference = format!("{}/{}", spec.scale_target_ref.kind, spec.scale_target_ref.name);
    let min = spec.min_replicas.map(|m| m.to_string()).unwrap_or_else(|| "<unset>".into());
    row(
        &hpa.metadata,
        vec![
            reference,
            format_metrics(hpa, ctx.profile.hpa_targets_resource_prefix),
            min,
            spec.max_replicas.to_string(),
            status.current_replicas.unwrap_or(0).to_string(),
            ctx.age(hpa.metadata.creation_timestamp.as_ref()),
        ],
    )
}

/// `formatHPAMetrics`: one entry per metric spec, the status matched by index; more than
/// two entries print the first two and ` + N more...`. `prefix` names the resource
/// (`cpu: 45%/80%`, 1.30+).
pub fn format_metrics(hpa: &HorizontalPodAutoscaler, prefix: bool) -> String {
    let specs = hpa.spec.as_ref().and_then(|s| s.metrics.clone()).unwrap_or_default();
    if specs.is_empty() {
        return "<none>".into();
    }
    let statuses = hpa.status.as_ref().and_then(|s| s.current_metrics.clone()).unwrap_or_default();
    let mut list = Vec::new();
    for (i, spec) in specs.iter().enumerate() {
        let status = statuses.get(i);
        let entry = match spec.type_.as_str() {
            "Resource" | "ContainerResource" => {
                let (name, target) = match (&spec.resource, &spec.container_resource) {
                    (Some(r), _) => (r.name.clone(), r.target.clone()),
                    (None, Some(c)) => (c.name.clone(), c.target.clone()),
                    _ => (String::new(), Default::default()),
                };
                let current_value = status.and_then(|s| {
                    s.resource
                        .as_ref()
                        .map(|r| r.current.clone())
                        .or(s.container_resource.as_ref().map(|c| c.current.clone()))
                });
                let text = if let Some(avg) = &target.average_value {
                    let current = current_value
                        .and_then(|c| c.average_value.map(|q| q.0))
                        .unwrap_or_else(|| "<unknown>".into());
                    format!("{current}/{}", avg.0)
                } else {
                    let current = current_value
                        .and_then(|c| c.average_utilization)
                        .map(|u| format!("{u}%"))
                        .unwrap_or_else(|| "<unknown>".into());
                    let target = target
                        .average_utilization
                        .map(|u| format!("{u}%"))
                        .unwrap_or_else(|| "<auto>".into());
                    format!("{current}/{target}")
                };
                if prefix { format!("{name}: {text}") } else { text }
            }
            "Pods" => {
                let target = spec
                    .pods
                    .as_ref()
                    .and_then(|p| p.target.average_value.clone())
                    .map(|q| q.0)
                    .unwrap_or_default();
                let current = status
                    .and_then(|s| s.pods.as_ref())
                    .and_then(|p| p.current.average_value.clone())
                    .map(|q| q.0)
                    .unwrap_or_else(|| "<unknown>".into());
                format!("{current}/{target}")
            }
            "Object" | "External" => {
                let target = spec
                    .object
                    .as_ref()
                    .map(|o| o.target.clone())
                    .or(spec.external.as_ref().map(|e| e.target.clone()))
                    .unwrap_or_default();
                let current = status.and_then(|s| {
                    s.object
                        .as_ref()
                        .map(|o| o.current.clone())
                        .or(s.external.as_ref().map(|e| e.current.clone()))
                });
                match (&target.average_value, &target.value) {
                    (Some(avg), _) => {
                        let c = current
                            .and_then(|c| c.average_value)
                            .map(|q| q.0)
                            .unwrap_or_else(|| "<unknown>".into());
                        format!("{c}/{} (avg)", avg.0)
                    }
                    (None, v) => {
                        let c =
                            current.and_then(|c| c.value).map(|q| q.0).unwrap_or_else(|| "<unknown>".into());
                        format!("{c}/{}", v.clone().map(|q| q.0).unwrap_or_default())
                    }
                }
            }
            _ => "<unknown type>".into(),
        };
        list.push(entry);
    }
    if list.len() > 2 {
        let more = list.len() - 2;
        return format!("{} + {more} more...", list[..2].join(", "));
    }
    list.join(", ")
}
