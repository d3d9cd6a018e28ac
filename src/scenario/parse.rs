//! Scenario text → [`Scenario`], or one [`ScenarioError`] with file, line and column.
//!
//! Two stages: serde_yaml reads the text into a `serde_yaml::Value` (syntax errors come
//! with serde_yaml's own position), then this module walks the value, checks every key
//! and type, and builds the model. A problem found in the walk is a [`Fail`] holding the
//! YAML path of the offending node or key; only then is the position looked up
//! ([`locate`]), so a valid file is read once (plus a line scan for step lines).
//!
//! Decisions where the format is silent (also documented on the model types):
//! * `kubernetes:` must be a string; an unquoted `1.33` is a number to YAML (and `1.20`
//!   would become 1.2), so it is refused with a hint to quote it.
//! * A duration may also be the number `0`; any other bare number needs a unit.
//! * Text fields (`expect`, `stderr`, `logs`, `note`, label and capacity values) accept a
//!   number or boolean as written in the file (`expect: 3` for `| wc -l`); an empty
//!   value is the empty text for `expect`, `stderr`, `logs`, `note` and file contents.
//! * `exact`/`unordered` without `expect` or `stderr`, `edit` without `kubectl edit`,
//!   two steps with one snapshot name, two nodes with one name: errors.
//! * `assert`: `name` and `selector` exclude each other, `count` goes with no `name`,
//!   `absent` takes neither `count` nor object fields. Its `kind` must be one the
//!   simulator serves or a built-in Kubernetes kind, so a typo fails the file rather
//!   than a check at run time.
//! * A `run` command line the runner's shell cannot run (a program other than `kubectl`
//!   or `echo`, a pipe stage other than grep/head/tail/wc -l, unbalanced quotes) is an
//!   error at the command's position.
//! * Extensions: `nodes: [worker1, worker2]` (names only), taints written as kubectl
//!   does (`key=value:NoSchedule`), `roles: control-plane` (one role), and a `pod` target
//!   `--selector=...` as well as `-l ...`.

use super::error::ScenarioError;
use super::locate::{self, Seg, Target};
use super::matching::{MatchOptions, check_expectation};
use super::model::*;
use super::shell;
use crate::api::Kind;
use crate::api::kind::KINDS;
use crate::profile::Profile;
use crate::time::{Millis, parse_duration};
use indexmap::IndexMap;
use jiff::Timestamp;
use serde_yaml::{Mapping, Value};

const TOP_LEVEL_KEYS: &[&str] = &[
    "name",
    "description",
    "kubernetes",
    "featureGates",
    "seed",
    "start",
    "cluster",
    "images",
    "files",
    "steps",
];
const CLUSTER_KEYS: &[&str] = &["nodes", "serviceSubnet"];
const NODE_KEYS: &[&str] = &["name", "roles", "labels", "taints", "capacity"];
const TAINT_KEYS: &[&str] = &["key", "value", "effect"];
const IMAGE_KEYS: &[&str] = &["pull", "start", "exit", "terminate", "ready", "live", "logs"];
const ACTIONS: &[&str] = &["run", "wait", "at", "node", "pod", "metrics", "assert", "note", "file"];
const RUN_MODIFIERS: &[&str] = &["expect", "snapshot", "stderr", "status", "exact", "unordered", "edit"];
const NODE_STEP_ACTIONS: &[&str] = &["add", "down", "up", "remove"];
const NODE_STEP_KEYS: &[&str] = &["add", "down", "up", "remove", "labels", "roles", "taints", "capacity"];
const POD_KEYS: &[&str] = &["crash", "exitCode", "container"];
const METRICS_KEYS: &[&str] = &["selector", "cpu"];
const FILE_KEYS: &[&str] = &["name", "content"];
const ASSERT_KEYS: &[&str] = &["kind", "name", "namespace", "selector", "count", "absent", "contains"];

/// `nodes: N` larger than this is refused rather than allocated.
const SHORTHAND_NODES_MAX: u64 = 100_000;

/// Parses one scenario file. `path_for_messages` prefixes every error; `default_name` is
/// the scenario's name when the file gives none (the path below the scenarios root,
/// without extension).
pub fn parse_scenario(
    path_for_messages: &str,
    text: &str,
    default_name: &str,
) -> Result<Scenario, ScenarioError> {
    let parser = Parser { file: path_for_messages, text };
    let root: Value = serde_yaml::from_str(text).map_err(|err| parser.yaml_error(&err))?;
    if root.is_null() {
        return Err(parser.error(1, 1, "empty scenario file (expected at least a `steps:` list)"));
    }
    parser.scenario(&root, default_name).map_err(|fail| parser.locate(fail))
}

/// A problem found while walking the document, before its position is looked up.
#[derive(Debug)]
struct Fail {
    path: Vec<Seg>,
    target: Target,
    message: String,
}

type R<T> = Result<T, Fail>;

/// At the node the path leads to.
fn fail(path: &[Seg], message: impl Into<String>) -> Fail {
    Fail { path: path.to_vec(), target: Target::Node, message: message.into() }
}

/// At the key `key` of the map at `path`.
fn fail_key(path: &[Seg], key: &str, message: impl Into<String>) -> Fail {
    Fail { path: child(path, key), target: Target::Key, message: message.into() }
}

fn child(path: &[Seg], key: &str) -> Vec<Seg> {
    let mut path = path.to_vec();
    path.push(Seg::Key(key.to_string()));
    path
}

fn item(path: &[Seg], index: usize) -> Vec<Seg> {
    let mut path = path.to_vec();
    path.push(Seg::Index(index));
    path
}

/// What a value is, for "expected X, got Y" messages.
fn describe(value: &Value) -> String {
    match value {
        Value::Null => "nothing".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) if s.chars().count() > 40 => {
            format!("{:?}", format!("{}…", s.chars().take(40).collect::<String>()))
        }
        Value::String(s) => format!("{s:?}"),
        Value::Sequence(_) => "a list".into(),
        Value::Mapping(_) => "a map".into(),
        Value::Tagged(tagged) => format!("a value tagged {}", tagged.tag),
    }
}

/// A mapping key as [`locate`] finds it (non-string keys by their plain text).
fn key_text(key: &Value) -> String {
    match key {
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Null => "null".into(),
        _ => String::new(),
    }
}

/// A map's entries, every key a string.
type Entries<'v> = Vec<(&'v str, &'v Value)>;

fn get<'v>(entries: &Entries<'v>, key: &str) -> Option<&'v Value> {
    entries.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

/// `Some(value)` unless missing or written empty (`key:` with nothing).
fn given<'v>(entries: &Entries<'v>, key: &str) -> Option<&'v Value> {
    get(entries, key).filter(|v| !v.is_null())
}

fn check_keys(entries: &Entries, allowed: &[&str], context: &str, path: &[Seg]) -> R<()> {
    match entries.iter().find(|(k, _)| !allowed.contains(k)) {
        Some((key, _)) => Err(fail_key(
            path,
            key,
            format!("unknown {context} key {key:?} (expected one of: {})", allowed.join(", ")),
        )),
        None => Ok(()),
    }
}

struct Parser<'a> {
    file: &'a str,
    text: &'a str,
}

impl Parser<'_> {
    fn error(&self, line: usize, column: usize, message: impl Into<String>) -> ScenarioError {
        ScenarioError::new(self.file, line, column, message)
    }

    fn locate(&self, fail: Fail) -> ScenarioError {
        let pos = locate::locate_or_parent(self.text, &fail.path, fail.target);
        self.error(pos.line, pos.column, fail.message)
    }

    fn yaml_error(&self, err: &serde_yaml::Error) -> ScenarioError {
        let (line, column) = err.location().map_or((1, 1), |l| (l.line(), l.column()));
        let mut message = err.to_string();
        if let Some(loc) = err.location() {
            // serde_yaml appends the position this error carries; it goes in front here.
            let suffix = format!(" at line {} column {}", loc.line(), loc.column());
            if let Some(at) = message.find(&suffix) {
                message.replace_range(at..at + suffix.len(), "");
            }
        }
        let (mut line, mut column) = (line, column);
        if message.contains("more than one document") {
            message = "a scenario file holds one YAML document (found a `---` separator)".into();
            if let Some(at) = second_document(self.text) {
                (line, column) = (at, 1);
            }
        }
        // Errors of libyaml's reader (control characters) carry a byte offset in the
        // message, not a location.
        if let Some((head, offset)) = message.rsplit_once(" at position ")
            && let Ok(offset) = offset.parse::<usize>()
        {
            (line, column) = line_column(self.text, offset);
            message = head.to_string();
        }
        // serde_yaml places a duplicate key at the start of its map, after the map's path;
        // point at the second key instead.
        const DUPLICATE: &str = "duplicate entry with key ";
        if let Some(at) = message.find(DUPLICATE) {
            message.replace_range(..at, "");
            if let Ok(key) = serde_json::from_str::<String>(&message[DUPLICATE.len()..])
                && let Some((l, c)) = second_block_key(self.text, line, column, &key)
            {
                (line, column) = (l, c);
            }
        }
        self.error(line, column, format!("invalid YAML: {message}"))
    }

    /// The mapping's entries; a non-string key fails at the key.
    fn entries<'v>(&self, map: &'v Mapping, path: &[Seg]) -> R<Entries<'v>> {
        map.iter()
            .map(|(k, v)| match k {
                Value::String(s) => Ok((s.as_str(), v)),
                other => Err(fail_key(
                    path,
                    &key_text(other),
                    format!("expected a text key, got {}", describe(other)),
                )),
            })
            .collect()
    }

    /// A map value's entries, or `expected {what}, got ...`.
    fn map_entries<'v>(&self, value: &'v Value, path: &[Seg], field: &str, what: &str) -> R<Entries<'v>> {
        match value {
            Value::Mapping(map) => self.entries(map, path),
            other => Err(fail(path, format!("{field}: expected {what}, got {}", describe(other)))),
        }
    }

    /// A number or boolean exactly as written in the file.
    fn raw_scalar(&self, value: &Value, path: &[Seg]) -> String {
        let fallback = || match value {
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => n.to_string(),
            _ => String::new(),
        };
        let Some(pos) = locate::locate(self.text, path, Target::Node) else {
            return fallback();
        };
        let raw: String = self.text[pos.index..]
            .chars()
            .take_while(|c| !c.is_whitespace() && !",]}#".contains(*c))
            .collect();
        if raw.is_empty() { fallback() } else { raw }
    }

    /// Text: a string, or a number or boolean as written; `empty_ok` lets `key:` with
    /// nothing be the empty text.
    fn text(&self, value: &Value, path: &[Seg], field: &str, empty_ok: bool) -> R<String> {
        match value {
            Value::String(s) => Ok(s.clone()),
            Value::Number(_) | Value::Bool(_) => Ok(self.raw_scalar(value, path)),
            Value::Null if empty_ok => Ok(String::new()),
            other => Err(fail(path, format!("{field}: expected text, got {}", describe(other)))),
        }
    }

    /// A non-empty string (a name, a command, a selector).
    fn name(&self, value: &Value, path: &[Seg], field: &str, what: &str) -> R<String> {
        match value {
            Value::String(s) if !s.trim().is_empty() => Ok(s.clone()),
            other => Err(fail(path, format!("{field}: expected {what}, got {}", describe(other)))),
        }
    }

    fn duration(&self, value: &Value, path: &[Seg], field: &str) -> R<Millis> {
        match value {
            Value::String(s) => parse_duration(s).map_err(|detail| {
                let prefix = format!("invalid duration {s:?}: ");
                let detail = detail.strip_prefix(&prefix).unwrap_or(&detail);
                fail(path, format!("{field}: expected a duration like 30s, got {s:?}: {detail}"))
            }),
            Value::Number(n) if n.as_u64() == Some(0) => Ok(0),
            Value::Number(n) => Err(fail(
                path,
                format!(
                    "{field}: expected a duration like 30s, got the number {n} (add a unit: d, h, m, s or ms)"
                ),
            )),
            other => {
                Err(fail(path, format!("{field}: expected a duration like 30s, got {}", describe(other))))
            }
        }
    }

    fn boolean(&self, value: &Value, path: &[Seg], field: &str) -> R<bool> {
        match value {
            Value::Bool(b) => Ok(*b),
            other => Err(fail(path, format!("{field}: expected true or false, got {}", describe(other)))),
        }
    }

    fn whole_number(&self, value: &Value, path: &[Seg], field: &str, max: u64) -> R<u64> {
        match value.as_u64() {
            Some(n) if n <= max => Ok(n),
            _ => Err(fail(
                path,
                format!("{field}: expected a whole number from 0 to {max}, got {}", describe(value)),
            )),
        }
    }

    fn exit_code(&self, value: &Value, path: &[Seg], field: &str) -> R<i32> {
        match value.as_u64() {
            Some(n) if n <= 255 => Ok(n as i32),
            _ => Err(fail(
                path,
                format!("{field}: expected an exit code from 0 to 255, got {}", describe(value)),
            )),
        }
    }

    fn scenario(&self, root: &Value, default_name: &str) -> R<Scenario> {
        let entries = match root {
            Value::Mapping(map) => self.entries(map, &[])?,
            other => {
                return Err(fail(
                    &[],
                    format!(
                        "expected a map of top-level keys ({}), got {}",
                        TOP_LEVEL_KEYS.join(", "),
                        describe(other)
                    ),
                ));
            }
        };
        check_keys(&entries, TOP_LEVEL_KEYS, "top-level", &[])?;
        let at = |key: &str| child(&[], key);
        let name = match given(&entries, "name") {
            Some(v) => self.name(v, &at("name"), "name", "the scenario's name")?,
            None => default_name.to_string(),
        };
        let description = match given(&entries, "description") {
            Some(v) => Some(self.text(v, &at("description"), "description", true)?),
            None => None,
        };
        let (kubernetes, profile) = match given(&entries, "kubernetes") {
            Some(v) => {
                let text = self.kubernetes(v, &at("kubernetes"))?;
                let profile = Profile::parse(&text).map_err(|message| fail(&at("kubernetes"), message))?;
                (Some(text), profile)
            }
            None => (None, Profile::default()),
        };
        let mut profile = profile;
        if let Some(v) = given(&entries, "featureGates") {
            let path = at("featureGates");
            for (gate, value) in
                self.map_entries(v, &path, "featureGates", "a map of gate names to true/false")?
            {
                let gate_path = child(&path, gate);
                let on = self.boolean(value, &gate_path, gate)?;
                profile.set_feature_gate(gate, on).map_err(|message| fail(&gate_path, message))?;
            }
        }
        let seed = match given(&entries, "seed") {
            Some(v) => self.whole_number(v, &at("seed"), "seed", u64::MAX)?,
            None => 0,
        };
        let start = match given(&entries, "start") {
            Some(v) => Some(self.timestamp(v, &at("start"))?),
            None => None,
        };
        let cluster = match given(&entries, "cluster") {
            Some(v) => self.cluster(v, &at("cluster"))?,
            None => Cluster::default(),
        };
        let images = match given(&entries, "images") {
            Some(v) => self.images(v, &at("images"))?,
            None => IndexMap::new(),
        };
        let files = match given(&entries, "files") {
            Some(v) => self.files(v, &at("files"))?,
            None => IndexMap::new(),
        };
        let steps = match get(&entries, "steps") {
            Some(v) => self.steps(v, &at("steps"))?,
            None => {
                return Err(fail(&[], "missing top-level key \"steps\" (the list of steps to run)"));
            }
        };
        Ok(Scenario { name, description, kubernetes, profile, seed, start, cluster, images, files, steps })
    }

    fn kubernetes(&self, value: &Value, path: &[Seg]) -> R<String> {
        match value {
            Value::String(s) => Ok(s.clone()),
            Value::Number(_) => Err(fail(
                path,
                format!(
                    "kubernetes: expected a version in quotes like \"1.33\", got {} (YAML reads an unquoted 1.20 as 1.2)",
                    describe(value)
                ),
            )),
            other => Err(fail(
                path,
                format!("kubernetes: expected a version in quotes like \"1.33\", got {}", describe(other)),
            )),
        }
    }

    fn timestamp(&self, value: &Value, path: &[Seg]) -> R<Timestamp> {
        let expected = "start: expected a timestamp like 2024-05-31T10:00:00Z";
        match value {
            Value::String(s) => {
                s.trim().parse::<Timestamp>().map_err(|_| fail(path, format!("{expected}, got {s:?}")))
            }
            other => Err(fail(path, format!("{expected}, got {}", describe(other)))),
        }
    }

    fn cluster(&self, value: &Value, path: &[Seg]) -> R<Cluster> {
        let entries = self.map_entries(value, path, "cluster", "a map with `nodes:`")?;
        check_keys(&entries, CLUSTER_KEYS, "cluster", path)?;
        let service_subnet = match given(&entries, "serviceSubnet") {
            None => None,
            Some(v) => {
                let at = child(path, "serviceSubnet");
                let text = self.text(v, &at, "serviceSubnet", false)?;
                Some(crate::api::admission::parse_cidr(&text).ok_or_else(|| {
                    fail(&at, format!("serviceSubnet: expected an IPv4 CIDR like 10.96.0.0/12, got {text:?}"))
                })?)
            }
        };
        let path = child(path, "nodes");
        let nodes = match given(&entries, "nodes") {
            None => return Ok(Cluster { service_subnet, ..Cluster::default() }),
            Some(Value::Number(_)) => {
                let n =
                    self.whole_number(get(&entries, "nodes").unwrap(), &path, "nodes", SHORTHAND_NODES_MAX)?;
                (1..=n).map(|i| NodeSpec::named(format!("node-{i}"))).collect()
            }
            Some(Value::Sequence(items)) => {
                let mut nodes: Vec<NodeSpec> = Vec::with_capacity(items.len());
                for (i, node) in items.iter().enumerate() {
                    let path = item(&path, i);
                    let spec = self.cluster_node(node, &path)?;
                    if nodes.iter().any(|n| n.name == spec.name) {
                        let name_path = if node.is_string() { path } else { child(&path, "name") };
                        return Err(fail(&name_path, format!("duplicate node name {:?}", spec.name)));
                    }
                    nodes.push(spec);
                }
                nodes
            }
            Some(other) => {
                return Err(fail(
                    &path,
                    format!("nodes: expected a list of nodes or a number of nodes, got {}", describe(other)),
                ));
            }
        };
        Ok(Cluster { nodes, service_subnet })
    }

    fn cluster_node(&self, value: &Value, path: &[Seg]) -> R<NodeSpec> {
        if let Value::String(_) = value {
            return Ok(NodeSpec::named(self.name(value, path, "node", "a node name")?));
        }
        let entries = self.map_entries(value, path, "node", "a map like {name: worker1}")?;
        check_keys(&entries, NODE_KEYS, "node", path)?;
        let name = match get(&entries, "name") {
            Some(v) => self.name(v, &child(path, "name"), "name", "a node name")?,
            None => return Err(fail(path, "node: missing \"name\"")),
        };
        let mut spec = NodeSpec::named(name);
        self.node_details(&entries, path, &mut spec)?;
        Ok(spec)
    }

    /// `roles`, `labels`, `taints` and `capacity` of a node.
    fn node_details(&self, entries: &Entries, path: &[Seg], spec: &mut NodeSpec) -> R<()> {
        if let Some(v) = given(entries, "roles") {
            spec.roles = self.roles(v, &child(path, "roles"))?;
        }
        if let Some(v) = given(entries, "labels") {
            spec.labels = self.string_map(v, &child(path, "labels"), "labels")?;
        }
        if let Some(v) = given(entries, "taints") {
            spec.taints = self.taints(v, &child(path, "taints"))?;
        }
        if let Some(v) = given(entries, "capacity") {
            spec.capacity = self.string_map(v, &child(path, "capacity"), "capacity")?;
        }
        Ok(())
    }

    fn roles(&self, value: &Value, path: &[Seg]) -> R<Vec<String>> {
        match value {
            Value::String(_) => Ok(vec![self.name(value, path, "roles", "a role name")?]),
            Value::Sequence(items) => items
                .iter()
                .enumerate()
                .map(|(i, role)| self.name(role, &item(path, i), "roles", "a role name"))
                .collect(),
            other => {
                Err(fail(path, format!("roles: expected a list of role names, got {}", describe(other))))
            }
        }
    }

    /// A map of names to short text values (labels, capacity).
    fn string_map(&self, value: &Value, path: &[Seg], field: &str) -> R<IndexMap<String, String>> {
        let entries = self.map_entries(value, path, field, "a map")?;
        let mut out = IndexMap::new();
        for (key, v) in entries {
            let text = match v {
                Value::String(_) | Value::Number(_) | Value::Bool(_) => {
                    self.text(v, &child(path, key), key, false)?
                }
                Value::Null => String::new(),
                other => {
                    return Err(fail(
                        &child(path, key),
                        format!("{key}: expected a text value, got {}", describe(other)),
                    ));
                }
            };
            out.insert(key.to_string(), text);
        }
        Ok(out)
    }

    fn taints(&self, value: &Value, path: &[Seg]) -> R<Vec<Taint>> {
        let Value::Sequence(items) = value else {
            return Err(fail(path, format!("taints: expected a list of taints, got {}", describe(value))));
        };
        items.iter().enumerate().map(|(i, taint)| self.taint(taint, &item(path, i))).collect()
    }

    fn taint(&self, value: &Value, path: &[Seg]) -> R<Taint> {
        if let Value::String(s) = value {
            return parse_taint_string(s).ok_or_else(|| {
                fail(
                    path,
                    format!("taint: expected KEY[=VALUE]:EFFECT or a map {{key, value, effect}}, got {s:?}"),
                )
            });
        }
        let entries = self.map_entries(value, path, "taint", "a map like {key: k, effect: NoSchedule}")?;
        check_keys(&entries, TAINT_KEYS, "taint", path)?;
        let key = match get(&entries, "key") {
            Some(v) => self.name(v, &child(path, "key"), "key", "a taint key")?,
            None => return Err(fail(path, "taint: missing \"key\"")),
        };
        let value = match given(&entries, "value") {
            Some(v) => Some(self.text(v, &child(path, "value"), "value", false)?),
            None => None,
        };
        let effect = match get(&entries, "effect") {
            Some(v) => self.taint_effect(v, &child(path, "effect"))?,
            None => {
                return Err(fail(
                    path,
                    "taint: missing \"effect\" (NoSchedule, PreferNoSchedule or NoExecute)",
                ));
            }
        };
        Ok(Taint { key, value, effect })
    }

    fn taint_effect(&self, value: &Value, path: &[Seg]) -> R<TaintEffect> {
        let found = value.as_str().and_then(|s| TaintEffect::ALL.into_iter().find(|e| e.as_str() == s));
        found.ok_or_else(|| {
            fail(
                path,
                format!(
                    "effect: expected NoSchedule, PreferNoSchedule or NoExecute, got {}",
                    describe(value)
                ),
            )
        })
    }

    fn images(&self, value: &Value, path: &[Seg]) -> R<IndexMap<String, ImageBehaviour>> {
        let entries = self.map_entries(value, path, "images", "a map of image references")?;
        let mut images = IndexMap::new();
        for (image, body) in entries {
            let behaviour = self.image(body, &child(path, image))?;
            images.insert(image.to_string(), behaviour);
        }
        Ok(images)
    }

    fn image(&self, value: &Value, path: &[Seg]) -> R<ImageBehaviour> {
        if value.is_null() {
            return Ok(ImageBehaviour::default());
        }
        let entries = self.map_entries(value, path, "image", "a map like {pull: 1s, exit: never}")?;
        check_keys(&entries, IMAGE_KEYS, "image", path)?;
        let at = |key: &str| child(path, key);
        let mut image = ImageBehaviour::default();
        if let Some(v) = given(&entries, "pull") {
            image.pull = Some(self.pull(v, &at("pull"))?);
        }
        if let Some(v) = given(&entries, "start") {
            image.start = Some(self.duration(v, &at("start"), "start")?);
        }
        if let Some(v) = given(&entries, "exit") {
            image.exit = Some(self.exit(v, &at("exit"))?);
        }
        if let Some(v) = given(&entries, "terminate") {
            image.terminate = Some(self.duration(v, &at("terminate"), "terminate")?);
        }
        if let Some(v) = given(&entries, "ready") {
            image.ready = Some(self.ready(v, &at("ready"))?);
        }
        if let Some(v) = given(&entries, "live") {
            image.live = Some(self.live(v, &at("live"))?);
        }
        if let Some(v) = get(&entries, "logs") {
            image.logs = Some(self.text(v, &at("logs"), "logs", true)?);
        }
        Ok(image)
    }

    fn pull(&self, value: &Value, path: &[Seg]) -> R<Pull> {
        let expected = "pull: expected a duration like 1s, error, never or {error: true, after: 45s}";
        match value {
            Value::String(s) if s == "error" => Ok(Pull::Error { after: None }),
            Value::String(s) if s == "never" => Ok(Pull::Never),
            Value::String(s) => match parse_duration(s) {
                Ok(after) => Ok(Pull::After(after)),
                Err(_) => Err(fail(path, format!("{expected}, got {s:?}"))),
            },
            Value::Number(_) => Ok(Pull::After(self.duration(value, path, "pull")?)),
            Value::Mapping(map) => {
                let entries = self.entries(map, path)?;
                check_keys(&entries, &["error", "after"], "pull", path)?;
                let error = match given(&entries, "error") {
                    Some(v) => self.boolean(v, &child(path, "error"), "error")?,
                    None => false,
                };
                let after = match given(&entries, "after") {
                    Some(v) => Some(self.duration(v, &child(path, "after"), "after")?),
                    None => None,
                };
                match (error, after) {
                    (true, after) => Ok(Pull::Error { after }),
                    (false, Some(after)) => Ok(Pull::After(after)),
                    (false, None) => Err(fail(path, "pull: expected `error: true` or `after: DURATION`")),
                }
            }
            other => Err(fail(path, format!("{expected}, got {}", describe(other)))),
        }
    }

    fn exit(&self, value: &Value, path: &[Seg]) -> R<Exit> {
        match value {
            Value::String(s) if s == "never" => Ok(Exit::Never),
            Value::Mapping(map) => {
                let entries = self.entries(map, path)?;
                check_keys(&entries, &["after", "code"], "exit", path)?;
                let after = match given(&entries, "after") {
                    Some(v) => self.duration(v, &child(path, "after"), "after")?,
                    None => 0,
                };
                let code = match given(&entries, "code") {
                    Some(v) => self.exit_code(v, &child(path, "code"), "code")?,
                    None => 0,
                };
                Ok(Exit::After { after, code })
            }
            other => Err(fail(
                path,
                format!("exit: expected never or {{after: 30s, code: 0}}, got {}", describe(other)),
            )),
        }
    }

    fn ready(&self, value: &Value, path: &[Seg]) -> R<Ready> {
        match value {
            Value::String(s) if s == "always" => Ok(Ready::Always),
            Value::String(s) if s == "never" => Ok(Ready::Never),
            Value::Mapping(map) => {
                let entries = self.entries(map, path)?;
                check_keys(&entries, &["after"], "ready", path)?;
                match get(&entries, "after") {
                    Some(v) => Ok(Ready::After(self.duration(v, &child(path, "after"), "after")?)),
                    None => Err(fail(path, "ready: missing \"after\"")),
                }
            }
            other => Err(fail(
                path,
                format!("ready: expected always, never or {{after: 10s}}, got {}", describe(other)),
            )),
        }
    }

    fn live(&self, value: &Value, path: &[Seg]) -> R<Live> {
        match value {
            Value::String(s) if s == "always" => Ok(Live::Always),
            Value::Mapping(map) => {
                let entries = self.entries(map, path)?;
                check_keys(&entries, &["failAfter"], "live", path)?;
                match get(&entries, "failAfter") {
                    Some(v) => {
                        let n =
                            self.whole_number(v, &child(path, "failAfter"), "failAfter", u32::MAX.into())?;
                        Ok(Live::FailAfter(n as u32))
                    }
                    None => Err(fail(path, "live: missing \"failAfter\"")),
                }
            }
            other => {
                Err(fail(path, format!("live: expected always or {{failAfter: 5}}, got {}", describe(other))))
            }
        }
    }

    fn files(&self, value: &Value, path: &[Seg]) -> R<IndexMap<String, String>> {
        let entries = self.map_entries(value, path, "files", "a map of file names to their text")?;
        let mut files = IndexMap::new();
        for (name, body) in entries {
            let text = match body {
                Value::String(s) => s.clone(),
                Value::Null => String::new(),
                other => {
                    return Err(fail(
                        &child(path, name),
                        format!(
                            "{name}: expected the file's text (a block like `{name}: |`), got {}",
                            describe(other)
                        ),
                    ));
                }
            };
            files.insert(name.to_string(), text);
        }
        Ok(files)
    }

    fn steps(&self, value: &Value, path: &[Seg]) -> R<Vec<Step>> {
        let items = match value {
            Value::Null => return Ok(Vec::new()),
            Value::Sequence(items) => items,
            other => {
                return Err(fail(path, format!("steps: expected a list of steps, got {}", describe(other))));
            }
        };
        let actions: Vec<Action> =
            items.iter().enumerate().map(|(i, step)| self.step(step, &item(path, i))).collect::<R<_>>()?;
        let lines = match locate::sequence_item_lines(self.text, "steps") {
            Some(lines) if lines.len() == actions.len() => lines,
            _ => (0..actions.len())
                .map(|i| locate::locate_or_parent(self.text, &item(path, i), Target::Node).line)
                .collect(),
        };
        let steps: Vec<Step> =
            lines.into_iter().zip(actions).map(|(line, action)| Step { line, action }).collect();
        check_snapshot_names(&steps, path)?;
        Ok(steps)
    }

    fn step(&self, value: &Value, path: &[Seg]) -> R<Action> {
        let entries = self.map_entries(value, path, "step", "a map like `- run: kubectl get pods`")?;
        let mut action: Option<&str> = None;
        for (key, _) in &entries {
            if ACTIONS.contains(key) {
                if let Some(first) = action {
                    return Err(fail_key(
                        path,
                        key,
                        format!(
                            "step has two actions, {first:?} and {key:?} (a step takes exactly one of: {})",
                            ACTIONS.join(", ")
                        ),
                    ));
                }
                action = Some(key);
            }
        }
        let Some(action) = action else {
            if let Some((key, _)) = entries.iter().find(|(k, _)| !RUN_MODIFIERS.contains(k)) {
                return Err(fail_key(
                    path,
                    key,
                    format!("unknown step key {key:?} (expected one of: {})", ACTIONS.join(", ")),
                ));
            }
            return Err(fail(path, format!("step has no action (expected one of: {})", ACTIONS.join(", "))));
        };
        let modifiers: &[&str] = if action == "run" { RUN_MODIFIERS } else { &[] };
        for (key, _) in &entries {
            if *key == action || modifiers.contains(key) {
                continue;
            }
            let message = if RUN_MODIFIERS.contains(key) {
                format!("{key:?} is not allowed on a {action} step (only run takes modifiers)")
            } else if modifiers.is_empty() {
                format!("unknown step key {key:?} (a {action} step takes no other keys)")
            } else {
                format!("unknown step key {key:?} (expected one of: {})", modifiers.join(", "))
            };
            return Err(fail_key(path, key, message));
        }
        let body = get(&entries, action).expect("the action key is present");
        let at = child(path, action);
        Ok(match action {
            "run" => Action::Run(self.run(&entries, path)?),
            "wait" => Action::Wait(self.duration(body, &at, "wait")?),
            "at" => Action::At(self.duration(body, &at, "at")?),
            "node" => Action::Node(self.node_step(body, &at)?),
            "pod" => Action::Pod(self.pod_step(body, &at)?),
            "metrics" => Action::Metrics(self.metrics_step(body, &at)?),
            "assert" => Action::Assert(self.assert_step(body, &at)?),
            "note" => Action::Note(self.text(body, &at, "note", true)?),
            "file" => Action::File(self.file_step(body, &at)?),
            _ => unreachable!("every action is handled"),
        })
    }

    fn run(&self, entries: &Entries, path: &[Seg]) -> R<Run> {
        let at = |key: &str| child(path, key);
        let command = self.name(get(entries, "run").unwrap(), &at("run"), "run", "a command line")?;
        let mut run = Run { command, ..Run::default() };
        if let Some(v) = get(entries, "expect") {
            run.expect = Some(self.text(v, &at("expect"), "expect", true)?);
        }
        if let Some(v) = get(entries, "stderr") {
            run.stderr = Some(self.text(v, &at("stderr"), "stderr", true)?);
        }
        if let Some(v) = get(entries, "snapshot") {
            run.snapshot = Some(self.snapshot_name(v, &at("snapshot"))?);
        }
        if let Some(v) = get(entries, "status") {
            run.status = Some(self.exit_code(v, &at("status"), "status")?);
        }
        if let Some(v) = get(entries, "exact") {
            run.exact = self.boolean(v, &at("exact"), "exact")?;
        }
        if let Some(v) = get(entries, "unordered") {
            run.unordered = self.boolean(v, &at("unordered"), "unordered")?;
        }
        if let Some(v) = get(entries, "edit") {
            run.edit = Some(self.edit_patch(v, &at("edit"))?);
            if !run.command.split_whitespace().any(|word| word == "edit") {
                return Err(fail_key(path, "edit", "\"edit\" is only allowed with `kubectl edit`"));
            }
        }
        for (flag, on) in [("exact", run.exact), ("unordered", run.unordered)] {
            if on && run.expect.is_none() && run.stderr.is_none() {
                return Err(fail_key(
                    path,
                    flag,
                    format!("{flag:?} has no effect without \"expect\" or \"stderr\""),
                ));
            }
        }
        let opts = MatchOptions { exact: run.exact, unordered: run.unordered };
        for (field, text) in [("expect", &run.expect), ("stderr", &run.stderr)] {
            if let Some(text) = text {
                check_expectation(text, opts)
                    .map_err(|message| fail(&at(field), format!("{field}: {message}")))?;
            }
        }
        // Last, so that a key or type error in the step is reported first. The runner
        // can only run what its little shell understands (`kubectl`/`echo`, one pipe
        // stage); anything else is known now, so it is an error at the command's text.
        shell::parse_command_line(&run.command)
            .map_err(|message| fail(&at("run"), format!("run: {message}")))?;
        Ok(run)
    }

    fn snapshot_name(&self, value: &Value, path: &[Seg]) -> R<String> {
        let valid = |s: &str| {
            !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        };
        match value {
            Value::String(s) if valid(s) => Ok(s.clone()),
            other => Err(fail(
                path,
                format!(
                    "snapshot: expected a name of letters, digits, '.', '_' and '-', got {}",
                    describe(other)
                ),
            )),
        }
    }

    fn edit_patch(&self, value: &Value, path: &[Seg]) -> R<serde_json::Value> {
        if !value.is_mapping() {
            return Err(fail(
                path,
                format!("edit: expected a map (the merge patch the editor applies), got {}", describe(value)),
            ));
        }
        serde_json::to_value(value).map_err(|err| fail(path, format!("edit: not usable as JSON: {err}")))
    }

    fn node_step(&self, value: &Value, path: &[Seg]) -> R<NodeAction> {
        let entries = self.map_entries(value, path, "node", "a map like {add: worker2}")?;
        check_keys(&entries, NODE_STEP_KEYS, "node", path)?;
        let mut which: Option<&str> = None;
        for (key, _) in &entries {
            if NODE_STEP_ACTIONS.contains(key) {
                if let Some(first) = which {
                    return Err(fail_key(
                        path,
                        key,
                        format!(
                            "node step has both {first:?} and {key:?} (it takes one of: add, down, up, remove)"
                        ),
                    ));
                }
                which = Some(key);
            }
        }
        let Some(which) = which else {
            return Err(fail(path, "node: expected one of add, down, up or remove"));
        };
        let name = self.name(get(&entries, which).unwrap(), &child(path, which), which, "a node name")?;
        if which != "add"
            && let Some((key, _)) = entries.iter().find(|(k, _)| *k != which)
        {
            return Err(fail_key(path, key, format!("{key:?} is only allowed with \"add\"")));
        }
        Ok(match which {
            "add" => {
                let mut spec = NodeSpec::named(name);
                self.node_details(&entries, path, &mut spec)?;
                NodeAction::Add(spec)
            }
            "down" => NodeAction::Down(name),
            "up" => NodeAction::Up(name),
            _ => NodeAction::Remove(name),
        })
    }

    fn pod_step(&self, value: &Value, path: &[Seg]) -> R<PodAction> {
        let entries = self.map_entries(value, path, "pod", "a map like {crash: web-0}")?;
        check_keys(&entries, POD_KEYS, "pod", path)?;
        let target = match get(&entries, "crash") {
            Some(v) => {
                let text = self.name(v, &child(path, "crash"), "crash", "a pod name or \"-l SELECTOR\"")?;
                pod_target(&text)
                    .ok_or_else(|| fail(&child(path, "crash"), "crash: the selector after -l is empty"))?
            }
            None => {
                return Err(fail(path, "pod: expected {crash: POD} (crash is the only pod fault)"));
            }
        };
        let exit_code = match given(&entries, "exitCode") {
            Some(v) => self.exit_code(v, &child(path, "exitCode"), "exitCode")?,
            None => DEFAULT_CRASH_EXIT_CODE,
        };
        let container = match given(&entries, "container") {
            Some(v) => Some(self.name(v, &child(path, "container"), "container", "a container name")?),
            None => None,
        };
        Ok(PodAction::Crash { target, exit_code, container })
    }

    fn file_step(&self, value: &Value, path: &[Seg]) -> R<FileWrite> {
        let entries = self.map_entries(value, path, "file", "a map like {name: web.yaml, content: ...}")?;
        check_keys(&entries, FILE_KEYS, "file", path)?;
        let name = match get(&entries, "name") {
            Some(v) => self.name(v, &child(path, "name"), "name", "a file name")?,
            None => return Err(fail(path, "file: missing \"name\"")),
        };
        let content = match get(&entries, "content") {
            Some(v) => self.text(v, &child(path, "content"), "content", true)?,
            None => return Err(fail(path, "file: missing \"content\"")),
        };
        Ok(FileWrite { name, content })
    }

    fn metrics_step(&self, value: &Value, path: &[Seg]) -> R<Metrics> {
        let entries =
            self.map_entries(value, path, "metrics", "a map like {selector: app=web, cpu: 250m}")?;
        check_keys(&entries, METRICS_KEYS, "metrics", path)?;
        let selector = match get(&entries, "selector") {
            Some(v) => self.name(v, &child(path, "selector"), "selector", "a label selector")?,
            None => return Err(fail(path, "metrics: missing \"selector\"")),
        };
        let Some(cpu_value) = get(&entries, "cpu") else {
            return Err(fail(path, "metrics: missing \"cpu\""));
        };
        let cpu_path = child(path, "cpu");
        let cpu = match cpu_value {
            Value::String(_) | Value::Number(_) => self.text(cpu_value, &cpu_path, "cpu", false)?,
            _ => String::new(),
        };
        let cpu_millicores = cpu_millicores(&cpu).ok_or_else(|| {
            fail(
                &cpu_path,
                format!("cpu: expected a CPU quantity like 250m or 0.5, got {}", describe(cpu_value)),
            )
        })?;
        Ok(Metrics { selector, cpu, cpu_millicores })
    }

    fn assert_step(&self, value: &Value, path: &[Seg]) -> R<Assert> {
        let entries = self.map_entries(value, path, "assert", "a map like {kind: Pod, name: web-0}")?;
        let at = |key: &str| child(path, key);
        let mut assert = Assert::default();
        match get(&entries, "kind") {
            Some(v) => assert.kind = self.name(v, &at("kind"), "kind", "a kind like Deployment")?,
            None => return Err(fail(path, "assert: missing \"kind\"")),
        }
        check_kind(&assert.kind).map_err(|message| fail(&at("kind"), message))?;
        for (field, slot) in [
            ("name", &mut assert.name),
            ("namespace", &mut assert.namespace),
            ("selector", &mut assert.selector),
        ] {
            if let Some(v) = get(&entries, field) {
                *slot = Some(self.name(v, &at(field), field, "text")?);
            }
        }
        if let Some(v) = get(&entries, "count") {
            assert.count = Some(self.whole_number(v, &at("count"), "count", u64::MAX)?);
        }
        if let Some(v) = get(&entries, "absent") {
            assert.absent = self.boolean(v, &at("absent"), "absent")?;
        }
        if let Some(v) = get(&entries, "contains") {
            assert.contains = self.boolean(v, &at("contains"), "contains")?;
        }
        for (key, v) in entries.iter().filter(|(k, _)| !ASSERT_KEYS.contains(k)) {
            let json = serde_json::to_value(v)
                .map_err(|err| fail(&at(key), format!("{key}: not usable as an object field: {err}")))?;
            assert.fragment.insert(key.to_string(), json);
        }
        if assert.name.is_some() && assert.selector.is_some() {
            return Err(fail_key(path, "selector", "give \"name\" or \"selector\", not both"));
        }
        if assert.count.is_some() && assert.name.is_some() {
            return Err(fail_key(
                path,
                "count",
                "\"count\" goes with \"selector\" (or neither), not with \"name\"",
            ));
        }
        if assert.absent {
            if assert.count.is_some() {
                return Err(fail_key(path, "count", "\"absent: true\" and \"count\" exclude each other"));
            }
            if let Some(key) = assert.fragment.keys().next() {
                return Err(fail_key(
                    path,
                    key,
                    format!("\"absent: true\" takes no object fields (found {key:?})"),
                ));
            }
        }
        Ok(assert)
    }
}

/// In a block map that starts at `line`:`column` (1-based), the position of the second
/// key written `key` (plain or quoted) at the map's column, before the map ends.
fn second_block_key(text: &str, line: usize, column: usize, key: &str) -> Option<(usize, usize)> {
    let spellings = [key.to_string(), format!("{key:?}"), format!("'{key}'")];
    let mut hits = 0;
    for (number, source_line) in text.lines().enumerate().skip(line.checked_sub(1)?) {
        let chars: Vec<char> = source_line.chars().collect();
        let indent = chars.iter().take_while(|c| **c == ' ').count();
        let blank = chars[indent..].is_empty() || chars[indent] == '#';
        if number + 1 > line && !blank && indent < column - 1 {
            return None;
        }
        let Some(rest) = chars.get(column - 1..) else {
            continue;
        };
        let rest: String = rest.iter().collect();
        let is_key = spellings.iter().any(|spelling| {
            rest.strip_prefix(spelling.as_str()).is_some_and(|after| after.trim_start().starts_with(':'))
        });
        if is_key {
            hits += 1;
            if hits == 2 {
                return Some((number + 1, column));
            }
        }
    }
    None
}

/// The 1-based line and column (in characters) of a byte offset into the text.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut end = offset.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let before = &text[..end];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, column)
}

/// The line of the `---` that starts a second document: the first one when content comes
/// before it, else the second one.
fn second_document(text: &str) -> Option<usize> {
    let mut content = false;
    for (number, line) in text.lines().enumerate() {
        let line = line.trim_start_matches('\u{feff}');
        let marker =
            line.strip_prefix("---").is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']));
        if marker && content {
            return Some(number + 1);
        }
        let trimmed = line.trim();
        content |= marker || !(trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with('%'));
    }
    None
}

/// Two snapshot steps with one name would overwrite each other's file.
fn check_snapshot_names(steps: &[Step], path: &[Seg]) -> R<()> {
    let mut seen: IndexMap<&str, usize> = IndexMap::new();
    for (i, step) in steps.iter().enumerate() {
        let Action::Run(Run { snapshot: Some(name), .. }) = &step.action else {
            continue;
        };
        if let Some(line) = seen.get(name.as_str()) {
            return Err(fail(
                &child(&item(path, i), "snapshot"),
                format!("snapshot {name:?} is already used by the step at line {line}"),
            ));
        }
        seen.insert(name, step.line);
    }
    Ok(())
}

/// Kinds of the Kubernetes API (built in, every served group). An `assert` may name one
/// of these even when the simulator does not serve it yet (the run then fails that
/// check); any other name is a typo and fails the file.
const KUBERNETES_KINDS: &[&str] = &[
    "APIService",
    "Binding",
    "CertificateSigningRequest",
    "ClusterRole",
    "ClusterRoleBinding",
    "ComponentStatus",
    "ConfigMap",
    "ControllerRevision",
    "CronJob",
    "CSIDriver",
    "CSINode",
    "CSIStorageCapacity",
    "CustomResourceDefinition",
    "DaemonSet",
    "Deployment",
    "EndpointSlice",
    "Endpoints",
    "Event",
    "FlowSchema",
    "HorizontalPodAutoscaler",
    "Ingress",
    "IngressClass",
    "Job",
    "Lease",
    "LimitRange",
    "MutatingWebhookConfiguration",
    "Namespace",
    "NetworkPolicy",
    "Node",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "Pod",
    "PodDisruptionBudget",
    "PodSecurityPolicy",
    "PodTemplate",
    "PriorityClass",
    "PriorityLevelConfiguration",
    "ReplicaSet",
    "ReplicationController",
    "ResourceQuota",
    "Role",
    "RoleBinding",
    "RuntimeClass",
    "Secret",
    "Service",
    "ServiceAccount",
    "StatefulSet",
    "StorageClass",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "ValidatingWebhookConfiguration",
    "VolumeAttachment",
];

/// An `assert` kind: one the simulated apiserver serves (as kubectl names it: `Pod`,
/// `pods`, `po`, `replicasets.apps`) or a Kubernetes kind; else an error that suggests
/// the nearest kind and lists the served ones.
fn check_kind(kind: &str) -> Result<(), String> {
    if Kind::resolve(kind).is_some() || KUBERNETES_KINDS.iter().any(|k| k.eq_ignore_ascii_case(kind)) {
        return Ok(());
    }
    let lower = kind.to_ascii_lowercase();
    let nearest = KUBERNETES_KINDS
        .iter()
        .copied()
        .chain(KINDS.iter().map(|k| k.name))
        .map(|k| (edit_distance(&lower, &k.to_ascii_lowercase()), k))
        .min();
    let mut served: Vec<&str> = KINDS.iter().map(|k| k.name).collect();
    served.sort_unstable();
    let hint = match nearest {
        Some((distance, k)) if distance <= 1.max(kind.chars().count() / 4) => format!("did you mean {k:?}? "),
        _ => String::new(),
    };
    Err(format!("kind: unknown kind {kind:?} ({hint}the simulator serves: {})", served.join(", ")))
}

/// Levenshtein distance, in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (row[j + 1] + 1).min(row[j] + 1).min(diagonal + usize::from(ca != *cb));
            diagonal = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

/// `KEY[=VALUE]:EFFECT`, as `kubectl taint` writes it.
fn parse_taint_string(text: &str) -> Option<Taint> {
    let (key_value, effect) = text.rsplit_once(':')?;
    let effect = TaintEffect::ALL.into_iter().find(|e| e.as_str() == effect)?;
    let (key, value) = match key_value.split_once('=') {
        Some((key, value)) => (key, Some(value.to_string())),
        None => (key_value, None),
    };
    (!key.is_empty()).then(|| Taint { key: key.to_string(), value, effect })
}

/// `-l app=web`, `-lapp=web`, `--selector=app=web`, `--selector app=web` → a selector;
/// anything else is a pod name. `None` for an empty selector.
fn pod_target(text: &str) -> Option<PodTarget> {
    let text = text.trim();
    let selector = text.strip_prefix("--selector").or_else(|| text.strip_prefix("-l"));
    match selector {
        Some(rest) => {
            let rest = rest.trim_start();
            let rest = rest.strip_prefix('=').unwrap_or(rest).trim();
            (!rest.is_empty()).then(|| PodTarget::Selector(rest.to_string()))
        }
        None => Some(PodTarget::Name(text.to_string())),
    }
}

/// `250m` → 250, `1` → 1000, `0.5` → 500, `1.25` → 1250. No exponents or other suffixes.
fn cpu_millicores(text: &str) -> Option<u64> {
    if let Some(milli) = text.strip_suffix('m') {
        return if !milli.is_empty() && milli.bytes().all(|b| b.is_ascii_digit()) {
            milli.parse().ok()
        } else {
            None
        };
    }
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() && fraction.is_empty() || !digits(whole) || !digits(fraction) || fraction.len() > 3 {
        return None;
    }
    let whole: u64 = if whole.is_empty() { 0 } else { whole.parse().ok()? };
    let fraction: u64 = format!("{fraction:0<3}").parse().ok()?;
    whole.checked_mul(1000)?.checked_add(fraction)
}

#[cfg(test)]
mod tests;
