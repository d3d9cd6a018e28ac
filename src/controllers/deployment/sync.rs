//! The shared half of a Deployment sync (`sync.go`, `deployment_controller.go`): claim
//! ReplicaSets, find or create the new one (revision, annotations, hash), scale (also
//! proportionally, for scaling events and paused Deployments), clean up old revisions,
//! and compute status.

use k8s_openapi::api::apps::v1::{Deployment, DeploymentStatus, ReplicaSet, ReplicaSetSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference, Time};

use super::util::{self, *};
use super::{Ctx, SyncResult, key_of};
use crate::api::admission::admit;
use crate::api::event::EventType;
use crate::api::selector::Selector;
use crate::api::store::{DeleteOptions, controller_ref};
use crate::api::{ApiError, Kind, ObjKey};
use crate::constants;
use crate::profile::ScalingMessage;

impl Ctx<'_> {
    /// `syncDeployment`: the entry point of one sync.
    pub(crate) fn sync_deployment(&mut self) -> SyncResult<()> {
        let selector = self.d.spec.as_ref().map(|s| Selector::from_label_selector(&s.selector));
        if !matches!(selector, Some(Ok(ref s)) if !s.is_empty()) {
            self.record(
                EventType::Warning,
                "SelectingAll",
                "This deployment is selecting all pods. A non-empty selector is required.".into(),
            );
            let status = self.d.status.get_or_insert_with(Default::default);
            if status.observed_generation.unwrap_or(0) < self.d.metadata.generation.unwrap_or(0) {
                status.observed_generation = self.d.metadata.generation;
                self.update_status()?;
            }
            return Ok(());
        }
        let selector = selector.and_then(|s| s.ok()).expect("checked above");
        let rs_list = self.claim_replica_sets(&selector)?;
        if self.d.metadata.deletion_timestamp.is_some() {
            return self.sync_status_only(&rs_list);
        }
        self.check_paused_conditions()?;
        if paused(&self.d) {
            return self.sync(&rs_list);
        }
        // Rollback is not re-entrant: the request is cleared before any ReplicaSet moves.
        if self.rollback_to().is_some() {
            return self.rollback(&rs_list);
        }
        if self.is_scaling_event(&rs_list)? {
            return self.sync(&rs_list);
        }
        match strategy_type(&self.d) {
            "Recreate" => self.rollout_recreate(&rs_list),
            _ => self.rollout_rolling(&rs_list),
        }
    }

    /// `getReplicaSetsForDeployment`: the ReplicaSets this Deployment controls, adopting
    /// matching orphans and releasing owned ones whose labels no longer match.
    fn claim_replica_sets(&mut self, selector: &Selector) -> SyncResult<Vec<ReplicaSet>> {
        let uid = self.d.metadata.uid.clone().unwrap_or_default();
        let deleting = self.d.metadata.deletion_timestamp.is_some();
        let mut claimed = Vec::new();
        let owned: Vec<ObjKey> = self
            .store
            .dependents_of(&uid)
            .into_iter()
            .filter(|(k, _)| *k == Kind::ReplicaSet)
            .map(|(_, key)| key)
            .collect();
        for key in owned {
            let Some(rs) = self.store.get_by_key::<ReplicaSet>(&key).cloned() else { continue };
            if controller_ref(&rs.metadata).is_none_or(|r| r.uid != uid) {
                continue;
            }
            if selector.matches_opt(rs.metadata.labels.as_ref()) {
                claimed.push(rs);
            } else if !deleting {
                let mut released = rs;
                if let Some(refs) = released.metadata.owner_references.as_mut() {
                    refs.retain(|r| r.uid != uid);
                    if refs.is_empty() {
                        released.metadata.owner_references = None;
                    }
                }
                self.store.update(released)?;
            }
        }
        if !deleting {
            let orphans: Vec<ReplicaSet> = self
                .store
                .list::<ReplicaSet>(Some(&self.key.0))
                .filter(|rs| {
                    controller_ref(&rs.metadata).is_none()
                        && rs.metadata.deletion_timestamp.is_none()
                        && selector.matches_opt(rs.metadata.labels.as_ref())
                })
                .cloned()
                .collect();
            for mut rs in orphans {
                rs.metadata.owner_references.get_or_insert_with(Vec::new).push(self.owner_reference());
                let key = key_of(&rs.metadata);
                self.store.update(rs)?;
                claimed.extend(self.store.get_by_key::<ReplicaSet>(&key).cloned());
            }
        }
        claimed.sort_by(|a, b| a.metadata.name.cmp(&b.metadata.name));
        Ok(claimed)
    }

    fn owner_reference(&self) -> OwnerReference {
        OwnerReference {
            api_version: "apps/v1".into(),
            kind: "Deployment".into(),
            name: self.key.1.clone(),
            uid: self.d.metadata.uid.clone().unwrap_or_default(),
            controller: Some(true),
            block_owner_deletion: Some(true),
        }
    }

    /// `syncStatusOnly`: a Deployment being deleted only gets its status updated.
    fn sync_status_only(&mut self, rs_list: &[ReplicaSet]) -> SyncResult<()> {
        let (new_rs, old) = self.get_all_replica_sets_and_sync_revision(rs_list, false)?;
        let all = with_new(old, new_rs.clone());
        self.sync_deployment_status(&all, new_rs.as_ref())
    }

    /// `sync`: reconciles scaling events and paused Deployments; never creates a new
    /// ReplicaSet, so a paused template change does not roll.
    fn sync(&mut self, rs_list: &[ReplicaSet]) -> SyncResult<()> {
        let (new_rs, old) = self.get_all_replica_sets_and_sync_revision(rs_list, false)?;
        self.scale(new_rs.as_ref(), &old)?;
        if paused(&self.d) {
            self.cleanup_deployment(&old)?;
        }
        let all = with_new(old, new_rs.clone());
        self.sync_deployment_status(&all, new_rs.as_ref())
    }

    /// `checkPausedConditions`: Progressing Unknown with DeploymentPaused or
    /// DeploymentResumed when the pause state flips (never over a timed-out rollout).
    fn check_paused_conditions(&mut self) -> SyncResult<()> {
        if progress_deadline_seconds(&self.d).is_none() {
            return Ok(());
        }
        let status = self.d.status.clone().unwrap_or_default();
        let cond = condition(&status, PROGRESSING);
        if cond.is_some_and(|c| c.reason.as_deref() == Some(TIMED_OUT_REASON)) {
            return Ok(());
        }
        let paused_cond = cond.is_some_and(|c| c.reason.as_deref() == Some(PAUSED_REASON));
        let now = self.now_time();
        let new = if paused(&self.d) && !paused_cond {
            new_condition(PROGRESSING, "Unknown", PAUSED_REASON, "Deployment is paused".into(), &now)
        } else if !paused(&self.d) && paused_cond {
            new_condition(PROGRESSING, "Unknown", RESUMED_REASON, "Deployment is resumed".into(), &now)
        } else {
            return Ok(());
        };
        set_condition(self.d.status.get_or_insert_with(Default::default), new);
        self.update_status()
    }

    /// `isScalingEvent`: an active ReplicaSet was sized for a different `replicas`.
    fn is_scaling_event(&mut self, rs_list: &[ReplicaSet]) -> SyncResult<bool> {
        let (new_rs, old) = self.get_all_replica_sets_and_sync_revision(rs_list, false)?;
        let replicas = replicas(&self.d);
        Ok(with_new(old, new_rs)
            .iter()
            .filter(|rs| rs_replicas(rs) > 0)
            .any(|rs| int_annotation(rs, DESIRED_REPLICAS).is_some_and(|desired| desired != replicas)))
    }

    /// `getAllReplicaSetsAndSyncRevision`: the new ReplicaSet (created if asked and
    /// missing) and all old ones.
    pub(crate) fn get_all_replica_sets_and_sync_revision(
        &mut self,
        rs_list: &[ReplicaSet],
        create: bool,
    ) -> SyncResult<(Option<ReplicaSet>, Vec<ReplicaSet>)> {
        let (_, all_old) = find_old_replica_sets(&self.d, rs_list);
        let new_rs = self.get_new_replica_set(rs_list, &all_old, create)?;
        Ok((new_rs, all_old))
    }

    /// `getNewReplicaSet`:
    /// 1. find the ReplicaSet whose template equals the Deployment's;
    /// 2. if it exists, raise its revision to max(old) + 1 and copy annotations (that
    ///    update ends here), else mirror its revision on the Deployment and note a
    ///    Progressing condition if there is none;
    /// 3. if it does not exist and `create`, create it at the size the strategy allows.
    fn get_new_replica_set(
        &mut self,
        rs_list: &[ReplicaSet],
        old: &[ReplicaSet],
        create: bool,
    ) -> SyncResult<Option<ReplicaSet>> {
        let existing = find_new_replica_set(&self.d, rs_list);
        let new_revision = max_revision(old) + 1;
        let history_max = constants::DEPLOYMENT_REVISION_HISTORY_MAX_CHARS;
        if let Some(existing) = existing {
            let mut rs = existing.clone();
            let annotations_updated =
                set_new_replica_set_annotations(&self.d, &mut rs, new_revision, true, history_max);
            let min_ready = self.d.spec.as_ref().and_then(|s| s.min_ready_seconds).unwrap_or(0);
            let rs_min_ready = rs.spec.as_ref().and_then(|s| s.min_ready_seconds).unwrap_or(0);
            if annotations_updated || rs_min_ready != min_ready {
                rs.spec.get_or_insert_with(Default::default).min_ready_seconds = Some(min_ready);
                return self.update_replica_set(rs).map(Some);
            }
            let rs_revision = rs.metadata.annotations.as_ref().and_then(|a| a.get(REVISION)).cloned();
            let mut needs_update = set_deployment_revision(&mut self.d, rs_revision.as_deref().unwrap_or(""));
            let has_condition = self.d.status.as_ref().and_then(|s| condition(s, PROGRESSING)).is_some();
            if progress_deadline_seconds(&self.d).is_some() && !has_condition {
                let now = self.now_time();
                let msg = format!("Found new replica set \"{}\"", rs.metadata.name.as_deref().unwrap_or(""));
                let status = self.d.status.get_or_insert_with(Default::default);
                set_condition(status, new_condition(PROGRESSING, "True", FOUND_NEW_RS_REASON, msg, &now));
                needs_update = true;
            }
            if needs_update {
                self.update_status()?;
            }
            return Ok(Some(rs));
        }
        if !create {
            return Ok(None);
        }
        self.create_new_replica_set(old, new_revision)
    }

    fn create_new_replica_set(
        &mut self,
        old: &[ReplicaSet],
        new_revision: i64,
    ) -> SyncResult<Option<ReplicaSet>> {
        let (mut rs, new_count) = self.new_replica_set_object(old, new_revision);
        let name = rs.metadata.name.clone().unwrap_or_default();
        let result = admit(&mut rs, self.store).and_then(|_| self.store.create(rs));
        let (created, already_exists) = match result {
            Ok(created) => (created.clone(), false),
            Err(ApiError::AlreadyExists { .. }) => (self.adopt_existing_or_collide(&name)?, true),
            Err(err) => {
                let msg = format!("Failed to create new replica set \"{name}\": {err}");
                if progress_deadline_seconds(&self.d).is_some() {
                    let now = self.now_time();
                    let status = self.d.status.get_or_insert_with(Default::default);
                    let cond =
                        new_condition(PROGRESSING, "False", FAILED_RS_CREATE_REASON, msg.clone(), &now);
                    set_condition(status, cond);
                    let _ = self.update_status();
                }
                self.record(EventType::Warning, FAILED_RS_CREATE_REASON, msg);
                return Err(err.into());
            }
        };
        if !already_exists && new_count > 0 {
            let message = match self.store.profile.scaling_message {
                ScalingMessage::FromTo => format!("Scaled up replica set {name} from 0 to {new_count}"),
                _ => format!("Scaled up replica set {name} to {new_count}"),
            };
            self.record(EventType::Normal, "ScalingReplicaSet", message);
        }
        let mut needs_update = set_deployment_revision(&mut self.d, &new_revision.to_string());
        if !already_exists && progress_deadline_seconds(&self.d).is_some() {
            let now = self.now_time();
            let msg = format!("Created new replica set \"{name}\"");
            let status = self.d.status.get_or_insert_with(Default::default);
            set_condition(status, new_condition(PROGRESSING, "True", NEW_RS_REASON, msg, &now));
            needs_update = true;
        }
        if needs_update {
            self.update_status()?;
        }
        Ok(Some(created))
    }

    /// The new ReplicaSet as `getNewReplicaSet` builds it: named and labelled with the
    /// template's hash, selector plus the hash, owned by the Deployment, sized by the
    /// strategy, with the Deployment's annotations and the new revision.
    fn new_replica_set_object(&self, old: &[ReplicaSet], new_revision: i64) -> (ReplicaSet, i32) {
        let collision_count = self.d.status.as_ref().and_then(|s| s.collision_count);
        let mut template = util::template(&self.d).clone();
        let hash = pod_template_hash(&template, collision_count);
        let meta = template.metadata.get_or_insert_with(Default::default);
        meta.labels.get_or_insert_with(Default::default).insert(HASH_LABEL.into(), hash.clone());
        let mut selector = self.d.spec.as_ref().map(|s| s.selector.clone()).unwrap_or_default();
        selector.match_labels.get_or_insert_with(Default::default).insert(HASH_LABEL.into(), hash.clone());
        let mut rs = ReplicaSet {
            metadata: ObjectMeta {
                name: Some(format!("{}-{hash}", self.key.1)),
                namespace: Some(self.key.0.clone()),
                owner_references: Some(vec![self.owner_reference()]),
                labels: template.metadata.as_ref().and_then(|m| m.labels.clone()),
                ..Default::default()
            },
            spec: Some(ReplicaSetSpec {
                replicas: Some(0),
                min_ready_seconds: self.d.spec.as_ref().and_then(|s| s.min_ready_seconds),
                selector,
                template: Some(template),
            }),
            status: None,
        };
        let mut all: Vec<ReplicaSet> = old.to_vec();
        all.push(rs.clone());
        let new_count = new_rs_new_replicas(&self.d, &all, &rs);
        rs.spec.as_mut().expect("set above").replicas = Some(new_count);
        let history_max = constants::DEPLOYMENT_REVISION_HISTORY_MAX_CHARS;
        set_new_replica_set_annotations(&self.d, &mut rs, new_revision, false, history_max);
        (rs, new_count)
    }

    /// A ReplicaSet of that name exists already: ours with the same template is the new
    /// one; anything else is a hash collision, counted in `status.collisionCount` so that
    /// the next sync computes another name.
    fn adopt_existing_or_collide(&mut self, name: &str) -> SyncResult<ReplicaSet> {
        let existing = self.store.get::<ReplicaSet>(&self.key.0, name).cloned();
        let uid = self.d.metadata.uid.clone();
        if let Some(rs) = existing
            && controller_ref(&rs.metadata).is_some_and(|r| Some(&r.uid) == uid.as_ref())
            && rs
                .spec
                .as_ref()
                .and_then(|s| s.template.as_ref())
                .is_some_and(|t| equal_ignore_hash(util::template(&self.d), t))
        {
            return Ok(rs);
        }
        let status = self.d.status.get_or_insert_with(Default::default);
        status.collision_count = Some(status.collision_count.unwrap_or(0) + 1);
        self.update_status()?;
        Err(ApiError::AlreadyExists { kind: Kind::ReplicaSet, name: name.to_string() }.into())
    }

    /// `scale`: sizes the ReplicaSets for `replicas` when the Deployment is not in the
    /// middle of a rollout step: one active ReplicaSet takes everything; a saturated new
    /// one makes the old ones go to 0; otherwise (RollingUpdate) the difference to
    /// `replicas + maxSurge` is spread in proportion to each ReplicaSet's share of the
    /// size it was last scaled for (the max-replicas annotation).
    ///
    /// Example: 10 replicas, 3 surge, old 8 / new 5 (13 = 10 + 3), scaled to 20 (23
    /// allowed, 10 to add): old gets round(8·23/13) − 8 = 6, new round(5·23/13) − 5 = 4.
    pub(crate) fn scale(&mut self, new_rs: Option<&ReplicaSet>, old: &[ReplicaSet]) -> SyncResult<()> {
        let replicas = replicas(&self.d);
        if let Some(target) = find_active_or_latest(new_rs, old) {
            if rs_replicas(&target) == replicas {
                return Ok(());
            }
            self.scale_replica_set_and_record_event(&target, replicas)?;
            return Ok(());
        }
        if is_saturated(&self.d, new_rs) {
            for rs in old.iter().filter(|rs| rs_replicas(rs) > 0) {
                self.scale_replica_set_and_record_event(rs, 0)?;
            }
            return Ok(());
        }
        if !is_rolling_update(&self.d) {
            return Ok(());
        }
        let mut all: Vec<ReplicaSet> =
            old.iter().chain(new_rs).filter(|rs| rs_replicas(rs) > 0).cloned().collect();
        let total: i32 = all.iter().map(rs_replicas).sum();
        let allowed = if replicas > 0 { replicas + max_surge(&self.d) } else { 0 };
        let to_add = allowed - total;
        let operation = match to_add {
            n if n > 0 => {
                all.sort_by(by_size_newer);
                "up"
            }
            n if n < 0 => {
                all.sort_by(by_size_older);
                "down"
            }
            _ => "",
        };
        let mut added = 0;
        let mut sizes: Vec<i32> = Vec::with_capacity(all.len());
        for rs in &all {
            if to_add != 0 {
                let proportion = get_proportion(rs, &self.d, to_add, added);
                sizes.push(rs_replicas(rs) + proportion);
                added += proportion;
            } else {
                sizes.push(rs_replicas(rs));
            }
        }
        for (i, rs) in all.iter().enumerate() {
            if i == 0 && to_add != 0 {
                sizes[0] = (sizes[0] + to_add - added).max(0);
            }
            self.scale_replica_set(rs, sizes[i], operation)?;
        }
        Ok(())
    }

    /// `scaleReplicaSetAndRecordEvent`: nothing when already at `new_scale`.
    pub(crate) fn scale_replica_set_and_record_event(
        &mut self,
        rs: &ReplicaSet,
        new_scale: i32,
    ) -> SyncResult<(bool, ReplicaSet)> {
        if rs_replicas(rs) == new_scale {
            return Ok((false, rs.clone()));
        }
        let operation = if rs_replicas(rs) < new_scale { "up" } else { "down" };
        self.scale_replica_set(rs, new_scale, operation)
    }

    /// `scaleReplicaSet`: writes the size and the replica annotations; an event when the
    /// size changed.
    fn scale_replica_set(
        &mut self,
        rs: &ReplicaSet,
        new_scale: i32,
        operation: &str,
    ) -> SyncResult<(bool, ReplicaSet)> {
        let replicas = replicas(&self.d);
        let max = replicas + max_surge(&self.d);
        let size_changed = rs_replicas(rs) != new_scale;
        if !size_changed && !replicas_annotations_need_update(rs, replicas, max) {
            return Ok((false, rs.clone()));
        }
        let old_scale = rs_replicas(rs);
        let mut copy = rs.clone();
        copy.spec.get_or_insert_with(Default::default).replicas = Some(new_scale);
        set_replicas_annotations(&mut copy, replicas, max);
        let updated = self.update_replica_set(copy)?;
        if size_changed {
            let name = updated.metadata.name.clone().unwrap_or_default();
            let message = match self.store.profile.scaling_message {
                ScalingMessage::To => format!("Scaled {operation} replica set {name} to {new_scale}"),
                ScalingMessage::ToFrom => {
                    format!("Scaled {operation} replica set {name} to {new_scale} from {old_scale}")
                }
                ScalingMessage::FromTo => {
                    format!("Scaled {operation} replica set {name} from {old_scale} to {new_scale}")
                }
            };
            self.record(EventType::Normal, "ScalingReplicaSet", message);
        }
        Ok((size_changed, updated))
    }

    /// `cleanupDeployment`: deletes the oldest old ReplicaSets beyond
    /// `revisionHistoryLimit`, skipping any that still has (or may have) pods.
    pub(crate) fn cleanup_deployment(&mut self, old: &[ReplicaSet]) -> SyncResult<()> {
        let Some(limit) = revision_history_limit(&self.d) else { return Ok(()) };
        let mut cleanable: Vec<&ReplicaSet> =
            old.iter().filter(|rs| rs.metadata.deletion_timestamp.is_none()).collect();
        let diff = cleanable.len() as i64 - limit as i64;
        if diff <= 0 {
            return Ok(());
        }
        cleanable.sort_by(|a, b| by_revision(a, b));
        for rs in cleanable.into_iter().take(diff as usize) {
            let observed = rs.status.as_ref().and_then(|s| s.observed_generation).unwrap_or(0);
            if rs_status_replicas(rs) != 0
                || rs_replicas(rs) != 0
                || rs.metadata.generation.unwrap_or(0) > observed
                || rs.metadata.deletion_timestamp.is_some()
            {
                continue;
            }
            let (ns, name) = key_of(&rs.metadata);
            match self.store.delete::<ReplicaSet>(&ns, &name, DeleteOptions::default()) {
                Ok(_) | Err(ApiError::NotFound { .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }

    /// `syncDeploymentStatus`: writes the computed status when it differs.
    fn sync_deployment_status(&mut self, all: &[ReplicaSet], new_rs: Option<&ReplicaSet>) -> SyncResult<()> {
        let now = self.now_time();
        let status = calculate_status(all, new_rs, &self.d, &now);
        if self.d.status.clone().unwrap_or_default() == status {
            return Ok(());
        }
        self.d.status = Some(status);
        self.update_status()
    }
}

/// Old ReplicaSets followed by the new one, if any.
pub(crate) fn with_new(mut old: Vec<ReplicaSet>, new_rs: Option<ReplicaSet>) -> Vec<ReplicaSet> {
    old.extend(new_rs);
    old
}

/// `FindNewReplicaSet`: the oldest ReplicaSet whose template equals the Deployment's.
pub(crate) fn find_new_replica_set<'a>(d: &Deployment, rs_list: &'a [ReplicaSet]) -> Option<&'a ReplicaSet> {
    let mut sorted: Vec<&ReplicaSet> = rs_list.iter().collect();
    sorted.sort_by(|a, b| by_creation(a, b));
    let template = util::template(d);
    sorted.into_iter().find(|rs| {
        rs.spec.as_ref().and_then(|s| s.template.as_ref()).is_some_and(|t| equal_ignore_hash(t, template))
    })
}

/// `FindOldReplicaSets`: (old ones with replicas, all old ones).
pub(crate) fn find_old_replica_sets(
    d: &Deployment,
    rs_list: &[ReplicaSet],
) -> (Vec<ReplicaSet>, Vec<ReplicaSet>) {
    let new_uid = find_new_replica_set(d, rs_list).and_then(|rs| rs.metadata.uid.clone());
    let all: Vec<ReplicaSet> =
        rs_list.iter().filter(|rs| new_uid.is_none() || rs.metadata.uid != new_uid).cloned().collect();
    let required = all.iter().filter(|rs| rs_replicas(rs) != 0).cloned().collect();
    (required, all)
}

/// `NewRSNewReplicas`: the size a new ReplicaSet may have now. RollingUpdate: as many
/// more as `replicas + maxSurge` leaves room for, up to `replicas`; Recreate: all.
pub(crate) fn new_rs_new_replicas(d: &Deployment, all: &[ReplicaSet], new_rs: &ReplicaSet) -> i32 {
    let replicas = replicas(d);
    if !is_rolling_update(d) {
        return replicas;
    }
    let current: i32 = all.iter().map(rs_replicas).sum();
    let max_total = replicas + max_surge(d);
    if current >= max_total {
        return rs_replicas(new_rs);
    }
    let scale_up = (max_total - current).min(replicas - rs_replicas(new_rs));
    rs_replicas(new_rs) + scale_up
}

/// `FindActiveOrLatest`: the one active ReplicaSet; with none active, the new one or
/// else the newest old one; `None` when several are active.
fn find_active_or_latest(new_rs: Option<&ReplicaSet>, old: &[ReplicaSet]) -> Option<ReplicaSet> {
    if new_rs.is_none() && old.is_empty() {
        return None;
    }
    let mut sorted: Vec<&ReplicaSet> = old.iter().collect();
    sorted.sort_by(|a, b| by_creation(b, a));
    let active: Vec<&ReplicaSet> =
        sorted.iter().copied().chain(new_rs).filter(|rs| rs_replicas(rs) > 0).collect();
    match active.len() {
        0 => new_rs.or(sorted.first().copied()).cloned(),
        1 => Some(active[0].clone()),
        _ => None,
    }
}

/// `IsSaturated`: the new ReplicaSet has all replicas, was sized for them, and all
/// are available.
fn is_saturated(d: &Deployment, rs: Option<&ReplicaSet>) -> bool {
    let Some(rs) = rs else { return false };
    let replicas = replicas(d);
    rs_replicas(rs) == replicas
        && int_annotation(rs, DESIRED_REPLICAS) == Some(replicas)
        && rs_available(rs) == replicas
}

/// `GetProportion`: this ReplicaSet's share of `to_add`, never overshooting what is
/// left to add (or remove).
fn get_proportion(rs: &ReplicaSet, d: &Deployment, to_add: i32, added: i32) -> i32 {
    if rs_replicas(rs) == 0 || to_add == 0 || to_add == added {
        return 0;
    }
    let fraction = replica_set_fraction(rs, d);
    let allowed = to_add - added;
    if to_add > 0 { fraction.min(allowed) } else { fraction.max(allowed) }
}

/// `getReplicaSetFraction`: round(rs · (replicas + maxSurge) / max-replicas annotation)
/// − rs, rounding half away from zero; the whole size when scaling to 0.
fn replica_set_fraction(rs: &ReplicaSet, d: &Deployment) -> i32 {
    let replicas = replicas(d);
    if replicas == 0 {
        return -rs_replicas(rs);
    }
    let max_now = replicas + max_surge(d);
    let mut max_before = int_annotation(rs, MAX_REPLICAS).unwrap_or(0);
    if max_before == 0 {
        max_before = d.status.as_ref().and_then(|s| s.replicas).unwrap_or(0);
        if max_before == 0 {
            return 0;
        }
    }
    let size = (rs_replicas(rs) as f64 * max_now as f64) / max_before as f64;
    size.round() as i32 - rs_replicas(rs)
}

/// `calculateStatus`: counts summed over the ReplicaSets (updated = the new one's),
/// the stored conditions, and Available recomputed against `replicas − maxUnavailable`.
pub(crate) fn calculate_status(
    all: &[ReplicaSet],
    new_rs: Option<&ReplicaSet>,
    d: &Deployment,
    now_time: &Time,
) -> DeploymentStatus {
    let available: i32 = all.iter().map(rs_available).sum();
    let total_spec: i32 = all.iter().map(rs_replicas).sum();
    let previous = d.status.clone().unwrap_or_default();
    let mut status = DeploymentStatus {
        observed_generation: d.metadata.generation,
        replicas: count(all.iter().map(rs_status_replicas).sum()),
        updated_replicas: count(new_rs.map_or(0, rs_status_replicas)),
        ready_replicas: count(all.iter().map(rs_ready).sum()),
        available_replicas: count(available),
        unavailable_replicas: count((total_spec - available).max(0)),
        collision_count: previous.collision_count,
        conditions: previous.conditions.clone(),
        terminating_replicas: None,
    };
    if available >= replicas(d) - max_unavailable(d) {
        set_condition(
            &mut status,
            new_condition(
                AVAILABLE,
                "True",
                MIN_AVAILABLE_REASON,
                "Deployment has minimum availability.".into(),
                now_time,
            ),
        );
    } else {
        set_condition(
            &mut status,
            new_condition(
                AVAILABLE,
                "False",
                MIN_UNAVAILABLE_REASON,
                "Deployment does not have minimum availability.".into(),
                now_time,
            ),
        );
    }
    status
}
