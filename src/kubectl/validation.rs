//! Unknown fields in manifests, reported the way the profile's kubectl and apiserver do:
//! client-side schema validation before 1.25 (`error validating data:
//! ValidationError(ReplicaSet.spec): unknown field "replica" in
//! io.k8s.api.apps.v1.ReplicaSetSpec`), server-side strict field validation from 1.25
//! (`strict decoding error: unknown field "spec.replica"`), `--validate=false` to skip.

use crate::api::Kind;
use crate::api::decode::{Segment, UnknownField, decode};
use crate::profile::Profile;
use crate::with_kind;

/// What `--validate` asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Validate {
    Strict,
    Warn,
    Ignore,
}

impl Validate {
    /// Parses the flag's value (`true`/`strict`, `warn`, `false`/`ignore`).
    pub fn parse(value: Option<&str>) -> Result<Validate, String> {
        match value.unwrap_or("strict") {
            "true" | "strict" | "True" | "TRUE" | "1" | "t" | "T" => Ok(Validate::Strict),
            "warn" => Ok(Validate::Warn),
            "false" | "ignore" | "False" | "FALSE" | "0" | "f" | "F" => Ok(Validate::Ignore),
            other => Err(format!(
                "error: invalid - validate option {other:?}; must be one of: strict (or true), warn, ignore (or false)"
            )),
        }
    }
}

/// The outcome of checking one manifest: warnings for stderr, or the error that stops it.
pub enum Verdict {
    Ok(Vec<String>),
    Rejected(String),
}

/// Checks a manifest's fields before it is sent (`file` names it in messages).
pub fn check(
    kind: Kind,
    value: &serde_json::Value,
    file: &str,
    profile: &Profile,
    validate: Validate,
) -> Verdict {
    if validate == Validate::Ignore {
        return Verdict::Ok(Vec::new());
    }
    // HPAs are decoded in the stored version, after the apiserver's conversion.
    let decoded = if kind == Kind::HorizontalPodAutoscaler {
        crate::api::admission::hpa_to_v2(value.clone())
    } else {
        value.clone()
    };
    let unknown: Vec<UnknownField> =
        with_kind!(kind, T => decode::<T>(decoded).map(|(_, u)| u).unwrap_or_default(), else Vec::new());
    if unknown.is_empty() {
        return Verdict::Ok(Vec::new());
    }
    let name = kind.info().name;
    if !profile.server_side_field_validation {
        let errors: Vec<String> = unknown.iter().map(|u| client_side_error(kind, u)).collect();
        let data = if errors.len() == 1 { errors[0].clone() } else { format!("[{}]", errors.join(", ")) };
        return Verdict::Rejected(format!(
            "error: error validating \"{file}\": error validating data: {data}; if you choose to ignore these errors, turn validation off with --validate=false"
        ));
    }
    let fields: Vec<String> = unknown.iter().map(|u| format!("unknown field \"{}\"", u.dotted())).collect();
    if validate == Validate::Warn {
        return Verdict::Ok(fields.iter().map(|f| format!("Warning: {f}")).collect());
    }
    let version = value.get("apiVersion").and_then(|v| v.as_str()).unwrap_or("");
    let version = version.rsplit('/').next().unwrap_or(version);
    Verdict::Rejected(format!(
        "Error from server (BadRequest): error when creating \"{file}\": {name} in version \"{version}\" cannot be handled as a {name}: strict decoding error: {}",
        fields.join(", ")
    ))
}

/// `ValidationError(ReplicaSet.spec.template.spec.containers[0]): unknown field "imagee" in io.k8s.api.core.v1.Container`
fn client_side_error(kind: Kind, field: &UnknownField) -> String {
    let (last, parent) = field.0.split_last().expect("an unknown field has a name");
    let name = match last {
        Segment::Field(f) => f.clone(),
        Segment::Index(i) => i.to_string(),
    };
    let mut path = kind.info().name.to_string();
    for seg in parent {
        match seg {
            Segment::Field(f) => {
                path.push('.');
                path.push_str(f);
            }
            Segment::Index(i) => path.push_str(&format!("[{i}]")),
        }
    }
    format!("ValidationError({path}): unknown field \"{name}\" in {}", schema_type(kind, parent))
}

/// The OpenAPI definition name of the object at `parent` (by its field name).
fn schema_type(kind: Kind, parent: &[Segment]) -> &'static str {
    let field = parent.iter().rev().find_map(|s| match s {
        Segment::Field(f) => Some(f.as_str()),
        Segment::Index(_) => None,
    });
    let depth = parent.len();
    match (field, depth) {
        (None, _) => match kind {
            Kind::ReplicaSet => "io.k8s.api.apps.v1.ReplicaSet",
            Kind::Deployment => "io.k8s.api.apps.v1.Deployment",
            Kind::ReplicationController => "io.k8s.api.core.v1.ReplicationController",
            Kind::Node => "io.k8s.api.core.v1.Node",
            Kind::Namespace => "io.k8s.api.core.v1.Namespace",
            _ => "io.k8s.api.core.v1.Pod",
        },
        (Some("spec"), 1) => match kind {
            Kind::ReplicaSet => "io.k8s.api.apps.v1.ReplicaSetSpec",
            Kind::Deployment => "io.k8s.api.apps.v1.DeploymentSpec",
            Kind::ReplicationController => "io.k8s.api.core.v1.ReplicationControllerSpec",
            Kind::Node => "io.k8s.api.core.v1.NodeSpec",
            Kind::Namespace => "io.k8s.api.core.v1.NamespaceSpec",
            _ => "io.k8s.api.core.v1.PodSpec",
        },
        (Some("spec"), _) => "io.k8s.api.core.v1.PodSpec",
        (Some("metadata"), _) => "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
        (Some("selector"), _) => "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector",
        (Some("matchExpressions"), _) => "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement",
        (Some("template"), _) => "io.k8s.api.core.v1.PodTemplateSpec",
        (Some("strategy"), 2) => "io.k8s.api.apps.v1.DeploymentStrategy",
        (Some("rollingUpdate"), 3) => "io.k8s.api.apps.v1.RollingUpdateDeployment",
        (Some("containers" | "initContainers"), _) => "io.k8s.api.core.v1.Container",
        (Some("ports"), _) => "io.k8s.api.core.v1.ContainerPort",
        (Some("env"), _) => "io.k8s.api.core.v1.EnvVar",
        (Some("resources"), _) => "io.k8s.api.core.v1.ResourceRequirements",
        (Some("livenessProbe" | "readinessProbe" | "startupProbe"), _) => "io.k8s.api.core.v1.Probe",
        (Some("httpGet"), _) => "io.k8s.api.core.v1.HTTPGetAction",
        (Some("exec"), _) => "io.k8s.api.core.v1.ExecAction",
        (Some("volumeMounts"), _) => "io.k8s.api.core.v1.VolumeMount",
        (Some("volumes"), _) => "io.k8s.api.core.v1.Volume",
        (Some("tolerations"), _) => "io.k8s.api.core.v1.Toleration",
        (Some("securityContext"), _) => "io.k8s.api.core.v1.PodSecurityContext",
        _ => "io.k8s.api.core.v1.PodSpec",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rs() -> serde_json::Value {
        serde_json::json!({"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "kubia"},
            "spec": {"replica": 3, "selector": {"matchLabels": {"app": "kubia"}},
                "template": {"metadata": {"labels": {"app": "kubia"}}, "spec": {"containers": [{"name": "c", "image": "x"}]}}}})
    }

    #[test]
    fn client_side_for_old_profiles() {
        let Verdict::Rejected(e) =
            check(Kind::ReplicaSet, &rs(), "rs.yaml", &Profile::for_minor(17), Validate::Strict)
        else {
            panic!("rejected")
        };
        assert_eq!(
            e,
            "error: error validating \"rs.yaml\": error validating data: ValidationError(ReplicaSet.spec): unknown field \"replica\" in io.k8s.api.apps.v1.ReplicaSetSpec; if you choose to ignore these errors, turn validation off with --validate=false"
        );
    }

    #[test]
    fn strict_decoding_for_new_profiles() {
        let Verdict::Rejected(e) =
            check(Kind::ReplicaSet, &rs(), "rs.yaml", &Profile::for_minor(33), Validate::Strict)
        else {
            panic!("rejected")
        };
        assert_eq!(
            e,
            "Error from server (BadRequest): error when creating \"rs.yaml\": ReplicaSet in version \"v1\" cannot be handled as a ReplicaSet: strict decoding error: unknown field \"spec.replica\""
        );
        assert!(matches!(
            check(Kind::ReplicaSet, &rs(), "rs.yaml", &Profile::for_minor(33), Validate::Ignore),
            Verdict::Ok(w) if w.is_empty()
        ));
    }
}
