//! The v2 CronJob controller (`cronjob_controllerv2.go`, `utils.go`; default from 1.21).

use super::*;

/// How many start times were missed since `earliest` (`missedSchedulesType`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Missed {
    None,
    Few,
    Many(i64),
}

struct MostRecent {
    earliest: Timestamp,
    most_recent: Option<Timestamp>,
    missed: Missed,
}

/// `mostRecentScheduleTime`: the latest start time ≤ now since the last schedule (or
/// creation, or `now − startingDeadlineSeconds`), found by estimating the number of
/// missed times from the first two and scanning only the last few.
fn most_recent_schedule_time(
    cj: &CronJob,
    now: Timestamp,
    sched: &Schedule,
    include_deadline: bool,
    scan: bool,
) -> Result<MostRecent, String> {
    let meta_created = cj.metadata.creation_timestamp.as_ref().map(time_of).unwrap_or(now);
    let mut earliest =
        cj.status.as_ref().and_then(|s| s.last_schedule_time.as_ref()).map(time_of).unwrap_or(meta_created);
    if include_deadline && let Some(d) = cj.spec.as_ref().and_then(|s| s.starting_deadline_seconds) {
        let deadline = now - jiff::SignedDuration::from_secs(d);
        if deadline > earliest {
            earliest = deadline;
        }
    }
    let none = |earliest| MostRecent { earliest, most_recent: None, missed: Missed::None };
    let too_close = if scan {
        "time difference between two schedules is less than 1 second"
    } else {
        "time difference between two schedules less than 1 second"
    }
    .to_string();
    let Some(t1) = sched.next(earliest) else { return Err(too_close) };
    if now < t1 {
        return Ok(none(earliest));
    }
    let Some(t2) = sched.next(t1) else { return Err(too_close) };
    if now < t2 {
        return Ok(MostRecent { earliest, most_recent: Some(t1), missed: Missed::None });
    }
    let between = (t2.duration_since(t1).as_millis() as f64 / 1000.0).round() as i64;
    if between < 1 {
        return Err(too_close);
    }
    let elapsed = now.duration_since(t1).as_secs();
    let missed = elapsed / between + 1;
    if !scan {
        // Before the scan (1.21–1.26 [boundary unpinned]): pure arithmetic from the first
        // two times, which lands off-schedule for irregular schedules.
        let t = Timestamp::from_second(t1.as_second() + (missed - 1) * between).ok();
        let missed = if missed > CRONJOB_MAX_MISSED { Missed::Many(missed) } else { Missed::Few };
        return Ok(MostRecent { earliest, most_recent: t, missed });
    }
    let potential = t1 + jiff::SignedDuration::from_secs((missed - 2) * between);
    let mut most_recent = None;
    let mut t = sched.next(potential);
    while let Some(tt) = t {
        if tt > now {
            break;
        }
        most_recent = Some(tt);
        t = sched.next(tt);
    }
    let missed = if missed > CRONJOB_MAX_MISSED { Missed::Many(missed) } else { Missed::Few };
    Ok(MostRecent { earliest, most_recent, missed })
}

/// `nextScheduleTimeDuration`: milliseconds until 100 ms after the next start time.
fn next_schedule_after(store: &Store, cj: &CronJob, sched: &Schedule) -> Millis {
    let now = wall(store);
    let scan = store.profile.cronjob.most_recent_scan;
    // 1.21–1.26: simply the next time after now (`nextScheduledTimeDuration(sched, now)`).
    let base = if !scan {
        Ok(MostRecent { earliest: now, most_recent: None, missed: Missed::None })
    } else {
        most_recent_schedule_time(cj, now, sched, false, true)
    };
    let base = match base {
        Err(_) => now,
        Ok(m) => match (m.most_recent, m.missed) {
            (Some(t), _) => t,
            (None, Missed::None) => m.earliest,
            (None, _) => now,
        },
    };
    match sched.next(base) {
        Some(next) => millis_until(store, next) + CRONJOB_REQUEUE_PAD,
        // A schedule that never fires: the real controller computes a negative
        // duration against Go's zero time and retries at once; an hour here.
        None => crate::time::HOUR,
    }
}

/// `updateCronJob` for a changed schedule or time zone: no sync now, a requeue at the
/// new schedule's next time (or, unparseable, a Warning and no requeue).
pub(super) fn after_schedule_change(store: &mut Store, key: &ObjKey) -> Option<Millis> {
    let cj = store.get_by_key::<CronJob>(key)?.clone();
    let text = format_schedule(store, &cj, false);
    match cron::parse_standard(&text, store.profile.cronjob.cron) {
        Ok(sched) => Some(next_schedule_after(store, &cj, &sched)),
        Err(_) => {
            let schedule = cj.spec.as_ref().map(|s| s.schedule.clone()).unwrap_or_default();
            let message = format!("unparseable schedule for cronjob: {schedule}");
            event(store, &cj, EventType::Warning, "UnParseableCronJobSchedule", message);
            None
        }
    }
}

/// One v2 sync (`sync` + `syncCronJob` + `cleanupFinishedJobs`); the requeue delay.
pub(super) fn sync_v2(store: &mut Store, key: &ObjKey) -> Option<Millis> {
    let cj = store.get_by_key::<CronJob>(key)?.clone();
    let jobs = owned_jobs(store, &cj);
    let cleanup_first = store.profile.cronjob.cleanup_first;
    let mut status = cj.status.clone().unwrap_or_default();
    let mut changed = false;
    if cleanup_first {
        changed |= cleanup_finished_jobs(store, &cj, &mut status, &jobs);
    }
    let (requeue, synced) = sync_cron_job_v2(store, &cj, &mut status, &jobs);
    changed |= synced;
    if !cleanup_first {
        changed |= cleanup_finished_jobs(store, &cj, &mut status, &jobs);
    }
    if changed && cj.status.clone().unwrap_or_default() != status {
        write_status(store, key, status);
    }
    requeue
}

/// `syncCronJob` of the v2 controller.
fn sync_cron_job_v2(
    store: &mut Store,
    cj: &CronJob,
    status: &mut CronJobStatus,
    jobs: &[Job],
) -> (Option<Millis>, bool) {
    let mut changed = false;
    for j in jobs {
        let uid = j.metadata.uid.as_deref().unwrap_or("");
        let found = in_active(status, uid);
        let finished = finished_status(j);
        let name = j.metadata.name.clone().unwrap_or_default();
        match (found, finished) {
            (false, None) => event(
                store,
                cj,
                EventType::Warning,
                "UnexpectedJob",
                format!("Saw a job that the controller did not create or forgot: {name}"),
            ),
            (true, Some(outcome)) => {
                remove_from_active(status, uid);
                event(
                    store,
                    cj,
                    EventType::Normal,
                    "SawCompletedJob",
                    format!("Saw completed job: {name}, status: {outcome}"),
                );
                changed = true;
            }
            (_, Some(outcome)) if outcome == "Complete" => {
                let done = j.status.as_ref().and_then(|s| s.completion_time.clone());
                let last = status.last_successful_time.as_ref().map(|t| t.0);
                if let Some(done) = done
                    && last.is_none_or(|l| done.0 > l)
                {
                    status.last_successful_time = Some(done);
                    changed = true;
                }
            }
            _ => {}
        }
    }
    // Active entries whose Job is gone.
    for r in status.active.clone().unwrap_or_default() {
        let uid = r.uid.clone().unwrap_or_default();
        if jobs.iter().any(|j| j.metadata.uid.as_deref() == Some(&uid)) {
            continue;
        }
        let exists =
            store.get::<Job>(r.namespace.as_deref().unwrap_or(""), r.name.as_deref().unwrap_or("")).is_some();
        if !exists {
            let name = r.name.clone().unwrap_or_default();
            event(store, cj, EventType::Normal, "MissingJob", format!("Active job went missing: {name}"));
            remove_from_active(status, &uid);
            changed = true;
        }
    }
    if cj.metadata.deletion_timestamp.is_some() {
        return (None, changed);
    }
    let spec = cj.spec.as_ref().expect("admitted");
    if let Some(tz) = spec.time_zone.as_deref()
        && let Err(e) = cron::load_location(tz)
    {
        event(store, cj, EventType::Warning, "UnknownTimeZone", format!("invalid timeZone: {tz:?}: {e}"));
        return (None, changed);
    }
    if spec.suspend == Some(true) {
        return (None, changed);
    }
    let text = format_schedule(store, cj, true);
    let sched = match cron::parse_standard(&text, store.profile.cronjob.cron) {
        Ok(s) => s,
        Err(e) => {
            let message = format!("unparseable schedule: {:?} : {e}", spec.schedule);
            event(store, cj, EventType::Warning, "UnparseableSchedule", message);
            return (None, changed);
        }
    };
    // The status being built is what the next steps read (lastScheduleTime, active).
    let mut view = cj.clone();
    view.status = Some(status.clone());
    let now = wall(store);
    let scan = store.profile.cronjob.most_recent_scan;
    let scheduled = match most_recent_schedule_time(&view, now, &sched, true, scan) {
        Err(e) => {
            let message = format!("invalid schedule: {} : {e}", spec.schedule);
            event(store, cj, EventType::Warning, "InvalidSchedule", message);
            return (None, changed);
        }
        Ok(m) => {
            if let (Some(_), Missed::Many(n)) = (m.most_recent, m.missed) {
                let message = if store.profile.cronjob.too_many_missed_count {
                    format!(
                        "too many missed start times: {n}. Set or decrease .spec.startingDeadlineSeconds or check clock skew"
                    )
                } else {
                    "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew".into()
                };
                event(store, cj, EventType::Warning, "TooManyMissedTimes", message);
            }
            m.most_recent
        }
    };
    let requeue = |store: &Store, view: &CronJob| Some(next_schedule_after(store, view, &sched));
    let Some(scheduled) = scheduled.filter(|t| *t <= now) else {
        return (requeue(store, &view), changed);
    };
    if let Some(d) = spec.starting_deadline_seconds
        && scheduled + jiff::SignedDuration::from_secs(d) < now
    {
        let message = format!("Missed scheduled time to start a job: {}", rfc1123z(scheduled));
        event(store, cj, EventType::Warning, "MissSchedule", message);
        return (requeue(store, &view), changed);
    }
    let name = job_name(store, cj, scheduled);
    let already = status.active.iter().flatten().any(|r| r.name.as_deref() == Some(name.as_str()))
        || status.last_schedule_time.as_ref().is_some_and(|t| t.0 == scheduled);
    if already {
        return (requeue(store, &view), changed);
    }
    let policy = spec.concurrency_policy.as_deref().unwrap_or("Allow");
    if policy == "Forbid" && status.active.as_ref().is_some_and(|a| !a.is_empty()) {
        event(
            store,
            cj,
            EventType::Normal,
            "JobAlreadyActive",
            "Not starting job because prior execution is running and concurrency policy is Forbid".into(),
        );
        return (requeue(store, &view), changed);
    }
    if policy == "Replace" && !replace_active(store, cj, status, &mut changed) {
        return (None, changed);
    }
    let job = job_from_template(store, cj, scheduled);
    let mut already_existed = false;
    let created = match create_job(store, job) {
        Ok(j) => j,
        Err(ApiError::AlreadyExists { .. }) => {
            let Some(existing) =
                store.get::<Job>(cj.metadata.namespace.as_deref().unwrap_or(""), &name).cloned()
            else {
                return (None, changed);
            };
            let ours = crate::api::store::controller_ref(&existing.metadata)
                .is_some_and(|r| Some(&r.uid) == cj.metadata.uid.as_ref());
            if !ours || in_active(status, existing.metadata.uid.as_deref().unwrap_or("")) {
                return (None, changed);
            }
            already_existed = true;
            existing
        }
        Err(e) => {
            event(store, cj, EventType::Warning, "FailedCreate", format!("Error creating job: {e}"));
            return (None, changed);
        }
    };
    if !already_existed {
        event(store, cj, EventType::Normal, "SuccessfulCreate", format!("Created job {name}"));
    }
    status.active.get_or_insert_with(Vec::new).push(job_ref(&created));
    status.last_schedule_time = Some(Time(scheduled));
    view.status = Some(status.clone());
    (requeue(store, &view), true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cronjob(created: &str, last: Option<&str>, deadline: Option<i64>) -> CronJob {
        let mut cj = CronJob::default();
        cj.metadata.creation_timestamp = Some(Time(created.parse().unwrap()));
        let spec = cj.spec.get_or_insert_with(Default::default);
        spec.starting_deadline_seconds = deadline;
        if let Some(last) = last {
            cj.status = Some(CronJobStatus {
                last_schedule_time: Some(Time(last.parse().unwrap())),
                ..Default::default()
            });
        }
        cj
    }

    fn sched(expr: &str) -> Schedule {
        cron::parse_standard(expr, cron::Dialect::V3).unwrap()
    }

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn most_recent_is_the_latest_time_not_after_now() {
        let cj = cronjob("2024-01-01T00:00:00Z", None, None);
        let m = most_recent_schedule_time(&cj, at("2024-01-01T00:00:30Z"), &sched("*/1 * * * *"), true, true)
            .unwrap();
        assert_eq!((m.most_recent, m.missed), (None, Missed::None));
        let m =
            most_recent_schedule_time(&cj, at("2024-01-01T00:01:00.1Z"), &sched("*/1 * * * *"), true, true)
                .unwrap();
        assert_eq!((m.most_recent, m.missed), (Some(at("2024-01-01T00:01:00Z")), Missed::None));
        let m = most_recent_schedule_time(&cj, at("2024-01-01T00:05:30Z"), &sched("*/1 * * * *"), true, true)
            .unwrap();
        assert_eq!((m.most_recent, m.missed), (Some(at("2024-01-01T00:05:00Z")), Missed::Few));
        // 101 missed minutes: "many", still the most recent one.
        let m = most_recent_schedule_time(&cj, at("2024-01-01T01:41:10Z"), &sched("*/1 * * * *"), true, true)
            .unwrap();
        assert_eq!((m.most_recent, m.missed), (Some(at("2024-01-01T01:41:00Z")), Missed::Many(101)));
        // An irregular schedule (every 4 hours from 6 to 16, weekdays) still lands on the
        // right time although the estimate uses the first two gaps.
        let m = most_recent_schedule_time(
            &cj,
            at("2024-01-03T15:00:00Z"),
            &sched("30 6-16/4 * * 1-5"),
            true,
            true,
        )
        .unwrap();
        assert_eq!(m.most_recent, Some(at("2024-01-03T14:30:00Z")));
    }

    #[test]
    fn starting_deadline_bounds_the_search() {
        let cj = cronjob("2024-01-01T00:00:00Z", Some("2024-01-01T00:01:00Z"), Some(30));
        // 00:05:00 is 40 s back: beyond the deadline, nothing to start until 00:06.
        let m = most_recent_schedule_time(&cj, at("2024-01-01T00:05:40Z"), &sched("*/1 * * * *"), true, true)
            .unwrap();
        assert_eq!(m.most_recent, None);
        let m = most_recent_schedule_time(&cj, at("2024-01-01T00:05:20Z"), &sched("*/1 * * * *"), true, true)
            .unwrap();
        assert_eq!(m.most_recent, Some(at("2024-01-01T00:05:00Z")));
    }

    #[test]
    fn impossible_schedule_is_an_error() {
        let cj = cronjob("2024-01-01T00:00:00Z", None, None);
        let err =
            most_recent_schedule_time(&cj, at("2024-06-01T00:00:00Z"), &sched("0 0 30 2 *"), true, true)
                .err();
        assert_eq!(err.as_deref(), Some("time difference between two schedules is less than 1 second"));
    }

    #[test]
    fn before_the_scan_the_most_recent_time_is_arithmetic() {
        let cj = cronjob("2024-01-01T00:00:00Z", None, None);
        // Weekdays at 09:00 from Monday: t1 = Mon 09:00, t2 = Tue 09:00 → one day apart,
        // so on Sunday the 7th at 10:00 the estimate is Sun 09:00, a time the schedule
        // never has. The scan starts one estimated period earlier (Sat 09:00) and finds
        // nothing up to now: Friday's time is simply not run.
        let s = sched("0 9 * * 1-5");
        let m = most_recent_schedule_time(&cj, at("2024-01-07T10:00:00Z"), &s, true, false).unwrap();
        assert_eq!(m.most_recent, Some(at("2024-01-07T09:00:00Z")));
        let m = most_recent_schedule_time(&cj, at("2024-01-07T10:00:00Z"), &s, true, true).unwrap();
        assert_eq!(m.most_recent, None);
    }

    #[test]
    fn rfc1123z_pads_the_day() {
        assert_eq!(rfc1123z(at("2022-11-04T23:08:29Z")), "Fri, 04 Nov 2022 23:08:29 +0000");
    }
}
