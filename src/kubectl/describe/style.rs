//! Every byte-visible difference between kubectl versions in `describe`, as data.
//!
//! The describers never compare version numbers: they ask the style. All rows are set
//! in [`DescribeStyle::for_minor`], each with the kubectl release that introduced it
//! (checked against the `kubernetes/kubectl` history), so adding 1.15, 1.22 or 1.30 is
//! a matter of where a threshold falls, not of new code paths.

use crate::profile::Profile;

/// How `DescribeEvents` turns an event's timestamps into its Age cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventAge {
    /// ≤ 1.18: `age(lastTimestamp) (xN over age(firstTimestamp))` when count > 1, else
    /// `age(firstTimestamp)`; events.k8s.io events have no firstTimestamp and print
    /// `<unknown>`.
    FirstTimestamp,
    /// 1.19–1.22: as above, but a zero firstTimestamp falls back to `eventTime`.
    EventTimeFallback,
    /// 1.23+: the first-seen age is `eventTime` (else firstTimestamp), and an event
    /// series prints `age(lastObservedTime) (xN over first)`.
    SeriesAware,
}

/// How the From cell names the event's reporter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventFrom {
    /// ≤ 1.19: `source.component`, then `, <host>` when the source has a host
    /// (`kubelet, worker1`).
    ComponentAndHost,
    /// 1.20+: `source.component`, or `reportingController` when that is empty.
    ComponentOrController,
}

/// How the projected volume's configMap/secret `optional` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProjectedOptional {
    /// ≤ 1.32: the `*bool` is printed with `%v`: `ConfigMapOptional:\t<nil>` /
    /// `SecretOptionalName:\t<nil>`. A set pointer printed its address in Go; we print
    /// the value instead, since an address cannot be reproduced.
    Pointer,
    /// 1.33+: `Optional:\tfalse` (unset reads as false).
    Value,
}

/// The layout rules of one kubectl minor version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DescribeStyle {
    /// `kubectl.kubernetes.io/last-applied-configuration` is left out of Annotations
    /// (1.18+); before, it is printed like any long annotation.
    pub hide_last_applied: bool,
    /// ConfigMaps print a `BinaryData` section and a blank line after it (1.22+).
    pub config_map_binary_data: bool,
    /// ConfigMaps print a blank line after each data value (1.31+, kubectl#1529).
    pub config_map_value_blank_line: bool,
    /// ESC and CR in any text print as `^[` and `\r` (1.26+).
    pub escape_terminal: bool,
    /// Tolerations with operator Exists print ` op=Exists` (1.19+).
    pub toleration_op_exists: bool,
    /// Pods print the `IPs:` block after `IP:` (1.16+, dual-stack); 1.15 has only `IP:`.
    pub pod_ips: bool,
    /// Pod `Runtime Class Name:` line when set (1.25+).
    pub pod_runtime_class: bool,
    /// Pod `Service Account:` line when set (1.25+).
    pub pod_service_account: bool,
    /// Pod and container `SeccompProfile:` lines when set (1.27+).
    pub seccomp_profile: bool,
    /// `Topology Spread Constraints:` on pods and pod templates (1.25+).
    pub topology_spread_constraints: bool,
    /// `Status: Terminating (lasts …)` also for pods already Succeeded or Failed
    /// (≤ 1.30; kubernetes#122038 changed it in 1.31).
    pub terminating_finished_pods: bool,
    pub projected_optional: ProjectedOptional,
    /// Pod templates end with `Node-Selectors:` and `Tolerations:` (1.30+).
    pub template_scheduling: bool,
    /// `describe daemonset` has a `Namespace:` line (1.33; not in 1.27–1.32).
    pub daemonset_namespace: bool,
    pub event_age: EventAge,
    pub event_from: EventFrom,
    /// Components whose events are written through the events.k8s.io API, so their
    /// core/v1 view has only `eventTime` (plus a series when repeated), an empty
    /// `source` and a `reportingController`. kubectl sorts them before all others (their
    /// lastTimestamp is zero). This is the cluster's doing, not kubectl's, but it only
    /// shows in these printers: the scheduler since 1.16 (kubernetes#78447); kube-proxy's
    /// `Starting` event as in the 1.30 cluster the goldens come from (assumed from 1.20;
    /// a 1.17 kube-proxy still used the core/v1 recorder).
    pub events_api_reporters: &'static [&'static str],
    /// Header of the node's pod table age column: `AGE` (≤ 1.20) or `Age`.
    pub node_pods_age_header: &'static str,
    /// `Allocated resources` lists `hugepages-*` rows with percentages (1.18+); before,
    /// huge pages were neither listed there nor as extended resources.
    pub node_hugepages_allocated: bool,
    /// Node events recorded against the node's UID (node controller) are shown as well
    /// as those against its name (kubelet) (1.24+); before, only the latter.
    pub node_uid_events: bool,
    /// A node without a Lease prints `Lease:\tFailed to get lease: …` (1.19+); before,
    /// the `Lease:` block with `<unset>` values.
    pub missing_lease_error: bool,
    /// Services print `IP Family Policy:`, `IP Families:` and `IPs:` (dual-stack API,
    /// 1.20+).
    pub service_ip_families: bool,
    /// `describe svc` reads EndpointSlices (1.31+, seen in the goldens' requests):
    /// not-ready endpoints are listed too, and a Service whose slices hold no endpoint
    /// prints an empty `Endpoints:` value; before, the Endpoints object's ready
    /// addresses, `<none>` without subsets.
    pub service_endpoint_slices: bool,
    /// `Internal Traffic Policy:` line (1.31+, goldens).
    pub service_internal_traffic_policy: bool,
    /// Title of the pods using a claim in `describe pvc`: `Used By` from 1.20
    /// (`getPodsForPVC`), `Mounted By` before (`getMountPods`).
    pub pvc_pods_title: &'static str,
}

impl DescribeStyle {
    /// The style of kubectl 1.`minor`: the one table of describe version differences.
    pub fn for_minor(minor: u32) -> DescribeStyle {
        DescribeStyle {
            hide_last_applied: minor >= 18,
            config_map_binary_data: minor >= 22,
            config_map_value_blank_line: minor >= 31,
            escape_terminal: minor >= 26,
            toleration_op_exists: minor >= 19,
            pod_ips: minor >= 16,
            pod_runtime_class: minor >= 25,
            pod_service_account: minor >= 25,
            seccomp_profile: minor >= 27,
            topology_spread_constraints: minor >= 25,
            terminating_finished_pods: minor <= 30,
            projected_optional: if minor >= 33 {
                ProjectedOptional::Value
            } else {
                ProjectedOptional::Pointer
            },
            template_scheduling: minor >= 30,
            daemonset_namespace: minor >= 33,
            event_age: match minor {
                0..=18 => EventAge::FirstTimestamp,
                19..=22 => EventAge::EventTimeFallback,
                _ => EventAge::SeriesAware,
            },
            event_from: if minor >= 20 {
                EventFrom::ComponentOrController
            } else {
                EventFrom::ComponentAndHost
            },
            events_api_reporters: if minor >= 20 {
                &["default-scheduler", "kube-proxy"]
            } else {
                &["default-scheduler"]
            },
            node_pods_age_header: if minor >= 21 { "Age" } else { "AGE" },
            node_hugepages_allocated: minor >= 18,
            node_uid_events: minor >= 24,
            missing_lease_error: minor >= 19,
            service_ip_families: minor >= 20,
            service_endpoint_slices: minor >= 31,
            service_internal_traffic_policy: minor >= 31,
            pvc_pods_title: if minor >= 20 { "Used By" } else { "Mounted By" },
        }
    }

    pub fn for_profile(profile: &Profile) -> DescribeStyle {
        DescribeStyle::for_minor(profile.minor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn supported_versions_differ_where_kubectl_did() {
        let old = DescribeStyle::for_minor(17);
        let new = DescribeStyle::for_minor(33);
        assert!(!old.pod_service_account && new.pod_service_account);
        assert!(!old.template_scheduling && new.template_scheduling);
        assert_eq!(old.event_from, EventFrom::ComponentAndHost);
        assert_eq!(new.projected_optional, ProjectedOptional::Value);
        assert_eq!(DescribeStyle::for_minor(30).projected_optional, ProjectedOptional::Pointer);
        assert!(DescribeStyle::for_minor(30).template_scheduling);
        assert!(!DescribeStyle::for_minor(27).template_scheduling);
    }
}
