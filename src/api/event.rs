//! Events (core/v1 `Event`), kept compactly because a large simulation records millions.
//!
//! Recording follows client-go's event correlator: an event identical to an earlier one
//! (same object, type, reason, message and source) within its window increments `count`
//! and moves `last` instead of adding a row, which is what `describe` shows as
//! `10s (x9 over 5m5s)`.

use std::sync::Arc;

use crate::time::{Millis, WallClock};

/// The object an event is about.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct InvolvedObject {
    /// Kind as the API spells it: `Pod`, `ReplicaSet`, `Node`.
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub uid: String,
    /// e.g. `spec.containers{kubia}` for kubelet container events.
    pub field_path: Option<String>,
    pub api_version: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EventType {
    Normal,
    Warning,
}

impl EventType {
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Normal => "Normal",
            EventType::Warning => "Warning",
        }
    }
}

/// One recorded event. A large run records a million of these, so the parts that repeat
/// are shared rather than owned: the involved object is one `Arc` per distinct
/// (object, field path) and reason/host are interned by the store; the name is derived.
#[derive(Clone, Debug)]
pub struct EventRecord {
    /// The hex part of `metadata.name` (see [`EventRecord::name`]).
    pub name_suffix: u64,
    pub involved: Arc<InvolvedObject>,
    pub type_: EventType,
    pub reason: Arc<str>,
    /// Shared with every other event of the same text (most kubelet events repeat across
    /// pods: `Started container web`).
    pub message: Arc<str>,
    /// `source.component`: `kubelet`, `default-scheduler`, `replicaset-controller`, …
    pub component: &'static str,
    /// `source.host` (kubelet events carry the node name).
    pub host: Option<Arc<str>>,
    /// Virtual time of the first and the latest occurrence.
    pub first: Millis,
    pub last: Millis,
    pub count: u32,
}

impl EventRecord {
    /// The core/v1 `Event` as the API returns it (what `--sort-by` and
    /// `--field-selector` read). `events_api`: the reporter writes through events.k8s.io
    /// (the scheduler and kube-proxy of newer clusters), so the event has an `eventTime`
    /// and an `action` but no timestamps, count or source; classic reporters set those.
    pub fn to_value(&self, clock: &WallClock, events_api: bool) -> serde_json::Value {
        let time = |ms: Millis| serde_json::to_value(clock.time(ms)).unwrap_or_default();
        let o = &self.involved;
        let mut involved = serde_json::json!({
            "apiVersion": o.api_version, "kind": o.kind, "name": o.name, "namespace": o.namespace, "uid": o.uid,
        });
        if let Some(path) = &o.field_path {
            involved["fieldPath"] = path.clone().into();
        }
        let mut event = serde_json::json!({
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {"name": self.name(), "namespace": o.namespace, "creationTimestamp": time(self.first)},
            "involvedObject": involved,
            "reason": &*self.reason,
            "message": &*self.message,
            "type": self.type_.as_str(),
            "reportingComponent": self.component,
        });
        if events_api {
            let micro = clock.at(self.first).strftime("%Y-%m-%dT%H:%M:%S.%6fZ").to_string();
            event["eventTime"] = micro.into();
            event["firstTimestamp"] = serde_json::Value::Null;
            event["lastTimestamp"] = serde_json::Value::Null;
            event["source"] = serde_json::json!({});
        } else {
            let mut source = serde_json::json!({"component": self.component});
            if let Some(host) = &self.host {
                source["host"] = host.to_string().into();
            }
            event["count"] = self.count.into();
            event["eventTime"] = serde_json::Value::Null;
            event["firstTimestamp"] = time(self.first);
            event["lastTimestamp"] = time(self.last);
            event["reportingInstance"] = self.host.as_deref().unwrap_or("").into();
            event["source"] = source;
        }
        event
    }

    /// `metadata.name`: `<object name>.<hex>` as client-go generates.
    pub fn name(&self) -> String {
        format!("{}.{:x}", self.involved.name, self.name_suffix)
    }
}
