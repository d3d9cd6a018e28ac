//! The schedule table: expressions and their next activation after a base time, as
//! robfig/cron computes them. Rows marked "oracle" are the results of the real robfig/cron
//! v3.0.1 recorded in `shared/reference/rust-deps.md` §5; the others were derived by
//! stepping through the Go algorithm by hand (the tricky ones are explained).

use super::*;

/// Tuesday 2022-11-15 03:08:29 UTC (the oracle's base).
const BASE: &str = "2022-11-15T03:08:29Z";

fn next(expr: &str, base: &str, dialect: Dialect) -> Result<Option<String>, String> {
    let schedule = parse_standard(expr, dialect)?;
    let base: Timestamp = base.parse().unwrap();
    Ok(schedule.next(base).map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()))
}

/// (expression, expected next after BASE in UTC, or "none" for Go's zero time).
const NEXT_V3: &[(&str, &str)] = &[
    ("*/1 * * * *", "2022-11-15T03:09:00Z"),     // oracle
    ("0-59 * * * *", "2022-11-15T03:09:00Z"),    // oracle
    ("@hourly", "2022-11-15T04:00:00Z"),         // oracle
    ("@daily", "2022-11-16T00:00:00Z"),          // oracle
    ("@midnight", "2022-11-16T00:00:00Z"),       // oracle
    ("@weekly", "2022-11-20T00:00:00Z"),         // oracle: Sunday 00:00
    ("@monthly", "2022-12-01T00:00:00Z"),        // oracle
    ("@yearly", "2023-01-01T00:00:00Z"),         // oracle
    ("@annually", "2023-01-01T00:00:00Z"),       // oracle
    ("@every 1h30m", "2022-11-15T04:38:29Z"),    // oracle: base + delay, not aligned
    ("0 9 * * MON-FRI", "2022-11-15T09:00:00Z"), // oracle
    ("0 9 * * mon-fri", "2022-11-15T09:00:00Z"), // oracle: names are case-insensitive
    ("0 0 1 JAN *", "2023-01-01T00:00:00Z"),     // oracle
    // oracle: dom and dow both restricted → OR: Friday the 18th comes before a 13th.
    ("0 0 13 * FRI", "2022-11-18T00:00:00Z"),
    // oracle: 1-31 is not a star, so OR with Monday: any day matches.
    ("0 0 1-31 * MON", "2022-11-16T00:00:00Z"),
    // oracle: */2 (step > 1) is not a star in v3: odd days OR Mondays → the 17th.
    ("0 0 */2 * MON", "2022-11-17T00:00:00Z"),
    // oracle: */1 keeps the star bit → AND → the next Monday.
    ("0 0 */1 * MON", "2022-11-21T00:00:00Z"),
    ("*/1 * * * MON", "2022-11-21T00:00:00Z"), // oracle
    ("0 0 ? * *", "2022-11-16T00:00:00Z"),     // oracle: ? is a star
    ("5/15 * * * *", "2022-11-15T03:20:00Z"),  // oracle: N/step = N-max/step
    ("0 0 * * SUN", "2022-11-20T00:00:00Z"),   // oracle
    ("0 0 30 2 *", "none"),                    // oracle: never → zero time
    ("0 0 29 2 *", "2024-02-29T00:00:00Z"),    // oracle: next leap day
    ("TZ=America/New_York 0 9 * * *", "2022-11-15T14:00:00Z"), // oracle: EST = UTC−5
    ("CRON_TZ=Asia/Tokyo 0 9 * * *", "2022-11-16T00:00:00Z"), // oracle: 12:08 JST already
    ("0 0 31 * *", "2022-12-31T00:00:00Z"),    // November has no 31st
    ("0 12 * * 1-5", "2022-11-15T12:00:00Z"),
    ("15,45 * * * *", "2022-11-15T03:15:00Z"),
    ("0 */6 * * *", "2022-11-15T06:00:00Z"),
    ("0 0 1 */3 *", "2023-01-01T00:00:00Z"), // months 1,4,7,10
    ("0 0 * * SAT,sun", "2022-11-19T00:00:00Z"),
    ("0 22 * * 0", "2022-11-20T22:00:00Z"),
    ("59 23 31 12 *", "2022-12-31T23:59:00Z"),
    // Only February; the 29th OR any Monday: Monday 2023-02-06 (2023 is not a leap year).
    ("0 0 29 2 1", "2023-02-06T00:00:00Z"),
    ("@every 90s", "2022-11-15T03:09:59Z"),
    ("@every 500ms", "2022-11-15T03:08:30Z"), // raised to the one-second minimum
    ("*/15 9-17 * * *", "2022-11-15T09:00:00Z"),
    ("0 0 1,15 * *", "2022-12-01T00:00:00Z"),
    ("10-20/5 * * * *", "2022-11-15T03:10:00Z"),
    ("0 0 * JUN-AUG *", "2023-06-01T00:00:00Z"),
    ("* * * * *", "2022-11-15T03:09:00Z"),
    ("1,,2 * * * *", "2022-11-15T04:01:00Z"), // empty list items are skipped
    ("*-5 * * * *", "2022-11-15T03:09:00Z"),  // after '*' the rest of a range is ignored
    ("TZ= 0 * * * *", "2022-11-15T04:00:00Z"), // LoadLocation("") is UTC
];

#[test]
fn next_times_v3() {
    assert!(NEXT_V3.len() >= 40);
    for (expr, want) in NEXT_V3 {
        let got = next(expr, BASE, Dialect::V3).unwrap_or_else(|e| panic!("{expr}: {e}"));
        let got = got.unwrap_or_else(|| "none".into());
        assert_eq!(&got, want, "{expr}");
    }
}

/// DST in America/New_York (oracle rows of the reference).
#[test]
fn daylight_saving() {
    // Spring forward: 02:30 does not exist on 2024-03-10, robfig skips to the next day.
    let got = next("TZ=America/New_York 30 2 * * *", "2024-03-10T05:00:00Z", Dialect::V3).unwrap();
    assert_eq!(got.as_deref(), Some("2024-03-11T06:30:00Z"));
    // Fall back: at 01:45 EDT the repeated 01:30 EST still comes the same day.
    let got = next("TZ=America/New_York 30 1 * * *", "2024-11-03T05:45:00Z", Dialect::V3).unwrap();
    assert_eq!(got.as_deref(), Some("2024-11-03T06:30:00Z"));
    // Hourly across the gap: 01:00 EST is followed by 03:00 EDT (one hour later).
    let got = next("TZ=America/New_York 0 * * * *", "2024-03-10T06:30:00Z", Dialect::V3).unwrap();
    assert_eq!(got.as_deref(), Some("2024-03-10T07:00:00Z"));
}

#[test]
fn go_date_normalises_like_go() {
    let ny = load_location("America/New_York").unwrap();
    // 02:30 on the spring-forward day: Go picks the EDT offset → 01:30 EST = 06:30Z.
    let t = go_date(&ny, 2024, 3, 10, 2, 30, 0);
    assert_eq!(Timestamp::from_second(t.unix).unwrap().to_string(), "2024-03-10T06:30:00Z");
    // 01:30 on the fall-back day: the first (EDT) one.
    let t = go_date(&ny, 2024, 11, 3, 1, 30, 0);
    assert_eq!(Timestamp::from_second(t.unix).unwrap().to_string(), "2024-11-03T05:30:00Z");
    // Overflowing months and days carry over.
    let t = go_date(&TimeZone::UTC, 2022, 13, 32, 0, 0, 0);
    assert_eq!(Timestamp::from_second(t.unix).unwrap().to_string(), "2023-02-01T00:00:00Z");
}

#[test]
fn parse_errors_v3() {
    let cases: &[(&str, &str)] = &[
        ("0 0 * * 7", "end of range (7) above maximum (6): 7"), // oracle
        ("0 0 L * *", "failed to parse int from L: strconv.Atoi: parsing \"L\": invalid syntax"), // oracle
        ("0 0 * * 1#2", "failed to parse int from 1#2: strconv.Atoi: parsing \"1#2\": invalid syntax"), // oracle
        ("0 0 0 * * *", "expected exactly 5 fields, found 6: [0 0 0 * * *]"), // oracle (prefix)
        ("60 * * * *", "end of range (60) above maximum (59): 60"),           // oracle
        ("*/0 * * * *", "step of range should be a positive number: */0"),    // oracle
        ("", "empty spec string"),
        ("hello", "expected exactly 5 fields, found 1: [hello]"),
        ("@every 1d", "failed to parse duration @every 1d: time: unknown unit \"d\" in duration \"1d\""),
        ("@every", "unrecognized descriptor: @every"),
        ("@every x", "failed to parse duration @every x: time: invalid duration \"x\""),
        ("@fortnightly", "unrecognized descriptor: @fortnightly"),
        ("TZ=Mars/Olympus * * * * *", "provided bad location Mars/Olympus: unknown time zone Mars/Olympus"),
        ("1-2-3 * * * *", "too many hyphens: 1-2-3"),
        ("*/2/3 * * * *", "too many slashes: */2/3"),
        ("0 0 0 * *", "beginning of range (0) below minimum (1): 0"),
        ("5-1 * * * *", "beginning of range (5) beyond end of range (1): 5-1"),
        ("-1 * * * *", "failed to parse int from : strconv.Atoi: parsing \"\": invalid syntax"),
        ("0 0 1 13 *", "end of range (13) above maximum (12): 13"),
        ("0 24 * * *", "end of range (24) above maximum (23): 24"),
    ];
    for (expr, want) in cases {
        let got = parse_standard(expr, Dialect::V3).err();
        assert_eq!(got.as_deref(), Some(*want), "{expr}");
    }
}

#[test]
fn robfig_v1_differences() {
    // v1.1.0 keeps the star bit on */2, so day-of-month and day-of-week are ANDed:
    // an odd day that is a Monday.
    assert_eq!(next("0 0 */2 * MON", BASE, Dialect::V1).unwrap().as_deref(), Some("2022-11-21T00:00:00Z"));
    assert_eq!(next("*/1 * * * *", BASE, Dialect::V1).unwrap().as_deref(), Some("2022-11-15T03:09:00Z"));
    assert_eq!(
        parse_standard("0 0 0 * * *", Dialect::V1).err().as_deref(),
        Some("Expected exactly 5 fields, found 6: 0 0 0 * * *")
    );
    assert_eq!(
        parse_standard("0 0 * * 7", Dialect::V1).err().as_deref(),
        Some("End of range (7) above maximum (6): 7")
    );
    // No zone prefix in v1: the prefix is just a sixth field.
    assert_eq!(
        parse_standard("TZ=UTC 0 * * * *", Dialect::V1).err().as_deref(),
        Some("Expected exactly 5 fields, found 6: TZ=UTC 0 * * * *")
    );
}
