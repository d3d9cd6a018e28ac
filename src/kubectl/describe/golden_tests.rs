//! Byte-for-byte comparison with real kubectl output.
//!
//! Each golden case stores what a fake apiserver served (`<case>.objects.json`) and
//! what kubectl printed (`<case>.out`). We load the served objects as they are, turn the
//! served core/v1 Events into [`EventRecord`]s on a virtual timeline, set the virtual
//! clock to the case's `_now` (the README's second option: objects unchanged, clock at
//! `_now`), render, and compare. The goldens live outside the crate; when they are
//! missing the tests pass vacuously with a note on stderr.

use std::path::PathBuf;

use jiff::{SignedDuration, Timestamp};
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{Event, Node, Pod, ReplicationController};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::*;
use crate::api::event::{EventRecord, EventType, InvolvedObject};
use crate::profile::Profile;
use crate::time::{Millis, WallClock};

const VERSIONS: [&str; 3] = ["1.27", "1.30", "1.33"];

/// How far before `_now` the virtual timeline starts; older than any served event.
const HISTORY: SignedDuration = SignedDuration::from_hours(24 * 30);

fn golden_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/reference/kubectl-goldens");
    dir.is_dir().then_some(dir)
}

/// One golden case of one kubectl version.
struct Case {
    meta: Value,
    expected: String,
    profile: Profile,
    clock: WallClock,
    now: Millis,
}

impl Case {
    fn load(dir: &std::path::Path, version: &str, name: &str) -> Case {
        let base = dir.join(version);
        let read = |ext: &str| std::fs::read_to_string(base.join(format!("{name}.{ext}"))).unwrap();
        let meta: Value = serde_json::from_str(&read("objects.json")).unwrap();
        let now: Timestamp = meta["_now"].as_str().unwrap().parse().unwrap();
        let start = now - HISTORY;
        let minor: u32 = version.split('.').nth(1).unwrap().parse().unwrap();
        Case {
            expected: read("out"),
            meta,
            profile: Profile::for_minor(minor),
            clock: WallClock::new(start),
            now: HISTORY.as_millis() as Millis,
        }
    }

    /// Every served object of `kind`, typed.
    fn objects<T: DeserializeOwned>(&self, kind: &str) -> Vec<T> {
        self.meta["objects"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|o| o["kind"] == kind)
            .map(|o| serde_json::from_value(o.clone()).unwrap())
            .collect()
    }

    fn one<T: DeserializeOwned>(&self, kind: &str) -> T {
        self.objects(kind).into_iter().next().unwrap_or_else(|| panic!("no {kind} served"))
    }

    /// The served events, in served order, as kubesim records them.
    fn events(&self) -> Vec<EventRecord> {
        self.objects::<Event>("Event").iter().map(|e| self.record(e)).collect()
    }

    fn millis(&self, t: Timestamp) -> Millis {
        let ms = self.clock.millis_of(t);
        assert!(ms >= 0, "event older than the virtual timeline");
        ms as Millis
    }

    /// A core/v1 Event as an [`EventRecord`]: eventTime-only events (events.k8s.io)
    /// start at their eventTime; counts default to 1.
    fn record(&self, e: &Event) -> EventRecord {
        let first = e.event_time.as_ref().map(|t| t.0).or(e.first_timestamp.as_ref().map(|t| t.0)).unwrap();
        let last = e
            .series
            .as_ref()
            .and_then(|s| s.last_observed_time.as_ref().map(|t| t.0))
            .or(e.last_timestamp.as_ref().map(|t| t.0))
            .unwrap_or(first);
        let count = e.series.as_ref().and_then(|s| s.count).or(e.count).unwrap_or(1);
        let source = e.source.clone().unwrap_or_default();
        let component =
            source.component.filter(|c| !c.is_empty()).or(e.reporting_component.clone()).unwrap_or_default();
        let io = &e.involved_object;
        EventRecord {
            name_suffix: 0,
            involved: std::sync::Arc::new(InvolvedObject {
                kind: io.kind.clone().unwrap_or_default(),
                namespace: io.namespace.clone().unwrap_or_default(),
                name: io.name.clone().unwrap_or_default(),
                uid: io.uid.clone().unwrap_or_default(),
                field_path: io.field_path.clone(),
                api_version: io.api_version.clone().unwrap_or_default(),
            }),
            type_: if e.type_.as_deref() == Some("Warning") { EventType::Warning } else { EventType::Normal },
            reason: e.reason.clone().unwrap_or_default().into(),
            message: e.message.clone().unwrap_or_default().into(),
            component: Box::leak(component.into_boxed_str()),
            host: source.host.map(Into::into),
            first: self.millis(first),
            last: self.millis(last),
            count: count as u32,
        }
    }

    fn env<'a>(&'a self, events: &'a [EventRecord]) -> DescribeEnv<'a> {
        DescribeEnv {
            profile: &self.profile,
            clock: self.clock,
            now: self.now,
            events: events.iter().collect(),
        }
    }
}

/// Runs `render` on every stored version of `name` and compares the bytes.
fn check(name: &str, render: impl Fn(&Case) -> String) {
    let Some(dir) = golden_dir() else {
        eprintln!("kubectl goldens not found; skipping {name}");
        return;
    };
    for version in VERSIONS {
        let case = Case::load(&dir, version, name);
        let got = render(&case);
        if got != case.expected {
            let diff = similar::TextDiff::from_lines(&case.expected, &got);
            panic!("{version}/{name} differs (- kubectl, + kubesim):\n{}", diff.unified_diff());
        }
    }
}

/// The served pods controlled by the object with this UID.
fn controlled_pods(case: &Case, uid: &str) -> Vec<Pod> {
    case.objects::<Pod>("Pod")
        .into_iter()
        .filter(|p| {
            p.metadata.owner_references.iter().flatten().any(|r| r.controller == Some(true) && r.uid == uid)
        })
        .collect()
}

fn pod_case(name: &str) {
    check(name, |case| {
        let pod: Pod = case.one("Pod");
        let events = case.events();
        describe_pod(&pod, &case.env(&events))
    });
}

#[test]
fn describe_pod_running() {
    pod_case("describe-pod-running");
}

#[test]
fn describe_pod_crashloopbackoff() {
    pod_case("describe-pod-crashloopbackoff");
}

#[test]
fn describe_pod_imagepullbackoff() {
    pod_case("describe-pod-imagepullbackoff");
}

#[test]
fn describe_replicaset() {
    check("describe-replicaset", |case| {
        let rs: ReplicaSet = case.one("ReplicaSet");
        let pods = controlled_pods(case, rs.metadata.uid.as_deref().unwrap());
        let events = case.events();
        describe_replica_set(&rs, &pods.iter().collect::<Vec<_>>(), &case.env(&events))
    });
}

/// The Deployment with its old (scaled to 0) and new ReplicaSet: old ones in creation
/// order, the new one found by template.
#[test]
fn describe_deployment_golden() {
    check("describe-deployment", |case| {
        let d: Deployment = case.one("Deployment");
        let uid = d.metadata.uid.clone().unwrap();
        let mut rss: Vec<ReplicaSet> = case
            .objects::<ReplicaSet>("ReplicaSet")
            .into_iter()
            .filter(|rs| rs.metadata.owner_references.iter().flatten().any(|r| r.uid == uid))
            .collect();
        rss.sort_by(crate::controllers::deployment::util::by_creation);
        let template = &d.spec.as_ref().unwrap().template;
        let (new, old): (Vec<&ReplicaSet>, Vec<&ReplicaSet>) = rss.iter().partition(|rs| {
            crate::controllers::deployment::util::equal_ignore_hash(
                rs.spec.as_ref().unwrap().template.as_ref().unwrap(),
                template,
            )
        });
        let events = case.events();
        super::describe_deployment(&d, &old, new.first().copied(), &case.env(&events))
    });
}

#[test]
fn describe_replicationcontroller() {
    check("describe-replicationcontroller", |case| {
        let rc: ReplicationController = case.one("ReplicationController");
        let pods = controlled_pods(case, rc.metadata.uid.as_deref().unwrap());
        let events = case.events();
        describe_replication_controller(&rc, &pods.iter().collect::<Vec<_>>(), &case.env(&events))
    });
}

fn node_case(name: &str) {
    check(name, |case| {
        let node: Node = case.one("Node");
        let lease: Lease = case.one("Lease");
        let pods: Vec<Pod> = case.objects("Pod");
        let events = case.events();
        describe_node_with_lease(&node, Some(&lease), &pods.iter().collect::<Vec<_>>(), &case.env(&events))
    });
}

#[test]
fn describe_node_ready() {
    node_case("describe-node-ready");
}

#[test]
fn describe_node_notready_cordoned() {
    node_case("describe-node-notready-cordoned");
}

/// The same node through kubectl 1.17's eyes: upper-case `AGE`, no huge-page rows
/// under `Allocated resources`, only the kubelet's (name-keyed) events, sources with
/// their host.
#[test]
fn describe_node_ready_in_1_17_style() {
    let Some(dir) = golden_dir() else { return };
    let mut case = Case::load(&dir, "1.33", "describe-node-ready");
    case.profile = Profile::for_minor(17);
    let node: Node = case.one("Node");
    let lease: Lease = case.one("Lease");
    let pods: Vec<Pod> = case.objects("Pod");
    let events = case.events();
    let out =
        describe_node_with_lease(&node, Some(&lease), &pods.iter().collect::<Vec<_>>(), &case.env(&events));
    assert!(out.contains("Memory Limits  AGE\n"), "{out}");
    assert!(!out.contains("  hugepages-1Gi      0 (0%)"), "{out}");
    assert!(!out.contains("RegisteredNode"), "{out}");
    assert!(out.contains("  Normal  NodeReady                3h10m                  kubelet, worker1  Node worker1 status is now: NodeReady\n"), "{out}");
}

#[test]
fn describe_daemonset_golden() {
    check("describe-daemonset", |case| {
        let ds: k8s_openapi::api::apps::v1::DaemonSet = case.one("DaemonSet");
        let pods = controlled_pods(case, ds.metadata.uid.as_deref().unwrap());
        let events = case.events();
        describe_daemon_set(&ds, &pods.iter().collect::<Vec<_>>(), &case.env(&events))
    });
}

#[test]
fn describe_cronjob_golden() {
    check("describe-cronjob", |case| {
        let cj: k8s_openapi::api::batch::v1::CronJob = case.one("CronJob");
        let events = case.events();
        super::describe_cronjob(&cj, &case.env(&events))
    });
}

#[test]
fn describe_statefulset_golden() {
    check("describe-statefulset", |case| {
        let set: k8s_openapi::api::apps::v1::StatefulSet = case.one("StatefulSet");
        let pods = controlled_pods(case, set.metadata.uid.as_deref().unwrap());
        let events = case.events();
        describe_stateful_set(&set, &pods.iter().collect::<Vec<_>>(), &case.env(&events))
    });
}
/// The NodePort Service: 1.27/1.30 were served its Endpoints, 1.31+ its EndpointSlice,
/// which is turned back into the Endpoints kubesim keeps.
#[test]
fn describe_service_nodeport() {
    use k8s_openapi::api::core::v1::{EndpointAddress, EndpointPort, EndpointSubset, Endpoints, Service};
    check("describe-service-nodeport", |case| {
        let svc: Service = case.one("Service");
        let endpoints: Option<Endpoints> =
            case.objects::<Endpoints>("Endpoints").into_iter().next().or_else(|| {
                let slice =
                    case.meta["objects"].as_array().unwrap().iter().find(|o| o["kind"] == "EndpointSlice")?;
                let mut ready = Vec::new();
                let mut not_ready = Vec::new();
                for e in slice["endpoints"].as_array().unwrap() {
                    let a = EndpointAddress {
                        ip: e["addresses"][0].as_str().unwrap().into(),
                        ..Default::default()
                    };
                    if e["conditions"]["ready"] == true { ready.push(a) } else { not_ready.push(a) }
                }
                let ports = slice["ports"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| EndpointPort {
                        name: p["name"].as_str().map(String::from),
                        port: p["port"].as_i64().unwrap() as i32,
                        protocol: p["protocol"].as_str().map(String::from),
                        ..Default::default()
                    })
                    .collect();
                Some(Endpoints {
                    subsets: Some(vec![EndpointSubset {
                        addresses: Some(ready),
                        not_ready_addresses: (!not_ready.is_empty()).then_some(not_ready),
                        ports: Some(ports),
                    }]),
                    ..Default::default()
                })
            });
        let events = case.events();
        describe_service(&svc, endpoints.as_ref(), &case.env(&events))
    });
}

#[test]
fn describe_hpa_golden() {
    check("describe-hpa", |case| {
        let hpa: k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler =
            case.one("HorizontalPodAutoscaler");
        let events = case.events();
        describe_hpa(&hpa, &case.env(&events))
    });
}
