//! `kubectl create` without `-f`: what each version prints instead of creating anything.
//!
//! Up to 1.30 kubectl wrote `Error: must specify one of -f and -k`, a blank line and then
//! ran cobra's default sub-command action, which prints the command's whole help to stderr
//! and exits 1; 1.31+ return a plain error. The text comes from
//! [`Profile::create_without_file_help`](crate::profile::Profile).

use super::create;
use crate::kubectl::{Env, Output, SimResult};

/// The start of the error `create::run_create` reports when no file was named.
const NO_FILE: &str = "error: must specify one of -f and -k";

/// Runs `kubectl create`; a run that names no file gets the version's message. Flag errors
/// (`unknown flag`, …) still come from `create::run_create`, as they come before the
/// file check in kubectl.
pub fn run(env: &mut Env, words: &[String], out: &mut Output) -> SimResult<()> {
    if names_a_file(words) {
        return create::run_create(env, words, out);
    }
    let mut attempt = Output::default();
    create::run_create(env, words, &mut attempt)?;
    if !attempt.stderr.starts_with(NO_FILE) {
        *out = attempt;
        return Ok(());
    }
    match env.cluster.profile().create_without_file_help {
        Some(help) => {
            out.stderr.push_str("Error: must specify one of -f and -k\n\n");
            out.stderr.push_str(help);
            out.code = 1;
        }
        None => out.fail(NO_FILE),
    }
    Ok(())
}

/// Whether the words hold a `-f`/`--filename` flag in any of pflag's spellings.
fn names_a_file(words: &[String]) -> bool {
    words.iter().take_while(|w| *w != "--").any(|w| {
        w == "--filename" || w.starts_with("--filename=") || (w.starts_with("-f") && !w.starts_with("--"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_file_flags() {
        let words = |s: &str| s.split_whitespace().map(String::from).collect::<Vec<_>>();
        assert!(names_a_file(&words("-f a.yaml")));
        assert!(names_a_file(&words("-fa.yaml")));
        assert!(names_a_file(&words("--filename=a.yaml")));
        assert!(names_a_file(&words("--save-config --filename a.yaml")));
        assert!(!names_a_file(&words("")));
        assert!(!names_a_file(&words("--save-config")));
        assert!(!names_a_file(&words("-- -f")));
    }
}
