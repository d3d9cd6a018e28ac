//! Patches as the apiserver applies them: JSON merge patch (RFC 7386), JSON patch
//! (RFC 6902, via the json-patch crate) and strategic merge patch, whose lists of
//! objects merge by each field's `patchMergeKey` instead of being replaced.

use serde_json::{Map, Value};

/// The merge key of a list field in the Kubernetes types (`patchMergeKey` tags); lists
/// not named here are replaced whole, as their `patchStrategy` is not `merge`.
fn merge_key(field: &str) -> Option<&'static str> {
    match field {
        "containers" | "initContainers" | "ephemeralContainers" | "env" | "volumes" | "imagePullSecrets" => {
            Some("name")
        }
        "ports" => Some("containerPort"),
        "volumeMounts" => Some("mountPath"),
        "ownerReferences" => Some("uid"),
        "conditions" => Some("type"),
        "hostAliases" => Some("ip"),
        _ => None,
    }
}

/// RFC 7386: objects merge recursively, `null` deletes, everything else replaces.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    match patch {
        Value::Object(p) => {
            if !target.is_object() {
                *target = Value::Object(Map::new());
            }
            let t = target.as_object_mut().expect("object");
            for (k, v) in p {
                if v.is_null() {
                    t.remove(k);
                } else {
                    merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
                }
            }
        }
        other => *target = other.clone(),
    }
}

/// Strategic merge patch: like a merge patch, but lists with a merge key merge element
/// by element (`$patch: delete` removes one), and an object carrying `$retainKeys` keeps
/// only the keys listed there; other directives are ignored.
pub fn strategic_merge(target: &mut Value, patch: &Value) {
    strategic_merge_field(target, patch, "");
}

fn strategic_merge_field(target: &mut Value, patch: &Value, field: &str) {
    match (target.as_array_mut(), patch, merge_key(field)) {
        (Some(items), Value::Array(patch_items), Some(key)) => {
            for p in patch_items {
                let id = p.get(key).cloned();
                let delete = p.get("$patch").and_then(|v| v.as_str()) == Some("delete");
                let position = id.as_ref().and_then(|id| items.iter().position(|i| i.get(key) == Some(id)));
                match (position, delete) {
                    (Some(i), true) => {
                        items.remove(i);
                    }
                    (Some(i), false) => strategic_merge_field(&mut items[i], p, ""),
                    (None, false) => items.push(p.clone()),
                    (None, true) => {}
                }
            }
        }
        _ => match patch {
            Value::Object(p) => {
                if !target.is_object() {
                    *target = Value::Object(Map::new());
                }
                let t = target.as_object_mut().expect("object");
                if let Some(Value::Array(keep)) = p.get("$retainKeys") {
                    t.retain(|k, _| keep.iter().any(|x| x.as_str() == Some(k.as_str())));
                }
                for (k, v) in p {
                    if k.starts_with('$') {
                        continue;
                    }
                    if v.is_null() {
                        t.remove(k);
                    } else {
                        strategic_merge_field(t.entry(k.clone()).or_insert(Value::Null), v, k);
                    }
                }
            }
            other => *target = other.clone(),
        },
    }
}

/// Fields whose patch strategy is `retainKeys` (a union: setting one member clears the
/// others): a Deployment's `spec.strategy` (`type: Recreate` drops `rollingUpdate`).
const RETAIN_KEYS_FIELDS: &[&[&str]] = &[&["spec", "strategy"]];

/// Adds the `$retainKeys` directives `kubectl apply` puts into its patch for the
/// retainKeys fields `modified` sets: the keys it gives them.
pub fn add_retain_keys(modified: &mut Value) {
    for path in RETAIN_KEYS_FIELDS {
        let mut at = Some(&mut *modified);
        for field in *path {
            at = at.and_then(|v| v.get_mut(*field));
        }
        if let Some(Value::Object(obj)) = at {
            let keys: Vec<Value> =
                obj.keys().filter(|k| !k.starts_with('$')).map(|k| Value::String(k.clone())).collect();
            obj.insert("$retainKeys".into(), Value::Array(keys));
        }
    }
}

/// Removes from `target` the fields that were in `original` but are not in `modified`
/// (the deletions half of `kubectl apply`'s three-way merge).
pub fn remove_deleted_fields(target: &mut Value, original: &Value, modified: &Value) {
    let (Some(t), Some(o)) = (target.as_object_mut(), original.as_object()) else { return };
    for (k, ov) in o {
        match modified.get(k) {
            None => {
                t.remove(k);
            }
            Some(mv) => {
                if let Some(tv) = t.get_mut(k)
                    && ov.is_object()
                    && mv.is_object()
                {
                    remove_deleted_fields(tv, ov, mv);
                }
            }
        }
    }
}

/// RFC 6902 JSON patch.
pub fn json_patch(target: &mut Value, patch: &Value) -> Result<(), String> {
    let ops: json_patch::Patch = serde_json::from_value(patch.clone()).map_err(|e| e.to_string())?;
    json_patch::patch(target, &ops).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strategic_merges_containers_by_name() {
        let mut t =
            json!({"spec": {"containers": [{"name": "a", "image": "x"}, {"name": "b", "image": "y"}]}});
        strategic_merge(&mut t, &json!({"spec": {"containers": [{"name": "b", "image": "z"}]}}));
        assert_eq!(
            t,
            json!({"spec": {"containers": [{"name": "a", "image": "x"}, {"name": "b", "image": "z"}]}})
        );
        let mut t = json!({"spec": {"containers": [{"name": "a"}]}});
        merge_patch(&mut t, &json!({"spec": {"containers": [{"name": "b"}]}}));
        assert_eq!(t, json!({"spec": {"containers": [{"name": "b"}]}}));
    }

    #[test]
    fn apply_deletions() {
        let mut t = json!({"metadata": {"labels": {"a": "1", "b": "2"}}, "spec": {"x": 1}});
        remove_deleted_fields(
            &mut t,
            &json!({"metadata": {"labels": {"a": "1", "b": "2"}}}),
            &json!({"metadata": {"labels": {"a": "1"}}}),
        );
        assert_eq!(t, json!({"metadata": {"labels": {"a": "1"}}, "spec": {"x": 1}}));
    }
}
