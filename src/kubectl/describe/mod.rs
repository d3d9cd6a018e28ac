//! kubectl describe layouts.
//!
//! Each describer builds the exact tab-separated stream kubectl's `describe.go` writes
//! (quirks included) and runs it through the describe tabwriter, so alignment comes out
//! the way Go's tabwriter makes it rather than being computed per section. Everything
//! that differs between kubectl versions is a field of [`DescribeStyle`], set in one
//! table from the profile's minor version.
//!
//! Times: absolute dates print in UTC (`+0000`), ages are measured against the virtual
//! `now` through the scenario's wall clock, from timestamps truncated to whole seconds
//! as the API stores them.

mod configmap;
mod containers;
mod cronjob;
mod daemonset;
mod deployment;
mod endpoints;
mod events;
mod generic;
mod hpa;
mod job;
mod namespace;
mod node;
mod pod;
pub(crate) mod quantity;
mod replicaset;
mod resources;
mod service;
mod statefulset;
mod storage;
pub(crate) mod style;
mod template;
mod volumes;
mod writer;

#[cfg(test)]
mod golden_tests;

use jiff::Timestamp;

pub use configmap::{describe_config_map, describe_secret};
pub use cronjob::describe_cronjob;
pub use daemonset::describe_daemon_set;
pub use deployment::describe_deployment;
pub use endpoints::describe_endpoints;
pub use generic::describe_generic;
pub use hpa::describe_hpa;
pub use job::describe_job;
pub use namespace::describe_namespace;
pub use node::describe_node_with_lease;
pub use pod::describe_pod;
pub use replicaset::{describe_replica_set, describe_replication_controller};
pub use service::describe_service;
pub use statefulset::describe_stateful_set;
pub use storage::{describe_persistent_volume, describe_persistent_volume_claim};
pub use style::{DescribeStyle, EventAge, EventFrom, ProjectedOptional};

/// What a describer needs besides the object: the version, the clock, and the events
/// kubectl would have listed for the object.
pub struct DescribeEnv<'a> {
    pub profile: &'a crate::profile::Profile,
    /// Maps virtual Millis to wall time; `start` = wall time at t=0.
    pub clock: crate::time::WallClock,
    /// Virtual now.
    pub now: crate::time::Millis,
    /// Already filtered to the described object, in recording order.
    pub events: Vec<&'a crate::api::event::EventRecord>,
}

/// `DescribePodTemplate` written straight to the output, without the describe
/// tabwriter, as `rollout history --revision=N` prints a revision's template.
pub fn pod_template_text(
    template: &k8s_openapi::api::core::v1::PodTemplateSpec,
    profile: &crate::profile::Profile,
) -> String {
    let style = DescribeStyle::for_profile(profile);
    let mut w = writer::Writer::new(&style);
    template::describe_pod_template(&mut w, Some(template));
    w.raw()
}

impl DescribeEnv<'_> {
    /// The layout rules of this profile's kubectl.
    pub fn style(&self) -> DescribeStyle {
        DescribeStyle::for_profile(self.profile)
    }

    /// Wall-clock now, at full precision.
    pub fn now_wall(&self) -> Timestamp {
        self.clock.at(self.now)
    }
}
