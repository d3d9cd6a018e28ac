//! Label selectors: parsing `-l` strings, converting API selectors, matching, and the
//! string form printers show (`metav1.FormatLabelSelector`, `labels.FormatLabels`).
//!
//! Written here rather than taken from kube-core, which has no string parser and accepts
//! selectors Kubernetes rejects (`In` with no values).

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    Equals,
    NotEquals,
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Requirement {
    pub key: String,
    pub op: Op,
    pub values: Vec<String>,
}

impl Requirement {
    fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        let value = labels.get(&self.key);
        match self.op {
            Op::Equals | Op::In => value.is_some_and(|v| self.values.contains(v)),
            Op::NotEquals | Op::NotIn => value.is_none_or(|v| !self.values.contains(v)),
            Op::Exists => value.is_some(),
            Op::DoesNotExist => value.is_none(),
        }
    }

    /// apimachinery's `Requirement.String()`: values of set operators sorted.
    fn render(&self) -> String {
        let mut values = self.values.clone();
        values.sort();
        match self.op {
            Op::Equals => format!("{}={}", self.key, values.join(",")),
            Op::NotEquals => format!("{}!={}", self.key, values.join(",")),
            Op::In => format!("{} in ({})", self.key, values.join(",")),
            Op::NotIn => format!("{} notin ({})", self.key, values.join(",")),
            Op::Exists => self.key.clone(),
            Op::DoesNotExist => format!("!{}", self.key),
        }
    }
}

/// A conjunction of requirements. An empty selector matches everything; "matches
/// nothing" is represented by `None` at the call sites that need it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selector {
    pub requirements: Vec<Requirement>,
}

impl Selector {
    pub fn everything() -> Self {
        Selector::default()
    }

    pub fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }

    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.requirements.iter().all(|r| r.matches(labels))
    }

    pub fn matches_opt(&self, labels: Option<&BTreeMap<String, String>>) -> bool {
        static EMPTY: BTreeMap<String, String> = BTreeMap::new();
        self.matches(labels.unwrap_or(&EMPTY))
    }

    /// From a map selector (ReplicationController `spec.selector`, Service selector).
    pub fn from_map(map: &BTreeMap<String, String>) -> Self {
        Selector {
            requirements: map
                .iter()
                .map(|(k, v)| Requirement { key: k.clone(), op: Op::Equals, values: vec![v.clone()] })
                .collect(),
        }
    }

    /// `metav1.LabelSelectorAsSelector`: matchLabels then matchExpressions, sorted by key.
    pub fn from_label_selector(ls: &LabelSelector) -> Result<Self, String> {
        let mut requirements = Vec::new();
        for (k, v) in ls.match_labels.iter().flatten() {
            requirements.push(Requirement { key: k.clone(), op: Op::Equals, values: vec![v.clone()] });
        }
        for expr in ls.match_expressions.iter().flatten() {
            let values = expr.values.clone().unwrap_or_default();
            let op = match expr.operator.as_str() {
                "In" => Op::In,
                "NotIn" => Op::NotIn,
                "Exists" => Op::Exists,
                "DoesNotExist" => Op::DoesNotExist,
                other => return Err(format!("{other:?} is not a valid label selector operator")),
            };
            requirements.push(Requirement { key: expr.key.clone(), op, values });
        }
        requirements.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(Selector { requirements })
    }

    /// The string form printers show; `<none>` is the caller's choice for empty.
    pub fn render(&self) -> String {
        let mut reqs: Vec<&Requirement> = self.requirements.iter().collect();
        reqs.sort_by(|a, b| a.key.cmp(&b.key));
        reqs.iter().map(|r| r.render()).collect::<Vec<_>>().join(",")
    }

    /// Parses kubectl's `-l` syntax: `a=b,c!=d,e in (x,y),f notin (z),g,!h`, `==` too.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut requirements = Vec::new();
        for part in split_top_level(text)? {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            requirements.push(parse_requirement(part)?);
        }
        Ok(Selector { requirements })
    }
}

/// Splits on commas that are not inside parentheses.
fn split_top_level(text: &str) -> Result<Vec<&str>, String> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
        if depth < 0 {
            return Err(format!("unable to parse requirement: unexpected ')' in {text:?}"));
        }
    }
    parts.push(&text[start..]);
    Ok(parts)
}

fn parse_requirement(part: &str) -> Result<Requirement, String> {
    if let Some(key) = part.strip_prefix('!') {
        return Ok(Requirement { key: valid_key(key.trim())?, op: Op::DoesNotExist, values: vec![] });
    }
    for (token, op) in [("!=", Op::NotEquals), ("==", Op::Equals), ("=", Op::Equals)] {
        if let Some((k, v)) = part.split_once(token) {
            return Ok(Requirement { key: valid_key(k.trim())?, op, values: vec![v.trim().to_string()] });
        }
    }
    let words: Vec<&str> = part.splitn(2, char::is_whitespace).collect();
    if words.len() == 2 {
        let key = valid_key(words[0])?;
        let rest = words[1].trim_start();
        let (op, list) = if let Some(r) = rest.strip_prefix("notin") {
            (Op::NotIn, r)
        } else if let Some(r) = rest.strip_prefix("in") {
            (Op::In, r)
        } else {
            return Err(format!(
                "unable to parse requirement: found '{rest}', expected: in, notin, =, ==, !=, gt, lt"
            ));
        };
        let list = list.trim();
        let inner = list
            .strip_prefix('(')
            .and_then(|l| l.strip_suffix(')'))
            .ok_or_else(|| format!("unable to parse requirement: found '{list}', expected: '('"))?;
        let values: Vec<String> =
            inner.split(',').map(|v| v.trim().to_string()).filter(|v| !v.is_empty()).collect();
        return Ok(Requirement { key, op, values });
    }
    Ok(Requirement { key: valid_key(part)?, op: Op::Exists, values: vec![] })
}

fn valid_key(key: &str) -> Result<String, String> {
    let ok = !key.is_empty()
        && key.len() <= 316
        && key.chars().all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c));
    if ok {
        Ok(key.to_string())
    } else {
        Err(format!("unable to parse requirement: invalid label key \"{key}\""))
    }
}

/// `labels.FormatLabels`: `k=v` pairs sorted, comma-joined, `<none>` when empty.
pub fn format_labels(labels: Option<&BTreeMap<String, String>>) -> String {
    match labels {
        Some(map) if !map.is_empty() => {
            let mut pairs: Vec<String> = map.iter().map(|(k, v)| format!("{k}={v}")).collect();
            pairs.sort();
            pairs.join(",")
        }
        _ => "<none>".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn parses_and_matches() {
        let s = Selector::parse("app=kubia,tier in (web, api),!canary,env!=dev").unwrap();
        assert!(s.matches(&labels(&[("app", "kubia"), ("tier", "web")])));
        assert!(!s.matches(&labels(&[("app", "kubia"), ("tier", "db")])));
        assert!(!s.matches(&labels(&[("app", "kubia"), ("tier", "web"), ("canary", "1")])));
        assert!(!s.matches(&labels(&[("app", "kubia"), ("tier", "web"), ("env", "dev")])));
        assert_eq!(s.render(), "app=kubia,!canary,env!=dev,tier in (api,web)");
    }

    #[test]
    fn exists_and_notin() {
        let s = Selector::parse("app,env notin (prod)").unwrap();
        assert!(s.matches(&labels(&[("app", "x")])));
        assert!(!s.matches(&labels(&[("env", "dev")])));
        assert!(!s.matches(&labels(&[("app", "x"), ("env", "prod")])));
    }

    #[test]
    fn format_labels_sorted() {
        assert_eq!(
            format_labels(Some(&labels(&[("type", "special"), ("app", "kubia")]))),
            "app=kubia,type=special"
        );
        assert_eq!(format_labels(None), "<none>");
    }

    #[test]
    fn bad_selector() {
        assert!(Selector::parse("tier in web").is_err());
        assert!(Selector::parse("a b c").is_err());
    }
}
