//! The typed scenario: what a scenario file says, validated, with defaults applied where
//! the format gives one (seed 0, one node `node-1`) and left as `None` where a later
//! stage decides (image behaviour fields fall back to the image table's defaults).
//!
//! Built only by [`crate::scenario::parse_scenario`]; read by the runner. Durations are
//! virtual milliseconds ([`Millis`]).

use crate::profile::Profile;
use crate::scenario::matching::MatchOptions;
use crate::time::Millis;
use indexmap::IndexMap;
use jiff::Timestamp;

/// Exit code of `pod: {crash: ...}` when the step gives no `exitCode`: 137 = 128 + SIGKILL,
/// what a container shows when its process is killed from outside (the kubelet after a
/// failed liveness probe, the OOM killer), which is what "crash it" usually simulates.
pub const DEFAULT_CRASH_EXIT_CODE: i32 = 137;

/// One scenario file.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// `name:`, or the path below the scenarios root without extension.
    pub name: String,
    pub description: Option<String>,
    /// The `kubernetes:` text as written (`"1.22.2"`), if given.
    pub kubernetes: Option<String>,
    /// The version profile: parsed from `kubernetes:`, else [`Profile::default`].
    pub profile: Profile,
    /// Drives generated name suffixes and scheduler tie-breaks. Default 0.
    pub seed: u64,
    /// Wall-clock time at virtual t=0, if given.
    pub start: Option<Timestamp>,
    pub cluster: Cluster,
    /// Image reference → behaviour, in file order.
    pub images: IndexMap<String, ImageBehaviour>,
    /// Virtual files for `kubectl ... -f NAME`, in file order.
    pub files: IndexMap<String, String>,
    pub steps: Vec<Step>,
}

/// The machines at t=0.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cluster {
    pub nodes: Vec<NodeSpec>,
    /// `serviceSubnet`: the service CIDR (`--service-cluster-ip-range`) when it is not
    /// kubeadm's 10.96.0.0/12, as (network address, prefix length).
    pub service_subnet: Option<(u32, u32)>,
}

impl Default for Cluster {
    /// One Ready node named `node-1`.
    fn default() -> Self {
        Cluster { nodes: vec![NodeSpec::named("node-1")], service_subnet: None }
    }
}

/// A node, in `cluster.nodes` or in `node: {add: ...}`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NodeSpec {
    pub name: String,
    /// Each role adds the label `node-role.kubernetes.io/ROLE=""`.
    pub roles: Vec<String>,
    pub labels: IndexMap<String, String>,
    pub taints: Vec<Taint>,
    /// Resource name → quantity as written (`cpu: "4"`, `memory: 8Gi`).
    pub capacity: IndexMap<String, String>,
}

impl NodeSpec {
    /// A node with a name and nothing else.
    pub fn named(name: impl Into<String>) -> Self {
        NodeSpec { name: name.into(), ..NodeSpec::default() }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Taint {
    pub key: String,
    pub value: Option<String>,
    pub effect: TaintEffect,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaintEffect {
    NoSchedule,
    PreferNoSchedule,
    NoExecute,
}

impl TaintEffect {
    pub const ALL: [TaintEffect; 3] =
        [TaintEffect::NoSchedule, TaintEffect::PreferNoSchedule, TaintEffect::NoExecute];

    pub fn as_str(self) -> &'static str {
        match self {
            TaintEffect::NoSchedule => "NoSchedule",
            TaintEffect::PreferNoSchedule => "PreferNoSchedule",
            TaintEffect::NoExecute => "NoExecute",
        }
    }
}

/// How containers of one image behave. Every field is optional: `None` means "the
/// built-in default for this field", decided by the kubelet simulation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImageBehaviour {
    pub pull: Option<Pull>,
    /// Time from pulled to Running.
    pub start: Option<Millis>,
    pub exit: Option<Exit>,
    /// Time to exit after SIGTERM.
    pub terminate: Option<Millis>,
    pub ready: Option<Ready>,
    pub live: Option<Live>,
    /// What `kubectl logs` prints.
    pub logs: Option<String>,
}

/// `pull:`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pull {
    /// `pull: 1s` (or `{after: 1s}`): succeeds after this long.
    After(Millis),
    /// `pull: error` (`after: None`: after the default pull time) or
    /// `pull: {error: true, after: 45s}`.
    Error { after: Option<Millis> },
    /// `pull: never`: the pull hangs.
    Never,
}

/// `exit:`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// `exit: never`: a server.
    Never,
    /// `exit: {after: 30s, code: 0}`; `after` defaults to 0s and `code` to 0.
    After { after: Millis, code: i32 },
}

/// `ready:` (the readiness probe's result).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ready {
    Always,
    Never,
    /// `ready: {after: 10s}`: fails until this long after the container started.
    After(Millis),
}

/// `live:` (the liveness probe's result).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Live {
    Always,
    /// `live: {failAfter: 5}`: the first 5 probes succeed, from the 6th on they fail.
    FailAfter(u32),
}

/// One step, with the 1-based line where it starts in the file (the line of its first
/// key; for a `-` alone on a line, the line after it).
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub line: usize,
    pub action: Action,
}

/// The action of a step: exactly one per step.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    Run(Run),
    /// Advance the clock by this long.
    Wait(Millis),
    /// Advance the clock to this virtual time.
    At(Millis),
    Node(NodeAction),
    Pod(PodAction),
    Metrics(Metrics),
    Assert(Assert),
    /// Prose for the reader.
    Note(String),
    /// Extension: `{name, content}` replaces (or adds) a virtual file from this step on,
    /// as a tutorial's `vi FILE` does between two `kubectl apply -f FILE`.
    File(FileWrite),
}

/// `file:`: a virtual file's new content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileWrite {
    pub name: String,
    pub content: String,
}

impl Action {
    /// The step's action key as written in the file.
    pub fn keyword(&self) -> &'static str {
        match self {
            Action::Run(_) => "run",
            Action::Wait(_) => "wait",
            Action::At(_) => "at",
            Action::Node(_) => "node",
            Action::Pod(_) => "pod",
            Action::Metrics(_) => "metrics",
            Action::Assert(_) => "assert",
            Action::Note(_) => "note",
            Action::File(_) => "file",
        }
    }
}

/// `run:` and its modifiers.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Run {
    /// The command line as written (variables not yet expanded).
    pub command: String,
    /// Expected stdout (matching rules of [`crate::scenario::match_output`]).
    pub expect: Option<String>,
    /// Snapshot name; stdout is compared byte for byte with the stored snapshot.
    pub snapshot: Option<String>,
    /// Expected stderr, same rules as `expect`.
    pub stderr: Option<String>,
    /// Expected exit code. `None`: any non-zero exit fails the step.
    pub status: Option<i32>,
    /// `exact` and `unordered` apply to both `expect` and `stderr`.
    pub exact: bool,
    pub unordered: bool,
    /// Extension: for `kubectl edit`, the JSON merge patch the "editor" applies
    /// (written as a YAML map in the file).
    pub edit: Option<serde_json::Value>,
}

impl Run {
    /// The matching options this step's `exact`/`unordered` modifiers select.
    pub fn match_options(&self) -> MatchOptions {
        MatchOptions { exact: self.exact, unordered: self.unordered }
    }
}

/// `node:`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NodeAction {
    /// `{add: NAME, labels?, roles?, taints?, capacity?}`: joins Ready.
    Add(NodeSpec),
    /// `{down: NAME}`: the machine stops.
    Down(String),
    /// `{up: NAME}`: heartbeats resume.
    Up(String),
    /// `{remove: NAME}`: the Node object is deleted.
    Remove(String),
}

/// `pod:`: faults inside containers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PodAction {
    /// `{crash: NAME | "-l SELECTOR", exitCode?, container?}`: the container's process
    /// exits with `exit_code` (default [`DEFAULT_CRASH_EXIT_CODE`]). `container: None`
    /// means every container of the pod.
    Crash { target: PodTarget, exit_code: i32, container: Option<String> },
}

/// Which pods a `pod` step hits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PodTarget {
    /// One pod by name (in the default namespace).
    Name(String),
    /// Every pod matching a label selector (`"-l app=web"` → `app=web`).
    Selector(String),
}

/// `metrics: {selector, cpu}`: per-pod CPU usage from now on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Metrics {
    pub selector: String,
    /// The quantity as written (`250m`, `0.5`, `1`).
    pub cpu: String,
    /// The same in millicores.
    pub cpu_millicores: u64,
}

/// `assert:`: a partial object match.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Assert {
    pub kind: String,
    pub name: Option<String>,
    pub namespace: Option<String>,
    pub selector: Option<String>,
    /// Exactly this many objects match.
    pub count: Option<u64>,
    /// No object matches.
    pub absent: bool,
    /// Lists in the fragment must match the object's element by element, unless this is
    /// set and the fragment's list is shorter.
    pub contains: bool,
    /// Every other key of the assert: the expected partial object, in file order.
    pub fragment: serde_json::Map<String, serde_json::Value>,
}
