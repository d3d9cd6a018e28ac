//! Scenario files: the typed model, parsing with source positions, and output matching.
pub mod shell;
