//! Running a parsed template over a decoded object, as client-go `util/jsonpath`
//! (`jsonpath.go`) does with missing keys allowed (kubectl's default).

use std::borrow::Cow;
use std::cmp::Ordering;

use serde_json::Value;

use super::Dialect;
use super::parse::{Node, Param};
use crate::gofmt;

/// A value met on the way: part of the object, or made by the template (text, numbers).
pub type Val<'a> = Cow<'a, Value>;

/// `FindResults`: one group of values per top-level node, in order.
pub fn find_results<'a>(
    nodes: &[Node],
    data: &'a Value,
    dialect: &Dialect,
) -> Result<Vec<Vec<Val<'a>>>, String> {
    let mut exec = Exec {
        dialect,
        begin_range: 0,
        in_range: 0,
        end_range: 0,
        last_end: None,
        cur: Vec::new(),
        stack: Vec::new(),
    };
    if dialect.range_resumes_after_end {
        exec.find(nodes, 0, Cow::Borrowed(data))
    } else {
        exec.find_before_1_19(nodes, Cow::Borrowed(data))
    }
}

struct Exec<'d, 'a> {
    dialect: &'d Dialect,
    begin_range: usize,
    in_range: usize,
    end_range: usize,
    /// Absolute index of the last `{end}` that closed a block.
    last_end: Option<usize>,
    /// ≤ 1.18: the current values, and those saved by `range` for `end` to restore.
    cur: Vec<Val<'a>>,
    stack: Vec<Vec<Val<'a>>>,
}

impl<'a> Exec<'_, 'a> {
    /// 1.19+: a range runs the following nodes once per value, each run stopping at its
    /// `{end}`; the rest of the template then resumes after that `{end}`.
    fn find(&mut self, nodes: &[Node], base: usize, data: Val<'a>) -> Result<Vec<Vec<Val<'a>>>, String> {
        let cur = vec![data];
        let mut full = Vec::new();
        let mut i = 0;
        while i < nodes.len() {
            let results = self.walk(cur.clone(), &nodes[i])?;
            if self.end_range > 0 && self.end_range <= self.in_range {
                self.end_range -= 1;
                self.last_end = Some(base + i);
                break;
            }
            if self.begin_range > 0 {
                self.begin_range -= 1;
                self.in_range += 1;
                let body = &nodes[i + 1..];
                if results.is_empty() {
                    // Still walked, to find where the range ends.
                    self.find(body, base + i + 1, Cow::Owned(Value::Null))?;
                }
                for value in results {
                    full.extend(self.find(body, base + i + 1, value)?);
                }
                self.in_range -= 1;
                if let Some(end) = self.last_end.filter(|e| (base + i + 1..base + nodes.len()).contains(e)) {
                    i = end - base;
                }
                i += 1;
                continue;
            }
            full.push(results);
            i += 1;
        }
        Ok(full)
    }

    /// ≤ 1.18: the range's runs go on past `{end}` only in the last one (which `end`
    /// switches back to the values before the range); an empty range ends the template.
    fn find_before_1_19(&mut self, nodes: &[Node], data: Val<'a>) -> Result<Vec<Vec<Val<'a>>>, String> {
        self.cur = vec![data];
        let mut full = Vec::new();
        for (i, node) in nodes.iter().enumerate() {
            let results = self.walk(self.cur.clone(), node)?;
            if self.end_range > 0 && self.end_range <= self.in_range {
                self.end_range -= 1;
                break;
            }
            if self.begin_range > 0 {
                self.begin_range -= 1;
                self.in_range += 1;
                let count = results.len();
                for (k, value) in results.into_iter().enumerate() {
                    if k + 1 == count {
                        self.in_range -= 1;
                    }
                    full.extend(self.find_before_1_19(&nodes[i + 1..], value)?);
                }
                break;
            }
            full.push(results);
        }
        Ok(full)
    }

    fn walk(&mut self, input: Vec<Val<'a>>, node: &Node) -> Result<Vec<Val<'a>>, String> {
        match node {
            Node::List(steps) => steps.iter().try_fold(input, |values, step| self.walk(values, step)),
            Node::Text(text) => Ok(vec![Cow::Owned(Value::String(text.clone()))]),
            Node::Int(i) => Ok(input.iter().map(|_| Cow::Owned(Value::from(*i))).collect()),
            Node::Float(f) => Ok(input.iter().map(|_| Cow::Owned(Value::from(*f))).collect()),
            Node::Bool(b) => Ok(input.iter().map(|_| Cow::Owned(Value::Bool(*b))).collect()),
            Node::Field(name) => Ok(input.iter().filter_map(|v| child(v, |v| v.get(name))).collect()),
            Node::Array(params) => array(input, params),
            Node::Filter { left, op, right } => self.filter(input, left, op, right),
            Node::Wildcard => Ok(input.iter().flat_map(children).collect()),
            Node::Recursive => Ok(recursive(input)),
            Node::Union(lists) => {
                let mut out = Vec::new();
                for list in lists {
                    out.extend(self.walk(input.clone(), &Node::List(list.clone()))?);
                }
                Ok(out)
            }
            Node::Identifier(name) => self.identifier(input, name),
        }
    }

    fn identifier(&mut self, input: Vec<Val<'a>>, name: &str) -> Result<Vec<Val<'a>>, String> {
        let not_in_range = || Err("not in range, nothing to end".to_string());
        match name {
            "range" => {
                if !self.dialect.range_resumes_after_end {
                    self.stack.push(self.cur.clone());
                }
                self.begin_range += 1;
                Ok(input)
            }
            "end" if self.dialect.range_resumes_after_end => {
                if self.in_range == 0 {
                    return not_in_range();
                }
                self.end_range += 1;
                Ok(Vec::new())
            }
            "end" => {
                if self.end_range < self.in_range {
                    self.end_range += 1;
                } else if let Some(saved) = self.stack.pop() {
                    self.cur = saved;
                } else {
                    return not_in_range();
                }
                Ok(Vec::new())
            }
            other => Err(format!("unrecognized identifier {other}")),
        }
    }

    fn filter(
        &mut self,
        input: Vec<Val<'a>>,
        left: &[Node],
        op: &str,
        right: &[Node],
    ) -> Result<Vec<Val<'a>>, String> {
        let mut out = Vec::new();
        for value in &input {
            let Value::Array(items) = value.as_ref() else {
                return Err(format!("{} is not array or slice and cannot be filtered", gofmt::v(value)));
            };
            for index in 0..items.len() {
                let item = child(value, |v| v.get(index)).expect("index in range");
                let lefts = self.walk(vec![item.clone()], &Node::List(left.to_vec()));
                if op == "exists" {
                    if lefts.is_ok_and(|l| !l.is_empty()) {
                        out.push(item);
                    }
                    continue;
                }
                let lefts = lefts?;
                let Some(l) = single(&lefts)? else { continue };
                let rights = self.walk(vec![item.clone()], &Node::List(right.to_vec()))?;
                let Some(r) = single(&rights)? else { continue };
                let pass = match op {
                    "==" => compare(l, r)? == Ordering::Equal,
                    "!=" => compare(l, r)? != Ordering::Equal,
                    "<" => ordered(l, r)? == Ordering::Less,
                    ">" => ordered(l, r)? == Ordering::Greater,
                    "<=" => ordered(l, r)? != Ordering::Greater,
                    ">=" => ordered(l, r)? != Ordering::Less,
                    other => return Err(format!("unrecognized filter operator {other}")),
                };
                if pass {
                    out.push(item);
                }
            }
        }
        Ok(out)
    }
}

fn single<'v, 'a>(values: &'v [Val<'a>]) -> Result<Option<&'v Value>, String> {
    match values {
        [] => Ok(None),
        [one] => Ok(Some(one.as_ref())),
        _ => Err("can only compare one element at a time".into()),
    }
}

/// A part of a value, borrowed from the object when the value is.
fn child<'a>(value: &Val<'a>, get: impl Fn(&Value) -> Option<&Value>) -> Option<Val<'a>> {
    match value {
        Cow::Borrowed(v) => get(v).map(Cow::Borrowed),
        Cow::Owned(v) => get(v).cloned().map(Cow::Owned),
    }
}

/// Map values (sorted by key; Go's order is random), list items, string bytes.
fn children<'a>(value: &Val<'a>) -> Vec<Val<'a>> {
    match value.as_ref() {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            keys.into_iter().filter_map(|k| child(value, |v| v.get(k))).collect()
        }
        Value::Array(items) => (0..items.len()).filter_map(|i| child(value, |v| v.get(i))).collect(),
        Value::String(s) => s.bytes().map(|b| Cow::Owned(Value::from(b))).collect(),
        _ => Vec::new(),
    }
}

/// `..`: every value that has parts, followed by the values below it.
fn recursive(input: Vec<Val<'_>>) -> Vec<Val<'_>> {
    let mut out = Vec::new();
    for value in input {
        let parts = children(&value);
        if !parts.is_empty() {
            out.push(value);
            out.extend(recursive(parts));
        }
    }
    out
}

/// `[start:end:step]` over each list, with Go's bounds and errors.
fn array<'a>(input: Vec<Val<'a>>, params: &[Param; 3]) -> Result<Vec<Val<'a>>, String> {
    let mut out = Vec::new();
    for value in &input {
        let len = match value.as_ref() {
            Value::Null => continue,
            Value::Array(items) => items.len() as i64,
            other => return Err(format!("{} is not array or slice", gofmt::type_name(other))),
        };
        let [mut start, mut end, step] = *params;
        if !start.known {
            start.value = 0;
        }
        if start.value < 0 {
            start.value += len;
        }
        if !end.known {
            end.value = len;
        }
        if end.value < 0 || (end.value == 0 && end.derived) {
            end.value += len;
        }
        if end.value == start.value {
            // Zero elements asked for: Go returns what it has so far.
            return Ok(out);
        }
        if start.value >= len || start.value < 0 {
            return Err(format!("array index out of bounds: index {}, length {len}", start.value));
        }
        if end.value > len || end.value < 0 {
            return Err(format!("array index out of bounds: index {}, length {len}", end.value - 1));
        }
        if start.value > end.value {
            return Err(format!("starting index {} is greater than ending index {}", start.value, end.value));
        }
        let step = if step.known {
            if step.value <= 0 {
                return Err("step must be > 0".into());
            }
            step.value as usize
        } else {
            1
        };
        for index in (start.value as usize..end.value as usize).step_by(step) {
            out.extend(child(value, |v| v.get(index)));
        }
    }
    Ok(out)
}

/// Go template's kinds for comparison: integers, floats, strings, booleans.
#[derive(PartialEq)]
enum Basic<'v> {
    Int(i64),
    Float(f64),
    Str(&'v str),
    Bool(bool),
}

fn basic(value: &Value) -> Result<Basic<'_>, String> {
    match value {
        Value::Number(n) => {
            Ok(n.as_i64().map(Basic::Int).unwrap_or_else(|| Basic::Float(n.as_f64().unwrap_or(0.0))))
        }
        Value::String(s) => Ok(Basic::Str(s)),
        Value::Bool(b) => Ok(Basic::Bool(*b)),
        _ => Err("invalid type for comparison".into()),
    }
}

/// `eq`: equal or not (booleans compare too); different kinds are an error.
fn compare(l: &Value, r: &Value) -> Result<Ordering, String> {
    match (basic(l)?, basic(r)?) {
        (Basic::Bool(a), Basic::Bool(b)) => Ok(if a == b { Ordering::Equal } else { Ordering::Less }),
        (a, b) => order(a, b),
    }
}

/// `lt` and friends: booleans cannot be ordered.
fn ordered(l: &Value, r: &Value) -> Result<Ordering, String> {
    match (basic(l)?, basic(r)?) {
        (Basic::Bool(_), Basic::Bool(_)) => Err("invalid type for comparison".into()),
        (a, b) => order(a, b),
    }
}

fn order(a: Basic, b: Basic) -> Result<Ordering, String> {
    match (a, b) {
        (Basic::Int(a), Basic::Int(b)) => Ok(a.cmp(&b)),
        (Basic::Float(a), Basic::Float(b)) => Ok(a.partial_cmp(&b).unwrap_or(Ordering::Less)),
        (Basic::Str(a), Basic::Str(b)) => Ok(a.cmp(b)),
        _ => Err("incompatible types for comparison".into()),
    }
}
