//! Every timing constant and default of the simulation, with where it comes from in the
//! Kubernetes source. Nothing else in the crate spells these numbers.

use crate::time::{MINUTE, Millis, SECOND};

// ----- apiserver ---------------------------------------------------------------------

/// `generateName` bases are cut to 63 − 5 characters
/// (`apiserver/pkg/storage/names/generate.go`, `maxGeneratedNameLength`).
pub const MAX_GENERATED_NAME_PREFIX: usize = 58;

/// `DefaultTerminationGracePeriodSeconds` (`pkg/apis/core/v1/defaults.go`).
pub const DEFAULT_TERMINATION_GRACE_SECONDS: i64 = 30;

/// `--default-not-ready-toleration-seconds` / `--default-unreachable-toleration-seconds`
/// (`plugin/pkg/admission/defaulttolerationseconds`).
pub const DEFAULT_TOLERATION_SECONDS: i64 = 300;

// ----- events (client-go `tools/record/events_cache.go`) ------------------------------

/// Per (source, object) token bucket: burst 25 …
pub const EVENT_SPAM_BURST: f64 = 25.0;
/// … refilled one token every 5 minutes (`defaultSpamQPS = 1/300`).
pub const EVENT_SPAM_REFILL_MS: Millis = 5 * MINUTE;

// ----- controllers -------------------------------------------------------------------

/// ReplicaSet controller creates or deletes at most this many pods per sync
/// (`pkg/controller/replicaset/replica_set.go`, `BurstReplicas`).
pub const REPLICASET_BURST: usize = 500;

/// Job controller: at most this many pods created or deleted per sync
/// (`pkg/controller/job/job_controller.go`, `MaxPodCreateDeletePerSync`).
pub const JOB_MAX_PODS_PER_SYNC: usize = 500;
/// Default `spec.backoffLimit` (`pkg/apis/batch/v1/defaults.go`).
pub const JOB_DEFAULT_BACKOFF_LIMIT: i32 = 6;
/// Pod-failure back-off of the Job controller: 10 s doubling (`DefaultJobBackOff`, later
/// `DefaultJobPodFailureBackOff`), capped at 6 min through 1.27 (`MaxJobBackOff`) and at
/// 10 min from 1.28 (`MaxJobPodFailureBackOff`, kubernetes#118615).
pub const JOB_BACKOFF_INITIAL: Millis = 10 * SECOND;
pub const JOB_BACKOFF_MAX_QUEUE: Millis = 6 * MINUTE;
pub const JOB_BACKOFF_MAX_RECORDS: Millis = 10 * MINUTE;

// ----- kubelet -----------------------------------------------------------------------

/// Container restart back-off: 10 s doubling to 300 s (`pkg/kubelet/kubelet.go`,
/// `MaxContainerBackOff`), reset after a container ran 2 × max without trouble.
pub const CONTAINER_BACKOFF_INITIAL: Millis = 10 * SECOND;
pub const CONTAINER_BACKOFF_MAX: Millis = 300 * SECOND;
pub const CONTAINER_BACKOFF_RESET: Millis = 600 * SECOND;

/// Image pull back-off uses the same flowcontrol back-off: 10 s doubling to 300 s
/// (`pkg/kubelet/images/image_manager.go` via `kubelet.go` `imageBackOff`).
pub const IMAGE_BACKOFF_INITIAL: Millis = 10 * SECOND;
pub const IMAGE_BACKOFF_MAX: Millis = 300 * SECOND;
/// A pod whose sync failed (a container config naming a missing ConfigMap or Secret) is
/// synced again after the pod worker's back-off: `backOffPeriod` 10 s (`kubelet.go`),
/// jittered by up to 50 % there (`workerBackOffPeriodJitterFactor`); kubesim takes no
/// jitter.
pub const POD_WORKER_BACKOFF: Millis = 10 * SECOND;

/// The runtime gets at least 2 s to stop a container (`minimumGracePeriodInSeconds`,
/// `pkg/kubelet/kuberuntime/kuberuntime_container.go`).
pub const MIN_KILL_GRACE: Millis = 2 * SECOND;

/// Probe defaults (`pkg/apis/core/v1/defaults.go`).
pub const PROBE_PERIOD_SECONDS: i32 = 10;
pub const PROBE_FAILURE_THRESHOLD: i32 = 3;
pub const PROBE_TIMEOUT_SECONDS: i32 = 1;
pub const PROBE_SUCCESS_THRESHOLD: i32 = 1;

// ----- simulated images (scenario-format.md, "Simulated images") ----------------------

/// Time in ContainerCreating for an image pull when the scenario does not say.
pub const DEFAULT_PULL: Millis = SECOND;

// ----- node lifecycle (`pkg/controller/nodelifecycle`) -------------------------------

/// `--node-monitor-grace-period`: 40 s (50 s from 1.32).
pub const NODE_MONITOR_GRACE_MS: Millis = 40 * SECOND;
/// `--node-monitor-period`.
pub const NODE_MONITOR_PERIOD_MS: Millis = 5 * SECOND;
/// The kubelet posts its node status when it changes, and at least every
/// `nodeStatusReportFrequency` (5 min, `pkg/kubelet/apis/config/v1beta1/defaults.go`,
/// since node leases carry the heartbeat): the conditions' `lastHeartbeatTime`.
pub const NODE_STATUS_REPORT_MS: Millis = 5 * MINUTE;
/// Kubelet `nodeStatusUpdateFrequency` / lease renewal.
pub const NODE_HEARTBEAT_MS: Millis = 10 * SECOND;
/// The kubelet's node Lease (`kube-node-lease/<node>`): `NodeLeaseDurationSeconds` 40
/// (`pkg/kubelet/apis/config/v1beta1/defaults.go`), renewed every 40 s × 0.25 = 10 s
/// (`pkg/kubelet/kubelet.go`, `nodeLeaseRenewIntervalFraction`), first when the kubelet
/// starts. The lease controller's 4 % jitter
/// (`component-helpers/apimachinery/lease/controller.go`) is left out.
pub const NODE_LEASE_DURATION_SECONDS: i32 = 40;
pub const NODE_LEASE_RENEW_INTERVAL_MS: Millis = 10 * SECOND;

/// PodGC runs every 20 s and force-deletes pods whose node vanished at least 40 s ago
/// (`pkg/controller/podgc/gc_controller.go`: `gcCheckPeriod`, `quarantineTime`).
pub const POD_GC_PERIOD_MS: Millis = 20 * SECOND;
pub const POD_GC_QUARANTINE_MS: Millis = 40 * SECOND;

// ----- cluster shape -----------------------------------------------------------------

/// What a simulated node offers when the scenario gives no capacity (a kind/minikube
/// default node: `pods: 110` is the kubelet's `--max-pods` default).
pub const NODE_CPU: &str = "2";
pub const NODE_MEMORY: &str = "8Gi";
pub const NODE_PODS: &str = "110";

/// The scheduler's default requests for containers that request nothing
/// (`pkg/scheduler/util/pod_resources.go`: 100m CPU, 200 MB memory).
pub const DEFAULT_MILLI_CPU_REQUEST: i64 = 100;
pub const DEFAULT_MEMORY_REQUEST: i64 = 200 * 1024 * 1024;

// ----- deployments (`pkg/apis/apps/v1/defaults.go`, `pkg/controller/deployment`) -----

/// What the apiserver fills into a Deployment, per API group/version
/// (`SetDefaults_Deployment` in `pkg/apis/{apps/v1,apps/v1beta1,extensions/v1beta1}`).
#[derive(Clone, Copy, Debug)]
pub struct DeploymentDefaults {
    pub max_unavailable: DefaultIntOrPercent,
    pub max_surge: DefaultIntOrPercent,
    pub revision_history_limit: i32,
    /// `i32::MAX` means "no deadline" (no Progressing condition).
    pub progress_deadline_seconds: i32,
    /// Selector and object labels default to the template's labels.
    pub selector_from_template: bool,
}

#[derive(Clone, Copy, Debug)]
pub enum DefaultIntOrPercent {
    Int(i32),
    Percent(&'static str),
}

/// apps/v1 (and v1beta2): 25%/25%, 10 old ReplicaSets kept, a 600 s progress deadline,
/// the selector required.
pub const DEPLOYMENT_DEFAULTS_APPS_V1: DeploymentDefaults = DeploymentDefaults {
    max_unavailable: DefaultIntOrPercent::Percent("25%"),
    max_surge: DefaultIntOrPercent::Percent("25%"),
    revision_history_limit: 10,
    progress_deadline_seconds: 600,
    selector_from_template: false,
};

/// extensions/v1beta1 (served until 1.15): 1/1, every old ReplicaSet kept and no
/// progress deadline (both MaxInt32), selector and labels from the template.
pub const DEPLOYMENT_DEFAULTS_EXTENSIONS_V1BETA1: DeploymentDefaults = DeploymentDefaults {
    max_unavailable: DefaultIntOrPercent::Int(1),
    max_surge: DefaultIntOrPercent::Int(1),
    revision_history_limit: i32::MAX,
    progress_deadline_seconds: i32::MAX,
    selector_from_template: true,
};

/// apps/v1beta1 (served until 1.15, `pkg/apis/apps/v1beta1/defaults.go`): 25%/25%, two
/// old ReplicaSets kept, a 600 s progress deadline, selector and labels from the template.
pub const DEPLOYMENT_DEFAULTS_APPS_V1BETA1: DeploymentDefaults = DeploymentDefaults {
    max_unavailable: DefaultIntOrPercent::Percent("25%"),
    max_surge: DefaultIntOrPercent::Percent("25%"),
    revision_history_limit: 2,
    progress_deadline_seconds: 600,
    selector_from_template: true,
};

/// A Deployment whose sync keeps failing is dropped after this many rate-limited
/// retries, until its next change (`deployment_controller.go`, `maxRetries`).
pub const DEPLOYMENT_MAX_RETRIES: u32 = 15;

/// Work-queue retries (`workqueue.DefaultControllerRateLimiter`): 5 ms doubling per
/// failure of the same key, capped at 1000 s.
pub const RETRY_BASE_MS: Millis = 5;
pub const RETRY_MAX_MS: Millis = 1_000_000;

/// The `deployment.kubernetes.io/revision-history` annotation is trimmed from the front
/// to this many characters (`--deployment-controller` `maxRevHistoryLengthInChars`,
/// `pkg/controller/deployment/sync.go`).
pub const DEPLOYMENT_REVISION_HISTORY_MAX_CHARS: usize = 2000;

// ----- CronJob (`pkg/apis/batch/v1/defaults.go`, `pkg/controller/cronjob`) -------------

/// `SetDefaults_CronJob`: concurrency policy, and how many finished Jobs are kept.
pub const CRONJOB_DEFAULT_CONCURRENCY_POLICY: &str = "Allow";
pub const CRONJOB_DEFAULT_SUCCESSFUL_HISTORY: i32 = 3;
pub const CRONJOB_DEFAULT_FAILED_HISTORY: i32 = 1;
/// 63 − 11 for the `-<timestamp>` Job name suffix (`ValidateCronJobCreate`).
pub const CRONJOB_NAME_MAX: usize = 52;
/// The v2 controller requeues a CronJob 100 ms after its next schedule time, against
/// clock skew (`cronjob_controllerv2.go` `nextScheduleDelta`).
pub const CRONJOB_REQUEUE_PAD: Millis = 100;
/// The v1 controller lists every CronJob every 10 s (`cronjob_controller.go` `Run`,
/// `wait.Until(jm.syncAll, 10*time.Second)`), counted from the scenario's t=0.
pub const CRONJOB_V1_POLL: Millis = 10 * SECOND;
/// More missed start times than this is "too many" (`utils.go`, both controllers).
pub const CRONJOB_MAX_MISSED: i64 = 100;
// ----- daemonsets (`pkg/controller/daemon`) --------------------------------------------

/// The DaemonSet controller creates or deletes at most this many pods per sync
/// (`daemon_controller.go`, `BurstReplicas`).
pub const DAEMONSET_BURST: usize = 250;

/// Failed daemon pods are deleted with a per-node back-off of 1 s doubling to 15 min
/// (`cmd/kube-controller-manager/app/apps.go`, `flowcontrol.NewBackOff(1s, 15m)`).
pub const DAEMONSET_FAILED_POD_BACKOFF_INITIAL: Millis = SECOND;
pub const DAEMONSET_FAILED_POD_BACKOFF_MAX: Millis = 15 * MINUTE;
// ----- statefulsets (`pkg/apis/apps/v1/defaults.go`, `pkg/controller/statefulset`) ----

/// `SetDefaults_StatefulSet` (apps/v1): one replica, ten old revisions kept
/// (`revisionHistoryLimit`), `podManagementPolicy: OrderedReady`, `RollingUpdate` with
/// `partition: 0`.
pub const STATEFULSET_DEFAULT_REVISION_HISTORY_LIMIT: i32 = 10;

// ----- storage (minikube's `storage-provisioner`, `pkg/controller/volume`) -----------

/// The default StorageClass of the simulated cluster: minikube's `standard`
/// (provisioner `k8s.io/minikube-hostpath`, reclaimPolicy Delete, volumeBindingMode
/// Immediate). The DefaultStorageClass admission plugin writes its name into claims
/// that name no class.
pub const DEFAULT_STORAGE_CLASS: &str = "standard";
pub const DEFAULT_STORAGE_PROVISIONER: &str = "k8s.io/minikube-hostpath";
/// Where minikube's hostpath provisioner puts a volume: `<root>/<namespace>/<claim>`.
pub const HOSTPATH_PROVISIONER_ROOT: &str = "/tmp/hostpath-provisioner";

/// Finalizers the StorageObjectInUseProtection admission plugin puts on claims and
/// volumes (`pkg/volume/util/finalizer.go`).
pub const PVC_PROTECTION_FINALIZER: &str = "kubernetes.io/pvc-protection";
pub const PV_PROTECTION_FINALIZER: &str = "kubernetes.io/pv-protection";
// ----- services (`pkg/registry/core/service`, `pkg/controlplane`) ---------------------

/// The service CIDR of a kubeadm/minikube cluster (`--service-cluster-ip-range`,
/// kubeadm's `DefaultServicesSubnet` 10.96.0.0/12); the `kubernetes` Service takes its
/// first address (`controlplane.ServiceIPRange`: network address + 1).
pub const SERVICE_CIDR_BASE: [u8; 4] = [10, 96, 0, 0];
pub const SERVICE_CIDR_PREFIX: u32 = 12;

/// `--service-node-port-range` default 30000-32767 (`kubeapiserver/options`).
pub const NODE_PORT_MIN: i32 = 30000;
pub const NODE_PORT_MAX: i32 = 32767;

/// Static subranges (KEP-3070 ServiceIPStaticSubrange, KEP-3668
/// ServiceNodePortStaticSubrange): dynamic allocation draws first from above an offset
/// = clamp(size / 16, 16, 256) addresses, resp. clamp(size / 32, 16, 128) ports
/// (`registry/core/service/ipallocator/bitmap.go` `calculateRangeOffset`,
/// `portallocator/allocator.go` `calculateRangeOffset`).
pub const SERVICE_IP_OFFSET_MIN: u64 = 16;
pub const SERVICE_IP_OFFSET_MAX: u64 = 256;
pub const NODE_PORT_OFFSET_MIN: i32 = 16;
pub const NODE_PORT_OFFSET_MAX: i32 = 128;

/// The first node's InternalIP (nodes get 192.168.49.2, .3, … as minikube's docker
/// network hands them out), where the simulated apiserver listens.
pub const FIRST_NODE_IP: &str = "192.168.49.2";

/// The apiserver's secure port the `kubernetes` Service targets (kubeadm 6443).
pub const APISERVER_PORT: i32 = 6443;

/// kube-proxy's `Endpoints` cell lists at most this many addresses
/// (`printers.go` `formatEndpoints`, `max = 3`).
pub const ENDPOINTS_SHOWN: usize = 3;

// ----- horizontal pod autoscaler (`pkg/controller/podautoscaler`) --------------------

/// `--horizontal-pod-autoscaler-sync-period`: every HPA is processed every 15 s, the first
/// time 15 s after it is added (the queue's `FixedItemIntervalRateLimiter`).
pub const HPA_SYNC_MS: Millis = 15 * SECOND;
/// `--horizontal-pod-autoscaler-tolerance`.
pub const HPA_TOLERANCE: f64 = 0.1;
/// `--horizontal-pod-autoscaler-downscale-stabilization`: 5 min.
pub const HPA_DOWNSCALE_STABILIZATION_MS: Millis = 5 * MINUTE;
/// `--horizontal-pod-autoscaler-cpu-initialization-period`: 5 min.
pub const HPA_CPU_INITIALIZATION_MS: Millis = 5 * MINUTE;
/// `--horizontal-pod-autoscaler-initial-readiness-delay`: 30 s.
pub const HPA_INITIAL_READINESS_DELAY_MS: Millis = 30 * SECOND;
/// The window metrics-server reports with each sample (its `--metric-resolution`,
/// 15 s): a pod Ready for less than this within its initialization period counts as
/// unready. kubesim's samples are always fresh (timestamp = now).
pub const METRICS_WINDOW_MS: Millis = 15 * SECOND;
/// Legacy scale-up limit without `behavior`: max(2 × current, 4)
/// (`horizontal.go` `scaleUpLimitFactor`, `scaleUpLimitMinimum`).
pub const HPA_SCALE_UP_LIMIT_FACTOR: f64 = 2.0;
pub const HPA_SCALE_UP_LIMIT_MINIMUM: f64 = 4.0;
/// `autoscaling/v2` defaults (`pkg/apis/autoscaling/v2/defaults.go`): minReplicas 1 and,
/// without metrics, CPU at 80 % of requests.
pub const HPA_DEFAULT_MIN_REPLICAS: i32 = 1;
pub const HPA_DEFAULT_CPU_UTILIZATION: i32 = 80;
/// Default behavior rules (`GenerateHPAScaleUpRules` / `GenerateHPAScaleDownRules`):
/// up: 0 s window, max of 4 pods or 100 % per 15 s; down: 100 % per 15 s.
pub const HPA_SCALE_UP_PODS: i32 = 4;
pub const HPA_SCALE_UP_PERCENT: i32 = 100;
pub const HPA_SCALE_POLICY_PERIOD_SECONDS: i32 = 15;
pub const HPA_SCALE_DOWN_PERCENT: i32 = 100;
/// The ConfigMap the root-ca-cert-publisher keeps in every namespace, and its one key
/// (`pkg/controller/certificates/rootcacertpublisher/publisher.go`).
pub const ROOT_CA_CONFIG_MAP: &str = "kube-root-ca.crt";
pub const ROOT_CA_KEY: &str = "ca.crt";
/// The publisher's `kubernetes.io/description` annotation on that ConfigMap (1.22+).
pub const ROOT_CA_DESCRIPTION_KEY: &str = "kubernetes.io/description";
pub const ROOT_CA_DESCRIPTION: &str = "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.";
/// The simulated cluster's CA certificate (a self-signed `minikubeCA`, made for kubesim).
pub const ROOT_CA_PEM: &str = "\
-----BEGIN CERTIFICATE-----
MIIBfjCCASWgAwIBAgIUNVdeD2DdwF3+sxS52DP9gFEuoiowCgYIKoZIzj0EAwIw
FTETMBEGA1UEAwwKbWluaWt1YmVDQTAeFw0yNjExMjMwNzU5MTZaFw0zNjExMjAw
NzU5MTZaMBUxEzARBgNVBAMMCm1pbmlrdWJlQ0EwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAASRiJQeS/kWbiWmKlnEcTUs79uTGlUvHFhXRHZqSfwdWENKhFShfwbd
OdUcVekyG70axxY8VeGQfVCP5b0uhtJ1o1MwUTAdBgNVHQ4EFgQU2viUku6vz236
8rlDdIwnaJ6rRSAwHwYDVR0jBBgwFoAU2viUku6vz2368rlDdIwnaJ6rRSAwDwYD
VR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNHADBEAiB1n3Jm3kEE0fi4VftHcwpq
GD4OCzW0gIWgqO4cmoF2eQIgLDSIdpfwGP+Gic6WfR0fXZYTf0g74uRLmWOPe/DA
ygU=
-----END CERTIFICATE-----
";
