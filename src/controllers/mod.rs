//! Controllers, one file each, mirroring kube-controller-manager.

pub mod deployment;
pub mod endpoints;
pub mod garbagecollector;
pub mod nodelifecycle;
pub mod podautoscaler;
pub mod replicaset;
