//! `kubectl autoscale (TYPE NAME | TYPE/NAME) --max=N [--min=N] [--cpu-percent=N]
//! [--name=NAME]` (`cmd/autoscale/autoscale.go`): an HPA targeting the object with the
//! version kubectl resolved it to. Without `--cpu-percent` the target is left to the
//! apiserver's default (80 %); without `--min`, minReplicas is left to its default (1).

use k8s_openapi::api::autoscaling::v2::{
    CrossVersionObjectReference, HorizontalPodAutoscaler, HorizontalPodAutoscalerSpec,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::api::admission::cpu_metric;
use crate::api::{ApiError, Kind};
use crate::kubectl::flags::{Flag, FlagKind, flag};
use crate::kubectl::resources::{self, name_ref};
use crate::kubectl::{Env, Output, SimResult};

const FLAGS: &[Flag] = &[
    flag("min", None, FlagKind::Int),
    flag("max", None, FlagKind::Int),
    flag("cpu-percent", None, FlagKind::Int),
    flag("name", None, FlagKind::String),
    flag("dry-run", None, FlagKind::OptionalString("unchanged")),
    flag("output", Some('o'), FlagKind::String),
    flag("save-config", None, FlagKind::Bool),
    flag("record", None, FlagKind::Bool),
    flag("filename", Some('f'), FlagKind::StringSlice),
    flag("field-manager", None, FlagKind::String),
];

pub fn run(env: &mut Env, words: &[String], out: &mut Output) -> SimResult<()> {
    let Some(flags) = super::flags_or_fail("autoscale", FLAGS, words, out) else { return Ok(()) };
    let max = flags.int("max").unwrap_or(-1);
    let min = flags.int("min").unwrap_or(-1);
    if max < 1 {
        out.fail(format!("error: --max=MAXPODS is required and must be at least 1, max: {max}"));
        return Ok(());
    }
    if max < min {
        out.fail(format!(
            "error: --max=MAXPODS must be larger or equal to --min=MINPODS, max: {max}, min: {min}"
        ));
        return Ok(());
    }
    let Some(targets) = super::named_targets_or_fail(&flags.args, None, out) else { return Ok(()) };
    let Some(dry_run) = super::dry_run_or_fail(&flags, out) else { return Ok(()) };
    let namespace = resources::namespace(&flags);
    for target in &targets {
        for name in &target.names {
            let key = resources::key(target.kind, &namespace, name);
            let store = &mut env.cluster.store;
            if !resources::exists(store, target.kind, &key) {
                out.api_error(env.cluster.profile(), &ApiError::not_found(target.kind, name));
                continue;
            }
            if !matches!(
                target.kind,
                Kind::Deployment | Kind::ReplicaSet | Kind::ReplicationController | Kind::StatefulSet
            ) {
                let info = target.kind.info();
                let gk = if info.group.is_empty() {
                    info.name.to_string()
                } else {
                    format!("{}.{}", info.name, info.group)
                };
                out.fail(format!("error: cannot autoscale a {gk}"));
                continue;
            }
            let api_version = store
                .profile
                .versions_of(target.kind.info().name)
                .first()
                .copied()
                .unwrap_or("v1")
                .to_string();
            let hpa_name = flags.string("name").filter(|n| !n.is_empty()).unwrap_or(name).to_string();
            let cpu = flags.int("cpu-percent").filter(|&c| c >= 0);
            let hpa = HorizontalPodAutoscaler {
                metadata: ObjectMeta { name: Some(hpa_name.clone()), ..Default::default() },
                spec: Some(HorizontalPodAutoscalerSpec {
                    scale_target_ref: CrossVersionObjectReference {
                        api_version: Some(api_version),
                        kind: target.kind.info().name.to_string(),
                        name: name.clone(),
                    },
                    min_replicas: (min > 0).then_some(min as i32),
                    max_replicas: max as i32,
                    metrics: cpu.map(|c| vec![cpu_metric(c as i32)]),
                    behavior: None,
                }),
                status: None,
            };
            let qualified = name_ref(&store.profile, Kind::HorizontalPodAutoscaler, &hpa_name);
            let value = serde_json::to_value(&hpa).expect("serializable");
            super::create_and_report(
                store,
                Kind::HorizontalPodAutoscaler,
                value,
                &namespace,
                &flags,
                dry_run,
                &qualified,
                "autoscaled",
                out,
                |profile, e, out| out.api_error(profile, &e),
            );
        }
    }
    Ok(())
}
