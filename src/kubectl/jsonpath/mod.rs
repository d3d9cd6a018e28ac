//! kubectl's `-o jsonpath=TEMPLATE`, after client-go `util/jsonpath`: literal text around
//! `{…}` actions (no escapes outside braces; `{"\n"}` and `{'\t'}` inside), fields,
//! `[i]`, slices, `[*]`, unions `[a,b]`, filters `[?(@.name=="c")]`, `..`, `*`, and
//! `{range …}…{end}`. Missing fields give nothing (kubectl's `--allow-missing-template-keys`
//! default). The values of one action are joined by spaces; maps and lists print as JSON.
//!
//! [`parse`] ports the parser, [`eval`] the engine; [`gofmt`] is Go's printing of the values.

mod eval;
mod parse;

use serde_json::Value;

use crate::gofmt;
pub use crate::profile::JsonPathDialect as Dialect;

/// Renders `template` over `data` (the object, or a `List` of them). The error is kubectl's
/// complete message without its `error: ` prefix and final newline.
pub fn render(template: &str, data: &Value, dialect: &Dialect) -> Result<String, String> {
    let nodes = parse::parse(template).map_err(|e| format!("error parsing jsonpath {template}, {e}"))?;
    let groups =
        eval::find_results(&nodes, data, dialect).map_err(|e| execution_error(template, data, &e))?;
    let mut out = String::new();
    for group in groups {
        let texts: Vec<String> = group.iter().map(|v| text(v, dialect)).collect();
        out.push_str(&texts.join(" "));
    }
    Ok(out)
}

/// Every value the template finds in `data`, in order (a custom column's cell).
pub fn all_results(template: &str, data: &Value, dialect: &Dialect) -> Result<Vec<Value>, String> {
    let nodes = parse::parse(template).map_err(|e| format!("error parsing jsonpath {template}, {e}"))?;
    let groups = eval::find_results(&nodes, data, dialect)?;
    Ok(groups.into_iter().flatten().map(|v| v.into_owned()).collect())
}

/// The first value the template finds in `data` (what `--sort-by` compares), if any.
pub fn first_result(template: &str, data: &Value, dialect: &Dialect) -> Result<Option<Value>, String> {
    let nodes = parse::parse(template).map_err(|e| format!("sorting error: {e}"))?;
    let groups = eval::find_results(&nodes, data, dialect)?;
    Ok(groups.into_iter().next().and_then(|g| g.into_iter().next()).map(|v| v.into_owned()))
}

/// `PrintResults` for one value: maps and lists as JSON (1.19+) or Go's `%v` (before),
/// everything else as Go's `fmt.Fprint`.
fn text(value: &Value, dialect: &Dialect) -> String {
    match value {
        Value::Object(_) | Value::Array(_) if dialect.composite_as_json => gofmt::json(value),
        Value::Null => dialect.null.to_string(),
        other => gofmt::v(other),
    }
}

/// The JSONPath printer's error: the engine's error and a dump of the object.
fn execution_error(template: &str, data: &Value, err: &str) -> String {
    format!(
        "error executing jsonpath {}: Error executing template: {err}. Printing more information for debugging the template:\n\ttemplate was:\n\t\t{template}\n\tobject given to jsonpath engine was:\n\t\t{}\n\n",
        gofmt::quote(template),
        gofmt::sharp_v(data)
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::profile::Profile;

    fn pods() -> Value {
        json!({"apiVersion": "v1", "kind": "List", "items": [
            {"metadata": {"name": "a", "labels": {"app": "web"}},
             "spec": {"containers": [{"name": "c", "image": "nginx"}, {"name": "d", "image": "busybox"}]},
             "status": {"containerStatuses": [{"name": "c", "restartCount": 2, "ready": true}, {"name": "d", "restartCount": 0, "ready": false}]}},
            {"metadata": {"name": "b"}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}, "status": {}},
            {"metadata": {"name": "c", "labels": {"app": "db"}}, "spec": {"containers": [{"name": "x", "image": "redis"}]},
             "status": {"containerStatuses": []}}
        ]})
    }

    fn at(minor: u32, template: &str, data: &Value) -> Result<String, String> {
        render(template, data, &Profile::for_minor(minor).jsonpath)
    }

    fn run(template: &str) -> String {
        at(33, template, &pods()).unwrap()
    }

    // Expected texts below were printed by kubectl 1.33 for the same objects.
    #[test]
    fn renders_like_kubectl() {
        assert_eq!(run("{.items[*].metadata.name}"), "a b c");
        assert_eq!(run(r#"{range .items[*]}{.metadata.name}{"\n"}{end}"#), "a\nb\nc\n");
        assert_eq!(run(r#"{.items[*].metadata.name}{"\t"}{"\n"}"#), "a b c\t\n");
        assert_eq!(run("x={.items[0].metadata.name}\\n"), "x=a\\n");
        assert_eq!(run("{.items[*].metadata.labels.app}"), "web db");
        assert_eq!(run(r#"{.items[0].spec.containers[?(@.name=="d")].image}"#), "busybox");
        assert_eq!(run("{.items[0].spec.containers[?(@.name=='d')].image}"), "busybox");
        assert_eq!(run("{.items[0].status.containerStatuses[?(@.restartCount>1)].name}"), "c");
        assert_eq!(run("{.items[0].status.containerStatuses[?(@.ready==true)].name}"), "c");
        assert_eq!(run("{.items[0].status.containerStatuses[0].restartCount}"), "2");
        assert_eq!(run("{.items[1].status.containerStatuses[0].restartCount}"), "");
        assert_eq!(run("{.items[0].metadata.labels}"), r#"{"app":"web"}"#);
        assert_eq!(
            run("{.items[-1:].metadata.name} {.items[0:2].metadata.name} {.items[0,2].metadata.name}"),
            "c a b a c"
        );
        assert_eq!(run("{.items[0]['metadata']['name']}{ .items[1].metadata.name }"), "ab");
        assert_eq!(run("{..restartCount}"), "2 0");
        assert_eq!(run("{.items[0].metadata.name.*}"), "97");
        assert_eq!(
            run("{range .items[*]}{.metadata.name}{':'}{range .spec.containers[*]}{.name},{end}{'\\n'}{end}"),
            "a:c,d,\nb:c,\nc:x,\n"
        );
        // Without `{end}` the body runs for each item, then once more for the list.
        assert_eq!(run("{range .items[*]}{.metadata.name}"), "abc");
    }

    #[test]
    fn reports_errors_like_kubectl() {
        let data = json!({"items": [], "kind": "List"});
        assert_eq!(
            at(33, "{.items[*}", &data).unwrap_err(),
            "error parsing jsonpath {.items[*}, unterminated array"
        );
        assert_eq!(
            at(33, "{.items[0].metadata.name}", &data).unwrap_err(),
            "error executing jsonpath \"{.items[0].metadata.name}\": Error executing template: array index out of bounds: index 0, length 0. Printing more information for debugging the template:\n\ttemplate was:\n\t\t{.items[0].metadata.name}\n\tobject given to jsonpath engine was:\n\t\tmap[string]interface {}{\"items\":[]interface {}{}, \"kind\":\"List\"}\n\n"
        );
        let err = |t| at(33, t, &pods()).unwrap_err().split(". Printing").next().unwrap().to_string();
        assert!(err("{.items[*].status.containerStatuses[0].restartCount}").ends_with("index 0, length 0"));
        assert!(err("{end}").ends_with("not in range, nothing to end"));
        assert!(err("{.items[0].metadata.name[0]}").ends_with("string is not array or slice"));
        assert!(
            err("{.items[0].metadata[?(@.x)]}")
                .ends_with("map[labels:map[app:web] name:a] is not array or slice and cannot be filtered")
        );
        assert!(
            err("{.items[0].status.containerStatuses[?(@.restartCount==2.0)].name}")
                .ends_with("incompatible types for comparison")
        );
    }

    // 1.17 from client-go v0.17.0's source: maps print as Go's `map[k:v]`, nil as `<nil>`,
    // and an empty range drops the rest of the template.
    #[test]
    fn renders_like_kubectl_1_17() {
        let data = pods();
        assert_eq!(at(17, "{.items[0].metadata.labels}", &data).unwrap(), "map[app:web]");
        assert_eq!(at(17, "{.items[0].spec.containers[0]}", &data).unwrap(), "map[image:nginx name:c]");
        assert_eq!(
            at(17, r#"{range .items[*]}{.metadata.name}{"\n"}{end}{"done"}"#, &data).unwrap(),
            "a\nb\nc\ndone"
        );
        assert_eq!(at(17, r#"{range .items[5:5]}{.metadata.name}{end}{"done"}"#, &data).unwrap(), "");
        assert_eq!(at(33, r#"{range .items[5:5]}{.metadata.name}{end}{"done"}"#, &data).unwrap(), "done");
        // Nested ranges: an inner `{end}` also ends the outer run, except in the last one.
        assert_eq!(
            at(
                17,
                "{range .items[*]}{.metadata.name}{':'}{range .spec.containers[*]}{.name},{end}{'\\n'}{end}",
                &data
            )
            .unwrap(),
            "a:c,d,b:c,c:x,\n"
        );
        assert_eq!(at(17, "{.a}", &json!({"a": null})).unwrap(), "<nil>");
        assert_eq!(at(33, "{.a}", &json!({"a": null})).unwrap(), "null");
    }
}
