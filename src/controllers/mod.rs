//! Controllers, one file each, mirroring kube-controller-manager.

pub mod deployment;
pub mod garbagecollector;
pub mod nodelifecycle;
pub mod replicaset;
pub mod statefulset;
pub mod volume;
