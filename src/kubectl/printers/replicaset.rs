//! `kubectl get rs` and `get rc`: NAME DESIRED CURRENT READY AGE [CONTAINERS IMAGES SELECTOR].

use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::core::v1::{PodTemplateSpec, ReplicationController};

use super::{Column, PrintContext, Row, col, row, wide};
use crate::api::selector::{Selector, format_labels};

pub const COLUMNS: &[Column] = &[
    col("NAME"),
    col("DESIRED"),
    col("CURRENT"),
    col("READY"),
    col("AGE"),
    wide("CONTAINERS"),
    wide("IMAGES"),
    wide("SELECTOR"),
];

/// CONTAINERS and IMAGES cells: names and images joined by commas.
pub fn containers_and_images(template: Option<&PodTemplateSpec>) -> (String, String) {
    let containers = template.and_then(|t| t.spec.as_ref()).map(|s| s.containers.clone()).unwrap_or_default();
    let names: Vec<String> = containers.iter().map(|c| c.name.clone()).collect();
    let images: Vec<String> = containers.iter().map(|c| c.image.clone().unwrap_or_default()).collect();
    (names.join(","), images.join(","))
}

pub fn print_replica_set(rs: &ReplicaSet, ctx: &PrintContext) -> Row {
    let spec = rs.spec.clone().unwrap_or_default();
    let status = rs.status.clone().unwrap_or_default();
    let (containers, images) = containers_and_images(spec.template.as_ref());
    let selector = Selector::from_label_selector(&spec.selector).map(|s| s.render()).unwrap_or_default();
    row(
        &rs.metadata,
        vec![
            spec.replicas.unwrap_or(1).to_string(),
            status.replicas.to_string(),
            status.ready_replicas.unwrap_or(0).to_string(),
            ctx.age(rs.metadata.creation_timestamp.as_ref()),
            containers,
            images,
            if selector.is_empty() { "<none>".into() } else { selector },
        ],
    )
}

pub fn print_replication_controller(rc: &ReplicationController, ctx: &PrintContext) -> Row {
    let spec = rc.spec.clone().unwrap_or_default();
    let status = rc.status.clone().unwrap_or_default();
    let (containers, images) = containers_and_images(spec.template.as_ref());
    row(
        &rc.metadata,
        vec![
            spec.replicas.unwrap_or(1).to_string(),
            status.replicas.to_string(),
            status.ready_replicas.unwrap_or(0).to_string(),
            ctx.age(rc.metadata.creation_timestamp.as_ref()),
            containers,
            images,
            format_labels(spec.selector.as_ref()),
        ],
    )
}
