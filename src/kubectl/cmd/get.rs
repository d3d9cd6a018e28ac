//! `kubectl get`: server-side rows decorated client-side (NAMESPACE, `-L`, LABELS, kind
//! prefixes, a blank line between kinds), `-o wide|name|yaml|json|jsonpath`.

use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::{Endpoints, Namespace, Node, Pod, ReplicationController, Service};

use crate::api::selector::format_labels;
use crate::api::store::Object;
use crate::api::{Kind, ObjKey, Store};
use crate::kubectl::flags::{self, Flag, FlagKind, flag};
use crate::kubectl::printers::{self, Column, PrintContext, Row};
use crate::kubectl::resources::{self, Target};
use crate::kubectl::tabwriter::{self, Config};
use crate::kubectl::{Env, Output, SimResult, jsonpath, yaml};

const FLAGS: &[Flag] = &[
    flag("output", Some('o'), FlagKind::String),
    flag("selector", Some('l'), FlagKind::String),
    flag("all-namespaces", Some('A'), FlagKind::Bool),
    flag("show-labels", None, FlagKind::Bool),
    flag("label-columns", Some('L'), FlagKind::StringSlice),
    flag("no-headers", None, FlagKind::Bool),
    flag("show-kind", None, FlagKind::Bool),
    flag("ignore-not-found", None, FlagKind::Bool),
    flag("watch", Some('w'), FlagKind::Bool),
    flag("field-selector", None, FlagKind::String),
    flag("sort-by", None, FlagKind::String),
];

const ALLOWED_FORMATS: &str = "custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml";

#[derive(Clone, Debug, PartialEq, Eq)]
enum Format {
    Table {
        wide: bool,
    },
    Name,
    Yaml,
    Json,
    JsonPath(String),
    /// `custom-columns=HEADER:PATH,…`, each path already made a JSONPath template.
    CustomColumns(Vec<(String, String)>),
}

fn parse_format(text: Option<&str>) -> Result<Format, String> {
    let text = text.unwrap_or("");
    Ok(match text {
        "" => Format::Table { wide: false },
        "wide" => Format::Table { wide: true },
        "name" => Format::Name,
        "yaml" => Format::Yaml,
        "json" => Format::Json,
        "custom-columns" => {
            return Err("error: custom-columns format specified but no custom columns given".into());
        }
        other => match other.strip_prefix("jsonpath=") {
            Some(t) => Format::JsonPath(t.to_string()),
            None if other.starts_with("custom-columns=") => {
                Format::CustomColumns(custom_columns(&other["custom-columns=".len()..])?)
            }
            None => {
                return Err(format!(
                    "error: unable to match a printer suitable for the output format \"{other}\", allowed formats are: {ALLOWED_FORMATS}"
                ));
            }
        },
    })
}

/// `NewCustomColumnsPrinterFromSpec`: comma-separated `HEADER:PATH` columns.
fn custom_columns(spec: &str) -> Result<Vec<(String, String)>, String> {
    if spec.is_empty() {
        return Err("error: custom-columns format specified but no custom columns given".into());
    }
    spec.split(',')
        .map(|part| {
            let Some((header, path)) = part.split_once(':') else {
                return Err(format!(
                    "error: unexpected custom-columns spec: {part}, expected <header>:<json-path-expr>"
                ));
            };
            Ok((header.to_string(), crate::kubectl::sort::relaxed_path(path)?))
        })
        .collect()
}

/// The custom-columns printer over the one list `get` makes of everything it found: a
/// header (unless `--no-headers`, and also when nothing was found), then per object each
/// column's values joined by commas (`<none>` when the path finds nothing), printed as
/// Go's `fmt.Sprint` prints decoded JSON, through the table tabwriter.
fn render_custom_columns(
    columns: &[(String, String)],
    objects: &[serde_json::Value],
    no_headers: bool,
    dialect: &jsonpath::Dialect,
) -> Result<String, String> {
    let mut text = String::new();
    if !no_headers {
        let headers: Vec<&str> = columns.iter().map(|(h, _)| h.as_str()).collect();
        text.push_str(&headers.join("\t"));
        text.push('\n');
    }
    for object in objects {
        let mut cells = Vec::new();
        for (_, path) in columns {
            let values = jsonpath::all_results(path, object, dialect).map_err(|e| format!("error: {e}"))?;
            cells.push(if values.is_empty() {
                "<none>".to_string()
            } else {
                values.iter().map(crate::gofmt::v).collect::<Vec<_>>().join(",")
            });
        }
        text.push_str(&cells.join("\t"));
        text.push('\n');
    }
    Ok(tabwriter::format(&text, Config::KUBECTL_GET))
}

pub fn run(env: &mut Env, words: &[String], out: &mut Output) -> SimResult<()> {
    let Some(flags) = super::flags_or_fail("get", FLAGS, words, out) else { return Ok(()) };
    if flags.args.is_empty() {
        out.fail(
            "You must specify the type of resource to get. Use \"kubectl api-resources\" for a complete list of supported resources.\n\nerror: Required resource not specified.\nUse \"kubectl explain <resource>\" for a detailed description of that resource (e.g. kubectl explain pods).\nSee 'kubectl get -h' for help and examples",
        );
        return Ok(());
    }
    let format = match parse_format(flags.string("output")) {
        Ok(f) => f,
        Err(e) => {
            out.fail(e);
            return Ok(());
        }
    };
    if flags.bool("show-labels") && !matches!(format, Format::Table { .. }) {
        let name = flags.string("output").unwrap_or("");
        out.fail(format!("error: --show-labels option cannot be used with {name} printer"));
        return Ok(());
    }
    let targets = match resources::parse_targets(&flags.args) {
        Ok(t) => t,
        Err(e) => {
            out.fail(e);
            return Ok(());
        }
    };
    if !super::names_without_selectors_or_fail(&flags, &targets, out) {
        return Ok(());
    }
    let kinds: Vec<Kind> = targets.iter().map(|t| t.kind).collect();
    let Ok(selector) = super::selector_or_fail(&flags, env.cluster.profile(), &kinds, out) else {
        return Ok(());
    };
    let selector = selector.unwrap_or_default();
    let Some(fields) = super::field_selector_or_fail(&flags, env.cluster.profile(), &kinds, out) else {
        return Ok(());
    };
    let all_ns = flags.bool("all-namespaces");
    let namespace = resources::namespace(&flags);
    let store = &env.cluster.store;
    if store.profile.endpoints_deprecated && kinds.contains(&Kind::Endpoints) {
        // The apiserver's deprecation warning header, printed once by kubectl.
        out.err_line("Warning: v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice");
    }
    let mut errors = Vec::new();
    // Each kind with the API group its objects are named in, and the objects found.
    let mut groups: Vec<(Kind, String, Vec<ObjKey>)> = Vec::new();
    for target in &targets {
        let Target { kind, names, .. } = target;
        let keys = if names.is_empty() {
            let keys =
                resources::list_keys(store, *kind, if all_ns { None } else { Some(&namespace) }, &selector);
            if fields.is_empty() {
                keys
            } else {
                let values = resources::object_values(store, *kind, &keys);
                keys.into_iter().zip(values).filter(|(_, v)| fields.matches(v)).map(|(k, _)| k).collect()
            }
        } else {
            let mut keys = Vec::new();
            for name in names {
                let key = resources::key(*kind, &namespace, name);
                if resources::exists(store, *kind, &key) {
                    keys.push(key);
                } else if !flags.bool("ignore-not-found") {
                    errors.push(crate::kubectl::server_error(
                        &store.profile,
                        &crate::api::ApiError::not_found(*kind, name),
                        None,
                    ));
                }
            }
            keys
        };
        groups.push((*kind, target.message_group(&store.profile), keys));
    }
    if let Some(field) = flags.string("sort-by").filter(|f| !f.is_empty()) {
        for (kind, _, keys) in groups.iter_mut() {
            let values = resources::object_values(store, *kind, keys);
            match crate::kubectl::sort::order(field, &values, &store.profile.jsonpath) {
                Ok(order) => *keys = order.into_iter().map(|i| keys[i].clone()).collect(),
                Err(e) => {
                    out.fail(e);
                    return Ok(());
                }
            }
        }
    }
    let single_named = targets.len() == 1 && targets[0].names.len() == 1;
    // Kind prefixes when the objects found span several kinds (`multipleGVKsRequested`).
    let with_kind = flags.bool("show-kind") || groups.iter().filter(|(_, _, k)| !k.is_empty()).count() > 1;
    match &format {
        Format::Table { wide } => {
            let mut first = true;
            for (kind, group, keys) in &groups {
                if keys.is_empty() {
                    continue;
                }
                if !first && !flags.bool("no-headers") {
                    out.out("\n");
                }
                first = false;
                let (columns, rows) = rows_for(store, *kind, keys);
                out.out(render_table(
                    columns,
                    &rows,
                    *kind,
                    &flags,
                    *wide,
                    all_ns,
                    with_kind.then_some(group.as_str()),
                ));
            }
        }
        Format::CustomColumns(columns) => {
            let values: Vec<serde_json::Value> = groups
                .iter()
                .flat_map(|(kind, _, keys)| resources::object_values(store, *kind, keys))
                .collect();
            match render_custom_columns(columns, &values, flags.bool("no-headers"), &store.profile.jsonpath) {
                Ok(text) => out.out(text),
                Err(e) => errors.push(e),
            }
        }
        Format::Name => {
            for (kind, group, keys) in &groups {
                for key in keys {
                    out.line(format!("{}/{}", kind.qualified_singular_in(group), key.1));
                }
            }
        }
        Format::Yaml | Format::Json
            if groups.iter().any(|(kind, _, keys)| *kind == Kind::Event && !keys.is_empty()) =>
        {
            // kubesim keeps events compactly and can project the fields kubectl reads
            // (jsonpath, custom columns, sorting), not the whole stored object.
            out.fail("error: kubesim does not emulate -o yaml|json for events; use -o jsonpath or -o custom-columns");
        }
        Format::Yaml | Format::Json | Format::JsonPath(_) => {
            let mut items = Vec::new();
            for (kind, group, keys) in &groups {
                if *kind == Kind::Event {
                    items.extend(resources::object_values(store, *kind, keys));
                    continue;
                }
                // Read in the preferred version, unless the `all` category named another
                // group (1.15 `get all` reads Deployments as apps/v1).
                let preferred = *group == resources::message_group(&store.profile, *kind, None);
                for key in keys {
                    if let Some(mut v) = resources::get_value(store, *kind, key) {
                        if preferred {
                            crate::api::versions::to_preferred_version(&store.profile, *kind, &mut v);
                        }
                        items.push(v);
                    }
                }
            }
            if !items.is_empty() || !single_named {
                let value = if single_named && items.len() == 1 {
                    items.pop().expect("one item")
                } else {
                    serde_json::json!({"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}})
                };
                let has_items = value.get("items").and_then(|i| i.as_array()).is_none_or(|a| !a.is_empty());
                if has_items || !matches!(format, Format::Table { .. }) {
                    match &format {
                        Format::Yaml => out.out(yaml::to_yaml(&value)),
                        Format::Json => out.line(json_text(&value)),
                        Format::JsonPath(t) => {
                            let t = t.trim_matches('\'');
                            match jsonpath::render(t, &value, &store.profile.jsonpath) {
                                Ok(s) => out.out(s),
                                Err(e) => errors.push(format!("error: {e}")),
                            }
                        }
                        _ => {}
                    }
                }
                if !has_items && matches!(format, Format::Yaml | Format::Json) {
                    // kubectl prints the empty List and no "No resources found".
                }
            }
        }
    }
    let printed_nothing = out.stdout.is_empty();
    for e in &errors {
        out.fail(e);
    }
    if printed_nothing
        && errors.is_empty()
        && matches!(format, Format::Table { .. })
        && !flags.bool("ignore-not-found")
    {
        if !env.cluster.profile().no_resources_names_namespace {
            out.err_line("No resources found.");
        } else if all_ns {
            out.err_line("No resources found");
        } else {
            out.err_line(format!("No resources found in {namespace} namespace."));
        }
    }
    Ok(())
}

/// kubectl's `-o json`: four-space indent, keys sorted.
pub(crate) fn json_text(value: &serde_json::Value) -> String {
    let sorted = sort_keys(value);
    let mut buf = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, formatter);
    serde::Serialize::serialize(&sorted, &mut ser).expect("JSON values serialize");
    String::from_utf8(buf).expect("JSON is UTF-8")
}

fn sort_keys(value: &serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let mut out = serde_json::Map::new();
            for k in keys {
                out.insert(k.clone(), sort_keys(&map[k]));
            }
            serde_json::Value::Object(out)
        }
        serde_json::Value::Array(items) => serde_json::Value::Array(items.iter().map(sort_keys).collect()),
        other => other.clone(),
    }
}

/// The server-side table of one kind for the given objects.
pub fn rows_for(store: &Store, kind: Kind, keys: &[ObjKey]) -> (&'static [Column], Vec<Row>) {
    use k8s_openapi::api::apps::v1::{ControllerRevision, StatefulSet};
    use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
    use k8s_openapi::api::batch::v1::{CronJob, Job};
    use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};
    let ctx = PrintContext { profile: &store.profile, now: store.clock.at(store.now) };
    let ctx = &ctx;
    match kind {
        Kind::Pod => (printers::pod::COLUMNS, rows::<Pod>(store, keys, ctx, printers::pod::print)),
        Kind::ReplicaSet => (
            printers::replicaset::COLUMNS,
            rows::<ReplicaSet>(store, keys, ctx, printers::replicaset::print_replica_set),
        ),
        Kind::Deployment => {
            (printers::deployment::COLUMNS, rows::<Deployment>(store, keys, ctx, printers::deployment::print))
        }
        Kind::DaemonSet => {
            (printers::daemonset::COLUMNS, rows::<DaemonSet>(store, keys, ctx, printers::daemonset::print))
        }
        Kind::ControllerRevision => (
            printers::controllerrevision::COLUMNS,
            rows::<ControllerRevision>(store, keys, ctx, printers::controllerrevision::print),
        ),
        Kind::StatefulSet => (
            printers::statefulset::COLUMNS,
            rows::<StatefulSet>(store, keys, ctx, printers::statefulset::print),
        ),
        Kind::PersistentVolumeClaim => (
            printers::storage::claim_columns(ctx),
            rows::<PersistentVolumeClaim>(store, keys, ctx, printers::storage::print_claim),
        ),
        Kind::PersistentVolume => (
            printers::storage::volume_columns(ctx),
            rows::<PersistentVolume>(store, keys, ctx, printers::storage::print_volume),
        ),
        Kind::ReplicationController => (
            printers::replicaset::COLUMNS,
            rows::<ReplicationController>(
                store,
                keys,
                ctx,
                printers::replicaset::print_replication_controller,
            ),
        ),
        Kind::CronJob => (
            printers::cronjob::columns(&store.profile),
            rows::<CronJob>(store, keys, ctx, printers::cronjob::print),
        ),
        Kind::Node => (printers::node::COLUMNS, rows::<Node>(store, keys, ctx, printers::node::print)),
        Kind::Job => (printers::job::columns(ctx), rows::<Job>(store, keys, ctx, printers::job::print)),
        Kind::Namespace => {
            (printers::namespace::COLUMNS, rows::<Namespace>(store, keys, ctx, printers::namespace::print))
        }
        Kind::Service => {
            (printers::service::COLUMNS, rows::<Service>(store, keys, ctx, printers::service::print))
        }
        Kind::HorizontalPodAutoscaler => {
            (printers::hpa::COLUMNS, rows::<HorizontalPodAutoscaler>(store, keys, ctx, printers::hpa::print))
        }
        Kind::ConfigMap => (
            printers::configmap::CONFIG_MAP_COLUMNS,
            rows::<k8s_openapi::api::core::v1::ConfigMap>(
                store,
                keys,
                ctx,
                printers::configmap::print_config_map,
            ),
        ),
        Kind::Secret => (
            printers::configmap::SECRET_COLUMNS,
            rows::<k8s_openapi::api::core::v1::Secret>(store, keys, ctx, printers::configmap::print_secret),
        ),
        Kind::Endpoints => (
            printers::service::ENDPOINTS_COLUMNS,
            rows::<Endpoints>(store, keys, ctx, printers::service::print_endpoints),
        ),
        Kind::Event => {
            let now = store.clock.at(store.now);
            let by_key = resources::events_by_key(store);
            let rows = keys
                .iter()
                .filter_map(|k| by_key.get(k))
                .map(|e| printers::event::print(e, &store.clock, now))
                .collect();
            (printers::event::COLUMNS, rows)
        }
    }
}

/// The server-side rows of the objects of one stored kind named by `keys` (in `keys`
/// order, skipping any that vanished), each printed by that kind's table printer.
fn rows<T: Object>(
    store: &Store,
    keys: &[ObjKey],
    ctx: &PrintContext,
    print: impl Fn(&T, &PrintContext) -> Row,
) -> Vec<Row> {
    keys.iter().filter_map(|k| store.get_by_key::<T>(k)).map(|o| print(&o, ctx)).collect()
}

/// Client-side decoration and layout of one kind's table; `kind_group`: names are
/// prefixed `kind.group/` (several kinds listed), in the group the objects were read from.
fn render_table(
    columns: &[Column],
    rows: &[Row],
    kind: Kind,
    flags: &flags::Parsed,
    wide: bool,
    all_ns: bool,
    kind_group: Option<&str>,
) -> String {
    let label_columns = flags.strings("label-columns");
    let show_labels = flags.bool("show-labels");
    let namespaced = kind.info().namespaced;
    let visible: Vec<usize> = (0..columns.len()).filter(|&i| wide || !columns[i].wide_only).collect();
    let mut text = String::new();
    let mut push_line = |cells: Vec<String>| {
        text.push_str(&cells.join("\t"));
        text.push('\n');
    };
    if !flags.bool("no-headers") {
        let mut header = Vec::new();
        if all_ns && namespaced {
            header.push("NAMESPACE".to_string());
        }
        header.extend(visible.iter().map(|&i| columns[i].name.to_string()));
        for key in &label_columns {
            header.push(key.rsplit('/').next().unwrap_or(key).to_uppercase());
        }
        if show_labels {
            header.push("LABELS".into());
        }
        push_line(header);
    }
    for row in rows {
        let mut cells = Vec::new();
        if all_ns && namespaced {
            cells.push(row.namespace.clone());
        }
        for &i in &visible {
            if i == 0 {
                let name = match kind_group {
                    Some(group) if kind != Kind::Event => {
                        format!("{}/{}", kind.qualified_singular_in(group), row.name)
                    }
                    _ => row.name.clone(),
                };
                cells.push(name);
            } else {
                cells.push(row.cells[i - 1].clone());
            }
        }
        for key in &label_columns {
            cells.push(row.labels.get(key).cloned().unwrap_or_default());
        }
        if show_labels {
            cells.push(format_labels(Some(&row.labels)));
        }
        push_line(cells);
    }
    tabwriter::format(&text, Config::KUBECTL_GET)
}
