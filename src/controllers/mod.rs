//! Controllers, one file each, mirroring kube-controller-manager.

pub mod cronjob;
pub mod daemonset;
pub mod deployment;
pub mod garbagecollector;
pub mod job;
pub mod nodelifecycle;
pub mod replicaset;
pub mod ttlafterfinished;
