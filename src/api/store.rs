//! The object store: the simulated apiserver's storage and its write path.
//!
//! Objects are kept per kind in ordered maps keyed by (namespace, name), the etcd key
//! order that lists come back in. Writes stamp metadata (uid, resourceVersion,
//! generation, timestamps), keep the indexes controllers use instead of scanning (owner
//! → dependents, node → pods), and append to a change log that the simulation hands to
//! controllers, like watch events reach informers.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Deref;
use std::sync::Arc;

use k8s_openapi::api::apps::v1::{ControllerRevision, DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{
    ConfigMap, Endpoints, Namespace, Node, PersistentVolume, PersistentVolumeClaim, Pod,
    ReplicationController, Secret, Service,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use k8s_openapi::{Metadata, Resource};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::error::ApiError;
use super::event::{EventRecord, EventType, InvolvedObject};
use super::kind::Kind;
use super::stored_pod::{SpecBases, StoredPod};
use super::table::Table;
use crate::constants;
use crate::hash::{HashMap, HashSet};
use crate::profile::Profile;
use crate::rng::Rng;
use crate::time::{Millis, WallClock};

/// (namespace, name); the namespace is empty for cluster-scoped kinds.
pub type ObjKey = (String, String);

/// A stored API type.
pub trait Object:
    Clone + Serialize + DeserializeOwned + Resource + Metadata<Ty = ObjectMeta> + 'static
{
    const STORED_KIND: Kind;
    /// How the store keeps objects of this kind: the object itself for every kind but
    /// pods, which are kept compact ([`StoredPod`]).
    type Stored: Stored;
    /// What reading a stored object gives: `&T` for every kind but pods, which are
    /// materialised from their stored form (`Cow::Owned`).
    type Ref<'a>: Deref<Target = Self>;
    fn table(store: &Store) -> &Table<Self::Stored>;
    fn table_mut(store: &mut Store) -> &mut Table<Self::Stored>;
    /// The API view of a stored object.
    fn read(stored: &Self::Stored) -> Self::Ref<'_>;
    /// The stored form of an object being created (`controller`: its controller's uid).
    fn compact_new(obj: Self, bases: &mut SpecBases, controller: Option<&str>) -> Self::Stored;
    /// The stored form of an object replacing `old`.
    fn compact_replacing(obj: Self, old: &Self::Stored) -> Self::Stored;
}

/// What the store needs of a stored form: the metadata its indexes are built from.
pub trait Stored: Clone + 'static {
    fn meta(&self) -> &ObjectMeta;
    fn meta_mut(&mut self) -> &mut ObjectMeta;
    /// The node a pod is bound to; `None` for every other kind.
    fn bound_node(&self) -> Option<&str> {
        None
    }
}

macro_rules! stored {
    ($ty:ty, $kind:ident, $field:ident) => {
        impl Object for $ty {
            const STORED_KIND: Kind = Kind::$kind;
            type Stored = $ty;
            type Ref<'a> = &'a $ty;
            fn table(store: &Store) -> &Table<Self> {
                &store.$field
            }
            fn table_mut(store: &mut Store) -> &mut Table<Self> {
                &mut store.$field
            }
            fn read(stored: &Self) -> &Self {
                stored
            }
            fn compact_new(obj: Self, _: &mut SpecBases, _: Option<&str>) -> Self {
                obj
            }
            fn compact_replacing(obj: Self, _: &Self) -> Self {
                obj
            }
        }
        impl Stored for $ty {
            fn meta(&self) -> &ObjectMeta {
                &self.metadata
            }
            fn meta_mut(&mut self) -> &mut ObjectMeta {
                &mut self.metadata
            }
        }
    };
}

impl Object for Pod {
    const STORED_KIND: Kind = Kind::Pod;
    type Stored = StoredPod;
    type Ref<'a> = Cow<'a, Pod>;
    fn table(store: &Store) -> &Table<StoredPod> {
        &store.pods
    }
    fn table_mut(store: &mut Store) -> &mut Table<StoredPod> {
        &mut store.pods
    }
    fn read(stored: &StoredPod) -> Cow<'_, Pod> {
        Cow::Owned(stored.materialise())
    }
    fn compact_new(obj: Self, bases: &mut SpecBases, controller: Option<&str>) -> StoredPod {
        bases.compact_new(obj, controller)
    }
    fn compact_replacing(obj: Self, old: &StoredPod) -> StoredPod {
        SpecBases::compact_replacing(obj, old)
    }
}

impl Stored for StoredPod {
    fn meta(&self) -> &ObjectMeta {
        &self.metadata
    }
    fn meta_mut(&mut self) -> &mut ObjectMeta {
        &mut self.metadata
    }
    fn bound_node(&self) -> Option<&str> {
        StoredPod::bound_node(self)
    }
}
stored!(Node, Node, nodes);
stored!(Namespace, Namespace, namespaces);
stored!(ReplicaSet, ReplicaSet, replicasets);
stored!(Deployment, Deployment, deployments);
stored!(ReplicationController, ReplicationController, replicationcontrollers);
stored!(DaemonSet, DaemonSet, daemonsets);
stored!(StatefulSet, StatefulSet, statefulsets);
stored!(ControllerRevision, ControllerRevision, controllerrevisions);
stored!(Job, Job, jobs);
stored!(CronJob, CronJob, cronjobs);
stored!(Service, Service, services);
stored!(Endpoints, Endpoints, endpoints);
stored!(PersistentVolumeClaim, PersistentVolumeClaim, persistentvolumeclaims);
stored!(PersistentVolume, PersistentVolume, persistentvolumes);
stored!(HorizontalPodAutoscaler, HorizontalPodAutoscaler, horizontalpodautoscalers);
stored!(ConfigMap, ConfigMap, configmaps);
stored!(Secret, Secret, secrets);

/// Runs `$body` with `$T` bound to the Rust type of a stored `Kind` (not `Event`).
#[macro_export]
macro_rules! with_kind {
    ($kind:expr, $T:ident => $body:expr, else $other:expr) => {
        match $kind {
            $crate::api::Kind::Pod => {
                type $T = k8s_openapi::api::core::v1::Pod;
                $body
            }
            $crate::api::Kind::Node => {
                type $T = k8s_openapi::api::core::v1::Node;
                $body
            }
            $crate::api::Kind::Namespace => {
                type $T = k8s_openapi::api::core::v1::Namespace;
                $body
            }
            $crate::api::Kind::ReplicaSet => {
                type $T = k8s_openapi::api::apps::v1::ReplicaSet;
                $body
            }
            $crate::api::Kind::ReplicationController => {
                type $T = k8s_openapi::api::core::v1::ReplicationController;
                $body
            }
            $crate::api::Kind::Deployment => {
                type $T = k8s_openapi::api::apps::v1::Deployment;
                $body
            }
            $crate::api::Kind::DaemonSet => {
                type $T = k8s_openapi::api::apps::v1::DaemonSet;
                $body
            }
            $crate::api::Kind::StatefulSet => {
                type $T = k8s_openapi::api::apps::v1::StatefulSet;
                $body
            }
            $crate::api::Kind::ControllerRevision => {
                type $T = k8s_openapi::api::apps::v1::ControllerRevision;
                $body
            }
            $crate::api::Kind::Job => {
                type $T = k8s_openapi::api::batch::v1::Job;
                $body
            }
            $crate::api::Kind::CronJob => {
                type $T = k8s_openapi::api::batch::v1::CronJob;
                $body
            }
            $crate::api::Kind::Service => {
                type $T = k8s_openapi::api::core::v1::Service;
                $body
            }
            $crate::api::Kind::Endpoints => {
                type $T = k8s_openapi::api::core::v1::Endpoints;
                $body
            }
            $crate::api::Kind::PersistentVolumeClaim => {
                type $T = k8s_openapi::api::core::v1::PersistentVolumeClaim;
                $body
            }
            $crate::api::Kind::PersistentVolume => {
                type $T = k8s_openapi::api::core::v1::PersistentVolume;
                $body
            }
            $crate::api::Kind::HorizontalPodAutoscaler => {
                type $T = k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
                $body
            }
            $crate::api::Kind::ConfigMap => {
                type $T = k8s_openapi::api::core::v1::ConfigMap;
                $body
            }
            $crate::api::Kind::Secret => {
                type $T = k8s_openapi::api::core::v1::Secret;
                $body
            }
            #[allow(unreachable_patterns)]
            _ => $other,
        }
    };
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeOp {
    Added,
    Modified,
    Deleted,
}

/// One entry of the change log: what a watch would deliver, reduced to what handlers use.
#[derive(Clone, Debug)]
pub struct Change {
    pub kind: Kind,
    pub key: ObjKey,
    /// The object's slot in its kind's table (for deletions, the slot it had), so that
    /// controllers keeping facts by slot know which to forget.
    pub slot: usize,
    /// Position in the store's history of changes (0, 1, 2, …).
    pub seq: u64,
    pub op: ChangeOp,
    /// The object's uid (for deletions, the uid it had).
    pub uid: String,
    /// The controller owner's uid before and after the change.
    pub old_controller: Option<String>,
    pub new_controller: Option<String>,
}

/// How a deletion treats dependents (`metav1.DeletionPropagation`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Propagation {
    Background,
    Foreground,
    Orphan,
}

#[derive(Clone, Copy, Debug, Default)]
pub struct DeleteOptions {
    pub grace_seconds: Option<i64>,
    pub propagation: Option<Propagation>,
}

pub const FINALIZER_ORPHAN: &str = "orphan";
pub const FINALIZER_FOREGROUND: &str = "foregroundDeletion";

/// A client watching one object (`kubectl rollout status`, `kubectl get -w`): every write
/// of it, as the object a watch event would carry.
struct Watch {
    kind: Kind,
    key: ObjKey,
    events: Vec<(ChangeOp, serde_json::Value)>,
}

/// The token bucket of client-go's spam filter for one (object, source) pair.
struct SpamBucket {
    component: &'static str,
    host: Option<Arc<str>>,
    tokens: f64,
    last: Millis,
}

/// An event's message as a recorder hands it over.
pub enum EventMessage {
    /// A text that may repeat across objects: interned, so that equal texts share one
    /// copy among the million events of a large run.
    Text(String),
    /// A text kept as given: one the recorder already shares (the kubelet's
    /// `Started container web`), or one that never repeats (the scheduler's
    /// `Successfully assigned ns/name to node`), which interning would only grow the
    /// intern table with.
    Shared(Arc<str>),
}

impl From<String> for EventMessage {
    fn from(text: String) -> Self {
        EventMessage::Text(text)
    }
}

impl From<&str> for EventMessage {
    fn from(text: &str) -> Self {
        EventMessage::Text(text.to_string())
    }
}

impl From<Arc<str>> for EventMessage {
    fn from(shared: Arc<str>) -> Self {
        EventMessage::Shared(shared)
    }
}

/// The object an event is about, as a recorder hands it over.
enum Involved {
    Owned(InvolvedObject),
    Shared(Arc<InvolvedObject>),
}

impl Involved {
    fn uid(&self) -> &str {
        match self {
            Involved::Owned(o) => &o.uid,
            Involved::Shared(o) => &o.uid,
        }
    }
}

/// What the event recorder keeps per involved object: its uid, its events in recording
/// order, and the spam filter's buckets of the sources reporting on it. One entry per
/// object, so recording an event finds the uid once.
#[derive(Default)]
struct ObjectEvents {
    uid: Box<str>,
    events: Vec<usize>,
    spam: Vec<SpamBucket>,
}

pub struct Store {
    pub profile: Profile,
    pub clock: WallClock,
    pub now: Millis,
    /// The simulation's one seeded RNG: name suffixes and scheduler tie breaks.
    pub rng: Rng,
    pods: Table<StoredPod>,
    /// The pod spec bases shared by the pods of one controller (see [`StoredPod`]).
    spec_bases: SpecBases,
    nodes: Table<Node>,
    namespaces: Table<Namespace>,
    replicasets: Table<ReplicaSet>,
    replicationcontrollers: Table<ReplicationController>,
    deployments: Table<Deployment>,
    daemonsets: Table<DaemonSet>,
    statefulsets: Table<StatefulSet>,
    controllerrevisions: Table<ControllerRevision>,
    jobs: Table<Job>,
    cronjobs: Table<CronJob>,
    services: Table<Service>,
    endpoints: Table<Endpoints>,
    persistentvolumeclaims: Table<PersistentVolumeClaim>,
    persistentvolumes: Table<PersistentVolume>,
    horizontalpodautoscalers: Table<HorizontalPodAutoscaler>,
    configmaps: Table<ConfigMap>,
    secrets: Table<Secret>,
    resource_version: u64,
    uid_counter: u64,
    /// A uid handed out before its object is created (a Job's selector names its own
    /// uid, generated in the strategy's PrepareForCreate); the next create takes it.
    reserved_uid: Option<String>,
    by_uid: HashMap<String, (Kind, ObjKey)>,
    /// Owner uid → its dependents as (kind, slot in that kind's table).
    dependents: HashMap<String, BTreeSet<(Kind, usize)>>,
    /// Controller uid → slots of the pods it controls (`controller: true` owner reference).
    controlled_pods: HashMap<String, BTreeSet<usize>>,
    /// Node name → slots of the pods bound to it.
    pods_by_node: HashMap<String, BTreeSet<usize>>,
    changes: Vec<Change>,
    /// An empty buffer for the next change log (see [`Store::recycle_changes`]).
    spare_changes: Vec<Change>,
    /// How many changes were ever logged (the next change's `seq`).
    change_seq: u64,
    events: Vec<EventRecord>,
    /// The recorder's state per involved object, in order of its first event, and the
    /// slot of each object's (by uid).
    event_objects: Vec<ObjectEvents>,
    event_object_slots: HashMap<String, usize>,
    /// The slot last recorded to (see [`Store::event_object_slot`]).
    last_event_object: Option<usize>,
    /// Event reasons, messages and hosts, interned: most events repeat the text of others.
    event_strings: HashSet<Arc<str>>,
    token_secrets: BTreeMap<String, String>,
    watch: Option<Watch>,
    /// The service CIDR ClusterIPs come from: (network address, prefix length).
    pub service_subnet: (u32, u32),
}

fn controller_uid(meta: &ObjectMeta) -> Option<String> {
    meta.owner_references.iter().flatten().find(|r| r.controller == Some(true)).map(|r| r.uid.clone())
}

pub fn controller_ref(meta: &ObjectMeta) -> Option<&OwnerReference> {
    meta.owner_references.iter().flatten().find(|r| r.controller == Some(true))
}

fn key_of(meta: &ObjectMeta) -> ObjKey {
    (meta.namespace.clone().unwrap_or_default(), meta.name.clone().unwrap_or_default())
}

impl Store {
    pub fn new(profile: Profile, clock: WallClock, seed: u64) -> Self {
        let mut store = Store {
            profile,
            clock,
            now: 0,
            rng: Rng::new(seed),
            pods: Table::default(),
            spec_bases: SpecBases::default(),
            nodes: Table::default(),
            namespaces: Table::default(),
            replicasets: Table::default(),
            replicationcontrollers: Table::default(),
            deployments: Table::default(),
            daemonsets: Table::default(),
            statefulsets: Table::default(),
            controllerrevisions: Table::default(),
            jobs: Table::default(),
            cronjobs: Table::default(),
            services: Table::default(),
            endpoints: Table::default(),
            persistentvolumeclaims: Table::default(),
            persistentvolumes: Table::default(),
            horizontalpodautoscalers: Table::default(),
            configmaps: Table::default(),
            secrets: Table::default(),
            resource_version: 0,
            uid_counter: 0,
            reserved_uid: None,
            by_uid: HashMap::default(),
            dependents: HashMap::default(),
            pods_by_node: HashMap::default(),
            controlled_pods: HashMap::default(),
            changes: Vec::new(),
            spare_changes: Vec::new(),
            change_seq: 0,
            events: Vec::new(),
            event_objects: Vec::new(),
            event_object_slots: HashMap::default(),
            last_event_object: None,
            event_strings: HashSet::default(),
            token_secrets: BTreeMap::new(),
            watch: None,
            service_subnet: (
                u32::from_be_bytes(constants::SERVICE_CIDR_BASE),
                constants::SERVICE_CIDR_PREFIX,
            ),
        };
        for ns in ["default", "kube-node-lease", "kube-public", "kube-system"] {
            let mut namespace = Namespace {
                metadata: ObjectMeta { name: Some(ns.to_string()), ..Default::default() },
                ..Default::default()
            };
            super::admission::Admit::set_defaults(&mut namespace, &mut store);
            let status = namespace.status.take();
            let mut namespace = store.create(namespace).cloned().expect("fresh store");
            namespace.status = status;
            store.put::<Namespace>(namespace);
        }
        store.create_kubernetes_service();
        store.changes.clear();
        store
    }

    /// Uses another service CIDR (before anything else happens): the `kubernetes`
    /// Service moves to its first address.
    pub fn set_service_subnet(&mut self, base: u32, prefix: u32) {
        self.service_subnet = (base, prefix);
        let ip = crate::api::admission::kubernetes_service_ip(self);
        let key = ("default".to_string(), "kubernetes".to_string());
        let _ = self.modify_status::<Service>(&key, |svc| {
            let spec = svc.spec.get_or_insert_with(Default::default);
            spec.cluster_ip = Some(ip.clone());
            if spec.cluster_ips.is_some() {
                spec.cluster_ips = Some(vec![ip.clone()]);
            }
        });
        self.changes.clear();
    }

    /// The `kubernetes` Service in `default` and its Endpoints, which the apiserver
    /// itself keeps (`pkg/controlplane/controller/kubernetesservice`): the first address
    /// of the service range, port `https` 443 → the apiserver's port on the first node.
    fn create_kubernetes_service(&mut self) {
        use k8s_openapi::api::core::v1::{
            EndpointAddress, EndpointPort, EndpointSubset, ServicePort, ServiceSpec,
        };
        let meta = |labels: Option<BTreeMap<String, String>>| ObjectMeta {
            name: Some("kubernetes".into()),
            namespace: Some("default".into()),
            labels,
            ..Default::default()
        };
        let labels: BTreeMap<String, String> = [("component", "apiserver"), ("provider", "kubernetes")]
            .map(|(k, v)| (k.into(), v.into()))
            .into();
        let mut svc = Service {
            metadata: meta(Some(labels)),
            spec: Some(ServiceSpec {
                cluster_ip: Some(crate::api::admission::kubernetes_service_ip(self)),
                ports: Some(vec![ServicePort {
                    name: Some("https".into()),
                    port: 443,
                    protocol: Some("TCP".into()),
                    target_port: Some(k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(
                        constants::APISERVER_PORT,
                    )),
                    ..Default::default()
                }]),
                ..Default::default()
            }),
            ..Default::default()
        };
        crate::api::admission::admit(&mut svc, self).expect("the kubernetes service is valid");
        self.create(svc).expect("fresh store");
        let endpoints = Endpoints {
            metadata: meta(None),
            subsets: Some(vec![EndpointSubset {
                addresses: Some(vec![EndpointAddress {
                    ip: constants::FIRST_NODE_IP.into(),
                    ..Default::default()
                }]),
                ports: Some(vec![EndpointPort {
                    name: Some("https".into()),
                    port: constants::APISERVER_PORT,
                    protocol: Some("TCP".into()),
                    ..Default::default()
                }]),
                ..Default::default()
            }]),
        };
        self.create(endpoints).expect("fresh store");
    }

    // ----- reads -------------------------------------------------------------------

    pub fn get<T: Object>(&self, namespace: &str, name: &str) -> Option<T::Ref<'_>> {
        T::table(self).get(&(namespace.to_string(), name.to_string())).map(T::read)
    }

    pub fn get_by_key<T: Object>(&self, key: &ObjKey) -> Option<T::Ref<'_>> {
        T::table(self).get(key).map(T::read)
    }

    /// All objects of a kind, in (namespace, name) order; `None` = all namespaces.
    pub fn list<'a, T: Object>(
        &'a self,
        namespace: Option<&'a str>,
    ) -> impl Iterator<Item = T::Ref<'a>> + 'a {
        self.list_stored::<T>(namespace).map(T::read)
    }

    /// [`Store::list`] in the stored form: pods without materialising them.
    pub fn list_stored<'a, T: Object>(
        &'a self,
        namespace: Option<&'a str>,
    ) -> impl Iterator<Item = &'a T::Stored> + 'a {
        let table = T::table(self);
        let iter: Box<dyn Iterator<Item = (&ObjKey, &T::Stored)>> = match namespace {
            Some(ns) => Box::new(table.in_namespace(ns)),
            None => Box::new(table.iter()),
        };
        iter.map(|(_, v)| v)
    }

    /// An object in its stored form (see [`Object::Stored`]).
    pub fn get_stored<T: Object>(&self, key: &ObjKey) -> Option<&T::Stored> {
        T::table(self).get(key)
    }

    /// A pod in its stored form, for readers that need not materialise it.
    pub fn stored_pod(&self, key: &ObjKey) -> Option<&StoredPod> {
        self.pods.get(key)
    }

    pub fn count<T: Object>(&self) -> usize {
        T::table(self).len()
    }

    /// Objects whose ownerReferences name `owner_uid`, in (kind, namespace, name) order.
    pub fn dependents_of(&self, owner_uid: &str) -> Vec<(Kind, ObjKey)> {
        let Some(set) = self.dependents.get(owner_uid) else { return Vec::new() };
        let mut out: Vec<(Kind, ObjKey)> =
            set.iter().filter_map(|&(kind, slot)| self.key_at(kind, slot).map(|key| (kind, key))).collect();
        out.sort();
        out
    }

    /// Dependents of one kind only (a range of the owner's index, so a StatefulSet's
    /// revisions are found without visiting its pods), in (namespace, name) order.
    pub fn dependents_of_kind(&self, owner_uid: &str, kind: Kind) -> Vec<ObjKey> {
        let Some(set) = self.dependents.get(owner_uid) else { return Vec::new() };
        let mut out: Vec<ObjKey> =
            set.range((kind, 0)..=(kind, usize::MAX)).filter_map(|&(k, slot)| self.key_at(k, slot)).collect();
        out.sort();
        out
    }

    /// The key of the object in a kind's slot.
    fn key_at(&self, kind: Kind, slot: usize) -> Option<ObjKey> {
        crate::with_kind!(kind, T => T::table(self).by_slot(slot).map(|o| key_of(o.meta())), else None)
    }

    /// Pods owned (in any way) by `owner_uid`.
    pub fn pods_owned_by(&self, owner_uid: &str) -> Vec<&StoredPod> {
        match self.dependents.get(owner_uid) {
            Some(set) => set
                .iter()
                .filter(|(k, _)| *k == Kind::Pod)
                .filter_map(|&(_, slot)| self.pods.by_slot(slot))
                .collect(),
            None => Vec::new(),
        }
    }

    /// Slots of the pods whose controller is the owner with this uid, with each slot's
    /// write version.
    pub fn pod_slots_controlled_by<'a>(&'a self, owner_uid: &str) -> impl Iterator<Item = (usize, u64)> + 'a {
        self.controlled_pods.get(owner_uid).into_iter().flatten().map(|&slot| (slot, self.pods.version(slot)))
    }

    /// The pod a change is about, if it still exists: found by slot and checked by uid,
    /// cheaper than a keyed lookup for handlers that see every pod write.
    pub fn changed_pod(&self, change: &Change) -> Option<&StoredPod> {
        let pod = self.pods.by_slot(change.slot)?;
        (change.kind == Kind::Pod && pod.metadata.uid.as_deref() == Some(change.uid.as_str())).then_some(pod)
    }

    /// The metadata of the object a change is about, if it still exists (by slot, checked
    /// by uid, like [`Store::changed_pod`]).
    pub fn changed_meta(&self, change: &Change) -> Option<&ObjectMeta> {
        crate::with_kind!(change.kind, T => T::table(self)
            .by_slot(change.slot)
            .map(|o| o.meta())
            .filter(|m| m.uid.as_deref() == Some(change.uid.as_str())), else None)
    }

    pub fn pod_at(&self, slot: usize) -> Option<&StoredPod> {
        self.pods.by_slot(slot)
    }

    /// Pods whose controller is the owner with this uid, in creation-slot order.
    pub fn pods_controlled_by<'a>(&'a self, owner_uid: &str) -> impl Iterator<Item = &'a StoredPod> + 'a {
        self.controlled_pods.get(owner_uid).into_iter().flatten().filter_map(|&slot| self.pods.by_slot(slot))
    }

    pub fn pods_on_node(&self, node: &str) -> Vec<&StoredPod> {
        match self.pods_by_node.get(node) {
            Some(set) => {
                let mut pods: Vec<&StoredPod> =
                    set.iter().filter_map(|&slot| self.pods.by_slot(slot)).collect();
                pods.sort_by_key(|a| key_of(&a.metadata));
                pods
            }
            None => Vec::new(),
        }
    }

    pub fn pod_count_on_node(&self, node: &str) -> usize {
        self.pods_by_node.get(node).map_or(0, |s| s.len())
    }

    pub fn lookup_uid(&self, uid: &str) -> Option<&(Kind, ObjKey)> {
        self.by_uid.get(uid)
    }

    pub fn take_changes(&mut self) -> Vec<Change> {
        std::mem::replace(&mut self.changes, std::mem::take(&mut self.spare_changes))
    }

    /// Hands back a change log taken and handled, so that its buffer is reused: a round
    /// of a large simulation logs hundreds of thousands of changes.
    pub fn recycle_changes(&mut self, mut changes: Vec<Change>) {
        changes.clear();
        if changes.capacity() > self.spare_changes.capacity() {
            self.spare_changes = changes;
        }
    }

    /// Appends to the change log, numbering the change.
    fn push_change(&mut self, mut change: Change) {
        change.seq = self.change_seq;
        self.change_seq += 1;
        self.changes.push(change);
    }

    /// Changes written since the last [`Store::take_changes`].
    pub fn pending_changes(&self) -> &[Change] {
        &self.changes
    }

    pub fn has_changes(&self) -> bool {
        !self.changes.is_empty()
    }

    // ----- writes ------------------------------------------------------------------

    fn next_resource_version(&mut self) -> String {
        self.resource_version += 1;
        self.resource_version.to_string()
    }

    /// Deterministic UUID-shaped uids from a counter (not from the seeded RNG, so that
    /// `seed` only changes names and placement).
    fn next_uid(&mut self) -> String {
        self.uid_counter += 1;
        let mut r = Rng::new(self.uid_counter.wrapping_mul(0x5851_F42D_4C95_7F2D));
        let a = r.next_u64();
        let b = r.next_u64();
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            (a >> 32) as u32,
            (a >> 16) as u16,
            (a as u16) & 0x0fff,
            ((b >> 48) as u16 & 0x3fff) | 0x8000,
            b & 0xffff_ffff_ffff
        )
    }

    /// The uid the next created object will get (for admission that must know it).
    pub fn reserve_uid(&mut self) -> String {
        if self.reserved_uid.is_none() {
            self.reserved_uid = Some(self.next_uid());
        }
        self.reserved_uid.clone().expect("just reserved")
    }

    /// Creates an object: resolves generateName, stamps uid, resourceVersion, generation
    /// and creationTimestamp. Defaults and validation happen before, in admission.
    pub fn create<T: Object>(&mut self, mut obj: T) -> Result<&T::Stored, ApiError> {
        let namespaced = T::STORED_KIND.info().namespaced;
        {
            let meta = obj.metadata_mut();
            if namespaced {
                if meta.namespace.as_deref().unwrap_or("").is_empty() {
                    meta.namespace = Some("default".into());
                }
            } else {
                meta.namespace = None;
            }
        }
        let ns = obj.metadata().namespace.clone().unwrap_or_default();
        if namespaced && !self.namespaces.contains_key(&(String::new(), ns.clone())) {
            return Err(ApiError::NotFound { kind: Kind::Namespace, name: ns });
        }
        if obj.metadata().name.as_deref().unwrap_or("").is_empty() {
            let Some(prefix) = obj.metadata().generate_name.clone() else {
                return Err(ApiError::BadRequest("resource name may not be empty".into()));
            };
            let base: String = prefix.chars().take(constants::MAX_GENERATED_NAME_PREFIX).collect();
            loop {
                let candidate = format!("{base}{}", self.rng.name_suffix());
                if !T::table(self).contains_key(&(ns.clone(), candidate.clone())) {
                    obj.metadata_mut().name = Some(candidate);
                    break;
                }
            }
        }
        let key = key_of(obj.metadata());
        if T::table(self).contains_key(&key) {
            return Err(ApiError::AlreadyExists { kind: T::STORED_KIND, name: key.1 });
        }
        let uid = match self.reserved_uid.take() {
            Some(uid) => uid,
            None => self.next_uid(),
        };
        let rv = self.next_resource_version();
        let created = self.clock.time(self.now);
        {
            let meta = obj.metadata_mut();
            meta.uid = Some(uid.clone());
            meta.resource_version = Some(rv);
            meta.creation_timestamp = Some(created);
            meta.deletion_timestamp = None;
            meta.managed_fields = None;
            // Kinds whose registry strategy keeps no generation (pods, nodes,
            // namespaces, services, endpoints, claims, volumes, controller revisions,
            // config maps and secrets).
            if !matches!(
                T::STORED_KIND,
                Kind::Pod
                    | Kind::Node
                    | Kind::Namespace
                    | Kind::Service
                    | Kind::Endpoints
                    | Kind::PersistentVolumeClaim
                    | Kind::PersistentVolume
                    | Kind::ControllerRevision
                    | Kind::ConfigMap
                    | Kind::Secret
            ) {
                meta.generation = Some(1);
            }
        }
        let new_controller = controller_uid(obj.metadata());
        let obj = T::compact_new(obj, &mut self.spec_bases, new_controller.as_deref());
        self.observe_watch::<T>(&key, ChangeOp::Added, &obj);
        let slot = T::table(self).vacant_slot();
        self.index_insert::<T>(&key, slot, &obj);
        let inserted = T::table_mut(self).insert(key.clone(), obj);
        debug_assert_eq!(inserted, slot);
        self.push_change(Change {
            seq: 0,
            kind: T::STORED_KIND,
            key,
            slot,
            op: ChangeOp::Added,
            uid: uid.clone(),
            old_controller: None,
            new_controller,
        });
        Ok(T::table(self).by_slot(slot).expect("just inserted"))
    }

    /// Replaces an object (spec and/or status), bumping resourceVersion, and generation
    /// when the spec changed. Removes it when it is being deleted and has no finalizers
    /// left (pods are removed by the kubelet instead, through [`Store::remove`]).
    pub fn update<T: Object>(&mut self, obj: T) -> Result<(), ApiError> {
        let key = key_of(obj.metadata());
        let Some(old) = T::table(self).get(&key) else {
            return Err(ApiError::NotFound { kind: T::STORED_KIND, name: key.1 });
        };
        let spec_changed = T::STORED_KIND != Kind::Pod && spec_of(&*T::read(old)) != spec_of(&obj);
        let obj = T::compact_replacing(obj, old);
        self.replace::<T>(key, obj, spec_changed)
    }

    /// [`Store::update`] of the metadata alone (labels, owner references, finalizers):
    /// a pod keeps its stored spec as it is, shared or not, without being materialised.
    pub fn update_meta<T: Object>(
        &mut self,
        key: &ObjKey,
        change: impl FnOnce(&mut ObjectMeta),
    ) -> Result<(), ApiError> {
        let Some(old) = T::table(self).get(key) else {
            return Err(ApiError::NotFound { kind: T::STORED_KIND, name: key.1.clone() });
        };
        let mut obj = old.clone();
        change(obj.meta_mut());
        self.replace::<T>(key.clone(), obj, false)
    }

    /// The write path of [`Store::update`]: stamps the new object's metadata from the old
    /// one's, reindexes, logs the change, and removes an object whose finalizers are done.
    fn replace<T: Object>(
        &mut self,
        key: ObjKey,
        mut obj: T::Stored,
        spec_changed: bool,
    ) -> Result<(), ApiError> {
        let Some(slot) = T::table(self).slot_of(&key) else {
            return Err(ApiError::NotFound { kind: T::STORED_KIND, name: key.1 });
        };
        let Some(old) = T::table_mut(self).take(&key) else {
            return Err(ApiError::NotFound { kind: T::STORED_KIND, name: key.1 });
        };
        let rv = self.next_resource_version();
        {
            let old_meta = old.meta();
            let meta = obj.meta_mut();
            meta.uid = old_meta.uid.clone();
            meta.creation_timestamp = old_meta.creation_timestamp.clone();
            meta.resource_version = Some(rv);
            meta.generation = old_meta.generation.map(|g| if spec_changed { g + 1 } else { g });
            if old_meta.deletion_timestamp.is_some() {
                meta.deletion_timestamp = old_meta.deletion_timestamp.clone();
                meta.deletion_grace_period_seconds = old_meta.deletion_grace_period_seconds;
            }
        }
        let finished = obj.meta().deletion_timestamp.is_some()
            && obj.meta().finalizers.as_ref().is_none_or(|f| f.is_empty())
            && T::STORED_KIND != Kind::Pod;
        let reindex = old.meta().owner_references != obj.meta().owner_references
            || old.bound_node() != obj.bound_node();
        if reindex {
            self.index_remove::<T>(slot, &old);
            self.index_insert::<T>(&key, slot, &obj);
        }
        self.push_change(Change {
            seq: 0,
            kind: T::STORED_KIND,
            key: key.clone(),
            slot,
            op: ChangeOp::Modified,
            uid: old.meta().uid.clone().unwrap_or_default(),
            old_controller: controller_uid(old.meta()),
            new_controller: controller_uid(obj.meta()),
        });
        self.observe_watch::<T>(&key, ChangeOp::Modified, &obj);
        T::table_mut(self).insert(key.clone(), obj);
        if finished {
            self.remove::<T>(&key.0, &key.1);
        }
        Ok(())
    }

    /// Changes an object in place without copying it, for status writers (the kubelet's
    /// status manager): `change` must not touch metadata, spec or node binding.
    pub fn modify_status<T: Object>(
        &mut self,
        key: &ObjKey,
        change: impl FnOnce(&mut T::Stored),
    ) -> Result<(), ApiError> {
        let rv = self.next_resource_version();
        self.write_in_place::<T>(key, |obj| {
            change(obj);
            obj.meta_mut().resource_version = Some(rv);
        })
    }

    /// Binds a pod to a node as the `pods/binding` subresource does (`assignPod`):
    /// `spec.nodeName`, and the `PodScheduled` condition turned True.
    pub fn bind_pod(&mut self, key: &ObjKey, node: &str) -> Result<(), ApiError> {
        let rv = self.next_resource_version();
        let now = self.clock.time(self.now);
        let Some(slot) = self.pods.slot_of(key) else {
            return Err(ApiError::NotFound { kind: Kind::Pod, name: key.1.clone() });
        };
        let old_node = self.pods.by_slot(slot).and_then(|pod| pod.bound_node()).map(str::to_string);
        self.write_in_place::<Pod>(key, |pod| {
            pod.set_node_name(node);
            let status = pod.status.get_or_insert_with(Default::default);
            crate::sim::scheduler::set_condition(
                status.conditions.get_or_insert_with(Vec::new),
                k8s_openapi::api::core::v1::PodCondition {
                    type_: "PodScheduled".into(),
                    status: "True".into(),
                    last_transition_time: Some(now),
                    ..Default::default()
                },
            );
            if status.phase.is_none() {
                status.phase = Some("Pending".into());
            }
            pod.metadata.resource_version = Some(rv);
        })?;
        if let Some(old) = old_node
            && let Some(set) = self.pods_by_node.get_mut(&old)
        {
            set.remove(&slot);
        }
        entry(&mut self.pods_by_node, node).insert(slot);
        Ok(())
    }

    /// Changes an object in place (no copy) and logs the change; `change` must leave
    /// the object's identity and owners alone (what the indexes are built from).
    fn write_in_place<T: Object>(
        &mut self,
        key: &ObjKey,
        change: impl FnOnce(&mut T::Stored),
    ) -> Result<(), ApiError> {
        let Some(slot) = T::table(self).slot_of(key) else {
            return Err(ApiError::NotFound { kind: T::STORED_KIND, name: key.1.clone() });
        };
        let obj = T::table_mut(self).get_mut(key).expect("slot holds the object");
        change(obj);
        let meta = obj.meta();
        let uid = meta.uid.clone().unwrap_or_default();
        let controller = controller_uid(meta);
        self.push_change(Change {
            seq: 0,
            kind: T::STORED_KIND,
            key: key.clone(),
            slot,
            op: ChangeOp::Modified,
            uid,
            old_controller: controller.clone(),
            new_controller: controller,
        });
        if self.watching::<T>(key) {
            let value = serde_json::to_value(&*T::read(T::table(self).get(key).expect("just written")))
                .expect("API objects serialize");
            self.record_watch(ChangeOp::Modified, value);
        }
        Ok(())
    }

    /// Stores an already-stamped object as is (status writers that bump rv themselves).
    fn put<T: Object>(&mut self, obj: T::Stored) -> usize {
        let key = key_of(obj.meta());
        T::table_mut(self).insert(key, obj)
    }

    /// Deletes as the apiserver's DELETE does: graceful for pods, finalizers for
    /// foreground and orphan propagation, immediate removal otherwise. Returns the
    /// object's uid.
    pub fn delete<T: Object>(
        &mut self,
        namespace: &str,
        name: &str,
        opts: DeleteOptions,
    ) -> Result<String, ApiError> {
        let key = (namespace.to_string(), name.to_string());
        let Some(obj) = T::table(self).get(&key) else {
            return Err(ApiError::NotFound { kind: T::STORED_KIND, name: name.to_string() });
        };
        let meta = obj.meta();
        let uid = meta.uid.clone().unwrap_or_default();
        let marked = meta.deletion_timestamp.is_some();
        let current_grace = meta.deletion_grace_period_seconds.unwrap_or(0);
        let propagation = opts.propagation.unwrap_or(default_propagation(T::STORED_KIND));
        let mut finalizers = meta.finalizers.clone().unwrap_or_default();
        match propagation {
            Propagation::Orphan if !finalizers.iter().any(|f| f == FINALIZER_ORPHAN) => {
                finalizers.push(FINALIZER_ORPHAN.into())
            }
            Propagation::Foreground if !finalizers.iter().any(|f| f == FINALIZER_FOREGROUND) => {
                finalizers.push(FINALIZER_FOREGROUND.into())
            }
            _ => {}
        }
        let grace = if T::STORED_KIND == Kind::Pod { self.pod_grace(&key, opts.grace_seconds) } else { 0 };
        if grace == 0 && finalizers.is_empty() {
            self.remove::<T>(namespace, name);
            return Ok(uid);
        }
        if marked {
            // A second delete can only shorten a pod's grace period.
            if T::STORED_KIND == Kind::Pod && grace < current_grace {
                let deadline = self.clock.time(self.now + grace as u64 * 1000);
                let rv = self.next_resource_version();
                self.write_in_place::<T>(&key, |o| {
                    let meta = o.meta_mut();
                    meta.deletion_grace_period_seconds = Some(grace);
                    meta.deletion_timestamp = Some(deadline);
                    meta.resource_version = Some(rv);
                })?;
            }
            return Ok(uid);
        }
        let deadline = self.clock.time(self.now + grace as u64 * 1000);
        let rv = self.next_resource_version();
        self.write_in_place::<T>(&key, |o| {
            let meta = o.meta_mut();
            meta.finalizers = if finalizers.is_empty() { None } else { Some(finalizers) };
            meta.deletion_timestamp = Some(deadline);
            meta.deletion_grace_period_seconds = Some(grace);
            meta.resource_version = Some(rv);
        })?;
        Ok(uid)
    }

    /// The grace period a pod deletion gets (`pkg/registry/core/pod/strategy.go`):
    /// the request's, else the pod's; 0 for unscheduled or finished pods; negative → 1.
    fn pod_grace(&self, key: &ObjKey, requested: Option<i64>) -> i64 {
        let Some(pod) = self.pods.get(key) else { return 0 };
        let spec = pod.spec_sans_per_pod_parts();
        let mut grace = requested
            .or_else(|| spec.and_then(|s| s.termination_grace_period_seconds))
            .unwrap_or(constants::DEFAULT_TERMINATION_GRACE_SECONDS);
        let unscheduled = pod.node_name().unwrap_or("").is_empty();
        let phase = pod.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or("");
        if unscheduled || phase == "Succeeded" || phase == "Failed" {
            grace = 0;
        }
        if grace < 0 {
            grace = 1;
        }
        grace
    }

    /// Removes an object from storage for good (grace elapsed, finalizers done).
    pub fn remove<T: Object>(&mut self, namespace: &str, name: &str) -> Option<T::Stored> {
        let key = (namespace.to_string(), name.to_string());
        let slot = T::table(self).slot_of(&key)?;
        let obj = T::table_mut(self).remove(&key)?;
        self.index_remove::<T>(slot, &obj);
        self.observe_watch::<T>(&key, ChangeOp::Deleted, &obj);
        self.resource_version += 1;
        self.push_change(Change {
            seq: 0,
            kind: T::STORED_KIND,
            key,
            slot,
            op: ChangeOp::Deleted,
            uid: obj.meta().uid.clone().unwrap_or_default(),
            old_controller: controller_uid(obj.meta()),
            new_controller: None,
        });
        Some(obj)
    }

    // ----- watches -----------------------------------------------------------------

    /// Starts recording every write of one object, as a watch on it would see them.
    pub fn watch_start(&mut self, kind: Kind, key: ObjKey) {
        self.watch = Some(Watch { kind, key, events: Vec::new() });
    }

    /// The writes recorded since the last call, oldest first.
    pub fn watch_take(&mut self) -> Vec<(ChangeOp, serde_json::Value)> {
        self.watch.as_mut().map(|w| std::mem::take(&mut w.events)).unwrap_or_default()
    }

    /// Whether the watch has recorded writes not yet taken.
    pub fn watch_pending(&self) -> bool {
        self.watch.as_ref().is_some_and(|w| !w.events.is_empty())
    }

    pub fn watch_stop(&mut self) {
        self.watch = None;
    }

    fn watching<T: Object>(&self, key: &ObjKey) -> bool {
        self.watch.as_ref().is_some_and(|w| w.kind == T::STORED_KIND && &w.key == key)
    }

    fn observe_watch<T: Object>(&mut self, key: &ObjKey, op: ChangeOp, obj: &T::Stored) {
        if !self.watching::<T>(key) {
            return;
        }
        let value = serde_json::to_value(&*T::read(obj)).expect("API objects serialize");
        self.record_watch(op, value);
    }

    fn record_watch(&mut self, op: ChangeOp, value: serde_json::Value) {
        if let Some(w) = self.watch.as_mut() {
            w.events.push((op, value));
        }
    }

    fn index_insert<T: Object>(&mut self, key: &ObjKey, slot: usize, obj: &T::Stored) {
        let meta = obj.meta();
        if let Some(uid) = &meta.uid {
            self.by_uid.insert(uid.clone(), (T::STORED_KIND, key.clone()));
        }
        for owner in meta.owner_references.iter().flatten() {
            entry(&mut self.dependents, &owner.uid).insert((T::STORED_KIND, slot));
        }
        if let Some(node) = obj.bound_node() {
            entry(&mut self.pods_by_node, node).insert(slot);
        }
        if T::STORED_KIND == Kind::Pod
            && let Some(owner) = controller_ref(meta)
        {
            entry(&mut self.controlled_pods, &owner.uid).insert(slot);
        }
    }

    fn index_remove<T: Object>(&mut self, slot: usize, obj: &T::Stored) {
        let meta = obj.meta();
        if let Some(uid) = &meta.uid {
            self.by_uid.remove(uid);
        }
        for owner in meta.owner_references.iter().flatten() {
            if let Some(set) = self.dependents.get_mut(&owner.uid) {
                set.remove(&(T::STORED_KIND, slot));
                if set.is_empty() {
                    self.dependents.remove(&owner.uid);
                }
            }
        }
        if let Some(node) = obj.bound_node()
            && let Some(set) = self.pods_by_node.get_mut(node)
        {
            set.remove(&slot);
        }
        if T::STORED_KIND == Kind::Pod
            && let Some(owner) = controller_ref(meta)
            && let Some(set) = self.controlled_pods.get_mut(&owner.uid)
        {
            set.remove(&slot);
            if set.is_empty() {
                self.controlled_pods.remove(&owner.uid);
                self.spec_bases.forget(&owner.uid);
            }
        }
    }

    /// The `default` service account's token secret of a namespace (before 1.21 every
    /// pod mounted it): `default-token-xxxxx`, made once per namespace.
    pub fn default_token_secret(&mut self, namespace: &str) -> String {
        if let Some(name) = self.token_secrets.get(namespace) {
            return name.clone();
        }
        let name = format!("default-token-{}", self.rng.name_suffix());
        self.token_secrets.insert(namespace.to_string(), name.clone());
        name
    }

    // ----- events ------------------------------------------------------------------

    /// Records an event as client-go's recorder would: dropped by the per-object spam
    /// filter when its bucket is empty, merged into an identical earlier event otherwise.
    pub fn record_event(
        &mut self,
        involved: InvolvedObject,
        type_: EventType,
        reason: &str,
        message: impl Into<EventMessage>,
        component: &'static str,
        host: Option<String>,
    ) {
        let host = host.map(|h| self.intern_event_string(&h));
        self.record(Involved::Owned(involved), type_, reason, message.into(), component, host);
    }

    /// [`Store::record_event`] for a recorder that keeps its involved object and its
    /// host name shared (the kubelet, one involved object per container), so that
    /// nothing is built, copied or looked up for them per event.
    pub fn record_event_shared(
        &mut self,
        involved: &Arc<InvolvedObject>,
        type_: EventType,
        reason: &str,
        message: impl Into<EventMessage>,
        component: &'static str,
        host: Option<&Arc<str>>,
    ) {
        self.record(
            Involved::Shared(involved.clone()),
            type_,
            reason,
            message.into(),
            component,
            host.cloned(),
        );
    }

    fn record(
        &mut self,
        involved: Involved,
        type_: EventType,
        reason: &str,
        message: EventMessage,
        component: &'static str,
        host: Option<Arc<str>>,
    ) {
        let now = self.now;
        let reason = self.intern_event_string(reason);
        let message = match message {
            EventMessage::Text(text) => self.intern_event_string(&text),
            EventMessage::Shared(shared) => shared,
        };
        let next = self.events.len();
        let slot = self.event_object_slot(involved.uid());
        let object = &mut self.event_objects[slot];
        let bucket = match object.spam.iter().position(|b| b.component == component && b.host == host) {
            Some(i) => &mut object.spam[i],
            None => {
                object.spam.push(SpamBucket {
                    component,
                    host: host.clone(),
                    tokens: constants::EVENT_SPAM_BURST,
                    last: now,
                });
                object.spam.last_mut().expect("just pushed")
            }
        };
        let refill = (now - bucket.last) as f64 / constants::EVENT_SPAM_REFILL_MS as f64;
        bucket.tokens = (bucket.tokens + refill).min(constants::EVENT_SPAM_BURST);
        bucket.last = now;
        if bucket.tokens < 1.0 {
            return;
        }
        bucket.tokens -= 1.0;
        // Texts compare by pointer first (`Arc`'s `==` does), which settles interned
        // and recorder-shared ones; others compare by content.
        let same = |ev: &EventRecord| {
            ev.type_ == type_
                && ev.reason == reason
                && ev.message == message
                && ev.component == component
                && ev.host == host
        };
        // An object has few distinct events: find the identical one among its own.
        if let Some(&i) = object.events.iter().rev().find(|&&i| same(&self.events[i])) {
            let ev = &mut self.events[i];
            ev.count += 1;
            ev.last = now;
            return;
        }
        let involved = match involved {
            Involved::Shared(shared) => shared,
            // Share the involved object with an earlier event about it when they agree.
            Involved::Owned(owned) => {
                let earlier =
                    object.events.iter().rev().map(|&i| &self.events[i].involved).find(|o| ***o == owned);
                earlier.cloned().unwrap_or_else(|| Arc::new(owned))
            }
        };
        object.events.push(next);
        let wall = self.clock.at(now);
        self.events.push(EventRecord {
            name_suffix: wall.as_nanosecond() as u64 + next as u64,
            involved,
            type_,
            reason,
            message,
            component,
            host,
            first: now,
            last: now,
            count: 1,
        });
    }

    /// The slot of the recorder's state for one object, created on its first event.
    /// Recorders tend to report on one object several times in a row (the kubelet's
    /// `Pulled`, then `Created`), so the last object found is checked before the map.
    fn event_object_slot(&mut self, uid: &str) -> usize {
        let slot = match self.last_event_object {
            Some(slot) if *self.event_objects[slot].uid == *uid => slot,
            _ => match self.event_object_slots.get(uid) {
                Some(&slot) => slot,
                None => {
                    let slot = self.event_objects.len();
                    self.event_objects.push(ObjectEvents { uid: uid.into(), ..Default::default() });
                    self.event_object_slots.insert(uid.to_string(), slot);
                    slot
                }
            },
        };
        self.last_event_object = Some(slot);
        slot
    }

    /// The shared copy of an event reason, message or host.
    fn intern_event_string(&mut self, s: &str) -> Arc<str> {
        if let Some(shared) = self.event_strings.get(s) {
            return shared.clone();
        }
        let shared: Arc<str> = Arc::from(s);
        self.event_strings.insert(shared.clone());
        shared
    }

    /// Events about one object (by uid), in recording order.
    pub fn events_for(&self, uid: &str) -> Vec<&EventRecord> {
        self.event_object_slots
            .get(uid)
            .map(|&slot| self.event_objects[slot].events.iter().map(|&i| &self.events[i]).collect())
            .unwrap_or_default()
    }

    pub fn events(&self) -> &[EventRecord] {
        &self.events
    }
}

/// The value of a string-keyed index entry, created when missing: the key is copied
/// only then (an index is written far more often than it gains a key).
fn entry<'m, V: Default>(map: &'m mut HashMap<String, V>, key: &str) -> &'m mut V {
    if !map.contains_key(key) {
        map.insert(key.to_string(), V::default());
    }
    map.get_mut(key).expect("just ensured")
}

/// The API's default propagation when a DELETE names none
/// (`DefaultGarbageCollectionPolicy`): ReplicationController orphans for compatibility.
fn default_propagation(kind: Kind) -> Propagation {
    match kind {
        Kind::ReplicationController => Propagation::Orphan,
        _ => Propagation::Background,
    }
}

fn spec_of<T: Serialize>(obj: &T) -> serde_json::Value {
    serde_json::to_value(obj).ok().and_then(|v| v.get("spec").cloned()).unwrap_or(serde_json::Value::Null)
}

/// An `InvolvedObject` for an API object.
pub fn involved<T: Object>(obj: &T) -> InvolvedObject {
    involved_by_meta::<T>(obj.metadata())
}

/// An `InvolvedObject` for a stored pod (without materialising it).
pub fn involved_pod(pod: &StoredPod) -> InvolvedObject {
    involved_by_meta::<Pod>(&pod.metadata)
}

fn involved_by_meta<T: Object>(meta: &ObjectMeta) -> InvolvedObject {
    InvolvedObject {
        kind: T::STORED_KIND.info().name.to_string(),
        namespace: meta.namespace.clone().unwrap_or_default(),
        name: meta.name.clone().unwrap_or_default(),
        uid: meta.uid.clone().unwrap_or_default(),
        field_path: None,
        api_version: T::API_VERSION.to_string(),
    }
}

#[cfg(test)]
mod event_tests {
    use super::*;
    use crate::time::{WallClock, default_start};

    fn pod(uid: &str, field_path: Option<&str>) -> InvolvedObject {
        InvolvedObject {
            kind: "Pod".into(),
            namespace: "default".into(),
            name: "p".into(),
            uid: uid.into(),
            field_path: field_path.map(str::to_string),
            api_version: "v1".into(),
        }
    }

    /// However a recorder hands a text over (interned, shared, owned involved object or
    /// shared one), equal events aggregate, as client-go's correlator compares content.
    #[test]
    fn equal_events_aggregate_whatever_their_sharing() {
        let mut store = Store::new(Profile::default(), WallClock::new(default_start()), 0);
        let shared = Arc::new(pod("u1", Some("spec.containers{web}")));
        let node: Arc<str> = "node-1".into();
        let text: Arc<str> = "Started container web".into();
        store.record_event_shared(&shared, EventType::Normal, "Started", text, "kubelet", Some(&node));
        let text: Arc<str> = "Started container web".into();
        store.record_event_shared(&shared, EventType::Normal, "Started", text, "kubelet", Some(&node));
        let owned = pod("u1", Some("spec.containers{web}"));
        let message = String::from("Started container web");
        store.record_event(owned, EventType::Normal, "Started", message, "kubelet", Some("node-1".into()));
        store.record_event(
            pod("u2", None),
            EventType::Normal,
            "Started",
            "Started container web",
            "kubelet",
            None,
        );
        let events = store.events_for("u1");
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].count, 3);
        assert_eq!(store.events_for("u2").len(), 1);
        assert_eq!(store.events().len(), 2);
    }

    /// The spam filter's burst is per (object, source), found again after other objects
    /// were recorded to in between.
    #[test]
    fn spam_filter_counts_per_object_across_interleaving() {
        let mut store = Store::new(Profile::default(), WallClock::new(default_start()), 0);
        let burst = constants::EVENT_SPAM_BURST as usize;
        for i in 0..burst + 5 {
            store.record_event(pod("a", None), EventType::Normal, "R", format!("m{i}"), "kubelet", None);
            store.record_event(pod("b", None), EventType::Normal, "R", format!("m{i}"), "kubelet", None);
        }
        assert_eq!(store.events_for("a").len(), burst);
        assert_eq!(store.events_for("b").len(), burst);
        assert!(store.events_for("c").is_empty());
    }
}
