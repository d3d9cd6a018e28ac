//! Resource quantities (`resource.Quantity`) reduced to what scheduling needs.

/// Parses a CPU quantity to millicores: `2`, `500m`, `0.5`.
pub fn milli_cpu(q: &str) -> Option<i64> {
    let q = q.trim();
    if let Some(m) = q.strip_suffix('m') {
        return m.parse().ok();
    }
    q.parse::<f64>().ok().map(|v| (v * 1000.0).round() as i64)
}

/// Parses a memory/byte quantity: `128Mi`, `1Gi`, `500M`, `1e3`, plain bytes.
pub fn bytes(q: &str) -> Option<i64> {
    let q = q.trim();
    const SUFFIXES: &[(&str, f64)] = &[
        ("Ki", 1024.0),
        ("Mi", 1024.0 * 1024.0),
        ("Gi", 1024.0 * 1024.0 * 1024.0),
        ("Ti", 1024.0 * 1024.0 * 1024.0 * 1024.0),
        ("k", 1e3),
        ("M", 1e6),
        ("G", 1e9),
        ("T", 1e12),
        ("m", 1e-3),
    ];
    for (suffix, factor) in SUFFIXES {
        if let Some(n) = q.strip_suffix(suffix) {
            return n.parse::<f64>().ok().map(|v| (v * factor).round() as i64);
        }
    }
    q.parse::<f64>().ok().map(|v| v.round() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities() {
        assert_eq!(milli_cpu("2"), Some(2000));
        assert_eq!(milli_cpu("250m"), Some(250));
        assert_eq!(milli_cpu("0.5"), Some(500));
        assert_eq!(bytes("1Gi"), Some(1 << 30));
        assert_eq!(bytes("128Mi"), Some(128 << 20));
        assert_eq!(bytes("1k"), Some(1000));
    }
}
