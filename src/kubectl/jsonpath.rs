//! The subset of kubectl's JSONPath templates tutorials use:
//! `{.items[*].metadata.name}`, `{.spec.replicas}`, `{.items[0].status.phase}`, with
//! literal text around the braces. Several results are joined by spaces, as kubectl does.

use serde_json::Value;

pub fn render(template: &str, data: &Value) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&unescape(&rest[..start]));
        let end =
            rest[start..].find('}').ok_or_else(|| format!("unclosed action in template {template:?}"))?
                + start;
        let expr = rest[start + 1..end].trim();
        let values = eval(expr, data)?;
        let texts: Vec<String> = values.iter().map(|v| text(v)).collect();
        out.push_str(&texts.join(" "));
        rest = &rest[end + 1..];
    }
    out.push_str(&unescape(rest));
    Ok(out)
}

fn unescape(s: &str) -> String {
    s.replace("\\n", "\n").replace("\\t", "\t")
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn eval<'a>(expr: &str, data: &'a Value) -> Result<Vec<&'a Value>, String> {
    let path = expr.strip_prefix('$').unwrap_or(expr);
    let mut current: Vec<&Value> = vec![data];
    for segment in path.split('.').filter(|s| !s.is_empty()) {
        let (field, index) = match segment.split_once('[') {
            Some((f, i)) => (f, Some(i.trim_end_matches(']'))),
            None => (segment, None),
        };
        let mut next = Vec::new();
        for v in current {
            let v = if field.is_empty() { Some(v) } else { v.get(field) };
            let Some(v) = v else { continue };
            match index {
                None => next.push(v),
                Some("*") => next.extend(v.as_array().into_iter().flatten()),
                Some(i) => {
                    let i: usize = i.parse().map_err(|_| format!("invalid array index {i:?}"))?;
                    if let Some(item) = v.as_array().and_then(|a| a.get(i)) {
                        next.push(item);
                    }
                }
            }
        }
        current = next;
    }
    Ok(current)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_paths() {
        let data = serde_json::json!({"items": [{"metadata": {"name": "a"}}, {"metadata": {"name": "b"}}]});
        assert_eq!(render("{.items[*].metadata.name}", &data).unwrap(), "a b");
        assert_eq!(render("x={.items[0].metadata.name}\\n", &data).unwrap(), "x=a\n");
    }
}
