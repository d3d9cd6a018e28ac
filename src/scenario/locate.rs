//! Source positions for nodes of a scenario's YAML.
//!
//! `serde_yaml::Value` carries no positions, but serde_yaml attaches the position of the
//! node being read to any error a visitor returns. [`locate`] uses that: it reads the
//! document again with a visitor that walks down a path and fails on purpose at the
//! target, then takes the position from that error. It costs one more parse of the file,
//! so the parser uses it only to build error messages.
//!
//! Step lines are needed for every step, so [`sequence_item_lines`] finds them with a
//! cheap line scan of the usual block layout, and the parser falls back to [`locate`] per
//! step when the scan does not agree with the parsed document.

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// A 1-based line and column, and the byte offset of the same place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
    pub index: usize,
}

impl Pos {
    pub const START: Pos = Pos { line: 1, column: 1, index: 0 };
}

/// One step down a YAML path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seg {
    /// The value of a mapping entry, by its key (non-string keys by their plain text).
    Key(String),
    /// An item of a sequence.
    Index(usize),
}

/// What [`locate`] looks for at the end of a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// The node the path leads to (for a mapping or sequence: where it starts).
    Node,
    /// The key of the last [`Seg::Key`] of the path, rather than its value.
    Key,
}

/// The message of the deliberate error; no real error can contain a NUL.
const FOUND: &str = "\0kubesim-locate-found\0";

/// The position of the node (or key) at `path` in `text`, if the path exists.
pub fn locate(text: &str, path: &[Seg], target: Target) -> Option<Pos> {
    if target == Target::Key && !matches!(path.last(), Some(Seg::Key(_))) {
        return None;
    }
    let deserializer = serde_yaml::Deserializer::from_str(text);
    match (Walk { path, target }).deserialize(deserializer) {
        Err(err) if err.to_string().contains(FOUND) => {
            err.location().map(|loc| Pos { line: loc.line(), column: loc.column(), index: loc.index() })
        }
        _ => None,
    }
}

/// Like [`locate`], but falls back to the nearest located ancestor, then to 1:1.
pub fn locate_or_parent(text: &str, path: &[Seg], target: Target) -> Pos {
    if let Some(pos) = locate(text, path, target) {
        return pos;
    }
    (0..path.len()).rev().find_map(|len| locate(text, &path[..len], Target::Node)).unwrap_or(Pos::START)
}

struct Walk<'p> {
    path: &'p [Seg],
    target: Target,
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl Walk<'_> {
    /// A scalar ends the walk: it is the target only when the path is used up.
    fn leaf<E: de::Error>(&self) -> Result<(), E> {
        if self.path.is_empty() { Err(E::custom(FOUND)) } else { Ok(()) }
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML node")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.leaf()
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.leaf()
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.leaf()
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.leaf()
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        self.leaf()
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.leaf()
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.leaf()
    }

    fn visit_enum<A: de::EnumAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        // A tagged node (`!tag value`): it can be a target, but the walk does not go inside.
        self.leaf()
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Some((first, rest)) = self.path.split_first() else {
            return Err(de::Error::custom(FOUND));
        };
        let Seg::Key(name) = first else { return Ok(()) };
        let fail_on_key = rest.is_empty() && self.target == Target::Key;
        while let Some(hit) = map.next_key_seed(KeySeed { name, fail_on_key })? {
            if hit {
                return map.next_value_seed(Walk { path: rest, target: self.target });
            }
            map.next_value::<IgnoredAny>()?;
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let Some((first, rest)) = self.path.split_first() else {
            return Err(de::Error::custom(FOUND));
        };
        let Seg::Index(wanted) = first else {
            return Ok(());
        };
        for _ in 0..*wanted {
            if seq.next_element::<IgnoredAny>()?.is_none() {
                return Ok(());
            }
        }
        seq.next_element_seed(Walk { path: rest, target: self.target })?;
        Ok(())
    }
}

/// Reads one mapping key and says whether it is the wanted one.
struct KeySeed<'n> {
    name: &'n str,
    fail_on_key: bool,
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = bool;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl KeySeed<'_> {
    fn check<E: de::Error>(&self, text: &str) -> Result<bool, E> {
        let hit = text == self.name;
        if hit && self.fail_on_key { Err(E::custom(FOUND)) } else { Ok(hit) }
    }
}

impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a mapping key")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<bool, E> {
        self.check(v)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<bool, E> {
        self.check(&v.to_string())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<bool, E> {
        self.check(&v.to_string())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<bool, E> {
        self.check(&v.to_string())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<bool, E> {
        self.check(&serde_yaml::Number::from(v).to_string())
    }
    fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
        self.check("null")
    }
    fn visit_none<E: de::Error>(self) -> Result<bool, E> {
        self.check("null")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(false)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(false)
    }
    fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<bool, A::Error> {
        let (_, variant) = data.variant::<IgnoredAny>()?;
        de::VariantAccess::newtype_variant::<IgnoredAny>(variant)?;
        Ok(false)
    }
}

/// The 1-based lines of the items of the block sequence under the top-level `key`, found
/// by scanning lines: `key:` at column 0, then `- ` items at one indentation. An item
/// whose `-` stands alone on its line is placed at its first content line, as
/// [`locate`] would place it. `None` when the layout is not this simple one (flow style,
/// quoted key, no such key); the caller then checks the count against the parsed
/// document and falls back to [`locate`].
pub fn sequence_item_lines(text: &str, key: &str) -> Option<Vec<usize>> {
    let lines: Vec<&str> = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).collect();
    let header = lines.iter().position(|line| is_key_line(line, key))?;
    let mut items = Vec::new();
    let mut item_indent = None;
    let mut pending_item = false;
    for (number, line) in lines.iter().enumerate().skip(header + 1) {
        let content = line.trim_start_matches(' ');
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let indent = line.len() - content.len();
        if pending_item {
            items.push(number + 1);
            pending_item = false;
            if indent > item_indent.unwrap_or(0) {
                continue;
            }
        }
        let is_item = content == "-" || content.starts_with("- ") || content.starts_with("-\t");
        match item_indent {
            None if is_item => item_indent = Some(indent),
            None => return None,
            Some(expected) if indent < expected || (indent == expected && !is_item) => break,
            Some(expected) if indent > expected => continue,
            Some(_) => {}
        }
        let after_dash = content[1..].trim_start();
        if after_dash.is_empty() || after_dash.starts_with('#') {
            pending_item = true;
        } else {
            items.push(number + 1);
        }
    }
    Some(items)
}

/// `key:` at column 0, followed by nothing or a comment.
fn is_key_line(line: &str, key: &str) -> bool {
    let Some(rest) = line.strip_prefix(key) else {
        return false;
    };
    let Some(rest) = rest.trim_start_matches(' ').strip_prefix(':') else {
        return false;
    };
    let rest = rest.trim();
    rest.is_empty() || rest.starts_with('#')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(k: &str) -> Seg {
        Seg::Key(k.to_string())
    }

    fn at(text: &str, path: &[Seg], target: Target) -> Option<(usize, usize)> {
        locate(text, path, target).map(|p| (p.line, p.column))
    }

    const DOC: &str = "\
name: demo
steps:
  - run: kubectl get pods
    expect: |
      NAME   READY
  - wait: 30s
  -
    note: hello
  - {node: {add: worker2, labels: {disk: ssd}}}
";

    #[test]
    fn locates_keys_values_and_items() {
        type Case = (&'static str, Vec<Seg>, Target, Option<(usize, usize)>);
        let cases: &[Case] = &[
            ("root", vec![], Target::Node, Some((1, 1))),
            ("top-level key", vec![key("steps")], Target::Key, Some((2, 1))),
            ("top-level value", vec![key("name")], Target::Node, Some((1, 7))),
            ("sequence", vec![key("steps")], Target::Node, Some((3, 3))),
            ("block map item", vec![key("steps"), Seg::Index(0)], Target::Node, Some((3, 5))),
            ("key in item", vec![key("steps"), Seg::Index(0), key("expect")], Target::Key, Some((4, 5))),
            ("block scalar", vec![key("steps"), Seg::Index(0), key("expect")], Target::Node, Some((4, 13))),
            ("lone dash item", vec![key("steps"), Seg::Index(2)], Target::Node, Some((8, 5))),
            ("flow map item", vec![key("steps"), Seg::Index(3)], Target::Node, Some((9, 5))),
            (
                "flow nested key",
                vec![key("steps"), Seg::Index(3), key("node"), key("labels")],
                Target::Key,
                Some((9, 27)),
            ),
            (
                "flow nested value",
                vec![key("steps"), Seg::Index(3), key("node"), key("labels"), key("disk")],
                Target::Node,
                Some((9, 42)),
            ),
            ("missing key", vec![key("nope")], Target::Key, None),
            ("missing index", vec![key("steps"), Seg::Index(9)], Target::Node, None),
            ("index into map", vec![Seg::Index(0)], Target::Node, None),
            ("key target needs key", vec![key("steps"), Seg::Index(0)], Target::Key, None),
        ];
        for (name, path, target, want) in cases {
            assert_eq!(at(DOC, path, *target), *want, "{name}");
        }
    }

    #[test]
    fn locates_non_string_keys_by_text() {
        let text = "a:\n  1: x\n  true: y\n";
        assert_eq!(at(text, &[key("a"), key("1")], Target::Key), Some((2, 3)));
        assert_eq!(at(text, &[key("a"), key("true")], Target::Key), Some((3, 3)));
    }

    #[test]
    fn falls_back_to_the_nearest_parent() {
        let pos = locate_or_parent(DOC, &[key("steps"), Seg::Index(1), key("nope")], Target::Key);
        assert_eq!((pos.line, pos.column), (6, 5));
        assert_eq!(locate_or_parent("- [", &[key("x")], Target::Node), Pos::START);
    }

    #[test]
    fn byte_index_is_reported() {
        let pos = locate(DOC, &[key("name")], Target::Node).unwrap();
        assert_eq!(&DOC[pos.index..pos.index + 4], "demo");
    }

    #[test]
    fn scans_step_lines() {
        assert_eq!(sequence_item_lines(DOC, "steps"), Some(vec![3, 6, 8, 9]));
        let compact = "steps:\n- run: a\n  expect: |\n    - not an item\n# comment\n- wait: 1s\nfiles: {}\n";
        assert_eq!(sequence_item_lines(compact, "steps"), Some(vec![2, 6]));
        assert_eq!(sequence_item_lines("steps: [{wait: 1s}]\n", "steps"), None);
        assert_eq!(sequence_item_lines("name: x\n", "steps"), None);
        assert_eq!(sequence_item_lines("steps:\n  foo: 1\n", "steps"), None);
        assert_eq!(sequence_item_lines("steps:\n", "steps"), Some(vec![]));
        let crlf = "steps:\r\n  - wait: 1s\r\n  - wait: 2s\r\n";
        assert_eq!(sequence_item_lines(crlf, "steps"), Some(vec![2, 3]));
    }
}
