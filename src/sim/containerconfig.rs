//! The part of the kubelet's container config generation that can fail on missing
//! objects: `makeEnvironmentVariables` (`pkg/kubelet/kubelet_pods.go`) reading the
//! ConfigMaps and Secrets a container's `envFrom` and `env[].valueFrom` name. A missing
//! object or key that is not `optional` stops the container from being created
//! (`CreateContainerConfigError`, with this text as the message).

use k8s_openapi::api::core::v1::{ConfigMap, Secret};

use crate::api::Store;
use crate::api::stored_pod::StoredPod;

/// The error `makeEnvironmentVariables` returns for container `i` of `pod`, if any:
/// `envFrom` sources first, then `env` in order, the first failure wins.
pub fn env_error(pod: &StoredPod, i: usize, store: &Store) -> Option<String> {
    let ns = pod.metadata.namespace.as_deref().unwrap_or("");
    let container = pod.spec_sans_per_pod_parts()?.containers.get(i)?;
    let key = |name: &str| (ns.to_string(), name.to_string());
    for source in container.env_from.iter().flatten() {
        if let Some(r) = &source.config_map_ref
            && store.get_by_key::<ConfigMap>(&key(&r.name)).is_none()
            && r.optional != Some(true)
        {
            return Some(format!("configmap \"{}\" not found", r.name));
        }
        if let Some(r) = &source.secret_ref
            && store.get_by_key::<Secret>(&key(&r.name)).is_none()
            && r.optional != Some(true)
        {
            return Some(format!("secret \"{}\" not found", r.name));
        }
    }
    for var in container.env.iter().flatten() {
        let Some(from) = &var.value_from else { continue };
        if let Some(r) = &from.config_map_key_ref {
            let optional = r.optional == Some(true);
            match store.get_by_key::<ConfigMap>(&key(&r.name)) {
                None if optional => {}
                None => return Some(format!("configmap \"{}\" not found", r.name)),
                Some(cm) => {
                    if !optional && !cm.data.as_ref().is_some_and(|d| d.contains_key(&r.key)) {
                        return Some(format!("couldn't find key {} in ConfigMap {ns}/{}", r.key, r.name));
                    }
                }
            }
        }
        if let Some(r) = &from.secret_key_ref {
            let optional = r.optional == Some(true);
            match store.get_by_key::<Secret>(&key(&r.name)) {
                None if optional => {}
                None => return Some(format!("secret \"{}\" not found", r.name)),
                Some(secret) => {
                    if !optional && !secret.data.as_ref().is_some_and(|d| d.contains_key(&r.key)) {
                        return Some(format!("couldn't find key {} in Secret {ns}/{}", r.key, r.name));
                    }
                }
            }
        }
    }
    None
}
