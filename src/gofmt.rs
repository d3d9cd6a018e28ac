//! How Go prints values, for texts kubectl and the apiserver build with `fmt`: the decoded
//! JSON values (`map[string]interface{}`, `[]interface{}`, `string`, `int64`, `float64`,
//! `bool`, `nil`) kubectl's JSONPath engine works on, through `encoding/json`, `%v` and
//! `%#v`; and `strconv.Quote` (`%q`).

use serde_json::Value;

/// `json.Marshal`: compact, keys sorted, `<`, `>`, `&` escaped.
pub fn json(v: &Value) -> String {
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let fields: Vec<String> =
                keys.iter().map(|k| format!("{}:{}", json_string(k), json(&map[*k]))).collect();
            format!("{{{}}}", fields.join(","))
        }
        Value::Array(items) => format!("[{}]", items.iter().map(json).collect::<Vec<_>>().join(",")),
        Value::String(s) => json_string(s),
        Value::Number(n) => match n.as_i64() {
            Some(i) => i.to_string(),
            None => json_float(n.as_f64().unwrap_or(0.0)),
        },
        other => other.to_string(),
    }
}

fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `encoding/json`'s float: plain decimal, exponent form outside [1e-6, 1e21).
fn json_float(f: f64) -> String {
    if f == 0.0 || (1e-6..1e21).contains(&f.abs()) { format!("{f}") } else { go_exponent(f) }
}

/// `%v` (also what `fmt.Fprint` prints).
pub fn v(value: &Value) -> String {
    match value {
        Value::Null => "<nil>".into(),
        Value::String(s) => s.clone(),
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let fields: Vec<String> = keys.iter().map(|k| format!("{k}:{}", v(&map[*k]))).collect();
            format!("map[{}]", fields.join(" "))
        }
        Value::Array(items) => format!("[{}]", items.iter().map(v).collect::<Vec<_>>().join(" ")),
        Value::Number(n) => number(n),
        Value::Bool(b) => b.to_string(),
    }
}

/// `%#v` of the decoded object, as kubectl's JSONPath error dump shows it.
pub fn sharp_v(value: &Value) -> String {
    match value {
        Value::Null => "interface {}(nil)".into(),
        Value::String(s) => quote(s),
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let fields: Vec<String> =
                keys.iter().map(|k| format!("{}:{}", quote(k), sharp_v(&map[*k]))).collect();
            format!("map[string]interface {{}}{{{}}}", fields.join(", "))
        }
        Value::Array(items) => {
            format!("[]interface {{}}{{{}}}", items.iter().map(sharp_v).collect::<Vec<_>>().join(", "))
        }
        Value::Number(n) => number(n),
        Value::Bool(b) => b.to_string(),
    }
}

/// The Go type name of a decoded value, as `reflect.Type` prints it.
pub fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "interface {}",
        Value::String(_) => "string",
        Value::Object(_) => "map[string]interface {}",
        Value::Array(_) => "[]interface {}",
        Value::Number(n) if n.is_f64() => "float64",
        Value::Number(_) => "int64",
        Value::Bool(_) => "bool",
    }
}

/// An `int64` as `%d`, a `float64` as `%v` (`%g`, exponent form from 1e+06 up).
fn number(n: &serde_json::Number) -> String {
    if let Some(i) = n.as_i64() {
        return i.to_string();
    }
    let f = n.as_f64().unwrap_or(0.0);
    let exp = if f == 0.0 { 0 } else { f.abs().log10().floor() as i32 };
    if f != 0.0 && !(-4..6).contains(&exp) { go_exponent(f) } else { format!("{f}") }
}

/// Go's `1e+06` / `1.5e-07` form (shortest digits, at least two exponent digits).
fn go_exponent(f: f64) -> String {
    let text = format!("{f:e}");
    let (mantissa, exp) = text.split_once('e').unwrap_or((&text, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    format!("{mantissa}e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs())
}

/// `strconv.Quote` (also `%q`).
pub fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn prints_like_go() {
        let value = json!({"b": [1, "x", true, null], "a": {"k": "<&>"}, "f": 1.5});
        assert_eq!(json(&value), r#"{"a":{"k":"\u003c\u0026\u003e"},"b":[1,"x",true,null],"f":1.5}"#);
        assert_eq!(v(&value), "map[a:map[k:<&>] b:[1 x true <nil>] f:1.5]");
        assert_eq!(
            sharp_v(&value),
            r#"map[string]interface {}{"a":map[string]interface {}{"k":"<&>"}, "b":[]interface {}{1, "x", true, interface {}(nil)}, "f":1.5}"#
        );
        assert_eq!(v(&json!(1000000.0)), "1e+06");
        assert_eq!(v(&json!(123456.0)), "123456");
        assert_eq!(quote("a\"b\n"), r#""a\"b\n""#);
    }
}
