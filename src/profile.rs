//! Version profiles: what a given Kubernetes minor version serves, defaults and prints.
//!
//! One value, passed explicitly, never a global. Every difference between versions that
//! reaches a user's eyes is a named field here, set from one table in
//! [`Profile::for_minor`], so the rest of the code asks "does this server do X?" and never
//! compares version numbers itself.

use std::fmt;

/// The minor versions kubesim can simulate, newest first.
pub const SUPPORTED: &[u32] = &[33, 22, 21, 17, 15];

/// How the pod table's RESTARTS cell shows the last restart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RestartsStyle {
    /// `3` (≤ 1.21).
    Plain,
    /// `3 (5m ago)` whenever a last-termination time exists, even for 0 (1.22–1.27).
    AgoWhenDated,
    /// `3 (5m ago)` only when the count is not 0 (1.28+).
    AgoWhenRestarted,
}

#[derive(Clone, Debug)]
pub struct Profile {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
    /// `--cascade=true|false` prints a deprecation warning (string values arrived in 1.20).
    pub cascade_bool_warns: bool,
    pub restarts_style: RestartsStyle,
    /// `Terminating` is also shown for pods that already finished (changed in 1.31).
    pub terminating_for_finished_pods: bool,
    /// Removing a label prints `unlabeled` (1.23+) instead of `labeled`.
    pub label_prints_unlabeled: bool,
    /// Setting a label to its current value without `--overwrite` is not a conflict (1.25+).
    pub label_same_value_ok: bool,
    /// Prefix of kubectl's own warnings on stderr: `warning: ` before 1.27, `Warning: ` after.
    pub warning_prefix: &'static str,
    /// Service account tokens are projected `kube-api-access-xxxxx` volumes (1.21+);
    /// before, a `default-token-xxxxx` secret volume.
    pub projected_service_account_token: bool,
    /// Pods get the `PodReadyToStartContainers` condition (1.29+).
    pub pod_ready_to_start_condition: bool,
    /// The kubelet's `Pulled` message gives the pull time (1.26+ also "including waiting").
    pub pulled_message: PulledMessage,
    /// The role label kubeadm/minikube put on control-plane nodes.
    pub control_plane_role: &'static str,
    /// `kubectl logs` missing pod error says the namespace (1.30+), as a wrapped error:
    /// `error: error from server (NotFound): pods "x" not found in namespace "default"`.
    pub logs_not_found_namespace: bool,
    /// The container runtime nodes run: `docker` (minikube/kubeadm before 1.24) or
    /// `containerd`; it shows in container IDs, image IDs and node info.
    pub container_runtime: &'static str,
    pub container_runtime_version: &'static str,
    /// The kubelet's `Pulled` message ends with `Image size: N bytes.` (1.30+).
    pub pulled_image_size: bool,
    /// The kubelet's `BackOff` message names container and pod (1.22+?).
    pub backoff_message_names_container: bool,
    /// A manifest of an unserved kind/version fails with `resource mapping not found for
    /// name: …` and `ensure CRDs are installed first` (newer kubectl) instead of
    /// `unable to recognize "file": no matches for kind …`.
    pub resource_mapping_error: bool,
    /// Unknown manifest fields are rejected by the apiserver's strict field validation
    /// (kubectl `--validate=strict`, 1.25+) rather than by kubectl's schema check.
    pub server_side_field_validation: bool,
    /// Pod status carries `hostIPs` (1.28+).
    pub pod_host_ips: bool,
    /// How the deployment controller words its `ScalingReplicaSet` events.
    pub scaling_message: ScalingMessage,
    /// `--record` prints `Flag --record has been deprecated, …` on stderr (1.22+,
    /// kubernetes#102873).
    pub record_flag_deprecated: bool,
    /// `rollout undo` on a paused Deployment names it in the hint
    /// (`'kubectl rollout resume deployment/web'`) (≤ 1.25; kubectl 98416d7c8 dropped it).
    pub undo_paused_names_deployment: bool,
    /// `kubectl create` without `-f`: `Some(help)` prints `Error: must specify one of -f and
    /// -k`, a blank line and the command's help text (≤ 1.30, cobra's default sub-command
    /// run); `None` prints only `error: must specify one of -f and -k` (1.31+).
    pub create_without_file_help: Option<&'static str>,
    /// How `-o jsonpath` prints and runs ranges (client-go `util/jsonpath`).
    pub jsonpath: JsonPathDialect,
    /// How the apiserver words `-l` selector syntax errors.
    pub selector_errors: SelectorErrors,
    /// What `kubectl scale` prints when none of the named objects could be read.
    pub scale_nothing_found: ScaleNothingFound,
    /// `get` with nothing to show says `No resources found in default namespace.` (1.17+,
    /// seed 003) rather than `No resources found.` (seed 000, 1.15).
    pub no_resources_names_namespace: bool,
    /// API group/versions served for each kind, first = preferred.
    pub served: &'static [(&'static str, &'static [&'static str])],
}

/// The text of the deployment controller's `ScalingReplicaSet` events
/// (`pkg/controller/deployment/sync.go`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalingMessage {
    /// `Scaled up replica set web-5d8c9f7b6c to 3` (before kubernetes#101142).
    To,
    /// `Scaled down replica set web-5d8c9f7b6c to 1 from 3`; a new ReplicaSet is still
    /// `Scaled up replica set web-6b7f4d9c85 to 1` (kubernetes#101142, in 1.28; the
    /// release that first shipped it is not pinned, 1.23 is assumed).
    ToFrom,
    /// `Scaled down replica set web-5d8c9f7b6c from 3 to 1`, and `from 0 to 1` for a new
    /// ReplicaSet (kubernetes#125118, 1.32+).
    FromTo,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PulledMessage {
    /// `Successfully pulled image "x"` (≤ 1.20).
    Plain,
    /// `Successfully pulled image "x" in 1.2s` (1.21–1.25).
    WithTime,
    /// `Successfully pulled image "x" in 1.2s (1.2s including waiting)` (1.26+).
    WithTimeAndWaiting,
}

/// `kubectl scale` when no named object exists (kubectl `pkg/cmd/scale/scale.go`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScaleNothingFound {
    /// The errors themselves, one `Error from server (NotFound): …` line each (≤ 1.26:
    /// the builder's visit error is returned as is).
    ServerErrors,
    /// `error: no objects passed to scale`, the errors dropped (1.27–1.31, since
    /// "kubectl scale: Use visitor only once").
    NoObjects,
    /// `error: no objects passed to scale <errors>`: the errors wrapped with `%w`, so
    /// kubectl prints their plain text, an aggregate as `[a, b]` (1.32+, "return resource
    /// builder error in scale cmd").
    NoObjectsWithErrors,
}

/// The version differences of kubectl's JSONPath engine (client-go `util/jsonpath`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JsonPathDialect {
    /// Maps and lists print as JSON (1.19+); before, as Go's `fmt` does (`map[k:v]`).
    pub composite_as_json: bool,
    /// What a JSON null prints: `null` (1.29+), `<nil>` before.
    pub null: &'static str,
    /// `{range}` resumes after its `{end}`, also when it had nothing to iterate (1.19+);
    /// before, an empty range ended the template and only the last run went past `{end}`.
    pub range_resumes_after_end: bool,
}

/// How the apiserver words label selector errors (apimachinery `labels/selector.go`,
/// `util/validation`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SelectorErrors {
    /// What a bad operator should have been: `'=', '!=', '==', 'in', notin'` (≤ 1.21),
    /// `in, notin, =, ==, !=, gt, lt` (1.22+).
    pub expected_operators: &'static str,
    /// Key and value errors are field errors, all of a requirement's at once
    /// (`<nil>: Invalid value: "K": …`, 1.21+), rather than the first as
    /// `invalid label key "K": …`.
    pub field_errors: bool,
    /// The DNS rule in key prefix errors: `a lowercase RFC 1123 subdomain` (1.20+),
    /// `a DNS-1123 subdomain` before.
    pub subdomain: &'static str,
}

/// `kubectl create --help` texts. 1.17: rebuilt from its source (`pkg/cmd/create`,
/// `pkg/util/templates`, cli-runtime print flags at release-1.17); 1.27 and 1.28 (equal to
/// 1.29 and 1.30): printed by the real binaries.
const CREATE_HELP_1_17: &str = include_str!("kubectl/cmd/help/create-1.17.txt");
const CREATE_HELP_1_27: &str = include_str!("kubectl/cmd/help/create-1.27.txt");
const CREATE_HELP_1_28: &str = include_str!("kubectl/cmd/help/create-1.28.txt");

/// What each version serves, per kind, the version kubectl prefers first. 1.15 still
/// serves `extensions/v1beta1` Deployments, ReplicaSets and DaemonSets, and kubectl 1.15
/// resolves typed names (`kubectl delete deployment x`) to that group first.
const SERVED_1_15: &[(&str, &[&str])] = &[
    ("Pod", &["v1"]),
    ("Node", &["v1"]),
    ("Namespace", &["v1"]),
    ("Event", &["v1"]),
    ("ReplicationController", &["v1"]),
    ("Service", &["v1"]),
    ("Endpoints", &["v1"]),
    ("PersistentVolumeClaim", &["v1"]),
    ("PersistentVolume", &["v1"]),
    ("ReplicaSet", &["extensions/v1beta1", "apps/v1", "apps/v1beta2"]),
    ("Deployment", &["extensions/v1beta1", "apps/v1", "apps/v1beta1", "apps/v1beta2"]),
    ("DaemonSet", &["extensions/v1beta1", "apps/v1", "apps/v1beta2"]),
    ("StatefulSet", &["apps/v1", "apps/v1beta1", "apps/v1beta2"]),
    ("ControllerRevision", &["apps/v1", "apps/v1beta1", "apps/v1beta2"]),
    ("Job", &["batch/v1"]),
    ("CronJob", &["batch/v1beta1"]),
    ("HorizontalPodAutoscaler", &["autoscaling/v1", "autoscaling/v2beta1", "autoscaling/v2beta2"]),
];

/// 1.16 removed the `extensions` and `apps/v1beta*` workload versions.
const SERVED_1_17: &[(&str, &[&str])] = &[
    ("Pod", &["v1"]),
    ("Node", &["v1"]),
    ("Namespace", &["v1"]),
    ("Event", &["v1"]),
    ("ReplicationController", &["v1"]),
    ("Service", &["v1"]),
    ("Endpoints", &["v1"]),
    ("PersistentVolumeClaim", &["v1"]),
    ("PersistentVolume", &["v1"]),
    ("ReplicaSet", &["apps/v1"]),
    ("Deployment", &["apps/v1"]),
    ("DaemonSet", &["apps/v1"]),
    ("StatefulSet", &["apps/v1"]),
    ("ControllerRevision", &["apps/v1"]),
    ("Job", &["batch/v1"]),
    ("CronJob", &["batch/v1beta1"]),
    ("HorizontalPodAutoscaler", &["autoscaling/v1", "autoscaling/v2beta1", "autoscaling/v2beta2"]),
];

/// CronJob went GA in 1.21 (`batch/v1beta1` still served until 1.25).
const SERVED_1_21: &[(&str, &[&str])] = &[
    ("Pod", &["v1"]),
    ("Node", &["v1"]),
    ("Namespace", &["v1"]),
    ("Event", &["v1"]),
    ("ReplicationController", &["v1"]),
    ("Service", &["v1"]),
    ("Endpoints", &["v1"]),
    ("PersistentVolumeClaim", &["v1"]),
    ("PersistentVolume", &["v1"]),
    ("ReplicaSet", &["apps/v1"]),
    ("Deployment", &["apps/v1"]),
    ("DaemonSet", &["apps/v1"]),
    ("StatefulSet", &["apps/v1"]),
    ("ControllerRevision", &["apps/v1"]),
    ("Job", &["batch/v1"]),
    ("CronJob", &["batch/v1", "batch/v1beta1"]),
    ("HorizontalPodAutoscaler", &["autoscaling/v1", "autoscaling/v2beta1", "autoscaling/v2beta2"]),
];

/// `autoscaling/v2` arrived in 1.23; the beta versions are gone by 1.26.
const SERVED_1_33: &[(&str, &[&str])] = &[
    ("Pod", &["v1"]),
    ("Node", &["v1"]),
    ("Namespace", &["v1"]),
    ("Event", &["v1"]),
    ("ReplicationController", &["v1"]),
    ("Service", &["v1"]),
    ("Endpoints", &["v1"]),
    ("PersistentVolumeClaim", &["v1"]),
    ("PersistentVolume", &["v1"]),
    ("ReplicaSet", &["apps/v1"]),
    ("Deployment", &["apps/v1"]),
    ("DaemonSet", &["apps/v1"]),
    ("StatefulSet", &["apps/v1"]),
    ("ControllerRevision", &["apps/v1"]),
    ("Job", &["batch/v1"]),
    ("CronJob", &["batch/v1"]),
    ("HorizontalPodAutoscaler", &["autoscaling/v2", "autoscaling/v1"]),
];

impl Profile {
    /// Parses a scenario's `kubernetes:` value: `"1.33"` or `"1.22.2"`.
    pub fn parse(text: &str) -> Result<Profile, String> {
        let unsupported = || {
            let list: Vec<String> = SUPPORTED.iter().map(|m| format!("1.{m}")).collect();
            format!("unsupported Kubernetes version {text:?} (supported: {})", list.join(", "))
        };
        let parts: Vec<&str> = text.trim().trim_start_matches('v').split('.').collect();
        if parts.len() < 2 || parts.len() > 3 {
            return Err(unsupported());
        }
        let num = |s: &str| s.parse::<u32>().map_err(|_| unsupported());
        let major = num(parts[0])?;
        let minor = num(parts[1])?;
        let patch = if parts.len() == 3 { num(parts[2])? } else { 0 };
        if major != 1 || !SUPPORTED.contains(&minor) {
            return Err(unsupported());
        }
        let mut profile = Profile::for_minor(minor);
        profile.patch = patch;
        Ok(profile)
    }

    /// The table of version differences.
    pub fn for_minor(minor: u32) -> Profile {
        Profile {
            major: 1,
            minor,
            patch: 0,
            cascade_bool_warns: minor >= 20,
            restarts_style: match minor {
                0..=21 => RestartsStyle::Plain,
                22..=27 => RestartsStyle::AgoWhenDated,
                _ => RestartsStyle::AgoWhenRestarted,
            },
            terminating_for_finished_pods: minor < 31,
            label_prints_unlabeled: minor >= 23,
            label_same_value_ok: minor >= 25,
            warning_prefix: if minor >= 27 { "Warning: " } else { "warning: " },
            projected_service_account_token: minor >= 21,
            pod_ready_to_start_condition: minor >= 29,
            pulled_message: match minor {
                0..=20 => PulledMessage::Plain,
                21..=25 => PulledMessage::WithTime,
                _ => PulledMessage::WithTimeAndWaiting,
            },
            control_plane_role: if minor >= 24 { "control-plane" } else { "master" },
            logs_not_found_namespace: minor >= 30,
            container_runtime: if minor >= 24 { "containerd" } else { "docker" },
            container_runtime_version: match minor {
                0..=17 => "docker://19.3.6",
                18..=23 => "docker://20.10.8",
                _ => "containerd://1.7.18",
            },
            pulled_image_size: minor >= 30,
            backoff_message_names_container: minor >= 22,
            resource_mapping_error: minor >= 24,
            server_side_field_validation: minor >= 25,
            pod_host_ips: minor >= 28,
            scaling_message: match minor {
                0..=22 => ScalingMessage::To,
                23..=31 => ScalingMessage::ToFrom,
                _ => ScalingMessage::FromTo,
            },
            record_flag_deprecated: minor >= 22,
            undo_paused_names_deployment: minor < 26,
            // 1.18–1.26 are not checked; they get the nearest checked text.
            create_without_file_help: match minor {
                0..=17 => Some(CREATE_HELP_1_17),
                18..=27 => Some(CREATE_HELP_1_27),
                28..=30 => Some(CREATE_HELP_1_28),
                _ => None,
            },
            jsonpath: JsonPathDialect {
                composite_as_json: minor >= 19,
                null: if minor >= 29 { "null" } else { "<nil>" },
                range_resumes_after_end: minor >= 19,
            },
            selector_errors: SelectorErrors {
                expected_operators: if minor >= 22 {
                    "in, notin, =, ==, !=, gt, lt"
                } else {
                    "'=', '!=', '==', 'in', notin'"
                },
                field_errors: minor >= 21,
                subdomain: if minor >= 20 {
                    "a lowercase RFC 1123 subdomain"
                } else {
                    "a DNS-1123 subdomain"
                },
            },
            scale_nothing_found: match minor {
                0..=26 => ScaleNothingFound::ServerErrors,
                27..=31 => ScaleNothingFound::NoObjects,
                _ => ScaleNothingFound::NoObjectsWithErrors,
            },
            no_resources_names_namespace: minor >= 17,
            served: match minor {
                0..=15 => SERVED_1_15,
                16..=20 => SERVED_1_17,
                21..=22 => SERVED_1_21,
                _ => SERVED_1_33,
            },
        }
    }

    /// What nodes report as VERSION: `v1.22.2`, or `v1.33.0` without a patch.
    pub fn git_version(&self) -> String {
        format!("v{}.{}.{}", self.major, self.minor, self.patch)
    }

    /// The apiVersions this server serves for a kind, preferred first (empty: not served).
    pub fn versions_of(&self, kind: &str) -> &'static [&'static str] {
        self.served.iter().find(|(k, _)| *k == kind).map(|(_, v)| *v).unwrap_or(&[])
    }

    pub fn serves(&self, api_version: &str, kind: &str) -> bool {
        self.versions_of(kind).contains(&api_version)
    }
}

impl Default for Profile {
    fn default() -> Self {
        Profile::for_minor(33)
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_versions() {
        assert_eq!(Profile::parse("1.33").unwrap().git_version(), "v1.33.0");
        assert_eq!(Profile::parse("1.17.3").unwrap().git_version(), "v1.17.3");
        let err = Profile::parse("1.99").unwrap_err();
        assert!(err.contains("supported: 1.33, 1.22, 1.21, 1.17, 1.15"), "{err}");
        assert!(Profile::parse("banana").is_err());
    }

    #[test]
    fn scale_nothing_found_by_version() {
        // Checked with the real kubectl 1.27–1.33 binaries; 1.17 from its source.
        let at = |minor| Profile::for_minor(minor).scale_nothing_found;
        assert_eq!(at(17), ScaleNothingFound::ServerErrors);
        assert_eq!(at(26), ScaleNothingFound::ServerErrors);
        assert_eq!(at(27), ScaleNothingFound::NoObjects);
        assert_eq!(at(31), ScaleNothingFound::NoObjects);
        assert_eq!(at(32), ScaleNothingFound::NoObjectsWithErrors);
        assert_eq!(at(33), ScaleNothingFound::NoObjectsWithErrors);
    }
}
