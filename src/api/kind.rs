//! The resource kinds the simulated apiserver serves, and how kubectl names them.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Pod,
    ReplicationController,
    Node,
    Namespace,
    Event,
    ReplicaSet,
    Deployment,
    DaemonSet,
    StatefulSet,
    ControllerRevision,
    Job,
    CronJob,
    Service,
    Endpoints,
    PersistentVolumeClaim,
    PersistentVolume,
    HorizontalPodAutoscaler,
    ConfigMap,
    Secret,
}

/// Static facts about a kind: API group, names kubectl accepts, scope.
#[derive(Debug)]
pub struct KindInfo {
    pub kind: Kind,
    /// `Kind` as the API spells it.
    pub name: &'static str,
    /// API group; empty for the core group.
    pub group: &'static str,
    /// Plural resource name (`pods`).
    pub plural: &'static str,
    /// Singular resource name (`pod`).
    pub singular: &'static str,
    pub short_names: &'static [&'static str],
    pub namespaced: bool,
    /// Member of the `all` category (`kubectl get all`).
    pub in_all: bool,
}

/// Registered kinds, in `kubectl get all` (discovery) order for the `all` members.
pub const KINDS: &[KindInfo] = &[
    KindInfo {
        kind: Kind::Pod,
        name: "Pod",
        group: "",
        plural: "pods",
        singular: "pod",
        short_names: &["po"],
        namespaced: true,
        in_all: true,
    },
    KindInfo {
        kind: Kind::ReplicationController,
        name: "ReplicationController",
        group: "",
        plural: "replicationcontrollers",
        singular: "replicationcontroller",
        short_names: &["rc"],
        namespaced: true,
        in_all: true,
    },
    KindInfo {
        kind: Kind::Service,
        name: "Service",
        group: "",
        plural: "services",
        singular: "service",
        short_names: &["svc"],
        namespaced: true,
        in_all: true,
    },
    KindInfo {
        kind: Kind::DaemonSet,
        name: "DaemonSet",
        group: "apps",
        plural: "daemonsets",
        singular: "daemonset",
        short_names: &["ds"],
        namespaced: true,
        in_all: true,
    },
    KindInfo {
        kind: Kind::Deployment,
        name: "Deployment",
        group: "apps",
        plural: "deployments",
        singular: "deployment",
        short_names: &["deploy"],
        namespaced: true,
        in_all: true,
    },
    KindInfo {
        kind: Kind::ReplicaSet,
        name: "ReplicaSet",
        group: "apps",
        plural: "replicasets",
        singular: "replicaset",
        short_names: &["rs"],
        namespaced: true,
        in_all: true,
    },
    KindInfo {
        kind: Kind::StatefulSet,
        name: "StatefulSet",
        group: "apps",
        plural: "statefulsets",
        singular: "statefulset",
        short_names: &["sts"],
        namespaced: true,
        in_all: true,
    },
    KindInfo {
        kind: Kind::HorizontalPodAutoscaler,
        name: "HorizontalPodAutoscaler",
        group: "autoscaling",
        plural: "horizontalpodautoscalers",
        singular: "horizontalpodautoscaler",
        short_names: &["hpa"],
        namespaced: true,
        in_all: true,
    },
    KindInfo {
        kind: Kind::CronJob,
        name: "CronJob",
        group: "batch",
        plural: "cronjobs",
        singular: "cronjob",
        short_names: &["cj"],
        namespaced: true,
        in_all: true,
    },
    KindInfo {
        kind: Kind::Job,
        name: "Job",
        group: "batch",
        plural: "jobs",
        singular: "job",
        short_names: &[],
        namespaced: true,
        in_all: true,
    },
    KindInfo {
        kind: Kind::Node,
        name: "Node",
        group: "",
        plural: "nodes",
        singular: "node",
        short_names: &["no"],
        namespaced: false,
        in_all: false,
    },
    KindInfo {
        kind: Kind::Namespace,
        name: "Namespace",
        group: "",
        plural: "namespaces",
        singular: "namespace",
        short_names: &["ns"],
        namespaced: false,
        in_all: false,
    },
    KindInfo {
        kind: Kind::Event,
        name: "Event",
        group: "",
        plural: "events",
        singular: "event",
        short_names: &["ev"],
        namespaced: true,
        in_all: false,
    },
    KindInfo {
        kind: Kind::ControllerRevision,
        name: "ControllerRevision",
        group: "apps",
        plural: "controllerrevisions",
        singular: "controllerrevision",
        short_names: &[],
        namespaced: true,
        in_all: false,
    },
    KindInfo {
        kind: Kind::Endpoints,
        name: "Endpoints",
        group: "",
        plural: "endpoints",
        singular: "endpoints",
        short_names: &["ep"],
        namespaced: true,
        in_all: false,
    },
    KindInfo {
        kind: Kind::PersistentVolumeClaim,
        name: "PersistentVolumeClaim",
        group: "",
        plural: "persistentvolumeclaims",
        singular: "persistentvolumeclaim",
        short_names: &["pvc"],
        namespaced: true,
        in_all: false,
    },
    KindInfo {
        kind: Kind::PersistentVolume,
        name: "PersistentVolume",
        group: "",
        plural: "persistentvolumes",
        singular: "persistentvolume",
        short_names: &["pv"],
        namespaced: false,
        in_all: false,
    },
    KindInfo {
        kind: Kind::ConfigMap,
        name: "ConfigMap",
        group: "",
        plural: "configmaps",
        singular: "configmap",
        short_names: &["cm"],
        namespaced: true,
        in_all: false,
    },
    KindInfo {
        kind: Kind::Secret,
        name: "Secret",
        group: "",
        plural: "secrets",
        singular: "secret",
        short_names: &[],
        namespaced: true,
        in_all: false,
    },
];

impl Kind {
    pub fn info(self) -> &'static KindInfo {
        KINDS.iter().find(|k| k.kind == self).expect("every kind is registered")
    }

    pub fn from_name(name: &str) -> Option<Kind> {
        KINDS.iter().find(|k| k.name == name).map(|k| k.kind)
    }

    /// Resolves what a user typed (`po`, `pods`, `replicasets.apps`, `ReplicaSet`).
    pub fn resolve(text: &str) -> Option<Kind> {
        let lower = text.to_ascii_lowercase();
        let (base, group) = match lower.split_once('.') {
            Some((b, g)) => (b.to_string(), Some(g.to_string())),
            None => (lower.clone(), None),
        };
        KINDS
            .iter()
            .find(|k| {
                let name_ok = k.plural == base
                    || k.singular == base
                    || k.name.eq_ignore_ascii_case(&base)
                    || k.short_names.contains(&base.as_str());
                let group_ok = match &group {
                    None => true,
                    Some(g) => *g == k.group || (k.group.is_empty() && g == "v1"),
                };
                name_ok && group_ok
            })
            .map(|k| k.kind)
    }

    /// `pod`, `replicaset.apps`: the name printer's prefix (`-o name`, success messages).
    /// kubectl's own messages name the group the object was read or written in:
    /// `kubectl::resources::name_ref` picks it per profile.
    pub fn qualified_singular(self) -> String {
        self.qualified_singular_in(self.info().group)
    }

    /// `deployment.extensions`: the singular name qualified by a given API group.
    pub fn qualified_singular_in(self, group: &str) -> String {
        let name = self.info().name.to_ascii_lowercase();
        if group.is_empty() { name } else { format!("{name}.{group}") }
    }

    /// `pods`, `replicasets.apps`: how API errors name the resource.
    pub fn qualified_plural(self) -> String {
        self.qualified_plural_in(self.info().group)
    }

    /// `deployments.extensions`: the plural name qualified by a given API group.
    pub fn qualified_plural_in(self, group: &str) -> String {
        let plural = self.info().plural;
        if group.is_empty() { plural.to_string() } else { format!("{plural}.{group}") }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.info().name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_user_names() {
        assert_eq!(Kind::resolve("po"), Some(Kind::Pod));
        assert_eq!(Kind::resolve("rc"), Some(Kind::ReplicationController));
        assert_eq!(Kind::resolve("replicasets.apps"), Some(Kind::ReplicaSet));
        assert_eq!(Kind::resolve("ReplicaSet"), Some(Kind::ReplicaSet));
        assert_eq!(Kind::resolve("frob"), None);
        assert_eq!(Kind::resolve("deploy"), Some(Kind::Deployment));
        assert_eq!(Kind::resolve("deployments.apps"), Some(Kind::Deployment));
        assert_eq!(Kind::Deployment.qualified_plural(), "deployments.apps");
        assert_eq!(Kind::ReplicaSet.qualified_singular(), "replicaset.apps");
        assert_eq!(Kind::Pod.qualified_plural(), "pods");
    }
}
