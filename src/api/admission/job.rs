//! Admission (defaults and validation) for Jobs and CronJobs.

use k8s_openapi::api::batch::v1::{CronJob, Job, JobSpec};

use super::Admit;
use crate::api::store::Store;
use crate::{constants, cron};

impl Admit for Job {
    fn set_defaults(&mut self, _store: &mut Store) {
        if let Some(t) = self.spec.as_mut().map(|s| &mut s.template) {
            super::default_template(t);
        }
    }

    fn validate(&self) -> Vec<String> {
        Vec::new()
    }
}

/// `SetDefaults_CronJob` (batch/v1 and v1beta1 alike): Allow, not suspended, three
/// successful and one failed Job kept. The job template gets only the pod defaults
/// (`SetDefaults_Job` takes a Job, so it never reaches a template).
impl Admit for CronJob {
    fn set_defaults(&mut self, store: &mut Store) {
        let Some(spec) = self.spec.as_mut() else { return };
        spec.concurrency_policy.get_or_insert_with(|| constants::CRONJOB_DEFAULT_CONCURRENCY_POLICY.into());
        spec.suspend.get_or_insert(false);
        spec.successful_jobs_history_limit.get_or_insert(constants::CRONJOB_DEFAULT_SUCCESSFUL_HISTORY);
        spec.failed_jobs_history_limit.get_or_insert(constants::CRONJOB_DEFAULT_FAILED_HISTORY);
        if !store.profile.cronjob.time_zone {
            // An unknown field to this server: dropped on decode.
            spec.time_zone = None;
        }
        if let Some(t) = spec.job_template.spec.as_mut().map(|s| &mut s.template) {
            super::default_template(t);
        }
    }

    fn validate(&self) -> Vec<String> {
        Vec::new()
    }

    /// `ValidateCronJobCreate` / `validateCronJobSpec`, in the apiserver's order.
    fn validate_in(&self, store: &Store) -> Vec<String> {
        let profile = store.profile.cronjob;
        let mut causes = Vec::new();
        let Some(spec) = self.spec.as_ref() else {
            return vec!["spec.schedule: Required value".into()];
        };
        let schedule = spec.schedule.as_str();
        if schedule.is_empty() {
            causes.push("spec.schedule: Required value".into());
        } else {
            if let Err(e) = cron::parse_standard(schedule, profile.cron) {
                causes.push(format!("spec.schedule: Invalid value: {schedule:?}: {e}"));
            }
            // Creation only (an update keeps a schedule that already had a zone).
            let is_update = self.metadata.uid.is_some();
            let has_tz = schedule.contains("TZ");
            if profile.tz_in_schedule_rejected && has_tz && !is_update {
                causes.push(format!(
                    "spec.schedule: Invalid value: {schedule:?}: cannot use TZ or CRON_TZ in schedule, use timeZone field instead"
                ));
            } else if profile.time_zone && has_tz && spec.time_zone.is_some() {
                causes.push(format!(
                    "spec.schedule: Invalid value: {schedule:?}: cannot use both timeZone field and TZ or CRON_TZ in schedule"
                ));
            }
        }
        if let Some(d) = spec.starting_deadline_seconds
            && d < 0
        {
            causes.push(format!(
                "spec.startingDeadlineSeconds: Invalid value: {d}: must be greater than or equal to 0"
            ));
        }
        if let Some(tz) = spec.time_zone.as_deref() {
            causes.extend(validate_time_zone(tz));
        }
        match spec.concurrency_policy.as_deref().unwrap_or("") {
            "Allow" | "Forbid" | "Replace" => {}
            "" => causes.push("spec.concurrencyPolicy: Required value".into()),
            other => causes.push(format!(
                "spec.concurrencyPolicy: Unsupported value: {other:?}: supported values: \"Allow\", \"Forbid\", \"Replace\""
            )),
        }
        causes.extend(validate_job_template(spec.job_template.spec.as_ref()));
        for (limit, field) in [
            (spec.successful_jobs_history_limit, "successfulJobsHistoryLimit"),
            (spec.failed_jobs_history_limit, "failedJobsHistoryLimit"),
        ] {
            if let Some(n) = limit
                && n < 0
            {
                causes.push(format!("spec.{field}: Invalid value: {n}: must be greater than or equal to 0"));
            }
        }
        let name = self.metadata.name.as_deref().unwrap_or("");
        if profile.name_max_52 && self.metadata.uid.is_none() && name.len() > constants::CRONJOB_NAME_MAX {
            causes
                .push(format!("metadata.name: Invalid value: {name:?}: must be no more than 52 characters"));
        }
        causes
    }
}

/// `validateTimeZone`: IANA naming rules, no `Local`, a zone the database knows.
fn validate_time_zone(tz: &str) -> Vec<String> {
    if tz.is_empty() {
        return vec!["spec.timeZone: Invalid value: \"\": timeZone must be nil or non-empty string".into()];
    }
    let part_ok = |p: &str| {
        p != "."
            && p != ".."
            && !p.starts_with('-')
            && (1..=14).contains(&p.len())
            && p.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-+".contains(&b))
    };
    if !tz.split('/').all(part_ok) {
        return vec![format!("spec.timeZone: Invalid value: {tz:?}: unknown time zone {tz}")];
    }
    let mut causes = Vec::new();
    if tz.eq_ignore_ascii_case("Local") {
        causes.push(format!(
            "spec.timeZone: Invalid value: {tz:?}: timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones"
        ));
    }
    if let Err(e) = cron::load_location(tz) {
        causes.push(format!("spec.timeZone: Invalid value: {tz:?}: {e}"));
    }
    causes
}

/// `ValidateJobTemplateSpec`: the Job spec checks that do not need a Job (counts,
/// deadline, pod template, OnFailure/Never), and no selector of one's own.
fn validate_job_template(spec: Option<&JobSpec>) -> Vec<String> {
    let path = "spec.jobTemplate.spec";
    let mut causes = Vec::new();
    let Some(spec) = spec else {
        return vec![format!("{path}.template.spec.containers: Required value")];
    };
    for (value, field) in [
        (spec.parallelism.map(i64::from), "parallelism"),
        (spec.completions.map(i64::from), "completions"),
        (spec.active_deadline_seconds, "activeDeadlineSeconds"),
    ] {
        if let Some(v) = value
            && v < 0
        {
            causes.push(format!("{path}.{field}: Invalid value: {v}: must be greater than or equal to 0"));
        }
    }
    causes.extend(super::validate_pod_spec(spec.template.spec.as_ref(), &format!("{path}.template.spec")));
    let policy = spec.template.spec.as_ref().and_then(|s| s.restart_policy.as_deref()).unwrap_or("");
    if policy != "OnFailure" && policy != "Never" {
        causes.push(format!(
            "{path}.template.spec.restartPolicy: Unsupported value: {policy:?}: supported values: \"OnFailure\", \"Never\""
        ));
    }
    if spec.selector.is_some() {
        causes.push(format!("{path}.selector: Invalid value: \"null\": `selector` will be auto-generated"));
    }
    if spec.manual_selector == Some(true) {
        causes.push(format!(
            "{path}.manualSelector: Unsupported value: true: supported values: \"nil\", \"false\""
        ));
    }
    causes
}
