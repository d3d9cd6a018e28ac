//! `kubectl describe deployment` (`describeDeployment`): identity, replica counts, the
//! strategy, the pod template, conditions, the old and new ReplicaSets, events.

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::DescribeEnv;
use super::events::describe_events;
use super::replicaset::controller_conditions;
use super::template::describe_pod_template;
use super::writer::{Writer, annotations, labels, rfc1123z_or_zero};
use crate::api::selector::Selector;

/// Renders `kubectl describe deployment`. `old` are all the Deployment's other
/// ReplicaSets in creation order, `new` the one whose template matches.
pub fn describe_deployment(
    d: &Deployment,
    old: &[&ReplicaSet],
    new: Option<&ReplicaSet>,
    env: &DescribeEnv,
) -> String {
    let style = env.style();
    let mut w = Writer::new(&style);
    let spec = d.spec.clone().unwrap_or_default();
    let status = d.status.clone().unwrap_or_default();
    w.field(0, "Name", d.metadata.name.as_deref().unwrap_or(""));
    w.field(0, "Namespace", d.metadata.namespace.as_deref().unwrap_or(""));
    w.field(0, "CreationTimestamp", rfc1123z_or_zero(d.metadata.creation_timestamp.as_ref()));
    labels(&mut w, "Labels", d.metadata.labels.as_ref());
    annotations(&mut w, "Annotations", d.metadata.annotations.as_ref());
    // `labels.Selector.String()`: empty for a selector that selects everything.
    let selector = Selector::from_label_selector(&spec.selector).map(|s| s.render()).unwrap_or_default();
    w.field(0, "Selector", selector);
    w.field(
        0,
        "Replicas",
        format!(
            "{} desired | {} updated | {} total | {} available | {} unavailable",
            spec.replicas.unwrap_or(1),
            status.updated_replicas.unwrap_or(0),
            status.replicas.unwrap_or(0),
            status.available_replicas.unwrap_or(0),
            status.unavailable_replicas.unwrap_or(0)
        ),
    );
    let strategy = spec.strategy.clone().unwrap_or_default();
    w.field(0, "StrategyType", strategy.type_.as_deref().unwrap_or(""));
    w.field(0, "MinReadySeconds", spec.min_ready_seconds.unwrap_or(0));
    if let Some(rolling) = &strategy.rolling_update {
        w.field(
            0,
            "RollingUpdateStrategy",
            format!(
                "{} max unavailable, {} max surge",
                int_or_string(rolling.max_unavailable.as_ref()),
                int_or_string(rolling.max_surge.as_ref())
            ),
        );
    }
    describe_pod_template(&mut w, Some(&spec.template));
    let conditions = status.conditions.as_deref().unwrap_or_default();
    controller_conditions(&mut w, conditions.iter().map(|c| (&c.type_, &c.status, &c.reason)));
    if !old.is_empty() || new.is_some() {
        w.field(0, "OldReplicaSets", replica_sets(old.iter().copied()));
        w.field(0, "NewReplicaSet", replica_sets(new));
    }
    describe_events(&mut w, env, &env.events);
    w.finish()
}

/// `printReplicaSetsByLabels`: `name (current/desired replicas created)`, comma-joined.
fn replica_sets<'a>(list: impl IntoIterator<Item = &'a ReplicaSet>) -> String {
    let items: Vec<String> = list
        .into_iter()
        .map(|rs| {
            format!(
                "{} ({}/{} replicas created)",
                rs.metadata.name.as_deref().unwrap_or(""),
                rs.status.as_ref().map_or(0, |s| s.replicas),
                rs.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1)
            )
        })
        .collect();
    if items.is_empty() { "<none>".into() } else { items.join(", ") }
}

/// `IntOrString.String()`; a nil pointer prints `<nil>` in Go.
pub(super) fn int_or_string(v: Option<&IntOrString>) -> String {
    match v {
        Some(IntOrString::Int(i)) => i.to_string(),
        Some(IntOrString::String(s)) => s.clone(),
        None => "<nil>".into(),
    }
}
