//! The tab-separated stream every describer writes, and the field printers they share.
//!
//! kubectl's describers write into one Go tabwriter through a "prefix writer" that
//! indents by two spaces per level; alignment is left entirely to the tabwriter. So we
//! build the very same stream (tabs, trailing spaces and all) and format it once at the
//! end. The helpers here are the multi-line printers of `describe.go` (labels,
//! annotations, taints, tolerations) whose continuation lines start with a bare tab, so
//! that the tabwriter lines them up under the first value.

use std::collections::BTreeMap;
use std::fmt::Display;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use k8s_openapi::api::core::v1::{Taint, Toleration};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta, Time};

use super::style::DescribeStyle;
use crate::kubectl::tabwriter::{self, Config};

/// Annotation values longer than this (key included) are folded onto their own lines.
const MAX_ANNOTATION_LEN: usize = 140;

/// Collects one description's stream.
pub(crate) struct Writer<'s> {
    buf: String,
    style: &'s DescribeStyle,
}

impl<'s> Writer<'s> {
    pub(crate) fn new(style: &'s DescribeStyle) -> Self {
        Writer { buf: String::with_capacity(4096), style }
    }

    pub(crate) fn style(&self) -> &'s DescribeStyle {
        self.style
    }

    /// Go's `PrefixWriter.Write(level, …)`: two spaces per level, then the text.
    pub(crate) fn write(&mut self, level: usize, text: &str) {
        for _ in 0..level {
            self.buf.push_str("  ");
        }
        self.buf.push_str(text);
    }

    /// A whole line at `level`.
    pub(crate) fn line(&mut self, level: usize, text: &str) {
        self.write(level, text);
        self.buf.push('\n');
    }

    /// The common `Label:\tvalue` line.
    pub(crate) fn field(&mut self, level: usize, label: &str, value: impl Display) {
        self.line(level, &format!("{label}:\t{value}"));
    }

    /// The stream as written, tabs and all, for output that kubectl prints without a
    /// tabwriter (`rollout history --revision`).
    pub(crate) fn raw(self) -> String {
        if self.style.escape_terminal { escape_terminal(&self.buf) } else { self.buf }
    }

    /// Formats the stream with the describe tabwriter, escaping terminal control
    /// characters first where this kubectl does (escaping is per character, so doing
    /// it on the whole stream equals doing it on every write).
    pub(crate) fn finish(self) -> String {
        let text = if self.style.escape_terminal { escape_terminal(&self.buf) } else { self.buf };
        tabwriter::format(&text, Config::DESCRIBE)
    }
}

/// cli-runtime's `EscapeTerminal`: ESC → `^[`, CR → `\r`.
fn escape_terminal(text: &str) -> String {
    if !text.contains(['\x1b', '\r']) {
        return text.to_string();
    }
    text.replace('\x1b', "^[").replace('\r', "\\r")
}

/// `Mon, 02 Jan 2006 15:04:05 -0700` (Go's RFC1123Z) in UTC, the zone kubectl runs in
/// for the goldens.
pub(crate) fn rfc1123z(t: Timestamp) -> String {
    t.to_zoned(TimeZone::UTC).strftime("%a, %d %b %Y %H:%M:%S %z").to_string()
}

/// RFC1123Z of an optional `metav1.Time`; Go formats a zero time as year 1.
pub(crate) fn rfc1123z_or_zero(t: Option<&Time>) -> String {
    match t {
        Some(t) => rfc1123z(t.0),
        None => "Mon, 01 Jan 0001 00:00:00 +0000".into(),
    }
}

/// `printLabelsMultiline`: `Title:\tk=v`, further labels as `\tk=v`, `<none>` if empty.
/// `title` carries its own indentation (`"  Labels"` in pod templates).
pub(crate) fn labels(w: &mut Writer, title: &str, labels: Option<&BTreeMap<String, String>>) {
    let entries: Vec<String> = labels.into_iter().flatten().map(|(k, v)| format!("{k}={v}")).collect();
    multiline(w, title, &entries);
}

/// Writes `Title:\t<first>` and `\t<rest>` lines, or `Title:\t<none>`.
fn multiline(w: &mut Writer, title: &str, entries: &[String]) {
    w.write(0, &format!("{title}:\t"));
    if entries.is_empty() {
        w.line(0, "<none>");
        return;
    }
    for (i, entry) in entries.iter().enumerate() {
        if i > 0 {
            w.write(0, "\t");
        }
        w.line(0, entry);
    }
}

/// `printAnnotationsMultiline`: like labels but `key: value`; long or multi-line values
/// are folded under their key, each line cut to 138 bytes plus `...`.
pub(crate) fn annotations(w: &mut Writer, title: &str, annotations: Option<&BTreeMap<String, String>>) {
    let hide_last_applied = w.style().hide_last_applied;
    let shown: Vec<(&String, &String)> = annotations
        .into_iter()
        .flatten()
        .filter(|(k, _)| !(hide_last_applied && k.as_str() == LAST_APPLIED))
        .collect();
    w.write(0, &format!("{title}:\t"));
    if shown.is_empty() {
        w.line(0, "<none>");
        return;
    }
    for (i, (key, value)) in shown.into_iter().enumerate() {
        if i > 0 {
            w.write(0, "\t");
        }
        let value = value.strip_suffix('\n').unwrap_or(value);
        if value.len() + key.len() + 2 > MAX_ANNOTATION_LEN || value.contains('\n') {
            w.line(0, &format!("{key}:"));
            for part in value.split('\n') {
                w.line(0, &format!("\t  {}", shorten(part, MAX_ANNOTATION_LEN - 2)));
            }
        } else {
            w.line(0, &format!("{key}: {value}"));
        }
    }
}

const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// Cuts to `max` bytes and appends `...`. Go cuts bytes and may split a character; we
/// cut at the previous character boundary instead.
pub(crate) fn shorten(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &s[..end])
}

/// `printNodeTaintsMultiline`: sorted by effect, then key.
pub(crate) fn taints(w: &mut Writer, title: &str, taints: &[Taint]) {
    let mut sorted: Vec<&Taint> = taints.iter().collect();
    sorted.sort_by_cached_key(|t| format!("{},{}", t.effect, t.key));
    let entries: Vec<String> = sorted.into_iter().map(taint_string).collect();
    multiline(w, title, &entries);
}

/// `Taint.ToString`: `key[=value]:effect`; without an effect, `key` or `key=value:`.
fn taint_string(t: &Taint) -> String {
    let value = t.value.as_deref().unwrap_or("");
    match (value.is_empty(), t.effect.is_empty()) {
        (true, true) => t.key.clone(),
        (false, true) => format!("{}={}:", t.key, value),
        (true, false) => format!("{}:{}", t.key, t.effect),
        (false, false) => format!("{}={}:{}", t.key, value, t.effect),
    }
}

/// `printPodTolerationsMultiline`: sorted by key, `key[=value][:effect][ op=Exists][ for Ns]`.
pub(crate) fn tolerations(w: &mut Writer, title: &str, tolerations: &[Toleration]) {
    let mut sorted: Vec<&Toleration> = tolerations.iter().collect();
    sorted.sort_by(|a, b| a.key.cmp(&b.key));
    let op_exists = w.style().toleration_op_exists;
    let entries: Vec<String> = sorted.into_iter().map(|t| toleration_string(t, op_exists)).collect();
    multiline(w, title, &entries);
}

fn toleration_string(t: &Toleration, op_exists: bool) -> String {
    let key = t.key.as_deref().unwrap_or("");
    let value = t.value.as_deref().unwrap_or("");
    let effect = t.effect.as_deref().unwrap_or("");
    let mut s = key.to_string();
    if !value.is_empty() {
        s.push_str(&format!("={value}"));
    }
    if !effect.is_empty() {
        s.push_str(&format!(":{effect}"));
    }
    if op_exists && t.operator.as_deref() == Some("Exists") && value.is_empty() {
        // The key- and effect-less toleration tolerates everything: plain `op=Exists`.
        s.push_str(if key.is_empty() && effect.is_empty() { "op=Exists" } else { " op=Exists" });
    }
    if let Some(seconds) = t.toleration_seconds {
        s.push_str(&format!(" for {seconds}s"));
    }
    s
}

/// `Kind/name` of the controlling owner reference, as `Controlled By:` shows it.
pub(crate) fn controller_of(meta: &ObjectMeta) -> Option<String> {
    meta.owner_references
        .iter()
        .flatten()
        .find(|r| r.controller == Some(true))
        .map(|r| format!("{}/{}", r.kind, r.name))
}

/// `labels.FormatLabels`: sorted `k=v` joined by commas, `<none>` when empty.
pub(crate) fn format_labels(labels: Option<&BTreeMap<String, String>>) -> String {
    let joined = labels.into_iter().flatten().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(",");
    if joined.is_empty() { "<none>".into() } else { joined }
}

/// `metav1.FormatLabelSelector`: requirements sorted by key, `<none>` when the
/// selector selects everything or nothing.
pub(crate) fn format_label_selector(selector: Option<&LabelSelector>) -> String {
    let Some(selector) = selector else {
        return "<none>".into();
    };
    let mut requirements: Vec<(String, String)> = Vec::new();
    for (k, v) in selector.match_labels.iter().flatten() {
        requirements.push((k.clone(), format!("{k}={v}")));
    }
    for expr in selector.match_expressions.iter().flatten() {
        let mut values = expr.values.clone().unwrap_or_default();
        values.sort();
        let text = match expr.operator.as_str() {
            "In" => format!("{} in ({})", expr.key, values.join(",")),
            "NotIn" => format!("{} notin ({})", expr.key, values.join(",")),
            "Exists" => expr.key.clone(),
            "DoesNotExist" => format!("!{}", expr.key),
            _ => return "<error>".into(),
        };
        requirements.push((expr.key.clone(), text));
    }
    requirements.sort_by(|a, b| a.0.cmp(&b.0));
    let joined = requirements.into_iter().map(|(_, text)| text).collect::<Vec<_>>().join(",");
    if joined.is_empty() { "<none>".into() } else { joined }
}

/// Go's `%q` for the strings describe quotes (sub-paths): escapes quotes, backslashes
/// and control characters.
pub(crate) fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c == '\x7f' => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `True`/`False`, describe's `printBool`.
pub(crate) fn title_bool(b: bool) -> &'static str {
    if b { "True" } else { "False" }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn style() -> DescribeStyle {
        DescribeStyle::for_minor(33)
    }

    #[test]
    fn rfc1123z_is_utc_with_numeric_zone() {
        let t: Timestamp = "2024-05-31T12:48:21Z".parse().unwrap();
        assert_eq!(rfc1123z(t), "Fri, 31 May 2024 12:48:21 +0000");
    }

    #[test]
    fn labels_continue_under_the_value() {
        let s = style();
        let mut w = Writer::new(&s);
        let map: BTreeMap<String, String> =
            [("b", "2"), ("a", "1")].map(|(k, v)| (k.into(), v.into())).into();
        labels(&mut w, "Labels", Some(&map));
        labels(&mut w, "Selector", None);
        assert_eq!(w.finish(), "Labels:    a=1\n           b=2\nSelector:  <none>\n");
    }

    #[test]
    fn long_annotations_fold() {
        let s = DescribeStyle::for_minor(17);
        let mut w = Writer::new(&s);
        let long = "x".repeat(150);
        let map: BTreeMap<String, String> = [(LAST_APPLIED.to_string(), long)].into();
        annotations(&mut w, "Annotations", Some(&map));
        let out = w.finish();
        let expected = format!("Annotations:  {LAST_APPLIED}:\n                {}...\n", "x".repeat(138));
        assert_eq!(out, expected);
        let s = style();
        let mut w = Writer::new(&s);
        annotations(&mut w, "Annotations", Some(&map));
        assert_eq!(w.finish(), "Annotations:  <none>\n");
    }

    #[test]
    fn toleration_forms() {
        let tol = |key: &str, op: &str, value: &str, effect: &str, secs: Option<i64>| Toleration {
            key: (!key.is_empty()).then(|| key.into()),
            operator: Some(op.into()),
            value: (!value.is_empty()).then(|| value.into()),
            effect: (!effect.is_empty()).then(|| effect.into()),
            toleration_seconds: secs,
        };
        let t = tol("node.kubernetes.io/not-ready", "Exists", "", "NoExecute", Some(300));
        assert_eq!(toleration_string(&t, true), "node.kubernetes.io/not-ready:NoExecute op=Exists for 300s");
        assert_eq!(toleration_string(&t, false), "node.kubernetes.io/not-ready:NoExecute for 300s");
        assert_eq!(toleration_string(&tol("", "Exists", "", "", None), true), "op=Exists");
        assert_eq!(toleration_string(&tol("k", "Equal", "v", "NoSchedule", None), true), "k=v:NoSchedule");
    }

    #[test]
    fn taint_forms() {
        let taint = |key: &str, value: Option<&str>, effect: &str| Taint {
            key: key.into(),
            value: value.map(Into::into),
            effect: effect.into(),
            time_added: None,
        };
        assert_eq!(taint_string(&taint("k", None, "NoSchedule")), "k:NoSchedule");
        assert_eq!(taint_string(&taint("k", Some("v"), "NoExecute")), "k=v:NoExecute");
        assert_eq!(taint_string(&taint("k", Some("v"), "")), "k=v:");
    }

    #[test]
    fn selectors() {
        use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelectorRequirement;
        let sel = LabelSelector {
            match_labels: Some([("app".to_string(), "web".to_string())].into()),
            match_expressions: Some(vec![LabelSelectorRequirement {
                key: "tier".into(),
                operator: "In".into(),
                values: Some(vec!["b".into(), "a".into()]),
            }]),
        };
        assert_eq!(format_label_selector(Some(&sel)), "app=web,tier in (a,b)");
        assert_eq!(format_label_selector(Some(&LabelSelector::default())), "<none>");
        assert_eq!(format_labels(None), "<none>");
    }

    #[test]
    fn escapes_terminal_controls() {
        assert_eq!(escape_terminal("a\x1b[31mb\r"), "a^[[31mb\\r");
    }
}
