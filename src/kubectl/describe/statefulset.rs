//! `kubectl describe statefulset` (`StatefulSetDescriber`): identity, replica counts,
//! the update strategy with its partition, the pods' phases, the pod template, the
//! volume claim templates, events.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{PersistentVolumeClaim, Pod};

use super::DescribeEnv;
use super::events::describe_events;
use super::quantity::Quantity;
use super::replicaset::pods_status;
use super::template::describe_pod_template;
use super::writer::{Writer, annotations, labels, rfc1123z_or_zero};
use crate::api::selector::Selector;

/// Renders `kubectl describe statefulset`; `pods` are the pods the set controls.
pub fn describe_stateful_set(set: &StatefulSet, pods: &[&Pod], env: &DescribeEnv) -> String {
    let style = env.style();
    let mut w = Writer::new(&style);
    let spec = set.spec.clone().unwrap_or_default();
    w.field(0, "Name", set.metadata.name.as_deref().unwrap_or(""));
    w.field(0, "Namespace", set.metadata.namespace.as_deref().unwrap_or(""));
    w.field(0, "CreationTimestamp", rfc1123z_or_zero(set.metadata.creation_timestamp.as_ref()));
    let selector = Selector::from_label_selector(&spec.selector).map(|s| s.render()).unwrap_or_default();
    w.field(0, "Selector", selector);
    labels(&mut w, "Labels", set.metadata.labels.as_ref());
    annotations(&mut w, "Annotations", set.metadata.annotations.as_ref());
    let total = set.status.as_ref().map_or(0, |s| s.replicas);
    w.field(0, "Replicas", format!("{} desired | {total} total", spec.replicas.unwrap_or(1)));
    let strategy = spec.update_strategy.clone().unwrap_or_default();
    w.field(0, "Update Strategy", strategy.type_.as_deref().unwrap_or(""));
    if let Some(rolling) = &strategy.rolling_update
        && let Some(partition) = rolling.partition
    {
        w.field(1, "Partition", partition);
        if let Some(max) = &rolling.max_unavailable {
            w.field(1, "MaxUnavailable", super::deployment::int_or_string(Some(max)));
        }
    }
    pods_status(&mut w, pods);
    describe_pod_template(&mut w, Some(&spec.template));
    volume_claim_templates(&mut w, spec.volume_claim_templates.as_deref().unwrap_or_default());
    describe_events(&mut w, env, &env.events);
    w.finish()
}

/// `describeVolumeClaimTemplates`.
fn volume_claim_templates(w: &mut Writer, templates: &[PersistentVolumeClaim]) {
    if templates.is_empty() {
        w.line(0, "Volume Claims:\t<none>");
        return;
    }
    w.line(0, "Volume Claims:");
    for claim in templates {
        let spec = claim.spec.clone().unwrap_or_default();
        w.field(1, "Name", claim.metadata.name.as_deref().unwrap_or(""));
        let class = crate::kubectl::printers::storage::storage_class(
            &claim.metadata,
            spec.storage_class_name.as_ref(),
        );
        w.field(1, "StorageClass", class);
        indented_pairs(w, "Labels", claim.metadata.labels.as_ref());
        indented_pairs(w, "Annotations", claim.metadata.annotations.as_ref());
        let capacity =
            spec.resources.as_ref().and_then(|r| r.requests.as_ref()).and_then(|r| r.get("storage"));
        match capacity {
            Some(q) => w.field(1, "Capacity", Quantity::of(q)),
            None => w.field(1, "Capacity", "<default>"),
        }
        let modes = spec.access_modes.clone().unwrap_or_default();
        w.field(1, "Access Modes", format!("[{}]", modes.join(" ")));
    }
}

/// `printLabelsMultilineWithIndent(w, "  ", title, "\t", …)`: `k=v` pairs, the first
/// after `  Title:\t`, the others after `  \t`.
fn indented_pairs(w: &mut Writer, title: &str, pairs: Option<&BTreeMap<String, String>>) {
    w.write(0, &format!("  {title}:\t"));
    let entries: Vec<String> = pairs.into_iter().flatten().map(|(k, v)| format!("{k}={v}")).collect();
    if entries.is_empty() {
        w.line(0, "<none>");
        return;
    }
    for (i, entry) in entries.iter().enumerate() {
        if i > 0 {
            w.write(0, "  \t");
        }
        w.line(0, entry);
    }
}
