//! kubesim: a simulated Kubernetes control plane on a virtual clock, a kubectl emulation
//! that prints what the real kubectl prints, and a runner for YAML scenario files.
//!
//! Data flows one way: scenario → runner → kubectl emulation → store ("apiserver") →
//! controllers, scheduler and kubelet driven by the clock; printers read, never mutate.

pub mod alloc;
pub mod api;
pub mod constants;
pub mod controllers;
pub mod cron;
pub mod gofmt;
pub mod gosort;
pub mod harness;
pub mod hash;
pub mod kubectl;
pub mod profile;
pub mod rng;
pub mod scenario;
pub mod sim;
pub mod time;
