//! `Volumes:` blocks (`describeVolumes`), shared by pods and pod templates.
//!
//! Each volume prints `Type:\t<Kind> (<explanation>)` and a few kind-specific lines. The
//! explanations are kubectl's fixed texts. Only the volume sources a simulated cluster
//! creates are rendered; any other source prints `<unknown>`, which is what kubectl
//! prints for sources it does not know either.

use k8s_openapi::api::core::v1::{ProjectedVolumeSource, Volume, VolumeProjection};

use super::quantity::Quantity;
use super::style::ProjectedOptional;
use super::writer::{Writer, shorten};

/// `describeVolumes`; `space` is `"  "` inside pod templates.
pub(crate) fn describe_volumes(w: &mut Writer, volumes: &[Volume], space: &str) {
    if volumes.is_empty() {
        w.field(0, &format!("{space}Volumes"), "<none>");
        return;
    }
    w.line(0, &format!("{space}Volumes:"));
    let name_indent = if space.is_empty() { "" } else { " " };
    for volume in volumes {
        w.line(1, &format!("{name_indent}{}:", volume.name));
        describe_source(w, volume);
    }
}

fn describe_source(w: &mut Writer, v: &Volume) {
    if let Some(host_path) = &v.host_path {
        w.field(2, "Type", "HostPath (bare host directory volume)");
        w.field(2, "Path", &host_path.path);
        w.field(2, "HostPathType", host_path.type_.as_deref().unwrap_or("<none>"));
    } else if let Some(empty_dir) = &v.empty_dir {
        w.field(2, "Type", "EmptyDir (a temporary directory that shares a pod's lifetime)");
        w.field(2, "Medium", empty_dir.medium.as_deref().unwrap_or(""));
        let limit =
            empty_dir.size_limit.as_ref().map(Quantity::of).filter(|q| q.cmp_amount(&Quantity::ZERO).is_gt());
        w.field(2, "SizeLimit", limit.map_or("<unset>".to_string(), |q| q.to_string()));
    } else if let Some(secret) = &v.secret {
        w.field(2, "Type", "Secret (a volume populated by a Secret)");
        w.field(2, "SecretName", secret.secret_name.as_deref().unwrap_or(""));
        w.field(2, "Optional", secret.optional.unwrap_or(false));
    } else if let Some(cm) = &v.config_map {
        w.field(2, "Type", "ConfigMap (a volume populated by a ConfigMap)");
        w.field(2, "Name", &cm.name);
        w.field(2, "Optional", cm.optional.unwrap_or(false));
    } else if let Some(nfs) = &v.nfs {
        w.field(2, "Type", "NFS (an NFS mount that lasts the lifetime of a pod)");
        w.field(2, "Server", &nfs.server);
        w.field(2, "Path", &nfs.path);
        w.field(2, "ReadOnly", nfs.read_only.unwrap_or(false));
    } else if let Some(pvc) = &v.persistent_volume_claim {
        w.field(
            2,
            "Type",
            "PersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)",
        );
        w.field(2, "ClaimName", &pvc.claim_name);
        w.field(2, "ReadOnly", pvc.read_only.unwrap_or(false));
    } else if let Some(downward) = &v.downward_api {
        w.field(2, "Type", "DownwardAPI (a volume populated by information about the pod)");
        w.line(2, "Items:");
        for item in downward.items.iter().flatten() {
            if let Some(field) = &item.field_ref {
                w.line(3, &format!("{} -> {}", field.field_path, item.path));
            }
            if let Some(res) = &item.resource_field_ref {
                w.line(3, &format!("{} -> {}", res.resource, item.path));
            }
        }
    } else if let Some(projected) = &v.projected {
        describe_projected(w, projected);
    } else if let Some(csi) = &v.csi {
        w.field(2, "Type", "CSI (a Container Storage Interface (CSI) volume source)");
        w.field(2, "Driver", &csi.driver);
        w.field(2, "FSType", csi.fs_type.as_deref().unwrap_or(""));
        w.field(2, "ReadOnly", csi.read_only.unwrap_or(false));
        csi_attributes(w, csi.volume_attributes.as_ref());
    } else {
        w.line(1, "<unknown>");
    }
}

fn describe_projected(w: &mut Writer, projected: &ProjectedVolumeSource) {
    w.field(2, "Type", "Projected (a volume that contains injected data from multiple sources)");
    let style = w.style().projected_optional;
    for source in projected.sources.iter().flatten() {
        projection(w, source, style);
    }
}

fn projection(w: &mut Writer, source: &VolumeProjection, style: ProjectedOptional) {
    // `%v` of a `*bool`: `<nil>` when unset (a set pointer printed its address).
    let pointer = |b: Option<bool>| b.map_or("<nil>".to_string(), |b| b.to_string());
    if let Some(secret) = &source.secret {
        w.field(2, "SecretName", secret.name.as_str());
        match style {
            ProjectedOptional::Pointer => w.field(2, "SecretOptionalName", pointer(secret.optional)),
            ProjectedOptional::Value => w.field(2, "Optional", secret.optional.unwrap_or(false)),
        }
    } else if source.downward_api.is_some() {
        w.field(2, "DownwardAPI", "true");
    } else if let Some(cm) = &source.config_map {
        w.field(2, "ConfigMapName", cm.name.as_str());
        match style {
            ProjectedOptional::Pointer => w.field(2, "ConfigMapOptional", pointer(cm.optional)),
            ProjectedOptional::Value => w.field(2, "Optional", cm.optional.unwrap_or(false)),
        }
    } else if let Some(token) = &source.service_account_token {
        w.field(2, "TokenExpirationSeconds", token.expiration_seconds.unwrap_or(0));
    }
}

/// `VolumeAttributes:` of a CSI volume; Go writes the level-2 indent twice before each
/// continuation line, so those lines carry four extra spaces before their tab.
fn csi_attributes(w: &mut Writer, attributes: Option<&std::collections::BTreeMap<String, String>>) {
    w.write(2, "VolumeAttributes:\t");
    let attributes = attributes.filter(|a| !a.is_empty());
    let Some(attributes) = attributes else {
        w.line(0, "<none>");
        return;
    };
    for (i, (k, v)) in attributes.iter().enumerate() {
        if i > 0 {
            w.write(2, "");
            w.write(2, "\t");
        }
        let line = format!("{k}={v}");
        if line.len() > 140 {
            w.line(2, &shorten(&line, 140));
        } else {
            w.line(2, &line);
        }
    }
}
