//! Simulated images: how a container of an image behaves, and the tiny `sh -c`
//! interpreter for tutorial one-liners (scenario-format.md, "Simulated images").

use std::collections::BTreeMap;

use crate::constants;
use crate::time::{Millis, SECOND};

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Pull {
    /// The pull succeeds after this long.
    After(Millis),
    /// The pull fails after this long (`ErrImagePull`, then `ImagePullBackOff`).
    Error(Millis),
    /// The pull never finishes.
    Never,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Exit {
    Never,
    After { after: Millis, code: i32 },
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Readiness {
    Always,
    Never,
    After(Millis),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Liveness {
    Always,
    /// Probes fail from the (N+1)th on.
    FailAfter(u32),
}

/// One `images:` entry; `None` fields fall back to the built-in defaults.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImageSpec {
    pub pull: Option<Pull>,
    pub start: Option<Millis>,
    pub exit: Option<Exit>,
    pub terminate: Option<Millis>,
    pub ready: Option<Readiness>,
    pub live: Option<Liveness>,
    pub logs: Option<String>,
}

/// The scenario's image table with the lookup order the spec gives: exact reference,
/// then the reference without its tag, then built-in defaults.
#[derive(Clone, Debug, Default)]
pub struct ImageTable {
    pub entries: BTreeMap<String, ImageSpec>,
}

/// What a container will do, resolved from image entry, command and args.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Behaviour {
    pub pull: Pull,
    pub start: Millis,
    /// Log lines with their offset from container start, and how the main process ends.
    pub script: Option<ScriptRun>,
    pub exit: Exit,
    /// Time to exit after SIGTERM; `None` = ignores SIGTERM (runs until SIGKILL).
    pub terminate: Option<Millis>,
    pub ready: Readiness,
    pub live: Liveness,
    pub logs: String,
}

impl ImageTable {
    pub fn lookup(&self, image: &str) -> Option<&ImageSpec> {
        self.entries.get(image).or_else(|| self.entries.get(strip_tag(image)))
    }

    /// Resolves a container's behaviour. A shell script is interpreted unless the image
    /// entry sets `exit:`; an interpreted script is PID 1 `sh` and ignores SIGTERM.
    pub fn behaviour(&self, image: &str, command: &[String], args: &[String]) -> Behaviour {
        let entry = self.lookup(image).cloned().unwrap_or_default();
        let script =
            if entry.exit.is_none() { shell_script(command, args).map(|s| run_script(&s)) } else { None };
        let exit = match (&script, &entry.exit) {
            (_, Some(exit)) => exit.clone(),
            (Some(run), None) => match run.exit_code {
                Some(code) => Exit::After { after: run.duration, code },
                None => Exit::Never,
            },
            (None, None) => Exit::Never,
        };
        let terminate = match (&script, entry.terminate) {
            (_, Some(t)) => Some(t),
            (Some(_), None) => None,
            (None, None) => Some(0),
        };
        Behaviour {
            pull: entry.pull.unwrap_or(Pull::After(constants::DEFAULT_PULL)),
            start: entry.start.unwrap_or(0),
            script,
            exit,
            terminate,
            ready: entry.ready.unwrap_or(Readiness::Always),
            live: entry.live.unwrap_or(Liveness::Always),
            logs: entry.logs.unwrap_or_default(),
        }
    }
}

fn strip_tag(image: &str) -> &str {
    let name_start = image.rfind('/').map_or(0, |i| i + 1);
    let image = image.split('@').next().unwrap_or(image);
    match image[name_start..].rfind(':') {
        Some(i) => &image[..name_start + i],
        None => image,
    }
}

/// The script text when the container runs `sh -c '…'` (`/bin/sh`, `bash` too), with
/// the `-c` either in `command` or in `args`.
fn shell_script(command: &[String], args: &[String]) -> Option<String> {
    let argv: Vec<&String> = command.iter().chain(args.iter()).collect();
    let shell = argv.first()?;
    let base = shell.rsplit('/').next().unwrap_or(shell);
    if !matches!(base, "sh" | "bash" | "ash") {
        return None;
    }
    let c = argv.iter().position(|a| a.as_str() == "-c")?;
    argv.get(c + 1).map(|s| s.to_string())
}

/// The precomputed run of an interpreted script.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ScriptRun {
    /// (offset from start, line) in output order; `date` lines hold a placeholder
    /// [`DATE_MARK`] followed by the offset, rendered when logs are read.
    pub lines: Vec<(Millis, String)>,
    /// How long the script runs.
    pub duration: Millis,
    /// `None` when the script never ends (`sleep infinity`, endless loop).
    pub exit_code: Option<i32>,
}

/// Marks a `date` line; the log reader replaces it with the wall time.
pub const DATE_MARK: &str = "\u{0}date";

/// Interprets a script: `;`/`&&`/`||`/newline separated simple commands among `echo`,
/// `sleep N`, `date`, `exit N`, `true`, `false`; anything else exits 127 as busybox
/// sh reports it.
pub fn run_script(script: &str) -> ScriptRun {
    let mut run = ScriptRun { lines: Vec::new(), duration: 0, exit_code: None };
    let mut status = 0;
    let mut t: Millis = 0;
    for (connector, words) in split_commands(script) {
        let skip = match connector {
            Connector::And => status != 0,
            Connector::Or => status == 0,
            Connector::Seq => false,
        };
        if skip || words.is_empty() {
            continue;
        }
        match words[0].as_str() {
            "echo" => {
                run.lines.push((t, words[1..].join(" ")));
                status = 0;
            }
            "sleep" => match words.get(1).map(|s| s.as_str()) {
                Some("infinity") => {
                    run.duration = t;
                    return run;
                }
                Some(n) => match n.trim_end_matches('s').parse::<f64>() {
                    Ok(secs) => {
                        t += (secs * SECOND as f64) as Millis;
                        status = 0;
                    }
                    Err(_) => {
                        run.lines.push((t, format!("sleep: invalid number '{n}'")));
                        status = 1;
                    }
                },
                None => {
                    run.lines.push((t, "sleep: missing operand".into()));
                    status = 1;
                }
            },
            "date" => {
                run.lines.push((t, DATE_MARK.to_string()));
                status = 0;
            }
            "true" | ":" => status = 0,
            "false" => status = 1,
            "exit" => {
                let code = words.get(1).and_then(|c| c.parse().ok()).unwrap_or(status);
                run.duration = t;
                run.exit_code = Some(code);
                return run;
            }
            other => {
                run.lines.push((t, format!("sh: {other}: not found")));
                status = 127;
            }
        }
    }
    run.duration = t;
    run.exit_code = Some(status);
    run
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Connector {
    Seq,
    And,
    Or,
}

/// Splits a script into simple commands with the connector that precedes each.
fn split_commands(script: &str) -> Vec<(Connector, Vec<String>)> {
    let mut out = Vec::new();
    let mut connector = Connector::Seq;
    let mut current = String::new();
    let chars: Vec<char> = script.chars().collect();
    let mut i = 0;
    let mut quote: Option<char> = None;
    let flush = |text: &mut String, conn: Connector, out: &mut Vec<(Connector, Vec<String>)>| {
        let words =
            shlex::split(text.trim()).unwrap_or_else(|| text.split_whitespace().map(String::from).collect());
        out.push((conn, words));
        text.clear();
    };
    while i < chars.len() {
        let c = chars[i];
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
            current.push(c);
        } else if c == '\'' || c == '"' {
            quote = Some(c);
            current.push(c);
        } else if c == ';' || c == '\n' {
            flush(&mut current, connector, &mut out);
            connector = Connector::Seq;
        } else if c == '&' && chars.get(i + 1) == Some(&'&') {
            flush(&mut current, connector, &mut out);
            connector = Connector::And;
            i += 1;
        } else if c == '|' && chars.get(i + 1) == Some(&'|') {
            flush(&mut current, connector, &mut out);
            connector = Connector::Or;
            i += 1;
        } else {
            current.push(c);
        }
        i += 1;
    }
    flush(&mut current, connector, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn interprets_scripts() {
        let run = run_script("echo hello; sleep 5; echo done && exit 3");
        assert_eq!(run.lines, vec![(0, "hello".into()), (5000, "done".into())]);
        assert_eq!(run.exit_code, Some(3));
        assert_eq!(run.duration, 5000);
        let run = run_script("frobnicate");
        assert_eq!(run.exit_code, Some(127));
        assert_eq!(run.lines[0].1, "sh: frobnicate: not found");
        assert_eq!(run_script("sleep infinity").exit_code, None);
        assert_eq!(run_script("false || echo x").lines[0].1, "x");
    }

    #[test]
    fn lookup_order_and_defaults() {
        let mut table = ImageTable::default();
        table
            .entries
            .insert("busybox".into(), ImageSpec { pull: Some(Pull::After(5000)), ..Default::default() });
        let b = table.behaviour("busybox:1.36", &strings(&["sh", "-c", "sleep 3"]), &[]);
        assert_eq!(b.pull, Pull::After(5000));
        assert_eq!(b.exit, Exit::After { after: 3000, code: 0 });
        assert_eq!(b.terminate, None, "sh as PID 1 ignores SIGTERM");
        let b = table.behaviour("nginx", &[], &[]);
        assert_eq!(b.exit, Exit::Never);
        assert_eq!(b.terminate, Some(0));
        assert_eq!(strip_tag("registry:5000/app:1.2"), "registry:5000/app");
    }
}
