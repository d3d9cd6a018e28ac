//! Controllers, one file each, mirroring kube-controller-manager.

pub mod claim;
pub mod cronjob;
pub mod daemonset;
pub mod deployment;
pub mod endpoints;
pub mod garbagecollector;
pub mod job;
pub mod nodelifecycle;
pub mod podautoscaler;
pub mod replicaset;
pub mod rootcacert;
pub mod statefulset;
pub mod ttlafterfinished;
pub mod volume;
