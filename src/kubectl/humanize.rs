//! HumanDuration and translateTimestampSince.
//!
//! kubectl prints every age (`AGE` columns, describe event ages, `Terminating (lasts …)`)
//! through apimachinery's `HumanDuration`, which is deliberately coarse: the further in
//! the past, the fewer units. Every division truncates toward zero, so ages never round
//! up. Objects carry timestamps with whole-second precision (RFC 3339 `metav1.Time`), so
//! an age is measured from the truncated second, never from the sub-second instant at
//! which the simulation wrote it; only `MicroTime` fields (event `eventTime`) keep more.

use jiff::Timestamp;

const SECOND: i64 = 1_000;
const MINUTE: i64 = 60 * SECOND;
const HOUR: i64 = 60 * MINUTE;

/// What kubectl prints for a missing (zero) timestamp.
pub const UNKNOWN: &str = "<unknown>";

/// Formats a duration given in milliseconds the way apimachinery's `HumanDuration` does.
///
/// Up to two seconds in the future is tolerated as clock skew and printed as `0s`;
/// anything further ahead is `<invalid>`.
pub fn human_duration(ms: i64) -> String {
    let seconds = ms / SECOND;
    if seconds < -1 {
        return "<invalid>".into();
    }
    if seconds < 0 {
        return "0s".into();
    }
    if seconds < 120 {
        return format!("{seconds}s");
    }
    let minutes = ms / MINUTE;
    if minutes < 10 {
        return with_remainder(minutes, "m", seconds % 60, "s");
    }
    if minutes < 180 {
        return format!("{minutes}m");
    }
    let hours = ms / HOUR;
    if hours < 8 {
        return with_remainder(hours, "h", minutes % 60, "m");
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    let days = hours / 24;
    if hours < 24 * 8 {
        return with_remainder(days, "d", hours % 24, "h");
    }
    if hours < 24 * 365 * 2 {
        return format!("{days}d");
    }
    let years = days / 365;
    if hours < 24 * 365 * 8 {
        return with_remainder(years, "y", days % 365, "d");
    }
    format!("{years}y")
}

/// `2m` or `2m5s`: the smaller unit is dropped when it is zero.
fn with_remainder(big: i64, big_unit: &str, small: i64, small_unit: &str) -> String {
    if small == 0 { format!("{big}{big_unit}") } else { format!("{big}{big_unit}{small}{small_unit}") }
}

/// The age of a second-precision timestamp: `then_ms` is truncated to its whole second
/// (as the API stores it) before measuring. Both values are milliseconds on the same
/// axis whose second boundaries are whole seconds (Unix time, or virtual time when the
/// scenario starts on a whole second).
pub fn age(now_ms: i64, then_ms: i64) -> String {
    human_duration(now_ms - then_ms.div_euclid(SECOND) * SECOND)
}

/// `translateTimestampSince` for a `metav1.Time`: `<unknown>` when unset, else the age
/// measured from the timestamp truncated to whole seconds.
pub fn translate_timestamp_since(now: Timestamp, then: Option<Timestamp>) -> String {
    match then {
        Some(then) => age(now.as_millisecond(), then.as_millisecond()),
        None => UNKNOWN.into(),
    }
}

/// `translateMicroTimestampSince` for a `metav1.MicroTime`: `<unknown>` when unset, else
/// the age at microsecond precision (HumanDuration then truncates to seconds).
pub fn translate_micro_timestamp_since(now: Timestamp, then: Option<Timestamp>) -> String {
    match then {
        Some(then) => {
            let micros = now.as_microsecond() - then.as_microsecond();
            human_duration(micros / 1_000)
        }
        None => UNKNOWN.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: i64 = SECOND;
    const M: i64 = MINUTE;
    const H: i64 = HOUR;
    const D: i64 = 24 * HOUR;
    const Y: i64 = 365 * D;

    #[test]
    fn every_boundary_of_human_duration() {
        let table: &[(i64, &str)] = &[
            // Future: up to (but excluding) two seconds is skew.
            (-2 * S - 1, "<invalid>"),
            (-2 * S, "<invalid>"),
            (-2 * S + 1, "0s"),
            (-S, "0s"),
            (-1, "0s"),
            (0, "0s"),
            (999, "0s"),
            (S, "1s"),
            (119 * S + 999, "119s"),
            (120 * S, "2m"),
            (125 * S, "2m5s"),
            (9 * M + 59 * S + 999, "9m59s"),
            (10 * M, "10m"),
            (10 * M + 59 * S, "10m"),
            (179 * M + 59 * S, "179m"),
            (180 * M, "3h"),
            (3 * H + 5 * M + 30 * S, "3h5m"),
            (7 * H + 59 * M + 59 * S, "7h59m"),
            (8 * H, "8h"),
            (47 * H + 59 * M, "47h"),
            (48 * H, "2d"),
            (2 * D + 2 * H + 59 * M, "2d2h"),
            (7 * D + 23 * H + 59 * M, "7d23h"),
            (8 * D, "8d"),
            (729 * D + 23 * H, "729d"),
            (2 * Y, "2y"),
            (2 * Y + D, "2y1d"),
            (7 * Y + 364 * D + 23 * H, "7y364d"),
            (8 * Y, "8y"),
            (8 * Y + 200 * D, "8y"),
            (31 * Y, "31y"),
        ];
        for &(ms, want) in table {
            assert_eq!(human_duration(ms), want, "{ms} ms");
        }
    }

    #[test]
    fn age_truncates_the_timestamp_to_its_second() {
        // Written at 10.900 s, stored as 10 s: at 130.000 s the age is 120 s, not 119.1 s.
        assert_eq!(age(130_000, 10_900), "2m");
        assert_eq!(age(129_999, 10_000), "119s");
        // Negative axis values truncate toward the past too.
        assert_eq!(age(0, -1), "1s");
    }

    #[test]
    fn translate_handles_missing_and_micro_times() {
        let now: Timestamp = "2024-05-31T13:30:30Z".parse().unwrap();
        assert_eq!(translate_timestamp_since(now, None), "<unknown>");
        assert_eq!(translate_micro_timestamp_since(now, None), "<unknown>");
        let then: Timestamp = "2024-05-31T13:26:04.988127Z".parse().unwrap();
        assert_eq!(translate_micro_timestamp_since(now, Some(then)), "4m25s");
        assert_eq!(translate_timestamp_since(now, Some(then)), "4m26s");
    }
}
