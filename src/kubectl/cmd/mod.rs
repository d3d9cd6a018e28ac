//! kubectl commands, one module each.

pub mod create;
pub mod delete;
pub mod describe;
pub mod get;
pub mod label;
pub mod logs;
pub mod patch;
pub mod scale;
