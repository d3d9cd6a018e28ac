//! `kubectl create cronjob NAME --image=IMAGE --schedule='0/5 * * * ?' [--restart=…]
//! [-- COMMAND [args…]]` and `kubectl create job NAME (--image=IMAGE [-- COMMAND…] |
//! --from=cronjob/NAME)` (`cmd/create/create_cronjob.go`, `create_job.go`).

use std::collections::BTreeMap;

use k8s_openapi::api::batch::v1::{CronJob, CronJobSpec, Job, JobSpec, JobTemplateSpec};
use k8s_openapi::api::core::v1::{Container, PodSpec, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};

use crate::api::Kind;
use crate::kubectl::cmd::create::create_value;
use crate::kubectl::flags::{self, Flag, FlagKind, Parsed, flag};
use crate::kubectl::resources;
use crate::kubectl::{Env, Output, SimResult};

/// The annotation `create job --from` puts on the Job.
pub const INSTANTIATE_ANNOTATION: &str = "cronjob.kubernetes.io/instantiate";

const CRONJOB_FLAGS: &[Flag] = &[
    flag("image", None, FlagKind::String),
    flag("schedule", None, FlagKind::String),
    flag("restart", None, FlagKind::String),
    flag("dry-run", None, FlagKind::OptionalString("unchanged")),
    flag("output", Some('o'), FlagKind::String),
    flag("save-config", None, FlagKind::Bool),
    flag("validate", None, FlagKind::String),
    flag("field-manager", None, FlagKind::String),
];

const JOB_FLAGS: &[Flag] = &[
    flag("image", None, FlagKind::String),
    flag("from", None, FlagKind::String),
    flag("dry-run", None, FlagKind::OptionalString("unchanged")),
    flag("output", Some('o'), FlagKind::String),
    flag("save-config", None, FlagKind::Bool),
    flag("validate", None, FlagKind::String),
    flag("field-manager", None, FlagKind::String),
];

fn container(name: &str, image: &str, command: &[String]) -> Container {
    Container {
        name: name.to_string(),
        image: Some(image.to_string()),
        command: if command.is_empty() { None } else { Some(command.to_vec()) },
        ..Default::default()
    }
}

/// Creates (or, with `--dry-run`, only names) the object and prints kubectl's line.
fn finish(env: &mut Env, flags: &Parsed, kind: Kind, name: &str, value: serde_json::Value, out: &mut Output) {
    let Some(dry_run) = super::dry_run_or_fail(flags, out) else { return };
    let profile = env.cluster.profile().clone();
    let version = profile.versions_of(kind.info().name).first().copied().unwrap_or("batch/v1");
    let name_ref = resources::manifest_name_ref(&profile, kind, version, name);
    if dry_run == flags::DryRun::None {
        let namespace = resources::namespace(flags);
        if let Err(e) = create_value(&mut env.cluster.store, kind, value, &namespace) {
            return out.fail(format!("error: failed to create {}: {e}", kind.info().singular));
        }
    }
    if flags.string("output") == Some("name") {
        out.line(name_ref);
    } else {
        out.line(format!("{name_ref} created{}", dry_run.suffix()));
    }
}

pub fn run_cronjob(env: &mut Env, words: &[String], out: &mut Output) -> SimResult<()> {
    let Some(flags) = super::flags_or_fail("create cronjob", CRONJOB_FLAGS, words, out) else {
        return Ok(());
    };
    let missing: Vec<&str> =
        ["image", "schedule"].into_iter().filter(|f| flags.string(f).is_none()).collect();
    if !missing.is_empty() {
        let list: Vec<String> = missing.iter().map(|f| format!("\"{f}\"")).collect();
        out.fail(format!("error: required flag(s) {} not set", list.join(", ")));
        return Ok(());
    }
    let Some(name) = super::name_or_fail(&flags, "create cronjob", out) else { return Ok(()) };
    let image = flags.string("image").unwrap_or("");
    let cronjob = CronJob {
        metadata: ObjectMeta { name: Some(name.clone()), ..Default::default() },
        spec: Some(CronJobSpec {
            schedule: flags.string("schedule").unwrap_or("").to_string(),
            job_template: JobTemplateSpec {
                metadata: Some(ObjectMeta { name: Some(name.clone()), ..Default::default() }),
                spec: Some(JobSpec {
                    template: PodTemplateSpec {
                        metadata: None,
                        spec: Some(PodSpec {
                            containers: vec![container(&name, image, &flags.rest)],
                            restart_policy: Some(flags.string("restart").unwrap_or("OnFailure").to_string()),
                            ..Default::default()
                        }),
                    },
                    ..Default::default()
                }),
            },
            ..Default::default()
        }),
        status: None,
    };
    let value = serde_json::to_value(&cronjob).expect("serializable");
    finish(env, &flags, Kind::CronJob, &name, value, out);
    Ok(())
}

pub fn run_job(env: &mut Env, words: &[String], out: &mut Output) -> SimResult<()> {
    let Some(flags) = super::flags_or_fail("create job", JOB_FLAGS, words, out) else { return Ok(()) };
    let Some(name) = super::name_or_fail(&flags, "create job", out) else { return Ok(()) };
    let image = flags.string("image").filter(|s| !s.is_empty());
    let from = flags.string("from").filter(|s| !s.is_empty());
    if image.is_some() == from.is_some() {
        out.fail("error: either --image or --from must be specified");
        return Ok(());
    }
    if from.is_some() && !flags.rest.is_empty() {
        out.fail("error: cannot specify --from and command");
        return Ok(());
    }
    let job = match (image, from) {
        (Some(image), _) => job_with_image(&name, image, &flags.rest),
        (_, Some(from)) => match job_from_cronjob(env, &flags, &name, from) {
            Ok(job) => job,
            Err(e) => {
                out.fail(e);
                return Ok(());
            }
        },
        _ => unreachable!("checked above"),
    };
    let value = serde_json::to_value(&job).expect("serializable");
    finish(env, &flags, Kind::Job, &name, value, out);
    Ok(())
}

/// `createJob`: one container named after the Job, `restartPolicy: Never`.
fn job_with_image(name: &str, image: &str, command: &[String]) -> Job {
    Job {
        metadata: ObjectMeta { name: Some(name.into()), ..Default::default() },
        spec: Some(JobSpec {
            template: PodTemplateSpec {
                metadata: None,
                spec: Some(PodSpec {
                    containers: vec![container(name, image, command)],
                    restart_policy: Some("Never".into()),
                    ..Default::default()
                }),
            },
            ..Default::default()
        }),
        status: None,
    }
}

/// `createJobFromCronJob`: the job template with `cronjob.kubernetes.io/instantiate:
/// manual`, and a controller reference to the CronJob without `blockOwnerDeletion`.
fn job_from_cronjob(env: &Env, flags: &Parsed, name: &str, from: &str) -> Result<Job, String> {
    let (resource, cj_name) = from.split_once('/').unwrap_or((from, ""));
    let is_cronjob = matches!(resource, "cronjob" | "cronjobs" | "cj" | "cronjob.batch" | "cronjobs.batch");
    if !is_cronjob {
        return Err(format!("error: from must be an existing cronjob: {from}"));
    }
    let namespace = resources::namespace(flags);
    let Some(cj) = env.cluster.store.get::<CronJob>(&namespace, cj_name) else {
        return Err(format!("Error from server (NotFound): cronjobs.batch \"{cj_name}\" not found"));
    };
    let template = cj.spec.clone().unwrap_or_default().job_template;
    let mut annotations = BTreeMap::new();
    annotations.insert(INSTANTIATE_ANNOTATION.to_string(), "manual".to_string());
    annotations.extend(template.metadata.as_ref().and_then(|m| m.annotations.clone()).unwrap_or_default());
    Ok(Job {
        metadata: ObjectMeta {
            name: Some(name.into()),
            annotations: Some(annotations),
            labels: template.metadata.as_ref().and_then(|m| m.labels.clone()),
            owner_references: Some(vec![OwnerReference {
                api_version: "batch/v1".into(),
                kind: "CronJob".into(),
                name: cj.metadata.name.clone().unwrap_or_default(),
                uid: cj.metadata.uid.clone().unwrap_or_default(),
                controller: Some(true),
                block_owner_deletion: None,
            }]),
            ..Default::default()
        },
        spec: template.spec,
        status: None,
    })
}
