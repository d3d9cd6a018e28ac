//! The `Pod Template:` block (`DescribePodTemplate`), shared by every workload
//! describer (ReplicaSet, ReplicationController, and later Deployment, Job, DaemonSet,
//! StatefulSet and `rollout history --revision`).
//!
//! The block's lines are written flush left with their own two-space indentation in the
//! title (`  Labels:`), so continuation lines start with a bare tab; container names get
//! one extra space (`   nginx:`). From 1.30 the block ends with `Node-Selectors:` and
//! `Tolerations:`, whose longer label widens the whole run of aligned lines it joins.

use k8s_openapi::api::core::v1::{PodSpec, PodTemplateSpec, TopologySpreadConstraint};

use super::containers::{Source, describe_containers};
use super::volumes::describe_volumes;
use super::writer::{Writer, annotations, format_label_selector, labels, tolerations};

const SPACE: &str = "  ";

/// Writes the block. `None` is a nil template pointer (only possible for a
/// ReplicationController): kubectl then writes `  <unset>` without a newline.
pub(crate) fn describe_pod_template(w: &mut Writer, template: Option<&PodTemplateSpec>) {
    w.line(0, "Pod Template:");
    let Some(template) = template else {
        w.write(1, "<unset>");
        return;
    };
    let meta = template.metadata.as_ref();
    labels(w, "  Labels", meta.and_then(|m| m.labels.as_ref()));
    if let Some(annots) = meta.and_then(|m| m.annotations.as_ref()).filter(|a| !a.is_empty()) {
        annotations(w, "  Annotations", Some(annots));
    }
    let default_spec = PodSpec::default();
    let spec = template.spec.as_ref().unwrap_or(&default_spec);
    if let Some(sa) = spec.service_account_name.as_deref().filter(|s| !s.is_empty()) {
        w.field(1, "Service Account", sa);
    }
    if let Some(init) = spec.init_containers.as_deref().filter(|c| !c.is_empty()) {
        describe_containers(w, "Init Containers", init, Source::Template, SPACE);
    }
    describe_containers(w, "Containers", &spec.containers, Source::Template, SPACE);
    describe_volumes(w, spec.volumes.as_deref().unwrap_or_default(), SPACE);
    if w.style().topology_spread_constraints {
        topology_spread_constraints(
            w,
            spec.topology_spread_constraints.as_deref().unwrap_or_default(),
            SPACE,
        );
    }
    if let Some(pc) = spec.priority_class_name.as_deref().filter(|s| !s.is_empty()) {
        w.field(1, "Priority Class Name", pc);
    }
    if w.style().template_scheduling {
        labels(w, "  Node-Selectors", spec.node_selector.as_ref());
        tolerations(w, "  Tolerations", spec.tolerations.as_deref().unwrap_or_default());
    }
}

/// `describeTopologySpreadConstraints`, sorted by topology key; continuation lines
/// start with `space` and a tab.
pub(crate) fn topology_spread_constraints(
    w: &mut Writer,
    constraints: &[TopologySpreadConstraint],
    space: &str,
) {
    if constraints.is_empty() {
        return;
    }
    let mut sorted: Vec<&TopologySpreadConstraint> = constraints.iter().collect();
    sorted.sort_by(|a, b| a.topology_key.cmp(&b.topology_key));
    w.write(0, &format!("{space}Topology Spread Constraints:\t"));
    for (i, c) in sorted.into_iter().enumerate() {
        if i > 0 {
            w.write(0, &format!("{space}\t"));
        }
        let mut text =
            format!("{}:{} when max skew {} is exceeded", c.topology_key, c.when_unsatisfiable, c.max_skew);
        if let Some(selector) = &c.label_selector {
            text.push_str(&format!(" for selector {}", format_label_selector(Some(selector))));
        }
        w.line(0, &text);
    }
}
