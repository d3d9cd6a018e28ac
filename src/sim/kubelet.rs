//! The kubelets of all nodes: each pod bound to a running node gets a sandbox IP, its
//! images pulled, its containers created and started one after another, exits handled by
//! the restart policy with the crash-loop back-off, and graceful termination when the
//! pod is deleted. What containers do comes from the image behaviour table
//! ([`super::image`]); the pod's status is written back through the store as the
//! kubelet's status manager does.

use std::collections::BTreeSet;
use std::num::NonZeroU64;
use std::sync::Arc;

use k8s_openapi::api::core::v1::{
    ContainerState, ContainerStateRunning, ContainerStateTerminated, ContainerStateWaiting, ContainerStatus,
    Pod, PodCondition, PodIP, PodStatus,
};

use crate::api::event::{EventType, InvolvedObject};
use crate::api::store::{Change, ChangeOp, EventMessage};
use crate::api::stored_pod::StoredPod;
use crate::api::{Kind, ObjKey, Store};
use crate::constants;
use crate::hash::{HashMap, HashSet};
use crate::profile::PulledMessage;
use crate::rng::Rng;
use crate::sim::image::{Behaviour, DATE_MARK, Exit, ImageTable, Liveness, Pull, Readiness};
use crate::sim::prober::{self, ProbeType, ProbeWorker};
use crate::sim::queue::{TimerQueue, WorkQueue};
use crate::sim::scheduler::set_condition;
use crate::time::{Millis, SECOND};

/// A pod as the kubelet's timers and queues name it: its (namespace, name) key, shared by
/// the pod's runtime entry and every timer set for it, so that naming a pod costs a
/// pointer rather than two copied strings.
type PodKey = Arc<ObjKey>;

/// A kubelet timer: something due for one container of one pod.
#[derive(Clone, Debug)]
pub struct KubeletTimer {
    pod: PodKey,
    /// The serial of the pod runtime the timer was set for: a pod recreated under the
    /// same name gets a new runtime, and the old one's timers are ignored.
    serial: u64,
    container: u32,
    /// The container's epoch when the timer was set; stale timers are ignored.
    epoch: u32,
    action: Action,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Action {
    PullDone,
    PullFailed,
    EnterPullBackOff,
    RetryPull,
    /// The pod worker's retry after the container config could not be generated.
    RetryConfig,
    Started,
    Ready,
    Exited(i32),
    Restart,
    Stopped,
    /// A probe worker's tick (worker index); the ticker outlives container restarts.
    Probe(u32),
    /// The immediate readiness probe of a container that just started.
    ProbeOnce(u32),
    /// The pod's `activeDeadlineSeconds` ran out.
    ActiveDeadline,
}

/// A container instance: its number in the kubelet's creation order (1, 2, …). The
/// runtime's container ID (`containerd://` and 64 hex digits) is a function of it,
/// rendered when a status shows it rather than kept as a string per container.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct InstanceId(NonZeroU64);

impl InstanceId {
    /// `containerID` as the runtime reports it.
    fn render(self, runtime: &str) -> String {
        let mut id = String::with_capacity(runtime.len() + 3 + 64);
        id.push_str(runtime);
        id.push_str("://");
        push_hex64(&mut id, self.0.get().wrapping_mul(0x9E37_79B9));
        id
    }
}

#[derive(Clone, Debug)]
struct Term {
    exit_code: i32,
    started: Millis,
    finished: Millis,
    /// The instance that ended (its ID is shown in the terminated state).
    instance: Option<InstanceId>,
}

impl Term {
    /// The runtime's reason: `Completed` for exit code 0, `Error` otherwise (a SIGKILL
    /// is exit code 137, an error too).
    fn reason(&self) -> &'static str {
        if self.exit_code == 0 { "Completed" } else { "Error" }
    }
}

#[derive(Clone, Debug)]
enum State {
    /// `reason` is one of the kubelet's fixed waiting reasons (`ContainerCreating`,
    /// `ErrImagePull`, `ImagePullBackOff`, `CrashLoopBackOff`, …).
    Waiting {
        reason: &'static str,
        message: Option<String>,
    },
    Running {
        since: Millis,
    },
    Terminated(Term),
}

/// `imagePullPolicy`: anything but `Never` and `IfNotPresent` pulls, as `Always` does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PullPolicy {
    Always,
    IfNotPresent,
    Never,
}

impl PullPolicy {
    /// The policy of a container spec; unset is `IfNotPresent` (admission defaults it).
    fn of(policy: Option<&str>) -> PullPolicy {
        match policy.unwrap_or("IfNotPresent") {
            "Never" => PullPolicy::Never,
            "IfNotPresent" => PullPolicy::IfNotPresent,
            _ => PullPolicy::Always,
        }
    }
}

/// `restartPolicy`: anything but `Always` and `OnFailure` never restarts, as `Never`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RestartPolicy {
    Always,
    OnFailure,
    Never,
}

impl RestartPolicy {
    /// The policy of a pod spec; unset is `Always` (admission defaults it).
    fn of(policy: Option<&str>) -> RestartPolicy {
        match policy.unwrap_or("Always") {
            "Always" => RestartPolicy::Always,
            "OnFailure" => RestartPolicy::OnFailure,
            _ => RestartPolicy::Never,
        }
    }
}

/// An image reference with what the runtime reports about it, computed once per
/// distinct reference and shared by every container that names it.
#[derive(Debug)]
struct ImageRef {
    /// As the container spec names it (`nginx:1.25`).
    name: Arc<str>,
    /// `containerStatuses[].image`.
    reported: String,
    /// `containerStatuses[].imageID`, shown once a container of it was created.
    id: String,
    /// The messages of the `Pulling` and the already-present `Pulled` events, shared
    /// by the events of every container of this image.
    pulling_message: Arc<str>,
    present_message: Arc<str>,
}

/// The texts of the events every container of one name gets (`Created`, `Started`,
/// `Killing`), made once per name and shared by those events, so that recording one
/// neither formats nor interns its message.
#[derive(Debug)]
struct ContainerTexts {
    created: Arc<str>,
    started: Arc<str>,
    stopping: Arc<str>,
}

/// The IP of a pod's sandbox, `10.244.<cidr>.<host>` (kept as numbers, rendered when a
/// status or a probe message shows it).
#[derive(Clone, Copy, Debug)]
struct PodIp {
    cidr: u32,
    host: u32,
}

impl std::fmt::Display for PodIp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "10.244.{}.{}", self.cidr, self.host)
    }
}

#[derive(Clone, Debug)]
struct Container {
    name: Arc<str>,
    image: Arc<ImageRef>,
    pull_policy: PullPolicy,
    /// Shared by every container with the same image entry, command and args.
    behaviour: Arc<Behaviour>,
    state: State,
    epoch: u32,
    ready: bool,
    restart_count: i32,
    last_terminated: Option<Term>,
    /// Crash-loop back-off entry: (current delay, last update), as client-go's Backoff.
    backoff: Option<(Millis, Millis)>,
    pull_backoff: Millis,
    /// The current instance; `None` until the first one is created. From then on the
    /// status shows the image ID too.
    instance: Option<InstanceId>,
    /// When the current instance's process started: its log is the behaviour's log
    /// lines from then on (`None`: not started, the log is empty).
    started_at: Option<Millis>,
    /// The same for the previous instance (`kubectl logs -p`); `None`: no previous one.
    previous_started_at: Option<Option<Millis>>,
    stopping: bool,
    /// When the current image pull began.
    pull_started: Millis,
    /// Liveness and readiness probe workers from the container spec.
    probes: Box<[ProbeWorker]>,
    /// Liveness probes answered by the current instance (for `live: {failAfter: N}`).
    live_probes: u32,
    /// What this container's events are about (`spec.containers{name}` of the pod).
    involved: Arc<InvolvedObject>,
    /// Its recurring event messages (see [`ContainerTexts`]).
    texts: Arc<ContainerTexts>,
    /// Killed after failing its liveness probe; probes pause until it restarts.
    liveness_killed: bool,
}

#[derive(Clone, Debug)]
struct PodRuntime {
    uid: Box<str>,
    /// This runtime's number among all the kubelet created (see [`KubeletTimer`]).
    serial: u64,
    node: Arc<str>,
    ip: PodIp,
    /// The node's InternalIP (status.hostIP).
    host_ip: Option<Arc<str>>,
    admitted: Millis,
    restart_policy: RestartPolicy,
    /// `terminationGracePeriodSeconds` of the pod (for liveness kills).
    grace: Millis,
    containers: Box<[Container]>,
    terminating: bool,
    /// `activeDeadlineSeconds` passed: the kubelet failed the pod and stopped its
    /// containers (`pkg/kubelet/active_deadline.go`).
    deadline_exceeded: bool,
}

/// Shared copies of strings that repeat across pods (node names, host IPs, container
/// names): one allocation per distinct string, a pointer per use.
#[derive(Default)]
struct Interner(HashSet<Arc<str>>);

impl Interner {
    fn get(&mut self, s: &str) -> Arc<str> {
        if let Some(shared) = self.0.get(s) {
            return shared.clone();
        }
        let shared: Arc<str> = Arc::from(s);
        self.0.insert(shared.clone());
        shared
    }
}

#[derive(Default)]
pub struct Kubelet {
    queue: WorkQueue<PodKey>,
    pods: HashMap<PodKey, PodRuntime>,
    /// The serial of the next pod runtime.
    next_serial: u64,
    /// Images present on each node.
    images: HashMap<Arc<str>, BTreeSet<Arc<str>>>,
    /// Next host number of each node's pod CIDR.
    next_ip: HashMap<String, u32>,
    /// Node name → index of its pod CIDR (10.244.<index>.0/24), in order of first use.
    cidr_index: HashMap<String, u32>,
    /// Nodes whose machine is down: their kubelet does nothing.
    down: BTreeSet<String>,
    container_seq: u64,
    /// Pods whose status changed since it was last written: written once per instant, as
    /// the kubelet's status manager batches updates.
    dirty: WorkQueue<PodKey>,
    strings: Interner,
    /// Image references seen, by name (see [`ImageRef`]).
    image_refs: HashMap<Arc<str>, Arc<ImageRef>>,
    /// Distinct container behaviours: containers of one template share theirs.
    behaviours: HashSet<Arc<Behaviour>>,
    /// Event texts by container name (see [`ContainerTexts`]).
    container_texts: HashMap<Arc<str>, Arc<ContainerTexts>>,
}

pub type Timers = TimerQueue<KubeletTimer>;

/// 64 hex digits from a seed (four SplitMix64 outputs), appended to `out`.
fn push_hex64(out: &mut String, seed: u64) {
    use std::fmt::Write;
    let mut r = Rng::new(seed);
    for _ in 0..4 {
        let _ = write!(out, "{:016x}", r.next_u64());
    }
}

fn hex64(seed: u64) -> String {
    let mut out = String::with_capacity(64);
    push_hex64(&mut out, seed);
    out
}

fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ b as u64).wrapping_mul(0x100_0000_01b3))
}

/// `nginx` → `docker.io/library/nginx`, `user/app:1` → `docker.io/user/app:1`.
fn qualified_image(image: &str) -> String {
    let first = image.split('/').next().unwrap_or("");
    if image.contains('/') && (first.contains('.') || first.contains(':') || first == "localhost") {
        image.to_string()
    } else if image.contains('/') {
        format!("docker.io/{image}")
    } else {
        format!("docker.io/library/{image}")
    }
}

fn image_without_tag(image: &str) -> String {
    let q = qualified_image(image);
    let name_start = q.rfind('/').map_or(0, |i| i + 1);
    match q[name_start..].rfind(':') {
        Some(i) => q[..name_start + i].to_string(),
        None => q,
    }
}

/// Go's `time.Duration.String()` for the pull time in `Pulled` messages.
fn go_duration(ms: Millis) -> String {
    if ms == 0 {
        return "0s".into();
    }
    if ms < SECOND {
        return format!("{ms}ms");
    }
    let mut secs = format!("{}.{:03}", (ms / 1000) % 60, ms % 1000);
    while secs.ends_with('0') {
        secs.pop();
    }
    if secs.ends_with('.') {
        secs.pop();
    }
    let minutes = ms / 60_000;
    if minutes == 0 {
        format!("{secs}s")
    } else if minutes < 60 {
        format!("{minutes}m{secs}s")
    } else {
        format!("{}h{}m{secs}s", minutes / 60, minutes % 60)
    }
}

impl Kubelet {
    pub fn observe(&mut self, change: &Change, store: &Store) {
        if change.kind != Kind::Pod {
            return;
        }
        if change.op == ChangeOp::Deleted {
            self.pods.remove(&change.key);
            return;
        }
        if let Some(pod) = store.changed_pod(change)
            && let Some(node) = pod.bound_node()
            && !self.down.contains(node)
        {
            let known = self.pods.get(&change.key);
            let needs_sync = match known {
                None => true,
                Some(rt) => {
                    *rt.uid != *pod.metadata.uid.as_deref().unwrap_or_default()
                        || (pod.metadata.deletion_timestamp.is_some() && !rt.terminating)
                }
            };
            if needs_sync {
                self.queue.add(Arc::new(change.key.clone()));
            }
        }
    }

    pub fn set_node_down(&mut self, node: &str, down: bool) {
        if down {
            self.down.insert(node.to_string());
        } else {
            self.down.remove(node);
            let keys: Vec<PodKey> =
                self.pods.iter().filter(|(_, rt)| &*rt.node == node).map(|(k, _)| k.clone()).collect();
            for key in keys {
                self.queue.add(key);
            }
        }
    }

    pub fn is_down(&self, node: &str) -> bool {
        self.down.contains(node)
    }

    /// Syncs queued pods; returns how many it looked at.
    pub fn run(&mut self, store: &mut Store, timers: &mut Timers, images: &ImageTable) -> usize {
        let keys = self.queue.drain();
        let n = keys.len();
        for key in keys {
            let Some(pod) = store.stored_pod(&key) else { continue };
            let uid = pod.metadata.uid.as_deref().unwrap_or("");
            if self.pods.get(&key).is_some_and(|rt| &*rt.uid != uid) {
                self.pods.remove(&key);
            }
            let deleting = pod.metadata.deletion_timestamp.is_some();
            let grace = pod.metadata.deletion_grace_period_seconds.unwrap_or(0).max(0) as Millis * SECOND;
            if let Some((known, _)) = self.pods.get_key_value(&key) {
                // Timers name the pod by the runtime's own copy of the key.
                let key = known.clone();
                if deleting {
                    self.begin_termination(&key, grace, store, timers);
                }
            } else {
                let rt = self.runtime_for(pod, images, store);
                self.pods.insert(key.clone(), rt);
                if let Some(deadline) = pod.spec_sans_per_pod_parts().and_then(|s| s.active_deadline_seconds)
                {
                    let at = self.pods[&key].admitted + deadline.max(0) as Millis * SECOND;
                    self.timer(&key, 0, at, Action::ActiveDeadline, timers);
                }
                if !deleting && !self.pods[&key].containers.is_empty() {
                    self.start_probe_workers(&key, timers);
                    self.start_container(&key, 0, store, timers);
                }
                self.dirty.add(key.clone());
                if deleting {
                    self.begin_termination(&key, grace, store, timers);
                }
            }
        }
        let dirty = self.dirty.drain();
        for key in &dirty {
            self.write_status(key, store);
        }
        n + dirty.len()
    }

    /// The third octet of the node's `spec.podCIDR` (10.244.<index>.0/24); nodes without
    /// one get indexes in order of first use.
    fn pod_cidr_index(&mut self, node: &str, store: &Store) -> u32 {
        if let Some(index) = store
            .get::<k8s_openapi::api::core::v1::Node>("", node)
            .and_then(|n| n.spec.as_ref()?.pod_cidr.as_deref()?.split('.').nth(2)?.parse().ok())
        {
            return index;
        }
        let next = self.cidr_index.len() as u32;
        *self.cidr_index.entry(node.to_string()).or_insert(next)
    }

    /// A new pod on a node: a sandbox with an IP and its containers waiting in
    /// ContainerCreating, each with the behaviour its image and command give it.
    fn runtime_for(&mut self, pod: &StoredPod, images: &ImageTable, store: &Store) -> PodRuntime {
        let node = pod.bound_node().unwrap_or_default();
        let cidr = self.pod_cidr_index(node, store);
        let host = match self.next_ip.get_mut(node) {
            Some(next) => next,
            None => self.next_ip.entry(node.to_string()).or_insert(2),
        };
        let ip = PodIp { cidr, host: *host };
        *host += 1;
        let spec = pod.spec_sans_per_pod_parts();
        let runtime = store.profile.container_runtime;
        let containers = spec
            .into_iter()
            .flat_map(|s| s.containers.iter())
            .map(|c| {
                let image = c.image.as_deref().unwrap_or_default();
                let behaviour = images.behaviour(
                    image,
                    c.command.as_deref().unwrap_or(&[]),
                    c.args.as_deref().unwrap_or(&[]),
                );
                let name = self.strings.get(&c.name);
                Container {
                    texts: self.container_texts(&name, store.profile.created_event_colon),
                    name,
                    image: self.image_ref(image, runtime),
                    pull_policy: PullPolicy::of(c.image_pull_policy.as_deref()),
                    behaviour: self.shared_behaviour(behaviour),
                    state: State::Waiting { reason: "ContainerCreating", message: None },
                    epoch: 0,
                    ready: false,
                    restart_count: 0,
                    last_terminated: None,
                    backoff: None,
                    pull_backoff: 0,
                    instance: None,
                    started_at: None,
                    previous_started_at: None,
                    stopping: false,
                    pull_started: 0,
                    probes: prober::workers_for(c).into_boxed_slice(),
                    involved: Arc::new(InvolvedObject {
                        kind: "Pod".into(),
                        namespace: pod.metadata.namespace.clone().unwrap_or_default(),
                        name: pod.metadata.name.clone().unwrap_or_default(),
                        uid: pod.metadata.uid.clone().unwrap_or_default(),
                        field_path: Some(format!("spec.containers{{{}}}", c.name)),
                        api_version: "v1".into(),
                    }),
                    live_probes: 0,
                    liveness_killed: false,
                }
            })
            .collect();
        self.next_serial += 1;
        PodRuntime {
            uid: pod.metadata.uid.as_deref().unwrap_or_default().into(),
            serial: self.next_serial,
            host_ip: node_ip(store, node).map(|ip| self.strings.get(ip)),
            node: self.strings.get(node),
            ip,
            admitted: store.now,
            restart_policy: RestartPolicy::of(spec.and_then(|s| s.restart_policy.as_deref())),
            grace: spec
                .and_then(|s| s.termination_grace_period_seconds)
                .unwrap_or(constants::DEFAULT_TERMINATION_GRACE_SECONDS)
                .max(0) as Millis
                * SECOND,
            containers,
            terminating: false,
            deadline_exceeded: false,
        }
    }

    /// The shared [`ImageRef`] of an image name. The container runtime is the
    /// profile's, fixed for the cluster's life, so the reported strings are too.
    fn image_ref(&mut self, name: &str, runtime: &str) -> Arc<ImageRef> {
        if let Some(image) = self.image_refs.get(name) {
            return image.clone();
        }
        let digest = hex64(fnv(name));
        let id = if runtime == "docker" {
            format!(
                "docker-pullable://{}@sha256:{digest}",
                image_without_tag(name)
                    .trim_start_matches("docker.io/library/")
                    .trim_start_matches("docker.io/")
            )
        } else {
            format!("{}@sha256:{digest}", image_without_tag(name))
        };
        let name: Arc<str> = Arc::from(name);
        let image = Arc::new(ImageRef {
            name: name.clone(),
            reported: reported_image(&name, runtime),
            id,
            pulling_message: format!("Pulling image \"{name}\"").into(),
            present_message: format!("Container image \"{name}\" already present on machine").into(),
        });
        self.image_refs.insert(name, image.clone());
        image
    }

    /// The shared event texts of containers named `name`. `colon`: the profile's
    /// `Created container: name` spelling (fixed for the cluster's life).
    fn container_texts(&mut self, name: &Arc<str>, colon: bool) -> Arc<ContainerTexts> {
        if let Some(texts) = self.container_texts.get(name) {
            return texts.clone();
        }
        let created =
            if colon { format!("Created container: {name}") } else { format!("Created container {name}") };
        let texts = Arc::new(ContainerTexts {
            created: created.into(),
            started: format!("Started container {name}").into(),
            stopping: format!("Stopping container {name}").into(),
        });
        self.container_texts.insert(name.clone(), texts.clone());
        texts
    }

    /// The shared copy of a behaviour.
    fn shared_behaviour(&mut self, behaviour: Behaviour) -> Arc<Behaviour> {
        if let Some(shared) = self.behaviours.get(&behaviour) {
            return shared.clone();
        }
        let shared = Arc::new(behaviour);
        self.behaviours.insert(shared.clone());
        shared
    }

    fn timer(&self, key: &PodKey, i: usize, at: Millis, action: Action, timers: &mut Timers) {
        let rt = &self.pods[key];
        timers.push(
            at,
            KubeletTimer {
                pod: key.clone(),
                serial: rt.serial,
                container: i as u32,
                epoch: rt.containers.get(i).map_or(0, |c| c.epoch),
                action,
            },
        );
    }

    fn container_event(
        &self,
        key: &PodKey,
        i: usize,
        store: &mut Store,
        type_: EventType,
        reason: &str,
        message: impl Into<EventMessage>,
    ) {
        let rt = &self.pods[key];
        let who = &rt.containers[i].involved;
        store.record_event_shared(who, type_, reason, message, "kubelet", Some(&rt.node));
    }

    /// Pulls (or finds) the image of container `i`, then creates and starts it.
    fn start_container(&mut self, key: &PodKey, i: usize, store: &mut Store, timers: &mut Timers) {
        let now = store.now;
        let rt = &self.pods[key];
        let c = &rt.containers[i];
        let (image, policy, pull) = (c.image.clone(), c.pull_policy, c.behaviour.pull.clone());
        let present = self.images.get(&rt.node).is_some_and(|s| s.contains(&image.name));
        if policy == PullPolicy::Never || (policy == PullPolicy::IfNotPresent && present) {
            self.container_event(key, i, store, EventType::Normal, "Pulled", image.present_message.clone());
            self.create_and_start(key, i, store, timers);
            return;
        }
        self.container_event(key, i, store, EventType::Normal, "Pulling", image.pulling_message.clone());
        match pull {
            Pull::After(d) => self.timer(key, i, now + d, Action::PullDone, timers),
            Pull::Error(d) => self.timer(key, i, now + d, Action::PullFailed, timers),
            Pull::Never => {}
        }
        let c = &mut self.pods.get_mut(key).expect("known pod").containers[i];
        // A retried pull keeps the last pull error showing: the pod worker is busy
        // pulling and writes no new status until the pull ends.
        let pull_error = matches!(&c.state, State::Waiting { reason, .. } if matches!(*reason, "ErrImagePull" | "ImagePullBackOff" | "CreateContainerConfigError"));
        if c.instance.is_none() && !pull_error {
            c.state = State::Waiting { reason: "ContainerCreating", message: None };
        }
        c.pull_started = now;
    }

    fn pulled_message(&self, store: &Store, image: &str, took: Millis) -> String {
        let took = go_duration(took);
        match store.profile.pulled_message {
            PulledMessage::Plain => format!("Successfully pulled image \"{image}\""),
            PulledMessage::WithTime => format!("Successfully pulled image \"{image}\" in {took}"),
            PulledMessage::WithTimeAndWaiting => {
                let mut m =
                    format!("Successfully pulled image \"{image}\" in {took} ({took} including waiting)");
                if store.profile.pulled_image_size {
                    m.push_str(&format!(". Image size: {} bytes.", 10_000_000 + fnv(image) % 90_000_000));
                }
                m
            }
        }
    }

    /// Created + Started after the image's `start` time, unless the container's config
    /// names a missing ConfigMap or Secret: then `CreateContainerConfigError` until the
    /// pod worker's next try.
    fn create_and_start(&mut self, key: &PodKey, i: usize, store: &mut Store, timers: &mut Timers) {
        let now = store.now;
        let config_error =
            store.stored_pod(key).and_then(|pod| super::containerconfig::env_error(pod, i, store));
        if let Some(message) = config_error {
            self.container_event(key, i, store, EventType::Warning, "Failed", format!("Error: {message}"));
            let c = &mut self.pods.get_mut(key).expect("known pod").containers[i];
            c.state = State::Waiting { reason: "CreateContainerConfigError", message: Some(message) };
            self.timer(key, i, now + constants::POD_WORKER_BACKOFF, Action::RetryConfig, timers);
            self.dirty.add(key.clone());
            return;
        }
        self.container_seq += 1;
        let instance = NonZeroU64::new(self.container_seq).map(InstanceId);
        let c = &mut self.pods.get_mut(key).expect("known pod").containers[i];
        if c.instance.is_some() {
            // A new instance of a container that ran before: one more restart, and the
            // old instance's log becomes `kubectl logs -p`.
            c.restart_count += 1;
            c.previous_started_at = Some(c.started_at.take());
        }
        c.instance = instance;
        let created = c.texts.created.clone();
        let start = c.behaviour.start;
        self.container_event(key, i, store, EventType::Normal, "Created", created);
        self.timer(key, i, now + start, Action::Started, timers);
    }

    pub fn handle(&mut self, t: KubeletTimer, store: &mut Store, timers: &mut Timers) {
        let Some(rt) = self.pods.get(&t.pod) else { return };
        let ticker = matches!(t.action, Action::Probe(_) | Action::ActiveDeadline);
        let i = t.container as usize;
        if rt.serial != t.serial || rt.containers.get(i).is_none_or(|c| !ticker && c.epoch != t.epoch) {
            return;
        }
        if self.down.contains(&*rt.node) {
            return;
        }
        let key = t.pod;
        let now = store.now;
        match t.action {
            Action::PullDone => {
                let rt = &self.pods[&key];
                let (image, requested) = (rt.containers[i].image.name.clone(), rt.containers[i].pull_started);
                self.images.entry(rt.node.clone()).or_default().insert(image.clone());
                let message = self.pulled_message(store, &image, now - requested);
                self.container_event(&key, i, store, EventType::Normal, "Pulled", message);
                if self.pods[&key].terminating {
                    return;
                }
                self.create_and_start(&key, i, store, timers);
            }
            Action::PullFailed => {
                let image = self.pods[&key].containers[i].image.name.clone();
                let message = format!(
                    "Failed to pull image \"{image}\": rpc error: code = NotFound desc = failed to pull and unpack image \"{}\": failed to resolve reference \"{}\": not found",
                    qualified_image_with_tag(&image),
                    qualified_image_with_tag(&image)
                );
                self.container_event(&key, i, store, EventType::Warning, "Failed", message.clone());
                self.container_event(&key, i, store, EventType::Warning, "Failed", "Error: ErrImagePull");
                let c = &mut self.pods.get_mut(&key).expect("known").containers[i];
                c.state = State::Waiting { reason: "ErrImagePull", message: Some(message) };
                c.pull_backoff = if c.pull_backoff == 0 {
                    constants::IMAGE_BACKOFF_INITIAL
                } else {
                    (c.pull_backoff * 2).min(constants::IMAGE_BACKOFF_MAX)
                };
                let backoff = c.pull_backoff;
                self.timer(&key, i, now + SECOND, Action::EnterPullBackOff, timers);
                self.timer(&key, i, now + backoff, Action::RetryPull, timers);
            }
            Action::EnterPullBackOff => {
                let image = &self.pods[&key].containers[i].image.name;
                let message = format!("Back-off pulling image \"{image}\"");
                self.container_event(&key, i, store, EventType::Normal, "BackOff", message.clone());
                self.container_event(&key, i, store, EventType::Warning, "Failed", "Error: ImagePullBackOff");
                let c = &mut self.pods.get_mut(&key).expect("known").containers[i];
                c.state = State::Waiting { reason: "ImagePullBackOff", message: Some(message) };
            }
            Action::RetryPull | Action::RetryConfig => {
                if !self.pods[&key].terminating {
                    self.start_container(&key, i, store, timers);
                }
            }
            Action::Started => self.on_started(&key, i, store, timers),
            Action::Ready => {
                let c = &mut self.pods.get_mut(&key).expect("known").containers[i];
                if matches!(c.state, State::Running { .. }) {
                    c.ready = true;
                }
            }
            Action::Exited(code) => self.on_exit(&key, i, code, store, timers),
            Action::Restart => {
                let c = &mut self.pods.get_mut(&key).expect("known").containers[i];
                c.epoch += 1;
                self.start_container(&key, i, store, timers);
            }
            Action::Probe(w) => {
                if self.pods[&key].terminating {
                    return;
                }
                let period = self.pods[&key].containers[i].probes[w as usize].period;
                self.timer(&key, i, now + period, Action::Probe(w), timers);
                self.probe(&key, i, w as usize, store, timers);
            }
            Action::ProbeOnce(w) => self.probe(&key, i, w as usize, store, timers),
            Action::ActiveDeadline => self.deadline_exceeded(&key, store, timers),
            Action::Stopped => {
                self.on_stopped(&key, i, store);
                if self.pods[&key].terminating && self.all_stopped(&key) {
                    self.finish_termination(&key, store);
                    return;
                }
            }
        }
        self.dirty.add(key);
    }

    fn on_started(&mut self, key: &PodKey, i: usize, store: &mut Store, timers: &mut Timers) {
        let now = store.now;
        let started = self.pods[key].containers[i].texts.started.clone();
        self.container_event(key, i, store, EventType::Normal, "Started", started);
        let c = &mut self.pods.get_mut(key).expect("known").containers[i];
        c.state = State::Running { since: now };
        c.started_at = Some(now);
        c.live_probes = 0;
        c.liveness_killed = false;
        for w in c.probes.iter_mut() {
            w.failures = 0;
            w.successes = 0;
        }
        let readiness_probe = c.probes.iter().position(|w| w.kind == ProbeType::Readiness);
        match (readiness_probe, c.behaviour.ready.clone()) {
            // With a readiness probe the container is ready only once a probe says so;
            // the kubelet probes a just-started container at once.
            (Some(w), _) => {
                c.ready = false;
                self.timer(key, i, now, Action::ProbeOnce(w as u32), timers);
            }
            (None, Readiness::Always) => c.ready = true,
            (None, Readiness::Never) => c.ready = false,
            (None, Readiness::After(d)) => {
                c.ready = false;
                self.timer(key, i, now + d, Action::Ready, timers);
            }
        }
        let c = &self.pods[key].containers[i];
        if let Exit::After { after, code } = c.behaviour.exit {
            self.timer(key, i, now + after, Action::Exited(code), timers);
        }
        // Containers start one after another, like the kubelet's SyncPod loop.
        let next = i + 1;
        if next < self.pods[key].containers.len()
            && matches!(self.pods[key].containers[next].state, State::Waiting { .. })
            && self.pods[key].containers[next].instance.is_none()
        {
            self.start_container(key, next, store, timers);
        }
    }

    /// The main process ended with `code`: record it, then restart per policy.
    fn on_exit(&mut self, key: &PodKey, i: usize, code: i32, store: &mut Store, timers: &mut Timers) {
        let now = store.now;
        let policy = self.pods[key].restart_policy;
        let failed_pod = self.pods[key].deadline_exceeded;
        let c = &mut self.pods.get_mut(key).expect("known").containers[i];
        let started = match c.state {
            State::Running { since } => since,
            _ => now,
        };
        let term = Term { exit_code: code, started, finished: now, instance: c.instance };
        c.state = State::Terminated(term.clone());
        c.ready = false;
        let restart = !failed_pod
            && (policy == RestartPolicy::Always || (policy == RestartPolicy::OnFailure && code != 0));
        if !restart {
            return;
        }
        // client-go Backoff: IsInBackOffSince(finishedAt) then Next().
        let in_backoff = match c.backoff {
            Some((delay, last)) if now.saturating_sub(last) <= constants::CONTAINER_BACKOFF_RESET => {
                Some(delay)
            }
            _ => None,
        };
        match in_backoff {
            None => {
                c.backoff = Some((constants::CONTAINER_BACKOFF_INITIAL, now));
                self.restart_now(key, i, store, timers);
            }
            Some(delay) => {
                let name = c.name.clone();
                let message = format!(
                    "back-off {} restarting failed container={name} pod={}_{}({})",
                    go_duration(delay),
                    key.1,
                    key.0,
                    self.pods[key].uid
                );
                let c = &mut self.pods.get_mut(key).expect("known").containers[i];
                c.last_terminated = Some(term);
                c.state = State::Waiting { reason: "CrashLoopBackOff", message: Some(message) };
                c.backoff = Some(((delay * 2).min(constants::CONTAINER_BACKOFF_MAX), now + delay));
                let backoff_msg = if store.profile.backoff_message_names_container {
                    format!(
                        "Back-off restarting failed container {name} in pod {}_{}({})",
                        key.1, key.0, self.pods[key].uid
                    )
                } else {
                    "Back-off restarting failed container".to_string()
                };
                self.container_event(key, i, store, EventType::Warning, "BackOff", backoff_msg);
                self.timer(key, i, now + delay, Action::Restart, timers);
            }
        }
    }

    /// `activeDeadlineSeconds` passed (measured from the kubelet's start time): the pod
    /// fails with reason DeadlineExceeded, a Normal event says so, and its running
    /// containers are stopped within the grace period and not restarted.
    fn deadline_exceeded(&mut self, key: &PodKey, store: &mut Store, timers: &mut Timers) {
        let rt = self.pods.get_mut(key).expect("known");
        if rt.terminating || rt.deadline_exceeded {
            return;
        }
        rt.deadline_exceeded = true;
        let grace = rt.grace;
        let who = InvolvedObject {
            kind: "Pod".into(),
            namespace: key.0.clone(),
            name: key.1.clone(),
            uid: rt.uid.to_string(),
            field_path: None,
            api_version: "v1".into(),
        };
        let node = rt.node.to_string();
        store.record_event(
            who,
            EventType::Normal,
            "DeadlineExceeded",
            DEADLINE_MESSAGE,
            "kubelet",
            Some(node),
        );
        for i in 0..self.pods[key].containers.len() {
            let c = &mut self.pods.get_mut(key).expect("known").containers[i];
            c.epoch += 1;
            if !matches!(c.state, State::Running { .. }) {
                continue;
            }
            c.stopping = true;
            self.stop_running_container(key, i, grace, store, timers);
        }
    }

    /// Sends a running container SIGTERM (the `Killing` event) and schedules its exit:
    /// when its image stops on SIGTERM, or at the grace period's SIGKILL.
    fn stop_running_container(
        &self,
        key: &PodKey,
        i: usize,
        grace: Millis,
        store: &mut Store,
        timers: &mut Timers,
    ) {
        let c = &self.pods[key].containers[i];
        let stop_after = match c.behaviour.terminate {
            Some(t) => t.min(grace),
            None => grace.max(constants::MIN_KILL_GRACE),
        };
        let stopping = c.texts.stopping.clone();
        self.container_event(key, i, store, EventType::Normal, "Killing", stopping);
        self.timer(key, i, store.now + stop_after, Action::Stopped, timers);
    }

    /// One ticker per probe of every container, from the pod's admission; the first
    /// tick is immediate.
    fn start_probe_workers(&self, key: &PodKey, timers: &mut Timers) {
        let now = self.pods[key].admitted;
        for (i, c) in self.pods[key].containers.iter().enumerate() {
            for w in 0..c.probes.len() {
                self.timer(key, i, now, Action::Probe(w as u32), timers);
            }
        }
    }

    /// Runs probe `w` of container `i`: nothing unless the container runs and has run
    /// for `initialDelaySeconds`; the image behaviour gives the result.
    fn probe(&mut self, key: &PodKey, i: usize, w: usize, store: &mut Store, timers: &mut Timers) {
        let now = store.now;
        let rt = self.pods.get_mut(key).expect("known");
        let ip = rt.ip;
        let c = &mut rt.containers[i];
        let State::Running { since } = c.state else { return };
        if c.liveness_killed || c.stopping || now - since < c.probes[w].initial_delay {
            return;
        }
        let kind = c.probes[w].kind;
        let ok = match kind {
            ProbeType::Liveness => {
                c.live_probes += 1;
                match c.behaviour.live {
                    Liveness::Always => true,
                    Liveness::FailAfter(n) => c.live_probes <= n,
                }
            }
            ProbeType::Readiness => match c.behaviour.ready {
                Readiness::Always => true,
                Readiness::Never => false,
                Readiness::After(d) => now - since >= d,
            },
        };
        let flipped = c.probes[w].record(ok);
        if !ok {
            let output = c.probes[w].failure_output(&ip.to_string());
            let message = format!("{} probe failed: {output}", kind.title());
            self.container_event(key, i, store, EventType::Warning, "Unhealthy", message);
        }
        match (kind, flipped) {
            (ProbeType::Readiness, Some(ready)) => {
                self.pods.get_mut(key).expect("known").containers[i].ready = ready;
                self.dirty.add(key.clone());
            }
            (ProbeType::Liveness, Some(false)) => self.kill_unhealthy(key, i, w, store, timers),
            _ => {}
        }
    }

    /// Liveness failed: the kubelet kills the container (SIGTERM, SIGKILL after the
    /// grace period: exit 137, or 143 when the process dies of SIGTERM in time) and the
    /// restart policy takes over.
    fn kill_unhealthy(&mut self, key: &PodKey, i: usize, w: usize, store: &mut Store, timers: &mut Timers) {
        let now = store.now;
        let rt = self.pods.get_mut(key).expect("known");
        let grace = rt.containers[i].probes[w].grace.unwrap_or(rt.grace);
        let c = &mut rt.containers[i];
        c.liveness_killed = true;
        c.epoch += 1;
        let (after, code) = match c.behaviour.terminate {
            Some(t) if t < grace => (t, 143),
            _ => (grace.max(constants::MIN_KILL_GRACE), 137),
        };
        let name = c.name.clone();
        self.container_event(
            key,
            i,
            store,
            EventType::Normal,
            "Killing",
            format!("Container {name} failed liveness probe, will be restarted"),
        );
        self.timer(key, i, now + after, Action::Exited(code), timers);
    }

    fn restart_now(&mut self, key: &PodKey, i: usize, store: &mut Store, timers: &mut Timers) {
        let c = &mut self.pods.get_mut(key).expect("known").containers[i];
        if let State::Terminated(term) = &c.state {
            c.last_terminated = Some(term.clone());
        }
        c.epoch += 1;
        self.start_container(key, i, store, timers);
    }

    /// The pod is being deleted: stop every container, each within the grace period
    /// (SIGTERM, then SIGKILL at the deadline; an interpreted `sh` ignores SIGTERM).
    fn begin_termination(&mut self, key: &PodKey, grace: Millis, store: &mut Store, timers: &mut Timers) {
        let Some(rt) = self.pods.get_mut(key) else { return };
        if rt.terminating {
            return;
        }
        rt.terminating = true;
        let now = store.now;
        let count = rt.containers.len();
        for i in 0..count {
            let rt = self.pods.get_mut(key).expect("known");
            let c = &mut rt.containers[i];
            c.epoch += 1;
            c.stopping = true;
            let running = matches!(c.state, State::Running { .. });
            if running {
                self.stop_running_container(key, i, grace, store, timers);
            } else {
                self.timer(key, i, now, Action::Stopped, timers);
            }
        }
    }

    fn on_stopped(&mut self, key: &PodKey, i: usize, store: &Store) {
        let now = store.now;
        let c = &mut self.pods.get_mut(key).expect("known").containers[i];
        if let State::Running { since } = c.state {
            let killed = c.behaviour.terminate.is_none();
            c.state = State::Terminated(Term {
                exit_code: if killed { 137 } else { 0 },
                started: since,
                finished: now,
                instance: c.instance,
            });
        }
        c.ready = false;
        c.stopping = false;
        c.epoch += 1;
    }

    fn all_stopped(&self, key: &PodKey) -> bool {
        self.pods[key].containers.iter().all(|c| !c.stopping)
    }

    /// Every container has stopped: the kubelet removes the pod object (grace 0).
    fn finish_termination(&mut self, key: &PodKey, store: &mut Store) {
        self.pods.remove(key);
        store.remove::<Pod>(&key.0, &key.1);
    }

    /// Crashes containers as a `pod: {crash: …}` step does: the process exits now.
    pub fn crash(
        &mut self,
        key: &ObjKey,
        container: Option<&str>,
        code: i32,
        store: &mut Store,
        timers: &mut Timers,
    ) -> usize {
        let Some((key, rt)) = self.pods.get_key_value(key) else { return 0 };
        let key = &key.clone();
        let targets: Vec<usize> = rt
            .containers
            .iter()
            .enumerate()
            .filter(|(_, c)| {
                container.is_none_or(|n| n == &*c.name) && matches!(c.state, State::Running { .. })
            })
            .map(|(i, _)| i)
            .collect();
        for &i in &targets {
            self.pods.get_mut(key).expect("known").containers[i].epoch += 1;
            self.on_exit(key, i, code, store, timers);
        }
        if !targets.is_empty() {
            self.dirty.add(key.clone());
        }
        targets.len()
    }

    /// The log text `kubectl logs` shows for a container (`previous` = `-p`).
    pub fn logs(&self, key: &ObjKey, container: &str, previous: bool, store: &Store) -> Option<String> {
        let rt = self.pods.get(key)?;
        let c = rt.containers.iter().find(|c| &*c.name == container)?;
        let started_at = if previous { c.previous_started_at? } else { c.started_at };
        let lines = started_at.into_iter().flat_map(|start| log_lines(&c.behaviour, start));
        let mut out = String::new();
        for (t, line) in lines.filter(|(t, _)| *t <= store.now) {
            if line == DATE_MARK {
                out.push_str(&go_date(store.clock.at(t)));
            } else {
                out.push_str(line);
            }
            out.push('\n');
        }
        Some(out)
    }

    /// Whether a container of this pod has run at least once (has logs to show).
    pub fn container_started(&self, key: &ObjKey, container: &str) -> Option<bool> {
        let rt = self.pods.get(key)?;
        let c = rt.containers.iter().find(|c| &*c.name == container)?;
        Some(c.instance.is_some() && !matches!(c.state, State::Waiting { .. }) || c.restart_count > 0)
    }

    /// Builds the pod status from the runtime state and writes it, as the status
    /// manager does; conditions keep their transition times unless they flip.
    fn write_status(&self, key: &PodKey, store: &mut Store) {
        let Some(rt) = self.pods.get(key) else { return };
        let Some(pod) = store.stored_pod(key) else { return };
        let old = pod.status.as_ref();
        let old_conditions = old.and_then(|s| s.conditions.as_deref()).unwrap_or(&[]);
        let qos = qos_class(pod);
        let now_time = store.clock.time(store.now);
        let statuses: Vec<ContainerStatus> =
            rt.containers.iter().map(|c| container_status(c, store)).collect();
        let all_ready = rt.containers.iter().all(|c| c.ready);
        let unready: Vec<&str> = rt.containers.iter().filter(|c| !c.ready).map(|c| &*c.name).collect();
        let mut conditions: Vec<PodCondition> = Vec::with_capacity(old_conditions.len().max(5));
        let keep = |type_: &str| old_conditions.iter().find(|c| c.type_ == type_);
        let mut add = |type_: &str, ok: bool, reason: Option<String>, message: Option<String>| {
            let status = if ok { "True" } else { "False" };
            let previous = keep(type_);
            let transition = match &previous {
                Some(p) if p.status == status => p.last_transition_time.clone(),
                _ => Some(now_time.clone()),
            };
            conditions.push(PodCondition {
                type_: type_.into(),
                status: status.into(),
                reason,
                message,
                last_transition_time: transition,
                ..Default::default()
            });
        };
        if store.profile.pod_ready_to_start_condition {
            add("PodReadyToStartContainers", true, None, None);
        }
        add("Initialized", true, None, None);
        let (reason, message) = if all_ready {
            (None, None)
        } else {
            (
                Some("ContainersNotReady".into()),
                Some(format!("containers with unready status: [{}]", unready.join(" "))),
            )
        };
        add("Ready", all_ready, reason.clone(), message.clone());
        add("ContainersReady", all_ready, reason, message);
        for c in old_conditions {
            if !conditions.iter().any(|n| n.type_ == c.type_) {
                set_condition(&mut conditions, c.clone());
            }
        }
        let host_ip = rt.host_ip.as_deref().map(String::from);
        let pod_ip = rt.ip.to_string();
        let (phase, reason, message) = if rt.deadline_exceeded {
            ("Failed", Some("DeadlineExceeded".to_string()), Some(DEADLINE_MESSAGE.to_string()))
        } else {
            (phase(rt), None, None)
        };
        let status = PodStatus {
            phase: Some(phase.into()),
            reason,
            message,
            conditions: Some(conditions),
            host_ip: host_ip.clone(),
            host_ips: host_ip
                .filter(|_| store.profile.pod_host_ips)
                .map(|ip| vec![k8s_openapi::api::core::v1::HostIP { ip }]),
            pod_ips: Some(vec![PodIP { ip: pod_ip.clone() }]),
            pod_ip: Some(pod_ip),
            start_time: Some(store.clock.time(rt.admitted)),
            container_statuses: Some(statuses),
            qos_class: Some(qos.into()),
            ..Default::default()
        };
        if old == Some(&status) {
            return;
        }
        let _ = store.modify_status::<Pod>(key, |pod| pod.status = Some(status));
    }
}

/// The pod status message of a pod past its `activeDeadlineSeconds`.
const DEADLINE_MESSAGE: &str = "Pod was active on the node longer than the specified deadline";

/// The image as the runtime reports it in the container status: containerd gives the
/// fully qualified reference (`docker.io/library/nginx:1.25`), docker the short one
/// with its tag (`nginx:latest`).
fn reported_image(image: &str, runtime: &str) -> String {
    if runtime == "containerd" {
        return qualified_image_with_tag(image);
    }
    let name_start = image.rfind('/').map_or(0, |i| i + 1);
    if image[name_start..].contains(':') || image.contains('@') {
        image.to_string()
    } else {
        format!("{image}:latest")
    }
}

fn qualified_image_with_tag(image: &str) -> String {
    let q = qualified_image(image);
    let name_start = q.rfind('/').map_or(0, |i| i + 1);
    if q[name_start..].contains(':') || q.contains('@') { q } else { format!("{q}:latest") }
}

/// The log of a container instance started at `start`, as (time, line): the image
/// entry's `logs:` at once, then an interpreted script's output at its offsets. A
/// function of the behaviour, so nothing is stored per instance.
fn log_lines(b: &Behaviour, start: Millis) -> impl Iterator<Item = (Millis, &str)> {
    let script = b.script.iter().flat_map(move |s| s.lines.iter().map(move |(t, l)| (start + t, l.as_str())));
    b.logs.lines().map(move |l| (start, l)).chain(script)
}

/// busybox `date` output: `Mon Jan  2 15:04:05 UTC 2006`.
fn go_date(t: jiff::Timestamp) -> String {
    t.strftime("%a %b %e %H:%M:%S UTC %Y").to_string()
}

fn node_ip<'a>(store: &'a Store, node: &str) -> Option<&'a str> {
    let node = store.get::<k8s_openapi::api::core::v1::Node>("", node)?;
    node.status
        .as_ref()?
        .addresses
        .as_ref()?
        .iter()
        .find(|a| a.type_ == "InternalIP")
        .map(|a| a.address.as_str())
}

/// The kubelet's `getPhase` for a pod without init containers.
fn phase(rt: &PodRuntime) -> &'static str {
    let (mut waiting, mut running, mut stopped, mut succeeded) = (0, 0, 0, 0);
    for c in &*rt.containers {
        match &c.state {
            State::Running { .. } => running += 1,
            State::Terminated(t) => {
                stopped += 1;
                if t.exit_code == 0 {
                    succeeded += 1;
                }
            }
            State::Waiting { .. } => {
                if c.last_terminated.is_some() {
                    stopped += 1;
                } else {
                    waiting += 1;
                }
            }
        }
    }
    if waiting > 0 {
        return "Pending";
    }
    if running > 0 {
        return "Running";
    }
    if stopped > 0 {
        return match rt.restart_policy {
            RestartPolicy::Always => "Running",
            _ if succeeded == stopped => "Succeeded",
            RestartPolicy::OnFailure => "Running",
            RestartPolicy::Never => "Failed",
        };
    }
    "Pending"
}

fn qos_class(pod: &StoredPod) -> &'static str {
    let containers = pod.spec_sans_per_pod_parts().into_iter().flat_map(|s| s.containers.iter());
    let mut any = false;
    let mut guaranteed = true;
    for c in containers {
        let resources = c.resources.as_ref();
        let requests = resources.and_then(|r| r.requests.as_ref());
        let limits = resources.and_then(|r| r.limits.as_ref());
        if requests.is_some_and(|r| !r.is_empty()) || limits.is_some_and(|l| !l.is_empty()) {
            any = true;
        }
        for res in ["cpu", "memory"] {
            match (limits.and_then(|l| l.get(res)), requests.and_then(|r| r.get(res))) {
                (Some(l), Some(q)) if l == q => {}
                (Some(_), None) => {}
                _ => guaranteed = false,
            }
        }
    }
    if !any {
        "BestEffort"
    } else if guaranteed {
        "Guaranteed"
    } else {
        "Burstable"
    }
}

fn term_state(t: &Term, store: &Store) -> ContainerStateTerminated {
    ContainerStateTerminated {
        exit_code: t.exit_code,
        reason: Some(t.reason().into()),
        started_at: Some(store.clock.time(t.started)),
        finished_at: Some(store.clock.time(t.finished)),
        container_id: Some(
            t.instance.map(|id| id.render(store.profile.container_runtime)).unwrap_or_default(),
        ),
        ..Default::default()
    }
}

fn container_status(c: &Container, store: &Store) -> ContainerStatus {
    let state = match &c.state {
        State::Waiting { reason, message } => ContainerState {
            waiting: Some(ContainerStateWaiting { reason: Some((*reason).into()), message: message.clone() }),
            ..Default::default()
        },
        State::Running { since } => ContainerState {
            running: Some(ContainerStateRunning { started_at: Some(store.clock.time(*since)) }),
            ..Default::default()
        },
        State::Terminated(t) => {
            ContainerState { terminated: Some(term_state(t, store)), ..Default::default() }
        }
    };
    let last_state = c
        .last_terminated
        .as_ref()
        .map(|t| ContainerState { terminated: Some(term_state(t, store)), ..Default::default() });
    let shown_id = match &c.state {
        State::Waiting { reason, .. } if *reason == "ContainerCreating" || reason.contains("Image") => None,
        _ => c.instance.map(|id| id.render(store.profile.container_runtime)),
    };
    ContainerStatus {
        name: c.name.to_string(),
        image: c.image.reported.clone(),
        image_id: if c.instance.is_some() { c.image.id.clone() } else { String::new() },
        container_id: shown_id,
        ready: c.ready,
        restart_count: c.restart_count,
        started: Some(matches!(c.state, State::Running { .. })),
        state: Some(state),
        last_state: Some(last_state.unwrap_or_default()),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations() {
        assert_eq!(go_duration(1000), "1s");
        assert_eq!(go_duration(3817), "3.817s");
        assert_eq!(go_duration(1500), "1.5s");
        assert_eq!(go_duration(500), "500ms");
        assert_eq!(go_duration(90_000), "1m30s");
    }

    #[test]
    fn derived_ids_render_as_the_stored_strings_did() {
        // Pod IPs count on past .255 as the formatted string did.
        assert_eq!(PodIp { cidr: 3, host: 256 }.to_string(), "10.244.3.256");
        let id = InstanceId(NonZeroU64::new(7).expect("non-zero"));
        assert_eq!(
            id.render("containerd"),
            format!("containerd://{}", hex64(7u64.wrapping_mul(0x9E37_79B9)))
        );
        assert_eq!(id.render("docker").len(), "docker://".len() + 64);
    }

    #[test]
    fn image_names() {
        assert_eq!(qualified_image("nginx"), "docker.io/library/nginx");
        assert_eq!(qualified_image("ksfzhaohui/kubia"), "docker.io/ksfzhaohui/kubia");
        assert_eq!(image_without_tag("nginx:1.25"), "docker.io/library/nginx");
        assert_eq!(qualified_image_with_tag("nginx"), "docker.io/library/nginx:latest");
    }
}
