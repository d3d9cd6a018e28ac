//! Virtual time: milliseconds since the scenario's t=0, and their mapping to wall time.
//!
//! The simulation never reads the real clock. Every timestamp an object carries is the
//! scenario's `start` plus the virtual time at which it was written, truncated to whole
//! seconds as the apiserver stores `metav1.Time` (RFC 3339, second precision).

use jiff::{SignedDuration, Timestamp};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

/// Virtual milliseconds since the scenario's t=0.
pub type Millis = u64;

pub const SECOND: Millis = 1_000;
pub const MINUTE: Millis = 60 * SECOND;
pub const HOUR: Millis = 60 * MINUTE;
pub const DAY: Millis = 24 * HOUR;

/// Maps virtual time to wall time.
#[derive(Clone, Copy, Debug)]
pub struct WallClock {
    pub start: Timestamp,
}

impl WallClock {
    pub fn new(start: Timestamp) -> Self {
        WallClock { start }
    }

    /// The wall time of a virtual instant, at full (millisecond) precision.
    pub fn at(&self, ms: Millis) -> Timestamp {
        self.start + SignedDuration::from_millis(ms as i64)
    }

    /// An API `metav1.Time` for a virtual instant: truncated to whole seconds as stored.
    pub fn time(&self, ms: Millis) -> Time {
        Time(truncate_to_second(self.at(ms)))
    }

    /// Virtual milliseconds of a wall timestamp (saturating at 0 for times before t=0).
    pub fn millis_of(&self, t: Timestamp) -> i64 {
        t.duration_since(self.start).as_millis() as i64
    }
}

/// Drops the sub-second part, as RFC 3339 second-precision storage does.
pub fn truncate_to_second(t: Timestamp) -> Timestamp {
    Timestamp::from_second(t.as_second()).expect("in range")
}

/// Default wall time at t=0 when a scenario does not give `start`.
pub fn default_start() -> Timestamp {
    "2024-01-01T00:00:00Z".parse().expect("valid constant")
}

/// Parses a scenario duration: `500ms`, `30s`, `2m`, `1h30m`, `2d`, `6d21h`.
/// Units are d, h, m, s, ms; every number is a whole number; at least one unit.
pub fn parse_duration(text: &str) -> Result<Millis, String> {
    let s = text.trim();
    if s.is_empty() {
        return Err("empty duration".into());
    }
    let bytes = s.as_bytes();
    let mut i = 0;
    let mut total: Millis = 0;
    while i < bytes.len() {
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        if start == i {
            return Err(format!("invalid duration {text:?}: expected a number at {:?}", &s[start..]));
        }
        let n: Millis =
            s[start..i].parse().map_err(|_| format!("invalid duration {text:?}: number too large"))?;
        let unit_start = i;
        while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
            i += 1;
        }
        let unit = match &s[unit_start..i] {
            "ms" => 1,
            "s" => SECOND,
            "m" => MINUTE,
            "h" => HOUR,
            "d" => DAY,
            "" => {
                return Err(format!("invalid duration {text:?}: missing unit (d, h, m, s or ms) after {n}"));
            }
            other => {
                return Err(format!(
                    "invalid duration {text:?}: unknown unit {other:?} (expected d, h, m, s or ms)"
                ));
            }
        };
        total = n
            .checked_mul(unit)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(|| format!("invalid duration {text:?}: too large"))?;
    }
    Ok(total)
}

/// Formats virtual time for transcripts and failure reports: `t=1m13s`, `t=500ms`.
pub fn format_clock(ms: Millis) -> String {
    if ms == 0 {
        return "0s".into();
    }
    let mut out = String::new();
    let mut rest = ms;
    for (unit, name) in [(DAY, "d"), (HOUR, "h"), (MINUTE, "m"), (SECOND, "s")] {
        if rest >= unit {
            out.push_str(&format!("{}{}", rest / unit, name));
            rest %= unit;
        }
    }
    if rest > 0 {
        out.push_str(&format!("{rest}ms"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("500ms"), Ok(500));
        assert_eq!(parse_duration("30s"), Ok(30_000));
        assert_eq!(parse_duration("1h30m"), Ok(90 * MINUTE));
        assert_eq!(parse_duration("6d21h"), Ok(6 * DAY + 21 * HOUR));
        assert!(parse_duration("5").is_err());
        assert!(parse_duration("5x").is_err());
        assert!(parse_duration("").is_err());
        assert!(parse_duration("1.5h").is_err());
    }

    #[test]
    fn clock_format() {
        assert_eq!(format_clock(73_000), "1m13s");
        assert_eq!(format_clock(1_500), "1s500ms");
        assert_eq!(format_clock(0), "0s");
    }
}
