//! Field selectors (`?fieldSelector=`, `kubectl get --field-selector`), as the apiserver
//! reads them: `field=value`, `field==value` and `field!=value` terms joined by commas
//! (`fields.ParseSelector`), each field one the kind registers as selectable, compared
//! with the field's value as text (`true`, `3`; a missing field is the empty string).

use serde_json::Value;

use super::Kind;

/// One `field=value` or `field!=value` term.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Term {
    field: String,
    negated: bool,
    value: String,
}

/// A parsed field selector; empty selects everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldSelector {
    terms: Vec<Term>,
}

/// Selectable fields per kind beyond `metadata.name` and `metadata.namespace`, from the
/// field label conversion functions each API group registers (`pkg/apis/core/v1/
/// conversion.go`, `apps/v1`, `batch/v1`). Kinds listed here reject other fields with
/// `field label not supported`; the others with the generic metav1 message.
fn extra_fields(kind: Kind) -> Option<&'static [&'static str]> {
    Some(match kind {
        Kind::Pod => &[
            "spec.nodeName",
            "spec.restartPolicy",
            "spec.schedulerName",
            "spec.serviceAccountName",
            "spec.hostNetwork",
            "status.phase",
            "status.podIP",
            "status.podIPs",
            "status.nominatedNodeName",
        ],
        Kind::Node => &["spec.unschedulable"],
        Kind::Namespace => &["status.phase"],
        Kind::ReplicationController | Kind::ReplicaSet => &["status.replicas"],
        Kind::Job => &["status.successful"],
        Kind::Event => &[
            "involvedObject.kind",
            "involvedObject.namespace",
            "involvedObject.name",
            "involvedObject.uid",
            "involvedObject.apiVersion",
            "involvedObject.resourceVersion",
            "involvedObject.fieldPath",
            "reason",
            "reportingComponent",
            "source",
            "type",
        ],
        _ => return None,
    })
}

impl FieldSelector {
    /// `fields.ParseSelector`: terms split on unescaped commas, each with `!=`, `==` or `=`.
    pub fn parse(text: &str) -> Result<FieldSelector, String> {
        let mut terms = Vec::new();
        for part in split_unescaped(text, ',') {
            if part.is_empty() {
                continue;
            }
            let (field, negated, value) = if let Some((f, v)) = part.split_once("!=") {
                (f, true, v)
            } else if let Some((f, v)) = part.split_once("==") {
                (f, false, v)
            } else if let Some((f, v)) = part.split_once('=') {
                (f, false, v)
            } else {
                return Err(format!("invalid selector: '{text}'; can't understand '{part}'"));
            };
            terms.push(Term { field: field.to_string(), negated, value: unescape(value) });
        }
        Ok(FieldSelector { terms })
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// The apiserver's refusal of a field the kind does not make selectable.
    pub fn check(&self, kind: Kind) -> Result<(), String> {
        for term in &self.terms {
            let field = term.field.as_str();
            // Nodes and namespaces register metadata.name but not metadata.namespace.
            let cluster_scoped_core = matches!(kind, Kind::Node | Kind::Namespace);
            if field == "metadata.name" || (field == "metadata.namespace" && !cluster_scoped_core) {
                continue;
            }
            match extra_fields(kind) {
                Some(extra) if extra.contains(&field) => {}
                Some(_) => return Err(format!("field label not supported: {field}")),
                None => {
                    return Err(format!(
                        "\"{field}\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\""
                    ));
                }
            }
        }
        Ok(())
    }

    /// Whether an object (its API JSON) has every term's value.
    pub fn matches(&self, object: &Value) -> bool {
        self.terms.iter().all(|t| (field_text(object, &t.field) == t.value) != t.negated)
    }
}

/// A field's value as the selectable-fields set holds it, printed from the typed object:
/// strings as they are, numbers and booleans printed, a missing field its Go zero value
/// (`false`, `0`, empty); `status.podIPs` is the first pod IP and an event's `source`
/// its component.
fn field_text(object: &Value, field: &str) -> String {
    let path = match field {
        "status.podIPs" => "status.podIP",
        "source" => "source.component",
        other => other,
    };
    let value = path.split('.').try_fold(object, |v, part| v.get(part));
    match value {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Number(n)) => n.to_string(),
        _ => match field {
            "spec.unschedulable" | "spec.hostNetwork" => "false".into(),
            "status.replicas" | "status.successful" => "0".into(),
            _ => String::new(),
        },
    }
}

fn split_unescaped(text: &str, sep: char) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut escaped = false;
    for c in text.chars() {
        if escaped {
            parts.last_mut().expect("one part").push(c);
            escaped = false;
        } else if c == '\\' {
            parts.last_mut().expect("one part").push(c);
            escaped = true;
        } else if c == sep {
            parts.push(String::new());
        } else {
            parts.last_mut().expect("one part").push(c);
        }
    }
    parts
}

/// `UnescapeValue`: `\\`, `\,` and `\=` stand for themselves.
fn unescape(value: &str) -> String {
    let mut out = String::new();
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(next) = chars.next() {
                out.push(next);
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn terms_and_matching() {
        let s = FieldSelector::parse("spec.nodeName=node-1,status.phase!=Failed").unwrap();
        assert!(s.matches(&json!({"spec": {"nodeName": "node-1"}, "status": {"phase": "Running"}})));
        assert!(!s.matches(&json!({"spec": {"nodeName": "node-2"}, "status": {"phase": "Running"}})));
        assert!(!s.matches(&json!({"spec": {"nodeName": "node-1"}, "status": {"phase": "Failed"}})));
        let unscheduled = FieldSelector::parse("spec.nodeName=").unwrap();
        assert!(unscheduled.matches(&json!({"spec": {}})));
        let flag = FieldSelector::parse("spec.unschedulable==true").unwrap();
        assert!(flag.matches(&json!({"spec": {"unschedulable": true}})));
        let schedulable = FieldSelector::parse("spec.unschedulable=false").unwrap();
        assert!(schedulable.matches(&json!({"spec": {}})), "an unset bool is false");
        let source = FieldSelector::parse("source=kubelet").unwrap();
        assert!(source.matches(&json!({"source": {"component": "kubelet", "host": "node-1"}})));
    }

    #[test]
    fn unsupported_fields_are_refused_as_the_apiserver_words_it() {
        let s = FieldSelector::parse("spec.foo=x").unwrap();
        assert_eq!(s.check(Kind::Pod).unwrap_err(), "field label not supported: spec.foo");
        assert_eq!(
            s.check(Kind::Deployment).unwrap_err(),
            "\"spec.foo\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\""
        );
        assert!(FieldSelector::parse("metadata.name=web").unwrap().check(Kind::Deployment).is_ok());
        assert!(FieldSelector::parse("nonsense").is_err());
        let ns = FieldSelector::parse("metadata.namespace=default").unwrap();
        assert_eq!(ns.check(Kind::Node).unwrap_err(), "field label not supported: metadata.namespace");
    }
}
