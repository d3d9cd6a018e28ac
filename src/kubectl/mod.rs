//! The kubectl emulation: argument parsing, commands and printers.

pub mod describe;
pub mod humanize;
pub mod tabwriter;
