//! Scenario files: the typed model, parsing with source positions, and output matching.
//!
//! [`parse_scenario`] turns a file's text into a [`Scenario`] or one [`ScenarioError`]
//! naming file, line and column. [`match_output`] checks a command's output against a
//! step's `expect:`/`stderr:`, with captures kept in [`Vars`], and [`expand_vars`]
//! expands `$NAME` in later command lines.

mod error;
mod locate;
mod matching;
pub mod model;
mod parse;
pub mod runner;
pub mod shell;
pub mod snapshot;

pub use error::ScenarioError;
pub use matching::{MatchOptions, Mismatch, Vars, check_expectation, expand_vars, is_var_name, match_output};
pub use model::{
    Action, Assert, Cluster, DEFAULT_CRASH_EXIT_CODE, Exit, ImageBehaviour, Live, Metrics, NodeAction,
    NodeSpec, PodAction, PodTarget, Pull, Ready, Run, Scenario, Step, Taint, TaintEffect,
};
pub use parse::parse_scenario;
