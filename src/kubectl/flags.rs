//! Command-line flags parsed the way kubectl's pflag parses them, with its error texts.
//!
//! Written here rather than with clap because the visible behaviour must be pflag's:
//! flags anywhere among positionals, `--flag value` and `--flag=value`, booleans that
//! only take `=value`, `--` ending flags, the last repetition winning, and error lines
//! such as `error: unknown flag: --foo` followed by the usage hint.

use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlagKind {
    Bool,
    String,
    Int,
    /// Repeatable, each value also split on commas (`-L a,b -L c`).
    StringSlice,
    /// Repeatable, values kept whole (`--from-literal`).
    StringArray,
    /// A string whose bare form `--flag` means the given value (pflag `NoOptDefVal`).
    OptionalString(&'static str),
    /// A Go `time.Duration` (`90s`, `1m30s`, `0`), kept in milliseconds.
    Duration,
}

#[derive(Clone, Copy, Debug)]
pub struct Flag {
    pub name: &'static str,
    pub short: Option<char>,
    pub kind: FlagKind,
}

pub const fn flag(name: &'static str, short: Option<char>, kind: FlagKind) -> Flag {
    Flag { name, short, kind }
}

/// Flags every command accepts.
pub const GLOBAL: &[Flag] = &[
    flag("namespace", Some('n'), FlagKind::String),
    flag("server", Some('s'), FlagKind::String),
    flag("context", None, FlagKind::String),
    flag("kubeconfig", None, FlagKind::String),
    flag("cluster", None, FlagKind::String),
    flag("user", None, FlagKind::String),
    flag("request-timeout", None, FlagKind::String),
    flag("v", Some('v'), FlagKind::String),
];

#[derive(Clone, Debug, Default)]
pub struct Parsed {
    pub args: Vec<String>,
    /// Words after `--`.
    pub rest: Vec<String>,
    values: BTreeMap<&'static str, Vec<String>>,
    /// Every flag occurrence in command-line order with its value as given (what
    /// pflag's `ParseAll` visits; `--record` writes them into the change-cause).
    pub seen: Vec<(&'static str, String)>,
}

impl Parsed {
    pub fn has(&self, name: &str) -> bool {
        self.values.contains_key(name)
    }

    pub fn string(&self, name: &str) -> Option<&str> {
        self.values.get(name).and_then(|v| v.last()).map(|s| s.as_str())
    }

    pub fn strings(&self, name: &str) -> Vec<String> {
        self.values.get(name).cloned().unwrap_or_default()
    }

    pub fn bool(&self, name: &str) -> bool {
        self.string(name).is_some_and(|v| parse_go_bool(v) == Some(true))
    }

    pub fn int(&self, name: &str) -> Option<i64> {
        self.string(name).and_then(|v| v.parse().ok())
    }

    /// A [`FlagKind::Duration`] flag in milliseconds (negative durations read as 0).
    pub fn duration_ms(&self, name: &str) -> Option<u64> {
        self.string(name).and_then(|v| parse_go_duration(v).ok()).map(|ms| ms.max(0) as u64)
    }
}

/// Go's `time.ParseDuration`, in milliseconds (sub-millisecond parts are dropped), with
/// its error texts.
pub fn parse_go_duration(text: &str) -> Result<i64, String> {
    let invalid = || format!("time: invalid duration {text:?}");
    let (negative, mut rest) = match text.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    if rest == "0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err(invalid());
    }
    let mut total_ns: f64 = 0.0;
    while !rest.is_empty() {
        let number_len = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        let number = &rest[..number_len];
        if number.is_empty() || number == "." {
            return Err(invalid());
        }
        let value: f64 = number.parse().map_err(|_| invalid())?;
        rest = &rest[number_len..];
        let unit_len = rest.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        let scale = match unit {
            "" => return Err(format!("time: missing unit in duration {text:?}")),
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            other => return Err(format!("time: unknown unit {other:?} in duration {text:?}")),
        };
        total_ns += value * scale;
    }
    let ms = (total_ns / 1e6) as i64;
    Ok(if negative { -ms } else { ms })
}

/// `--dry-run`: `none`, `client`, `server`; bare `--dry-run` is client (kubectl also
/// logs a deprecation line with a wall-clock timestamp, left out here).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DryRun {
    None,
    Client,
    Server,
}

impl DryRun {
    /// Reads a `--dry-run` flag declared as `OptionalString("unchanged")`.
    pub fn of(flags: &Parsed) -> Result<DryRun, String> {
        match flags.string("dry-run") {
            None | Some("none") => Ok(DryRun::None),
            Some("client") | Some("unchanged") => Ok(DryRun::Client),
            Some("server") => Ok(DryRun::Server),
            Some(other) => Err(format!(
                "error: Invalid dry-run value ({other}). Must be \"none\", \"server\", or \"client\"."
            )),
        }
    }

    /// What the name printer appends to the operation.
    pub fn suffix(self) -> &'static str {
        match self {
            DryRun::None => "",
            DryRun::Client => " (dry run)",
            DryRun::Server => " (server dry run)",
        }
    }
}

/// Go's `strconv.ParseBool`.
pub fn parse_go_bool(v: &str) -> Option<bool> {
    match v {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// Parses `words` (the command's words after its name) against `flags` + [`GLOBAL`].
/// The error is kubectl's complete stderr text without the trailing newline.
pub fn parse(command: &str, flags: &[Flag], words: &[String]) -> Result<Parsed, String> {
    let usage = format!("See 'kubectl {command} --help' for usage.");
    let fail = |msg: String| format!("error: {msg}\n{usage}");
    let all: Vec<Flag> = flags.iter().chain(GLOBAL.iter()).copied().collect();
    let mut parsed = Parsed::default();
    let mut i = 0;
    while i < words.len() {
        let word = &words[i];
        i += 1;
        if word == "--" {
            parsed.rest = words[i..].to_vec();
            break;
        }
        if let Some(long) = word.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            let Some(flag) = all.iter().find(|f| f.name == name) else {
                return Err(fail(format!("unknown flag: --{name}")));
            };
            let value = match (flag.kind, inline) {
                (FlagKind::Bool, None) => "true".to_string(),
                (FlagKind::OptionalString(default), None) => default.to_string(),
                (_, Some(v)) => v,
                (_, None) => {
                    if i >= words.len() {
                        return Err(fail(format!("flag needs an argument: --{name}")));
                    }
                    i += 1;
                    words[i - 1].clone()
                }
            };
            store_value(&mut parsed, flag, value, &format!("--{name}")).map_err(fail)?;
        } else if word.len() > 1 && word.starts_with('-') && !is_negative_number(word) {
            let chars: Vec<char> = word[1..].chars().collect();
            let mut j = 0;
            while j < chars.len() {
                let c = chars[j];
                let Some(flag) = all.iter().find(|f| f.short == Some(c)) else {
                    // pflag names the rest of the bundle from the unknown letter on.
                    let rest: String = chars[j..].iter().collect();
                    return Err(fail(format!("unknown shorthand flag: '{c}' in -{rest}")));
                };
                j += 1;
                let value = if flag.kind == FlagKind::Bool {
                    if chars.get(j) == Some(&'=') {
                        let v: String = chars[j + 1..].iter().collect();
                        j = chars.len();
                        v
                    } else {
                        "true".to_string()
                    }
                } else if j < chars.len() {
                    let rest: String = chars[j..].iter().collect();
                    j = chars.len();
                    rest.strip_prefix('=').map(str::to_string).unwrap_or(rest)
                } else {
                    if i >= words.len() {
                        return Err(fail(format!("flag needs an argument: '{c}' in -{c}")));
                    }
                    i += 1;
                    words[i - 1].clone()
                };
                store_value(&mut parsed, flag, value, &format!("-{c}, --{}", flag.name)).map_err(fail)?;
            }
        } else {
            parsed.args.push(word.clone());
        }
    }
    Ok(parsed)
}

fn is_negative_number(word: &str) -> bool {
    word[1..].parse::<f64>().is_ok()
}

fn store_value(parsed: &mut Parsed, flag: &Flag, value: String, shown: &str) -> Result<(), String> {
    parsed.seen.push((flag.name, value.clone()));
    match flag.kind {
        FlagKind::Duration => {
            if let Err(e) = parse_go_duration(&value) {
                return Err(format!("invalid argument \"{value}\" for \"{shown}\" flag: {e}"));
            }
            parsed.values.insert(flag.name, vec![value]);
        }
        FlagKind::Bool => {
            if parse_go_bool(&value).is_none() {
                return Err(format!(
                    "invalid argument \"{value}\" for \"{shown}\" flag: strconv.ParseBool: parsing \"{value}\": invalid syntax"
                ));
            }
            parsed.values.insert(flag.name, vec![value]);
        }
        FlagKind::Int => {
            if value.parse::<i64>().is_err() {
                return Err(format!(
                    "invalid argument \"{value}\" for \"{shown}\" flag: strconv.ParseInt: parsing \"{value}\": invalid syntax"
                ));
            }
            parsed.values.insert(flag.name, vec![value]);
        }
        FlagKind::String | FlagKind::OptionalString(_) => {
            parsed.values.insert(flag.name, vec![value]);
        }
        FlagKind::StringSlice => {
            let entry = parsed.values.entry(flag.name).or_default();
            entry.extend(value.split(',').map(str::to_string));
        }
        FlagKind::StringArray => parsed.values.entry(flag.name).or_default().push(value),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const FLAGS: &[Flag] = &[
        flag("output", Some('o'), FlagKind::String),
        flag("show-labels", None, FlagKind::Bool),
        flag("label-columns", Some('L'), FlagKind::StringSlice),
        flag("replicas", None, FlagKind::Int),
    ];

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn parses_like_pflag() {
        let p =
            parse("get", FLAGS, &words("pods -owide --show-labels -L a,b -L c -n kube-system x")).unwrap();
        assert_eq!(p.args, vec!["pods", "x"]);
        assert_eq!(p.string("output"), Some("wide"));
        assert!(p.bool("show-labels"));
        assert_eq!(p.strings("label-columns"), vec!["a", "b", "c"]);
        assert_eq!(p.string("namespace"), Some("kube-system"));
        let p = parse("scale", FLAGS, &words("--replicas=1 --replicas 3")).unwrap();
        assert_eq!(p.int("replicas"), Some(3));
    }

    #[test]
    fn errors_like_pflag() {
        assert_eq!(
            parse("get", FLAGS, &words("pods --foo")).unwrap_err(),
            "error: unknown flag: --foo\nSee 'kubectl get --help' for usage."
        );
        assert_eq!(
            parse("get", FLAGS, &words("pods -x")).unwrap_err(),
            "error: unknown shorthand flag: 'x' in -x\nSee 'kubectl get --help' for usage."
        );
        assert!(parse("get", FLAGS, &words("--show-labels=yes")).unwrap_err().contains("strconv.ParseBool"));
        assert!(parse("get", FLAGS, &words("-o")).unwrap_err().contains("flag needs an argument: 'o' in -o"));
    }

    #[test]
    fn go_durations() {
        assert_eq!(parse_go_duration("90s"), Ok(90_000));
        assert_eq!(parse_go_duration("1m30s"), Ok(90_000));
        assert_eq!(parse_go_duration("1.5h"), Ok(5_400_000));
        assert_eq!(parse_go_duration("0"), Ok(0));
        assert_eq!(parse_go_duration("abc"), Err("time: invalid duration \"abc\"".into()));
        assert_eq!(parse_go_duration("5"), Err("time: missing unit in duration \"5\"".into()));
        assert_eq!(parse_go_duration("5x"), Err("time: unknown unit \"x\" in duration \"5x\"".into()));
    }
}
