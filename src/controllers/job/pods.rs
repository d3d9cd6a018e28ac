//! A Job's pods: what a sync counts, which pods it creates (names and indexes by
//! version) and which active pods it deletes first.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::{EnvVar, EnvVarSource, ObjectFieldSelector, Pod};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};

use super::{JobMemory, JobView, status};
use crate::api::admission::admit;
use crate::api::event::EventType;
use crate::api::store::DeleteOptions;
use crate::api::stored_pod::StoredPod;
use crate::api::{ObjKey, Store};
use crate::profile::JobBackoff;

/// The finalizer that keeps a finished Job pod until the controller counted it.
pub const TRACKING_FINALIZER: &str = "batch.kubernetes.io/job-tracking";

/// The annotation (and, 1.28+, label) holding an Indexed Job pod's completion index.
pub const COMPLETION_INDEX: &str = "batch.kubernetes.io/job-completion-index";

/// What one sync learns from the Job's pods.
pub struct Census {
    /// Active pods (not finished, not being deleted), with their completion index.
    pub active_pods: Vec<ActivePod>,
    pub succeeded: i32,
    pub failed: i32,
    pub ready: i32,
    /// Pods being deleted that have not finished.
    pub terminating: usize,
    /// Σ restartCount of Running/Pending pods (`pastBackoffLimitOnFailure`).
    pub restarts: i32,
    pub succeeded_indexes: BTreeSet<i32>,
}

pub struct ActivePod {
    pub key: ObjKey,
    pub index: Option<i32>,
    /// `controller.ActivePods` order, smallest deleted first.
    order: (bool, u8, bool, i64),
}

fn phase(pod: &StoredPod) -> &str {
    pod.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or("Pending")
}

fn is_ready(pod: &StoredPod) -> bool {
    pod.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

fn completion_index(pod: &StoredPod) -> Option<i32> {
    pod.metadata.annotations.as_ref()?.get(COMPLETION_INDEX)?.parse().ok()
}

impl Census {
    pub fn take(job: &JobView, store: &Store, memory: &mut JobMemory, backoff: JobBackoff) -> Census {
        let mut census = Census {
            active_pods: Vec::new(),
            succeeded: 0,
            failed: 0,
            ready: 0,
            terminating: 0,
            restarts: 0,
            succeeded_indexes: BTreeSet::new(),
        };
        let completions = job.spec.completions.unwrap_or(0);
        let tracking = store.profile.job.tracking_finalizer;
        for pod in store.pods_controlled_by(&job.uid) {
            let phase = phase(pod);
            let index = completion_index(pod);
            let terminal = phase == "Succeeded" || phase == "Failed";
            if matches!(phase, "Running" | "Pending") {
                census.restarts += pod
                    .status
                    .iter()
                    .flat_map(|s| {
                        s.container_statuses
                            .iter()
                            .flatten()
                            .chain(s.init_container_statuses.iter().flatten())
                    })
                    .map(|c| c.restart_count)
                    .sum::<i32>();
            }
            if terminal {
                let uid = if tracking { String::new() } else { pod.metadata.uid.clone().unwrap_or_default() };
                match backoff {
                    // Counted once, when first seen finished: a pod still holding the
                    // tracking finalizer is not counted yet (the finalizer is the
                    // record, as in the real controller); without finalizers, the set
                    // of counted uids is.
                    JobBackoff::FailureRecords => {
                        let fresh = if tracking {
                            pod.metadata.finalizers.iter().flatten().any(|f| f == TRACKING_FINALIZER)
                        } else {
                            memory.counted.insert(uid)
                        };
                        if fresh {
                            if phase == "Succeeded" {
                                memory.succeeded += 1;
                                memory.consecutive_failures = 0;
                                if let Some(i) = index {
                                    memory.completed_indexes.insert(i);
                                }
                            } else {
                                memory.failed += 1;
                                memory.consecutive_failures += 1;
                                memory.last_failure = store.now;
                            }
                        }
                    }
                    // Recounted from the pods there are (legacy tracking).
                    JobBackoff::Queue => {
                        if phase == "Succeeded" {
                            census.succeeded += 1;
                            if let Some(i) = index {
                                census.succeeded_indexes.insert(i);
                            }
                        } else {
                            census.failed += 1;
                        }
                    }
                }
                continue;
            }
            if pod.metadata.deletion_timestamp.is_some() {
                census.terminating += 1;
                continue;
            }
            let ready = is_ready(pod);
            census.ready += i32::from(ready);
            let created = pod.metadata.creation_timestamp.as_ref().map_or(0, |t| t.0.as_millisecond());
            census.active_pods.push(ActivePod {
                key: (
                    pod.metadata.namespace.clone().unwrap_or_default(),
                    pod.metadata.name.clone().unwrap_or_default(),
                ),
                index,
                order: (
                    pod.bound_node().is_some(),
                    match phase {
                        "Pending" => 0,
                        "Unknown" => 1,
                        _ => 2,
                    },
                    ready,
                    -created,
                ),
            });
        }
        if backoff == JobBackoff::FailureRecords {
            census.succeeded = memory.succeeded;
            census.failed = memory.failed;
            census.succeeded_indexes = memory.completed_indexes.clone();
        }
        if job.indexed() {
            census.succeeded_indexes.retain(|i| *i < completions);
            census.succeeded = census.succeeded_indexes.len() as i32;
        }
        census
    }
}

/// Deletes up to `count` active pods in `ActivePods` order (unscheduled, pending, not
/// ready, newest first); returns how many it deleted.
pub fn delete_active(job: &JobView, census: &Census, count: usize, store: &mut Store) -> usize {
    let mut victims: Vec<&ActivePod> = census.active_pods.iter().collect();
    victims.sort_by_key(|p| p.order);
    let mut deleted = 0;
    for pod in victims.into_iter().take(count.min(crate::constants::JOB_MAX_PODS_PER_SYNC)) {
        if store.delete::<Pod>(&pod.key.0, &pod.key.1, DeleteOptions::default()).is_ok() {
            status::record(
                job,
                store,
                EventType::Normal,
                "SuccessfulDelete",
                format!("Deleted pod: {}", pod.key.1),
            );
            deleted += 1;
        }
    }
    deleted
}

/// Creates `count` pods from the template; returns how many were created.
pub fn create(job: &JobView, census: &Census, count: usize, store: &mut Store) -> usize {
    let indexes: Vec<Option<i32>> = if job.indexed() {
        let busy: BTreeSet<i32> = census.active_pods.iter().filter_map(|p| p.index).collect();
        (0..job.spec.completions.unwrap_or(0))
            .filter(|i| !census.succeeded_indexes.contains(i) && !busy.contains(i))
            .take(count)
            .map(Some)
            .collect()
    } else {
        vec![None; count]
    };
    let mut created = 0;
    for index in indexes {
        let mut pod = pod_from_template(job, index, store);
        let result = admit(&mut pod, store).and_then(|_| store.create(pod));
        match result {
            Ok(pod) => {
                let name = pod.metadata.name.clone().unwrap_or_default();
                status::record(
                    job,
                    store,
                    EventType::Normal,
                    "SuccessfulCreate",
                    format!("Created pod: {name}"),
                );
                created += 1;
            }
            Err(err) => {
                status::record(
                    job,
                    store,
                    EventType::Warning,
                    "FailedCreate",
                    format!("Error creating: {err}"),
                );
            }
        }
    }
    created
}

/// The pod a Job creates: `generateName` by version and mode, the template's labels and
/// annotations, the Job as controller, and for Indexed Jobs the index annotation
/// (label from 1.28), hostname and `JOB_COMPLETION_INDEX` variable.
fn pod_from_template(job: &JobView, index: Option<i32>, store: &Store) -> Pod {
    let template = &job.spec.template;
    let meta = template.metadata.clone().unwrap_or_default();
    let name = &job.key.1;
    let generate_name = match index {
        Some(i) => {
            let prefix = format!("{name}-{i}-");
            if prefix.len() > crate::constants::MAX_GENERATED_NAME_PREFIX {
                let keep = crate::constants::MAX_GENERATED_NAME_PREFIX - (prefix.len() - name.len());
                format!("{}-{i}-", &name[..keep])
            } else {
                prefix
            }
        }
        None if store.profile.job.unknown_index_in_pod_name => format!("{name}--1-"),
        None => format!("{name}-"),
    };
    let mut labels = meta.labels.clone();
    let mut annotations = meta.annotations.clone();
    let mut spec = template.spec.clone();
    if let Some(i) = index {
        annotations.get_or_insert_with(BTreeMap::new).insert(COMPLETION_INDEX.into(), i.to_string());
        if store.profile.job.index_label {
            labels.get_or_insert_with(BTreeMap::new).insert(COMPLETION_INDEX.into(), i.to_string());
        }
        if let Some(spec) = spec.as_mut() {
            spec.hostname.get_or_insert_with(|| format!("{name}-{i}"));
            let env = EnvVar {
                name: "JOB_COMPLETION_INDEX".into(),
                value: None,
                value_from: Some(EnvVarSource {
                    field_ref: Some(ObjectFieldSelector {
                        api_version: Some("v1".into()),
                        field_path: format!("metadata.annotations['{COMPLETION_INDEX}']"),
                    }),
                    ..Default::default()
                }),
            };
            for c in spec.containers.iter_mut().chain(spec.init_containers.iter_mut().flatten()) {
                c.env.get_or_insert_with(Vec::new).push(env.clone());
            }
        }
    }
    let finalizers = store.profile.job.tracking_finalizer.then(|| vec![TRACKING_FINALIZER.to_string()]);
    Pod {
        metadata: ObjectMeta {
            generate_name: Some(generate_name),
            finalizers,
            namespace: Some(job.key.0.clone()),
            labels,
            annotations,
            owner_references: Some(vec![OwnerReference {
                api_version: "batch/v1".into(),
                kind: "Job".into(),
                name: name.clone(),
                uid: job.uid.clone(),
                controller: Some(true),
                block_owner_deletion: Some(true),
            }]),
            ..Default::default()
        },
        spec,
        status: None,
    }
}

/// Removes the tracking finalizer from the Job's pods that finished or are being
/// deleted: they are counted (or will never count) by now.
pub fn release_counted(uid: &str, store: &mut Store) {
    if !store.profile.job.tracking_finalizer {
        return;
    }
    let done: Vec<ObjKey> = store
        .pods_controlled_by(uid)
        .filter(|p| {
            let phase = phase(p);
            let has = p.metadata.finalizers.iter().flatten().any(|f| f == TRACKING_FINALIZER);
            has && (phase == "Succeeded" || phase == "Failed" || p.metadata.deletion_timestamp.is_some())
        })
        .map(|p| {
            (p.metadata.namespace.clone().unwrap_or_default(), p.metadata.name.clone().unwrap_or_default())
        })
        .collect();
    for key in done {
        let _ = store.update_meta::<Pod>(&key, |meta| {
            if let Some(list) = meta.finalizers.as_mut() {
                list.retain(|f| f != TRACKING_FINALIZER);
                if list.is_empty() {
                    meta.finalizers = None;
                }
            }
        });
    }
}

/// `status.completedIndexes`: sorted indexes with runs as intervals, `1,3-5`.
pub fn format_indexes(indexes: &BTreeSet<i32>) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut iter = indexes.iter().copied().peekable();
    while let Some(first) = iter.next() {
        let mut last = first;
        while iter.peek() == Some(&(last + 1)) {
            last = iter.next().expect("peeked");
        }
        parts.push(if first == last { first.to_string() } else { format!("{first}-{last}") });
    }
    parts.join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interval_strings() {
        let set: BTreeSet<i32> = [0, 1, 3, 4, 5, 7].into_iter().collect();
        assert_eq!(format_indexes(&set), "0-1,3-5,7");
        assert_eq!(format_indexes(&BTreeSet::new()), "");
    }
}
