//! From a metric proposal to the replica count the controller sets
//! (`horizontal.go`: `normalizeDesiredReplicas`, `stabilizeRecommendation`,
//! `convertDesiredReplicasWithRules` without `behavior`;
//! `normalizeDesiredReplicasWithBehaviors`, `stabilizeRecommendationWithBehaviors`,
//! `convertDesiredReplicasWithBehaviorRate`, `calculateScale{Up,Down}Limit…` with it).

use k8s_openapi::api::autoscaling::v2::{
    HPAScalingRules, HorizontalPodAutoscalerBehavior, HorizontalPodAutoscalerStatus,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use super::set_condition;
use crate::api::ObjKey;
use crate::constants;
use crate::hash::HashMap;
use crate::time::{Millis, SECOND};

/// One recommendation the controller remembers (`timestampedRecommendation`).
#[derive(Clone, Copy, Debug)]
pub struct Recommendation {
    pub at: Millis,
    pub replicas: i32,
}

/// One rescale, for the rate policies (`timestampedScaleEvent`).
#[derive(Clone, Copy, Debug)]
pub struct ScaleEvent {
    pub change: i32,
    pub at: Millis,
    pub outdated: bool,
}

pub struct Args<'a> {
    pub key: &'a ObjKey,
    pub current: i32,
    pub desired: i32,
    pub min: i32,
    pub max: i32,
    pub now: Millis,
}

/// Records `replicas` at `now`, reusing the slot of a sample older than every window.
fn record(list: &mut Vec<Recommendation>, old: Option<usize>, replicas: i32, now: Millis) {
    match old {
        Some(i) => list[i] = Recommendation { at: now, replicas },
        None => list.push(Recommendation { at: now, replicas }),
    }
}

/// `AbleToScale` reasons and messages when a stabilization window changed the
/// recommendation (`normalizeDesiredReplicas*`).
const SCALE_UP_STABILIZED: (&str, &str) = (
    "ScaleUpStabilized",
    "recent recommendations were lower than current one, applying the lowest recent recommendation",
);
const SCALE_DOWN_STABILIZED: (&str, &str) = (
    "ScaleDownStabilized",
    "recent recommendations were higher than current one, applying the highest recent recommendation",
);

/// The `AbleToScale` condition after stabilization: the window's reason when it changed
/// the recommendation, else `ReadyForNewScale`.
fn able_to_scale(
    status: &mut HorizontalPodAutoscalerStatus,
    stabilized: Option<(&str, &str)>,
    now_time: &Time,
) {
    let (reason, message) =
        stabilized.unwrap_or(("ReadyForNewScale", "recommended size matches current size"));
    set_condition(status, "AbleToScale", true, reason, message.into(), now_time);
}

/// Without `behavior`: the highest recommendation of the last 5 minutes, then the
/// bounds [min, min(max, max(2 × current, 4))].
pub fn legacy(
    recommendations: &mut HashMap<ObjKey, Vec<Recommendation>>,
    args: &Args,
    status: &mut HorizontalPodAutoscalerStatus,
    now_time: &Time,
) -> i32 {
    let list = recommendations.entry(args.key.clone()).or_default();
    let cutoff = args.now as i64 - constants::HPA_DOWNSCALE_STABILIZATION_MS as i64;
    let mut stabilized = args.desired;
    let mut old = None;
    for (i, rec) in list.iter().enumerate() {
        if (rec.at as i64) < cutoff {
            old = Some(i);
        } else if rec.replicas > stabilized {
            stabilized = rec.replicas;
        }
    }
    record(list, old, args.desired, args.now);
    able_to_scale(status, (stabilized != args.desired).then_some(SCALE_DOWN_STABILIZED), now_time);
    let (desired, reason, message) = rules(args.current, stabilized, args.min, args.max);
    set_condition(status, "ScalingLimited", desired != stabilized, reason, message.into(), now_time);
    desired
}

/// `convertDesiredReplicasWithRules`.
fn rules(current: i32, desired: i32, min: i32, max: i32) -> (i32, &'static str, &'static str) {
    let scale_up_limit = (constants::HPA_SCALE_UP_LIMIT_FACTOR * current as f64)
        .max(constants::HPA_SCALE_UP_LIMIT_MINIMUM) as i32;
    if desired < min {
        return (min, "TooFewReplicas", "the desired replica count is less than the minimum replica count");
    }
    let (maximum, reason, message) = if max > scale_up_limit {
        (
            scale_up_limit,
            "ScaleUpLimit",
            "the desired replica count is increasing faster than the maximum scale rate",
        )
    } else {
        (max, "TooManyReplicas", "the desired replica count is more than the maximum replica count")
    };
    if desired > maximum {
        return (maximum, reason, message);
    }
    (desired, "DesiredWithinRange", "the desired count is within the acceptable range")
}

/// With `behavior`: stabilization windows both ways, then the rate policies.
#[allow(clippy::too_many_arguments)]
pub fn with_behaviors(
    recommendations: &mut HashMap<ObjKey, Vec<Recommendation>>,
    up_events: &HashMap<ObjKey, Vec<ScaleEvent>>,
    down_events: &HashMap<ObjKey, Vec<ScaleEvent>>,
    behavior: &HorizontalPodAutoscalerBehavior,
    args: &Args,
    status: &mut HorizontalPodAutoscalerStatus,
    now_time: &Time,
) -> i32 {
    let up = behavior.scale_up.clone().unwrap_or_default();
    let down = behavior.scale_down.clone().unwrap_or_default();
    let up_window = up.stabilization_window_seconds.unwrap_or(0) as i64 * SECOND as i64;
    let down_window = down
        .stabilization_window_seconds
        .map(|s| s as i64 * SECOND as i64)
        .unwrap_or(constants::HPA_DOWNSCALE_STABILIZATION_MS as i64);
    let now = args.now as i64;
    let (up_cutoff, down_cutoff) = (now - up_window, now - down_window);
    let list = recommendations.entry(args.key.clone()).or_default();
    let mut up_rec = args.desired;
    let mut down_rec = args.desired;
    let mut old = None;
    for (i, rec) in list.iter().enumerate() {
        let at = rec.at as i64;
        if at > up_cutoff {
            up_rec = up_rec.min(rec.replicas);
        }
        if at > down_cutoff {
            down_rec = down_rec.max(rec.replicas);
        }
        if at < up_cutoff && at < down_cutoff {
            old = Some(i);
        }
    }
    let stabilized = args.current.max(up_rec).min(down_rec);
    record(list, old, args.desired, args.now);
    let stabilization =
        if args.desired >= args.current { SCALE_UP_STABILIZED } else { SCALE_DOWN_STABILIZED };
    able_to_scale(status, (stabilized != args.desired).then_some(stabilization), now_time);
    let no_events = Vec::new();
    let ups = up_events.get(args.key).unwrap_or(&no_events);
    let downs = down_events.get(args.key).unwrap_or(&no_events);
    let (desired, reason, message) = rate(args, stabilized, &up, &down, ups, downs);
    set_condition(status, "ScalingLimited", desired != stabilized, reason, message.into(), now_time);
    desired
}

/// Replicas changed by the events within the last `period_seconds`.
fn change_in_period(events: &[ScaleEvent], period_seconds: i32, now: Millis) -> i32 {
    let cutoff = now as i64 - period_seconds as i64 * SECOND as i64;
    events.iter().filter(|e| e.at as i64 > cutoff).map(|e| e.change).sum()
}

/// `convertDesiredReplicasWithBehaviorRate`.
fn rate(
    args: &Args,
    desired: i32,
    up: &HPAScalingRules,
    down: &HPAScalingRules,
    ups: &[ScaleEvent],
    downs: &[ScaleEvent],
) -> (i32, &'static str, &'static str) {
    let current = args.current;
    if desired > current {
        let limit = scaling_limit(up, true, current, ups, downs, args.now).max(current);
        let (maximum, reason, message) = if args.max > limit {
            (
                limit,
                "ScaleUpLimit",
                "the desired replica count is increasing faster than the maximum scale rate",
            )
        } else {
            (args.max, "TooManyReplicas", "the desired replica count is more than the maximum replica count")
        };
        if desired > maximum {
            return (maximum, reason, message);
        }
    } else if desired < current {
        let limit = scaling_limit(down, false, current, ups, downs, args.now).min(current);
        let (minimum, reason, message) = if args.min < limit {
            (
                limit,
                "ScaleDownLimit",
                "the desired replica count is decreasing faster than the maximum scale rate",
            )
        } else {
            (args.min, "TooFewReplicas", "the desired replica count is less than the minimum replica count")
        };
        if desired < minimum {
            return (minimum, reason, message);
        }
    }
    (desired, "DesiredWithinRange", "the desired count is within the acceptable range")
}

/// `calculateScaleUpLimitWithScalingRules` (`up`) and
/// `calculateScaleDownLimitWithScalingRules`: each policy's limit from the replicas at
/// the start of its period; `selectPolicy: Max` (the default) takes the one allowing the
/// largest change, `Min` the smallest, `Disabled` allows none.
fn scaling_limit(
    rules: &HPAScalingRules,
    up: bool,
    current: i32,
    ups: &[ScaleEvent],
    downs: &[ScaleEvent],
    now: Millis,
) -> i32 {
    let policy = rules.select_policy.as_deref().unwrap_or("Max");
    if policy == "Disabled" {
        return current;
    }
    // The smallest change is the lowest limit going up, the highest going down.
    let lowest = (policy == "Min") == up;
    let mut result = if lowest { i32::MAX } else { i32::MIN };
    for p in rules.policies.iter().flatten() {
        let start = current - change_in_period(ups, p.period_seconds, now)
            + change_in_period(downs, p.period_seconds, now);
        let proposed = match (p.type_ == "Pods", up) {
            (true, true) => start + p.value,
            (true, false) => start - p.value,
            (false, true) => (start as f64 * (1.0 + p.value as f64 / 100.0)).ceil() as i32,
            (false, false) => (start as f64 * (1.0 - p.value as f64 / 100.0)) as i32,
        };
        result = if lowest { result.min(proposed) } else { result.max(proposed) };
    }
    result
}

/// `storeScaleEvent`: events older than the longest policy period are reused.
pub fn store_scale_event(
    up_events: &mut HashMap<ObjKey, Vec<ScaleEvent>>,
    down_events: &mut HashMap<ObjKey, Vec<ScaleEvent>>,
    behavior: &HorizontalPodAutoscalerBehavior,
    key: &ObjKey,
    previous: i32,
    new: i32,
    now: Millis,
) {
    let (events, rules, change) = if new > previous {
        (up_events.entry(key.clone()).or_default(), behavior.scale_up.clone(), new - previous)
    } else {
        (down_events.entry(key.clone()).or_default(), behavior.scale_down.clone(), previous - new)
    };
    let longest =
        rules.and_then(|r| r.policies).into_iter().flatten().map(|p| p.period_seconds).max().unwrap_or(0);
    let cutoff = now as i64 - longest as i64 * SECOND as i64;
    for e in events.iter_mut() {
        if (e.at as i64) <= cutoff {
            e.outdated = true;
        }
    }
    let fresh = ScaleEvent { change, at: now, outdated: false };
    match events.iter_mut().find(|e| e.outdated) {
        Some(slot) => *slot = fresh,
        None => events.push(fresh),
    }
}
