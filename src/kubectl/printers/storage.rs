//! `kubectl get pvc` and `kubectl get pv` (`printPersistentVolumeClaim`,
//! `printPersistentVolume`). From 1.29 both have a VOLUMEATTRIBUTESCLASS column
//! (`<unset>` when empty) before AGE, respectively REASON.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use super::{Column, PrintContext, Row, col, row, wide};
use crate::kubectl::describe::quantity;

pub const CLAIM_COLUMNS: &[Column] = &[
    col("NAME"),
    col("STATUS"),
    col("VOLUME"),
    col("CAPACITY"),
    col("ACCESS MODES"),
    col("STORAGECLASS"),
    col("AGE"),
    wide("VOLUMEMODE"),
];

pub const CLAIM_COLUMNS_WITH_ATTRIBUTES_CLASS: &[Column] = &[
    col("NAME"),
    col("STATUS"),
    col("VOLUME"),
    col("CAPACITY"),
    col("ACCESS MODES"),
    col("STORAGECLASS"),
    col("VOLUMEATTRIBUTESCLASS"),
    col("AGE"),
    wide("VOLUMEMODE"),
];

pub const VOLUME_COLUMNS: &[Column] = &[
    col("NAME"),
    col("CAPACITY"),
    col("ACCESS MODES"),
    col("RECLAIM POLICY"),
    col("STATUS"),
    col("CLAIM"),
    col("STORAGECLASS"),
    col("REASON"),
    col("AGE"),
    wide("VOLUMEMODE"),
];

pub const VOLUME_COLUMNS_WITH_ATTRIBUTES_CLASS: &[Column] = &[
    col("NAME"),
    col("CAPACITY"),
    col("ACCESS MODES"),
    col("RECLAIM POLICY"),
    col("STATUS"),
    col("CLAIM"),
    col("STORAGECLASS"),
    col("VOLUMEATTRIBUTESCLASS"),
    col("REASON"),
    col("AGE"),
    wide("VOLUMEMODE"),
];

pub fn claim_columns(ctx: &PrintContext) -> &'static [Column] {
    if ctx.profile.volume_attributes_class_column {
        CLAIM_COLUMNS_WITH_ATTRIBUTES_CLASS
    } else {
        CLAIM_COLUMNS
    }
}

pub fn volume_columns(ctx: &PrintContext) -> &'static [Column] {
    if ctx.profile.volume_attributes_class_column {
        VOLUME_COLUMNS_WITH_ATTRIBUTES_CLASS
    } else {
        VOLUME_COLUMNS
    }
}

/// `GetAccessModesAsString`: RWO, ROX, RWX, RWOP in that order, each once.
pub fn access_modes(modes: Option<&Vec<String>>) -> String {
    let modes = modes.map(Vec::as_slice).unwrap_or_default();
    [
        ("ReadWriteOnce", "RWO"),
        ("ReadOnlyMany", "ROX"),
        ("ReadWriteMany", "RWX"),
        ("ReadWriteOncePod", "RWOP"),
    ]
    .iter()
    .filter(|(mode, _)| modes.iter().any(|m| m == mode))
    .map(|(_, short)| *short)
    .collect::<Vec<_>>()
    .join(",")
}

/// A quantity as `Quantity.String()` prints it (canonical form).
fn storage(map: Option<&BTreeMap<String, Quantity>>) -> String {
    map.and_then(|m| m.get("storage"))
        .map(|q| quantity::Quantity::of(q).to_string())
        .unwrap_or_else(|| "0".into())
}

/// STATUS is the phase, or Terminating; CAPACITY and ACCESS MODES only once bound.
pub fn print_claim(claim: &PersistentVolumeClaim, ctx: &PrintContext) -> Row {
    let spec = claim.spec.clone().unwrap_or_default();
    let status = claim.status.clone().unwrap_or_default();
    let phase = if claim.metadata.deletion_timestamp.is_some() {
        "Terminating".to_string()
    } else {
        status.phase.clone().unwrap_or_default()
    };
    let volume = spec.volume_name.clone().unwrap_or_default();
    let (capacity, modes) = if volume.is_empty() {
        (String::new(), String::new())
    } else {
        (storage(status.capacity.as_ref()), access_modes(status.access_modes.as_ref()))
    };
    let class = storage_class(&claim.metadata, spec.storage_class_name.as_ref());
    let mut cells = vec![phase, volume, capacity, modes, class];
    if ctx.profile.volume_attributes_class_column {
        cells.push(spec.volume_attributes_class_name.clone().unwrap_or_else(|| "<unset>".into()));
    }
    cells.push(ctx.age(claim.metadata.creation_timestamp.as_ref()));
    cells.push(spec.volume_mode.clone().unwrap_or_else(|| "<unset>".into()));
    row(&claim.metadata, cells)
}

/// CLAIM is `namespace/name` of the bound claim.
pub fn print_volume(pv: &PersistentVolume, ctx: &PrintContext) -> Row {
    let spec = pv.spec.clone().unwrap_or_default();
    let status = pv.status.clone().unwrap_or_default();
    let claim = spec
        .claim_ref
        .as_ref()
        .map(|c| format!("{}/{}", c.namespace.as_deref().unwrap_or(""), c.name.as_deref().unwrap_or("")))
        .unwrap_or_default();
    let phase = if pv.metadata.deletion_timestamp.is_some() {
        "Terminating".to_string()
    } else {
        status.phase.clone().unwrap_or_default()
    };
    let class = storage_class(&pv.metadata, spec.storage_class_name.as_ref());
    let mut cells = vec![
        storage(spec.capacity.as_ref()),
        access_modes(spec.access_modes.as_ref()),
        spec.persistent_volume_reclaim_policy.clone().unwrap_or_default(),
        phase,
        claim,
        class,
    ];
    if ctx.profile.volume_attributes_class_column {
        cells.push(spec.volume_attributes_class_name.clone().unwrap_or_else(|| "<unset>".into()));
    }
    cells.push(status.reason.clone().unwrap_or_default());
    cells.push(ctx.age(pv.metadata.creation_timestamp.as_ref()));
    cells.push(spec.volume_mode.clone().unwrap_or_else(|| "<unset>".into()));
    row(&pv.metadata, cells)
}

/// `GetPersistentVolumeClaimClass` / `GetPersistentVolumeClass`: the beta annotation
/// `volume.beta.kubernetes.io/storage-class` wins over `storageClassName`.
pub fn storage_class(
    meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
    field: Option<&String>,
) -> String {
    meta.annotations
        .as_ref()
        .and_then(|a| a.get("volume.beta.kubernetes.io/storage-class"))
        .or(field)
        .cloned()
        .unwrap_or_default()
}
