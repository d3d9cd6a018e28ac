//! `kubectl get controllerrevisions`: NAME CONTROLLER REVISION AGE
//! (`printControllerRevision`). CONTROLLER is `<kind>.<group>/<name>` of the controller
//! owner, lowercased, or `<none>`.

use k8s_openapi::api::apps::v1::ControllerRevision;

use super::{Column, PrintContext, Row, col, row};
use crate::api::store::controller_ref;

pub const COLUMNS: &[Column] = &[col("NAME"), col("CONTROLLER"), col("REVISION"), col("AGE")];

pub fn print(revision: &ControllerRevision, ctx: &PrintContext) -> Row {
    let controller = controller_ref(&revision.metadata).map_or_else(
        || "<none>".to_string(),
        |owner| {
            let group = owner.api_version.split_once('/').map(|(g, _)| g).unwrap_or("");
            let kind = if group.is_empty() { owner.kind.clone() } else { format!("{}.{group}", owner.kind) };
            format!("{}/{}", kind.to_lowercase(), owner.name)
        },
    );
    row(
        &revision.metadata,
        vec![
            controller,
            revision.revision.to_string(),
            ctx.age(revision.metadata.creation_timestamp.as_ref()),
        ],
    )
}
