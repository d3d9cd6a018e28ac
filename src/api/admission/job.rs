//! Admission (defaults and validation) for Jobs and CronJobs.

use std::collections::BTreeMap;

use k8s_openapi::api::batch::v1::{CronJob, Job, JobSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use super::Admit;
use crate::api::selector::Selector;
use crate::api::store::Store;
use crate::{constants, cron};

/// The pod label keys a Job's generated selector uses, per version
/// (`pkg/registry/batch/job/strategy.go` `generateSelector`).
pub fn generated_label_keys(prefixed: bool) -> (&'static [&'static str], &'static [&'static str]) {
    if prefixed {
        (
            &["batch.kubernetes.io/controller-uid", "controller-uid"],
            &["batch.kubernetes.io/job-name", "job-name"],
        )
    } else {
        (&["controller-uid"], &["job-name"])
    }
}

/// `generateSelector`: the template gets `controller-uid`/`job-name` labels (and their
/// `batch.kubernetes.io/` forms from 1.27) unless present, and the selector matches the
/// uid label.
fn generate_selector(job: &mut Job, uid: &str, prefixed: bool) {
    let name = job.metadata.name.clone().unwrap_or_default();
    let Some(spec) = job.spec.as_mut() else { return };
    let labels =
        spec.template.metadata.get_or_insert_with(Default::default).labels.get_or_insert_with(BTreeMap::new);
    let (uid_keys, name_keys) = generated_label_keys(prefixed);
    for key in uid_keys {
        labels.entry((*key).to_string()).or_insert_with(|| uid.to_string());
    }
    for key in name_keys {
        labels.entry((*key).to_string()).or_insert_with(|| name.clone());
    }
    // A selector the user gave gets the uid label added; validation then rejects it
    // unless it selects exactly by uid (`not auto-generated`).
    let selector = spec.selector.get_or_insert_with(LabelSelector::default);
    selector
        .match_labels
        .get_or_insert_with(BTreeMap::new)
        .entry(uid_keys[0].to_string())
        .or_insert_with(|| uid.to_string());
}

impl Admit for Job {
    fn set_defaults(&mut self, store: &mut Store) {
        let profile = store.profile.job;
        let Some(spec) = self.spec.as_mut() else { return };
        super::default_template(&mut spec.template);
        // SetDefaults_Job.
        match (spec.completions, spec.parallelism) {
            (None, None) => {
                spec.completions = Some(1);
                spec.parallelism = Some(1);
            }
            (Some(_), None) => spec.parallelism = Some(1),
            _ => {}
        }
        spec.backoff_limit.get_or_insert(constants::JOB_DEFAULT_BACKOFF_LIMIT);
        if profile.default_completion_mode {
            spec.completion_mode.get_or_insert_with(|| "NonIndexed".into());
        }
        if profile.default_suspend {
            spec.suspend.get_or_insert(false);
        } else {
            spec.suspend = None;
        }
        if !profile.ttl_after_finished {
            spec.ttl_seconds_after_finished = None;
        }
        if profile.default_pod_replacement_policy && spec.pod_replacement_policy.is_none() {
            let policy = if spec.pod_failure_policy.is_some() { "Failed" } else { "TerminatingOrFailed" };
            spec.pod_replacement_policy = Some(policy.into());
        }
        // Defaulting runs at decode, before PrepareForCreate, so labels copy the user's
        // template labels; a Job stored without labels gets them when read back, after
        // the generated ones were added.
        let user_labels =
            spec.template.metadata.as_ref().and_then(|m| m.labels.clone()).filter(|l| !l.is_empty());
        let manual = spec.manual_selector == Some(true);
        let new = self.metadata.uid.is_none() && self.metadata.resource_version.is_none();
        if !manual && new {
            let uid = store.reserve_uid();
            generate_selector(self, &uid, profile.prefixed_labels);
        }
        if self.metadata.labels.as_ref().is_none_or(|l| l.is_empty()) {
            self.metadata.labels = user_labels.or_else(|| {
                self.spec.as_ref().and_then(|s| s.template.metadata.as_ref()).and_then(|m| m.labels.clone())
            });
        }
    }

    fn validate(&self) -> Vec<String> {
        let mut causes = Vec::new();
        let Some(spec) = self.spec.as_ref() else {
            causes.push("spec.template: Required value".into());
            return causes;
        };
        let pod_spec = spec.template.spec.as_ref();
        causes.extend(super::validate_pod_spec(pod_spec, "spec.template.spec"));
        match pod_spec.and_then(|s| s.restart_policy.as_deref()) {
            Some("OnFailure") | Some("Never") => {}
            Some(other) => causes.push(format!(
                "spec.template.spec.restartPolicy: Unsupported value: \"{other}\": supported values: \"OnFailure\", \"Never\""
            )),
            None => {}
        }
        for (field, value) in [
            ("parallelism", spec.parallelism),
            ("completions", spec.completions),
            ("backoffLimit", spec.backoff_limit),
        ] {
            if let Some(v) = value
                && v < 0
            {
                causes.push(format!("spec.{field}: Invalid value: {v}: must be greater than or equal to 0"));
            }
        }
        if spec.completion_mode.as_deref() == Some("Indexed") && spec.completions.is_none() {
            causes.push("spec.completions: Required value: when completion mode is Indexed".into());
        }
        let manual = spec.manual_selector == Some(true);
        if !manual && let Some(sel) = spec.selector.as_ref() {
            let generated = ["controller-uid", "batch.kubernetes.io/controller-uid"];
            let only_uid = sel.match_expressions.as_ref().is_none_or(|e| e.is_empty())
                && sel.match_labels.iter().flatten().all(|(k, _)| generated.contains(&k.as_str()));
            if !only_uid {
                causes.push(format!(
                    "spec.selector: Invalid value: {}: `selector` not auto-generated",
                    go_label_selector(sel)
                ));
            }
        }
        match spec.selector.as_ref() {
            None => causes.push("spec.selector: Required value".into()),
            Some(sel) => {
                let labels = spec.template.metadata.as_ref().and_then(|m| m.labels.as_ref());
                if let Ok(sel) = Selector::from_label_selector(sel)
                    && !sel.matches_opt(labels)
                {
                    causes.push(format!(
                        "spec.template.metadata.labels: Invalid value: {}: `selector` does not match template `labels`",
                        go_map(labels)
                    ));
                }
            }
        }
        causes
    }
}

/// Go's `%#v`-like rendering of a `v1.LabelSelector` in field errors.
fn go_label_selector(sel: &LabelSelector) -> String {
    let labels = if sel.match_labels.as_ref().is_none_or(|m| m.is_empty()) {
        "map[string]string(nil)".to_string()
    } else {
        go_map(sel.match_labels.as_ref())
    };
    let expressions = if sel.match_expressions.as_ref().is_none_or(|e| e.is_empty()) {
        "[]v1.LabelSelectorRequirement(nil)".to_string()
    } else {
        "[]v1.LabelSelectorRequirement{...}".to_string()
    };
    format!("v1.LabelSelector{{MatchLabels:{labels}, MatchExpressions:{expressions}}}")
}

/// Go's `%v` of a `map[string]string`.
fn go_map(labels: Option<&BTreeMap<String, String>>) -> String {
    let items: Vec<String> = labels.into_iter().flatten().map(|(k, v)| format!("{k}:{v}")).collect();
    format!(
        "map[string]string{{{}}}",
        items.iter().map(|i| format!("\"{}\"", i.replacen(':', "\":\"", 1))).collect::<Vec<_>>().join(", ")
    )
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
