//! The HorizontalPodAutoscaler controller (`pkg/controller/podautoscaler/horizontal.go`).
//!
//! Every HPA is reconciled 15 s after it is added and every 15 s after that (the
//! controller's fixed-interval queue). A reconcile reads the target's scale
//! subresource, computes a proposal per metric ([`replicas`]), keeps the largest, then
//! normalizes it: without `spec.behavior` by the legacy rules (the highest
//! recommendation of the last 5 minutes, at most max(2 × current, 4)), with it by the
//! stabilization windows and rate policies ([`normalize`]). Recommendations and scale
//! events live in controller memory, as in kube-controller-manager.

mod normalize;
pub mod replicas;

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::autoscaling::v2::{
    HorizontalPodAutoscaler, HorizontalPodAutoscalerCondition, HorizontalPodAutoscalerStatus, MetricStatus,
    MetricValueStatus, ResourceMetricStatus,
};
use k8s_openapi::api::core::v1::{Pod, ReplicationController};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use crate::api::event::EventType;
use crate::api::selector::Selector;
use crate::api::store::{Change, ChangeOp, involved};
use crate::api::stored_pod::StoredPod;
use crate::api::{Kind, ObjKey, Store};
use crate::constants;
use crate::hash::HashMap;
use crate::sim::metrics::PodMetrics;
use crate::time::Millis;

pub use normalize::{Recommendation, ScaleEvent};

const COMPONENT: &str = "horizontal-pod-autoscaler";

/// Requeues the controller asks the clock for (shared with the other controllers).
pub type Requeues = crate::controllers::replicaset::Requeues;

#[derive(Default)]
pub struct HpaController {
    /// HPAs added since the last run: their first sync is one period away.
    added: Vec<ObjKey>,
    /// HPAs whose timer fired.
    due: Vec<ObjKey>,
    /// The time of each HPA's pending timer (a re-created HPA starts a new chain).
    next: HashMap<ObjKey, Millis>,
    recommendations: HashMap<ObjKey, Vec<Recommendation>>,
    scale_up_events: HashMap<ObjKey, Vec<ScaleEvent>>,
    scale_down_events: HashMap<ObjKey, Vec<ScaleEvent>>,
}

/// The target's scale subresource.
struct Scale {
    kind: Kind,
    key: ObjKey,
    replicas: i32,
    selector: Option<Selector>,
}

fn read_scale(store: &Store, namespace: &str, kind: &str, name: &str) -> Result<Scale, String> {
    let key = (namespace.to_string(), name.to_string());
    let not_found = |k: Kind| format!("{} \"{name}\" not found", k.qualified_plural());
    let (kind, replicas, selector) = match kind {
        "Deployment" => {
            let d = store.get_by_key::<Deployment>(&key).ok_or_else(|| not_found(Kind::Deployment))?;
            let spec = d.spec.clone().unwrap_or_default();
            (Kind::Deployment, spec.replicas.unwrap_or(1), Selector::from_label_selector(&spec.selector).ok())
        }
        "ReplicaSet" => {
            let rs = store.get_by_key::<ReplicaSet>(&key).ok_or_else(|| not_found(Kind::ReplicaSet))?;
            let spec = rs.spec.clone().unwrap_or_default();
            (Kind::ReplicaSet, spec.replicas.unwrap_or(1), Selector::from_label_selector(&spec.selector).ok())
        }
        "StatefulSet" => {
            let s = store.get_by_key::<StatefulSet>(&key).ok_or_else(|| not_found(Kind::StatefulSet))?;
            let spec = s.spec.clone().unwrap_or_default();
            (
                Kind::StatefulSet,
                spec.replicas.unwrap_or(1),
                Selector::from_label_selector(&spec.selector).ok(),
            )
        }
        "ReplicationController" => {
            let rc = store
                .get_by_key::<ReplicationController>(&key)
                .ok_or_else(|| not_found(Kind::ReplicationController))?;
            let spec = rc.spec.clone().unwrap_or_default();
            (
                Kind::ReplicationController,
                spec.replicas.unwrap_or(1),
                spec.selector.as_ref().map(Selector::from_map),
            )
        }
        other => return Err(format!("no matches for kind \"{other}\"")),
    };
    Ok(Scale { kind, key, replicas, selector })
}

fn write_scale(store: &mut Store, scale: &Scale, replicas: i32) -> Result<(), String> {
    fn set<T: crate::api::store::Object>(
        store: &mut Store,
        key: &ObjKey,
        f: impl FnOnce(&mut T),
    ) -> Result<(), String> {
        let mut obj = store.get_by_key::<T>(key).map(|o| T::clone(&o)).ok_or("gone")?;
        f(&mut obj);
        store.update(obj).map_err(|e| e.to_string())
    }
    match scale.kind {
        Kind::Deployment => set::<Deployment>(store, &scale.key, |d| {
            d.spec.get_or_insert_with(Default::default).replicas = Some(replicas)
        }),
        Kind::ReplicaSet => set::<ReplicaSet>(store, &scale.key, |d| {
            d.spec.get_or_insert_with(Default::default).replicas = Some(replicas)
        }),
        Kind::StatefulSet => set::<StatefulSet>(store, &scale.key, |d| {
            d.spec.get_or_insert_with(Default::default).replicas = Some(replicas)
        }),
        Kind::ReplicationController => set::<ReplicationController>(store, &scale.key, |d| {
            d.spec.get_or_insert_with(Default::default).replicas = Some(replicas)
        }),
        _ => Err("unsupported scale target".into()),
    }
}

/// `setCondition`: the transition time moves only when the status changes.
fn set_condition(
    status: &mut HorizontalPodAutoscalerStatus,
    type_: &str,
    value: bool,
    reason: &str,
    message: String,
    now: &k8s_openapi::apimachinery::pkg::apis::meta::v1::Time,
) {
    let value = if value { "True" } else { "False" };
    let conditions = status.conditions.get_or_insert_with(Vec::new);
    match conditions.iter_mut().find(|c| c.type_ == type_) {
        Some(c) => {
            if c.status != value {
                c.last_transition_time = Some(now.clone());
            }
            c.status = value.into();
            c.reason = Some(reason.into());
            c.message = Some(message);
        }
        None => conditions.push(HorizontalPodAutoscalerCondition {
            type_: type_.into(),
            status: value.into(),
            reason: Some(reason.into()),
            message: Some(message),
            last_transition_time: Some(now.clone()),
        }),
    }
}

/// A quantity of millicores as `resource.NewMilliQuantity(v, DecimalSI).String()`.
pub fn milli_quantity(m: i64) -> String {
    if m % 1000 == 0 { (m / 1000).to_string() } else { format!("{m}m") }
}

impl HpaController {
    pub fn observe(&mut self, change: &Change, _store: &Store) {
        if change.kind == Kind::HorizontalPodAutoscaler && change.op == ChangeOp::Added {
            self.added.push(change.key.clone());
        }
    }

    /// The timer of `key` fired at `at`.
    pub fn requeue(&mut self, key: ObjKey, at: Millis) {
        if self.next.get(&key) == Some(&at) {
            self.due.push(key);
        }
    }

    /// Schedules new HPAs and reconciles the due ones; returns how many it processed.
    pub fn run(&mut self, store: &mut Store, requeues: &mut Requeues, metrics: &PodMetrics) -> usize {
        let now = store.now;
        let mut work = 0;
        for key in std::mem::take(&mut self.added) {
            let at = now + constants::HPA_SYNC_MS;
            self.next.insert(key.clone(), at);
            requeues.push(at, (Kind::HorizontalPodAutoscaler, key));
        }
        for key in std::mem::take(&mut self.due) {
            work += 1;
            if store.get_by_key::<HorizontalPodAutoscaler>(&key).is_none() {
                self.forget(&key);
                continue;
            }
            self.reconcile(store, &key, metrics);
            let at = now + constants::HPA_SYNC_MS;
            self.next.insert(key.clone(), at);
            requeues.push(at, (Kind::HorizontalPodAutoscaler, key));
        }
        work
    }

    fn forget(&mut self, key: &ObjKey) {
        self.next.remove(key);
        self.recommendations.remove(key);
        self.scale_up_events.remove(key);
        self.scale_down_events.remove(key);
    }

    /// `reconcileAutoscaler`.
    fn reconcile(&mut self, store: &mut Store, key: &ObjKey, metrics: &PodMetrics) {
        let Some(hpa) = store.get_by_key::<HorizontalPodAutoscaler>(key).cloned() else { return };
        let now = store.now;
        let now_time = store.clock.time(now);
        let spec = hpa.spec.clone().unwrap_or_default();
        let mut status = hpa.status.clone().unwrap_or_default();
        let target = &spec.scale_target_ref;
        let inv = involved(&hpa);
        let scale = match read_scale(store, &key.0, &target.kind, &target.name) {
            Ok(s) => s,
            Err(e) => {
                set_condition(
                    &mut status,
                    "AbleToScale",
                    false,
                    "FailedGetScale",
                    format!("the HPA controller was unable to get the target's current scale: {e}"),
                    &now_time,
                );
                store.record_event(inv, EventType::Warning, "FailedGetScale", e, COMPONENT, None);
                write_status(store, &hpa, status);
                return;
            }
        };
        set_condition(
            &mut status,
            "AbleToScale",
            true,
            "SucceededGetScale",
            "the HPA controller was able to get the target's current scale".into(),
            &now_time,
        );
        let current = scale.replicas;
        self.recommendations
            .entry(key.clone())
            .or_insert_with(|| vec![Recommendation { at: now, replicas: current }]);
        let min = spec.min_replicas.unwrap_or(constants::HPA_DEFAULT_MIN_REPLICAS);
        let max = spec.max_replicas;
        let mut rescale = true;
        let mut reason = String::new();
        let mut desired;
        let mut metric_statuses: Option<Vec<MetricStatus>> = status.current_metrics.clone();
        if current == 0 && min != 0 {
            desired = 0;
            rescale = false;
            set_condition(
                &mut status,
                "ScalingActive",
                false,
                "ScalingDisabled",
                "scaling is disabled since the replica count of the target is zero".into(),
                &now_time,
            );
        } else if current > max {
            reason = "Current number of replicas above Spec.MaxReplicas".into();
            desired = max;
        } else if current < min {
            reason = "Current number of replicas below Spec.MinReplicas".into();
            desired = min;
        } else {
            let computed = self.compute_replicas_for_metrics(store, &hpa, &scale, metrics, &mut status);
            metric_statuses = Some(computed.statuses);
            let Some((proposal, metric_name)) = computed.proposal else {
                status.current_replicas = Some(current);
                status.current_metrics = metric_statuses.filter(|m| !m.is_empty());
                write_status(store, &hpa, status);
                if let Some(err) = computed.error {
                    store.record_event(
                        inv,
                        EventType::Warning,
                        "FailedComputeMetricsReplicas",
                        err,
                        COMPONENT,
                        None,
                    );
                }
                return;
            };
            desired = 0;
            if proposal > desired {
                desired = proposal;
            }
            if desired > current {
                reason = format!("{metric_name} above target");
            }
            if desired < current {
                reason = "All metrics below target".into();
            }
            let args = normalize::Args { key, current, desired, min, max, now };
            desired = match spec.behavior.as_ref() {
                None => normalize::legacy(&mut self.recommendations, &args, &mut status, &now_time),
                Some(behavior) => normalize::with_behaviors(
                    &mut self.recommendations,
                    &self.scale_up_events,
                    &self.scale_down_events,
                    behavior,
                    &args,
                    &mut status,
                    &now_time,
                ),
            };
            rescale = desired != current;
        }
        if rescale {
            if let Err(e) = write_scale(store, &scale, desired) {
                set_condition(
                    &mut status,
                    "AbleToScale",
                    false,
                    "FailedUpdateScale",
                    format!("the HPA controller was unable to update the target scale: {e}"),
                    &now_time,
                );
                store.record_event(
                    inv,
                    EventType::Warning,
                    "FailedRescale",
                    format!("New size: {desired}; reason: {reason}; error: {e}"),
                    COMPONENT,
                    None,
                );
                write_status(store, &hpa, status);
                return;
            }
            set_condition(
                &mut status,
                "AbleToScale",
                true,
                "SucceededRescale",
                format!("the HPA controller was able to update the target scale to {desired}"),
                &now_time,
            );
            store.record_event(
                inv,
                EventType::Normal,
                "SuccessfulRescale",
                format!("New size: {desired}; reason: {reason}"),
                COMPONENT,
                None,
            );
            if spec.behavior.is_some() {
                normalize::store_scale_event(
                    &mut self.scale_up_events,
                    &mut self.scale_down_events,
                    spec.behavior.as_ref().expect("checked"),
                    key,
                    current,
                    desired,
                    now,
                );
            }
            status.last_scale_time = Some(now_time.clone());
        } else {
            desired = current;
        }
        status.current_replicas = Some(current);
        status.desired_replicas = desired;
        status.current_metrics = metric_statuses.filter(|m| !m.is_empty());
        write_status(store, &hpa, status);
    }

    /// `computeReplicasForMetrics`: the largest proposal among valid metrics, or the
    /// aggregate error when every metric failed (or some failed and the rest would
    /// scale down).
    fn compute_replicas_for_metrics(
        &self,
        store: &mut Store,
        hpa: &HorizontalPodAutoscaler,
        scale: &Scale,
        metrics: &PodMetrics,
        status: &mut HorizontalPodAutoscalerStatus,
    ) -> Computed {
        let now_time = store.clock.time(store.now);
        let spec = hpa.spec.clone().unwrap_or_default();
        let specs = spec.metrics.clone().unwrap_or_default();
        let generic = store.profile.hpa_generic_metric_errors;
        let inv = involved(hpa);
        let mut statuses = vec![MetricStatus::default(); specs.len()];
        let Some(selector) = scale.selector.clone() else {
            let msg = "the HPA target's scale is missing a selector".to_string();
            set_condition(status, "ScalingActive", false, "InvalidSelector", msg.clone(), &now_time);
            store.record_event(inv, EventType::Warning, "SelectorRequired", msg.clone(), COMPONENT, None);
            return Computed { proposal: None, statuses: Vec::new(), error: Some(msg) };
        };
        // The calculator reads the pods in place; events are recorded afterwards.
        let outcomes: Vec<Option<Result<replicas::Proposal, String>>> = {
            let pods: Vec<&StoredPod> = store
                .list_stored::<Pod>(Some(&scale.key.0))
                .filter(|p| selector.matches_opt(p.metadata.labels.as_ref()))
                .collect();
            specs
                .iter()
                .map(|m| {
                    let r = m.resource.as_ref().filter(|_| {
                        m.type_ == "Resource" && m.resource.as_ref().is_some_and(|r| r.name == "cpu")
                    })?;
                    let target = r.target.average_utilization?;
                    Some(replicas::cpu_replicas(
                        scale.replicas,
                        target,
                        &pods,
                        metrics,
                        &store.clock,
                        store.now,
                        generic,
                    ))
                })
                .collect()
        };
        let mut best: Option<(i32, String)> = None;
        let mut invalid = 0;
        let mut first_error: Option<String> = None;
        let mut invalid_condition: Option<(String, String)> = None;
        for (i, m) in specs.iter().enumerate() {
            let resource = m.resource.as_ref().filter(|_| m.type_ == "Resource");
            let target = resource.and_then(|r| r.target.average_utilization.map(|u| (r.name.clone(), u)));
            let Some((name, _)) = target else {
                invalid += 1;
                if first_error.is_none() {
                    first_error = Some(format!("unsupported metric source type \"{}\" (kubesim)", m.type_));
                }
                continue;
            };
            if name != "cpu" {
                invalid += 1;
                first_error.get_or_insert_with(|| {
                    format!("failed to get {name} resource metric value: kubesim only simulates cpu")
                });
                continue;
            }
            let Some(outcome) = outcomes[i].clone() else { continue };
            match outcome {
                Ok(p) => {
                    statuses[i] = MetricStatus {
                        type_: "Resource".into(),
                        resource: Some(ResourceMetricStatus {
                            name: "cpu".into(),
                            current: MetricValueStatus {
                                average_utilization: Some(p.utilization),
                                average_value: Some(Quantity(milli_quantity(p.raw_milli))),
                                value: None,
                            },
                        }),
                        ..Default::default()
                    };
                    let metric_name = "cpu resource utilization (percentage of request)".to_string();
                    if best.as_ref().is_none_or(|(r, _)| p.replicas > *r) {
                        best = Some((p.replicas, metric_name));
                    }
                }
                Err(cause) => {
                    invalid += 1;
                    // The event and condition texts, and the error the aggregate quotes.
                    let (event, wrapped) = if generic {
                        let utilization = format!("failed to get cpu utilization: {cause}");
                        (
                            utilization.clone(),
                            format!("failed to get cpu resource metric value: {utilization}"),
                        )
                    } else {
                        (cause.clone(), format!("failed to get cpu utilization: {cause}"))
                    };
                    store.record_event(
                        inv.clone(),
                        EventType::Warning,
                        "FailedGetResourceMetric",
                        event.clone(),
                        COMPONENT,
                        None,
                    );
                    invalid_condition = Some((
                        "FailedGetResourceMetric".into(),
                        format!("the HPA was unable to compute the replica count: {event}"),
                    ));
                    first_error.get_or_insert(wrapped);
                }
            }
        }
        let all_invalid = invalid >= specs.len();
        let scales_down = best.as_ref().is_some_and(|(r, _)| *r < scale.replicas);
        if all_invalid || (invalid > 0 && scales_down) {
            if let Some((reason, message)) = invalid_condition {
                set_condition(status, "ScalingActive", false, &reason, message, &now_time);
            }
            let error = format!(
                "invalid metrics ({invalid} invalid out of {}), first error is: {}",
                specs.len(),
                first_error.unwrap_or_default()
            );
            return Computed { proposal: None, statuses, error: Some(error) };
        }
        let (replicas, name) = best.expect("a valid metric");
        set_condition(
            status,
            "ScalingActive",
            true,
            "ValidMetricFound",
            format!("the HPA was able to successfully calculate a replica count from {name}"),
            &now_time,
        );
        Computed { proposal: Some((replicas, name)), statuses, error: None }
    }
}

struct Computed {
    proposal: Option<(i32, String)>,
    statuses: Vec<MetricStatus>,
    error: Option<String>,
}

/// `updateStatusIfNeeded`: writes only when the status changed.
fn write_status(store: &mut Store, hpa: &HorizontalPodAutoscaler, status: HorizontalPodAutoscalerStatus) {
    if hpa.status.as_ref() == Some(&status) {
        return;
    }
    let key =
        (hpa.metadata.namespace.clone().unwrap_or_default(), hpa.metadata.name.clone().unwrap_or_default());
    let _ = store.modify_status::<HorizontalPodAutoscaler>(&key, |h| h.status = Some(status));
}
