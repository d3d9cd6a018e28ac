//! `kubectl expose (TYPE NAME | TYPE/NAME) [--port] [--target-port] [--type] [--name]
//! [--protocol] [--selector] [--labels] [--cluster-ip] [--external-ip]`
//! (`cmd/expose/expose.go`, `generate/versioned/service.go` `ServiceGeneratorV2`,
//! `polymorphichelpers` `canbeexposed`, `mapbasedselectorforobject`,
//! `portsforobject`, `protocolsforobject`).
//!
//! The Service takes the exposed object's labels, its selector (as a plain map), and
//! its container ports unless `--port` is given; several ports are named `port-1`,
//! `port-2`, …; the target port defaults to the port.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::{Container, Pod, ReplicationController, Service, ServicePort, ServiceSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::api::selector::Selector;
use crate::api::{ApiError, Kind, Store};
use crate::kubectl::flags::{self, Flag, FlagKind, flag};
use crate::kubectl::resources::{self, name_ref};
use crate::kubectl::{Env, Output, SimResult};
use crate::profile::Profile;

const FLAGS: &[Flag] = &[
    flag("port", None, FlagKind::String),
    flag("target-port", None, FlagKind::String),
    flag("protocol", None, FlagKind::String),
    flag("type", None, FlagKind::String),
    flag("name", None, FlagKind::String),
    flag("selector", None, FlagKind::String),
    flag("labels", Some('l'), FlagKind::String),
    flag("cluster-ip", None, FlagKind::String),
    flag("external-ip", None, FlagKind::String),
    flag("session-affinity", None, FlagKind::String),
    flag("dry-run", None, FlagKind::OptionalString("unchanged")),
    flag("output", Some('o'), FlagKind::String),
    flag("save-config", None, FlagKind::Bool),
    flag("filename", Some('f'), FlagKind::StringSlice),
];

const USAGE_HINT: &str = "See 'kubectl expose -h' for help and examples";

/// What `expose` reads from the exposed object.
struct Exposed {
    labels: Option<BTreeMap<String, String>>,
    /// The map-based selector, or the error text of `MapBasedSelectorForObject`.
    selector: Result<BTreeMap<String, String>, String>,
    /// (port, protocol) of every container port, in container order.
    ports: Vec<(i32, String)>,
}

fn container_ports(containers: &[Container]) -> Vec<(i32, String)> {
    containers
        .iter()
        .flat_map(|c| c.ports.iter().flatten())
        .map(|p| (p.container_port, p.protocol.clone().unwrap_or_else(|| "TCP".into())))
        .collect()
}

/// The container ports of a controller's pod template.
fn template_ports(template: Option<&k8s_openapi::api::core::v1::PodTemplateSpec>) -> Vec<(i32, String)> {
    template.and_then(|t| t.spec.as_ref()).map(|s| container_ports(&s.containers)).unwrap_or_default()
}

/// `MapBasedSelectorForObject` for a `LabelSelector`: match expressions cannot be
/// turned into a map.
fn label_selector_map(kind: &str, sel: &LabelSelector) -> Result<BTreeMap<String, String>, String> {
    if sel.match_expressions.as_ref().is_some_and(|e| !e.is_empty()) {
        return Err(format!(
            "couldn't convert expressions - \"{}\" to map-based selector format",
            Selector::from_label_selector(sel).map(|s| s.render()).unwrap_or_default()
        ));
    }
    let _ = kind;
    Ok(sel.match_labels.clone().unwrap_or_default())
}

/// Reads the exposed object; `Err` is kubectl's whole error text.
fn read_exposed(
    profile: &Profile,
    store: &Store,
    kind: Kind,
    ns: &str,
    name: &str,
) -> Result<Exposed, String> {
    let not_found = || crate::kubectl::server_error(profile, &ApiError::not_found(kind, name), None);
    match kind {
        Kind::Pod => {
            let pod = store.get::<Pod>(ns, name).ok_or_else(not_found)?;
            let labels = pod.metadata.labels.clone();
            let selector = match labels.as_ref().filter(|l| !l.is_empty()) {
                Some(l) => Ok(l.clone()),
                None => Err("the pod has no labels and cannot be exposed".to_string()),
            };
            let ports = pod.spec.as_ref().map(|s| container_ports(&s.containers)).unwrap_or_default();
            Ok(Exposed { labels, selector, ports })
        }
        Kind::ReplicationController => {
            let rc = store.get::<ReplicationController>(ns, name).ok_or_else(not_found)?;
            let spec = rc.spec.clone().unwrap_or_default();
            let ports = template_ports(spec.template.as_ref());
            Ok(Exposed {
                labels: rc.metadata.labels.clone(),
                selector: Ok(spec.selector.unwrap_or_default()),
                ports,
            })
        }
        Kind::ReplicaSet => {
            let rs = store.get::<ReplicaSet>(ns, name).ok_or_else(not_found)?;
            let spec = rs.spec.clone().unwrap_or_default();
            let ports = template_ports(spec.template.as_ref());
            Ok(Exposed {
                labels: rs.metadata.labels.clone(),
                selector: label_selector_map("ReplicaSet", &spec.selector),
                ports,
            })
        }
        Kind::Deployment => {
            let d = store.get::<Deployment>(ns, name).ok_or_else(not_found)?;
            let spec = d.spec.clone().unwrap_or_default();
            let ports = template_ports(Some(&spec.template));
            Ok(Exposed {
                labels: d.metadata.labels.clone(),
                selector: label_selector_map("Deployment", &spec.selector),
                ports,
            })
        }
        Kind::Service => {
            let svc = store.get::<Service>(ns, name).ok_or_else(not_found)?;
            let spec = svc.spec.clone().unwrap_or_default();
            let selector = match spec.selector.clone().filter(|s| !s.is_empty()) {
                Some(s) => Ok(s),
                None => Err("the service has no pod selector set".to_string()),
            };
            let ports = spec
                .ports
                .iter()
                .flatten()
                .map(|p| (p.port, p.protocol.clone().unwrap_or_else(|| "TCP".into())))
                .collect();
            Ok(Exposed { labels: svc.metadata.labels.clone(), selector, ports })
        }
        other => {
            let info = other.info();
            let group_kind = if info.group.is_empty() {
                info.name.to_string()
            } else {
                format!("{}.{}", info.name, info.group)
            };
            Err(format!("error: cannot expose a {group_kind}"))
        }
    }
}

fn parse_map(text: &str) -> Result<BTreeMap<String, String>, String> {
    let mut map = BTreeMap::new();
    for pair in text.split(',').filter(|p| !p.is_empty()) {
        let Some((k, v)) = pair.split_once('=') else {
            return Err(format!("error: invalid label spec: {pair}"));
        };
        map.insert(k.to_string(), v.to_string());
    }
    Ok(map)
}

pub fn run(env: &mut Env, words: &[String], out: &mut Output) -> SimResult<()> {
    let Some(flags) = super::flags_or_fail("expose", FLAGS, words, out) else { return Ok(()) };
    let Some(targets) = super::named_targets_or_fail(&flags.args, Some(USAGE_HINT), out) else {
        return Ok(());
    };
    let Some(dry_run) = super::dry_run_or_fail(&flags, out) else { return Ok(()) };
    let namespace = resources::namespace(&flags);
    for target in &targets {
        for name in &target.names {
            expose_one(env, &flags, target.kind, &namespace, name, dry_run, out);
        }
    }
    Ok(())
}

fn expose_one(
    env: &mut Env,
    flags: &flags::Parsed,
    kind: Kind,
    namespace: &str,
    name: &str,
    dry_run: flags::DryRun,
    out: &mut Output,
) {
    let profile = env.cluster.profile().clone();
    let store = &mut env.cluster.store;
    let exposed = match read_exposed(&profile, store, kind, namespace, name) {
        Ok(e) => e,
        Err(e) => {
            out.fail(e);
            return;
        }
    };
    let selector = match flags.string("selector") {
        Some(s) if !s.is_empty() => match parse_map(s) {
            Ok(m) => m,
            Err(e) => {
                out.fail(e);
                return;
            }
        },
        _ => match exposed.selector {
            Ok(m) => m,
            Err(e) => {
                out.fail(format!(
                    "error: couldn't retrieve selectors via --selector flag or introspection: {e}\n{USAGE_HINT}"
                ));
                return;
            }
        },
    };
    let headless = flags.string("cluster-ip") == Some("None");
    // (port text, protocol from introspection)
    let port_texts: Vec<String> = match flags.string("port").filter(|p| !p.is_empty()) {
        Some(p) => vec![p.to_string()],
        None => {
            if exposed.ports.is_empty() && !headless {
                out.fail(format!("error: couldn't find port via --port flag or introspection\n{USAGE_HINT}"));
                return;
            }
            exposed.ports.iter().map(|(p, _)| p.to_string()).collect()
        }
    };
    let protocols: BTreeMap<String, String> =
        exposed.ports.iter().map(|(p, proto)| (p.to_string(), proto.clone())).collect();
    let mut ports = Vec::new();
    for (i, text) in port_texts.iter().enumerate() {
        let Ok(port) = text.parse::<i32>() else {
            out.fail(format!("error: strconv.Atoi: parsing \"{text}\": invalid syntax"));
            return;
        };
        let protocol = match flags.string("protocol").filter(|p| !p.is_empty()) {
            Some(p) => p.to_string(),
            None => protocols.get(text).cloned().unwrap_or_else(|| "TCP".into()),
        };
        let target_port = match flags.string("target-port").filter(|t| !t.is_empty()) {
            Some(t) => match t.parse::<i32>() {
                Ok(n) => IntOrString::Int(n),
                Err(_) => IntOrString::String(t.to_string()),
            },
            None => IntOrString::Int(port),
        };
        ports.push(ServicePort {
            name: (port_texts.len() > 1).then(|| format!("port-{}", i + 1)),
            port,
            protocol: Some(protocol),
            target_port: Some(target_port),
            ..Default::default()
        });
    }
    let labels = match flags.string("labels").filter(|l| !l.is_empty()) {
        Some(l) => match parse_map(l) {
            Ok(m) => Some(m),
            Err(e) => {
                out.fail(e);
                return;
            }
        },
        None => exposed.labels.filter(|l| !l.is_empty()),
    };
    let mut svc_name = flags.string("name").filter(|n| !n.is_empty()).unwrap_or(name).to_string();
    if flags.string("name").is_none_or(|n| n.is_empty()) {
        // DNS-1035 label length.
        svc_name.truncate(63);
    }
    let service = Service {
        metadata: ObjectMeta { name: Some(svc_name.clone()), labels, ..Default::default() },
        spec: Some(ServiceSpec {
            selector: Some(selector),
            ports: (!ports.is_empty()).then_some(ports),
            type_: flags.string("type").filter(|t| !t.is_empty()).map(String::from),
            cluster_ip: flags.string("cluster-ip").filter(|t| !t.is_empty()).map(String::from),
            external_ips: flags.string("external-ip").filter(|t| !t.is_empty()).map(|t| vec![t.to_string()]),
            session_affinity: flags.string("session-affinity").filter(|t| !t.is_empty()).map(String::from),
            ..Default::default()
        }),
        status: None,
    };
    let value = serde_json::to_value(&service).expect("serializable");
    let name_ref = name_ref(&store.profile, Kind::Service, &svc_name);
    super::create_and_report(
        store,
        Kind::Service,
        value,
        namespace,
        flags,
        dry_run,
        &name_ref,
        "exposed",
        out,
        |profile, e, out| out.api_error(profile, &e),
    );
}
