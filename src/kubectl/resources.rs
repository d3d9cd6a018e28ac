//! Resource arguments (`pods`, `rc,rs`, `pod/x`, `all`) and kind-generic access to
//! objects as JSON, the way kubectl's resource builder and unstructured client see them.

use k8s_openapi::Metadata;

use super::flags::Parsed;
use crate::api::selector::Selector;
use crate::api::{ApiError, Kind, ObjKey, Store};
use crate::gofmt::quote;
use crate::profile::Profile;
use crate::with_kind;

/// One resource type a command acts on, with the names given for it (empty = all).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub kind: Kind,
    pub names: Vec<String>,
    /// The API group the argument itself named. `all` expands, through discovery's
    /// categories, to group-qualified resources (`deployments.apps`: kubectl 1.14/1.15 list
    /// `deployment.apps/x` under `get all`, only `apps`), which kubectl then requests in that
    /// group. `None`: the group of the RESTMapper's preferred version ([`message_group`]).
    pub group: Option<&'static str>,
}

impl Target {
    /// The group kubectl names this target's objects by (`deployment.extensions/x` for
    /// `get deploy` in 1.15, `deployment.apps/x` for `get all`).
    pub fn message_group(&self, profile: &Profile) -> String {
        match self.group {
            Some(group) => group.to_string(),
            None => message_group(profile, self.kind, None),
        }
    }
}

fn unknown_type(text: &str) -> String {
    format!("error: the server doesn't have a resource type \"{text}\"")
}

fn resolve(text: &str) -> Result<Kind, String> {
    Kind::resolve(text).ok_or_else(|| unknown_type(text))
}

/// Parses `TYPE[,TYPE] [NAME…]` or `TYPE/NAME…`; `all` expands to the `all` category.
pub fn parse_targets(args: &[String]) -> Result<Vec<Target>, String> {
    let mut targets: Vec<Target> = Vec::new();
    if args.is_empty() {
        return Ok(targets);
    }
    if args.iter().any(|a| a.contains('/')) {
        for arg in args {
            let Some((kind, name)) = arg.split_once('/') else {
                return Err(
                    "error: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'".into(),
                );
            };
            let kind = resolve(kind)?;
            match targets.iter_mut().find(|t| t.kind == kind) {
                Some(t) => t.names.push(name.to_string()),
                None => targets.push(Target { kind, names: vec![name.to_string()], group: None }),
            }
        }
        return Ok(targets);
    }
    let names: Vec<String> = args[1..].to_vec();
    for part in args[0].split(',').filter(|p| !p.is_empty()) {
        if part == "all" {
            for info in crate::api::kind::KINDS.iter().filter(|k| k.in_all) {
                targets.push(Target { kind: info.kind, names: names.clone(), group: Some(info.group) });
            }
            continue;
        }
        let kind = resolve(part)?;
        if !targets.iter().any(|t| t.kind == kind) {
            targets.push(Target { kind, names: names.clone(), group: None });
        }
    }
    Ok(targets)
}

/// The namespace a command works in: `-n`, else `default`.
pub fn namespace(flags: &Parsed) -> String {
    flags.string("namespace").unwrap_or("default").to_string()
}

/// `-l` as kubectl's builder takes it: trimmed, `None` when absent or blank. kubectl sends
/// it unchecked; the apiserver parses it for each list request ([`list_selector`]).
pub fn label_selector(flags: &Parsed) -> Option<String> {
    flags.string("selector").map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

/// The `-l` selector as the apiserver parses it. `Err`: kubectl's error line for each
/// kind's list request, which the apiserver answers with BadRequest.
pub fn list_selector(
    flags: &Parsed,
    profile: &Profile,
    kinds: &[Kind],
) -> Result<Option<Selector>, Vec<String>> {
    let Some(text) = label_selector(flags) else { return Ok(None) };
    Selector::parse_as(&text, &profile.selector_errors)
        .map(Some)
        .map_err(|e| kinds.iter().map(|k| list_error(profile, *k, &text, &e)).collect())
}

/// A list request the apiserver refused, as kubectl words it (cli-runtime
/// `EnhanceListError`): `Unable to find "<group>/<version>, Resource=<plural>" that
/// match label selector …`.
pub fn list_error(profile: &Profile, kind: Kind, selector: &str, message: &str) -> String {
    list_error_with_fields(profile, kind, selector, "", message)
}

/// [`list_error`] for a request that also had a field selector.
pub fn list_error_with_fields(
    profile: &Profile,
    kind: Kind,
    selector: &str,
    fields: &str,
    message: &str,
) -> String {
    let info = kind.info();
    let group_version = profile.versions_of(info.name).first().copied().unwrap_or("v1");
    let group_version =
        if group_version.contains('/') { group_version.to_string() } else { format!("/{group_version}") };
    let resource = format!("{group_version}, Resource={}", info.plural);
    format!(
        "Error from server (BadRequest): Unable to find {} that match label selector {}, field selector {}: {message}",
        quote(&resource),
        quote(selector),
        quote(fields)
    )
}

/// The key of an object of `kind` named `name` in `namespace` (ignored when cluster-scoped).
pub fn key(kind: Kind, namespace: &str, name: &str) -> ObjKey {
    let ns = if kind.info().namespaced { namespace.to_string() } else { String::new() };
    (ns, name.to_string())
}

/// Keys of the objects of a kind in a namespace (`None` = all) matching a selector.
pub fn list_keys(store: &Store, kind: Kind, namespace: Option<&str>, selector: &Selector) -> Vec<ObjKey> {
    let namespace = if kind.info().namespaced { namespace } else { None };
    if kind == Kind::Event {
        let mut keys: Vec<ObjKey> = store
            .events()
            .iter()
            .filter(|e| namespace.is_none_or(|ns| ns == e.involved.namespace))
            .map(|e| (e.involved.namespace.clone(), e.name()))
            .collect();
        keys.sort();
        return keys;
    }
    with_kind!(kind, T => store
        .list::<T>(namespace)
        .filter(|o| selector.matches_opt(o.metadata().labels.as_ref()))
        .map(|o| (o.metadata().namespace.clone().unwrap_or_default(), o.metadata().name.clone().unwrap_or_default()))
        .collect(), else Vec::new())
}

pub fn exists(store: &Store, kind: Kind, key: &ObjKey) -> bool {
    if kind == Kind::Event {
        return store.events().iter().any(|e| e.involved.namespace == key.0 && e.name() == key.1);
    }
    with_kind!(kind, T => store.get_by_key::<T>(key).is_some(), else false)
}

/// The object as the API's JSON (with apiVersion and kind).
pub fn get_value(store: &Store, kind: Kind, key: &ObjKey) -> Option<serde_json::Value> {
    // kubectl asks for the version it prefers: `autoscaling/v1` HPAs up to 1.22.
    if kind == Kind::HorizontalPodAutoscaler
        && store.profile.versions_of("HorizontalPodAutoscaler").first() == Some(&"autoscaling/v1")
    {
        return store
            .get_by_key::<k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler>(key)
            .map(crate::api::admission::hpa_to_v1);
    }
    with_kind!(kind, T => store.get_by_key::<T>(key).and_then(|o| serde_json::to_value(o).ok()), else None)
}

/// Replaces an object with an edited JSON form (update semantics: spec changes bump
/// generation; validation applies).
pub fn put_value(store: &mut Store, kind: Kind, value: serde_json::Value) -> Result<(), ApiError> {
    let value =
        if kind == Kind::HorizontalPodAutoscaler { crate::api::admission::hpa_to_v2(value) } else { value };
    with_kind!(kind, T => {
        let obj: T = serde_json::from_value(value).map_err(|e| ApiError::BadRequest(format!("{e}")))?;
        store.update(obj).map(|_| ())
    }, else Err(ApiError::BadRequest("unsupported kind".into())))
}

/// The API group kubectl names an object by in its messages (`deployment.extensions/x`,
/// `daemonset.apps "x" deleted`). kubectl prints the group of the version it talked to:
/// for a manifest (`create|apply|delete -f`), the manifest's own `apiVersion`; for a
/// typed name (`delete deployment x`, `scale deploy/x`), the group of the version the
/// RESTMapper prefers, which is the first served version in the profile (kubectl 1.15
/// prefers `extensions/v1beta1` for Deployments, ReplicaSets and DaemonSets, so seed 000
/// shows `daemonset.apps/x created` from an apps/v1 manifest but
/// `daemonset.extensions "x" deleted`).
pub fn message_group(profile: &Profile, kind: Kind, manifest_version: Option<&str>) -> String {
    let version = match manifest_version {
        Some(v) => v,
        None => profile.versions_of(kind.info().name).first().copied().unwrap_or(""),
    };
    match version.split_once('/') {
        Some((group, _)) => group.to_string(),
        // `v1`, or a kind the profile does not list: its registered group.
        None if version.is_empty() => kind.info().group.to_string(),
        None => String::new(),
    }
}

/// `deployment.extensions`, `pod`: a kind as kubectl's messages qualify it (see
/// [`message_group`]).
pub fn qualified_kind(profile: &Profile, kind: Kind, manifest_version: Option<&str>) -> String {
    kind.qualified_singular_in(&message_group(profile, kind, manifest_version))
}

/// `deployments.extensions`: the resource as kubectl's own errors name it (typed names).
pub fn qualified_resource(profile: &Profile, kind: Kind) -> String {
    kind.qualified_plural_in(&message_group(profile, kind, None))
}

/// `replicaset.apps/kubia`: the name printer's form for an object named by type and name.
pub fn name_ref(profile: &Profile, kind: Kind, name: &str) -> String {
    format!("{}/{name}", qualified_kind(profile, kind, None))
}

/// The name printer's form for an object read from a manifest of `api_version`.
pub fn manifest_name_ref(profile: &Profile, kind: Kind, api_version: &str, name: &str) -> String {
    format!("{}/{name}", qualified_kind(profile, kind, Some(api_version)))
}

/// Events by (namespace, name), the keys `get` lists them by.
pub fn events_by_key(store: &Store) -> crate::hash::HashMap<ObjKey, &crate::api::event::EventRecord> {
    store.events().iter().map(|e| ((e.involved.namespace.clone(), e.name()), e)).collect()
}

/// The API JSON of each object `keys` names (what field selectors and `--sort-by` read).
pub fn object_values(store: &Store, kind: Kind, keys: &[ObjKey]) -> Vec<serde_json::Value> {
    if kind == Kind::Event {
        let by_key = events_by_key(store);
        let events_api =
            crate::kubectl::describe::style::DescribeStyle::for_profile(&store.profile).events_api_reporters;
        return keys
            .iter()
            .map(|k| {
                by_key
                    .get(k)
                    .map(|e| e.to_value(&store.clock, events_api.contains(&e.component)))
                    .unwrap_or_default()
            })
            .collect();
    }
    keys.iter().map(|k| get_value(store, kind, k).unwrap_or_default()).collect()
}
