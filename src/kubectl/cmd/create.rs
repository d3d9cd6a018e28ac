//! `kubectl create -f` and `kubectl apply -f`: manifests read from the scenario's
//! virtual files, mapped to kinds the profile serves, admitted and stored.

use serde_json::Value;

use crate::api::admission::{Admit, admit, admit_update};
use crate::api::store::Object;
use crate::api::{ApiError, Kind, ObjKey, Store};
use crate::api::{patch, versions};
use crate::kubectl::flags::{self, Flag, FlagKind, flag};
use crate::kubectl::resources;
use crate::kubectl::validation::{self, Validate, Verdict};
use crate::kubectl::{Env, Output, SimResult};
use crate::profile::Profile;

const FLAGS: &[Flag] = &[
    flag("filename", Some('f'), FlagKind::StringSlice),
    flag("validate", None, FlagKind::String),
    flag("save-config", None, FlagKind::Bool),
    flag("record", None, FlagKind::Bool),
    flag("dry-run", None, FlagKind::String),
    flag("output", Some('o'), FlagKind::String),
];

pub const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// One document of a manifest file, mapped to a kind.
pub struct Manifest {
    pub file: String,
    pub kind: Kind,
    pub value: Value,
}

impl Manifest {
    fn name(&self) -> String {
        self.value.pointer("/metadata/name").and_then(|v| v.as_str()).unwrap_or("").to_string()
    }

    pub fn api_version(&self) -> &str {
        self.value.get("apiVersion").and_then(|v| v.as_str()).unwrap_or("")
    }

    /// `deployment.extensions/web`: named in the manifest's own group.
    pub fn name_ref(&self, profile: &Profile) -> String {
        resources::manifest_name_ref(profile, self.kind, self.api_version(), &self.name())
    }

    /// kubectl's text for an API error on this manifest's object ("error when creating
    /// \"file\": deployments.extensions \"x\" already exists"): named in the manifest's group.
    pub fn server_error(&self, profile: &Profile, err: &ApiError, action: &str) -> String {
        let context = format!("error when {action} \"{}\"", self.file);
        crate::kubectl::manifest_server_error(profile, err, Some(&context), self.api_version())
    }
}

/// Reads the documents of `file`; errors are kubectl's full stderr text.
pub fn load(env: &Env, file: &str, profile: &Profile) -> Result<Vec<Manifest>, String> {
    let Some(text) = env.files.get(file) else {
        return Err(format!("error: the path \"{file}\" does not exist"));
    };
    let mut manifests = Vec::new();
    for doc in serde_yaml::Deserializer::from_str(text) {
        let value: serde_yaml::Value = match serde::Deserialize::deserialize(doc) {
            Ok(v) => v,
            Err(e) => {
                let line = e.location().map(|l| l.line()).unwrap_or(0);
                return Err(format!(
                    "error: error parsing {file}: error converting YAML to JSON: yaml: line {line}: {}",
                    yaml_reason(&e.to_string())
                ));
            }
        };
        if value.is_null() {
            continue;
        }
        let json: Value =
            serde_json::to_value(&value).map_err(|e| format!("error: error parsing {file}: {e}"))?;
        let docs = if json.get("kind").and_then(|k| k.as_str()) == Some("List") {
            json.get("items").and_then(|i| i.as_array()).cloned().unwrap_or_default()
        } else {
            vec![json]
        };
        for doc in docs {
            manifests.push(map_kind(file, doc, profile)?);
        }
    }
    Ok(manifests)
}

fn yaml_reason(message: &str) -> String {
    message.split(" at line ").next().unwrap_or(message).to_string()
}

fn map_kind(file: &str, doc: Value, profile: &Profile) -> Result<Manifest, String> {
    let api_version = doc.get("apiVersion").and_then(|v| v.as_str()).unwrap_or("");
    let kind_name = doc.get("kind").and_then(|v| v.as_str()).unwrap_or("");
    let mut missing = Vec::new();
    if api_version.is_empty() {
        missing.push("apiVersion not set");
    }
    if kind_name.is_empty() {
        missing.push("kind not set");
    }
    if !missing.is_empty() {
        return Err(format!(
            "error: error validating \"{file}\": error validating data: [{}]; if you choose to ignore these errors, turn validation off with --validate=false",
            missing.join(", ")
        ));
    }
    let kind = Kind::from_name(kind_name).filter(|_| profile.serves(api_version, kind_name));
    match kind {
        Some(kind) => Ok(Manifest { file: file.to_string(), kind, value: doc }),
        None => {
            let name = doc.pointer("/metadata/name").and_then(|v| v.as_str()).unwrap_or("");
            let ns = doc.pointer("/metadata/namespace").and_then(|v| v.as_str()).unwrap_or("");
            Err(if profile.resource_mapping_error {
                format!(
                    "error: resource mapping not found for name: \"{name}\" namespace: \"{ns}\" from \"{file}\": no matches for kind \"{kind_name}\" in version \"{api_version}\"\nensure CRDs are installed first"
                )
            } else {
                format!(
                    "error: unable to recognize \"{file}\": no matches for kind \"{kind_name}\" in version \"{api_version}\""
                )
            })
        }
    }
}

/// Admits and creates an object given as JSON.
pub fn create_value(store: &mut Store, kind: Kind, value: Value, namespace: &str) -> Result<Value, ApiError> {
    fn go<T: Object + Admit>(
        store: &mut Store,
        mut value: Value,
        namespace: &str,
    ) -> Result<Value, ApiError> {
        versions::to_stored_version(T::STORED_KIND, &mut value).map_err(ApiError::BadRequest)?;
        let mut obj: T = serde_json::from_value(value).map_err(|e| ApiError::BadRequest(e.to_string()))?;
        if T::STORED_KIND.info().namespaced && obj.metadata().namespace.is_none() {
            obj.metadata_mut().namespace = Some(namespace.to_string());
        }
        admit(&mut obj, store)?;
        let created = store.create(obj)?;
        Ok(serde_json::to_value(&*T::read(created)).expect("serializable"))
    }
    crate::with_kind!(kind, T => go::<T>(store, value, namespace), else Err(ApiError::BadRequest("events are recorded, not written".into())))
}

/// Re-admits (defaults, validation) and stores an updated object given as JSON.
pub fn update_value(store: &mut Store, kind: Kind, value: Value) -> Result<(), ApiError> {
    fn go<T: Object + Admit>(store: &mut Store, mut value: Value) -> Result<(), ApiError> {
        versions::to_stored_version(T::STORED_KIND, &mut value).map_err(ApiError::BadRequest)?;
        let mut obj: T = serde_json::from_value(value).map_err(|e| ApiError::BadRequest(e.to_string()))?;
        let meta = obj.metadata();
        let key = (meta.namespace.clone().unwrap_or_default(), meta.name.clone().unwrap_or_default());
        match store.get_by_key::<T>(&key).map(|o| T::clone(&o)) {
            Some(old) => admit_update(&mut obj, &old, store)?,
            None => admit(&mut obj, store)?,
        }
        store.update(obj)
    }
    crate::with_kind!(kind, T => go::<T>(store, value), else Err(ApiError::BadRequest("events are recorded, not written".into())))
}

/// Runs the profile's unknown-field check on a manifest: prints warnings, or the error
/// and returns false.
fn passes_validation(m: &Manifest, profile: &Profile, validate: Validate, out: &mut Output) -> bool {
    match validation::check(m.kind, &m.value, &m.file, profile, validate) {
        Verdict::Ok(warnings) => {
            for w in warnings {
                out.err_line(w);
            }
            true
        }
        Verdict::Rejected(e) => {
            out.fail(e);
            false
        }
    }
}

fn validate_flag(flags: &flags::Parsed, out: &mut Output) -> Option<Validate> {
    match Validate::parse(flags.string("validate")) {
        Ok(v) => Some(v),
        Err(e) => {
            out.fail(e);
            None
        }
    }
}

fn parse_flags(command: &str, words: &[String], out: &mut Output) -> Option<flags::Parsed> {
    match flags::parse(command, FLAGS, words) {
        Ok(f) => Some(f),
        Err(e) => {
            out.fail(e);
            None
        }
    }
}

/// `kubectl create` without `-f`. Up to 1.30 kubectl wrote `Error: must specify one of
/// -f and -k`, a blank line, then cobra's help for the command (exit 1); 1.31+ print a
/// plain error. The help text is the profile's `create_without_file_help`.
fn no_file_given(env: &Env, out: &mut Output) {
    const NO_FILE: &str = "must specify one of -f and -k";
    match env.cluster.profile().create_without_file_help {
        Some(help) => {
            out.stderr.push_str(&format!("Error: {NO_FILE}\n\n"));
            out.stderr.push_str(help);
            out.code = 1;
        }
        None => out.fail(format!("error: {NO_FILE}")),
    }
}

pub fn run_create(env: &mut Env, words: &[String], out: &mut Output) -> SimResult<()> {
    if let Some(pos) = crate::kubectl::command_position(words)
        && matches!(words[pos].as_str(), "deployment" | "deploy")
    {
        let mut rest = words[..pos].to_vec();
        rest.extend_from_slice(&words[pos + 1..]);
        return super::create_deployment::run(env, &rest, out);
    }
    if let Some(pos) = crate::kubectl::command_position(words)
        && matches!(words[pos].as_str(), "cronjob" | "cj" | "job")
    {
        let mut rest = words[..pos].to_vec();
        rest.extend_from_slice(&words[pos + 1..]);
        return match words[pos].as_str() {
            "job" => super::create_cronjob::run_job(env, &rest, out),
            _ => super::create_cronjob::run_cronjob(env, &rest, out),
        };
    }
    if let Some(pos) = crate::kubectl::command_position(words)
        && matches!(words[pos].as_str(), "namespace" | "ns")
    {
        let mut rest = words[..pos].to_vec();
        rest.extend_from_slice(&words[pos + 1..]);
        return super::create_namespace::run(env, &rest, out);
    }
    if let Some(pos) = crate::kubectl::command_position(words)
        && matches!(words[pos].as_str(), "configmap" | "cm" | "secret")
    {
        let mut rest = words[..pos].to_vec();
        rest.extend_from_slice(&words[pos + 1..]);
        return match words[pos].as_str() {
            "secret" => super::create_configmap::run_secret(env, &rest, out),
            _ => super::create_configmap::run_configmap(env, &rest, out),
        };
    }
    if let Some(pos) = crate::kubectl::command_position(words)
        && matches!(words[pos].as_str(), "service" | "svc")
    {
        let mut rest = words[..pos].to_vec();
        rest.extend_from_slice(&words[pos + 1..]);
        return super::create_service::run(env, &rest, out);
    }
    let Some(flags) = parse_flags("create", words, out) else { return Ok(()) };
    crate::kubectl::record::warn_if_used(&flags, env.cluster.profile(), out);
    let Some(validate) = validate_flag(&flags, out) else { return Ok(()) };
    let files = flags.strings("filename");
    if files.is_empty() {
        no_file_given(env, out);
        return Ok(());
    }
    let namespace = resources::namespace(&flags);
    let profile = env.cluster.profile().clone();
    for file in files {
        let manifests = match load(env, &file, &profile) {
            Ok(m) => m,
            Err(e) => {
                out.fail(e);
                continue;
            }
        };
        for m in manifests {
            if !passes_validation(&m, &profile, validate, out) {
                continue;
            }
            let mut value = m.value.clone();
            if flags.bool("save-config") {
                set_last_applied(&mut value, m.kind, &m.value, &namespace);
            }
            if crate::kubectl::record::requested(&flags) {
                let cause = crate::kubectl::record::change_cause("create", &flags);
                crate::kubectl::record::annotate(&mut value, cause);
            }
            match create_value(&mut env.cluster.store, m.kind, value, &namespace) {
                Ok(_) => out.line(format!("{} created", m.name_ref(&profile))),
                Err(e) => out.fail(m.server_error(&profile, &e, "creating")),
            }
        }
    }
    Ok(())
}

/// The annotation `kubectl apply` keeps: the manifest as kubectl sends it (namespace
/// filled in for namespaced kinds, an `annotations` map without this annotation), as
/// compact JSON with sorted keys.
fn set_last_applied(target: &mut Value, kind: Kind, manifest: &Value, namespace: &str) {
    let recorded = modified_config(kind, manifest, namespace);
    let text = format!("{}\n", serde_json::to_string(&sorted(&recorded)).expect("JSON"));
    let annotations = target
        .as_object_mut()
        .expect("manifest is an object")
        .entry("metadata")
        .or_insert_with(|| Value::Object(Default::default()))
        .as_object_mut()
        .expect("metadata is an object")
        .entry("annotations")
        .or_insert_with(|| Value::Object(Default::default()));
    if let Some(map) = annotations.as_object_mut() {
        map.insert(LAST_APPLIED.into(), Value::String(text));
    }
}

/// The manifest as kubectl sends it: namespace filled in for namespaced kinds and an
/// `annotations` map, without the last-applied annotation itself.
fn modified_config(kind: Kind, manifest: &Value, namespace: &str) -> Value {
    let mut recorded = manifest.clone();
    if let Some(meta) = recorded.get_mut("metadata").and_then(|m| m.as_object_mut()) {
        if kind.info().namespaced && !meta.contains_key("namespace") {
            meta.insert("namespace".into(), Value::String(namespace.to_string()));
        }
        let annotations = meta.entry("annotations").or_insert_with(|| Value::Object(Default::default()));
        if let Some(map) = annotations.as_object_mut() {
            map.remove(LAST_APPLIED);
        }
    }
    recorded
}

fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            Value::Object(keys.into_iter().map(|k| (k.clone(), sorted(&map[k]))).collect())
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

pub fn run_apply(env: &mut Env, words: &[String], out: &mut Output) -> SimResult<()> {
    let Some(flags) = parse_flags("apply", words, out) else { return Ok(()) };
    crate::kubectl::record::warn_if_used(&flags, env.cluster.profile(), out);
    let Some(validate) = validate_flag(&flags, out) else { return Ok(()) };
    let files = flags.strings("filename");
    if files.is_empty() {
        out.fail("error: must specify one of -f and -k");
        return Ok(());
    }
    let namespace = resources::namespace(&flags);
    let profile = env.cluster.profile().clone();
    for file in files {
        let manifests = match load(env, &file, &profile) {
            Ok(m) => m,
            Err(e) => {
                out.fail(e);
                continue;
            }
        };
        for mut m in manifests {
            // `applyOneObject` records the command on the object before computing the
            // modified configuration, so the change-cause is in last-applied too.
            if crate::kubectl::record::requested(&flags) {
                let cause = crate::kubectl::record::change_cause("apply", &flags);
                crate::kubectl::record::annotate(&mut m.value, cause);
            }
            if passes_validation(&m, &profile, validate, out) {
                apply_one(env, &m, &namespace, out);
            }
        }
    }
    Ok(())
}

fn apply_one(env: &mut Env, m: &Manifest, namespace: &str, out: &mut Output) {
    let profile = env.cluster.profile().clone();
    let store = &mut env.cluster.store;
    let ns = m.value.pointer("/metadata/namespace").and_then(|v| v.as_str()).unwrap_or(namespace).to_string();
    let key: ObjKey = resources::key(m.kind, &ns, &m.name());
    let Some(current) = resources::get_value(store, m.kind, &key) else {
        let mut value = m.value.clone();
        set_last_applied(&mut value, m.kind, &m.value, &ns);
        match create_value(store, m.kind, value, &ns) {
            Ok(_) => out.line(format!("{} created", m.name_ref(&profile))),
            Err(e) => out.fail(m.server_error(&profile, &e, "creating")),
        }
        return;
    };
    let original: Option<Value> = current
        .pointer(&format!("/metadata/annotations/{}", LAST_APPLIED.replace('/', "~1")))
        .and_then(|v| v.as_str())
        .and_then(|s| serde_json::from_str(s).ok());
    if original.is_none() {
        out.err_line(format!(
            "Warning: resource {}/{} is missing the {LAST_APPLIED} annotation which is required by kubectl apply. kubectl apply should only be used on resources created declaratively by either kubectl create --save-config or kubectl apply. The missing annotation will be patched automatically.",
            m.kind.info().plural,
            m.name()
        ));
    }
    let modified = modified_config(m.kind, &m.value, &ns);
    let mut updated = current.clone();
    if let Some(original) = &original {
        patch::remove_deleted_fields(&mut updated, original, &modified);
    }
    let mut patch_body = modified.clone();
    patch::add_retain_keys(&mut patch_body);
    patch::strategic_merge(&mut updated, &patch_body);
    set_last_applied(&mut updated, m.kind, &m.value, &ns);
    // The manifest may be written in a legacy version (extensions/v1beta1): the merged
    // object is compared and stored in the stored version.
    if let Err(e) = versions::to_stored_version(m.kind, &mut updated) {
        out.fail(m.server_error(&profile, &ApiError::BadRequest(e), "applying patch to"));
        return;
    }
    if updated == current {
        out.line(format!("{} unchanged", m.name_ref(&profile)));
        return;
    }
    match update_value(store, m.kind, updated) {
        Ok(()) => {
            let after = resources::get_value(store, m.kind, &key);
            let _ = after;
            out.line(format!("{} configured", m.name_ref(&profile)));
        }
        Err(e) => out.fail(m.server_error(&profile, &e, "applying patch to")),
    }
}
