//! Matching of a step's `expect:`/`stderr:` text against a command's output, captures
//! (`[[NAME]]`) and the expansion of `$NAME` in command lines.
//!
//! The rules (scenario format, "Matching of `expect` and `stderr`"):
//!
//! * Both sides lose trailing white space on every line and trailing empty lines.
//! * A run of two or more spaces in the expectation matches a run of two or more spaces
//!   in the output (the whole run).
//! * `[..]` matches any run of characters within a line, including none.
//! * `...` alone on a line (after trimming) matches any number of whole lines.
//! * `[[NAME]]` (NAME as a shell variable: letters, digits, `_`, not starting with a
//!   digit) matches a run of one or more non-white-space characters the first time NAME
//!   is seen and binds it; when NAME is already bound it must equal the bound text.
//!   Bindings go into [`Vars`] only when the whole expectation matched.
//! * `unordered`: every expected line matches a different output line, every output line
//!   is used; `...` is then an error.
//! * `exact`: runs of spaces, `[..]` and `...` are literal text. The trailing white
//!   space / trailing empty line normalisation still applies (YAML block scalars cannot
//!   reliably carry either), and `[[NAME]]` captures still work: the format lists only
//!   the three relaxations as switched off.
//!
//! When several ways to match exist, the first one wins, in this order: `...` covers as
//! few lines as possible, `[..]` as few characters as possible, a new capture as many as
//! possible, left to right. Within one line only that first way is kept, so a capture's
//! value is decided by its own line (a later line of the same expectation cannot make it
//! pick another split of that line); across lines every alternative is explored.
//!
//! Costs: ordered matching is a dynamic programme over (expected line, output line)
//! states, so `...` never backtracks exponentially; within a line, failed
//! (token, offset) pairs are remembered. Unordered matching is a bipartite matching.

use indexmap::IndexMap;
use std::fmt;
use std::rc::Rc;

use crate::hash::{HashMap, HashSet};

/// Variables of one scenario run: `[[NAME]]` captures and `NAME=$(...)` results, in the
/// order they were bound.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Vars {
    values: IndexMap<String, String>,
}

impl Vars {
    pub fn new() -> Self {
        Vars::default()
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// Binds or rebinds a name (as a shell assignment does).
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.values.insert(name.into(), value.into());
    }

    pub fn contains(&self, name: &str) -> bool {
        self.values.contains_key(name)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.values.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

/// The step modifiers that change matching.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MatchOptions {
    pub exact: bool,
    pub unordered: bool,
}

/// Why an expectation did not match.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mismatch {
    /// The output differs. `expected` is the expectation as it applies to this output:
    /// lines that matched show the output's text (so wildcards do not show up as
    /// differences), lines that did not match show the expectation with bound captures
    /// filled in, and `...` shows the lines it covered. Both sides are normalised and end
    /// with a newline unless empty.
    Differs { expected: String, actual: String },
    /// The expectation cannot be used (for example `...` with `unordered: true`).
    Invalid(String),
}

impl Mismatch {
    /// A unified diff, `--- expected` / `+++ actual`, for [`Mismatch::Differs`].
    pub fn unified_diff(&self) -> Option<String> {
        match self {
            Mismatch::Differs { expected, actual } => Some(
                similar::TextDiff::from_lines(expected, actual)
                    .unified_diff()
                    .context_radius(3)
                    .header("expected", "actual")
                    .to_string(),
            ),
            Mismatch::Invalid(_) => None,
        }
    }
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Mismatch::Differs { .. } => {
                write!(f, "output differs\n{}", self.unified_diff().unwrap_or_default())
            }
            Mismatch::Invalid(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for Mismatch {}

/// Whether `name` is a valid variable name: `[A-Za-z_][A-Za-z0-9_]*`.
pub fn is_var_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Checks that an expectation can be used with these options, without any output; the
/// error says what is wrong. `Ok` means [`match_output`] will never return
/// [`Mismatch::Invalid`] for it.
pub fn check_expectation(expected: &str, opts: MatchOptions) -> Result<(), String> {
    if opts.unordered
        && !opts.exact
        && let Some(number) = normalize(expected).iter().position(|l| is_ellipsis(l))
    {
        return Err(format!(
            "`...` is not allowed with `unordered: true` (line {} of the expectation)",
            number + 1
        ));
    }
    Ok(())
}

/// Matches `actual` against `expected`. On success, the captures it bound are added to
/// `vars`; on failure `vars` is left as it was.
pub fn match_output(
    expected: &str,
    actual: &str,
    opts: MatchOptions,
    vars: &mut Vars,
) -> Result<(), Mismatch> {
    check_expectation(expected, opts).map_err(Mismatch::Invalid)?;
    let expected_lines = normalize(expected);
    let actual_lines = normalize(actual);
    let pattern: Vec<PatLine> = expected_lines.iter().map(|l| PatLine::compile(l, opts.exact)).collect();
    let outcome = if opts.unordered {
        match_unordered(&pattern, &expected_lines, &actual_lines, vars)
    } else {
        match match_ordered(&pattern, &actual_lines, vars) {
            Ok(found) => found.ok_or_else(|| display_ordered(&pattern, &expected_lines, &actual_lines, vars)),
            Err(TooAmbiguous) => {
                return Err(Mismatch::Invalid(
                    "expectation too ambiguous to check: a `[[NAME]]` capture used again after `...` \
                     matches too many output lines; anchor it with more literal text"
                        .into(),
                ));
            }
        }
    };
    match outcome {
        Ok(bound) => {
            for (name, value) in bound {
                vars.set(name, value);
            }
            Ok(())
        }
        Err(mut display) => {
            if display == actual_lines {
                // Matching failed on something the per-line view cannot show (a capture
                // bound twice in one expectation to different text): show the expectation.
                display = expected_lines.iter().map(|l| substitute(l, vars)).collect();
            }
            Err(Mismatch::Differs { expected: join(&display), actual: join(&actual_lines) })
        }
    }
}

/// Expands `$NAME` and `${NAME}` in a command line, as a POSIX shell would: not inside
/// single quotes, not after a backslash; `$` followed by anything else (`$(`, `$1`, a
/// lone `$`) stays as written. The value is quoted so that splitting the result into
/// words gives what the shell would give: inside double quotes it is escaped, outside it
/// is split into words at white space and a word with special characters is
/// single-quoted. An unbound name is an error.
pub fn expand_vars(cmdline: &str, vars: &Vars) -> Result<String, String> {
    let chars: Vec<char> = cmdline.chars().collect();
    let mut out = String::with_capacity(cmdline.len());
    let mut in_single = false;
    let mut in_double = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        if in_single {
            out.push(c);
            in_single = c != '\'';
            continue;
        }
        match c {
            '\\' => {
                out.push(c);
                if let Some(&next) = chars.get(i) {
                    out.push(next);
                    i += 1;
                }
            }
            '\'' if !in_double => {
                in_single = true;
                out.push(c);
            }
            '"' => {
                in_double = !in_double;
                out.push(c);
            }
            '$' => {
                let Some((name, used)) = var_reference(&chars[i..])? else {
                    out.push(c);
                    continue;
                };
                i += used;
                let value = vars.get(&name).ok_or_else(|| {
                    format!(
                        "variable `{name}` is not bound (no earlier `[[{name}]]` capture or `{name}=$(...)`)"
                    )
                })?;
                if in_double {
                    push_double_quoted(&mut out, value);
                } else {
                    push_words(&mut out, value);
                }
            }
            _ => out.push(c),
        }
    }
    Ok(out)
}

/// After a `$`: the variable name and how many characters it took, or `None` when the
/// `$` does not start a variable reference.
fn var_reference(rest: &[char]) -> Result<Option<(String, usize)>, String> {
    match rest.first() {
        Some('{') => {
            let Some(close) = rest.iter().position(|&c| c == '}') else {
                return Err("unterminated `${` in command line".into());
            };
            let name: String = rest[1..close].iter().collect();
            if !is_var_name(&name) {
                return Err(format!("invalid variable reference `${{{name}}}`"));
            }
            Ok(Some((name, close + 1)))
        }
        Some(&c) if c.is_ascii_alphabetic() || c == '_' => {
            let len = rest.iter().take_while(|c| c.is_ascii_alphanumeric() || **c == '_').count();
            Ok(Some((rest[..len].iter().collect(), len)))
        }
        _ => Ok(None),
    }
}

fn push_double_quoted(out: &mut String, value: &str) {
    for c in value.chars() {
        if matches!(c, '\\' | '"' | '$' | '`') {
            out.push('\\');
        }
        out.push(c);
    }
}

fn push_words(out: &mut String, value: &str) {
    let safe = |c: char| c.is_alphanumeric() || "-_./:=,@%+^~".contains(c);
    for (n, word) in value.split_whitespace().enumerate() {
        if n > 0 {
            out.push(' ');
        }
        if word.chars().all(safe) {
            out.push_str(word);
        } else {
            out.push('\'');
            out.push_str(&word.replace('\'', r"'\''"));
            out.push('\'');
        }
    }
}

/// Lines without trailing white space, without trailing empty lines.
fn normalize(text: &str) -> Vec<&str> {
    let mut lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    while lines.last() == Some(&"") {
        lines.pop();
    }
    lines
}

fn join(lines: &[impl AsRef<str>]) -> String {
    let mut out = String::new();
    for line in lines {
        out.push_str(line.as_ref());
        out.push('\n');
    }
    out
}

fn is_ellipsis(line: &str) -> bool {
    line.trim() == "..."
}

/// One piece of an expected line.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    Lit(String),
    /// Two or more spaces.
    Spaces,
    /// `[..]`.
    Any,
    /// `[[NAME]]`.
    Capture(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum PatLine {
    Ellipsis,
    Line(Vec<Tok>),
}

impl PatLine {
    fn compile(line: &str, exact: bool) -> PatLine {
        if !exact && is_ellipsis(line) {
            return PatLine::Ellipsis;
        }
        let mut toks = Vec::new();
        let mut lit = String::new();
        let mut rest = line;
        while let Some(c) = rest.chars().next() {
            let (tok, used) = if !exact && rest.starts_with("[..]") {
                (Tok::Any, 4)
            } else if let Some(name) = capture_at(rest) {
                (Tok::Capture(name.to_string()), name.len() + 4)
            } else if !exact && rest.starts_with("  ") {
                (Tok::Spaces, rest.len() - rest.trim_start_matches(' ').len())
            } else {
                lit.push(c);
                rest = &rest[c.len_utf8()..];
                continue;
            };
            if !lit.is_empty() {
                toks.push(Tok::Lit(std::mem::take(&mut lit)));
            }
            toks.push(tok);
            rest = &rest[used..];
        }
        if !lit.is_empty() {
            toks.push(Tok::Lit(lit));
        }
        PatLine::Line(toks)
    }

    fn captures(&self) -> impl Iterator<Item = &str> {
        let toks = match self {
            PatLine::Line(toks) => toks.as_slice(),
            PatLine::Ellipsis => &[],
        };
        toks.iter().filter_map(|t| match t {
            Tok::Capture(name) => Some(name.as_str()),
            _ => None,
        })
    }
}

/// `[[NAME]]` at the start of `rest`: the name.
fn capture_at(rest: &str) -> Option<&str> {
    let inner = rest.strip_prefix("[[")?;
    let end = inner.find("]]")?;
    let name = &inner[..end];
    is_var_name(name).then_some(name)
}

/// The expectation line with `[[NAME]]` replaced by NAME's value where NAME is bound.
fn substitute(line: &str, vars: &Vars) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(start) = rest.find("[[") {
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        match capture_at(rest).and_then(|name| vars.get(name).map(|v| (name.len(), v))) {
            Some((len, value)) => {
                out.push_str(value);
                rest = &rest[len + 4..];
            }
            None => {
                out.push_str("[[");
                rest = &rest[2..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Captures bound so far by this expectation, in order.
type Bound = Vec<(String, String)>;

/// Matches one expected line against one output line; on success, pushes the new
/// captures onto `bound`. `vars` and `bound` give the values of bound names.
fn match_line(toks: &[Tok], line: &str, vars: &Vars, bound: &mut Bound) -> bool {
    if let [Tok::Lit(text)] = toks {
        return text == line;
    }
    if !toks.iter().any(|t| matches!(t, Tok::Capture(_))) {
        return match_glob(toks, line);
    }
    let is_new = |name: &str| vars.get(name).is_none() && !bound.iter().any(|(n, _)| n == name);
    // A failed (token, offset) can be remembered unless what follows the token refers
    // to a capture this line binds before it: then the outcome depends on that value.
    let mut memo_ok = vec![true; toks.len() + 1];
    for (ti, tok) in toks.iter().enumerate() {
        if let Tok::Capture(name) = tok
            && is_new(name)
            && toks[..ti].iter().any(|t| matches!(t, Tok::Capture(n) if n == name))
        {
            memo_ok[..=ti].iter_mut().for_each(|ok| *ok = false);
        }
    }
    let start_len = bound.len();
    let mut matcher = LineMatcher { toks, line, vars, bound, memo_ok, failed: HashSet::default() };
    let ok = matcher.go(0, 0);
    if !ok {
        matcher.bound.truncate(start_len);
    }
    ok
}

/// A line without captures. The tokens between two `[..]` form a segment that matches
/// from a given start in at most one way (literals, whole space runs), and a later start
/// never ends earlier; so placing each segment at its leftmost match is optimal, and no
/// backtracking is needed: O(line length × segment length).
fn match_glob(toks: &[Tok], line: &str) -> bool {
    let segments: Vec<&[Tok]> = toks.split(|t| *t == Tok::Any).collect();
    let (first, rest) = segments.split_first().expect("split yields at least one segment");
    let Some(mut pos) = match_segment(first, line, 0) else {
        return false;
    };
    let Some((last, middle)) = rest.split_last() else {
        return pos == line.len();
    };
    for segment in middle {
        let found = starts(line, pos).find_map(|start| match_segment(segment, line, start));
        match found {
            Some(end) => pos = end,
            None => return false,
        }
    }
    starts(line, pos).any(|start| match_segment(last, line, start) == Some(line.len()))
}

/// Char boundaries of `line` from `pos` to its end, inclusive.
fn starts(line: &str, pos: usize) -> impl Iterator<Item = usize> + '_ {
    line[pos..].char_indices().map(move |(i, _)| pos + i).chain([line.len()])
}

/// Where a segment (literals and space runs) that starts at `start` ends, if it matches.
fn match_segment(segment: &[Tok], line: &str, start: usize) -> Option<usize> {
    let mut pos = start;
    for tok in segment {
        let rest = &line[pos..];
        match tok {
            Tok::Lit(text) if rest.starts_with(text.as_str()) => pos += text.len(),
            Tok::Spaces => {
                let run = rest.len() - rest.trim_start_matches(' ').len();
                if run < 2 {
                    return None;
                }
                pos += run;
            }
            _ => return None,
        }
    }
    Some(pos)
}

struct LineMatcher<'a> {
    toks: &'a [Tok],
    line: &'a str,
    vars: &'a Vars,
    bound: &'a mut Bound,
    memo_ok: Vec<bool>,
    failed: HashSet<(usize, usize)>,
}

impl LineMatcher<'_> {
    fn lookup(&self, name: &str) -> Option<String> {
        self.bound
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .or_else(|| self.vars.get(name).map(str::to_string))
    }

    /// Whether tokens `ti..` match the line from byte `pos` to its end.
    fn go(&mut self, ti: usize, pos: usize) -> bool {
        let toks = self.toks;
        let line = self.line;
        let Some(tok) = toks.get(ti) else {
            return pos == line.len();
        };
        if self.memo_ok[ti] && self.failed.contains(&(ti, pos)) {
            return false;
        }
        let rest = &line[pos..];
        let ok = match tok {
            Tok::Lit(text) => rest.starts_with(text.as_str()) && self.go(ti + 1, pos + text.len()),
            Tok::Spaces => {
                let run = rest.len() - rest.trim_start_matches(' ').len();
                run >= 2 && self.go(ti + 1, pos + run)
            }
            Tok::Any => {
                let next_lit = match toks.get(ti + 1) {
                    Some(Tok::Lit(text)) => Some(text.as_str()),
                    _ => None,
                };
                let ends = rest.char_indices().map(|(i, _)| pos + i).chain([line.len()]);
                let mut ok = false;
                for end in ends {
                    if next_lit.is_some_and(|text| !line[end..].starts_with(text)) {
                        continue;
                    }
                    if self.go(ti + 1, end) {
                        ok = true;
                        break;
                    }
                }
                ok
            }
            Tok::Capture(name) => match self.lookup(name) {
                Some(value) => rest.starts_with(value.as_str()) && self.go(ti + 1, pos + value.len()),
                None => {
                    let run = rest.find(char::is_whitespace).unwrap_or(rest.len());
                    let mut ends: Vec<usize> =
                        rest[..run].char_indices().map(|(i, c)| pos + i + c.len_utf8()).collect();
                    ends.reverse();
                    let mut ok = false;
                    for end in ends {
                        self.bound.push((name.clone(), line[pos..end].to_string()));
                        if self.go(ti + 1, end) {
                            ok = true;
                            break;
                        }
                        self.bound.pop();
                    }
                    ok
                }
            },
        };
        if !ok && self.memo_ok[ti] {
            self.failed.insert((ti, pos));
        }
        ok
    }
}

/// A point of the ordered search: the next output line, and the captures bound so far.
#[derive(Clone)]
struct State {
    next: usize,
    /// Shared: `...` copies one state to many output lines.
    bound: Rc<Bound>,
}

/// Most states one expected line may have. Only a capture that is used again after a
/// `...` and matches most output lines gets near this (states multiply by its values).
const STATES_PER_LINE_MAX: usize = 2_000_000;

/// The ordered search gave up (see [`STATES_PER_LINE_MAX`]).
struct TooAmbiguous;

/// The values, in this state, of the names that can still matter.
fn state_key(state: &State, names: &[&str]) -> Vec<Option<String>> {
    names.iter().map(|name| state.bound.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone())).collect()
}

/// Ordered matching: level by level over expected lines, keeping the set of reachable
/// (output line, relevant captures) states in search order, each state once.
fn match_ordered(pattern: &[PatLine], actual: &[&str], vars: &Vars) -> Result<Option<Bound>, TooAmbiguous> {
    // names_from[i]: captures in lines i.. that this expectation may bind; only their
    // values can change what happens from line i on.
    let mut names_from: Vec<Vec<&str>> = vec![Vec::new(); pattern.len() + 1];
    for i in (0..pattern.len()).rev() {
        let mut names = names_from[i + 1].clone();
        for name in pattern[i].captures() {
            if vars.get(name).is_none() && !names.contains(&name) {
                names.push(name);
            }
        }
        names_from[i] = names;
    }
    let total = actual.len();
    let mut states = vec![State { next: 0, bound: Rc::new(Vec::new()) }];
    for (i, line) in pattern.iter().enumerate() {
        let names = &names_from[i + 1];
        let mut next_states = Vec::new();
        match line {
            PatLine::Ellipsis => {
                // Every state reaches every later output line; per relevant key, a state
                // only adds the lines that earlier states did not already reach.
                let mut reached: HashMap<Vec<Option<String>>, usize> = HashMap::default();
                for state in &states {
                    let key = state_key(state, names);
                    let first_reached = reached.get(&key).copied().unwrap_or(total + 1);
                    if state.next < first_reached {
                        for next in state.next..first_reached {
                            next_states.push(State { next, bound: Rc::clone(&state.bound) });
                        }
                        if next_states.len() > STATES_PER_LINE_MAX {
                            return Err(TooAmbiguous);
                        }
                        reached.insert(key, state.next);
                    }
                }
            }
            PatLine::Line(toks) => {
                let mut seen = HashSet::default();
                for state in states.iter().filter(|s| s.next < total) {
                    let mut bound = Bound::clone(&state.bound);
                    if match_line(toks, actual[state.next], vars, &mut bound) {
                        let new_state = State { next: state.next + 1, bound: Rc::new(bound) };
                        if seen.insert((new_state.next, state_key(&new_state, names))) {
                            next_states.push(new_state);
                        }
                    }
                }
            }
        }
        if next_states.is_empty() {
            return Ok(None);
        }
        if next_states.len() > STATES_PER_LINE_MAX {
            return Err(TooAmbiguous);
        }
        states = next_states;
    }
    Ok(states.into_iter().find(|s| s.next == total).map(|s| Bound::clone(&s.bound)))
}

/// Unordered matching: a bipartite matching of expected to output lines (each pattern
/// line takes the first free output line it matches unless a later line needs it), then
/// captures are bound from the pairs in expected-line order. On failure, the display
/// lines for the diff.
fn match_unordered(
    pattern: &[PatLine],
    raw: &[&str],
    actual: &[&str],
    vars: &Vars,
) -> Result<Bound, Vec<String>> {
    let toks: Vec<&[Tok]> = pattern
        .iter()
        .map(|p| match p {
            PatLine::Line(toks) => toks.as_slice(),
            PatLine::Ellipsis => unreachable!("check_expectation rejects `...` when unordered"),
        })
        .collect();
    let edges: Vec<Vec<usize>> = toks
        .iter()
        .map(|t| (0..actual.len()).filter(|&a| match_line(t, actual[a], vars, &mut Vec::new())).collect())
        .collect();
    let pairs = bipartite_matching(&edges, actual.len());
    if pattern.len() == actual.len() && pairs.iter().all(Option::is_some) {
        let mut bound = Vec::new();
        let consistent =
            pairs.iter().zip(&toks).all(|(a, t)| match_line(t, actual[a.unwrap()], vars, &mut bound));
        if consistent {
            return Ok(bound);
        }
    }
    // Display: the output lines that found an expected line, in the output's order,
    // then the expected lines that found no output line.
    let mut used = vec![false; actual.len()];
    for a in pairs.iter().flatten() {
        used[*a] = true;
    }
    let mut display: Vec<String> =
        actual.iter().zip(&used).filter(|(_, used)| **used).map(|(line, _)| line.to_string()).collect();
    for (p, pair) in pairs.iter().enumerate() {
        if pair.is_none() {
            display.push(substitute(raw[p], vars));
        }
    }
    Err(display)
}

/// Maximum bipartite matching by breadth-first augmenting paths, left vertices in order.
/// `pairs[l]` is the right vertex matched to `l`.
fn bipartite_matching(edges: &[Vec<usize>], n_right: usize) -> Vec<Option<usize>> {
    let mut pair_of_left: Vec<Option<usize>> = vec![None; edges.len()];
    let mut pair_of_right: Vec<Option<usize>> = vec![None; n_right];
    for start in 0..edges.len() {
        let mut came_from: Vec<Option<usize>> = vec![None; n_right];
        let mut queue = std::collections::VecDeque::from([start]);
        let mut free_right = None;
        'search: while let Some(left) = queue.pop_front() {
            for &right in &edges[left] {
                if came_from[right].is_some() {
                    continue;
                }
                came_from[right] = Some(left);
                match pair_of_right[right] {
                    None => {
                        free_right = Some(right);
                        break 'search;
                    }
                    Some(other_left) => queue.push_back(other_left),
                }
            }
        }
        // Flip the augmenting path back to `start`.
        let mut right = free_right;
        while let Some(r) = right {
            let left = came_from[r].expect("on the path");
            let previous = pair_of_left[left];
            pair_of_left[left] = Some(r);
            pair_of_right[r] = Some(left);
            right = if left == start { None } else { previous };
        }
    }
    pair_of_left
}

/// Above this many (expected line, output line) pairs, a failed ordered match is shown
/// without aligning wildcard lines to the output.
const ALIGN_PAIRS_MAX: usize = 4_000_000;

/// The expected side of the diff for a failed ordered match: a longest common
/// subsequence of (expected line matches output line) decides which lines matched; those
/// show the output's text, `...` shows the output lines it stands for.
fn display_ordered(pattern: &[PatLine], raw: &[&str], actual: &[&str], vars: &Vars) -> Vec<String> {
    let plain: Vec<String> = raw.iter().map(|l| substitute(l, vars)).collect();
    let lines: Vec<usize> = (0..pattern.len()).filter(|&i| matches!(pattern[i], PatLine::Line(_))).collect();
    let (n, m) = (lines.len(), actual.len());
    if n.saturating_mul(m) > ALIGN_PAIRS_MAX {
        return plain;
    }
    let eq: Vec<bool> = lines
        .iter()
        .flat_map(|&p| {
            let PatLine::Line(toks) = &pattern[p] else { unreachable!() };
            actual.iter().map(move |a| match_line(toks, a, vars, &mut Vec::new()))
        })
        .collect();
    // lcs[i][j]: length of the longest common subsequence of lines[i..] and actual[j..].
    let width = m + 1;
    let mut lcs = vec![0u32; (n + 1) * width];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i * width + j] = if eq[i * m + j] {
                lcs[(i + 1) * width + j + 1] + 1
            } else {
                lcs[(i + 1) * width + j].max(lcs[i * width + j + 1])
            };
        }
    }
    let mut matched_to: Vec<Option<usize>> = vec![None; pattern.len()];
    let (mut i, mut j) = (0, 0);
    while i < n && j < m {
        if eq[i * m + j] && lcs[i * width + j] == lcs[(i + 1) * width + j + 1] + 1 {
            matched_to[lines[i]] = Some(j);
            i += 1;
            j += 1;
        } else if lcs[(i + 1) * width + j] >= lcs[i * width + j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    // `...` shows the output lines up to the next matched line, except as many as there
    // are unmatched expected lines before that one: those output lines then stand
    // opposite the unmatched lines in the diff.
    let mut display = Vec::new();
    let mut cursor = 0;
    for (p, line) in pattern.iter().enumerate() {
        match (line, matched_to[p]) {
            (PatLine::Ellipsis, _) => {
                let later = &pattern[p + 1..];
                let next_match = (p + 1..pattern.len()).find_map(|q| matched_to[q]).unwrap_or(m);
                let unmatched_before = later
                    .iter()
                    .zip(&matched_to[p + 1..])
                    .take_while(|(_, to)| to.is_none())
                    .filter(|(l, _)| matches!(l, PatLine::Line(_)))
                    .count();
                let until = next_match.saturating_sub(unmatched_before).max(cursor);
                display.extend(actual[cursor..until].iter().map(|l| l.to_string()));
                cursor = until;
            }
            (PatLine::Line(_), Some(a)) => {
                display.push(actual[a].to_string());
                cursor = a + 1;
            }
            (PatLine::Line(_), None) => display.push(plain[p].clone()),
        }
    }
    display
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORDERED: MatchOptions = MatchOptions { exact: false, unordered: false };
    const EXACT: MatchOptions = MatchOptions { exact: true, unordered: false };
    const UNORDERED: MatchOptions = MatchOptions { exact: false, unordered: true };

    fn matches(expected: &str, actual: &str, opts: MatchOptions) -> bool {
        match_output(expected, actual, opts, &mut Vars::new()).is_ok()
    }

    #[test]
    fn rules_table() {
        let cases: &[(&str, &str, &str, MatchOptions, bool)] = &[
            ("identical", "a\nb\n", "a\nb\n", ORDERED, true),
            ("trailing spaces stripped", "a  \nb", "a\nb   \n", ORDERED, true),
            ("trailing empty lines dropped", "a\n\n\n", "a", ORDERED, true),
            ("crlf", "a\nb\n", "a\r\nb\r\n", ORDERED, true),
            ("leading empty line kept", "\na", "a", ORDERED, false),
            ("different line", "a\nb", "a\nc", ORDERED, false),
            ("missing line", "a\nb", "a", ORDERED, false),
            ("extra line", "a", "a\nb", ORDERED, false),
            ("both empty", "", "\n\n", ORDERED, true),
            ("empty expected, output", "", "x", ORDERED, false),
            ("space runs align", "NAME  READY", "NAME     READY", ORDERED, true),
            ("space run needs two", "NAME  READY", "NAME READY", ORDERED, false),
            ("single space literal", "a b", "a  b", ORDERED, false),
            ("leading space run", "  a", "     a", ORDERED, true),
            ("any in middle", "kubia-[..]  1/1", "kubia-x7k2p   1/1", ORDERED, true),
            ("any empty", "a[..]b", "ab", ORDERED, true),
            ("any whole line", "[..]", "anything at all", ORDERED, true),
            ("any then literal backtracks", "[..]ab", "abab", ORDERED, true),
            ("any stays in line", "a[..]", "a\nb", ORDERED, false),
            ("several any", "[..]a[..]b[..]c", "xxaxxbxxc", ORDERED, true),
            ("any no match", "[..]z", "abc", ORDERED, false),
            ("ellipsis many", "a\n...\nz", "a\nb\nc\nz", ORDERED, true),
            ("ellipsis none", "a\n...\nz", "a\nz", ORDERED, true),
            ("ellipsis leading", "...\nz", "a\nb\nz", ORDERED, true),
            ("ellipsis trailing", "a\n...", "a\nb\nc", ORDERED, true),
            ("ellipsis only", "...", "", ORDERED, true),
            ("ellipsis indented", "a\n  ...\nz", "a\nb\nz", ORDERED, true),
            ("ellipsis not alone", "a ...", "a b", ORDERED, false),
            ("two ellipses", "...\nb\n...\nd\n...", "a\nb\nc\nd\ne", ORDERED, true),
            ("ellipsis backtracks", "...\nx\ny", "x\na\nx\ny", ORDERED, true),
            ("ellipsis order kept", "...\nb\n...\na", "a\nb", ORDERED, false),
            ("exact spaces literal", "a  b", "a   b", EXACT, false),
            ("exact same", "a  b", "a  b  ", EXACT, true),
            ("exact any literal", "a[..]", "ab", EXACT, false),
            ("exact any text", "a[..]", "a[..]", EXACT, true),
            ("exact ellipsis literal", "a\n...", "a\nb", EXACT, false),
            ("exact ellipsis text", "a\n...", "a\n...", EXACT, true),
            ("unordered", "b\na", "a\nb", UNORDERED, true),
            ("unordered needs all lines", "a", "a\nb", UNORDERED, false),
            ("unordered each line once", "a\na", "a\nb", UNORDERED, false),
            (
                "unordered wildcards",
                "web-[..]  Running\nweb-[..]  Pending",
                "web-2   Pending\nweb-1   Running",
                UNORDERED,
                true,
            ),
            ("unordered reassigns", "[..]\na", "a\nb", UNORDERED, true),
            ("unordered exact", "a  b\nc", "c\na  b", MatchOptions { exact: true, unordered: true }, true),
            (
                "unordered exact ellipsis literal",
                "...\nc",
                "c\n...",
                MatchOptions { exact: true, unordered: true },
                true,
            ),
            ("capture", "pod/[[P]] created", "pod/web-1 created", ORDERED, true),
            ("capture needs a char", "x[[P]]y", "xy", ORDERED, false),
            ("capture no spaces", "[[P]]", "a b", ORDERED, false),
            ("capture then literal", "kubia-[[S]]-x", "kubia-ab-cd-x", ORDERED, true),
            ("invalid capture name is literal", "[[1x]]", "[[1x]]", ORDERED, true),
            ("unclosed capture is literal", "[[X", "[[X", ORDERED, true),
        ];
        for (name, expected, actual, opts, want) in cases {
            assert_eq!(matches(expected, actual, *opts), *want, "{name}");
        }
    }

    #[test]
    fn captures_bind_on_success_only() {
        let mut vars = Vars::new();
        let err = match_output("[[A]] x\nnope", "one x\ntwo", ORDERED, &mut vars);
        assert!(err.is_err());
        assert!(vars.is_empty(), "nothing bound on failure");
        match_output("[[A]] x\n[[B]]", "one x\ntwo", ORDERED, &mut vars).unwrap();
        assert_eq!(vars.get("A"), Some("one"));
        assert_eq!(vars.get("B"), Some("two"));
    }

    #[test]
    fn captures_carry_across_calls() {
        let mut vars = Vars::new();
        match_output("kubia-[[VICTIM]]   1/1   Running", "kubia-x7k2p   1/1   Running", ORDERED, &mut vars)
            .unwrap();
        assert_eq!(vars.get("VICTIM"), Some("x7k2p"));
        assert!(
            match_output(
                "pod \"kubia-[[VICTIM]]\" deleted",
                "pod \"kubia-x7k2p\" deleted",
                ORDERED,
                &mut vars
            )
            .is_ok()
        );
        let err = match_output(
            "pod \"kubia-[[VICTIM]]\" deleted",
            "pod \"kubia-zzzzz\" deleted",
            ORDERED,
            &mut vars,
        )
        .unwrap_err();
        let Mismatch::Differs { expected, .. } = err else { panic!("{err:?}") };
        assert_eq!(expected, "pod \"kubia-x7k2p\" deleted\n", "bound value shown in the diff");
        assert_eq!(vars.len(), 1);
    }

    #[test]
    fn capture_repeated_in_one_expectation() {
        let mut vars = Vars::new();
        assert!(match_output("[[N]] a\n[[N]] b", "x a\nx b", ORDERED, &mut vars).is_ok());
        let mut vars = Vars::new();
        assert!(match_output("[[N]] a\n[[N]] b", "x a\ny b", ORDERED, &mut vars).is_err());
        assert!(vars.is_empty());
        let mut vars = Vars::new();
        assert!(match_output("[[N]]=[[N]]", "ab=ab", ORDERED, &mut vars).is_ok());
        assert!(match_output("[[M]]=[[M]]", "ab=ac", ORDERED, &mut Vars::new()).is_err());
    }

    #[test]
    fn capture_choice_across_lines_backtracks() {
        // `...` first tries zero lines: X would bind "a", but the next line needs "c".
        let mut vars = Vars::new();
        match_output("...\nid [[X]]\nref [[X]]", "id a\nid c\nref c", ORDERED, &mut vars).unwrap();
        assert_eq!(vars.get("X"), Some("c"));
    }

    #[test]
    fn capture_preference_within_a_line() {
        let mut vars = Vars::new();
        match_output("[..]-[[X]]", "a-b-c", ORDERED, &mut vars).unwrap();
        assert_eq!(vars.get("X"), Some("b-c"), "[..] shortest, capture longest");
    }

    #[test]
    fn vars_from_assignments_act_as_bound_captures() {
        let mut vars = Vars::new();
        vars.set("pods", "pi-abc");
        assert!(match_output("[[pods]]", "pi-abc", ORDERED, &mut vars).is_ok());
        assert!(match_output("[[pods]]", "pi-xyz", ORDERED, &mut vars).is_err());
    }

    #[test]
    fn captures_in_exact_mode() {
        let mut vars = Vars::new();
        match_output("web-[[P]]  1/1", "web-abc  1/1", EXACT, &mut vars).unwrap();
        assert_eq!(vars.get("P"), Some("abc"));
        assert!(match_output("web-[[Q]]  1/1", "web-abc   1/1", EXACT, &mut vars).is_err());
    }

    #[test]
    fn unordered_captures_and_rejected_ellipsis() {
        let mut vars = Vars::new();
        match_output(
            "web-[[B]]  Pending\nweb-[[A]]  Running",
            "web-1  Running\nweb-2  Pending",
            UNORDERED,
            &mut vars,
        )
        .unwrap();
        assert_eq!((vars.get("A"), vars.get("B")), (Some("1"), Some("2")));
        let err = match_output("a\n...", "a", UNORDERED, &mut vars).unwrap_err();
        assert_eq!(
            err,
            Mismatch::Invalid(
                "`...` is not allowed with `unordered: true` (line 2 of the expectation)".into()
            )
        );
        assert_eq!(check_expectation("a\n...", UNORDERED).unwrap_err(), err.to_string());
        assert!(check_expectation("a\n...", ORDERED).is_ok());
        assert!(check_expectation("...", MatchOptions { exact: true, unordered: true }).is_ok());
    }

    #[test]
    fn diff_shows_only_real_differences() {
        let expected = "NAME  READY  STATUS\nweb-[..]  1/1  Running\n...\ndb-0  1/1  Running\n";
        let actual = "NAME    READY   STATUS\nweb-abc   1/1     Running\nweb-def   1/1   Running\ndb-0   0/1   Pending\n";
        let err = match_output(expected, actual, ORDERED, &mut Vars::new()).unwrap_err();
        let diff = err.unified_diff().unwrap();
        assert_eq!(
            diff,
            "--- expected\n+++ actual\n@@ -1,4 +1,4 @@\n NAME    READY   STATUS\n web-abc   1/1     Running\n web-def   1/1   Running\n-db-0  1/1  Running\n+db-0   0/1   Pending\n"
        );
        assert!(err.to_string().starts_with("output differs\n--- expected\n"));
    }

    #[test]
    fn unordered_diff() {
        let err = match_output("b\nx\na", "a\nb\nc", UNORDERED, &mut Vars::new()).unwrap_err();
        let Mismatch::Differs { expected, actual } = &err else { panic!() };
        assert_eq!(actual, "a\nb\nc\n");
        assert_eq!(expected, "a\nb\nx\n");
    }

    #[test]
    fn no_exponential_blowup() {
        // Many `...` and `[..]` against long output with no match at the end.
        let actual: String =
            (0..3000).map(|i| format!("line {i} aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n")).collect();
        let mut expected = String::new();
        for _ in 0..20 {
            expected.push_str("...\nline [..]a[..]a[..]a[..]\n");
        }
        expected.push_str("...\nnot there\n");
        let start = std::time::Instant::now();
        assert!(!matches(&expected, &actual, ORDERED));
        let long = format!("{}b", "a".repeat(5000));
        assert!(!matches("[..]a[..]a[..]a[..]a[..]c", &long, ORDERED));
        assert!(matches("[..]a[..]a[..]a[..]a[..]b", &long, ORDERED));
        assert!(start.elapsed().as_secs() < 20, "took {:?}", start.elapsed());
    }

    #[test]
    fn capture_reused_after_ellipsis_stays_polynomial() {
        // `[[N]]` matches every line and is used again after `...`: states multiply by
        // its values, but stay polynomial.
        let actual: String = (0..400).map(|i| format!("id {i}\n")).collect();
        let expected = "...\nid [[N]]\n...\nid [[N]]\n...\nnever\n";
        let start = std::time::Instant::now();
        assert!(!matches(expected, &actual, ORDERED));
        let expected = "...\nid [[N]]\n...\nid 399\n";
        let mut vars = Vars::new();
        match_output(expected, &actual, ORDERED, &mut vars).unwrap();
        assert_eq!(vars.get("N"), Some("0"));
        assert!(start.elapsed().as_secs() < 20, "took {:?}", start.elapsed());
    }

    #[test]
    fn expands_variables() {
        let mut vars = Vars::new();
        vars.set("pods", "pi-abc pi-def");
        vars.set("X", "x7k2p");
        vars.set("Q", "it's \"q\"");
        let cases: &[(&str, &str)] = &[
            ("kubectl delete pod kubia-$X", "kubectl delete pod kubia-x7k2p"),
            ("kubectl delete pod kubia-${X}z", "kubectl delete pod kubia-x7k2pz"),
            ("kubectl logs $pods", "kubectl logs pi-abc pi-def"),
            ("echo \"$pods\"", "echo \"pi-abc pi-def\""),
            ("echo '$pods'", "echo '$pods'"),
            ("echo \\$pods", "echo \\$pods"),
            ("echo $Q", r#"echo 'it'\''s' '"q"'"#),
            ("echo \"$Q\"", r#"echo "it's \"q\"""#),
            ("x=$(kubectl get pods)", "x=$(kubectl get pods)"),
            ("echo $1 $ $?", "echo $1 $ $?"),
            ("awk '{print $1}'", "awk '{print $1}'"),
        ];
        for (input, want) in cases {
            assert_eq!(expand_vars(input, &vars).as_deref(), Ok(*want), "{input}");
        }
        assert_eq!(
            expand_vars("kubectl logs $nope", &vars).unwrap_err(),
            "variable `nope` is not bound (no earlier `[[nope]]` capture or `nope=$(...)`)"
        );
        assert_eq!(expand_vars("echo ${X", &vars).unwrap_err(), "unterminated `${` in command line");
        assert_eq!(expand_vars("echo ${1a}", &vars).unwrap_err(), "invalid variable reference `${1a}`");
    }

    #[test]
    fn var_names() {
        for ok in ["A", "_x", "VICTIM_2", "pods"] {
            assert!(is_var_name(ok), "{ok}");
        }
        for bad in ["", "1a", "a-b", "a b", "é"] {
            assert!(!is_var_name(bad), "{bad}");
        }
    }
}
