//! How the store keeps a pod: its own metadata and status, and a spec split into a
//! base shared by the pods of one template and the few parts each pod has of its own.
//!
//! The pods a controller creates from one template differ in their spec only by
//! `spec.nodeName` and the name of the projected service-account token volume
//! (`kube-api-access-xxxxx`, random per pod, in `spec.volumes` and in every container's
//! `volumeMounts`). A 100k-replica Deployment would otherwise hold 100k copies of an
//! 8 KB spec; here they hold one `Arc<PodSpec>` whose nodeName is unset and whose token
//! volume is named [`TOKEN_PLACEHOLDER`], and each pod keeps its node and token names.
//!
//! The API view of a pod (kubectl, watch events, patches) is the whole pod, rebuilt by
//! [`StoredPod::materialise`]. Hot paths read the parts they need without rebuilding:
//! [`StoredPod::metadata`] and [`StoredPod::status`] are the pod's own, and the spec is
//! only reachable through [`StoredPod::node_name`] (the pod's own) and
//! [`StoredPod::spec_sans_per_pod_parts`], whose name says what it lacks.

use std::sync::{Arc, Weak};

use k8s_openapi::api::core::v1::{Pod, PodSpec, PodStatus, VolumeMount};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::hash::HashMap;

/// The token volume's name in a shared base. Not a valid volume name (volume names are
/// DNS labels), so no valid spec carries it; one that does anyway keeps its names as given.
pub const TOKEN_PLACEHOLDER: &str = "kube-api-access-<per-pod>";

/// The prefix of the projected service-account token volume admission adds (1.21+).
const TOKEN_PREFIX: &str = "kube-api-access-";

/// A pod as stored. `metadata` and `status` are the pod's own and may be read and written
/// freely; the spec is private so that nothing reads a shared base as if it were the pod's.
#[derive(Clone, Debug)]
pub struct StoredPod {
    pub metadata: ObjectMeta,
    pub status: Option<PodStatus>,
    spec: Option<SpecParts>,
}

/// A pod's spec: the base (shared with the other pods of its template, or its own) and
/// the parts no other pod has.
#[derive(Clone, Debug)]
struct SpecParts {
    /// nodeName unset; the token volume (if `token` is set) named [`TOKEN_PLACEHOLDER`].
    base: Arc<PodSpec>,
    node_name: Option<String>,
    /// The token volume's real name, when the base has the placeholder instead.
    token: Option<Box<str>>,
}

impl StoredPod {
    /// The whole pod, as the API serves it.
    pub fn materialise(&self) -> Pod {
        Pod {
            metadata: self.metadata.clone(),
            spec: self.spec.as_ref().map(SpecParts::materialise),
            status: self.status.clone(),
        }
    }

    /// The pod split back into its parts, without sharing (see [`SpecBases`] for that).
    pub fn from_pod(pod: Pod) -> StoredPod {
        // Debug builds (every test) check that the pod comes back exactly as given.
        #[cfg(debug_assertions)]
        let original = pod.clone();
        let stored =
            StoredPod { metadata: pod.metadata, status: pod.status, spec: pod.spec.map(SpecParts::split) };
        #[cfg(debug_assertions)]
        assert!(stored.materialise() == original, "a stored pod materialises as the pod given");
        stored
    }

    /// `spec.nodeName`.
    pub fn node_name(&self) -> Option<&str> {
        self.spec.as_ref().and_then(|s| s.node_name.as_deref())
    }

    /// The node the pod is bound to (a non-empty nodeName).
    pub fn bound_node(&self) -> Option<&str> {
        self.node_name().filter(|n| !n.is_empty())
    }

    /// The spec with nodeName unset and the service-account token volume (in `volumes`
    /// and in the containers' `volumeMounts`) named [`TOKEN_PLACEHOLDER`]: for reading
    /// every other field (containers, resources, tolerations, restart policy…) without
    /// rebuilding the pod. `None` for a pod without a spec.
    pub fn spec_sans_per_pod_parts(&self) -> Option<&PodSpec> {
        self.spec.as_ref().map(|s| &*s.base)
    }

    /// Binds the pod: only its own part of the spec changes, the base stays shared.
    /// Only the store binds (it keeps the node → pods index in step).
    pub(super) fn set_node_name(&mut self, node: &str) {
        let parts = self.spec.get_or_insert_with(|| SpecParts::split(PodSpec::default()));
        parts.node_name = Some(node.to_string());
    }

    /// Whether two stored pods share one base (for tests and the memory bench).
    pub fn shares_spec_with(&self, other: &StoredPod) -> bool {
        match (&self.spec, &other.spec) {
            (Some(a), Some(b)) => Arc::ptr_eq(&a.base, &b.base),
            _ => false,
        }
    }
}

impl SpecParts {
    /// Takes the per-pod parts out of a spec.
    fn split(mut spec: PodSpec) -> SpecParts {
        let node_name = spec.node_name.take();
        let token = token_volume(&spec).map(|name| {
            rename_volume(&mut spec, &name, TOKEN_PLACEHOLDER);
            name.into_boxed_str()
        });
        SpecParts { base: Arc::new(spec), node_name, token }
    }

    fn materialise(&self) -> PodSpec {
        let mut spec = PodSpec::clone(&self.base);
        spec.node_name = self.node_name.clone();
        if let Some(token) = &self.token {
            rename_volume(&mut spec, TOKEN_PLACEHOLDER, token);
        }
        spec
    }
}

/// The name of the spec's projected token volume, if it has one and the placeholder
/// appears nowhere (so that renaming back gives exactly the spec given).
fn token_volume(spec: &PodSpec) -> Option<String> {
    let volumes = spec.volumes.as_deref().unwrap_or_default();
    if volumes.iter().any(|v| v.name == TOKEN_PLACEHOLDER)
        || mounts(spec).any(|m| m.name == TOKEN_PLACEHOLDER)
    {
        return None;
    }
    volumes.iter().find(|v| v.name.starts_with(TOKEN_PREFIX) && v.projected.is_some()).map(|v| v.name.clone())
}

/// Every container's volume mounts (init, regular and ephemeral containers).
fn mounts(spec: &PodSpec) -> impl Iterator<Item = &VolumeMount> {
    let init = spec.init_containers.iter().flatten().flat_map(|c| c.volume_mounts.iter().flatten());
    let main = spec.containers.iter().flat_map(|c| c.volume_mounts.iter().flatten());
    let ephemeral = spec.ephemeral_containers.iter().flatten().flat_map(|c| c.volume_mounts.iter().flatten());
    init.chain(main).chain(ephemeral)
}

/// Renames a volume and every mount of it.
fn rename_volume(spec: &mut PodSpec, from: &str, to: &str) {
    let rename = |name: &mut String| {
        if name == from {
            *name = to.to_string();
        }
    };
    spec.volumes.iter_mut().flatten().for_each(|v| rename(&mut v.name));
    let init = spec.init_containers.iter_mut().flatten().flat_map(|c| c.volume_mounts.iter_mut().flatten());
    init.for_each(|m| rename(&mut m.name));
    let main = spec.containers.iter_mut().flat_map(|c| c.volume_mounts.iter_mut().flatten());
    main.for_each(|m| rename(&mut m.name));
    let ephemeral =
        spec.ephemeral_containers.iter_mut().flatten().flat_map(|c| c.volume_mounts.iter_mut().flatten());
    ephemeral.for_each(|m| rename(&mut m.name));
}

/// The bases pods share, one per controller (by uid): the pods a controller creates from
/// one template get one base. Weak, so that a base goes away with its last pod.
#[derive(Default)]
pub struct SpecBases {
    by_controller: HashMap<String, Weak<PodSpec>>,
}

impl SpecBases {
    /// Stores a pod being created: its spec shares the base of its controller's earlier
    /// pods when equal to it apart from the per-pod parts, and becomes that controller's
    /// base otherwise (a changed template).
    pub fn compact_new(&mut self, pod: Pod, controller: Option<&str>) -> StoredPod {
        let mut stored = StoredPod::from_pod(pod);
        let (Some(parts), Some(uid)) = (stored.spec.as_mut(), controller) else { return stored };
        let Some(known) = self.by_controller.get_mut(uid) else {
            self.by_controller.insert(uid.to_string(), Arc::downgrade(&parts.base));
            return stored;
        };
        match known.upgrade() {
            Some(base) if *base == *parts.base => parts.base = base,
            // A changed template (or pods that differ per node, like a DaemonSet's).
            _ => *known = Arc::downgrade(&parts.base),
        }
        stored
    }

    /// Stores a pod replacing `old` (update, patch, apply, edit): the spec keeps the
    /// old base when it is equal to it apart from the per-pod parts, and is the pod's
    /// own otherwise.
    pub fn compact_replacing(pod: Pod, old: &StoredPod) -> StoredPod {
        let mut stored = StoredPod::from_pod(pod);
        if let (Some(parts), Some(old)) = (stored.spec.as_mut(), old.spec.as_ref())
            && *parts.base == *old.base
        {
            parts.base = old.base.clone();
        }
        stored
    }

    /// Forgets a controller's base (its last pod is gone).
    pub fn forget(&mut self, controller: &str) {
        self.by_controller.remove(controller);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(node: Option<&str>, token: &str) -> Pod {
        serde_json::from_value(serde_json::json!({
            "metadata": {"name": "p"},
            "spec": {
                "nodeName": node,
                "containers": [{"name": "c", "image": "nginx", "volumeMounts": [
                    {"name": token, "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"},
                    {"name": "data", "mountPath": "/data"}]}],
                "volumes": [{"name": "data", "emptyDir": {}},
                    {"name": token, "projected": {"sources": []}}]
            }
        }))
        .expect("a pod")
    }

    #[test]
    fn materialising_gives_back_the_pod() {
        for p in [pod(Some("n1"), "kube-api-access-abcde"), pod(None, "other"), Pod::default()] {
            assert_eq!(StoredPod::from_pod(p.clone()).materialise(), p);
        }
        let odd = pod(Some("n"), TOKEN_PLACEHOLDER);
        assert_eq!(StoredPod::from_pod(odd.clone()).materialise(), odd);
    }

    #[test]
    fn pods_of_one_controller_share_a_base() {
        let mut bases = SpecBases::default();
        let a = bases.compact_new(pod(Some("n1"), "kube-api-access-aaaaa"), Some("rs"));
        let b = bases.compact_new(pod(None, "kube-api-access-bbbbb"), Some("rs"));
        assert!(a.shares_spec_with(&b));
        assert_eq!(b.node_name(), None);
        assert_eq!(a.materialise(), pod(Some("n1"), "kube-api-access-aaaaa"));
        assert_eq!(b.materialise(), pod(None, "kube-api-access-bbbbb"));
        let mut changed = pod(None, "kube-api-access-ccccc");
        changed.spec.as_mut().unwrap().containers[0].image = Some("nginx:2".into());
        let c = bases.compact_new(changed.clone(), Some("rs"));
        assert!(!c.shares_spec_with(&a));
        assert_eq!(c.materialise(), changed);
        let d = SpecBases::compact_replacing(pod(Some("n2"), "kube-api-access-ddddd"), &a);
        assert!(d.shares_spec_with(&a));
    }

    #[test]
    fn binding_keeps_the_base() {
        let mut bases = SpecBases::default();
        let a = bases.compact_new(pod(None, "kube-api-access-aaaaa"), Some("rs"));
        let mut b = a.clone();
        b.set_node_name("n9");
        assert!(a.shares_spec_with(&b));
        assert_eq!(b.materialise(), pod(Some("n9"), "kube-api-access-aaaaa"));
    }
}

/// Sharing through the store's write paths: create, bind, status and metadata writes,
/// whole-pod updates.
#[cfg(test)]
mod store_tests {
    use k8s_openapi::api::core::v1::Pod;

    use crate::api::admission::admit;
    use crate::api::store::DeleteOptions;
    use crate::api::{ObjKey, Store};
    use crate::profile::Profile;
    use crate::time::{WallClock, default_start};

    fn create(store: &mut Store, name: &str) -> ObjKey {
        let mut pod: Pod = serde_json::from_value(serde_json::json!({
            "metadata": {"name": name, "namespace": "default", "ownerReferences": [
                {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "rs", "uid": "rs-uid", "controller": true}]},
            "spec": {"containers": [{"name": "c", "image": "nginx"}]}
        }))
        .expect("a pod");
        admit(&mut pod, store).expect("valid");
        store.create(pod).expect("created");
        ("default".to_string(), name.to_string())
    }

    fn shared(store: &Store, a: &ObjKey, b: &ObjKey) -> bool {
        store.stored_pod(a).expect("a").shares_spec_with(store.stored_pod(b).expect("b"))
    }

    #[test]
    fn writes_keep_or_drop_the_sharing() {
        let mut store = Store::new(Profile::default(), WallClock::new(default_start()), 0);
        let (a, b, c) = (create(&mut store, "a"), create(&mut store, "b"), create(&mut store, "c"));
        assert!(shared(&store, &a, &b) && shared(&store, &a, &c));
        let token = |store: &Store, key: &ObjKey| {
            store.get_by_key::<Pod>(key).expect("pod").spec.clone().expect("spec").volumes.expect("volumes")
                [0]
            .name
            .clone()
        };
        assert!(token(&store, &a).starts_with("kube-api-access-"));
        assert_ne!(token(&store, &a), token(&store, &b));

        store.bind_pod(&a, "node-1").expect("bound");
        let _ = store.modify_status::<Pod>(&a, |p| {
            p.status.get_or_insert_with(Default::default).phase = Some("Running".into())
        });
        store
            .update_meta::<Pod>(&a, |m| m.labels = Some([("x".to_string(), "y".to_string())].into()))
            .expect("labelled");
        assert!(shared(&store, &a, &b));
        assert_eq!(
            store.get_by_key::<Pod>(&a).expect("a").spec.as_ref().expect("spec").node_name.as_deref(),
            Some("node-1")
        );
        assert_eq!(store.get_by_key::<Pod>(&b).expect("b").spec.as_ref().expect("spec").node_name, None);

        // A whole-pod update with the same spec keeps the base; another image does not.
        let same = store.get_by_key::<Pod>(&b).expect("b").into_owned();
        store.update(same).expect("updated");
        assert!(shared(&store, &a, &b));
        let mut changed = store.get_by_key::<Pod>(&c).expect("c").into_owned();
        let before = changed.clone();
        changed.spec.as_mut().expect("spec").containers[0].image = Some("nginx:2".into());
        store.update(changed).expect("updated");
        assert!(!shared(&store, &a, &c));
        let after = store.get_by_key::<Pod>(&c).expect("c").into_owned();
        assert_eq!(after.spec.as_ref().expect("spec").containers[0].image.as_deref(), Some("nginx:2"));
        assert_eq!(token(&store, &c), before.spec.expect("spec").volumes.expect("volumes")[0].name);

        store.delete::<Pod>("default", "a", DeleteOptions::default()).expect("deleting");
        assert!(shared(&store, &a, &b));
    }
}
