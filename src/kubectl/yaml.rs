//! YAML as `kubectl -o yaml` writes it (sigs.k8s.io/yaml over go-yaml v2): keys sorted,
//! two-space indent, sequences at their parent's indent, double quotes only for strings
//! that would otherwise read as another type or break the syntax.
//!
//! serde_yaml is not used for output because it single-quotes (`'80'`) where go-yaml
//! double-quotes (`"80"`).

use serde_json::Value;

pub fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(_) | Value::Array(_) => write_block(value, 0, &mut out),
        scalar => {
            out.push_str(&scalar_text(scalar, 0));
            out.push('\n');
        }
    }
    out
}

fn write_block(value: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            for key in keys {
                let v = &map[key];
                out.push_str(&pad);
                out.push_str(&quote_if_needed(key));
                out.push(':');
                write_value_after_key(v, indent, out);
            }
        }
        Value::Array(items) => {
            for item in items {
                out.push_str(&pad);
                out.push('-');
                match item {
                    Value::Object(map) if !map.is_empty() => {
                        let mut inner = String::new();
                        write_block(item, indent + 2, &mut inner);
                        out.push(' ');
                        out.push_str(&inner[indent + 2..]);
                    }
                    Value::Array(a) if !a.is_empty() => {
                        let mut inner = String::new();
                        write_block(item, indent + 2, &mut inner);
                        out.push(' ');
                        out.push_str(&inner[indent + 2..]);
                    }
                    _ => {
                        out.push(' ');
                        out.push_str(&scalar_text(item, indent + 2));
                        out.push('\n');
                    }
                }
            }
        }
        scalar => {
            out.push_str(&pad);
            out.push_str(&scalar_text(scalar, indent));
            out.push('\n');
        }
    }
}

fn write_value_after_key(v: &Value, indent: usize, out: &mut String) {
    match v {
        Value::Object(map) if !map.is_empty() => {
            out.push('\n');
            write_block(v, indent + 2, out);
        }
        Value::Array(items) if !items.is_empty() => {
            out.push('\n');
            write_block(v, indent, out);
        }
        _ => {
            out.push(' ');
            out.push_str(&scalar_text(v, indent + 2));
            out.push('\n');
        }
    }
}

fn scalar_text(v: &Value, indent: usize) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => {
            if s.contains('\n') {
                let pad = " ".repeat(indent);
                let chomp = if s.ends_with('\n') { "|" } else { "|-" };
                let body: Vec<String> =
                    s.trim_end_matches('\n').split('\n').map(|l| format!("{pad}{l}")).collect();
                format!("{chomp}\n{}", body.join("\n"))
            } else {
                quote_if_needed(s)
            }
        }
        Value::Object(_) => "{}".into(),
        Value::Array(_) => "[]".into(),
    }
}

/// go-yaml v2's choice for a string scalar: plain when it reads back as the same
/// string; double-quoted when a plain scalar would resolve to another type (bool, number,
/// null, timestamp); single-quoted when plain is not allowed by the syntax (`a: b`,
/// leading indicators, surrounding spaces).
fn quote_if_needed(s: &str) -> String {
    if resolves_to_other_type(s) {
        return serde_json::to_string(s).unwrap_or_default();
    }
    if plain_allowed(s) { s.to_string() } else { format!("'{}'", s.replace('\'', "''")) }
}

/// YAML 1.1 resolution as go-yaml v2 does it for plain scalars.
fn resolves_to_other_type(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    if s.is_empty()
        || matches!(
            lower.as_str(),
            "true"
                | "false"
                | "yes"
                | "no"
                | "on"
                | "off"
                | "y"
                | "n"
                | "null"
                | "~"
                | ".inf"
                | "-.inf"
                | "+.inf"
                | ".nan"
        )
    {
        return true;
    }
    let digits = s.trim_start_matches(['-', '+']);
    let numeric = !digits.is_empty()
        && (digits.parse::<f64>().is_ok()
            || (digits.starts_with("0x") && i64::from_str_radix(&digits[2..], 16).is_ok())
            || (digits.starts_with("0b") && i64::from_str_radix(&digits[2..], 2).is_ok())
            || digits.replace('_', "").parse::<i64>().is_ok() && digits.contains('_'));
    numeric || is_timestamp(s)
}

/// `2006-01-02`, `2006-01-02T15:04:05Z`, … (the formats go-yaml v2 resolves as timestamps).
fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit)
        && (b.len() == 10 || matches!(b[10], b'T' | b't' | b' '))
}

fn plain_allowed(s: &str) -> bool {
    let first = s.chars().next().unwrap_or(' ');
    let indicator_start = matches!(
        first,
        '-' | '?'
            | ':'
            | ','
            | '['
            | ']'
            | '{'
            | '}'
            | '#'
            | '&'
            | '*'
            | '!'
            | '|'
            | '>'
            | '\''
            | '"'
            | '%'
            | '@'
            | '`'
    );
    let dash_ok =
        (first == '-' || first == '?' || first == ':') && s.chars().nth(1).is_some_and(|c| c != ' ');
    if indicator_start && !dash_ok {
        return false;
    }
    !(s.starts_with(' ')
        || s.ends_with(' ')
        || s.contains(": ")
        || s.contains(" #")
        || s.ends_with(':')
        || s.contains('\t')
        || s.chars().any(|c| c.is_control()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_like_kubectl() {
        assert_eq!(quote_if_needed("2024-01-01T00:00:00Z"), "\"2024-01-01T00:00:00Z\"");
        assert_eq!(quote_if_needed("a: b"), "'a: b'");
        assert_eq!(quote_if_needed("True"), "\"True\"");
        assert_eq!(quote_if_needed("nginx:1.25"), "nginx:1.25");
        let v: Value = serde_json::json!({
            "kind": "Pod",
            "apiVersion": "v1",
            "metadata": {"name": "x", "resourceVersion": "12", "labels": {"app": "web"}},
            "spec": {"containers": [{"name": "c", "image": "nginx", "ports": [{"containerPort": 80}]}]},
            "data": {"empty": "", "flag": "true"}
        });
        let y = to_yaml(&v);
        assert_eq!(
            y,
            "apiVersion: v1\ndata:\n  empty: \"\"\n  flag: \"true\"\nkind: Pod\nmetadata:\n  labels:\n    app: web\n  name: x\n  resourceVersion: \"12\"\nspec:\n  containers:\n  - image: nginx\n    name: c\n    ports:\n    - containerPort: 80\n"
        );
    }
}
