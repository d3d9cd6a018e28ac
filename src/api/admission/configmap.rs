//! Admission (defaults and validation) for ConfigMaps and Secrets: `ValidateConfigMap`,
//! `ValidateSecret` and their update rules (`pkg/apis/core/validation/validation.go`),
//! `SetDefaults_Secret` (`pkg/apis/core/v1/defaults.go`), and the v1 → internal Secret
//! conversion that merges `stringData` into `data` (`pkg/apis/core/v1/conversion.go`).

use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::{ConfigMap, Secret};

use super::Admit;
use crate::api::store::Store;

/// `validation.IsConfigMapKey`'s pattern error (`RegexError` with its three examples;
/// the doubled spaces are Kubernetes' own).
const CONFIG_KEY_MSG: &str = "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

/// `validation.IsConfigMapKey`: the messages for a key that is not a valid ConfigMap or
/// Secret key (empty when it is). Kubectl's `create configmap|secret` checks the same.
pub fn config_key_errors(key: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if key.len() > 253 {
        errs.push("must be no more than 253 characters".to_string());
    }
    if key.is_empty() || !key.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')) {
        errs.push(CONFIG_KEY_MSG.to_string());
    }
    // `hasChDirPrefix`.
    if key == "." {
        errs.push("must not be '.'".to_string());
    } else if key == ".." {
        errs.push("must not be '..'".to_string());
    } else if key.starts_with("..") {
        errs.push("must not start with '..'".to_string());
    }
    errs
}

/// `field.Invalid(data[key], key, msg)` for each bad key of a `data`-like map.
fn key_causes<'a>(field: &str, keys: impl Iterator<Item = &'a String>, causes: &mut Vec<String>) {
    for key in keys {
        for msg in config_key_errors(key) {
            causes.push(format!("{field}[{key}]: Invalid value: {}: {msg}", crate::gofmt::quote(key)));
        }
    }
}

impl Admit for ConfigMap {
    fn set_defaults(&mut self, _store: &mut Store) {}

    fn validate(&self) -> Vec<String> {
        let mut causes = Vec::new();
        key_causes("data", self.data.iter().flat_map(|d| d.keys()), &mut causes);
        key_causes("binaryData", self.binary_data.iter().flat_map(|d| d.keys()), &mut causes);
        if let (Some(data), Some(binary)) = (&self.data, &self.binary_data) {
            for key in binary.keys().filter(|k| data.contains_key(*k)) {
                causes.push(format!(
                    "data[{key}]: Invalid value: {}: duplicate of key present in binaryData",
                    crate::gofmt::quote(key)
                ));
            }
        }
        causes
    }

    /// `ValidateConfigMapUpdate`: an immutable ConfigMap keeps its data and stays immutable.
    fn validate_update(&self, old: &Self, _store: &Store) -> Vec<String> {
        let mut causes = Vec::new();
        if old.immutable == Some(true) {
            if self.immutable != Some(true) {
                causes.push("immutable: Forbidden: field is immutable when `immutable` is set".into());
            }
            if self.data != old.data {
                causes.push("data: Forbidden: field is immutable when `immutable` is set".into());
            }
            if self.binary_data != old.binary_data {
                causes.push("binaryData: Forbidden: field is immutable when `immutable` is set".into());
            }
        }
        causes
    }
}

impl Admit for Secret {
    fn set_defaults(&mut self, _store: &mut Store) {
        // Conversion to the internal type: `stringData` entries overwrite `data` ones and
        // the field itself is never stored.
        if let Some(strings) = self.string_data.take() {
            let data = self.data.get_or_insert_with(Default::default);
            for (key, value) in strings {
                data.insert(key, ByteString(value.into_bytes()));
            }
        }
        if self.type_.as_deref().unwrap_or("").is_empty() {
            self.type_ = Some("Opaque".into());
        }
    }

    fn validate(&self) -> Vec<String> {
        let mut causes = Vec::new();
        key_causes("data", self.data.iter().flat_map(|d| d.keys()), &mut causes);
        let has = |key: &str| self.data.as_ref().is_some_and(|d| d.contains_key(key));
        match self.type_.as_deref().unwrap_or("") {
            "kubernetes.io/service-account-token" => {
                let named = self
                    .metadata
                    .annotations
                    .as_ref()
                    .and_then(|a| a.get("kubernetes.io/service-account.name"))
                    .is_some_and(|v| !v.is_empty());
                if !named {
                    causes.push(
                        "metadata.annotations[kubernetes.io/service-account.name]: Required value".into(),
                    );
                }
            }
            "kubernetes.io/dockercfg" if !has(".dockercfg") => {
                causes.push("data[.dockercfg]: Required value".into());
            }
            "kubernetes.io/dockerconfigjson" if !has(".dockerconfigjson") => {
                causes.push("data[.dockerconfigjson]: Required value".into());
            }
            "kubernetes.io/basic-auth" if !has("username") && !has("password") => {
                causes.push("data[username]: Required value".into());
                causes.push("data[password]: Required value".into());
            }
            "kubernetes.io/ssh-auth"
                if self
                    .data
                    .as_ref()
                    .and_then(|d| d.get("ssh-privatekey"))
                    .is_none_or(|v| v.0.is_empty()) =>
            {
                causes.push("data[ssh-privatekey]: Required value".into());
            }
            "kubernetes.io/tls" => {
                for key in ["tls.crt", "tls.key"] {
                    if !has(key) {
                        causes.push(format!("data[{key}]: Required value"));
                    }
                }
            }
            _ => {}
        }
        causes
    }

    /// `ValidateSecretUpdate`: the type never changes; an immutable Secret keeps its data.
    fn validate_update(&self, old: &Self, _store: &Store) -> Vec<String> {
        let mut causes = Vec::new();
        if self.type_ != old.type_ {
            let ty = self.type_.as_deref().unwrap_or("");
            causes.push(format!("type: Invalid value: {}: field is immutable", crate::gofmt::quote(ty)));
        }
        if old.immutable == Some(true) {
            if self.immutable != Some(true) {
                causes.push("immutable: Forbidden: field is immutable when `immutable` is set".into());
            }
            if self.data != old.data {
                causes.push("data: Forbidden: field is immutable when `immutable` is set".into());
            }
        }
        causes
    }
}
