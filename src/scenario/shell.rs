//! The little shell a `run:` step understands: one `kubectl …` or `echo …` command, an
//! optional `NAME=$(…)` binding, and one trailing `| grep/head/tail/wc -l` stage.

use regex::RegexBuilder;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Program {
    Kubectl(Vec<String>),
    Echo(Vec<String>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stage {
    Grep { invert: bool, ignore_case: bool, extended: bool, pattern: String },
    Head(usize),
    Tail(usize),
    WcLines,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommandLine {
    /// `NAME=$(…)`: bind stdout (trailing newlines removed) to `NAME`.
    pub assign: Option<String>,
    pub program: Program,
    pub stage: Option<Stage>,
}

/// Splits at the first `|` that is outside quotes.
fn split_pipe(line: &str) -> (String, Option<String>) {
    let mut quote: Option<char> = None;
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (None, '\'' | '"') => quote = Some(c),
            (None, '|') => return (line[..i].trim().to_string(), Some(line[i + 1..].trim().to_string())),
            _ => {}
        }
    }
    (line.trim().to_string(), None)
}

pub fn parse_command_line(line: &str) -> Result<CommandLine, String> {
    let line = line.trim();
    let (assign, body) = match parse_assignment(line) {
        Some((name, inner)) => (Some(name), inner),
        None => (None, line.to_string()),
    };
    let (command, stage) = split_pipe(&body);
    let words =
        shlex::split(&command).ok_or_else(|| format!("unbalanced quotes in command line: {command}"))?;
    let program = match words.first().map(|s| s.as_str()) {
        Some("kubectl") => Program::Kubectl(words),
        Some("echo") => Program::Echo(words[1..].to_vec()),
        Some(other) => {
            return Err(format!("unsupported program {other:?}: a run step runs `kubectl …` or `echo …`"));
        }
        None => return Err("empty command line".into()),
    };
    let stage = stage.map(|s| parse_stage(&s)).transpose()?;
    Ok(CommandLine { assign, program, stage })
}

fn parse_assignment(line: &str) -> Option<(String, String)> {
    let (name, rest) = line.split_once('=')?;
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return None;
    }
    let inner = rest.strip_prefix("$(")?.strip_suffix(')')?;
    Some((name.to_string(), inner.to_string()))
}

fn parse_stage(text: &str) -> Result<Stage, String> {
    let words = shlex::split(text).ok_or_else(|| format!("unbalanced quotes in pipe stage: {text}"))?;
    let bad = || {
        format!(
            "unsupported pipe stage {text:?}: use `| grep [-v] [-i] [-E] PATTERN`, `| head [-n N]`, `| tail [-n N]` or `| wc -l`"
        )
    };
    match words.first().map(|s| s.as_str()) {
        Some("grep") => {
            let (mut invert, mut ignore_case, mut extended) = (false, false, false);
            let mut pattern = None;
            for w in &words[1..] {
                match w.as_str() {
                    "-v" => invert = true,
                    "-i" => ignore_case = true,
                    "-E" => extended = true,
                    flags if flags.starts_with('-') && flags.len() > 1 && pattern.is_none() => {
                        for c in flags[1..].chars() {
                            match c {
                                'v' => invert = true,
                                'i' => ignore_case = true,
                                'E' => extended = true,
                                _ => return Err(bad()),
                            }
                        }
                    }
                    p if pattern.is_none() => pattern = Some(p.to_string()),
                    _ => return Err(bad()),
                }
            }
            let pattern = pattern.ok_or_else(bad)?;
            Ok(Stage::Grep { invert, ignore_case, extended, pattern })
        }
        Some(cmd @ ("head" | "tail")) => {
            let n = match &words[1..] {
                [] => 10,
                [flag, n] if flag == "-n" => n.parse().map_err(|_| bad())?,
                [n] if n.starts_with('-') => n[1..].parse().map_err(|_| bad())?,
                [n] if n.starts_with("-n") => n[2..].parse().map_err(|_| bad())?,
                _ => return Err(bad()),
            };
            Ok(if cmd == "head" { Stage::Head(n) } else { Stage::Tail(n) })
        }
        Some("wc") if words.len() == 2 && words[1] == "-l" => Ok(Stage::WcLines),
        _ => Err(bad()),
    }
}

/// A basic regular expression as GNU grep reads it, turned into Rust regex syntax:
/// `+ ? ( ) { } |` are literal unless backslashed.
fn bre_to_ere(pattern: &str) -> String {
    let mut out = String::new();
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(n @ ('+' | '?' | '(' | ')' | '{' | '}' | '|')) => out.push(n),
                Some(n) => {
                    out.push('\\');
                    out.push(n);
                }
                None => out.push_str("\\\\"),
            },
            '+' | '?' | '(' | ')' | '{' | '}' | '|' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// Runs a stage over stdout; returns its output and exit status.
pub fn apply_stage(stage: &Stage, input: &str) -> Result<(String, i32), String> {
    let lines: Vec<&str> = input.lines().collect();
    let join = |ls: &[&str]| ls.iter().map(|l| format!("{l}\n")).collect::<String>();
    Ok(match stage {
        Stage::Grep { invert, ignore_case, extended, pattern } => {
            let source = if *extended { pattern.clone() } else { bre_to_ere(pattern) };
            let re = RegexBuilder::new(&source)
                .case_insensitive(*ignore_case)
                .build()
                .map_err(|e| format!("grep: invalid pattern {pattern:?}: {e}"))?;
            let kept: Vec<&str> = lines.iter().copied().filter(|l| re.is_match(l) != *invert).collect();
            let status = if kept.is_empty() { 1 } else { 0 };
            (join(&kept), status)
        }
        Stage::Head(n) => (join(&lines[..(*n).min(lines.len())]), 0),
        Stage::Tail(n) => (join(&lines[lines.len().saturating_sub(*n)..]), 0),
        Stage::WcLines => (format!("{}\n", input.matches('\n').count()), 0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_lines() {
        let c = parse_command_line("kubectl get pods|grep -v Running").unwrap();
        assert_eq!(c.program, Program::Kubectl(vec!["kubectl".into(), "get".into(), "pods".into()]));
        assert_eq!(
            c.stage,
            Some(Stage::Grep {
                invert: true,
                ignore_case: false,
                extended: false,
                pattern: "Running".into()
            })
        );
        let c =
            parse_command_line("pods=$(kubectl get pods -o jsonpath='{.items[*].metadata.name}')").unwrap();
        assert_eq!(c.assign.as_deref(), Some("pods"));
        assert!(parse_command_line("kubectl get pods | sort").is_err());
        assert!(parse_command_line("ls -l").is_err());
    }

    #[test]
    fn stages() {
        let text = "a x\nb y\nc x\n";
        let grep = Stage::Grep { invert: false, ignore_case: false, extended: false, pattern: "x".into() };
        assert_eq!(apply_stage(&grep, text).unwrap(), ("a x\nc x\n".into(), 0));
        let none = Stage::Grep { invert: false, ignore_case: false, extended: false, pattern: "zz".into() };
        assert_eq!(apply_stage(&none, text).unwrap().1, 1);
        assert_eq!(apply_stage(&Stage::Head(1), text).unwrap().0, "a x\n");
        assert_eq!(apply_stage(&Stage::Tail(1), text).unwrap().0, "c x\n");
        assert_eq!(apply_stage(&Stage::WcLines, text).unwrap().0, "3\n");
    }
}
