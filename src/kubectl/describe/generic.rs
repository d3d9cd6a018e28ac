//! kubectl's `genericDescriber`, used for kinds without a describer of their own
//! (ControllerRevision): name, namespace, labels, annotations, then every other field
//! of the object as `printUnstructuredContent` walks it (keys sorted, labels made by
//! `smartLabelFor`), then events.

use serde_json::{Map, Value};

use super::DescribeEnv;
use super::events::describe_events;
use super::writer::{Writer, annotations, labels};

/// Fields the generic describer prints itself or leaves out.
const SKIPPED: &[&str] = &[
    ".metadata.managedFields",
    ".metadata.name",
    ".metadata.namespace",
    ".metadata.labels",
    ".metadata.annotations",
];

/// Renders `kubectl describe` of an object given as the JSON the API serves.
pub fn describe_generic(obj: &Value, env: &DescribeEnv) -> String {
    let style = env.style();
    let mut w = Writer::new(&style);
    let meta = obj.get("metadata");
    let text =
        |field: &str| meta.and_then(|m| m.get(field)).and_then(Value::as_str).unwrap_or("").to_string();
    w.field(0, "Name", text("name"));
    w.field(0, "Namespace", text("namespace"));
    let map_of =
        |field: &str| meta.and_then(|m| m.get(field)).and_then(|v| serde_json::from_value(v.clone()).ok());
    labels(&mut w, "Labels", map_of("labels").as_ref());
    annotations(&mut w, "Annotations", map_of("annotations").as_ref());
    if let Some(content) = obj.as_object() {
        unstructured_content(&mut w, 0, content, "");
    }
    describe_events(&mut w, env, &env.events);
    w.finish()
}

/// `printUnstructuredContent`: maps open a section, lists print their items one level
/// deeper (maps recursively, scalars with `%v`), scalars print `Label:\tvalue`.
fn unstructured_content(w: &mut Writer, level: usize, content: &Map<String, Value>, prefix: &str) {
    let mut fields: Vec<&String> = content.keys().collect();
    fields.sort();
    for field in fields {
        let path = format!("{prefix}.{field}");
        if SKIPPED.contains(&path.as_str()) {
            continue;
        }
        match &content[field] {
            Value::Object(map) => {
                w.line(level, &format!("{}:", smart_label(field)));
                unstructured_content(w, level + 1, map, &path);
            }
            Value::Array(items) => {
                w.line(level, &format!("{}:", smart_label(field)));
                for item in items {
                    match item {
                        Value::Object(map) => unstructured_content(w, level + 1, map, &path),
                        other => w.line(level + 1, &go_value(other)),
                    }
                }
            }
            other => w.field(level, &smart_label(field), go_value(other)),
        }
    }
}

/// Go's `%v` of a decoded JSON scalar.
fn go_value(v: &Value) -> String {
    match v {
        Value::Null => "<nil>".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `smartLabelFor`: camel-case words title-cased, common acronyms upper-cased; names
/// with characters other than letters and `-` are kept as they are.
fn smart_label(field: &str) -> String {
    if field.chars().any(|c| !c.is_alphabetic() && c != '-') {
        return field.to_string();
    }
    camelcase_split(field)
        .into_iter()
        .filter(|p| p != "_")
        .map(|part| {
            let upper = part.to_uppercase();
            if ["API", "URL", "UID", "OSB", "GUID"].contains(&upper.as_str()) {
                upper
            } else {
                let mut chars = part.chars();
                chars.next().map_or(String::new(), |c| c.to_uppercase().chain(chars).collect())
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `github.com/fatih/camelcase.Split`: runs of one character class (lower, upper,
/// digit, other), an upper-case run's last letter moving to a following lower-case run.
fn camelcase_split(s: &str) -> Vec<String> {
    fn class(c: char) -> u8 {
        if c.is_lowercase() {
            1
        } else if c.is_uppercase() {
            2
        } else if c.is_numeric() {
            3
        } else {
            4
        }
    }
    let mut runs: Vec<Vec<char>> = Vec::new();
    let mut last = 0;
    for c in s.chars() {
        let k = class(c);
        match runs.last_mut() {
            Some(run) if k == last => run.push(c),
            _ => runs.push(vec![c]),
        }
        last = k;
    }
    for i in 0..runs.len().saturating_sub(1) {
        if runs[i].first().is_some_and(|c| c.is_uppercase())
            && runs[i + 1].first().is_some_and(|c| c.is_lowercase())
        {
            let moved = runs[i].pop().expect("non-empty run");
            runs[i + 1].insert(0, moved);
        }
    }
    runs.into_iter().filter(|r| !r.is_empty()).map(|r| r.into_iter().collect()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smart_labels_as_kubectl_makes_them() {
        assert_eq!(smart_label("apiVersion"), "API Version");
        assert_eq!(smart_label("uid"), "UID");
        assert_eq!(smart_label("blockOwnerDeletion"), "Block Owner Deletion");
        assert_eq!(smart_label("HTTPServer"), "HTTP Server");
        assert_eq!(smart_label("creationTimestamp"), "Creation Timestamp");
        assert_eq!(smart_label("io.k8s/x"), "io.k8s/x");
    }
}
