//! Label selectors: parsing `-l` strings as the apiserver does (apimachinery
//! `labels/selector.go`, with its error texts), converting API selectors, matching, and
//! the string form printers show (`metav1.FormatLabelSelector`, `labels.FormatLabels`).
//!
//! Written here rather than taken from kube-core, which has no string parser and accepts
//! selectors Kubernetes rejects (`In` with no values).

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use super::validation::{label_value_errors, qualified_name_errors};
use crate::gofmt::quote;
use crate::profile::{Profile, SelectorErrors};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    Equals,
    NotEquals,
    In,
    NotIn,
    Exists,
    DoesNotExist,
    GreaterThan,
    LessThan,
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
            // Both sides must be integers (`Requirement.Matches`).
            Op::GreaterThan | Op::LessThan => {
                let number = |v: Option<&String>| v.and_then(|v| v.parse::<i64>().ok());
                match (number(value), number(self.values.first()), self.values.len()) {
                    (Some(label), Some(bound), 1) => {
                        if self.op == Op::GreaterThan {
                            label > bound
                        } else {
                            label < bound
                        }
                    }
                    _ => false,
                }
            }
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
            Op::GreaterThan => format!("{}>{}", self.key, values.join(",")),
            Op::LessThan => format!("{}<{}", self.key, values.join(",")),
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

    /// Parses the `-l` syntax as the newest apiserver does (see [`Selector::parse_as`]).
    pub fn parse(text: &str) -> Result<Self, String> {
        Selector::parse_as(text, &Profile::default().selector_errors)
    }

    /// apimachinery's `labels.Parse`: `a=b,c!=d,e in (x,y),f notin (z),g,!h,i>1,j<2`
    /// (`==` too); the error is the apiserver's text for this version.
    pub fn parse_as(text: &str, errors: &SelectorErrors) -> Result<Self, String> {
        let mut parser = Parser { items: lex(text), pos: 0, errors };
        let mut requirements = parser.parse()?;
        requirements.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(Selector { requirements })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Token {
    Error,
    End,
    ClosedPar,
    Comma,
    DoesNotExist,
    DoubleEquals,
    Equals,
    GreaterThan,
    Identifier,
    In,
    LessThan,
    NotEquals,
    NotIn,
    OpenPar,
}

fn keyword(text: &[u8]) -> Option<Token> {
    Some(match text {
        b")" => Token::ClosedPar,
        b"," => Token::Comma,
        b"!" => Token::DoesNotExist,
        b"==" => Token::DoubleEquals,
        b"=" => Token::Equals,
        b">" => Token::GreaterThan,
        b"in" => Token::In,
        b"<" => Token::LessThan,
        b"!=" => Token::NotEquals,
        b"notin" => Token::NotIn,
        b"(" => Token::OpenPar,
        _ => return None,
    })
}

fn is_special(c: u8) -> bool {
    matches!(c, b'=' | b'!' | b'(' | b')' | b',' | b'>' | b'<')
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

/// The lexer: runs of operator characters become the longest operator they start with;
/// anything else up to a space or operator character is a word (`in`/`notin` keywords).
fn lex(text: &str) -> Vec<(Token, String)> {
    let bytes = text.as_bytes();
    let word = |a: usize, b: usize| String::from_utf8_lossy(&bytes[a..b]).into_owned();
    let mut items = Vec::new();
    let mut pos = 0;
    loop {
        while pos < bytes.len() && is_space(bytes[pos]) {
            pos += 1;
        }
        if pos >= bytes.len() {
            items.push((Token::End, String::new()));
            return items;
        }
        let start = pos;
        if is_special(bytes[pos]) {
            let mut last = None;
            while pos < bytes.len() && is_special(bytes[pos]) {
                pos += 1;
                match keyword(&bytes[start..pos]) {
                    Some(token) => last = Some((token, word(start, pos))),
                    None if last.is_some() => {
                        pos -= 1;
                        break;
                    }
                    None => {}
                }
            }
            items.push(last.unwrap_or_else(|| {
                (Token::Error, format!("error expected: keyword found '{}'", word(start, pos)))
            }));
        } else {
            while pos < bytes.len() && !is_special(bytes[pos]) && !is_space(bytes[pos]) {
                pos += 1;
            }
            items.push((keyword(&bytes[start..pos]).unwrap_or(Token::Identifier), word(start, pos)));
        }
    }
}

/// Where a token is read: among values, `in` and `notin` are plain words.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Context {
    KeyAndOperator,
    Values,
}

struct Parser<'e> {
    items: Vec<(Token, String)>,
    pos: usize,
    errors: &'e SelectorErrors,
}

impl Parser<'_> {
    fn lookahead(&self, context: Context) -> (Token, String) {
        let (token, text) = self.items[self.pos.min(self.items.len() - 1)].clone();
        match token {
            Token::In | Token::NotIn if context == Context::Values => (Token::Identifier, text),
            _ => (token, text),
        }
    }

    fn consume(&mut self, context: Context) -> (Token, String) {
        let item = self.lookahead(context);
        self.pos += 1;
        item
    }

    fn parse(&mut self) -> Result<Vec<Requirement>, String> {
        let mut requirements = Vec::new();
        loop {
            let (token, text) = self.lookahead(Context::Values);
            match token {
                Token::Identifier | Token::DoesNotExist => {
                    let r = self.requirement().map_err(|e| format!("unable to parse requirement: {e}"))?;
                    requirements.push(r);
                    let (token, text) = self.consume(Context::Values);
                    match token {
                        Token::End => return Ok(requirements),
                        Token::Comma => {
                            let (next, text) = self.lookahead(Context::Values);
                            if next != Token::Identifier && next != Token::DoesNotExist {
                                return Err(format!("found '{text}', expected: identifier after ','"));
                            }
                        }
                        _ => return Err(format!("found '{text}', expected: ',' or 'end of string'")),
                    }
                }
                Token::End => return Ok(requirements),
                _ => return Err(format!("found '{text}', expected: !, identifier, or 'end of string'")),
            }
        }
    }

    fn requirement(&mut self) -> Result<Requirement, String> {
        let (key, op) = self.key_and_inferred_operator()?;
        if let Some(op) = op {
            return self.new_requirement(key, op, Vec::new());
        }
        let op = self.operator()?;
        let values = match op {
            Op::In | Op::NotIn => self.values()?,
            _ => self.exact_value()?,
        };
        self.new_requirement(key, op, values)
    }

    /// The key, and `Exists`/`DoesNotExist` when no binary operator follows.
    fn key_and_inferred_operator(&mut self) -> Result<(String, Option<Op>), String> {
        let (mut token, mut text) = self.consume(Context::Values);
        let mut op = None;
        if token == Token::DoesNotExist {
            op = Some(Op::DoesNotExist);
            (token, text) = self.consume(Context::Values);
        }
        if token != Token::Identifier {
            return Err(format!("found '{text}', expected: identifier"));
        }
        let errs = qualified_name_errors(&text, self.errors.subdomain);
        if !errs.is_empty() {
            let errs = errs.join("; ");
            return Err(if self.errors.field_errors {
                format!("<nil>: Invalid value: {}: {errs}", quote(&text))
            } else {
                format!("invalid label key {}: {errs}", quote(&text))
            });
        }
        if op.is_none() && matches!(self.lookahead(Context::Values).0, Token::End | Token::Comma) {
            op = Some(Op::Exists);
        }
        Ok((text, op))
    }

    fn operator(&mut self) -> Result<Op, String> {
        let (token, text) = self.consume(Context::KeyAndOperator);
        Ok(match token {
            Token::In => Op::In,
            Token::Equals | Token::DoubleEquals => Op::Equals,
            Token::GreaterThan => Op::GreaterThan,
            Token::LessThan => Op::LessThan,
            Token::NotIn => Op::NotIn,
            Token::NotEquals => Op::NotEquals,
            _ => return Err(format!("found '{text}', expected: {}", self.errors.expected_operators)),
        })
    }

    /// `(a,b)`: a set, sorted; `()` is the empty string.
    fn values(&mut self) -> Result<Vec<String>, String> {
        let (token, text) = self.consume(Context::Values);
        if token != Token::OpenPar {
            return Err(format!("found '{text}' expected: '('"));
        }
        let (token, text) = self.lookahead(Context::Values);
        match token {
            Token::Identifier | Token::Comma => {
                let values = self.identifiers()?;
                if self.consume(Context::Values).0 != Token::ClosedPar {
                    return Err(format!("found '{text}', expected: ')'"));
                }
                Ok(values)
            }
            Token::ClosedPar => {
                self.consume(Context::Values);
                Ok(vec![String::new()])
            }
            _ => Err(format!("found '{text}', expected: ',', ')' or identifier")),
        }
    }

    /// Comma-separated words up to `)`, empty ones included.
    fn identifiers(&mut self) -> Result<Vec<String>, String> {
        let mut set = std::collections::BTreeSet::new();
        loop {
            let (token, text) = self.consume(Context::Values);
            match token {
                Token::Identifier => {
                    set.insert(text);
                    let (next, text) = self.lookahead(Context::Values);
                    match next {
                        Token::Comma => continue,
                        Token::ClosedPar => return Ok(set.into_iter().collect()),
                        _ => return Err(format!("found '{text}', expected: ',' or ')'")),
                    }
                }
                Token::Comma => {
                    if set.is_empty() {
                        set.insert(String::new());
                    }
                    match self.lookahead(Context::Values).0 {
                        Token::ClosedPar => {
                            set.insert(String::new());
                            return Ok(set.into_iter().collect());
                        }
                        Token::Comma => {
                            self.consume(Context::Values);
                            set.insert(String::new());
                        }
                        _ => {}
                    }
                }
                _ => return Err(format!("found '{text}', expected: ',', or identifier")),
            }
        }
    }

    fn exact_value(&mut self) -> Result<Vec<String>, String> {
        if matches!(self.lookahead(Context::Values).0, Token::End | Token::Comma) {
            return Ok(vec![String::new()]);
        }
        match self.consume(Context::Values) {
            (Token::Identifier, text) => Ok(vec![text]),
            (_, text) => Err(format!("found '{text}', expected: identifier")),
        }
    }

    /// `NewRequirement`'s checks that the parser leaves open: `gt`/`lt` values must be
    /// integers, values must be label values.
    fn new_requirement(&self, key: String, op: Op, values: Vec<String>) -> Result<Requirement, String> {
        let mut errs: Vec<String> = Vec::new();
        for (i, v) in values.iter().enumerate() {
            if matches!(op, Op::GreaterThan | Op::LessThan) && v.parse::<i64>().is_err() {
                let detail = "for 'Gt', 'Lt' operators, the value must be an integer";
                errs.push(if self.errors.field_errors {
                    format!("values[{i}]: Invalid value: {}: {detail}", quote(v))
                } else {
                    detail.to_string()
                });
            }
            let value_errs = label_value_errors(v);
            if !value_errs.is_empty() {
                let value_errs = value_errs.join("; ");
                errs.push(if self.errors.field_errors {
                    format!("values[{i}][{key}]: Invalid value: {}: {value_errs}", quote(v))
                } else {
                    format!("invalid label value: {}: at key: {}: {value_errs}", quote(v), quote(&key))
                });
            }
        }
        errs.dedup();
        match errs.len() {
            0 => Ok(Requirement { key, op, values }),
            // Before field errors, the first problem was returned alone.
            _ if !self.errors.field_errors => Err(errs.swap_remove(0)),
            1 => Err(errs.swap_remove(0)),
            _ => Err(format!("[{}]", errs.join(", "))),
        }
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
        let err = |text| Selector::parse(text).unwrap_err();
        assert_eq!(err("a in (b"), "unable to parse requirement: found '', expected: ',' or ')'");
        assert_eq!(err("tier in web"), "unable to parse requirement: found 'web' expected: '('");
        assert_eq!(
            err("a b c"),
            "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"
        );
        assert_eq!(err("=x"), "found '=', expected: !, identifier, or 'end of string'");
        assert_eq!(err("a=b c"), "found 'c', expected: ',' or 'end of string'");
        assert_eq!(err("a,"), "found '', expected: identifier after ','");
        assert_eq!(
            err("a>x"),
            "unable to parse requirement: values[0]: Invalid value: \"x\": for 'Gt', 'Lt' operators, the value must be an integer"
        );
        assert!(err("a=b$").starts_with(
            "unable to parse requirement: values[0][a]: Invalid value: \"b$\": a valid label must be"
        ));
        assert!(err("a$=b").starts_with(
            "unable to parse requirement: <nil>: Invalid value: \"a$\": name part must consist of"
        ));
        let old = Profile::for_minor(17).selector_errors;
        let err = |text| Selector::parse_as(text, &old).unwrap_err();
        assert_eq!(
            err("component not in (kube-apiserver)"),
            "unable to parse requirement: found 'not', expected: '=', '!=', '==', 'in', notin'"
        );
        assert!(
            err("a$=b").starts_with("unable to parse requirement: invalid label key \"a$\": name part must")
        );
        assert!(err("a=b$").starts_with(
            "unable to parse requirement: invalid label value: \"b$\": at key: \"a\": a valid label"
        ));
    }

    #[test]
    fn parses_like_apimachinery() {
        let s = Selector::parse("x in (foo,,baz),y,z notin ()").unwrap();
        assert_eq!(s.render(), "x in (,baz,foo),y,z notin ()");
        let s = Selector::parse("n>2,m<10,!gone").unwrap();
        assert!(s.matches(&labels(&[("n", "3"), ("m", "9")])));
        assert!(!s.matches(&labels(&[("n", "2"), ("m", "9")])));
        assert!(!s.matches(&labels(&[("n", "x"), ("m", "9")])));
        assert_eq!(Selector::parse("a==b,c=").unwrap().render(), "a=b,c=");
        assert!(Selector::parse("  ").unwrap().is_empty());
    }
}
