//! Go text/tabwriter, as kubectl configures it. (Placeholder until the full port lands.)

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    pub minwidth: usize,
    pub tabwidth: usize,
    pub padding: usize,
    pub padchar: char,
}

impl Config {
    pub const KUBECTL_GET: Config = Config { minwidth: 6, tabwidth: 4, padding: 3, padchar: ' ' };
    pub const DESCRIBE: Config = Config { minwidth: 0, tabwidth: 8, padding: 2, padchar: ' ' };
}

pub fn format(text: &str, cfg: Config) -> String {
    let lines: Vec<Vec<&str>> = text.split('\n').map(|l| l.split('\t').collect()).collect();
    let mut widths: Vec<usize> = Vec::new();
    for l in &lines {
        for (i, c) in l.iter().enumerate().take(l.len().saturating_sub(1)) {
            let w = (c.chars().count() + cfg.padding).max(cfg.minwidth);
            if widths.len() <= i {
                widths.push(w);
            } else {
                widths[i] = widths[i].max(w);
            }
        }
    }
    let mut out = String::new();
    for (n, l) in lines.iter().enumerate() {
        for (i, c) in l.iter().enumerate() {
            out.push_str(c);
            if i + 1 < l.len() {
                out.push_str(&" ".repeat(widths[i] - c.chars().count()));
            }
        }
        if n + 1 < lines.len() {
            out.push('\n');
        }
    }
    out
}
