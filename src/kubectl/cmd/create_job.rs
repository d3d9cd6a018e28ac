//! `kubectl create job NAME --image=IMAGE [-- COMMAND [args…]]`
//! (`cmd/create/create_job.go` `createJob`): one container named after the Job,
//! `restartPolicy: Never`, everything else left to the apiserver's defaults.
//! (`--from=cronjob/NAME` belongs with the CronJob commands.)

use k8s_openapi::api::batch::v1::{Job, JobSpec};
use k8s_openapi::api::core::v1::{Container, PodSpec, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::api::Kind;
use crate::kubectl::cmd::create::create_value;
use crate::kubectl::flags::{self, Flag, FlagKind, flag};
use crate::kubectl::resources::{self, name_ref};
use crate::kubectl::{Env, Output, SimResult};

const FLAGS: &[Flag] = &[
    flag("image", None, FlagKind::String),
    flag("dry-run", None, FlagKind::OptionalString("unchanged")),
    flag("output", Some('o'), FlagKind::String),
    flag("save-config", None, FlagKind::Bool),
    flag("validate", None, FlagKind::String),
    flag("field-manager", None, FlagKind::String),
];

pub fn run(env: &mut Env, words: &[String], out: &mut Output) -> SimResult<()> {
    let Some(flags) = super::flags_or_fail("create job", FLAGS, words, out) else { return Ok(()) };
    if flags.args.len() != 1 {
        // With nothing at all on the line cobra reports it with a capital `Error:`.
        let prefix = if words.is_empty() { "Error" } else { "error" };
        out.fail(format!(
            "{prefix}: exactly one NAME is required, got {}\nSee 'kubectl create job -h' for help and examples",
            flags.args.len()
        ));
        return Ok(());
    }
    let Some(image) = flags.string("image").filter(|i| !i.is_empty()).map(str::to_string) else {
        out.fail("error: either --image or --from must be specified");
        return Ok(());
    };
    let dry_run = match flags::DryRun::of(&flags) {
        Ok(d) => d,
        Err(e) => {
            out.fail(e);
            return Ok(());
        }
    };
    let name = flags.args[0].clone();
    let command = if flags.rest.is_empty() { None } else { Some(flags.rest.clone()) };
    let job = build(&name, image, command);
    if dry_run != flags::DryRun::None {
        out.line(format!("{} created{}", name_ref(Kind::Job, &name), dry_run.suffix()));
        return Ok(());
    }
    let namespace = resources::namespace(&flags);
    let value = serde_json::to_value(&job).expect("serializable");
    match create_value(&mut env.cluster.store, Kind::Job, value, &namespace) {
        Ok(_) if flags.string("output") == Some("name") => out.line(name_ref(Kind::Job, &name)),
        Ok(_) => out.line(format!("{} created", name_ref(Kind::Job, &name))),
        Err(e) => out.fail(format!("error: failed to create job: {e}")),
    }
    Ok(())
}

fn build(name: &str, image: String, command: Option<Vec<String>>) -> Job {
    Job {
        metadata: ObjectMeta { name: Some(name.into()), ..Default::default() },
        spec: Some(JobSpec {
            template: PodTemplateSpec {
                metadata: None,
                spec: Some(PodSpec {
                    containers: vec![Container {
                        name: name.into(),
                        image: Some(image),
                        command,
                        ..Default::default()
                    }],
                    restart_policy: Some("Never".into()),
                    ..Default::default()
                }),
            },
            ..Default::default()
        }),
        status: None,
    }
}
