//! `kubectl get ds`: NAME DESIRED CURRENT READY UP-TO-DATE AVAILABLE NODE SELECTOR AGE
//! [CONTAINERS IMAGES SELECTOR] (`printDaemonSet`).

use k8s_openapi::api::apps::v1::DaemonSet;

use super::replicaset::containers_and_images;
use super::{Column, PrintContext, Row, col, row, selector_cell, wide};
use crate::api::selector::format_labels;

pub const COLUMNS: &[Column] = &[
    col("NAME"),
    col("DESIRED"),
    col("CURRENT"),
    col("READY"),
    col("UP-TO-DATE"),
    col("AVAILABLE"),
    col("NODE SELECTOR"),
    col("AGE"),
    wide("CONTAINERS"),
    wide("IMAGES"),
    wide("SELECTOR"),
];

/// Counters straight from status; NODE SELECTOR is the template's `nodeSelector`
/// (`<none>` when empty); SELECTOR the label selector's string.
pub fn print(ds: &DaemonSet, ctx: &PrintContext) -> Row {
    let spec = ds.spec.clone().unwrap_or_default();
    let status = ds.status.clone().unwrap_or_default();
    let (containers, images) = containers_and_images(Some(&spec.template));
    let selector = selector_cell(&spec.selector);
    row(
        &ds.metadata,
        vec![
            status.desired_number_scheduled.to_string(),
            status.current_number_scheduled.to_string(),
            status.number_ready.to_string(),
            status.updated_number_scheduled.unwrap_or(0).to_string(),
            status.number_available.unwrap_or(0).to_string(),
            format_labels(spec.template.spec.as_ref().and_then(|s| s.node_selector.as_ref())),
            ctx.age(ds.metadata.creation_timestamp.as_ref()),
            containers,
            images,
            selector,
        ],
    )
}
