//! `kubectl get controllerrevisions`: NAME CONTROLLER REVISION AGE
//! (`printControllerRevision`): CONTROLLER is the controller reference as
//! `<kind>.<group>/<name>` (`daemonset.apps/x`), `<none>` without one.

use k8s_openapi::api::apps::v1::ControllerRevision;

use super::{Column, PrintContext, Row, col, row};
use crate::api::store::controller_ref;

pub const COLUMNS: &[Column] = &[col("NAME"), col("CONTROLLER"), col("REVISION"), col("AGE")];

pub fn print(cr: &ControllerRevision, ctx: &PrintContext) -> Row {
    let controller = match controller_ref(&cr.metadata) {
        Some(r) => {
            let group = r.api_version.rsplit_once('/').map(|(g, _)| g).unwrap_or("");
            let kind = if group.is_empty() { r.kind.clone() } else { format!("{}.{group}", r.kind) };
            format!("{}/{}", kind.to_lowercase(), r.name)
        }
        None => "<none>".into(),
    };
    row(
        &cr.metadata,
        vec![controller, cr.revision.to_string(), ctx.age(cr.metadata.creation_timestamp.as_ref())],
    )
}
