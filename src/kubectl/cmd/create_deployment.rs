//! `kubectl create deployment NAME --image=IMAGE [--image=…] [--replicas=N] [--port=P]
//! [-- COMMAND [args…]]` (`cmd/create/create_deployment.go`): a Deployment labelled and
//! selected by `app=NAME`, one container per image named after the image.

use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec};
use k8s_openapi::api::core::v1::{Container, ContainerPort, PodSpec, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};

use crate::api::Kind;
use crate::kubectl::flags::{Flag, FlagKind, flag};
use crate::kubectl::resources;
use crate::kubectl::{Env, Output, SimResult};

const FLAGS: &[Flag] = &[
    flag("image", None, FlagKind::StringSlice),
    flag("port", None, FlagKind::Int),
    flag("replicas", Some('r'), FlagKind::Int),
    flag("dry-run", None, FlagKind::OptionalString("unchanged")),
    flag("output", Some('o'), FlagKind::String),
    flag("save-config", None, FlagKind::Bool),
    flag("validate", None, FlagKind::String),
    flag("field-manager", None, FlagKind::String),
];

pub fn run(env: &mut Env, words: &[String], out: &mut Output) -> SimResult<()> {
    let Some(flags) = super::flags_or_fail("create deployment", FLAGS, words, out) else { return Ok(()) };
    let images = flags.strings("image");
    if images.is_empty() {
        out.fail("error: required flag(s) \"image\" not set");
        return Ok(());
    }
    let Some(name) = super::name_or_fail(&flags, "create deployment", out) else { return Ok(()) };
    let command = flags.rest.clone();
    if images.len() > 1 && !command.is_empty() {
        out.fail("error: cannot specify multiple --image options and command");
        return Ok(());
    }
    let Some(dry_run) = super::dry_run_or_fail(&flags, out) else { return Ok(()) };
    let namespace = resources::namespace(&flags);
    let profile = env.cluster.profile().clone();
    let store = &mut env.cluster.store;
    let containers = images
        .iter()
        .map(|image| Container {
            name: container_name(image, || store.rng.name_suffix()),
            image: Some(image.clone()),
            command: if command.is_empty() { None } else { Some(command.clone()) },
            ..Default::default()
        })
        .collect::<Vec<_>>();
    let deployment = build(&name, containers, flags.int("replicas").unwrap_or(1) as i32, flags.int("port"));
    let value = serde_json::to_value(&deployment).expect("serializable");
    let name_ref = resources::manifest_name_ref(&profile, Kind::Deployment, "apps/v1", &name);
    super::create_and_report(
        store,
        Kind::Deployment,
        value,
        &namespace,
        &flags,
        dry_run,
        &name_ref,
        "created",
        out,
        |_, e, out| out.fail(format!("error: failed to create deployment: {e}")),
    );
    Ok(())
}

/// The Deployment `createDeployment` builds: `app=NAME` as labels, selector and pod
/// labels; the port (if any) on the first container.
fn build(name: &str, mut containers: Vec<Container>, replicas: i32, port: Option<i64>) -> Deployment {
    let labels: std::collections::BTreeMap<String, String> = [("app".to_string(), name.to_string())].into();
    if let (Some(port), Some(first)) = (port.filter(|p| *p >= 0), containers.first_mut()) {
        first.ports = Some(vec![ContainerPort { container_port: port as i32, ..Default::default() }]);
    }
    Deployment {
        metadata: ObjectMeta { name: Some(name.into()), labels: Some(labels.clone()), ..Default::default() },
        spec: Some(DeploymentSpec {
            replicas: Some(replicas),
            selector: LabelSelector { match_labels: Some(labels.clone()), match_expressions: None },
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta { labels: Some(labels), ..Default::default() }),
                spec: Some(PodSpec { containers, ..Default::default() }),
            },
            ..Default::default()
        }),
        status: None,
    }
}

/// `buildPodSpec`: the image's last path element without tag or digest; `_` and `.`
/// become `-` and then a random 5-character suffix keeps names apart.
fn container_name(image: &str, suffix: impl FnOnce() -> String) -> String {
    let mut name = image.rsplit('/').next().unwrap_or(image).to_string();
    if let Some((base, _)) = name.split_once(':') {
        name = base.to_string();
    }
    if let Some((base, _)) = name.split_once('@') {
        name = base.to_string();
    }
    if name.contains(['_', '.']) {
        name = format!("{}-{}", name.replace(['_', '.'], "-"), suffix());
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn container_names_from_images() {
        let fixed = || "abcde".to_string();
        assert_eq!(container_name("nginx", fixed), "nginx");
        assert_eq!(container_name("nginx:1.25", fixed), "nginx");
        assert_eq!(container_name("registry.k8s.io/pause:3.9", fixed), "pause");
        assert_eq!(container_name("busybox@sha256:abc", fixed), "busybox");
        assert_eq!(container_name("my_app.v2:1", fixed), "my-app-v2-abcde");
    }
}
