//! `kubectl run NAME --image=IMAGE [--restart=…] [--labels=…] [--env=…] [--port=…]
//! [--expose] [--command] [-- ARGS…]` (`pkg/cmd/run/run.go`): since kubectl 1.18 a bare
//! Pod labelled `run=NAME`, its one container named after the pod. Before (profiles with
//! `kubectl_run_generators`), the default `--restart=Always` chose the deprecated
//! `deployment/apps.v1` generator, which made a Deployment; `--restart=Never` a Pod.
//! Attaching (`-i`, `-t`, `--attach`, `--rm`) needs a terminal and is refused.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec};
use k8s_openapi::api::core::v1::{
    Container, ContainerPort, EnvVar, Pod, PodSpec, PodTemplateSpec, SecurityContext, Service, ServicePort,
    ServiceSpec,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::api::Kind;
use crate::kubectl::flags::{self, Flag, FlagKind, flag};
use crate::kubectl::resources::{self, name_ref};
use crate::kubectl::{Env, Output, SimResult};

const FLAGS: &[Flag] = &[
    flag("image", None, FlagKind::String),
    flag("image-pull-policy", None, FlagKind::String),
    flag("rm", None, FlagKind::Bool),
    flag("env", None, FlagKind::StringArray),
    flag("port", None, FlagKind::String),
    flag("labels", Some('l'), FlagKind::String),
    flag("stdin", Some('i'), FlagKind::Bool),
    flag("tty", Some('t'), FlagKind::Bool),
    flag("attach", None, FlagKind::Bool),
    flag("leave-stdin-open", None, FlagKind::Bool),
    flag("restart", None, FlagKind::String),
    flag("command", None, FlagKind::Bool),
    flag("expose", None, FlagKind::Bool),
    flag("quiet", Some('q'), FlagKind::Bool),
    flag("privileged", None, FlagKind::Bool),
    flag("annotations", None, FlagKind::StringArray),
    flag("overrides", None, FlagKind::String),
    flag("override-type", None, FlagKind::String),
    flag("dry-run", None, FlagKind::OptionalString("unchanged")),
    flag("output", Some('o'), FlagKind::String),
    flag("field-manager", None, FlagKind::String),
    flag("save-config", None, FlagKind::Bool),
    flag("record", None, FlagKind::Bool),
    flag("pod-running-timeout", None, FlagKind::String),
];

/// The generator-era flags kubectl ≤ 1.17 still had.
const GENERATOR_FLAGS: &[Flag] = &[
    flag("generator", None, FlagKind::String),
    flag("replicas", Some('r'), FlagKind::Int),
    flag("schedule", None, FlagKind::String),
    flag("serviceaccount", None, FlagKind::String),
    flag("requests", None, FlagKind::String),
    flag("limits", None, FlagKind::String),
    flag("hostport", None, FlagKind::Int),
];

/// A usage error: the message, then cobra's hint.
fn usage(out: &mut Output, message: &str) {
    out.fail(format!("error: {message}\nSee 'kubectl run -h' for help and examples"));
}

pub fn run(env: &mut Env, words: &[String], out: &mut Output) -> SimResult<()> {
    let profile = env.cluster.profile().clone();
    let mut specs = FLAGS.to_vec();
    if profile.kubectl_run_generators {
        specs.extend_from_slice(GENERATOR_FLAGS);
    }
    let Some(flags) = super::flags_or_fail("run", &specs, words, out) else { return Ok(()) };
    let Some(opts) = RunOptions::read(&flags, out) else { return Ok(()) };
    if opts.attach {
        out.fail("error: kubesim does not emulate attaching to a container (kubectl run -i, -t, --attach, --rm): run the pod detached, then read it with kubectl logs");
        return Ok(());
    }
    if flags.has("overrides") {
        out.fail("error: kubesim does not emulate kubectl run --overrides");
        return Ok(());
    }
    let namespace = resources::namespace(&flags);
    if profile.kubectl_run_generators {
        run_generator_era(env, &flags, &opts, &namespace, out);
        return Ok(());
    }
    let pod = opts.pod();
    let service = opts.expose.then(|| opts.service());
    create_all(env, &flags, &opts, &namespace, pod, service, out);
    Ok(())
}

/// Creates the Service (`--expose`) then the Pod, printing each as kubectl does: the
/// Service first, and with `-o yaml` kubectl's YAML printer writes two document
/// separators before the second object.
fn create_all(
    env: &mut Env,
    flags: &flags::Parsed,
    opts: &RunOptions,
    namespace: &str,
    pod: Pod,
    service: Option<Service>,
    out: &mut Output,
) {
    let yaml = flags.string("output") == Some("yaml");
    if let Some(service) = service {
        let value = serde_json::to_value(&service).expect("serializable");
        create_one(env, flags, opts, namespace, Kind::Service, value, out);
        if out.code != 0 {
            return;
        }
        if yaml {
            out.out("---\n---\n");
        }
    }
    let value = serde_json::to_value(&pod).expect("serializable");
    create_one(env, flags, opts, namespace, Kind::Pod, value, out);
}

/// kubectl ≤ 1.17: without `--generator`, `--restart` picks one — Always the deprecated
/// `deployment/apps.v1` (a Deployment of `--replicas` pods, warned about on stderr),
/// Never `run-pod/v1` (the Pod of later versions). The Job and CronJob generators and
/// the generator-only flags are not emulated.
fn run_generator_era(
    env: &mut Env,
    flags: &flags::Parsed,
    opts: &RunOptions,
    namespace: &str,
    out: &mut Output,
) {
    let unsupported = ["schedule", "serviceaccount", "requests", "limits", "hostport"];
    if let Some(f) = unsupported.iter().find(|f| flags.has(f)) {
        return out.fail(format!("error: kubesim does not emulate kubectl run --{f}"));
    }
    if opts.expose {
        return out.fail("error: kubesim does not emulate kubectl run --expose before kubectl 1.18");
    }
    let generator = match (flags.string("generator"), opts.restart.as_deref().unwrap_or("Always")) {
        (Some(g), _) => g.to_string(),
        (None, "Always") => DEPLOYMENT_GENERATOR.to_string(),
        (None, "Never") => POD_GENERATOR.to_string(),
        (None, _) => "job/v1".to_string(),
    };
    if generator != POD_GENERATOR && generator != DEPLOYMENT_GENERATOR {
        return out.fail(format!(
            "error: kubesim does not emulate kubectl run --generator={generator} (only {POD_GENERATOR} and {DEPLOYMENT_GENERATOR})"
        ));
    }
    if generator != POD_GENERATOR {
        out.err_line(format!("kubectl run --generator={generator} is DEPRECATED and will be removed in a future version. Use kubectl run --generator={POD_GENERATOR} or kubectl create instead."));
    }
    if generator == POD_GENERATOR {
        let value = serde_json::to_value(opts.pod()).expect("serializable");
        return create_one(env, flags, opts, namespace, Kind::Pod, value, out);
    }
    let replicas = flags.int("replicas").unwrap_or(1) as i32;
    let value = serde_json::to_value(opts.deployment(replicas)).expect("serializable");
    let name_ref =
        resources::manifest_name_ref(env.cluster.profile(), Kind::Deployment, "apps/v1", &opts.name);
    create_named(env, flags, opts, namespace, Kind::Deployment, value, &name_ref, out);
}

const POD_GENERATOR: &str = "run-pod/v1";
const DEPLOYMENT_GENERATOR: &str = "deployment/apps.v1";

/// Creates one generated object and prints it; a failed create is the server's error.
pub(super) fn create_one(
    env: &mut Env,
    flags: &flags::Parsed,
    opts: &RunOptions,
    namespace: &str,
    kind: Kind,
    value: serde_json::Value,
    out: &mut Output,
) {
    let name_ref = name_ref(env.cluster.profile(), kind, &opts.name);
    create_named(env, flags, opts, namespace, kind, value, &name_ref, out);
}

/// [`create_one`] with the name kubectl prints given (the 1.17 Deployment generator
/// names `deployment.apps/…`, the group of its manifest).
#[allow(clippy::too_many_arguments)]
fn create_named(
    env: &mut Env,
    flags: &flags::Parsed,
    opts: &RunOptions,
    namespace: &str,
    kind: Kind,
    value: serde_json::Value,
    name_ref: &str,
    out: &mut Output,
) {
    super::create_and_report(
        &mut env.cluster.store,
        kind,
        value,
        namespace,
        flags,
        opts.dry_run,
        name_ref,
        "created",
        out,
        |profile, e, out| out.api_error(profile, &e),
    );
}

/// What `Complete` and `Validate` read from the command line, checked in their order.
pub(super) struct RunOptions {
    pub name: String,
    pub args: Vec<String>,
    pub image: String,
    pub labels: Option<BTreeMap<String, String>>,
    pub annotations: BTreeMap<String, String>,
    pub envs: Vec<EnvVar>,
    /// `None` when `--restart` was not given (the generator era chose by it).
    pub restart: Option<String>,
    pub pull_policy: Option<String>,
    pub port: Option<i32>,
    pub command: bool,
    pub expose: bool,
    pub privileged: bool,
    pub attach: bool,
    pub dry_run: flags::DryRun,
}

/// A parsed flag value, or its error printed as `error: …` (exit 1).
fn ok_or_fail<T>(parsed: Result<T, String>, out: &mut Output) -> Option<T> {
    parsed.map_err(|e| out.fail(format!("error: {e}"))).ok()
}

impl RunOptions {
    fn read(flags: &flags::Parsed, out: &mut Output) -> Option<RunOptions> {
        // cobra checks required flags before the command runs.
        if !flags.has("image") {
            out.fail("error: required flag(s) \"image\" not set");
            return None;
        }
        let annotations = ok_or_fail(parse_annotations(&flags.strings("annotations")), out)?;
        let labels = ok_or_fail(parse_labels(flags.string("labels").unwrap_or("")), out)?;
        let envs = ok_or_fail(parse_envs(&flags.strings("env")), out)?;
        let interactive = flags.bool("stdin");
        let restart = match flags.string("restart") {
            None => None,
            Some("") => Some(if interactive { "OnFailure" } else { "Always" }.to_string()),
            Some(r @ ("Always" | "OnFailure" | "Never")) => Some(r.to_string()),
            Some(other) => {
                usage(out, &format!("invalid restart policy: {other}"));
                return None;
            }
        };
        let pull_policy = match flags.string("image-pull-policy").unwrap_or("") {
            "" => None,
            p @ ("Always" | "IfNotPresent" | "Never") => Some(p.to_string()),
            other => {
                usage(out, &format!("invalid image pull policy: {other}"));
                return None;
            }
        };
        let attach = if flags.has("attach") { flags.bool("attach") } else { interactive };
        let dry_run = super::dry_run_or_fail(flags, out)?;
        // Validate: `--` before any word leaves no NAME (kubernetes#13004).
        let Some(name) = flags.args.first().cloned() else {
            usage(out, "NAME is required for run");
            return None;
        };
        let image = flags.string("image").unwrap_or("").to_string();
        if image.is_empty() {
            out.fail("error: --image is required");
            return None;
        }
        if !is_image_reference(&image) {
            out.fail(format!("error: Invalid image name \"{image}\": invalid reference format"));
            return None;
        }
        if flags.bool("tty") && !interactive {
            usage(out, "-i/--stdin is required for containers with -t/--tty=true");
            return None;
        }
        let port_text = flags.string("port").unwrap_or("");
        if flags.bool("expose") && port_text.is_empty() {
            usage(out, "--port must be set when exposing a service");
            return None;
        }
        let port = match port_text {
            "" => None,
            text => match go_atoi(text) {
                // Go's int32 conversion wraps.
                Ok(n) => Some(n as i32),
                Err(e) => {
                    out.fail(format!("error: {e}"));
                    return None;
                }
            },
        };
        if !attach && flags.bool("rm") {
            usage(out, "--rm should only be used for attached containers");
            return None;
        }
        if attach && dry_run != flags::DryRun::None {
            usage(
                out,
                "--dry-run=[server|client] can't be used with attached containers options (--attach, --stdin, or --tty)",
            );
            return None;
        }
        let mut args = flags.args[1..].to_vec();
        args.extend(flags.rest.iter().cloned());
        Some(RunOptions {
            name,
            args,
            image,
            labels,
            annotations,
            envs,
            restart,
            pull_policy,
            port,
            command: flags.bool("command"),
            expose: flags.bool("expose"),
            privileged: flags.bool("privileged"),
            attach,
            dry_run,
        })
    }

    /// The labels of what is generated: `--labels`, else `run=NAME`.
    pub fn labels(&self) -> BTreeMap<String, String> {
        self.labels.clone().unwrap_or_else(|| [("run".to_string(), self.name.clone())].into())
    }

    /// The one container: named after the pod; extra arguments become `args`, or
    /// `command` with `--command`.
    pub fn container(&self) -> Container {
        let args = (!self.args.is_empty()).then(|| self.args.clone());
        Container {
            name: self.name.clone(),
            image: Some(self.image.clone()),
            env: (!self.envs.is_empty()).then(|| self.envs.clone()),
            image_pull_policy: self.pull_policy.clone(),
            security_context: self
                .privileged
                .then(|| SecurityContext { privileged: Some(true), ..Default::default() }),
            command: if self.command { args.clone() } else { None },
            args: if self.command { None } else { args },
            ports: self.port.map(|p| vec![ContainerPort { container_port: p, ..Default::default() }]),
            ..Default::default()
        }
    }

    /// `createPod`: `dnsPolicy: ClusterFirst`, the restart policy (Always by default).
    pub fn pod(&self) -> Pod {
        Pod {
            metadata: ObjectMeta {
                name: Some(self.name.clone()),
                labels: Some(self.labels()),
                annotations: (!self.annotations.is_empty()).then(|| self.annotations.clone()),
                ..Default::default()
            },
            spec: Some(PodSpec {
                containers: vec![self.container()],
                dns_policy: Some("ClusterFirst".into()),
                restart_policy: Some(self.restart.clone().unwrap_or_else(|| "Always".into())),
                ..Default::default()
            }),
            status: None,
        }
    }

    /// The `deployment/apps.v1` generator's Deployment (kubectl ≤ 1.17): the labels on
    /// the Deployment, its selector and its pod template; the pod spec without restart or
    /// DNS policy (the apiserver defaults them).
    pub fn deployment(&self, replicas: i32) -> Deployment {
        let labels = self.labels();
        Deployment {
            metadata: ObjectMeta {
                name: Some(self.name.clone()),
                labels: Some(labels.clone()),
                ..Default::default()
            },
            spec: Some(DeploymentSpec {
                replicas: Some(replicas),
                selector: LabelSelector { match_labels: Some(labels.clone()), match_expressions: None },
                template: PodTemplateSpec {
                    metadata: Some(ObjectMeta { labels: Some(labels), ..Default::default() }),
                    spec: Some(PodSpec { containers: vec![self.container()], ..Default::default() }),
                },
                ..Default::default()
            }),
            status: None,
        }
    }

    /// `createService` (`--expose`): labelled only with `--labels`, selecting the pod's
    /// labels, one TCP port targeting the same number.
    pub fn service(&self) -> Service {
        let port = self.port.unwrap_or(0);
        Service {
            metadata: ObjectMeta {
                name: Some(self.name.clone()),
                labels: self.labels.clone(),
                ..Default::default()
            },
            spec: Some(ServiceSpec {
                selector: Some(self.labels()),
                ports: Some(vec![ServicePort {
                    port,
                    protocol: Some("TCP".into()),
                    target_port: Some(IntOrString::Int(port)),
                    ..Default::default()
                }]),
                ..Default::default()
            }),
            status: None,
        }
    }
}

/// `cmdutil.ParsePairs(…, "annotations", false)`: `KEY=VALUE` (split at the first `=`,
/// the key not empty); anything else is listed in one error.
fn parse_annotations(pairs: &[String]) -> Result<BTreeMap<String, String>, String> {
    let mut map = BTreeMap::new();
    let mut invalid = Vec::new();
    for pair in pairs {
        match pair.split_once('=') {
            Some((k, v)) if !k.is_empty() => {
                map.insert(k.to_string(), v.to_string());
            }
            _ => invalid.push(pair.as_str()),
        }
    }
    if invalid.is_empty() {
        Ok(map)
    } else {
        Err(format!("invalid annotations format: {}", invalid.join(", ")))
    }
}

/// `parseLabels`: comma-separated `k=v` (exactly one `=`, a key); empty means none.
fn parse_labels(text: &str) -> Result<Option<BTreeMap<String, String>>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    let mut labels = BTreeMap::new();
    for spec in text.split(',') {
        let parts: Vec<&str> = spec.split('=').collect();
        if parts.len() != 2 {
            return Err(format!("unexpected label spec: {spec}"));
        }
        if parts[0].is_empty() {
            return Err("unexpected empty label key".into());
        }
        labels.insert(parts[0].to_string(), parts[1].to_string());
    }
    Ok(Some(labels))
}

/// `parseEnvs`: `NAME=VALUE` with a C-identifier-like name (`IsEnvVarName`).
fn parse_envs(pairs: &[String]) -> Result<Vec<EnvVar>, String> {
    let valid_name = |n: &str| {
        n.starts_with(|c: char| c.is_ascii_alphabetic() || "-._".contains(c))
            && n.chars().all(|c| c.is_ascii_alphanumeric() || "-._".contains(c))
    };
    pairs
        .iter()
        .map(|pair| match pair.split_once('=') {
            Some((name, value)) if valid_name(name) => Ok(EnvVar {
                name: name.to_string(),
                value: (!value.is_empty()).then(|| value.to_string()),
                value_from: None,
            }),
            _ => Err(format!("invalid env: {pair}")),
        })
        .collect()
}

/// Go's `strconv.Atoi` on a 64-bit platform, with its error texts.
fn go_atoi(text: &str) -> Result<i64, String> {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("strconv.Atoi: parsing \"{text}\": invalid syntax"));
    }
    text.parse::<i64>().map_err(|_| format!("strconv.Atoi: parsing \"{text}\": value out of range"))
}

/// `reference.ReferenceRegexp` (github.com/distribution/reference): an optional
/// registry host with port, lowercase path components, an optional tag and digest.
fn is_image_reference(image: &str) -> bool {
    use std::sync::LazyLock;
    static REFERENCE: LazyLock<regex::Regex> = LazyLock::new(|| {
        let component = "[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*";
        let domain_component = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
        let host = format!(r"(?:{domain_component}(?:\.{domain_component})*|\[(?:[a-fA-F0-9:]+)\])");
        let name = format!(r"(?:{host}(?::[0-9]+)?/)?{component}(?:/{component})*");
        let tag = r"[\w][\w.-]{0,127}";
        let digest = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][[:xdigit:]]{32,}";
        regex::Regex::new(&format!("^{name}(?::{tag})?(?:@{digest})?$")).expect("valid regex")
    });
    REFERENCE.is_match(image)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_references() {
        for ok in ["nginx", "nginx:1.25", "luksa/kubia", "localhost:5000/a/b:v1", "registry.k8s.io/pause:3.9"]
        {
            assert!(is_image_reference(ok), "{ok}");
        }
        for bad in ["Nginx", "bad image", "nginx:1.2@sha256:abc", "localhost:5000/Foo/bar", "a:"] {
            assert!(!is_image_reference(bad), "{bad}");
        }
    }

    #[test]
    fn pairs_as_kubectl_parses_them() {
        assert_eq!(parse_labels("a=b,c").unwrap_err(), "unexpected label spec: c");
        assert_eq!(parse_labels("a=b=c").unwrap_err(), "unexpected label spec: a=b=c");
        assert_eq!(parse_labels("=b").unwrap_err(), "unexpected empty label key");
        assert_eq!(parse_annotations(&["a".into()]).unwrap_err(), "invalid annotations format: a");
        assert_eq!(parse_envs(&["=1".into()]).unwrap_err(), "invalid env: =1");
        assert_eq!(parse_envs(&["A=1=2".into()]).unwrap()[0].value.as_deref(), Some("1=2"));
        assert_eq!(go_atoi("abc").unwrap_err(), "strconv.Atoi: parsing \"abc\": invalid syntax");
    }
}
