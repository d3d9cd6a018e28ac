//! `kubectl get pods`: NAME READY STATUS RESTARTS AGE [IP NODE NOMINATED NODE READINESS GATES].

use k8s_openapi::api::core::v1::Pod;

use super::{Column, PrintContext, Row, col, or_none, row, wide};
use crate::kubectl::humanize::translate_timestamp_since;
use crate::profile::RestartsStyle;

pub const COLUMNS: &[Column] = &[
    col("NAME"),
    col("READY"),
    col("STATUS"),
    col("RESTARTS"),
    col("AGE"),
    wide("IP"),
    wide("NODE"),
    wide("NOMINATED NODE"),
    wide("READINESS GATES"),
];

/// READY, STATUS and RESTARTS as `printPod` computes them.
pub struct PodSummary {
    pub ready: usize,
    pub total: usize,
    pub reason: String,
    pub restarts: i32,
    pub last_restart: Option<jiff::Timestamp>,
}

pub fn summarize(pod: &Pod, ctx: &PrintContext) -> PodSummary {
    let status = pod.status.clone().unwrap_or_default();
    let spec = pod.spec.clone().unwrap_or_default();
    let mut reason = status.phase.clone().unwrap_or_default();
    if let Some(r) = status.reason.as_deref().filter(|r| !r.is_empty()) {
        reason = r.to_string();
    }
    let total = spec.containers.len();
    let mut ready = 0;
    let mut restarts = 0;
    let mut last_restart: Option<jiff::Timestamp> = None;
    let mut initializing = false;
    let init_count = spec.init_containers.as_ref().map_or(0, |v| v.len());
    for (i, c) in status.init_container_statuses.iter().flatten().enumerate() {
        restarts += c.restart_count;
        if let Some(t) =
            c.last_state.as_ref().and_then(|s| s.terminated.as_ref()).and_then(|t| t.finished_at.as_ref())
        {
            last_restart = last_restart.max(Some(t.0));
        }
        let state = c.state.clone().unwrap_or_default();
        if let Some(t) = &state.terminated
            && t.exit_code == 0
        {
            continue;
        }
        initializing = true;
        reason = if let Some(t) = &state.terminated {
            match t.reason.as_deref().filter(|r| !r.is_empty()) {
                Some(r) => format!("Init:{r}"),
                None if t.signal.unwrap_or(0) != 0 => format!("Init:Signal:{}", t.signal.unwrap_or(0)),
                None => format!("Init:ExitCode:{}", t.exit_code),
            }
        } else if let Some(r) = state
            .waiting
            .as_ref()
            .and_then(|w| w.reason.as_deref())
            .filter(|r| !r.is_empty() && *r != "PodInitializing")
        {
            format!("Init:{r}")
        } else {
            format!("Init:{i}/{init_count}")
        };
        break;
    }
    if !initializing {
        restarts = 0;
        let mut has_running = false;
        for c in status.container_statuses.iter().flatten().rev() {
            restarts += c.restart_count;
            if let Some(t) =
                c.last_state.as_ref().and_then(|s| s.terminated.as_ref()).and_then(|t| t.finished_at.as_ref())
            {
                last_restart = last_restart.max(Some(t.0));
            }
            let state = c.state.clone().unwrap_or_default();
            if let Some(r) =
                state.waiting.as_ref().and_then(|w| w.reason.as_deref()).filter(|r| !r.is_empty())
            {
                reason = r.to_string();
            } else if let Some(t) = &state.terminated {
                reason = match t.reason.as_deref().filter(|r| !r.is_empty()) {
                    Some(r) => r.to_string(),
                    None if t.signal.unwrap_or(0) != 0 => format!("Signal:{}", t.signal.unwrap_or(0)),
                    None => format!("ExitCode:{}", t.exit_code),
                };
            } else if c.ready && state.running.is_some() {
                has_running = true;
                ready += 1;
            }
        }
        if reason == "Completed" && has_running {
            let pod_ready =
                status.conditions.iter().flatten().any(|c| c.type_ == "Ready" && c.status == "True");
            reason = if pod_ready { "Running".into() } else { "NotReady".into() };
        }
    }
    if pod.metadata.deletion_timestamp.is_some() {
        let phase = status.phase.as_deref().unwrap_or("");
        let finished = phase == "Succeeded" || phase == "Failed";
        if status.reason.as_deref() == Some("NodeLost") {
            reason = "Unknown".into();
        } else if ctx.profile.terminating_for_finished_pods || !finished {
            reason = "Terminating".into();
        }
    }
    PodSummary { ready, total, reason, restarts, last_restart }
}

pub fn restarts_cell(s: &PodSummary, ctx: &PrintContext) -> String {
    let ago =
        |t: jiff::Timestamp| format!("{} ({} ago)", s.restarts, translate_timestamp_since(ctx.now, Some(t)));
    match (ctx.profile.restarts_style, s.last_restart) {
        (RestartsStyle::AgoWhenDated, Some(t)) => ago(t),
        (RestartsStyle::AgoWhenRestarted, Some(t)) if s.restarts != 0 => ago(t),
        _ => s.restarts.to_string(),
    }
}

pub fn print(pod: &Pod, ctx: &PrintContext) -> Row {
    let s = summarize(pod, ctx);
    let status = pod.status.clone().unwrap_or_default();
    let spec = pod.spec.clone().unwrap_or_default();
    let gates = match spec.readiness_gates.as_ref().filter(|g| !g.is_empty()) {
        None => "<none>".to_string(),
        Some(gates) => {
            let ok = gates
                .iter()
                .filter(|g| {
                    status
                        .conditions
                        .iter()
                        .flatten()
                        .any(|c| c.type_ == g.condition_type && c.status == "True")
                })
                .count();
            format!("{ok}/{}", gates.len())
        }
    };
    let ip = status.pod_ips.as_ref().and_then(|ips| ips.first()).map(|p| p.ip.clone()).unwrap_or_default();
    row(
        &pod.metadata,
        vec![
            format!("{}/{}", s.ready, s.total),
            s.reason.clone(),
            restarts_cell(&s, ctx),
            ctx.age(pod.metadata.creation_timestamp.as_ref()),
            or_none(&ip),
            or_none(spec.node_name.as_deref().unwrap_or("")),
            or_none(status.nominated_node_name.as_deref().unwrap_or("")),
            gates,
        ],
    )
}
