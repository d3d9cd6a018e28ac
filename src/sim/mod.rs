//! The simulation: one cluster on a virtual clock.
//!
//! Moving the clock pops timed events in (time, insertion) order; after each instant,
//! the change log of the store is handed to the scheduler, the kubelets and the
//! controllers, which run until the cluster is quiet, the way informers and work queues
//! drive kube-controller-manager.

pub mod containerconfig;
pub mod image;
pub mod invariants;
pub mod kubelet;
pub mod metrics;
pub mod prober;
pub mod queue;
pub mod resources;
pub mod scheduler;

use std::collections::BTreeMap;

use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use k8s_openapi::api::core::v1::{
    Node, NodeAddress, NodeCondition, NodeSpec, NodeStatus, NodeSystemInfo, Taint,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta};

use crate::api::store::{DeleteOptions, Object};
use crate::api::{Kind, ObjKey, Store};
use crate::constants;
use crate::controllers::cronjob::CronJobController;
use crate::controllers::daemonset::DaemonSetController;
use crate::controllers::deployment::DeploymentController;
use crate::controllers::endpoints::EndpointsController;
use crate::controllers::garbagecollector::GarbageCollector;
use crate::controllers::job::JobController;
use crate::controllers::nodelifecycle::{NodeLifecycle, NodeTimers, ready_condition};
use crate::controllers::podautoscaler::HpaController;
use crate::controllers::replicaset::{ReplicaSetController, Requeues};
use crate::controllers::statefulset::StatefulSetController;
use crate::controllers::ttlafterfinished::TtlAfterFinished;
use crate::controllers::volume::VolumeController;
use crate::profile::Profile;
use crate::time::{Millis, WallClock, format_clock};
use image::ImageTable;
use kubelet::{Kubelet, Timers};
use scheduler::Scheduler;

/// A node as a scenario declares it.
#[derive(Clone, Debug, Default)]
pub struct NodeSpecInput {
    pub name: String,
    pub roles: Vec<String>,
    pub labels: BTreeMap<String, String>,
    pub taints: Vec<Taint>,
    pub capacity: BTreeMap<String, String>,
}

/// A simulation could not go on (a controller never settles).
#[derive(Debug, Clone, thiserror::Error)]
#[error("livelock at t={at}: {controller} was still busy after {rounds} rounds")]
pub struct Livelock {
    pub at: String,
    pub controller: &'static str,
    pub rounds: usize,
}

/// Upper bound of controller rounds within one instant before declaring a livelock.
const MAX_ROUNDS: usize = 200_000;

pub struct Cluster {
    pub store: Store,
    pub images: ImageTable,
    pub kubelet: Kubelet,
    scheduler: Scheduler,
    replicaset: ReplicaSetController,
    deployment: DeploymentController,
    cronjob: CronJobController,
    job: JobController,
    ttl: TtlAfterFinished,
    daemonset: DaemonSetController,
    statefulset: StatefulSetController,
    volumes: VolumeController,
    gc: GarbageCollector,
    endpoints: EndpointsController,
    hpa: HpaController,
    root_ca: crate::controllers::rootcacert::RootCaCertPublisher,
    /// Per-pod CPU usage the metrics API reports (the scenario's `metrics:` steps).
    pub metrics: metrics::PodMetrics,
    nodes: NodeLifecycle,
    kubelet_timers: Timers,
    requeues: Requeues,
    node_timers: NodeTimers,
    node_count: u32,
    /// Rollout invariants, checked whenever the cluster is quiet (when enabled).
    invariants: Option<invariants::RolloutChecker>,
}

impl Cluster {
    pub fn new(profile: Profile, clock: WallClock, seed: u64, images: ImageTable) -> Self {
        Cluster {
            store: Store::new(profile, clock, seed),
            images,
            kubelet: Kubelet::default(),
            scheduler: Scheduler::default(),
            replicaset: ReplicaSetController::default(),
            deployment: DeploymentController::default(),
            cronjob: CronJobController::default(),
            job: JobController::default(),
            ttl: TtlAfterFinished::default(),
            daemonset: DaemonSetController::default(),
            statefulset: StatefulSetController::default(),
            volumes: VolumeController::default(),
            gc: GarbageCollector::default(),
            endpoints: EndpointsController::default(),
            hpa: HpaController::default(),
            root_ca: Default::default(),
            metrics: metrics::PodMetrics::default(),
            nodes: NodeLifecycle::default(),
            kubelet_timers: Timers::default(),
            requeues: Requeues::default(),
            node_timers: NodeTimers::default(),
            node_count: 0,
            invariants: None,
        }
    }

    /// Checks the rollout invariants ([`invariants`]) from now on.
    pub fn enable_invariants(&mut self) {
        self.invariants.get_or_insert_with(Default::default);
    }

    /// Invariant violations seen since the last call.
    pub fn take_violations(&mut self) -> Vec<String> {
        self.invariants.as_mut().map(|c| c.take_violations()).unwrap_or_default()
    }

    pub fn now(&self) -> Millis {
        self.store.now
    }

    pub fn profile(&self) -> &Profile {
        &self.store.profile
    }

    /// Runs every component until nothing changes at the current instant.
    pub fn settle(&mut self) -> Result<(), Livelock> {
        for round in 0..MAX_ROUNDS {
            let changes = self.store.take_changes();
            let mut nodes_changed: Vec<String> = Vec::new();
            for change in &changes {
                self.scheduler.observe(change, &self.store);
                self.kubelet.observe(change, &self.store);
                self.replicaset.observe(change, &self.store);
                self.deployment.observe(change, &self.store);
                self.cronjob.observe(change, &self.store);
                self.job.observe(change, &self.store, &mut self.requeues);
                self.ttl.observe(change);
                self.daemonset.observe(change, &self.store);
                self.statefulset.observe(change, &self.store);
                self.volumes.observe(change, &self.store);
                self.gc.observe(change, &self.store);
                self.endpoints.observe(change, &self.store);
                self.hpa.observe(change, &self.store);
                self.root_ca.observe(change);
                if change.kind == Kind::Node && change.op == crate::api::store::ChangeOp::Deleted {
                    self.nodes.node_deleted(&change.key.1, &self.store, &mut self.node_timers);
                } else if change.kind == Kind::Node {
                    nodes_changed.push(change.key.1.clone());
                }
            }
            self.store.recycle_changes(changes);
            for node in nodes_changed {
                crate::controllers::nodelifecycle::sync_unschedulable_taint(&node, &mut self.store);
            }
            let mut busy: Option<&'static str> = None;
            if self.scheduler.run(&mut self.store) > 0 {
                busy = Some("scheduler");
            }
            if self.kubelet.run(&mut self.store, &mut self.kubelet_timers, &self.images) > 0 {
                busy = Some("kubelet");
            }
            if self.replicaset.run(&mut self.store, &mut self.requeues) > 0 {
                busy = Some("replicaset-controller");
            }
            if self.deployment.run(&mut self.store, &mut self.requeues) > 0 {
                busy = Some("deployment-controller");
            }
            if self.cronjob.run(&mut self.store, &mut self.requeues) > 0 {
                busy = Some("cronjob-controller");
            }
            if self.job.run(&mut self.store, &mut self.requeues) > 0 {
                busy = Some("job-controller");
            }
            if self.ttl.run(&mut self.store, &mut self.requeues) > 0 {
                busy = Some("ttl-after-finished-controller");
            }
            if self.daemonset.run(&mut self.store, &mut self.requeues) > 0 {
                busy = Some("daemonset-controller");
            }
            if self.statefulset.run(&mut self.store, &mut self.requeues) > 0 {
                busy = Some("statefulset-controller");
            }
            if self.volumes.run(&mut self.store) > 0 {
                busy = Some("persistentvolume-controller");
            }
            if self.gc.run(&mut self.store) > 0 {
                busy = Some("garbage-collector");
            }
            if self.endpoints.run(&mut self.store) > 0 {
                busy = Some("endpoint-controller");
            }
            if self.hpa.run(&mut self.store, &mut self.requeues, &self.metrics) > 0 {
                busy = Some("horizontal-pod-autoscaler");
            }
            if self.root_ca.run(&mut self.store) > 0 {
                busy = Some("root-ca-cert-publisher");
            }
            if busy.is_none() && !self.store.has_changes() {
                if let Some(checker) = self.invariants.as_mut() {
                    checker.check(&self.store);
                }
                return Ok(());
            }
            if round + 1 == MAX_ROUNDS {
                return Err(Livelock {
                    at: format_clock(self.store.now),
                    controller: busy.unwrap_or("store"),
                    rounds: MAX_ROUNDS,
                });
            }
        }
        Ok(())
    }

    fn next_timer(&self) -> Option<Millis> {
        [self.node_timers.next_time(), self.kubelet_timers.next_time(), self.requeues.next_time()]
            .into_iter()
            .flatten()
            .min()
    }

    /// Moves the clock to `target`, letting everything due in between happen in order.
    pub fn advance_to(&mut self, target: Millis) -> Result<(), Livelock> {
        self.settle()?;
        while let Some(t) = self.next_timer() {
            if t > target {
                break;
            }
            self.store.now = self.store.now.max(t);
            self.fire_due(t);
            self.settle()?;
        }
        self.store.now = self.store.now.max(target);
        self.settle()
    }

    pub fn advance_by(&mut self, by: Millis) -> Result<(), Livelock> {
        self.advance_to(self.store.now + by)
    }

    /// Advances event by event until `done` holds or `limit` is reached; returns whether
    /// `done` held. Used by commands that wait (`rollout status`, `delete`, `wait`).
    pub fn advance_until(
        &mut self,
        limit: Millis,
        mut done: impl FnMut(&Cluster) -> bool,
    ) -> Result<bool, Livelock> {
        self.settle()?;
        loop {
            if done(self) {
                return Ok(true);
            }
            match self.next_timer() {
                Some(t) if t <= limit => {
                    self.store.now = self.store.now.max(t);
                    self.fire_due(t);
                    self.settle()?;
                }
                _ => {
                    self.store.now = self.store.now.max(limit);
                    self.settle()?;
                    return Ok(done(self));
                }
            }
        }
    }

    fn fire_due(&mut self, t: Millis) {
        while let Some((_, timer)) = self.node_timers.pop_due(t) {
            self.nodes.handle(timer, &mut self.store, &mut self.node_timers);
        }
        while let Some((_, timer)) = self.kubelet_timers.pop_due(t) {
            self.kubelet.handle(timer, &mut self.store, &mut self.kubelet_timers);
        }
        while let Some((at, (kind, key))) = self.requeues.pop_due(t) {
            match kind {
                Kind::Deployment => self.deployment.requeue(key),
                Kind::CronJob => self.cronjob.requeue(key, at),
                Kind::Job => {
                    self.job.requeue(key.clone(), &self.store);
                    self.ttl.requeue(key);
                }
                Kind::DaemonSet => self.daemonset.requeue(key),
                Kind::StatefulSet => self.statefulset.requeue(key),
                Kind::HorizontalPodAutoscaler => self.hpa.requeue(key, at),
                _ => self.replicaset.requeue((kind, key)),
            }
        }
    }

    // ----- machines ------------------------------------------------------------------

    /// A node joins Ready, as `kubeadm join` or the scenario's `cluster.nodes` make it.
    pub fn add_node(&mut self, input: &NodeSpecInput) -> Result<(), crate::api::ApiError> {
        let index = self.node_count;
        self.node_count += 1;
        let now = self.store.clock.time(self.store.now);
        let mut labels: BTreeMap<String, String> = BTreeMap::new();
        for (k, v) in [
            ("beta.kubernetes.io/arch", "amd64"),
            ("beta.kubernetes.io/os", "linux"),
            ("kubernetes.io/arch", "amd64"),
            ("kubernetes.io/os", "linux"),
        ] {
            labels.insert(k.into(), v.into());
        }
        labels.insert("kubernetes.io/hostname".into(), input.name.clone());
        for role in &input.roles {
            if role == "control-plane" || role == "master" {
                for r in self.store.profile.control_plane_roles {
                    labels.insert(format!("node-role.kubernetes.io/{r}"), String::new());
                }
            } else {
                labels.insert(format!("node-role.kubernetes.io/{role}"), String::new());
            }
        }
        labels.extend(input.labels.clone());
        let mut capacity: BTreeMap<String, Quantity> = BTreeMap::new();
        capacity.insert("cpu".into(), Quantity(constants::NODE_CPU.into()));
        capacity.insert("ephemeral-storage".into(), Quantity("102350Mi".into()));
        capacity.insert("hugepages-1Gi".into(), Quantity("0".into()));
        capacity.insert("hugepages-2Mi".into(), Quantity("0".into()));
        capacity.insert("memory".into(), Quantity(constants::NODE_MEMORY.into()));
        capacity.insert("pods".into(), Quantity(constants::NODE_PODS.into()));
        for (k, v) in &input.capacity {
            capacity.insert(k.clone(), Quantity(v.clone()));
        }
        let condition = |type_: &str, reason: &str, message: &str| NodeCondition {
            type_: type_.into(),
            status: "False".into(),
            reason: Some(reason.into()),
            message: Some(message.into()),
            last_heartbeat_time: Some(now.clone()),
            last_transition_time: Some(now.clone()),
        };
        let profile = &self.store.profile;
        let node = Node {
            metadata: ObjectMeta {
                name: Some(input.name.clone()),
                labels: Some(labels),
                ..Default::default()
            },
            spec: Some(NodeSpec {
                pod_cidr: Some(format!("10.244.{index}.0/24")),
                pod_cidrs: profile.node_pod_cidrs.then(|| vec![format!("10.244.{index}.0/24")]),
                taints: if input.taints.is_empty() { None } else { Some(input.taints.clone()) },
                ..Default::default()
            }),
            status: Some(NodeStatus {
                addresses: Some(vec![
                    NodeAddress { type_: "InternalIP".into(), address: format!("192.168.49.{}", index + 2) },
                    NodeAddress { type_: "Hostname".into(), address: input.name.clone() },
                ]),
                allocatable: Some(capacity.clone()),
                capacity: Some(capacity),
                conditions: Some(vec![
                    condition(
                        "MemoryPressure",
                        "KubeletHasSufficientMemory",
                        "kubelet has sufficient memory available",
                    ),
                    condition("DiskPressure", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                    condition(
                        "PIDPressure",
                        "KubeletHasSufficientPID",
                        "kubelet has sufficient PID available",
                    ),
                    ready_condition(now.clone()),
                ]),
                node_info: Some(NodeSystemInfo {
                    architecture: "amd64".into(),
                    boot_id: format!("{:08x}-0000-4000-8000-{:012x}", index + 1, index + 1),
                    container_runtime_version: profile.container_runtime_version.into(),
                    kernel_version: "5.15.0-105-generic".into(),
                    kube_proxy_version: profile.git_version(),
                    kubelet_version: profile.git_version(),
                    machine_id: format!("{:032x}", index as u128 + 1),
                    operating_system: "linux".into(),
                    os_image: "Ubuntu 22.04.4 LTS".into(),
                    system_uuid: format!("{:08x}-0000-4000-8000-{:012x}", index + 100, index + 100),
                    ..Default::default()
                }),
                ..Default::default()
            }),
        };
        self.store.create(node)?;
        self.nodes.node_joined(&input.name, self.store.now);
        Ok(())
    }

    /// The machine stops: its kubelet goes silent and the node lifecycle reacts.
    pub fn node_down(&mut self, name: &str) {
        self.kubelet.set_node_down(name, true);
        self.nodes.node_down(name, &self.store, &mut self.node_timers);
    }

    pub fn node_up(&mut self, name: &str) {
        self.kubelet.set_node_down(name, false);
        self.nodes.node_up(name, &mut self.store);
    }

    /// The node's Lease in `kube-node-lease` as its kubelet keeps it: renewed every
    /// [`constants::NODE_LEASE_RENEW_INTERVAL_MS`] from when the kubelet started (the node
    /// joined or came back up); while the machine is down, the last renewal before it went
    /// down. `None` when no kubelet runs for the node (no Lease exists).
    pub fn node_lease(&self, name: &str) -> Option<Lease> {
        let (started, stopped) = self.nodes.kubelet_uptime(name)?;
        let until = stopped.unwrap_or(self.store.now).max(started);
        let interval = constants::NODE_LEASE_RENEW_INTERVAL_MS;
        let renewed = started + (until - started) / interval * interval;
        Some(Lease {
            metadata: ObjectMeta {
                name: Some(name.to_string()),
                namespace: Some("kube-node-lease".into()),
                ..Default::default()
            },
            spec: Some(LeaseSpec {
                holder_identity: Some(name.to_string()),
                lease_duration_seconds: Some(constants::NODE_LEASE_DURATION_SECONDS),
                renew_time: Some(MicroTime(self.store.clock.at(renewed))),
                ..Default::default()
            }),
        })
    }

    /// The node as its kubelet last reported it: the conditions' `lastHeartbeatTime` is
    /// the last status report, every [`constants::NODE_STATUS_REPORT_MS`] from when the
    /// kubelet started (conditions do not change in between), the last one before the
    /// machine went down if it is down. Stored nodes keep their registration time, so
    /// readers that show heartbeats ask here.
    pub fn node_with_heartbeats(&self, name: &str) -> Option<Node> {
        let mut node = self.store.get::<Node>("", name)?.clone();
        let Some((started, stopped)) = self.nodes.kubelet_uptime(name) else { return Some(node) };
        let until = stopped.unwrap_or(self.store.now).max(started);
        let interval = constants::NODE_STATUS_REPORT_MS;
        let reported = self.store.clock.time(started + (until - started) / interval * interval);
        for c in node.status.iter_mut().flat_map(|s| s.conditions.iter_mut().flatten()) {
            c.last_heartbeat_time = Some(reported.clone());
        }
        Some(node)
    }

    pub fn remove_node(&mut self, name: &str) -> Result<(), crate::api::ApiError> {
        self.store.delete::<Node>("", name, DeleteOptions::default()).map(|_| ())
    }

    /// Crashes the running containers of a pod; returns how many exited.
    pub fn crash(&mut self, key: &ObjKey, container: Option<&str>, code: i32) -> usize {
        self.kubelet.crash(key, container, code, &mut self.store, &mut self.kubelet_timers)
    }

    /// Whether the object with this uid is gone (another one may have taken its name).
    pub fn is_gone_uid(&self, kind: Kind, key: &ObjKey, uid: &str) -> bool {
        crate::with_kind!(kind, T => self.store.get_stored::<T>(key).is_none_or(|o| {
            crate::api::store::Stored::meta(o).uid.as_deref() != Some(uid)
        }), else true)
    }

    pub fn is_gone(&self, kind: Kind, key: &ObjKey) -> bool {
        crate::with_kind!(kind, T => self.store.get_stored::<T>(key).is_none(), else true)
    }
}

/// Whether an object is in the store (used by waiting commands).
pub fn exists<T: Object>(cluster: &Cluster, key: &ObjKey) -> bool {
    cluster.store.get_stored::<T>(key).is_some()
}
