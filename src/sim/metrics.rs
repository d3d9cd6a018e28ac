//! The resource metrics API (metrics-server) as the HPA controller reads it: per-pod CPU
//! usage set by the scenario's `metrics:` steps.
//!
//! A step's rule applies to every pod its selector matches, from then on, including
//! pods created later; a later rule wins over an earlier one for the pods both match.
//! Like metrics-server, only running pods have a sample, and samples are always fresh
//! (timestamp = now, window [`crate::constants::METRICS_WINDOW_MS`]).

use crate::api::stored_pod::StoredPod;

use crate::api::selector::Selector;

#[derive(Default)]
pub struct PodMetrics {
    /// (selector, millicores per pod), oldest first.
    rules: Vec<(Selector, u64)>,
}

impl PodMetrics {
    pub fn set(&mut self, selector: Selector, millicores: u64) {
        self.rules.push((selector, millicores));
    }

    /// The pod's CPU usage in millicores, if metrics-server would report the pod.
    pub fn cpu_of(&self, pod: &StoredPod) -> Option<u64> {
        let running = pod.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running");
        if !running {
            return None;
        }
        let labels = pod.metadata.labels.as_ref();
        self.rules.iter().rev().find(|(sel, _)| sel.matches_opt(labels)).map(|(_, m)| *m)
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}
