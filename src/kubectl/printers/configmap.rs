//! `kubectl get configmaps` (`printConfigMap`: NAME DATA AGE, DATA counting `data` and
//! `binaryData` keys) and `kubectl get secrets` (`printSecret`: NAME TYPE DATA AGE).

use k8s_openapi::api::core::v1::{ConfigMap, Secret};

use super::{Column, PrintContext, Row, col, row};

pub const CONFIG_MAP_COLUMNS: &[Column] = &[col("NAME"), col("DATA"), col("AGE")];

pub const SECRET_COLUMNS: &[Column] = &[col("NAME"), col("TYPE"), col("DATA"), col("AGE")];

pub fn print_config_map(cm: &ConfigMap, ctx: &PrintContext) -> Row {
    let count = cm.data.as_ref().map_or(0, |d| d.len()) + cm.binary_data.as_ref().map_or(0, |d| d.len());
    row(&cm.metadata, vec![count.to_string(), ctx.age(cm.metadata.creation_timestamp.as_ref())])
}

pub fn print_secret(secret: &Secret, ctx: &PrintContext) -> Row {
    let count = secret.data.as_ref().map_or(0, |d| d.len());
    row(
        &secret.metadata,
        vec![
            secret.type_.clone().unwrap_or_default(),
            count.to_string(),
            ctx.age(secret.metadata.creation_timestamp.as_ref()),
        ],
    )
}
