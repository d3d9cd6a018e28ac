//! Running scenario files: discovery, one file at a time, and the two front ends — the
//! libtest-mimic harness behind `cargo test` (also offered to other crates as one call,
//! [`run_tests`]) and the report of `kubesim run`.

use std::path::{Path, PathBuf};

use libtest_mimic::{Arguments, Failed, Trial};
use walkdir::WalkDir;

use crate::scenario::runner::{self, Outcome, SnapshotSettings};
use crate::scenario::{ScenarioError, parse_scenario};

/// A scenario file found under a scenarios root.
#[derive(Clone, Debug)]
pub struct ScenarioFile {
    pub path: PathBuf,
    /// Path below the root without extension, `/`-separated: the scenario's id.
    pub id: String,
    /// The `snapshots/` folder beside the scenarios root.
    pub snapshots: PathBuf,
}

/// How one file ended.
pub enum FileResult {
    /// The file could not be read or is invalid; nothing of it ran.
    Invalid(ScenarioError),
    Ran(Outcome),
}

fn is_scenario(path: &Path) -> bool {
    matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
}

/// The scenarios root of a file: the nearest ancestor named `scenarios`, else its folder.
fn root_of(file: &Path) -> PathBuf {
    file.ancestors()
        .skip(1)
        .find(|a| a.file_name().and_then(|n| n.to_str()) == Some("scenarios"))
        .map(Path::to_path_buf)
        .unwrap_or_else(|| file.parent().map(Path::to_path_buf).unwrap_or_default())
}

fn id_of(file: &Path, root: &Path) -> String {
    let rel = file.strip_prefix(root).unwrap_or(file).with_extension("");
    rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect::<Vec<_>>().join("/")
}

fn snapshots_beside(root: &Path) -> PathBuf {
    root.parent().map(|p| p.join("snapshots")).unwrap_or_else(|| PathBuf::from("snapshots"))
}

/// Every scenario file under the given files and folders, sorted by path.
pub fn discover(paths: &[PathBuf]) -> Vec<ScenarioFile> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let root = if path.file_name().and_then(|n| n.to_str()) == Some("scenarios") {
                path.clone()
            } else {
                root_of(&path.join("x"))
            };
            for entry in WalkDir::new(path).sort_by_file_name().into_iter().flatten() {
                let p = entry.path();
                if p.is_file() && is_scenario(p) {
                    files.push(ScenarioFile {
                        path: p.to_path_buf(),
                        id: id_of(p, &root),
                        snapshots: snapshots_beside(&root),
                    });
                }
            }
        } else {
            let root = root_of(path);
            files.push(ScenarioFile {
                path: path.clone(),
                id: id_of(path, &root),
                snapshots: snapshots_beside(&root),
            });
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

/// Reads, validates and runs one scenario file.
pub fn run_file(file: &ScenarioFile) -> FileResult {
    let shown = file.path.display().to_string();
    let bytes = match std::fs::read(&file.path) {
        Ok(b) => b,
        Err(e) => {
            return FileResult::Invalid(ScenarioError::new(&shown, 1, 1, format!("cannot read file: {e}")));
        }
    };
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => return FileResult::Invalid(not_utf8(&shown, e.as_bytes(), e.utf8_error().valid_up_to())),
    };
    let scenario = match parse_scenario(&shown, &text, &file.id) {
        Ok(s) => s,
        Err(e) => return FileResult::Invalid(e),
    };
    let settings =
        SnapshotSettings { dir: file.snapshots.clone(), scenario_id: file.id.clone(), source: shown };
    FileResult::Ran(runner::run(&scenario, &settings))
}

/// A file that is not UTF-8 text: the position (line, column in characters) of the
/// first byte that is not.
fn not_utf8(shown: &str, bytes: &[u8], valid_up_to: usize) -> ScenarioError {
    let before = String::from_utf8_lossy(&bytes[..valid_up_to]);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    let message = format!("not UTF-8 text (byte 0x{:02X}); scenario files are UTF-8", bytes[valid_up_to]);
    ScenarioError::new(shown, line, column, message)
}

/// The libtest-mimic harness: one trial per scenario file, named by its id, plus one
/// trial reporting snapshot files no scenario names. Call it from a `harness = false`
/// test target: `kubesim::harness::run_tests("scenarios")`.
pub fn run_tests(scenarios: impl AsRef<Path>) -> std::process::ExitCode {
    let args = Arguments::from_args();
    let root = scenarios.as_ref().to_path_buf();
    let files = discover(std::slice::from_ref(&root));
    let mut trials: Vec<Trial> = files
        .iter()
        .cloned()
        .map(|file| {
            let id = file.id.clone();
            Trial::test(id, move || match run_file(&file) {
                FileResult::Invalid(e) => Err(Failed::from(e.to_string())),
                FileResult::Ran(outcome) if outcome.ok() => Ok(()),
                FileResult::Ran(outcome) => Err(Failed::from(format!(
                    "{} of {} checks failed\n{}",
                    outcome.checks - outcome.passed,
                    outcome.checks,
                    outcome.render_failures(&file.path.display().to_string())
                ))),
            })
        })
        .collect();
    let snapshot_dir = snapshots_beside(&root);
    let ids: Vec<String> = files.iter().map(|f| f.id.replace('/', "__")).collect();
    trials.push(Trial::test("snapshots/unreferenced", move || unreferenced(&snapshot_dir, &ids)));
    libtest_mimic::run(&args, trials).exit_code()
}

/// Fails when `snapshots/` holds a `.snap` file whose scenario no longer exists.
fn unreferenced(dir: &Path, ids: &[String]) -> Result<(), Failed> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Ok(()) };
    let mut stale: Vec<String> = entries
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".snap"))
        .filter(|n| !ids.iter().any(|id| n.starts_with(&format!("{id}__"))))
        .collect();
    stale.sort();
    if stale.is_empty() {
        Ok(())
    } else {
        Err(Failed::from(format!("snapshot files that no scenario names:\n  {}", stale.join("\n  "))))
    }
}

/// `kubesim run`: the report lines, and the exit code (0 all passed, 1 a check failed,
/// 2 a scenario could not be read or a path does not exist).
pub fn report(paths: &[PathBuf], transcript: bool, out: &mut String) -> i32 {
    let (mut passed, mut failed, mut invalid) = (0, 0, 0);
    // A path that does not exist is no scenario with a position to point at: say so,
    // count it as failed, and run the rest.
    let (existing, missing): (Vec<PathBuf>, Vec<PathBuf>) = paths.iter().cloned().partition(|p| p.exists());
    for path in &missing {
        invalid += 1;
        out.push_str(&format!("ERROR {}: no such file or folder\n", path.display()));
    }
    let files = discover(&existing);
    for file in &files {
        match run_file(file) {
            FileResult::Invalid(e) => {
                invalid += 1;
                out.push_str(&format!("ERROR {}: {e}\n", file.id));
            }
            FileResult::Ran(outcome) => {
                if transcript {
                    out.push_str(&format!("# scenario {}\n{}\n", outcome.name, outcome.transcript));
                }
                let status = if outcome.ok() { "ok" } else { "FAILED" };
                out.push_str(&format!(
                    "{status} {} ({}/{} checks)\n",
                    outcome.name, outcome.passed, outcome.checks
                ));
                if outcome.ok() {
                    passed += 1;
                } else {
                    failed += 1;
                    out.push_str(&outcome.render_failures(&file.path.display().to_string()));
                }
            }
        }
    }
    out.push_str(&format!("{passed} passed, {} failed\n", failed + invalid));
    if invalid > 0 {
        2
    } else if failed > 0 {
        1
    } else {
        0
    }
}
