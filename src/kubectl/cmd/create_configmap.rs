//! `kubectl create configmap NAME [--from-file=[key=]source] [--from-literal=key=value]
//! [--from-env-file=path]`
//! (`cmd/create/create_configmap.go`) and `kubectl create secret generic NAME …`
//! (`cmd/create/create_secret.go`). Files are the scenario's virtual `files:`; a path
//! that names no file but prefixes some (`conf/…`) is a directory, each file in it a key.
//! kubectl checks keys (`IsConfigMapKey`) and duplicates itself, before any request.

use std::collections::BTreeMap;

use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::api::Kind;
use crate::api::admission::config_key_errors;
use crate::kubectl::flags::{DryRun, Flag, FlagKind, Parsed, flag};
use crate::kubectl::resources::{self, name_ref};
use crate::kubectl::{Env, Output, SimResult};

const CONFIGMAP_FLAGS: &[Flag] = &[
    flag("from-file", None, FlagKind::StringSlice),
    flag("from-literal", None, FlagKind::StringArray),
    flag("from-env-file", None, FlagKind::StringSlice),
    flag("append-hash", None, FlagKind::Bool),
    flag("dry-run", None, FlagKind::OptionalString("unchanged")),
    flag("output", Some('o'), FlagKind::String),
    flag("save-config", None, FlagKind::Bool),
    flag("validate", None, FlagKind::String),
    flag("field-manager", None, FlagKind::String),
];

/// `create secret generic` takes the same flags and `--type`.
const SECRET_FLAGS: &[Flag] = &[
    flag("from-file", None, FlagKind::StringSlice),
    flag("from-literal", None, FlagKind::StringArray),
    flag("from-env-file", None, FlagKind::StringSlice),
    flag("append-hash", None, FlagKind::Bool),
    flag("type", None, FlagKind::String),
    flag("dry-run", None, FlagKind::OptionalString("unchanged")),
    flag("output", Some('o'), FlagKind::String),
    flag("save-config", None, FlagKind::Bool),
    flag("validate", None, FlagKind::String),
    flag("field-manager", None, FlagKind::String),
];

/// The object being built: a ConfigMap's `data` or a Secret's, with the error texts
/// that differ between the two commands.
trait Target {
    fn add(&mut self, key: &str, value: String) -> Result<(), String>;
}

struct ConfigMapData<'a> {
    name: &'a str,
    data: BTreeMap<String, String>,
    /// The ≤ 1.20 generator's texts (`Profile::config_generators`).
    generators: bool,
}

impl Target for ConfigMapData<'_> {
    /// `validateNewConfigMap` then the insert.
    fn add(&mut self, key: &str, value: String) -> Result<(), String> {
        let errs = config_key_errors(key);
        if !errs.is_empty() {
            let sep = if self.generators { ";" } else { "," };
            return Err(format!(
                "{} is not a valid key name for a ConfigMap: {}",
                quote(key),
                errs.join(sep)
            ));
        }
        if self.data.contains_key(key) {
            return Err(format!(
                "cannot add key {}, another key by that name already exists in Data for ConfigMap {}",
                quote(key),
                quote(self.name)
            ));
        }
        self.data.insert(key.to_string(), value);
        Ok(())
    }
}

struct SecretData {
    data: BTreeMap<String, ByteString>,
    /// The ≤ 1.20 generator's texts (`Profile::config_generators`).
    generators: bool,
}

impl Target for SecretData {
    /// `addKeyFromLiteralToSecret` (its texts lack the ConfigMap's quotes and colon).
    fn add(&mut self, key: &str, value: String) -> Result<(), String> {
        let errs = config_key_errors(key);
        if !errs.is_empty() {
            return Err(if self.generators {
                format!("{} is not a valid key name for a Secret: {}", quote(key), errs.join(";"))
            } else {
                format!("{} is not valid key name for a Secret {}", quote(key), errs.join(";"))
            });
        }
        if self.data.contains_key(key) {
            return Err(format!("cannot add key {key}, another key by that name already exists"));
        }
        self.data.insert(key.to_string(), ByteString(value.into_bytes()));
        Ok(())
    }
}

const DIR_KEY_ERROR: &str = "cannot give a key name for a directory path";

fn quote(s: &str) -> String {
    crate::gofmt::quote(s)
}

/// `util.ParseLiteralSource`: `key=value`, split at the first `=`.
fn parse_literal(source: &str) -> Result<(&str, &str), String> {
    match source.split_once('=') {
        Some((key, value)) if !key.is_empty() => Ok((key, value)),
        _ => Err(format!("invalid literal source {source}, expected key=value")),
    }
}

/// `util.ParseFileSource`: `path` (key = its base name) or `key=path`.
fn parse_file_source(source: &str) -> Result<(String, String, bool), String> {
    match source.matches('=').count() {
        0 => {
            let base = source.trim_end_matches('/').rsplit('/').next().unwrap_or(source);
            Ok((base.to_string(), source.to_string(), false))
        }
        1 if source.starts_with('=') => Err(format!("key name for file path {} missing", &source[1..])),
        1 if source.ends_with('=') => {
            Err(format!("file path for key name {} missing", &source[..source.len() - 1]))
        }
        1 => {
            let (key, path) = source.split_once('=').expect("one separator");
            Ok((key.to_string(), path.to_string(), true))
        }
        _ => Err("key names or file paths cannot contain '='".to_string()),
    }
}

/// Adds each `--from-file` source: a file as one key, a directory as one key per file.
fn add_files(env: &Env, sources: &[String], target: &mut dyn Target) -> Result<(), String> {
    for source in sources {
        let (key, path, keyed) = parse_file_source(source)?;
        if let Some(text) = env.files.get(&path) {
            target.add(&key, text.clone())?;
            continue;
        }
        let dir = format!("{}/", path.trim_end_matches('/'));
        let entries: Vec<(&String, &String)> = env
            .files
            .iter()
            .filter(|(name, _)| name.strip_prefix(&dir).is_some_and(|r| !r.contains('/')))
            .collect();
        if entries.is_empty() {
            return Err(format!("error reading {path}: no such file or directory"));
        }
        if keyed {
            return Err(DIR_KEY_ERROR.to_string());
        }
        let mut entries = entries;
        entries.sort();
        for (name, text) in entries {
            target.add(&name[dir.len()..], text.clone())?;
        }
    }
    Ok(())
}

fn add_literals(sources: &[String], target: &mut dyn Target) -> Result<(), String> {
    for source in sources {
        let (key, value) = parse_literal(source)?;
        target.add(key, value.to_string())?;
    }
    Ok(())
}

/// `IsEnvVarName`'s pattern error.
const ENV_VAR_NAME_MSG: &str = "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')";

fn is_env_var_name(key: &str) -> bool {
    let mut bytes = key.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphabetic() || matches!(b, b'-' | b'_' | b'.'))
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// `cmdutil.AddFromEnvFile` for each `--from-env-file`: `KEY=value` lines (leading
/// blanks trimmed, `#` comments and blank lines skipped, a UTF-8 BOM dropped); a bare
/// `KEY` takes its value from kubectl's environment, which is empty here.
fn add_env_files(env: &Env, sources: &[String], target: &mut dyn Target) -> Result<(), String> {
    for path in sources {
        let Some(text) = env.files.get(path) else {
            return Err(format!("error reading {path}: no such file or directory"));
        };
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        for line in text.lines() {
            let line = line.trim_start();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (key, value) = line.split_once('=').unwrap_or((line, ""));
            if !is_env_var_name(key) {
                return Err(format!("{} is not a valid key name: {ENV_VAR_NAME_MSG}", quote(key)));
            }
            target.add(key, value.to_string())?;
        }
    }
    Ok(())
}

/// The flags kubesim does not emulate, refused with a clear error; and `Validate`'s
/// rule that an env file excludes the other sources.
fn refuse_unsupported(flags: &Parsed, out: &mut Output) -> bool {
    if flags.has("append-hash") {
        out.fail("error: kubesim does not emulate --append-hash yet");
        return true;
    }
    if flags.has("from-env-file") && (flags.has("from-file") || flags.has("from-literal")) {
        out.fail("error: from-env-file cannot be combined with from-file or from-literal");
        return true;
    }
    false
}

pub fn run_configmap(env: &mut Env, words: &[String], out: &mut Output) -> SimResult<()> {
    let Some(flags) = super::flags_or_fail("create configmap", CONFIGMAP_FLAGS, words, out) else {
        return Ok(());
    };
    let Some(name) = super::name_or_fail(&flags, "create configmap", out) else { return Ok(()) };
    if refuse_unsupported(&flags, out) {
        return Ok(());
    }
    let Some(dry_run) = super::dry_run_or_fail(&flags, out) else { return Ok(()) };
    // Files, then literals, then env files (`createConfigMap`).
    let generators = env.cluster.profile().config_generators;
    let mut target = ConfigMapData { name: &name, data: BTreeMap::new(), generators };
    let built = add_files(env, &flags.strings("from-file"), &mut target)
        .and_then(|()| add_literals(&flags.strings("from-literal"), &mut target))
        .and_then(|()| add_env_files(env, &flags.strings("from-env-file"), &mut target));
    if let Err(e) = built {
        // The generator's directory error ends with a period.
        let period = if generators && e == DIR_KEY_ERROR { "." } else { "" };
        out.fail(format!("error: {e}{period}"));
        return Ok(());
    }
    let data = target.data;
    let cm = ConfigMap {
        metadata: ObjectMeta { name: Some(name.clone()), ..Default::default() },
        data: if data.is_empty() { None } else { Some(data) },
        ..Default::default()
    };
    let value = serde_json::to_value(&cm).expect("serializable");
    create(env, &flags, Kind::ConfigMap, value, &name, dry_run, "failed to create configmap:", out);
    Ok(())
}

/// Creates the generated object and prints it; a refusal is the server's error as the
/// ≤ 1.20 generators printed it, or wrapped in `failure` (`createConfigMap`'s and
/// `createSecret`'s wording) afterwards.
#[allow(clippy::too_many_arguments)]
fn create(
    env: &mut Env,
    flags: &Parsed,
    kind: Kind,
    value: serde_json::Value,
    name: &str,
    dry_run: DryRun,
    failure: &str,
    out: &mut Output,
) {
    let namespace = resources::namespace(flags);
    let name_ref = name_ref(env.cluster.profile(), kind, name);
    super::create_and_report(
        &mut env.cluster.store,
        kind,
        value,
        &namespace,
        flags,
        dry_run,
        &name_ref,
        "created",
        out,
        |profile, e, out| {
            if profile.config_generators {
                out.api_error(profile, &e)
            } else {
                out.fail(format!("error: {failure} {e}"))
            }
        },
    );
}

/// `kubectl create secret generic`; the other secret generators are not emulated.
pub fn run_secret(env: &mut Env, words: &[String], out: &mut Output) -> SimResult<()> {
    let Some(pos) = crate::kubectl::command_position(words) else {
        out.fail("error: kubesim emulates only `kubectl create secret generic`");
        return Ok(());
    };
    if words[pos] != "generic" {
        out.fail(format!("error: kubesim does not emulate `kubectl create secret {}` yet", words[pos]));
        return Ok(());
    }
    let mut words = words.to_vec();
    words.remove(pos);
    let Some(flags) = super::flags_or_fail("create secret generic", SECRET_FLAGS, &words, out) else {
        return Ok(());
    };
    let Some(name) = super::name_or_fail(&flags, "create secret generic", out) else { return Ok(()) };
    if refuse_unsupported(&flags, out) {
        return Ok(());
    }
    let Some(dry_run) = super::dry_run_or_fail(&flags, out) else { return Ok(()) };
    // Literals, then files, then env files (`createSecret`); the generators took files
    // first.
    let generators = env.cluster.profile().config_generators;
    let mut target = SecretData { data: BTreeMap::new(), generators };
    let (literals, files) = (flags.strings("from-literal"), flags.strings("from-file"));
    let built = if generators {
        add_files(env, &files, &mut target).and_then(|()| add_literals(&literals, &mut target))
    } else {
        add_literals(&literals, &mut target).and_then(|()| add_files(env, &files, &mut target))
    }
    .and_then(|()| add_env_files(env, &flags.strings("from-env-file"), &mut target));
    if let Err(e) = built {
        out.fail(format!("error: {e}"));
        return Ok(());
    }
    let data = target.data;
    let secret = Secret {
        metadata: ObjectMeta { name: Some(name.clone()), ..Default::default() },
        data: if data.is_empty() { None } else { Some(data) },
        type_: flags.string("type").filter(|t| !t.is_empty()).map(str::to_string),
        ..Default::default()
    };
    let value = serde_json::to_value(&secret).expect("serializable");
    create(env, &flags, Kind::Secret, value, &name, dry_run, "failed to create secret", out);
    Ok(())
}
