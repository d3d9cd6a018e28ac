//! `kubectl get nodes`: NAME STATUS ROLES AGE VERSION [INTERNAL-IP EXTERNAL-IP OS-IMAGE
//! KERNEL-VERSION CONTAINER-RUNTIME].

use std::collections::BTreeSet;

use k8s_openapi::api::core::v1::Node;

use super::{Column, PrintContext, Row, col, row, wide};

pub const COLUMNS: &[Column] = &[
    col("NAME"),
    col("STATUS"),
    col("ROLES"),
    col("AGE"),
    col("VERSION"),
    wide("INTERNAL-IP"),
    wide("EXTERNAL-IP"),
    wide("OS-IMAGE"),
    wide("KERNEL-VERSION"),
    wide("CONTAINER-RUNTIME"),
];

/// `Ready`, `NotReady` or `Unknown`, then `SchedulingDisabled` when cordoned.
pub fn status(node: &Node) -> String {
    let ready = node
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .and_then(|c| c.iter().find(|c| c.type_ == "Ready"))
        .map(|c| if c.status == "True" { "Ready" } else { "NotReady" })
        .unwrap_or("Unknown");
    let mut parts = vec![ready.to_string()];
    if node.spec.as_ref().and_then(|s| s.unschedulable).unwrap_or(false) {
        parts.push("SchedulingDisabled".into());
    }
    parts.join(",")
}

/// Roles from `node-role.kubernetes.io/<role>` labels and `kubernetes.io/role`, sorted.
pub fn roles(node: &Node) -> String {
    let mut roles = BTreeSet::new();
    for (k, v) in node.metadata.labels.iter().flatten() {
        if let Some(role) = k.strip_prefix("node-role.kubernetes.io/")
            && !role.is_empty()
        {
            roles.insert(role.to_string());
        }
        if k == "kubernetes.io/role" && !v.is_empty() {
            roles.insert(v.clone());
        }
    }
    if roles.is_empty() { "<none>".into() } else { roles.into_iter().collect::<Vec<_>>().join(",") }
}

fn address(node: &Node, type_: &str) -> String {
    node.status
        .as_ref()
        .and_then(|s| s.addresses.as_ref())
        .and_then(|a| a.iter().find(|a| a.type_ == type_))
        .map(|a| a.address.clone())
        .unwrap_or_else(|| "<none>".into())
}

pub fn print(node: &Node, ctx: &PrintContext) -> Row {
    let info = node.status.as_ref().and_then(|s| s.node_info.clone()).unwrap_or_default();
    let unknown = |s: &str| if s.is_empty() { "<unknown>".to_string() } else { s.to_string() };
    row(
        &node.metadata,
        vec![
            status(node),
            roles(node),
            ctx.age(node.metadata.creation_timestamp.as_ref()),
            info.kubelet_version.clone(),
            address(node, "InternalIP"),
            address(node, "ExternalIP"),
            unknown(&info.os_image),
            unknown(&info.kernel_version),
            unknown(&info.container_runtime_version),
        ],
    )
}
