//! `kubectl describe persistentvolumeclaim` and `describe persistentvolume`
//! (`describePersistentVolumeClaim`, `describePersistentVolume` in kubectl's
//! `pkg/describe/describe.go`; the layout is the same from 1.15 to 1.33 but for the
//! title of the pods using a claim, [`DescribeStyle::pvc_pods_title`]).

use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim, Pod, VolumeNodeAffinity};

use super::DescribeEnv;
use super::events::describe_events;
use super::quantity::Quantity;
use super::writer::{Writer, annotations, labels, rfc1123z_or_zero};
use crate::kubectl::humanize::translate_timestamp_since;
use crate::kubectl::printers::storage::{access_modes, storage_class};

/// Renders `kubectl describe pvc`; `pods` are the namespace's pods whose volumes name
/// the claim (`getPodsForPVC`).
pub fn describe_persistent_volume_claim(
    pvc: &PersistentVolumeClaim,
    pods: &[&Pod],
    env: &DescribeEnv,
) -> String {
    let style = env.style();
    let mut w = Writer::new(&style);
    let meta = &pvc.metadata;
    let spec = pvc.spec.clone().unwrap_or_default();
    let status = pvc.status.clone().unwrap_or_default();
    w.field(0, "Name", meta.name.as_deref().unwrap_or(""));
    w.field(0, "Namespace", meta.namespace.as_deref().unwrap_or(""));
    let class = storage_class(meta, spec.storage_class_name.as_ref());
    w.field(0, "StorageClass", class);
    status_line(&mut w, meta, status.phase.as_deref(), env);
    let volume_name = spec.volume_name.clone().unwrap_or_default();
    w.field(0, "Volume", &volume_name);
    labels(&mut w, "Labels", meta.labels.as_ref());
    annotations(&mut w, "Annotations", meta.annotations.as_ref());
    w.field(0, "Finalizers", go_string_slice(meta.finalizers.as_deref()));
    // Capacity and access modes come from the status, and only once a volume is named.
    let (capacity, modes) = if volume_name.is_empty() {
        (String::new(), String::new())
    } else {
        (storage_of(status.capacity.as_ref()), access_modes(status.access_modes.as_ref()))
    };
    w.field(0, "Capacity", capacity);
    w.field(0, "Access Modes", modes);
    if let Some(mode) = &spec.volume_mode {
        w.field(0, "VolumeMode", mode);
    }
    if let Some(source) = &spec.data_source {
        w.line(0, "DataSource:");
        if let Some(group) = &source.api_group {
            w.field(1, "APIGroup", group);
        }
        w.field(1, "Kind", &source.kind);
        w.field(1, "Name", &source.name);
    }
    pods_multiline(&mut w, style.pvc_pods_title, pods);
    let conditions = status.conditions.unwrap_or_default();
    if !conditions.is_empty() {
        w.line(0, "Conditions:");
        w.line(1, "Type\tStatus\tLastProbeTime\tLastTransitionTime\tReason\tMessage");
        w.line(1, "----\t------\t-----------------\t------------------\t------\t-------");
        for c in &conditions {
            w.line(
                1,
                &format!(
                    "{} \t{} \t{} \t{} \t{} \t{}",
                    c.type_,
                    c.status,
                    rfc1123z_or_zero(c.last_probe_time.as_ref()),
                    rfc1123z_or_zero(c.last_transition_time.as_ref()),
                    c.reason.as_deref().unwrap_or(""),
                    c.message.as_deref().unwrap_or("")
                ),
            );
        }
    }
    describe_events(&mut w, env, &env.events);
    w.finish()
}

/// Renders `kubectl describe pv`.
pub fn describe_persistent_volume(pv: &PersistentVolume, env: &DescribeEnv) -> String {
    let style = env.style();
    let mut w = Writer::new(&style);
    let meta = &pv.metadata;
    let spec = pv.spec.clone().unwrap_or_default();
    let status = pv.status.clone().unwrap_or_default();
    w.field(0, "Name", meta.name.as_deref().unwrap_or(""));
    labels(&mut w, "Labels", meta.labels.as_ref());
    annotations(&mut w, "Annotations", meta.annotations.as_ref());
    w.field(0, "Finalizers", go_string_slice(meta.finalizers.as_deref()));
    let class = storage_class(meta, spec.storage_class_name.as_ref());
    w.field(0, "StorageClass", class);
    status_line(&mut w, meta, status.phase.as_deref(), env);
    let claim = spec.claim_ref.as_ref().map_or(String::new(), |r| {
        format!("{}/{}", r.namespace.as_deref().unwrap_or(""), r.name.as_deref().unwrap_or(""))
    });
    w.field(0, "Claim", claim);
    w.field(0, "Reclaim Policy", spec.persistent_volume_reclaim_policy.as_deref().unwrap_or(""));
    w.field(0, "Access Modes", access_modes(spec.access_modes.as_ref()));
    if let Some(mode) = &spec.volume_mode {
        w.field(0, "VolumeMode", mode);
    }
    w.field(0, "Capacity", storage_of(spec.capacity.as_ref()));
    node_affinity(&mut w, spec.node_affinity.as_ref());
    w.field(0, "Message", status.message.as_deref().unwrap_or(""));
    w.line(0, "Source:");
    if let Some(host_path) = &spec.host_path {
        w.field(2, "Type", "HostPath (bare host directory volume)");
        w.field(2, "Path", &host_path.path);
        w.field(2, "HostPathType", host_path.type_.as_deref().unwrap_or("<none>"));
    } else if let Some(nfs) = &spec.nfs {
        w.field(2, "Type", "NFS (an NFS mount that lasts the lifetime of a pod)");
        w.field(2, "Server", &nfs.server);
        w.field(2, "Path", &nfs.path);
        w.field(2, "ReadOnly", nfs.read_only.unwrap_or(false));
    } else if let Some(local) = &spec.local {
        w.field(2, "Type", "LocalVolume (a persistent volume backed by local storage on a node)");
        w.field(2, "Path", &local.path);
    } else {
        // Sources no simulated cluster has (cloud disks, CSI): kubectl's fallback line.
        w.line(1, "<unknown>");
    }
    describe_events(&mut w, env, &env.events);
    w.finish()
}

/// `Status:` with the phase, or `Terminating (lasts …)` once a deletion is pending.
fn status_line(
    w: &mut Writer,
    meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
    phase: Option<&str>,
    env: &DescribeEnv,
) {
    match &meta.deletion_timestamp {
        Some(deleted) => {
            let lasts = translate_timestamp_since(env.now_wall(), Some(deleted.0));
            w.field(0, "Status", format!("Terminating (lasts {lasts})"));
        }
        None => w.field(0, "Status", phase.unwrap_or("")),
    }
}

/// The `storage` entry of a resource list as `Quantity.String()` prints it (`0` when
/// absent, as Go's zero Quantity).
fn storage_of(
    list: Option<
        &std::collections::BTreeMap<String, k8s_openapi::apimachinery::pkg::api::resource::Quantity>,
    >,
) -> String {
    list.and_then(|l| l.get("storage")).map_or_else(|| "0".to_string(), |q| Quantity::of(q).to_string())
}

/// Go's `%v` of a `[]string`: `[a b]`, `[]` when empty.
fn go_string_slice(items: Option<&[String]>) -> String {
    format!("[{}]", items.unwrap_or_default().join(" "))
}

/// `printPodsMultiline`: pod names sorted, one a line, `<none>` without any.
fn pods_multiline(w: &mut Writer, title: &str, pods: &[&Pod]) {
    let mut names: Vec<&str> = pods.iter().map(|p| p.metadata.name.as_deref().unwrap_or("")).collect();
    if names.is_empty() {
        w.field(0, title, "<none>");
        return;
    }
    names.sort_unstable();
    w.field(0, title, names[0]);
    for name in &names[1..] {
        w.line(0, &format!("\t{name}"));
    }
}

/// `printVolumeNodeAffinity`: required node selector terms, one expression a line.
fn node_affinity(w: &mut Writer, affinity: Option<&VolumeNodeAffinity>) {
    let Some(required) = affinity.and_then(|a| a.required.as_ref()) else {
        w.line(0, "Node Affinity:\t<none>");
        return;
    };
    w.line(0, "Node Affinity:\t");
    if required.node_selector_terms.is_empty() {
        w.line(1, "Required Terms:\t<none>");
        return;
    }
    w.line(1, "Required Terms:\t");
    for (i, term) in required.node_selector_terms.iter().enumerate() {
        let exprs = term.match_expressions.as_deref().unwrap_or_default();
        if exprs.is_empty() {
            w.line(2, &format!("Term {i}:\t<none>"));
            continue;
        }
        for (j, req) in exprs.iter().enumerate() {
            let mut expr = format!("{} {}", req.key, req.operator.to_lowercase());
            if let Some(values) = req.values.as_ref().filter(|v| !v.is_empty()) {
                expr = format!("{expr} [{}]", values.join(", "));
            }
            if j == 0 {
                w.line(2, &format!("Term {i}:\t{expr}"));
            } else {
                w.line(2, &format!("\t{expr}"));
            }
        }
    }
}
