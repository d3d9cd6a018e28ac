//! Container probes as the kubelet's prober runs them (`pkg/kubelet/prober/worker.go`,
//! `prober.go`): one worker per container and probe type ticking every `periodSeconds`
//! from when the kubelet admitted the pod; no probing before `initialDelaySeconds`
//! of the container's run; a result flips after `failureThreshold` consecutive
//! failures or `successThreshold` consecutive successes. What a probe returns comes
//! from the image's behaviour (`live:`, `ready:` in the scenario's `images:`).

use k8s_openapi::api::core::v1::{Container, Probe};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::constants;
use crate::time::{Millis, SECOND};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProbeType {
    Liveness,
    Readiness,
}

impl ProbeType {
    pub fn title(self) -> &'static str {
        match self {
            ProbeType::Liveness => "Liveness",
            ProbeType::Readiness => "Readiness",
        }
    }
}

/// How a container's probe is set up, and the state of its worker.
#[derive(Clone, Debug)]
pub struct ProbeWorker {
    pub kind: ProbeType,
    pub period: Millis,
    pub initial_delay: Millis,
    pub failure_threshold: u32,
    pub success_threshold: u32,
    /// Probe-level `terminationGracePeriodSeconds` (liveness kills).
    pub grace: Option<Millis>,
    /// What the probe does, for the failure message.
    action: Action,
    pub failures: u32,
    pub successes: u32,
}

#[derive(Clone, Debug)]
enum Action {
    Http,
    Tcp { port: String },
    Exec,
    Grpc { port: i32 },
}

impl ProbeWorker {
    fn from(kind: ProbeType, probe: &Probe) -> ProbeWorker {
        let secs = |v: Option<i32>, d: i32| v.unwrap_or(d).max(0) as Millis * SECOND;
        let action = if probe.http_get.is_some() {
            Action::Http
        } else if let Some(tcp) = &probe.tcp_socket {
            Action::Tcp { port: port_text(&tcp.port) }
        } else if let Some(grpc) = &probe.grpc {
            Action::Grpc { port: grpc.port }
        } else {
            Action::Exec
        };
        ProbeWorker {
            kind,
            period: secs(probe.period_seconds, constants::PROBE_PERIOD_SECONDS).max(SECOND),
            initial_delay: secs(probe.initial_delay_seconds, 0),
            failure_threshold: probe.failure_threshold.unwrap_or(constants::PROBE_FAILURE_THRESHOLD).max(1)
                as u32,
            success_threshold: probe.success_threshold.unwrap_or(constants::PROBE_SUCCESS_THRESHOLD).max(1)
                as u32,
            grace: probe.termination_grace_period_seconds.map(|s| s.max(0) as Millis * SECOND),
            action,
            failures: 0,
            successes: 0,
        }
    }

    /// The output a failed probe reports (after `Liveness probe failed: `).
    pub fn failure_output(&self, pod_ip: &str) -> String {
        match &self.action {
            Action::Http => "HTTP probe failed with statuscode: 500".into(),
            Action::Tcp { port } => format!("dial tcp {pod_ip}:{port}: connect: connection refused"),
            Action::Grpc { port } => format!("timeout: failed to connect service \":{port}\" within 1s"),
            Action::Exec => String::new(),
        }
    }

    /// Records one result; returns the new overall result when it flips
    /// (`Some(false)` = now failing, `Some(true)` = now succeeding).
    pub fn record(&mut self, ok: bool) -> Option<bool> {
        if ok {
            self.failures = 0;
            self.successes += 1;
            (self.successes == self.success_threshold).then_some(true)
        } else {
            self.successes = 0;
            self.failures += 1;
            (self.failures == self.failure_threshold).then_some(false)
        }
    }
}

fn port_text(port: &IntOrString) -> String {
    match port {
        IntOrString::Int(n) => n.to_string(),
        IntOrString::String(s) => s.clone(),
    }
}

/// The liveness and readiness workers a container's spec asks for.
pub fn workers_for(container: &Container) -> Vec<ProbeWorker> {
    let mut out = Vec::new();
    if let Some(p) = &container.liveness_probe {
        out.push(ProbeWorker::from(ProbeType::Liveness, p));
    }
    if let Some(p) = &container.readiness_probe {
        out.push(ProbeWorker::from(ProbeType::Readiness, p));
    }
    out
}
