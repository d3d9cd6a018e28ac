//! `kubectl describe TYPE [NAME]`: every object of the type, the named one, or (when no
//! object has that exact name) every object whose name starts with it.

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::{
    Endpoints, Node, PersistentVolume, PersistentVolumeClaim, Pod, ReplicationController, Service,
};

use crate::api::selector::Selector;
use crate::api::store::{Object, controller_ref};
use crate::api::stored_pod::StoredPod;
use crate::api::{ApiError, Kind, ObjKey, Store};
use crate::kubectl::describe::{self, DescribeEnv};
use crate::kubectl::flags::{Flag, FlagKind, flag};
use crate::kubectl::resources;
use crate::kubectl::{Env, Output, SimResult};
use crate::sim::Cluster;

const FLAGS: &[Flag] = &[
    flag("selector", Some('l'), FlagKind::String),
    flag("all-namespaces", Some('A'), FlagKind::Bool),
    flag("show-events", None, FlagKind::Bool),
];

pub fn run(env: &mut Env, words: &[String], out: &mut Output) -> SimResult<()> {
    let Some(flags) = super::flags_or_fail("describe", FLAGS, words, out) else { return Ok(()) };
    // describe's Complete (same text in 1.17 and 1.33); no usage hint follows.
    let Some(targets) = super::targets_or_fail(
        &flags.args,
        "error: You must specify the type of resource to describe. Use \"kubectl api-resources\" for a complete list of supported resources.",
        out,
    ) else {
        return Ok(());
    };
    let namespace = resources::namespace(&flags);
    let all_ns = flags.bool("all-namespaces");
    let kinds: Vec<Kind> = targets.iter().map(|t| t.kind).collect();
    let Ok(selector) = super::selector_or_fail(&flags, env.cluster.profile(), &kinds, out) else {
        return Ok(());
    };
    let selector = selector.unwrap_or_default();
    let cluster: &Cluster = env.cluster;
    let store = &cluster.store;
    let mut texts: Vec<String> = Vec::new();
    let mut prefix_texts: Vec<String> = Vec::new();
    let mut errors = Vec::new();
    for t in &targets {
        if t.names.is_empty() {
            let ns = if all_ns { None } else { Some(namespace.as_str()) };
            for key in resources::list_keys(store, t.kind, ns, &selector) {
                texts.extend(describe_one(cluster, t.kind, &key));
            }
            continue;
        }
        for name in &t.names {
            let key = resources::key(t.kind, &namespace, name);
            if resources::exists(store, t.kind, &key) {
                texts.extend(describe_one(cluster, t.kind, &key));
                continue;
            }
            let matches: Vec<ObjKey> =
                resources::list_keys(store, t.kind, Some(&namespace), &Selector::everything())
                    .into_iter()
                    .filter(|k| k.1.starts_with(name.as_str()))
                    .collect();
            if matches.is_empty() {
                errors.push(ApiError::not_found(t.kind, name));
            }
            for k in matches {
                prefix_texts.extend(describe_one(cluster, t.kind, &k));
            }
        }
    }
    // Exact matches are separated by two blank lines; prefix matches each end with one.
    out.out(texts.join("\n\n"));
    for text in prefix_texts {
        out.out(text);
        out.out("\n");
    }
    for e in &errors {
        out.api_error(env.cluster.profile(), e);
    }
    if out.stdout.is_empty() && errors.is_empty() {
        if all_ns {
            out.err_line("No resources found");
        } else {
            out.err_line(format!("No resources found in {namespace} namespace."));
        }
    }
    Ok(())
}

fn env_for<'a, T: Object>(store: &'a Store, obj: &T) -> DescribeEnv<'a> {
    let uid = obj.metadata().uid.clone().unwrap_or_default();
    DescribeEnv {
        profile: &store.profile,
        clock: store.clock,
        now: store.now,
        events: store.events_for(&uid),
    }
}

/// Pods controlled by the owner with this uid (materialised: describers read pods whole).
fn controlled_pods(store: &Store, uid: &str) -> Vec<Pod> {
    store
        .pods_owned_by(uid)
        .into_iter()
        .filter(|p| controller_ref(&p.metadata).is_some_and(|r| r.uid == uid))
        .map(StoredPod::materialise)
        .collect()
}

/// The namespace's pods with a volume naming the claim (`getPodsForPVC`).
fn pods_using_claim(store: &Store, namespace: &str, claim: &str) -> Vec<Pod> {
    store
        .list_stored::<Pod>(Some(namespace))
        .filter(|p| {
            p.spec_sans_per_pod_parts().and_then(|s| s.volumes.as_ref()).is_some_and(|vs| {
                vs.iter().any(|v| v.persistent_volume_claim.as_ref().is_some_and(|c| c.claim_name == claim))
            })
        })
        .map(StoredPod::materialise)
        .collect()
}

/// The borrowed list describers take.
fn refs(pods: &[Pod]) -> Vec<&Pod> {
    pods.iter().collect()
}

/// Reads only: the store, and the simulation state behind objects kubesim does not keep
/// (the node Lease).
fn describe_one(cluster: &Cluster, kind: Kind, key: &ObjKey) -> Option<String> {
    let store = &cluster.store;
    Some(match kind {
        Kind::Pod => {
            let pod = store.get_by_key::<Pod>(key)?;
            describe::describe_pod(&pod, &env_for(store, &*pod))
        }
        Kind::ReplicaSet => {
            let rs = store.get_by_key::<ReplicaSet>(key)?;
            let pods = controlled_pods(store, rs.metadata.uid.as_deref().unwrap_or(""));
            describe::describe_replica_set(rs, &refs(&pods), &env_for(store, rs))
        }
        Kind::Deployment => {
            let d = store.get_by_key::<Deployment>(key)?;
            let rss = crate::kubectl::deployments::DeploymentReplicaSets::of(store, d);
            describe::describe_deployment(d, &rss.old, rss.new, &env_for(store, d))
        }
        Kind::DaemonSet => {
            let ds = store.get_by_key::<k8s_openapi::api::apps::v1::DaemonSet>(key)?;
            let selector = crate::api::selector::Selector::from_label_selector(
                &ds.spec.as_ref().map(|s| s.selector.clone()).unwrap_or_default(),
            )
            .ok()?;
            let pods: Vec<Pod> = store
                .list_stored::<Pod>(Some(&key.0))
                .filter(|p| !selector.is_empty() && selector.matches_opt(p.metadata.labels.as_ref()))
                .map(StoredPod::materialise)
                .collect();
            describe::describe_daemon_set(ds, &refs(&pods), &env_for(store, ds))
        }
        Kind::StatefulSet => {
            let set = store.get_by_key::<k8s_openapi::api::apps::v1::StatefulSet>(key)?;
            let pods = controlled_pods(store, set.metadata.uid.as_deref().unwrap_or(""));
            describe::describe_stateful_set(set, &refs(&pods), &env_for(store, set))
        }
        Kind::ReplicationController => {
            let rc = store.get_by_key::<ReplicationController>(key)?;
            let pods = controlled_pods(store, rc.metadata.uid.as_deref().unwrap_or(""));
            describe::describe_replication_controller(rc, &refs(&pods), &env_for(store, rc))
        }
        Kind::Node => {
            let node = store.get_by_key::<Node>(key)?;
            let pods: Vec<Pod> = store
                .pods_on_node(&key.1)
                .into_iter()
                .filter(|p| {
                    !matches!(
                        p.status.as_ref().and_then(|s| s.phase.as_deref()),
                        Some("Succeeded" | "Failed")
                    )
                })
                .map(StoredPod::materialise)
                .collect();
            let lease = cluster.node_lease(&key.1);
            let reported = cluster.node_with_heartbeats(&key.1)?;
            describe::describe_node_with_lease(&reported, lease.as_ref(), &refs(&pods), &env_for(store, node))
        }
        Kind::CronJob => {
            let cj = store.get_by_key::<k8s_openapi::api::batch::v1::CronJob>(key)?;
            describe::describe_cronjob(cj, &env_for(store, cj))
        }
        Kind::Job => {
            let job = store.get_by_key::<k8s_openapi::api::batch::v1::Job>(key)?;
            describe::describe_job(job, &env_for(store, job))
        }
        Kind::Service => {
            let svc = store.get_by_key::<Service>(key)?;
            let endpoints = store.get_by_key::<Endpoints>(key);
            describe::describe_service(svc, endpoints, &env_for(store, svc))
        }
        Kind::HorizontalPodAutoscaler => {
            let hpa = store.get_by_key::<k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler>(key)?;
            describe::describe_hpa(hpa, &env_for(store, hpa))
        }
        Kind::PersistentVolumeClaim => {
            let pvc = store.get_by_key::<PersistentVolumeClaim>(key)?;
            let pods = pods_using_claim(store, &key.0, &key.1);
            describe::describe_persistent_volume_claim(pvc, &refs(&pods), &env_for(store, pvc))
        }
        Kind::PersistentVolume => {
            let pv = store.get_by_key::<PersistentVolume>(key)?;
            describe::describe_persistent_volume(pv, &env_for(store, pv))
        }
        Kind::Endpoints => {
            let ep = store.get_by_key::<Endpoints>(key)?;
            describe::describe_endpoints(ep, &env_for(store, ep))
        }
        Kind::ConfigMap => {
            let cm = store.get_by_key::<k8s_openapi::api::core::v1::ConfigMap>(key)?;
            describe::describe_config_map(cm, &env_for(store, cm))
        }
        Kind::Secret => {
            let secret = store.get_by_key::<k8s_openapi::api::core::v1::Secret>(key)?;
            describe::describe_secret(secret, &env_for(store, secret))
        }
        Kind::Namespace => {
            let ns = store.get_by_key::<k8s_openapi::api::core::v1::Namespace>(key)?;
            describe::describe_namespace(ns, &env_for(store, ns))
        }
        // kubectl has no ControllerRevision describer: its generic one shows the object.
        Kind::ControllerRevision => {
            let value = resources::get_value(store, kind, key)?;
            let uid = value.pointer("/metadata/uid").and_then(|v| v.as_str()).unwrap_or("").to_string();
            let env = DescribeEnv {
                profile: &store.profile,
                clock: store.clock,
                now: store.now,
                events: store.events_for(&uid),
            };
            describe::describe_generic(&value, &env)
        }
        // Kinds without a describer yet.
        _ => return None,
    })
}
