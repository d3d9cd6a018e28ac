//! The v1 CronJob controller (`cronjob_controller.go`, up to 1.20): a 10 s poller.

use super::*;

/// `getRecentUnmetScheduleTimes` of the v1 controller: every start time after the last
/// (or creation, or `now − startingDeadlineSeconds`) up to now; more than 100 is an error.
fn unmet_schedule_times(store: &Store, cj: &CronJob, now: Timestamp) -> Result<Vec<Timestamp>, String> {
    let spec = cj.spec.as_ref().expect("admitted");
    let sched = cron::parse_standard(&spec.schedule, store.profile.cronjob.cron)
        .map_err(|e| format!("unparseable schedule: {} : {e}", spec.schedule))?;
    let created = cj.metadata.creation_timestamp.as_ref().map(time_of).unwrap_or(now);
    let mut earliest =
        cj.status.as_ref().and_then(|s| s.last_schedule_time.as_ref()).map(time_of).unwrap_or(created);
    if let Some(d) = spec.starting_deadline_seconds {
        let deadline = now - jiff::SignedDuration::from_secs(d);
        if deadline > earliest {
            earliest = deadline;
        }
    }
    let mut starts = Vec::new();
    if earliest > now {
        return Ok(starts);
    }
    let too_many = || {
        "too many missed start time (> 100). Set or decrease .spec.startingDeadlineSeconds or check clock skew."
            .to_string()
    };
    let mut t = sched.next(earliest);
    loop {
        // Go's zero time (a schedule that never fires) is "not after now" forever.
        if let Some(tt) = t
            && tt > now
        {
            break;
        }
        starts.push(t.unwrap_or(Timestamp::MIN));
        if starts.len() as i64 > CRONJOB_MAX_MISSED {
            return Err(too_many());
        }
        t = t.and_then(|tt| sched.next(tt));
    }
    Ok(starts)
}

/// One v1 poll of one CronJob (`syncOne`, then `cleanupFinishedJobs`).
pub(super) fn sync_v1(store: &mut Store, key: &ObjKey) {
    let Some(cj) = store.get_by_key::<CronJob>(key).cloned() else { return };
    let jobs = owned_jobs(store, &cj);
    let mut status = cj.status.clone().unwrap_or_default();
    sync_one_v1(store, &cj, &mut status, &jobs);
    cleanup_finished_jobs(store, &cj, &mut status, &jobs);
    if cj.status.clone().unwrap_or_default() != status {
        write_status(store, key, status);
    }
}

fn sync_one_v1(store: &mut Store, cj: &CronJob, status: &mut CronJobStatus, jobs: &[Job]) {
    for j in jobs {
        let uid = j.metadata.uid.as_deref().unwrap_or("");
        let name = j.metadata.name.clone().unwrap_or_default();
        match (in_active(status, uid), finished_status(j).is_some()) {
            (false, false) => event(
                store,
                cj,
                EventType::Warning,
                "UnexpectedJob",
                format!("Saw a job that the controller did not create or forgot: {name}"),
            ),
            (true, true) => {
                remove_from_active(status, uid);
                event(store, cj, EventType::Normal, "SawCompletedJob", format!("Saw completed job: {name}"));
            }
            _ => {}
        }
    }
    for r in status.active.clone().unwrap_or_default() {
        let uid = r.uid.clone().unwrap_or_default();
        if !jobs.iter().any(|j| j.metadata.uid.as_deref() == Some(&uid)) {
            let name = r.name.clone().unwrap_or_default();
            event(store, cj, EventType::Normal, "MissingJob", format!("Active job went missing: {name}"));
            remove_from_active(status, &uid);
        }
    }
    let spec = cj.spec.as_ref().expect("admitted");
    if cj.metadata.deletion_timestamp.is_some() || spec.suspend == Some(true) {
        return;
    }
    let now = wall(store);
    let mut view = cj.clone();
    view.status = Some(status.clone());
    let times = match unmet_schedule_times(store, &view, now) {
        Ok(t) => t,
        Err(e) => {
            let message = format!("Cannot determine if job needs to be started: {e}");
            event(store, cj, EventType::Warning, "FailedNeedsStart", message);
            return;
        }
    };
    let Some(&scheduled) = times.last() else { return };
    if let Some(d) = spec.starting_deadline_seconds
        && scheduled + jiff::SignedDuration::from_secs(d) < now
    {
        let message = format!("Missed scheduled time to start a job: {}", rfc1123z(scheduled));
        event(store, cj, EventType::Warning, "MissSchedule", message);
        return;
    }
    let policy = spec.concurrency_policy.as_deref().unwrap_or("Allow");
    if policy == "Forbid" && status.active.as_ref().is_some_and(|a| !a.is_empty()) {
        return;
    }
    let mut changed = false;
    if policy == "Replace" && !replace_active(store, cj, status, &mut changed) {
        return;
    }
    let job = job_from_template(store, cj, scheduled);
    match create_job(store, job) {
        Ok(created) => {
            let name = created.metadata.name.clone().unwrap_or_default();
            event(store, cj, EventType::Normal, "SuccessfulCreate", format!("Created job {name}"));
            status.active.get_or_insert_with(Vec::new).push(job_ref(&created));
            status.last_schedule_time = Some(Time(scheduled));
        }
        Err(e) => event(store, cj, EventType::Warning, "FailedCreate", format!("Error creating job: {e}")),
    }
}
