//! `kubectl get deploy`: NAME READY UP-TO-DATE AVAILABLE AGE [CONTAINERS IMAGES SELECTOR]
//! (`printDeployment`).

use k8s_openapi::api::apps::v1::Deployment;

use super::replicaset::containers_and_images;
use super::{Column, PrintContext, Row, col, row, selector_cell, wide};

pub const COLUMNS: &[Column] = &[
    col("NAME"),
    col("READY"),
    col("UP-TO-DATE"),
    col("AVAILABLE"),
    col("AGE"),
    wide("CONTAINERS"),
    wide("IMAGES"),
    wide("SELECTOR"),
];

/// READY is `readyReplicas/replicas`; the SELECTOR cell is the selector's string, empty
/// (not `<none>`) for an empty one.
pub fn print(d: &Deployment, ctx: &PrintContext) -> Row {
    let spec = d.spec.clone().unwrap_or_default();
    let status = d.status.clone().unwrap_or_default();
    let (containers, images) = containers_and_images(Some(&spec.template));
    let selector = selector_cell(&spec.selector);
    row(
        &d.metadata,
        vec![
            format!("{}/{}", status.ready_replicas.unwrap_or(0), spec.replicas.unwrap_or(1)),
            status.updated_replicas.unwrap_or(0).to_string(),
            status.available_replicas.unwrap_or(0).to_string(),
            ctx.age(d.metadata.creation_timestamp.as_ref()),
            containers,
            images,
            selector,
        ],
    )
}
