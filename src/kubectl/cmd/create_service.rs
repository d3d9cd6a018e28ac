//! `kubectl create service clusterip|nodeport|loadbalancer|externalname NAME
//! [--tcp=port[:targetPort]…] [--clusterip] [--node-port] [--external-name]`
//! (`cmd/create/create_service.go`): labels and selector `app=NAME`, one TCP port per
//! `--tcp`, named after the spec with `:` turned into `-`.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Service, ServicePort, ServiceSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::api::Kind;
use crate::kubectl::flags::{Flag, FlagKind, flag};
use crate::kubectl::resources::{self, name_ref};
use crate::kubectl::{Env, Output, SimResult};

const FLAGS: &[Flag] = &[
    flag("tcp", None, FlagKind::StringSlice),
    flag("clusterip", None, FlagKind::String),
    flag("node-port", None, FlagKind::Int),
    flag("external-name", None, FlagKind::String),
    flag("dry-run", None, FlagKind::OptionalString("unchanged")),
    flag("output", Some('o'), FlagKind::String),
    flag("save-config", None, FlagKind::Bool),
    flag("validate", None, FlagKind::String),
    flag("field-manager", None, FlagKind::String),
];

/// `parsePorts`: `port[:target]`, the port a 16-bit unsigned number, the target a
/// number or a port name.
fn parse_ports(spec: &str) -> Result<(i32, IntOrString), String> {
    let (port_text, target) = match spec.split_once(':') {
        Some((p, t)) => (p, Some(t)),
        None => (spec, None),
    };
    let port = match port_text.parse::<u64>() {
        Ok(p) if p <= u16::MAX as u64 => p as i32,
        Ok(_) => {
            return Err(format!("error: strconv.ParseUint: parsing \"{port_text}\": value out of range"));
        }
        Err(_) => return Err(format!("error: strconv.ParseUint: parsing \"{port_text}\": invalid syntax")),
    };
    let target = match target {
        None => IntOrString::Int(port),
        Some(t) => match t.parse::<i32>() {
            Ok(n) => IntOrString::Int(n),
            Err(_) => IntOrString::String(t.to_string()),
        },
    };
    Ok((port, target))
}

pub fn run(env: &mut Env, words: &[String], out: &mut Output) -> SimResult<()> {
    let Some(pos) = crate::kubectl::command_position(words) else {
        out.fail(
            "error: Required resource not specified.\nSee 'kubectl create service -h' for help and examples",
        );
        return Ok(());
    };
    let sub = words[pos].clone();
    let type_ = match sub.as_str() {
        "clusterip" => "ClusterIP",
        "nodeport" => "NodePort",
        "loadbalancer" => "LoadBalancer",
        "externalname" => "ExternalName",
        _ => {
            let rest: Vec<&str> = words[pos..].iter().map(String::as_str).collect();
            out.fail(format!(
                "error: unknown command \"{}\"\nSee 'kubectl create service -h' for help and examples",
                rest.join(" ")
            ));
            return Ok(());
        }
    };
    let mut rest = words[..pos].to_vec();
    rest.extend_from_slice(&words[pos + 1..]);
    let command = format!("create service {sub}");
    let Some(flags) = super::flags_or_fail(&command, FLAGS, &rest, out) else { return Ok(()) };
    if type_ == "ExternalName" && flags.string("external-name").is_none_or(|n| n.is_empty()) {
        out.fail("error: required flag(s) \"external-name\" not set");
        return Ok(());
    }
    let Some(name) = super::name_or_fail(&flags, &command, out) else { return Ok(()) };
    if let Some(ext) = flags.string("external-name").filter(|_| type_ == "ExternalName")
        && !crate::api::admission::is_dns1123_subdomain(ext)
    {
        out.fail(format!("error: invalid service external name {ext}"));
        return Ok(());
    }
    let cluster_ip = flags.string("clusterip").filter(|c| !c.is_empty()).map(String::from);
    let tcp = flags.strings("tcp");
    if tcp.is_empty() && type_ != "ExternalName" && cluster_ip.as_deref() != Some("None") {
        out.fail("error: at least one tcp port specifier must be provided");
        return Ok(());
    }
    let mut ports = Vec::new();
    for spec in &tcp {
        match parse_ports(spec) {
            Ok((port, target)) => ports.push(ServicePort {
                name: Some(spec.replace(':', "-")),
                port,
                target_port: Some(target),
                protocol: Some("TCP".into()),
                node_port: flags.int("node-port").filter(|&n| n != 0).map(|n| n as i32),
                ..Default::default()
            }),
            Err(e) => {
                out.fail(e);
                return Ok(());
            }
        }
    }
    let Some(dry_run) = super::dry_run_or_fail(&flags, out) else { return Ok(()) };
    let labels: BTreeMap<String, String> = [("app".to_string(), name.clone())].into();
    let service = Service {
        metadata: ObjectMeta { name: Some(name.clone()), labels: Some(labels.clone()), ..Default::default() },
        spec: Some(ServiceSpec {
            ports: (!ports.is_empty()).then_some(ports),
            selector: Some(labels),
            type_: Some(type_.into()),
            cluster_ip,
            external_name: flags.string("external-name").filter(|n| !n.is_empty()).map(String::from),
            ..Default::default()
        }),
        status: None,
    };
    let namespace = resources::namespace(&flags);
    let value = serde_json::to_value(&service).expect("serializable");
    let name_ref = name_ref(env.cluster.profile(), Kind::Service, &name);
    super::create_and_report(
        &mut env.cluster.store,
        Kind::Service,
        value,
        &namespace,
        &flags,
        dry_run,
        &name_ref,
        "created",
        out,
        |_, e, out| out.fail(format!("error: failed to create {type_} service: {e}")),
    );
    Ok(())
}
