//! Server-side table printing (`pkg/printers/internalversion/printers.go`): each kind's
//! columns as data and one function computing a row's cells. The client-side layout
//! (NAMESPACE, `-L`, LABELS, kind prefixes, tabwriter) lives in [`super::get`].

pub mod configmap;
pub mod controllerrevision;
pub mod cronjob;
pub mod daemonset;
pub mod deployment;
pub mod event;
pub mod hpa;
pub mod job;
pub mod namespace;
pub mod node;
pub mod pod;
pub mod replicaset;
pub mod service;
pub mod statefulset;
pub mod storage;

use std::collections::BTreeMap;

use jiff::Timestamp;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta, Time};

use crate::kubectl::humanize::translate_timestamp_since;
use crate::profile::Profile;

/// A column definition: header name and priority (1 = only with `-o wide`).
#[derive(Clone, Copy, Debug)]
pub struct Column {
    pub name: &'static str,
    pub wide_only: bool,
}

pub const fn col(name: &'static str) -> Column {
    Column { name, wide_only: false }
}

pub const fn wide(name: &'static str) -> Column {
    Column { name, wide_only: true }
}

/// One object's row with what client-side decoration needs.
#[derive(Clone, Debug)]
pub struct Row {
    pub name: String,
    pub namespace: String,
    pub labels: BTreeMap<String, String>,
    /// Cells after NAME, in column order (wide cells included).
    pub cells: Vec<String>,
}

/// What row functions need to know besides the object.
pub struct PrintContext<'a> {
    pub profile: &'a Profile,
    pub now: Timestamp,
}

impl PrintContext<'_> {
    /// `translateTimestampSince`: age of a second-precision timestamp, `<unknown>` unset.
    pub fn age(&self, t: Option<&Time>) -> String {
        translate_timestamp_since(self.now, t.map(|t| t.0))
    }
}

pub fn row(meta: &ObjectMeta, cells: Vec<String>) -> Row {
    Row {
        name: meta.name.clone().unwrap_or_default(),
        namespace: meta.namespace.clone().unwrap_or_default(),
        labels: meta.labels.clone().unwrap_or_default(),
        cells,
    }
}

/// A wide SELECTOR cell: `metav1.LabelSelectorAsSelector(…).String()`, `<invalid>`
/// for a selector that does not convert.
pub fn selector_cell(selector: &LabelSelector) -> String {
    crate::api::selector::Selector::from_label_selector(selector)
        .map_or_else(|_| "<invalid>".into(), |s| s.render())
}

/// `<none>` for an empty string, as most cells print missing values.
pub fn or_none(s: &str) -> String {
    if s.is_empty() { "<none>".into() } else { s.into() }
}
