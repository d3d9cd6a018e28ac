//! `kubectl get namespaces`: NAME STATUS AGE.

use k8s_openapi::api::core::v1::Namespace;

use super::{Column, PrintContext, Row, col, row};

pub const COLUMNS: &[Column] = &[col("NAME"), col("STATUS"), col("AGE")];

pub fn print(ns: &Namespace, ctx: &PrintContext) -> Row {
    let phase = ns.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default();
    row(&ns.metadata, vec![phase, ctx.age(ns.metadata.creation_timestamp.as_ref())])
}
