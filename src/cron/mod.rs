//! Cron schedules exactly as Kubernetes reads them: a port of robfig/cron's standard
//! parser (`ParseStandard`) and of its `SpecSchedule.Next` / `ConstantDelaySchedule.Next`.
//!
//! Two releases of the library matter, named by [`Dialect`]:
//! * **v3.0.1** (`github.com/robfig/cron/v3`, vendored by Kubernetes 1.22+): lower-case
//!   error texts, `TZ=`/`CRON_TZ=` prefixes, a `*/N` step with N > 1 is *not* a star
//!   (so day-of-month and day-of-week are ORed), times computed in the schedule's zone.
//! * **v1.1.0** (`github.com/robfig/cron`, vendored up to 1.21): capitalised texts, the
//!   whole spec (not the field list) in the field-count error, no zone prefix, and any
//!   field starting with `*` or `?` counts as a star, `*/2` included.
//!
//! Ported from robfig/cron (MIT licence, Copyright (C) 2012 Rob Figueiredo), files
//! `parser.go`, `spec.go` and `constantdelay.go`; Go's `time.Date` normalisation
//! (month/day overflow, the offset chosen in a DST gap or overlap) is reproduced by
//! [`go_date`], because `Next` depends on it around DST transitions.

mod goduration;
#[cfg(test)]
mod tests;

use jiff::Timestamp;
use jiff::civil::{self, Date};
use jiff::tz::TimeZone;

/// Which robfig/cron release parses the schedule (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    V1,
    V3,
}

/// A parsed schedule.
#[derive(Clone, Debug)]
pub enum Schedule {
    Spec(SpecSchedule),
    /// `@every <duration>`: whole seconds, at least one.
    Every {
        seconds: i64,
    },
}

/// Bit sets of the matching values of each field, bit 63 the "star" bit.
#[derive(Clone, Debug)]
pub struct SpecSchedule {
    pub second: u64,
    pub minute: u64,
    pub hour: u64,
    pub dom: u64,
    pub month: u64,
    pub dow: u64,
    /// `None` is Go's `time.Local`: the zone of the time passed to `next` (the
    /// kube-controller-manager runs in UTC).
    pub location: Option<TimeZone>,
}

const STAR_BIT: u64 = 1 << 63;

struct Bounds {
    min: u32,
    max: u32,
    names: &'static [(&'static str, u32)],
}

const SECONDS: Bounds = Bounds { min: 0, max: 59, names: &[] };
const MINUTES: Bounds = Bounds { min: 0, max: 59, names: &[] };
const HOURS: Bounds = Bounds { min: 0, max: 23, names: &[] };
const DOM: Bounds = Bounds { min: 1, max: 31, names: &[] };
const MONTHS: Bounds = Bounds {
    min: 1,
    max: 12,
    names: &[
        ("jan", 1),
        ("feb", 2),
        ("mar", 3),
        ("apr", 4),
        ("may", 5),
        ("jun", 6),
        ("jul", 7),
        ("aug", 8),
        ("sep", 9),
        ("oct", 10),
        ("nov", 11),
        ("dec", 12),
    ],
};
const DOW: Bounds = Bounds {
    min: 0,
    max: 6,
    names: &[("sun", 0), ("mon", 1), ("tue", 2), ("wed", 3), ("thu", 4), ("fri", 5), ("sat", 6)],
};

/// Error texts differ only in their first letter between the two releases.
fn err(dialect: Dialect, text: String) -> String {
    match dialect {
        Dialect::V3 => text,
        Dialect::V1 => {
            let mut chars = text.chars();
            match chars.next() {
                Some(c) => c.to_uppercase().chain(chars).collect(),
                None => text,
            }
        }
    }
}

/// `cron.ParseStandard(spec)`: five fields (minute hour dom month dow) or a descriptor.
pub fn parse_standard(spec: &str, dialect: Dialect) -> Result<Schedule, String> {
    if spec.is_empty() {
        return Err(err(dialect, "empty spec string".into()));
    }
    let mut spec = spec;
    let mut location = None;
    if dialect == Dialect::V3 && (spec.starts_with("TZ=") || spec.starts_with("CRON_TZ=")) {
        // Go slices spec[eq+1:i] with i = index of the first space; with no space Go
        // panics (slice bounds out of range) — reported here as an error instead.
        let Some(space) = spec.find(' ') else {
            return Err(format!(
                "provided bad location {}: no space after the time zone",
                &spec[spec.find('=').unwrap_or(0) + 1..]
            ));
        };
        let eq = spec.find('=').expect("prefix has '='");
        let name = &spec[eq + 1..space];
        location = Some(load_location(name).map_err(|e| format!("provided bad location {name}: {e}"))?);
        spec = spec[space..].trim();
    }
    if spec.starts_with('@') {
        return parse_descriptor(spec, location, dialect);
    }
    let fields: Vec<&str> = spec.split_whitespace().collect();
    if fields.len() != 5 {
        let shown = match dialect {
            // `%s` of a []string.
            Dialect::V3 => format!("[{}]", fields.join(" ")),
            Dialect::V1 => spec.to_string(),
        };
        return Err(err(dialect, format!("expected exactly 5 fields, found {}: {shown}", fields.len())));
    }
    Ok(Schedule::Spec(SpecSchedule {
        second: 1 << SECONDS.min,
        minute: get_field(fields[0], &MINUTES, dialect)?,
        hour: get_field(fields[1], &HOURS, dialect)?,
        dom: get_field(fields[2], &DOM, dialect)?,
        month: get_field(fields[3], &MONTHS, dialect)?,
        dow: get_field(fields[4], &DOW, dialect)?,
        location,
    }))
}

/// `time.LoadLocation`: `""` and `"UTC"` are UTC; `"Local"` is the process's zone (UTC
/// for the simulated controller manager); anything else from the bundled tz database.
pub fn load_location(name: &str) -> Result<TimeZone, String> {
    match name {
        "" | "UTC" | "Local" => Ok(TimeZone::UTC),
        _ => jiff::tz::db().get(name).map_err(|_| format!("unknown time zone {name}")),
    }
}

/// A comma-separated list of ranges (empty items are skipped, as `strings.FieldsFunc`).
fn get_field(field: &str, r: &Bounds, dialect: Dialect) -> Result<u64, String> {
    let mut bits = 0;
    for expr in field.split(',').filter(|s| !s.is_empty()) {
        bits |= get_range(expr, r, dialect)?;
    }
    Ok(bits)
}

/// `number | number "-" number [ "/" number ]`, or `*`/`?` with an optional step.
fn get_range(expr: &str, r: &Bounds, dialect: Dialect) -> Result<u64, String> {
    let range_and_step: Vec<&str> = expr.split('/').collect();
    let low_and_high: Vec<&str> = range_and_step[0].split('-').collect();
    let single_digit = low_and_high.len() == 1;
    let (start, mut end);
    let mut extra = 0;
    if low_and_high[0] == "*" || low_and_high[0] == "?" {
        start = r.min;
        end = r.max;
        extra = STAR_BIT;
    } else {
        start = parse_int_or_name(low_and_high[0], r, dialect)?;
        match low_and_high.len() {
            1 => end = start,
            2 => end = parse_int_or_name(low_and_high[1], r, dialect)?,
            _ => return Err(err(dialect, format!("too many hyphens: {expr}"))),
        }
    }
    let step = match range_and_step.len() {
        1 => 1,
        2 => {
            let step = must_parse_int(range_and_step[1], dialect)?;
            if single_digit {
                end = r.max;
            }
            // v3 only: a real step makes the field a restriction, not a star.
            if step > 1 && dialect == Dialect::V3 {
                extra = 0;
            }
            step
        }
        _ => return Err(err(dialect, format!("too many slashes: {expr}"))),
    };
    if start < r.min {
        return Err(err(dialect, format!("beginning of range ({start}) below minimum ({}): {expr}", r.min)));
    }
    if end > r.max {
        return Err(err(dialect, format!("end of range ({end}) above maximum ({}): {expr}", r.max)));
    }
    if start > end {
        return Err(err(
            dialect,
            format!("beginning of range ({start}) beyond end of range ({end}): {expr}"),
        ));
    }
    if step == 0 {
        return Err(err(dialect, format!("step of range should be a positive number: {expr}")));
    }
    Ok(get_bits(start, end, step) | extra)
}

fn parse_int_or_name(expr: &str, r: &Bounds, dialect: Dialect) -> Result<u32, String> {
    let lower = expr.to_lowercase();
    if let Some((_, v)) = r.names.iter().find(|(n, _)| *n == lower) {
        return Ok(*v);
    }
    must_parse_int(expr, dialect)
}

/// `strconv.Atoi` plus the non-negative check, with Go's error texts.
fn must_parse_int(expr: &str, dialect: Dialect) -> Result<u32, String> {
    let num = go_atoi(expr).map_err(|e| {
        err(dialect, format!("failed to parse int from {expr}: strconv.Atoi: parsing {expr:?}: {e}"))
    })?;
    if num < 0 {
        return Err(err(dialect, format!("negative number ({num}) not allowed: {expr}")));
    }
    // Values this large always fail the range checks; keep them large but in u32.
    Ok(num.min(u32::MAX as i64) as u32)
}

/// Go's `strconv.Atoi` on a 64-bit platform: optional sign, decimal digits.
fn go_atoi(s: &str) -> Result<i64, &'static str> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err("invalid syntax");
    }
    let n: i128 = digits.bytes().fold(0i128, |acc, b| (acc * 10 + (b - b'0') as i128).min(i128::MAX / 20));
    let n = if s.starts_with('-') { -n } else { n };
    if n > i64::MAX as i128 || n < i64::MIN as i128 {
        return Err("value out of range");
    }
    Ok(n as i64)
}

fn get_bits(min: u32, max: u32, step: u32) -> u64 {
    let mut bits = 0u64;
    let mut i = min;
    while i <= max {
        bits |= 1 << i;
        i += step;
    }
    bits
}

fn all(r: &Bounds) -> u64 {
    get_bits(r.min, r.max, 1) | STAR_BIT
}

fn parse_descriptor(
    descriptor: &str,
    location: Option<TimeZone>,
    dialect: Dialect,
) -> Result<Schedule, String> {
    let first = |r: &Bounds| 1u64 << r.min;
    let spec = |minute, hour, dom, month, dow| {
        Schedule::Spec(SpecSchedule {
            second: first(&SECONDS),
            minute,
            hour,
            dom,
            month,
            dow,
            location: location.clone(),
        })
    };
    match descriptor {
        "@yearly" | "@annually" => {
            return Ok(spec(first(&MINUTES), first(&HOURS), first(&DOM), first(&MONTHS), all(&DOW)));
        }
        "@monthly" => return Ok(spec(first(&MINUTES), first(&HOURS), first(&DOM), all(&MONTHS), all(&DOW))),
        "@weekly" => return Ok(spec(first(&MINUTES), first(&HOURS), all(&DOM), all(&MONTHS), first(&DOW))),
        "@daily" | "@midnight" => {
            return Ok(spec(first(&MINUTES), first(&HOURS), all(&DOM), all(&MONTHS), all(&DOW)));
        }
        "@hourly" => return Ok(spec(first(&MINUTES), all(&HOURS), all(&DOM), all(&MONTHS), all(&DOW))),
        _ => {}
    }
    if let Some(text) = descriptor.strip_prefix("@every ") {
        let nanos = goduration::parse(text)
            .map_err(|e| err(dialect, format!("failed to parse duration {descriptor}: {e}")))?;
        // `Every`: at least one second, rounded down to whole seconds.
        let seconds = nanos.max(1_000_000_000) / 1_000_000_000;
        return Ok(Schedule::Every { seconds });
    }
    Err(err(dialect, format!("unrecognized descriptor: {descriptor}")))
}

impl Schedule {
    /// The first activation strictly after `t`; `None` is Go's zero `time.Time`, which
    /// `SpecSchedule.Next` returns when nothing matches within five years.
    pub fn next(&self, t: Timestamp) -> Option<Timestamp> {
        match self {
            // `t.Add(delay - nanoseconds)`.
            Schedule::Every { seconds } => Some(Timestamp::from_second(floor_second(t) + seconds).ok()?),
            Schedule::Spec(s) => s.next(t),
        }
    }

    /// Whether a time zone prefix was given (`TZ=`/`CRON_TZ=`).
    pub fn location(&self) -> Option<&TimeZone> {
        match self {
            Schedule::Spec(s) => s.location.as_ref(),
            Schedule::Every { .. } => None,
        }
    }
}

fn floor_second(t: Timestamp) -> i64 {
    let s = t.as_second();
    if t.subsec_nanosecond() < 0 { s - 1 } else { s }
}

/// A time in one zone, as a Go `time.Time` with a location (whole seconds only: `Next`
/// drops the fraction first).
#[derive(Clone, Copy)]
struct GoTime {
    unix: i64,
}

struct Fields {
    year: i64,
    month: i64,
    day: i64,
    hour: i64,
    minute: i64,
    second: i64,
    weekday: i64,
}

impl GoTime {
    fn fields(self, loc: &TimeZone) -> Fields {
        let ts = Timestamp::from_second(self.unix).expect("in range");
        let dt = loc.to_datetime(ts);
        Fields {
            year: dt.year() as i64,
            month: dt.month() as i64,
            day: dt.day() as i64,
            hour: dt.hour() as i64,
            minute: dt.minute() as i64,
            second: dt.second() as i64,
            weekday: dt.weekday().to_sunday_zero_offset() as i64,
        }
    }

    fn add_secs(self, s: i64) -> GoTime {
        GoTime { unix: self.unix + s }
    }

    /// `t.AddDate(years, months, days)`: `time.Date` on the shifted local fields.
    fn add_date(self, loc: &TimeZone, months: i64, days: i64) -> GoTime {
        let f = self.fields(loc);
        go_date(loc, f.year, f.month + months, f.day + days, f.hour, f.minute, f.second)
    }

    /// `t.Truncate(d)` for whole-second durations (the offset from Go's zero time is a
    /// multiple of 60 s, so this is the same as on Unix seconds).
    fn truncate(self, secs: i64) -> GoTime {
        GoTime { unix: self.unix - self.unix.rem_euclid(secs) }
    }
}

/// Go's `time.Date(year, month, day, hour, min, sec, 0, loc)`: out-of-range months and
/// days carry over; a local time that does not exist (DST gap) or exists twice (overlap)
/// gets the offset Go's algorithm picks: it looks up the offset in effect at the local
/// time read as UTC, and if the resulting instant is outside that offset's period, the
/// offset in effect at that instant instead.
fn go_date(loc: &TimeZone, year: i64, month: i64, day: i64, hour: i64, min: i64, sec: i64) -> GoTime {
    let m0 = month - 1;
    let year = year + m0.div_euclid(12);
    let month = m0.rem_euclid(12) + 1;
    let first = civil::date(year as i16, month as i8, 1);
    let epoch = Date::constant(1970, 1, 1);
    let days = epoch.until(first).expect("in range").get_days() as i64 + (day - 1);
    let local = days * 86_400 + hour * 3_600 + min * 60 + sec;
    let offset_at =
        |unix: i64| loc.to_offset(Timestamp::from_second(unix).expect("in range")).seconds() as i64;
    let mut offset = offset_at(local);
    let utc = local - offset;
    let at_utc = offset_at(utc);
    if at_utc != offset {
        offset = at_utc;
    }
    GoTime { unix: local - offset }
}

impl SpecSchedule {
    fn matches(bits: u64, value: i64) -> bool {
        (1u64 << value) & bits != 0
    }

    fn day_matches(&self, f: &Fields) -> bool {
        let dom = Self::matches(self.dom, f.day);
        let dow = Self::matches(self.dow, f.weekday);
        if self.dom & STAR_BIT != 0 || self.dow & STAR_BIT != 0 { dom && dow } else { dom || dow }
    }

    /// `SpecSchedule.Next` (v3.0.1).
    pub fn next(&self, t: Timestamp) -> Option<Timestamp> {
        let loc = self.location.clone().unwrap_or(TimeZone::UTC);
        let loc = &loc;
        // Start at the earliest possible time (the upcoming second).
        let mut t = GoTime { unix: floor_second(t) + 1 };
        let mut added = false;
        let year_limit = t.fields(loc).year + 5;
        'wrap: loop {
            if t.fields(loc).year > year_limit {
                return None;
            }
            while !Self::matches(self.month, t.fields(loc).month) {
                if !added {
                    added = true;
                    let f = t.fields(loc);
                    t = go_date(loc, f.year, f.month, 1, 0, 0, 0);
                }
                t = t.add_date(loc, 1, 0);
                if t.fields(loc).month == 1 {
                    continue 'wrap;
                }
            }
            while !self.day_matches(&t.fields(loc)) {
                if !added {
                    added = true;
                    let f = t.fields(loc);
                    t = go_date(loc, f.year, f.month, f.day, 0, 0, 0);
                }
                t = t.add_date(loc, 0, 1);
                // Midnight may not exist after a DST change: get back to 00:00 or on to
                // the next day's.
                let hour = t.fields(loc).hour;
                if hour != 0 {
                    t = if hour > 12 { t.add_secs((24 - hour) * 3_600) } else { t.add_secs(-hour * 3_600) };
                }
                if t.fields(loc).day == 1 {
                    continue 'wrap;
                }
            }
            while !Self::matches(self.hour, t.fields(loc).hour) {
                if !added {
                    added = true;
                    let f = t.fields(loc);
                    t = go_date(loc, f.year, f.month, f.day, f.hour, 0, 0);
                }
                t = t.add_secs(3_600);
                if t.fields(loc).hour == 0 {
                    continue 'wrap;
                }
            }
            while !Self::matches(self.minute, t.fields(loc).minute) {
                if !added {
                    added = true;
                    t = t.truncate(60);
                }
                t = t.add_secs(60);
                if t.fields(loc).minute == 0 {
                    continue 'wrap;
                }
            }
            while !Self::matches(self.second, t.fields(loc).second) {
                if !added {
                    added = true;
                }
                t = t.add_secs(1);
                if t.fields(loc).second == 0 {
                    continue 'wrap;
                }
            }
            return Timestamp::from_second(t.unix).ok();
        }
    }
}
