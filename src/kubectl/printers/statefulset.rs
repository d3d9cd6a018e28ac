//! `kubectl get sts`: NAME READY AGE [CONTAINERS IMAGES] (`printStatefulSet`).
//!
//! READY has replaced the older `DESIRED CURRENT` pair since the 1.11 table printers, so
//! every supported profile prints the same columns.

use k8s_openapi::api::apps::v1::StatefulSet;

use super::replicaset::containers_and_images;
use super::{Column, PrintContext, Row, col, row, wide};

pub const COLUMNS: &[Column] = &[col("NAME"), col("READY"), col("AGE"), wide("CONTAINERS"), wide("IMAGES")];

/// READY is `readyReplicas/spec.replicas`.
pub fn print(set: &StatefulSet, ctx: &PrintContext) -> Row {
    let spec = set.spec.as_ref();
    let ready = set.status.as_ref().and_then(|s| s.ready_replicas).unwrap_or(0);
    let (containers, images) = containers_and_images(spec.map(|s| &s.template));
    row(
        &set.metadata,
        vec![
            format!("{ready}/{}", spec.and_then(|s| s.replicas).unwrap_or(1)),
            ctx.age(set.metadata.creation_timestamp.as_ref()),
            containers,
            images,
        ],
    )
}
