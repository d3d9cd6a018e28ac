//! `kubectl get --sort-by=JSONPATH` (`pkg/cmd/get/sorter.go`): rows are ordered by the
//! first value the path finds in each object, compared as `isLess` compares decoded
//! JSON: numbers as numbers, strings as quantities when both parse as one and byte-wise
//! otherwise; an object without the field sorts first. The sort is Go's `sort.Sort`
//! ([`crate::gosort`]), so ties end up where real kubectl puts them.

use serde_json::Value;

use crate::kubectl::jsonpath;

/// `RelaxedJSONPathExpression` (`^\{\.?([^{}]+)\}$|^\.?([^{}]+)$`): `.a.b`, `a.b`,
/// `{.a.b}` and `{a.b}` all mean `{.a.b}`.
pub fn relaxed_path(field: &str) -> Result<String, String> {
    if field.is_empty() {
        return Ok(String::new());
    }
    let inner = match field.strip_prefix('{') {
        Some(rest) => rest.strip_suffix('}').unwrap_or(field),
        None => field,
    };
    let inner = inner.strip_prefix('.').unwrap_or(inner);
    if inner.is_empty() || inner.contains(['{', '}']) {
        return Err("error: unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'".into());
    }
    Ok(format!("{{.{inner}}}"))
}

/// The order (indexes into `objects`) `--sort-by=field` puts the objects in.
pub fn order(field: &str, objects: &[Value], dialect: &jsonpath::Dialect) -> Result<Vec<usize>, String> {
    let path = relaxed_path(field)?;
    let keys: Vec<Option<Value>> = objects
        .iter()
        .map(|o| jsonpath::first_result(&path, o, dialect).map_err(|e| format!("error: {e}")))
        .collect::<Result<_, _>>()?;
    if !objects.is_empty() && keys.iter().all(Option::is_none) {
        return Err(format!("error: couldn't find any field with path \"{path}\" in the list of objects"));
    }
    let less = |i: usize, j: usize| match (&keys[i], &keys[j]) {
        (None, _) => true,
        (_, None) => false,
        (Some(a), Some(b)) => is_less(a, b),
    };
    let mut order: Vec<usize> = (0..objects.len()).collect();
    crate::gosort::sort(&mut order, |&i, &j| less(i, j));
    Ok(order)
}

/// `isLess` on decoded JSON values: a `null` (a nil interface) first, then values of the
/// same type compared.
fn is_less(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Null, Value::Null) => false,
        (Value::Null, _) => true,
        (_, Value::Null) => false,
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => x < y,
            _ => x.as_f64().unwrap_or(0.0) < y.as_f64().unwrap_or(0.0),
        },
        (Value::String(x), Value::String(y)) => match (quantity(x), quantity(y)) {
            (Some(qx), Some(qy)) => qx < qy,
            _ => x < y,
        },
        _ => false,
    }
}

/// A string's value as a `resource.Quantity` (`ParseQuantity`), if it is one: a decimal
/// number with an optional binary (`Ki`…`Ei`), decimal (`n`…`E`) or exponent suffix.
fn quantity(text: &str) -> Option<f64> {
    let digits_end = text
        .char_indices()
        .find(|(i, c)| !(c.is_ascii_digit() || *c == '.' || ((*c == '+' || *c == '-') && *i == 0)))
        .map_or(text.len(), |(i, _)| i);
    let (number, suffix) = text.split_at(digits_end);
    if number.is_empty() || !number.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let base: f64 = number.parse().ok()?;
    let scale = match suffix {
        "" => 1.0,
        "Ki" => 1024f64,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        "n" => 1e-9,
        "u" => 1e-6,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        s if s.starts_with(['e', 'E']) => 10f64.powi(s[1..].parse().ok()?),
        _ => return None,
    };
    Some(base * scale)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::profile::Profile;

    #[test]
    fn relaxed_paths() {
        assert_eq!(relaxed_path(".metadata.name").unwrap(), "{.metadata.name}");
        assert_eq!(relaxed_path("metadata.name").unwrap(), "{.metadata.name}");
        assert_eq!(relaxed_path("{.metadata.name}").unwrap(), "{.metadata.name}");
        assert!(relaxed_path("{}").is_err());
    }

    #[test]
    fn orders_like_kubectl() {
        let dialect = Profile::default().jsonpath;
        let objs = vec![
            json!({"n": "b", "q": "2Gi", "c": 3}),
            json!({"n": "a", "q": "512Mi", "c": 10}),
            json!({"n": "c", "q": "1Gi"}),
        ];
        assert_eq!(order(".n", &objs, &dialect).unwrap(), vec![1, 0, 2]);
        assert_eq!(order(".q", &objs, &dialect).unwrap(), vec![1, 2, 0], "quantities compare by value");
        assert_eq!(order(".c", &objs, &dialect).unwrap(), vec![2, 0, 1], "a missing field sorts first");
        assert!(order(".nope", &objs, &dialect).unwrap_err().contains("couldn't find any field"));
        let with_null = vec![json!({"t": "b"}), json!({"t": null}), json!({"t": "a"})];
        assert_eq!(order(".t", &with_null, &dialect).unwrap(), vec![1, 2, 0], "null sorts first");
    }

    #[test]
    fn quantities() {
        assert_eq!(quantity("1Ki"), Some(1024.0));
        assert_eq!(quantity("100m"), Some(0.1));
        assert_eq!(quantity("2024-01-01T00:00:00Z"), None);
        assert_eq!(quantity("web-1"), None);
    }
}
