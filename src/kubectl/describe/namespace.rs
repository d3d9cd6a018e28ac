//! `kubectl describe namespace` (`describeNamespace`). kubesim keeps no ResourceQuotas
//! or LimitRanges, so both sections print their empty texts, as in a fresh cluster.

use k8s_openapi::api::core::v1::Namespace;

use super::DescribeEnv;
use super::writer::{Writer, annotations, labels, rfc1123z_or_zero};

/// Renders `kubectl describe namespace` (no events section: kubectl lists none).
pub fn describe_namespace(ns: &Namespace, env: &DescribeEnv) -> String {
    let style = env.style();
    let mut w = Writer::new(&style);
    w.field(0, "Name", ns.metadata.name.as_deref().unwrap_or(""));
    labels(&mut w, "Labels", ns.metadata.labels.as_ref());
    annotations(&mut w, "Annotations", ns.metadata.annotations.as_ref());
    let status = ns.status.clone().unwrap_or_default();
    w.field(0, "Status", status.phase.as_deref().unwrap_or(""));
    let conditions = status.conditions.unwrap_or_default();
    if !conditions.is_empty() {
        w.line(0, "Conditions:");
        w.line(1, "Type\tStatus\tLastTransitionTime\tReason\tMessage");
        w.line(1, "----\t------\t------------------\t------\t-------");
        for c in &conditions {
            w.line(
                1,
                &format!(
                    "{}\t{}\t{}\t{}\t{}",
                    c.type_,
                    c.status,
                    rfc1123z_or_zero(c.last_transition_time.as_ref()),
                    c.reason.as_deref().unwrap_or(""),
                    c.message.as_deref().unwrap_or("")
                ),
            );
        }
    }
    w.line(0, "");
    w.line(0, "No resource quota.");
    w.line(0, "");
    w.line(0, "No LimitRange resource.");
    w.finish()
}
