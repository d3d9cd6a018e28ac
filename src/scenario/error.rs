//! The one error a scenario file can produce when it cannot be read: a single line that
//! names the file, the line and the column, and says what is wrong.
//!
//! The caller decides what to do with it (`kubesim run` exits with code 2, the test
//! harness fails that scenario's trial).

/// A scenario file that cannot be used: bad YAML, an unknown key, a wrong type, a bad value.
///
/// `Display` is the whole message on one line:
/// `scenarios/x.yaml:12:5: unknown step key "expct" (expected one of: ...)`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct ScenarioError {
    /// The path as the caller gave it for messages.
    pub file: String,
    /// 1-based line of the offending node or key.
    pub line: usize,
    /// 1-based column (in characters) of the offending node or key.
    pub column: usize,
    /// What is wrong, without the position; never contains a newline.
    pub message: String,
}

impl ScenarioError {
    pub fn new(file: &str, line: usize, column: usize, message: impl Into<String>) -> Self {
        let message: String = message.into();
        // One line, always: a stray newline would break the report's one-line-per-error layout.
        let message = message.replace("\r\n", " ").replace(['\n', '\r'], " ");
        ScenarioError { file: file.to_string(), line, column, message }
    }
}
