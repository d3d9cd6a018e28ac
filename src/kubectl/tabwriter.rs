//! Go `text/tabwriter`, as kubectl configures it.
//!
//! kubectl never computes column widths itself: it writes tab-separated text into a Go
//! tabwriter and lets the writer align it. To print the same bytes we must therefore
//! reproduce the writer's algorithm exactly, quirks included:
//!
//! * a cell is text terminated by `\t` (or `\v`); the text after the last tab of a line
//!   is not a cell of any column and is written as is, never padded;
//! * a *column block* is a maximal run of consecutive lines that all have a terminated
//!   cell in that column; blocks are found column by column, recursively, so a line
//!   without a cell in column *j* splits the blocks of every column right of *j* too;
//! * a block's width is `max(minwidth, widest cell + padding)`, where a cell's width is
//!   its number of Unicode scalar values (Go's `utf8.RuneCount`), not its display width;
//! * every cell of a block is padded to that width, empty cells included;
//! * `\f` ends a line like `\n` (and is written as `\n`), and also ends every block.
//!
//! Only the flag-less configuration is implemented (no `AlignRight`, `DiscardEmptyColumns`,
//! `TabIndent`, `FilterHTML`, `StripEscape` or `Debug`); kubectl uses none of them. The
//! `Escape` byte (0xff) cannot occur in a Rust `str`, so escaped segments do not arise.
//! A line without any tab makes Go flush its buffer; since such a line also ends every
//! block, formatting the whole text at once gives the same bytes.

use std::fmt;
use std::ops::Range;

/// `\f`: ends a line and flushes.
const FORM_FEED: char = '\x0c';
/// `\v`: ends a cell like a tab (Go marks the cell as not tab-terminated, which only
/// matters for `DiscardEmptyColumns`).
const VERTICAL_TAB: char = '\x0b';

/// The writer parameters of Go's `tabwriter.Writer.Init`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    /// Minimal cell width, padding included.
    pub minwidth: usize,
    /// Width of a tab; only matters when padding with tabs.
    pub tabwidth: usize,
    /// Added to the widest cell of a block to get the block's width.
    pub padding: usize,
    /// The padding character; `'\t'` pads to multiples of `tabwidth` like Go does.
    pub padchar: char,
}

impl Config {
    /// `kubectl get` tables (cli-runtime `GetNewTabWriter`): minwidth 6, tabwidth 4,
    /// padding 3. Its `RememberWidths` flag only matters across `--watch` flushes.
    pub const KUBECTL_GET: Config = Config { minwidth: 6, tabwidth: 4, padding: 3, padchar: ' ' };

    /// `kubectl describe` and `rollout history` (`tabbedString`): minwidth 0, tabwidth 8,
    /// padding 2.
    pub const DESCRIBE: Config = Config { minwidth: 0, tabwidth: 8, padding: 2, padchar: ' ' };

    pub const fn kubectl_get() -> Config {
        Config::KUBECTL_GET
    }

    pub const fn describe() -> Config {
        Config::DESCRIBE
    }
}

/// A writer's configuration, so `format(text, TabWriter::kubectl_get())` reads naturally.
impl From<TabWriter> for Config {
    fn from(w: TabWriter) -> Config {
        w.cfg
    }
}

/// Formats a complete tab-separated text in one go (write everything, then `Flush`).
pub fn format(text: &str, cfg: impl Into<Config>) -> String {
    let cfg = cfg.into();
    let mut out = String::with_capacity(text.len() + text.len() / 2);
    let mut segments = text.split(FORM_FEED).peekable();
    while let Some(segment) = segments.next() {
        if segments.peek().is_some() {
            // A form feed ends the line like a newline and flushes: format the segment
            // as if it ended with "\n", then start afresh.
            let mut owned = String::with_capacity(segment.len() + 1);
            owned.push_str(segment);
            owned.push('\n');
            format_segment(&owned, cfg, &mut out);
        } else {
            format_segment(segment, cfg, &mut out);
        }
    }
    out
}

/// A buffering writer: collect text with `write!`, then [`TabWriter::finish`].
///
/// This mirrors how kubectl uses the Go writer (write everything, flush once) and lets
/// printers build their stream with `std::fmt::Write`.
#[derive(Clone, Debug)]
pub struct TabWriter {
    cfg: Config,
    buf: String,
}

impl TabWriter {
    pub fn new(cfg: Config) -> Self {
        TabWriter { cfg, buf: String::new() }
    }

    /// The writer `kubectl get` prints tables with.
    pub fn kubectl_get() -> Self {
        TabWriter::new(Config::KUBECTL_GET)
    }

    /// The writer `kubectl describe` prints descriptions with.
    pub fn describe() -> Self {
        TabWriter::new(Config::DESCRIBE)
    }

    pub fn config(&self) -> Config {
        self.cfg
    }

    /// Appends raw, unformatted text.
    pub fn push_str(&mut self, text: &str) {
        self.buf.push_str(text);
    }

    /// Formats everything written so far (Go's `Flush`).
    pub fn finish(self) -> String {
        format(&self.buf, self.cfg)
    }
}

impl fmt::Write for TabWriter {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.buf.push_str(s);
        Ok(())
    }
}

/// One cell: its text and its width in runes.
#[derive(Clone, Copy, Debug)]
struct Cell<'a> {
    text: &'a str,
    width: usize,
}

impl<'a> Cell<'a> {
    fn new(text: &'a str) -> Self {
        Cell { text, width: text.chars().count() }
    }
}

/// A line is its cells; all but the last are tab-terminated and belong to columns.
type Line<'a> = Vec<Cell<'a>>;

/// Formats text that contains no form feed.
fn format_segment(text: &str, cfg: Config, out: &mut String) {
    let lines = split_lines(text);
    let mut widths = Vec::new();
    Formatter { cfg, lines: &lines, out }.format(0..lines.len(), &mut widths);
}

/// Splits into lines of cells the way Go's `Write` + `Flush` do: every complete line
/// ends with its (possibly empty) trailing cell; the final, unterminated line keeps its
/// trailing text only if it is not empty.
fn split_lines(text: &str) -> Vec<Line<'_>> {
    let mut lines = Vec::new();
    let mut rest = text;
    loop {
        match rest.find('\n') {
            Some(end) => {
                lines.push(split_cells(&rest[..end], true));
                rest = &rest[end + 1..];
            }
            None => {
                lines.push(split_cells(rest, false));
                return lines;
            }
        }
    }
}

fn split_cells(line: &str, complete: bool) -> Line<'_> {
    let mut cells: Line = line.split(['\t', VERTICAL_TAB]).map(Cell::new).collect();
    if !complete && cells.last().is_some_and(|c| c.text.is_empty()) {
        cells.pop();
    }
    cells
}

struct Formatter<'a, 'o> {
    cfg: Config,
    lines: &'a [Line<'a>],
    out: &'o mut String,
}

impl Formatter<'_, '_> {
    /// Whether `line` has a tab-terminated cell in `column`.
    fn has_cell(&self, line: usize, column: usize) -> bool {
        column + 1 < self.lines[line].len()
    }

    /// Go's `format`: finds the blocks of column `widths.len()` within `range`, fixes
    /// each block's width and recurses into the next column; lines outside any block
    /// are written with the widths known so far.
    fn format(&mut self, range: Range<usize>, widths: &mut Vec<usize>) {
        let column = widths.len();
        let mut line0 = range.start;
        let mut this = range.start;
        while this < range.end {
            if !self.has_cell(this, column) {
                this += 1;
                continue;
            }
            self.write_lines(line0..this, widths);
            line0 = this;
            let mut width = self.cfg.minwidth;
            while this < range.end && self.has_cell(this, column) {
                width = width.max(self.lines[this][column].width + self.cfg.padding);
                this += 1;
            }
            widths.push(width);
            self.format(line0..this, widths);
            widths.pop();
            line0 = this;
        }
        self.write_lines(line0..range.end, widths);
    }

    fn write_lines(&mut self, range: Range<usize>, widths: &[usize]) {
        for i in range {
            for (j, cell) in self.lines[i].iter().enumerate() {
                self.out.push_str(cell.text);
                if let Some(&w) = widths.get(j) {
                    self.pad(cell.width, w);
                }
            }
            // The last buffered line is the unterminated remainder: no newline.
            if i + 1 < self.lines.len() {
                self.out.push('\n');
            }
        }
    }

    fn pad(&mut self, text_width: usize, cell_width: usize) {
        if self.cfg.padchar == '\t' {
            if self.cfg.tabwidth == 0 {
                return;
            }
            let tw = self.cfg.tabwidth;
            let cell_width = cell_width.div_ceil(tw) * tw;
            let tabs = (cell_width - text_width).div_ceil(tw);
            self.out.extend(std::iter::repeat_n('\t', tabs));
        } else {
            let n = cell_width.saturating_sub(text_width);
            self.out.extend(std::iter::repeat_n(self.cfg.padchar, n));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fmt::Write as _;

    fn get(text: &str) -> String {
        format(text, Config::KUBECTL_GET)
    }

    fn describe(text: &str) -> String {
        format(text, Config::DESCRIBE)
    }

    #[test]
    fn last_cell_is_never_padded() {
        assert_eq!(get("NAME\tAGE\na\t5m\n"), "NAME   AGE\na      5m\n");
    }

    #[test]
    fn minwidth_applies_to_short_columns() {
        assert_eq!(get("A\tB\tC\n"), "A     B     C\n");
    }

    #[test]
    fn empty_cells_are_padded_and_empty_last_column_leaves_trailing_spaces() {
        let text = "NAME\tREADY\tSTATUS\tRESTARTS\tAGE\tAPP\na\t1/1\tRunning\t0\t5m\t\n";
        assert_eq!(
            get(text),
            "NAME   READY   STATUS    RESTARTS   AGE   APP\na      1/1     Running   0          5m    \n"
        );
    }

    #[test]
    fn a_line_without_tabs_ends_the_block() {
        let text = "Name:\tx\nLong label:\ty\nSection:\n  a:\tb\n";
        assert_eq!(describe(text), "Name:        x\nLong label:  y\nSection:\n  a:  b\n");
    }

    #[test]
    fn blocks_are_per_column() {
        // Column 1 only spans the first two lines; column 0 spans all three.
        let text = "a\tbb\tc\naaa\tb\tc\naa\tx\n";
        assert_eq!(describe(text), "a    bb  c\naaa  b   c\naa   x\n");
    }

    #[test]
    fn cell_width_counts_runes() {
        assert_eq!(describe("äöü\tx\nab\ty\n"), "äöü  x\nab   y\n");
    }

    #[test]
    fn unterminated_last_line_is_written_without_newline() {
        assert_eq!(describe("a\tb\nccc\td"), "a    b\nccc  d");
        // A trailing tab without newline: the tab-terminated cell becomes the last cell.
        assert_eq!(describe("a\tb\t"), "a  b");
    }

    #[test]
    fn form_feed_flushes() {
        assert_eq!(describe("a\tb\x0cccc\td\n"), "a  b\nccc  d\n");
    }

    #[test]
    fn tab_padding_rounds_to_tabwidth() {
        let cfg = Config { minwidth: 0, tabwidth: 8, padding: 1, padchar: '\t' };
        assert_eq!(format("a\tb\nabcdefgh\tc\n", cfg), "a\t\tb\nabcdefgh\tc\n");
    }

    #[test]
    fn writer_buffers_until_finish() {
        let mut w = TabWriter::describe();
        let name = "web";
        writeln!(w, "Name:\t{name}").unwrap();
        w.push_str("Namespace:\tdefault\n");
        assert_eq!(w.finish(), "Name:       web\nNamespace:  default\n");
        assert_eq!(format("a\tb\n", TabWriter::kubectl_get()), format("a\tb\n", Config::kubectl_get()));
    }

    /// Rebuilds the tab-separated stream kubectl writes for a server Table (header
    /// upper-cased, `-L` label columns appended) and checks the layout byte for byte.
    mod goldens {
        use super::*;
        use serde_json::Value;
        use std::path::PathBuf;

        fn golden_dir() -> Option<PathBuf> {
            let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/reference/kubectl-goldens");
            dir.is_dir().then_some(dir)
        }

        fn cell_text(v: &Value) -> String {
            match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            }
        }

        fn table_stream(objects: &Value, wide: bool, label_columns: &[&str]) -> String {
            let table = objects["requests"]
                .as_array()
                .unwrap()
                .iter()
                .find_map(|r| r.get("response").filter(|t| t["kind"] == "Table"))
                .expect("a Table response");
            let shown: Vec<usize> = table["columnDefinitions"]
                .as_array()
                .unwrap()
                .iter()
                .enumerate()
                .filter(|(_, c)| wide || c["priority"] == 0)
                .map(|(i, _)| i)
                .collect();
            let columns = table["columnDefinitions"].as_array().unwrap();
            let mut header: Vec<String> =
                shown.iter().map(|&i| columns[i]["name"].as_str().unwrap().to_uppercase()).collect();
            header.extend(label_columns.iter().map(|l| l.to_uppercase()));
            let mut out = header.join("\t") + "\n";
            for row in table["rows"].as_array().unwrap() {
                let cells = row["cells"].as_array().unwrap();
                let mut line: Vec<String> = shown.iter().map(|&i| cell_text(&cells[i])).collect();
                let labels = &row["object"]["metadata"]["labels"];
                line.extend(label_columns.iter().map(|l| labels[*l].as_str().unwrap_or("").to_string()));
                out.push_str(&line.join("\t"));
                out.push('\n');
            }
            out
        }

        fn check(case: &str, wide: bool, label_columns: &[&str]) {
            let Some(dir) = golden_dir() else {
                eprintln!("kubectl goldens not found; skipping");
                return;
            };
            for version in ["1.27", "1.30", "1.33"] {
                let base = dir.join(version).join(case);
                let objects: Value = serde_json::from_str(
                    &std::fs::read_to_string(base.with_extension("objects.json")).unwrap(),
                )
                .unwrap();
                let expected = std::fs::read_to_string(base.with_extension("out")).unwrap();
                let got = format(&table_stream(&objects, wide, label_columns), Config::KUBECTL_GET);
                assert_eq!(got, expected, "{version}/{case}");
            }
        }

        #[test]
        fn get_pods() {
            check("get-pods", false, &[]);
        }

        #[test]
        fn get_pods_wide() {
            check("get-pods-wide", true, &[]);
        }

        #[test]
        fn get_pods_label_columns() {
            check("get-pods-label-columns", false, &["app", "tier"]);
        }
    }
}
