//! The kubectl emulation: a thin client of the simulated apiserver that prints what the
//! real kubectl prints. Each command is one module under [`cmd`]; table rows come from
//! [`printers`] ("server side"), layout from [`tabwriter`] ("client side").

pub mod cmd;
pub mod deployments;
pub mod describe;
pub mod flags;
pub mod humanize;
pub mod jsonpath;
pub mod printers;
pub mod record;
pub mod resources;
pub mod sort;
pub mod tabwriter;
pub mod validation;
pub mod yaml;

use std::collections::BTreeMap;

use crate::api::{ApiError, Kind};
use crate::profile::Profile;
use crate::sim::{Cluster, Livelock};

/// What a command printed and how it ended.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Output {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

impl Output {
    pub fn out(&mut self, text: impl AsRef<str>) {
        self.stdout.push_str(text.as_ref());
    }

    pub fn line(&mut self, text: impl AsRef<str>) {
        self.stdout.push_str(text.as_ref());
        self.stdout.push('\n');
    }

    pub fn err_line(&mut self, text: impl AsRef<str>) {
        self.stderr.push_str(text.as_ref());
        self.stderr.push('\n');
    }

    /// Prints an error as kubectl's `CheckErr` does and sets exit code 1.
    pub fn fail(&mut self, text: impl AsRef<str>) {
        self.err_line(text);
        self.code = 1;
    }

    /// An API error on a typed name: `Error from server (NotFound): pods "x" not found`.
    pub fn api_error(&mut self, profile: &Profile, err: &ApiError) {
        let text = server_error(profile, err, None);
        self.fail(text);
    }
}

/// kubectl's text for an API error on an object named by type (`delete deploy x`),
/// optionally "error when creating \"file\": …". The apiserver names the resource of the
/// request URL, so the group is the one of the version kubectl's RESTMapper prefers
/// (`deployments.extensions "x" not found` in 1.15, see [`resources::message_group`]).
pub fn server_error(profile: &Profile, err: &ApiError, context: Option<&str>) -> String {
    render_server_error(err, context, |kind| resources::message_group(profile, kind, None))
}

/// kubectl's text for an API error on an object read from a manifest: the request went
/// to the manifest's own `apiVersion`, so the error names that group.
pub fn manifest_server_error(
    profile: &Profile,
    err: &ApiError,
    context: Option<&str>,
    api_version: &str,
) -> String {
    render_server_error(err, context, |kind| resources::message_group(profile, kind, Some(api_version)))
}

/// Renders an API error as kubectl's `CheckErr` does, `group` giving the API group the
/// request named for NotFound / AlreadyExists messages.
fn render_server_error(err: &ApiError, context: Option<&str>, group: impl Fn(Kind) -> String) -> String {
    let context = context.map(|c| format!("{c}: ")).unwrap_or_default();
    match err {
        ApiError::Invalid { kind, name, causes } => {
            let body = if causes.len() == 1 {
                causes[0].clone()
            } else {
                causes.iter().map(|c| format!("\n* {c}")).collect::<String>()
            };
            // kubectl prints Invalid errors from the status details, which do not carry the
            // "error when creating" context the message got.
            format!("The {} \"{name}\" is invalid: {body}", kind.info().name)
        }
        ApiError::NotFound { kind, name } => format!(
            "Error from server (NotFound): {context}{} \"{name}\" not found",
            kind.qualified_plural_in(&group(*kind))
        ),
        ApiError::AlreadyExists { kind, name } => format!(
            "Error from server (AlreadyExists): {context}{} \"{name}\" already exists",
            kind.qualified_plural_in(&group(*kind))
        ),
        other => format!("Error from server ({}): {context}{other}", other.reason()),
    }
}

/// What a command can read besides the cluster: the scenario's virtual files, and the
/// edit a scenario scripts for `kubectl edit`.
pub struct Env<'a> {
    pub cluster: &'a mut Cluster,
    pub files: &'a BTreeMap<String, String>,
    pub edit: Option<&'a serde_json::Value>,
}

/// A command could not finish because the simulation broke down.
pub type SimResult<T> = Result<T, Livelock>;

/// Runs one kubectl command line (`argv[0]` is `kubectl`).
pub fn run(env: &mut Env, argv: &[String]) -> SimResult<Output> {
    let mut out = Output::default();
    let words = &argv[1.min(argv.len())..];
    // Global flags may come before the command name: skip them to find it.
    let position = command_position(words);
    let Some(pos) = position else {
        out.fail("error: kubesim emulates kubectl commands; run `kubectl <command>` (for example `kubectl get pods`)");
        return Ok(out);
    };
    let command = words[pos].as_str();
    let mut rest: Vec<String> = words[..pos].to_vec();
    rest.extend_from_slice(&words[pos + 1..]);
    env.cluster.settle()?;
    match command {
        "get" => cmd::get::run(env, &rest, &mut out)?,
        "describe" => cmd::describe::run(env, &rest, &mut out)?,
        "create" => cmd::create::run_create(env, &rest, &mut out)?,
        "apply" => cmd::create::run_apply(env, &rest, &mut out)?,
        "delete" => cmd::delete::run(env, &rest, &mut out)?,
        "scale" => cmd::scale::run(env, &rest, &mut out)?,
        "label" => cmd::label::run(env, &rest, &mut out)?,
        "patch" => cmd::patch::run_patch(env, &rest, &mut out)?,
        "edit" => cmd::patch::run_edit(env, &rest, &mut out)?,
        "logs" => cmd::logs::run(env, &rest, &mut out)?,
        // `log`, deprecated since 2015, until kubectl 1.16 (kubernetes#78098): the logs
        // command warns first (`printDeprecationWarning`).
        "log" if env.cluster.profile().kubectl_log_alias => {
            out.err_line("log is DEPRECATED and will be removed in a future version. Use logs instead.");
            cmd::logs::run(env, &rest, &mut out)?
        }
        "rollout" => cmd::rollout::run(env, &rest, &mut out)?,
        "set" => cmd::set::run(env, &rest, &mut out)?,
        "wait" => cmd::wait::run(env, &rest, &mut out)?,
        "taint" => cmd::taint::run(env, &rest, &mut out)?,
        "cordon" => cmd::drain::run_cordon(env, &rest, &mut out)?,
        "uncordon" => cmd::drain::run_uncordon(env, &rest, &mut out)?,
        "drain" => cmd::drain::run_drain(env, &rest, &mut out)?,
        "expose" => cmd::expose::run(env, &rest, &mut out)?,
        "autoscale" => cmd::autoscale::run(env, &rest, &mut out)?,
        other => out.fail(format!("error: unknown command \"{other}\" for \"kubectl\"")),
    }
    env.cluster.settle()?;
    Ok(out)
}

/// Index of the command word, skipping global flags (with their values) before it.
pub(crate) fn command_position(words: &[String]) -> Option<usize> {
    let mut i = 0;
    while i < words.len() {
        let w = &words[i];
        if !w.starts_with('-') {
            return Some(i);
        }
        let takes_value = flags::GLOBAL.iter().any(|f| {
            (w == &format!("--{}", f.name) || f.short.is_some_and(|c| w == &format!("-{c}")))
                && f.kind != flags::FlagKind::Bool
        });
        i += if takes_value { 2 } else { 1 };
    }
    None
}
