//! kubectl describe layouts. (Placeholder until the full port lands.)

use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::core::v1::{Node, Pod, ReplicationController};

pub struct DescribeEnv<'a> {
    pub profile: &'a crate::profile::Profile,
    pub clock: crate::time::WallClock,
    pub now: crate::time::Millis,
    pub events: Vec<&'a crate::api::event::EventRecord>,
}

pub fn describe_pod(pod: &Pod, _env: &DescribeEnv) -> String {
    format!("Name:  {}\n", pod.metadata.name.clone().unwrap_or_default())
}
pub fn describe_replica_set(rs: &ReplicaSet, _pods: &[&Pod], _env: &DescribeEnv) -> String {
    format!("Name:  {}\n", rs.metadata.name.clone().unwrap_or_default())
}
pub fn describe_replication_controller(rc: &ReplicationController, _pods: &[&Pod], _env: &DescribeEnv) -> String {
    format!("Name:  {}\n", rc.metadata.name.clone().unwrap_or_default())
}
pub fn describe_node(node: &Node, _pods: &[&Pod], _env: &DescribeEnv) -> String {
    format!("Name:  {}\n", node.metadata.name.clone().unwrap_or_default())
}
