//! The template parser, a port of client-go `util/jsonpath/parser.go`: text outside
//! `{…}` is literal (no escapes), each `{…}` is one action, a list of steps.

/// One step of an action, or literal text.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    /// Literal text: outside braces as written, inside braces a quoted string.
    Text(String),
    /// A `{…}` action: its steps, applied in order.
    List(Vec<Node>),
    /// `.name` (backslash escapes removed).
    Field(String),
    /// `[i]`, `[a:b:c]`, `[*]`.
    Array([Param; 3]),
    /// `[?(left op right)]`; `op` is `exists` when there is no comparison.
    Filter {
        left: Vec<Node>,
        op: String,
        right: Vec<Node>,
    },
    Int(i64),
    Float(f64),
    Bool(bool),
    /// `.*`
    Wildcard,
    /// `..`
    Recursive,
    /// `[a,b]`
    Union(Vec<Vec<Node>>),
    /// `range`, `end` (anything else fails when run).
    Identifier(String),
}

/// One slice bound, as Go's `ParamsEntry`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Param {
    pub value: i64,
    pub known: bool,
    /// The end of `[i]`, derived as `i+1`.
    pub derived: bool,
}

/// Parses a whole template into its top-level nodes (`Text` and `List`).
pub fn parse(text: &str) -> Result<Vec<Node>, String> {
    let mut p = Parser { input: text, pos: 0, start: 0, width: 0 };
    let mut root = Vec::new();
    loop {
        // Literal text up to the next `{`.
        match p.input[p.pos..].find('{') {
            Some(offset) => p.pos += offset,
            None => p.pos = p.input.len(),
        }
        if p.pos > p.start {
            root.push(Node::Text(p.consume().to_string()));
        }
        if p.pos >= p.input.len() {
            return Ok(root);
        }
        p.pos += 1;
        p.consume();
        root.push(Node::List(p.inside_action()?));
    }
}

/// `parseAction`: the steps of `{text}`.
fn parse_action(text: &str) -> Result<Vec<Node>, String> {
    match parse(&format!("{{{text}}}"))?.into_iter().next() {
        Some(Node::List(nodes)) => Ok(nodes),
        _ => Ok(Vec::new()),
    }
}

const EOF: char = '\u{0}';

struct Parser<'a> {
    input: &'a str,
    pos: usize,
    start: usize,
    width: usize,
}

impl<'a> Parser<'a> {
    fn rest(&self) -> &'a str {
        &self.input[self.pos..]
    }

    fn next(&mut self) -> char {
        match self.rest().chars().next() {
            Some(c) => {
                self.width = c.len_utf8();
                self.pos += self.width;
                c
            }
            None => {
                self.width = 0;
                EOF
            }
        }
    }

    fn backup(&mut self) {
        self.pos -= self.width;
    }

    fn peek(&mut self) -> char {
        let c = self.next();
        self.backup();
        c
    }

    fn at_eof(&self) -> bool {
        self.pos >= self.input.len()
    }

    fn consume(&mut self) -> &'a str {
        let text = &self.input[self.start..self.pos];
        self.start = self.pos;
        text
    }

    /// The byte before the last rune read (`p.input[p.pos-2]` in Go).
    fn escaped(&self) -> bool {
        self.pos >= 2 && self.input.as_bytes()[self.pos - 2] == b'\\'
    }

    /// `parseInsideAction` up to and including the closing `}`.
    fn inside_action(&mut self) -> Result<Vec<Node>, String> {
        let mut cur = Vec::new();
        loop {
            if self.rest().starts_with('}') {
                self.pos += 1;
                self.consume();
                return Ok(cur);
            }
            if self.rest().starts_with("[?(") {
                self.filter(&mut cur)?;
                continue;
            }
            if self.rest().starts_with("..") {
                if matches!(cur.last(), Some(Node::Recursive)) {
                    return Err("invalid multiple recursive descent".into());
                }
                self.pos += 2;
                self.consume();
                cur.push(Node::Recursive);
                if is_alphanumeric(self.peek()) {
                    self.field(&mut cur);
                }
                continue;
            }
            let eof = self.at_eof();
            match self.next() {
                _ if eof => return Err("unclosed action".into()),
                '\r' | '\n' => return Err("unclosed action".into()),
                ' ' | '@' | '$' => {
                    self.consume();
                }
                '[' => self.array(&mut cur)?,
                q @ ('"' | '\'') => self.quote(&mut cur, q)?,
                '.' => self.field(&mut cur),
                c if c == '+' || c == '-' || c.is_ascii_digit() => {
                    self.backup();
                    self.number(&mut cur)?;
                }
                c if is_alphanumeric(c) => {
                    self.backup();
                    self.identifier(&mut cur);
                }
                c => return Err(format!("unrecognized character in action: {}", go_unicode(c))),
            }
        }
    }

    fn identifier(&mut self, cur: &mut Vec<Node>) {
        while !self.at_eof() && !is_terminator(self.peek()) {
            self.next();
        }
        let value = self.consume();
        cur.push(match value {
            "true" => Node::Bool(true),
            "false" => Node::Bool(false),
            other => Node::Identifier(other.to_string()),
        });
    }

    fn number(&mut self, cur: &mut Vec<Node>) -> Result<(), String> {
        if matches!(self.peek(), '+' | '-') {
            self.next();
        }
        while !self.at_eof() && matches!(self.peek(), '.' | '0'..='9') {
            self.next();
        }
        let value = self.consume();
        if let Ok(i) = value.parse::<i64>() {
            cur.push(Node::Int(i));
        } else if let Ok(f) = value.parse::<f64>() {
            cur.push(Node::Float(f));
        } else {
            return Err(format!("cannot parse number {value}"));
        }
        Ok(())
    }

    fn array(&mut self, cur: &mut Vec<Node>) -> Result<(), String> {
        loop {
            let eof = self.at_eof();
            match self.next() {
                _ if eof => return Err("unterminated array".into()),
                '\n' => return Err("unterminated array".into()),
                ']' => break,
                _ => {}
            }
        }
        let consumed = self.consume();
        let mut text = &consumed[1..consumed.len() - 1];
        if text == "*" {
            text = ":";
        }
        if text.contains(',') {
            let union = text
                .split(',')
                .map(|part| parse_action(&format!("[{}]", part.trim_matches(' '))))
                .collect::<Result<Vec<_>, _>>()?;
            cur.push(Node::Union(union));
            return Ok(());
        }
        if let Some(key) = text.strip_prefix('\'').and_then(|t| t.strip_suffix('\''))
            && !key.contains('\'')
        {
            cur.extend(parse_action(&format!(".{key}"))?);
            return Ok(());
        }
        cur.push(Node::Array(slice_params(text)?));
        Ok(())
    }

    fn filter(&mut self, cur: &mut Vec<Node>) -> Result<(), String> {
        self.pos += 3;
        self.consume();
        let (mut begin, mut end, mut pair) = (false, false, EOF);
        loop {
            let eof = self.at_eof();
            match self.next() {
                _ if eof => return Err("unterminated filter".into()),
                '\n' => return Err("unterminated filter".into()),
                q @ ('"' | '\'') => {
                    if !begin {
                        begin = true;
                        pair = q;
                    } else if !self.escaped() && q == pair {
                        end = true;
                    }
                }
                ')' if begin == end => break,
                _ => {}
            }
        }
        if self.next() != ']' {
            return Err("unclosed array expect ]".into());
        }
        let consumed = self.consume();
        let text = &consumed[..consumed.len() - 2];
        cur.push(match split_comparison(text) {
            None => Node::Filter { left: parse_action(text)?, op: "exists".into(), right: Vec::new() },
            Some((left, op, right)) => {
                Node::Filter { left: parse_action(left)?, op: op.to_string(), right: parse_action(right)? }
            }
        });
        Ok(())
    }

    fn quote(&mut self, cur: &mut Vec<Node>, end: char) -> Result<(), String> {
        loop {
            let eof = self.at_eof();
            match self.next() {
                _ if eof => return Err("unterminated quoted string".into()),
                '\n' => return Err("unterminated quoted string".into()),
                c if c == end && !self.escaped() => break,
                _ => {}
            }
        }
        let value = self.consume();
        let text = unquote(value).ok_or_else(|| format!("unquote string {value} error invalid syntax"))?;
        cur.push(Node::Text(text));
        Ok(())
    }

    fn field(&mut self, cur: &mut Vec<Node>) {
        self.consume();
        loop {
            if self.at_eof() {
                break;
            }
            let c = self.next();
            if c == '\\' {
                self.next();
            } else if is_terminator(c) {
                self.backup();
                break;
            }
        }
        let value = self.consume();
        cur.push(if value == "*" { Node::Wildcard } else { Node::Field(value.replace('\\', "")) });
    }
}

/// The slice operator `^(-?\d*)(:-?\d*)?(:-?\d*)?$` and Go's defaults for missing parts.
fn slice_params(text: &str) -> Result<[Param; 3], String> {
    let invalid = || format!("invalid array index {text}");
    let parts: Vec<&str> = text.split(':').collect();
    if parts.len() > 3 {
        return Err(invalid());
    }
    let well_formed = |s: &str| {
        let digits = s.strip_prefix('-').unwrap_or(s);
        digits.chars().all(|c| c.is_ascii_digit())
    };
    if !parts.iter().all(|p| well_formed(p)) {
        return Err(invalid());
    }
    let mut params = [Param::default(); 3];
    for i in 0..3 {
        match parts.get(i) {
            // An empty part leaves the bound unknown (`[:2]`, `[1:]`, `[]`).
            Some(&"") => params[i].known = false,
            Some(s) => {
                params[i].known = true;
                params[i].value = s.parse().map_err(|_| format!("array index {s} is not a number"))?;
            }
            None if i == 1 => {
                // `[i]` is `[i:i+1]`, the end marked as derived.
                params[1] = Param { value: params[0].value + 1, known: true, derived: true };
            }
            None => {}
        }
    }
    Ok(params)
}

/// `^([^!<>=]+)([!<>=]+)(.+?)$`: left operand, operator, right operand.
fn split_comparison(text: &str) -> Option<(&str, &str, &str)> {
    let is_op = |c: char| matches!(c, '!' | '<' | '>' | '=');
    let op_start = text.find(is_op)?;
    let op_len = text[op_start..].find(|c| !is_op(c)).unwrap_or(text.len() - op_start);
    let (left, rest) = text.split_at(op_start);
    // The regexp backtracks one operator character when nothing follows the operators.
    let op_len = if op_len == rest.len() { op_len.checked_sub(1).filter(|n| *n > 0)? } else { op_len };
    let (op, right) = rest.split_at(op_len);
    (!left.is_empty() && !right.is_empty()).then_some((left, op, right))
}

/// `UnquoteExtend`: Go's `strconv.Unquote` for `"…"` and `'…'` strings.
fn unquote(s: &str) -> Option<String> {
    let quote = s.chars().next()?;
    if s.len() < 2 || !s.ends_with(quote) || !matches!(quote, '"' | '\'') {
        return None;
    }
    let body = &s[1..s.len() - 1];
    let mut out = String::new();
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c == quote {
            return None;
        }
        if c != '\\' {
            out.push(c);
            continue;
        }
        let hex = |chars: &mut std::str::Chars, n: usize| {
            let digits: String = chars.by_ref().take(n).collect();
            (digits.len() == n).then(|| u32::from_str_radix(&digits, 16).ok()).flatten()
        };
        let escaped = match chars.next()? {
            'a' => '\u{7}',
            'b' => '\u{8}',
            'f' => '\u{c}',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'v' => '\u{b}',
            '\\' => '\\',
            q if q == quote => q,
            'x' => char::from_u32(hex(&mut chars, 2)?)?,
            'u' => char::from_u32(hex(&mut chars, 4)?)?,
            'U' => char::from_u32(hex(&mut chars, 8)?)?,
            d @ '0'..='7' => {
                let rest: String = chars.by_ref().take(2).collect();
                if rest.len() != 2 {
                    return None;
                }
                let value = u32::from_str_radix(&format!("{d}{rest}"), 8).ok().filter(|v| *v <= 255)?;
                char::from_u32(value)?
            }
            _ => return None,
        };
        out.push(escaped);
    }
    Some(out)
}

/// Go's `%#U`: `U+0023 '#'`, the character only when printable.
fn go_unicode(c: char) -> String {
    let code = format!("U+{:04X}", c as u32);
    if c.is_control() || (c.is_whitespace() && c != ' ') { code } else { format!("{code} '{c}'") }
}

fn is_terminator(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n' | EOF | '.' | ',' | '[' | ']' | '$' | '@' | '{' | '}')
}

fn is_alphanumeric(c: char) -> bool {
    c == '_' || c.is_alphabetic() || c.is_ascii_digit()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(name: &str) -> Node {
        Node::Field(name.into())
    }

    #[test]
    fn parses_actions_and_text() {
        let nodes = parse("x={.items[*].name}\\n").unwrap();
        let all = Param { value: 0, known: false, derived: false };
        assert_eq!(
            nodes,
            vec![
                Node::Text("x=".into()),
                Node::List(vec![field("items"), Node::Array([all, all, all]), field("name")]),
                Node::Text("\\n".into()),
            ]
        );
        assert_eq!(
            parse(r#"{"\n"}{'\t'}"#).unwrap(),
            vec![Node::List(vec![Node::Text("\n".into())]), Node::List(vec![Node::Text("\t".into())])]
        );
        assert_eq!(
            parse("{range .items[*]}{end}").unwrap()[1],
            Node::List(vec![Node::Identifier("end".into())])
        );
    }

    #[test]
    fn parses_filters_and_slices() {
        let Node::List(nodes) = &parse(r#"{[?(@.name=="c")]}"#).unwrap()[0] else { panic!() };
        assert_eq!(
            nodes,
            &vec![Node::Filter {
                left: vec![field("name")],
                op: "==".into(),
                right: vec![Node::Text("c".into())]
            }]
        );
        let index = slice_params("-1").unwrap();
        assert_eq!((index[0].value, index[1].value, index[1].derived), (-1, 0, true));
        let range = slice_params("1:").unwrap();
        assert!(range[0].known && !range[1].known && !range[2].known);
        assert_eq!(slice_params("a").unwrap_err(), "invalid array index a");
        assert_eq!(slice_params("-").unwrap_err(), "array index - is not a number");
        assert!(!slice_params("").unwrap()[0].known);
        assert_eq!(split_comparison("@.a!=b"), Some(("@.a", "!=", "b")));
        assert_eq!(split_comparison("@.a=="), Some(("@.a", "=", "=")));
        assert_eq!(split_comparison("@.a"), None);
    }

    #[test]
    fn reports_errors_as_client_go() {
        assert_eq!(parse("{.items[*}").unwrap_err(), "unterminated array");
        assert_eq!(parse("{.metadata.name").unwrap_err(), "unclosed action");
        assert_eq!(parse("{#}").unwrap_err(), "unrecognized character in action: U+0023 '#'");
        assert_eq!(parse(r#"{"\q"}"#).unwrap_err(), r#"unquote string "\q" error invalid syntax"#);
    }
}
