//! `kubectl create namespace NAME` (alias `ns`; `cmd/create/create_namespace.go`): a bare
//! Namespace; the apiserver labels it and sets its phase.

use k8s_openapi::api::core::v1::Namespace;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::api::Kind;
use crate::kubectl::flags::{Flag, FlagKind, flag};
use crate::kubectl::resources::name_ref;
use crate::kubectl::{Env, Output, SimResult};

const FLAGS: &[Flag] = &[
    flag("dry-run", None, FlagKind::OptionalString("unchanged")),
    flag("output", Some('o'), FlagKind::String),
    flag("save-config", None, FlagKind::Bool),
    flag("validate", None, FlagKind::String),
    flag("field-manager", None, FlagKind::String),
];

pub fn run(env: &mut Env, words: &[String], out: &mut Output) -> SimResult<()> {
    let Some(flags) = super::flags_or_fail("create namespace", FLAGS, words, out) else { return Ok(()) };
    let Some(name) = super::name_or_fail(&flags, "create namespace", out) else { return Ok(()) };
    let Some(dry_run) = super::dry_run_or_fail(&flags, out) else { return Ok(()) };
    let namespace = Namespace {
        metadata: ObjectMeta { name: Some(name.clone()), ..Default::default() },
        ..Default::default()
    };
    let value = serde_json::to_value(&namespace).expect("serializable");
    let name_ref = name_ref(env.cluster.profile(), Kind::Namespace, &name);
    // The create error goes straight to CheckErr: `Error from server (AlreadyExists): …`.
    super::create_and_report(
        &mut env.cluster.store,
        Kind::Namespace,
        value,
        "",
        &flags,
        dry_run,
        &name_ref,
        "created",
        out,
        |profile, e, out| out.api_error(profile, &e),
    );
    Ok(())
}
