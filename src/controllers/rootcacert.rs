//! The root CA certificate publisher
//! (`pkg/controller/certificates/rootcacertpublisher/publisher.go`): every namespace
//! holds a `kube-root-ca.crt` ConfigMap with the cluster's CA bundle (the service
//! account volume projects it), created when the namespace appears and again whenever
//! it is deleted or its data (or, 1.22+, its description) changed.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::api::store::{Change, ChangeOp};
use crate::api::{Kind, Store};
use crate::constants;
use crate::sim::queue::WorkQueue;

#[derive(Default)]
pub struct RootCaCertPublisher {
    /// Namespaces to look at.
    queue: WorkQueue<String>,
    /// Whether the namespaces that existed before the first run were queued.
    started: bool,
}

impl RootCaCertPublisher {
    pub fn observe(&mut self, change: &Change) {
        let ours = change.kind == Kind::ConfigMap && change.key.1 == constants::ROOT_CA_CONFIG_MAP;
        if (change.kind == Kind::Namespace && change.op == ChangeOp::Added) || ours {
            let ns = if change.kind == Kind::Namespace { &change.key.1 } else { &change.key.0 };
            self.queue.add(ns.clone());
        }
    }

    pub fn run(&mut self, store: &mut Store) -> usize {
        if !store.profile.root_ca_config_map {
            self.queue.drain();
            return 0;
        }
        if !self.started {
            self.started = true;
            let names: Vec<String> =
                store.list::<Namespace>(None).filter_map(|n| n.metadata.name.clone()).collect();
            for name in names {
                self.queue.add(name);
            }
        }
        let mut writes = 0;
        for ns in self.queue.drain() {
            writes += sync(&ns, store);
        }
        writes
    }
}

/// Creates the ConfigMap if missing, restores its data if changed; returns the writes.
fn sync(namespace: &str, store: &mut Store) -> usize {
    let Some(ns) = store.get_by_key::<Namespace>(&(String::new(), namespace.to_string())) else { return 0 };
    if ns.metadata.deletion_timestamp.is_some() {
        return 0;
    }
    let data = BTreeMap::from([(constants::ROOT_CA_KEY.to_string(), constants::ROOT_CA_PEM.to_string())]);
    let described = store.profile.root_ca_description;
    let key = (namespace.to_string(), constants::ROOT_CA_CONFIG_MAP.to_string());
    // The publisher only asks that a description be present, whatever it says.
    let has_description = |cm: &ConfigMap| {
        !described
            || cm
                .metadata
                .annotations
                .as_ref()
                .is_some_and(|a| a.contains_key(constants::ROOT_CA_DESCRIPTION_KEY))
    };
    match store.get_by_key::<ConfigMap>(&key) {
        Some(cm) if cm.data.as_ref() == Some(&data) && has_description(cm) => 0,
        Some(cm) => {
            let mut cm = cm.clone();
            cm.data = Some(data);
            if described {
                cm.metadata.annotations.get_or_insert_with(Default::default).insert(
                    constants::ROOT_CA_DESCRIPTION_KEY.to_string(),
                    constants::ROOT_CA_DESCRIPTION.to_string(),
                );
            }
            usize::from(store.update(cm).is_ok())
        }
        None => {
            let annotations = described.then(|| {
                BTreeMap::from([(
                    constants::ROOT_CA_DESCRIPTION_KEY.to_string(),
                    constants::ROOT_CA_DESCRIPTION.to_string(),
                )])
            });
            let cm = ConfigMap {
                metadata: ObjectMeta {
                    name: Some(key.1.clone()),
                    namespace: Some(key.0.clone()),
                    annotations,
                    ..Default::default()
                },
                data: Some(data),
                ..Default::default()
            };
            usize::from(store.create(cm).is_ok())
        }
    }
}
