//! `kubectl get cronjobs`: NAME SCHEDULE [TIMEZONE] SUSPEND ACTIVE LAST SCHEDULE AGE
//! [CONTAINERS IMAGES SELECTOR] (`printCronJob`; TIMEZONE from 1.30, kubernetes#122231).

use k8s_openapi::api::batch::v1::CronJob;

use super::replicaset::containers_and_images;
use super::{Column, PrintContext, Row, col, or_none, row, selector_cell, wide};
use crate::profile::Profile;

const COLUMNS_WITH_TIMEZONE: &[Column] = &[
    col("NAME"),
    col("SCHEDULE"),
    col("TIMEZONE"),
    col("SUSPEND"),
    col("ACTIVE"),
    col("LAST SCHEDULE"),
    col("AGE"),
    wide("CONTAINERS"),
    wide("IMAGES"),
    wide("SELECTOR"),
];

const COLUMNS: &[Column] = &[
    col("NAME"),
    col("SCHEDULE"),
    col("SUSPEND"),
    col("ACTIVE"),
    col("LAST SCHEDULE"),
    col("AGE"),
    wide("CONTAINERS"),
    wide("IMAGES"),
    wide("SELECTOR"),
];

pub fn columns(profile: &Profile) -> &'static [Column] {
    if profile.cronjob.timezone_column { COLUMNS_WITH_TIMEZONE } else { COLUMNS }
}

/// SUSPEND is `printBoolPtr` (`True`/`False`, `<unset>` for nil); LAST SCHEDULE the age
/// of `status.lastScheduleTime` or `<none>`; SELECTOR the job template's own selector,
/// `<none>` when unset (always, since the apiserver refuses one).
pub fn print(cj: &CronJob, ctx: &PrintContext) -> Row {
    let spec = cj.spec.clone().unwrap_or_default();
    let status = cj.status.clone().unwrap_or_default();
    let job_spec = spec.job_template.spec.clone().unwrap_or_default();
    let (containers, images) = containers_and_images(Some(&job_spec.template));
    let selector = or_none(&job_spec.selector.as_ref().map(selector_cell).unwrap_or_default());
    let suspend = match spec.suspend {
        Some(true) => "True",
        Some(false) => "False",
        None => "<unset>",
    };
    let last = match status.last_schedule_time.as_ref() {
        Some(t) => ctx.age(Some(t)),
        None => "<none>".into(),
    };
    let mut cells = vec![spec.schedule.clone()];
    if ctx.profile.cronjob.timezone_column {
        cells.push(spec.time_zone.clone().unwrap_or_else(|| "<none>".into()));
    }
    cells.extend([
        suspend.to_string(),
        status.active.as_ref().map_or(0, |a| a.len()).to_string(),
        last,
        ctx.age(cj.metadata.creation_timestamp.as_ref()),
        containers,
        images,
        selector,
    ]);
    row(&cj.metadata, cells)
}
