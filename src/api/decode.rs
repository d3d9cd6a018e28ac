//! Decoding API objects from JSON while noticing fields the type does not have, as the
//! apiserver's strict decoding (and, before it, kubectl's schema validation) does.

use serde::de::DeserializeOwned;

/// One step of a field path: a field name or a list index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    Field(String),
    Index(usize),
}

/// The path of a field the type does not know, e.g. `spec.template.spec.containers[0].imagee`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownField(pub Vec<Segment>);

impl UnknownField {
    /// `spec.template.spec.containers[0].imagee`, as strict decoding errors print it.
    pub fn dotted(&self) -> String {
        let mut out = String::new();
        for seg in &self.0 {
            match seg {
                Segment::Field(f) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(f);
                }
                Segment::Index(i) => out.push_str(&format!("[{i}]")),
            }
        }
        out
    }
}

fn segments(path: &serde_ignored::Path) -> Vec<Segment> {
    let mut out = match path {
        serde_ignored::Path::Root => return Vec::new(),
        serde_ignored::Path::Seq { parent, .. }
        | serde_ignored::Path::Map { parent, .. }
        | serde_ignored::Path::Some { parent }
        | serde_ignored::Path::NewtypeStruct { parent }
        | serde_ignored::Path::NewtypeVariant { parent } => segments(parent),
    };
    match path {
        serde_ignored::Path::Seq { index, .. } => out.push(Segment::Index(*index)),
        serde_ignored::Path::Map { key, .. } => out.push(Segment::Field(key.clone())),
        _ => {}
    }
    out
}

/// Decodes `value` as `T`, returning the fields `T` has no place for.
pub fn decode<T: DeserializeOwned>(value: serde_json::Value) -> Result<(T, Vec<UnknownField>), String> {
    let mut unknown = Vec::new();
    let obj = serde_ignored::deserialize(value, |path| unknown.push(UnknownField(segments(&path))))
        .map_err(|e: serde_json::Error| e.to_string())?;
    Ok((obj, unknown))
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::apps::v1::ReplicaSet;

    #[test]
    fn finds_unknown_fields() {
        let v = serde_json::json!({
            "apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "x"},
            "spec": {"replica": 3, "selector": {"matchLabels": {"a": "b"}},
                "template": {"spec": {"containers": [{"name": "c", "imagee": "n"}]}}}
        });
        let (_rs, unknown) = decode::<ReplicaSet>(v).unwrap();
        let paths: Vec<String> = unknown.iter().map(|u| u.dotted()).collect();
        assert_eq!(paths, vec!["spec.replica", "spec.template.spec.containers[0].imagee"]);
    }
}
