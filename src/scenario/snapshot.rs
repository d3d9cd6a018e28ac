//! Snapshots: stdout stored byte for byte under `snapshots/`, in insta's file format so
//! `cargo insta review` works on pending ones.
//!
//! Equal content passes without touching insta. A difference goes through insta's
//! assertion, which follows its update policy: `INSTA_UPDATE=always` (or
//! `kubesim run --update`) writes the file, a local run leaves a `.snap.new` to review,
//! and nothing is written when `CI` is set.

use std::path::Path;

pub enum SnapshotCheck {
    Equal,
    /// Accepted by insta's update policy (written, or forced to pass).
    Updated,
    /// Missing or different: the message to report.
    Differs(String),
}

/// The stored content of an insta `.snap` file (what follows its metadata header).
fn stored_content(text: &str) -> Option<&str> {
    let rest = text.strip_prefix("---\n")?;
    let end = rest.find("\n---\n")?;
    Some(&rest[end + 5..])
}

pub fn check_snapshot(path: &Path, source: &str, actual: &str) -> SnapshotCheck {
    let existing = std::fs::read_to_string(path).ok();
    if let Some(text) = &existing
        && stored_content(text).is_some_and(|c| c.trim_end() == actual.trim_end())
    {
        return SnapshotCheck::Equal;
    }
    let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or("snapshot").to_string();
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(dir);
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.set_input_file(source);
    let actual_owned = actual.to_string();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        settings.bind(|| insta::assert_snapshot!(name, actual_owned));
    }));
    match result {
        Ok(()) => SnapshotCheck::Updated,
        Err(_) => {
            let old = existing.as_deref().and_then(stored_content).unwrap_or("");
            let diff = similar::TextDiff::from_lines(old, actual)
                .unified_diff()
                .context_radius(3)
                .header("snapshot", "actual")
                .to_string();
            let what = if existing.is_none() { "missing" } else { "differs" };
            SnapshotCheck::Differs(format!(
                "snapshot {} {what}\n{diff}To accept it: INSTA_UPDATE=always cargo test, or kubesim run --update",
                path.display()
            ))
        }
    }
}
