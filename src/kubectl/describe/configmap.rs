//! `kubectl describe configmap` (`ConfigMapDescriber`) and `kubectl describe secret`
//! (`describeSecret`). kubectl ranges over Go maps, so several keys come out in a
//! random order there; kubesim prints them sorted.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{ConfigMap, Secret};

use super::DescribeEnv;
use super::events::describe_events;
use super::writer::{Writer, annotations, labels};

/// Each `data` value under `key:` and a `----` rule, then (1.22+) the `BinaryData`
/// sizes, then the events.
pub fn describe_config_map(cm: &ConfigMap, env: &DescribeEnv) -> String {
    let style = env.style();
    let mut w = Writer::new(&style);
    w.field(0, "Name", cm.metadata.name.as_deref().unwrap_or(""));
    w.field(0, "Namespace", cm.metadata.namespace.as_deref().unwrap_or(""));
    labels(&mut w, "Labels", cm.metadata.labels.as_ref());
    annotations(&mut w, "Annotations", cm.metadata.annotations.as_ref());
    w.line(0, "");
    w.line(0, "Data");
    w.line(0, "====");
    for (key, value) in cm.data.iter().flatten() {
        w.line(0, &format!("{key}:"));
        w.line(0, "----");
        w.line(0, value);
        if style.config_map_value_blank_line {
            w.line(0, "");
        }
    }
    if style.config_map_binary_data {
        w.line(0, "");
        w.line(0, "BinaryData");
        w.line(0, "====");
        for (key, value) in cm.binary_data.iter().flatten() {
            w.line(0, &format!("{key}: {} bytes", value.0.len()));
        }
        w.line(0, "");
    }
    describe_events(&mut w, env, &env.events);
    w.finish()
}

/// The type, then each key with its size (a service account token's `token` in
/// clear); no events.
pub fn describe_secret(secret: &Secret, env: &DescribeEnv) -> String {
    let style = env.style();
    let mut w = Writer::new(&style);
    w.field(0, "Name", secret.metadata.name.as_deref().unwrap_or(""));
    w.field(0, "Namespace", secret.metadata.namespace.as_deref().unwrap_or(""));
    labels(&mut w, "Labels", secret.metadata.labels.as_ref());
    // The Secret describer always leaves the last-applied configuration out.
    let shown: Option<BTreeMap<String, String>> = secret.metadata.annotations.as_ref().map(|a| {
        a.iter()
            .filter(|(k, _)| k.as_str() != crate::kubectl::cmd::create::LAST_APPLIED)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    });
    annotations(&mut w, "Annotations", shown.as_ref());
    let type_ = secret.type_.as_deref().unwrap_or("");
    w.line(0, "");
    w.field(0, "Type", type_);
    w.line(0, "");
    w.line(0, "Data");
    w.line(0, "====");
    for (key, value) in secret.data.iter().flatten() {
        if key == "token" && type_ == "kubernetes.io/service-account-token" {
            w.field(0, key, String::from_utf8_lossy(&value.0));
        } else {
            w.field(0, key, format!("{} bytes", value.0.len()));
        }
    }
    w.finish()
}
