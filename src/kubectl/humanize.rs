//! HumanDuration and translateTimestampSince. (Placeholder until the full port lands.)

use jiff::Timestamp;

pub fn human_duration(ms: i64) -> String {
    let s = ms / 1000;
    if s < -1 {
        return "<invalid>".into();
    }
    if s < 0 {
        return "0s".into();
    }
    if s < 120 {
        return format!("{s}s");
    }
    let m = s / 60;
    if m < 10 {
        return if s % 60 == 0 { format!("{m}m") } else { format!("{m}m{}s", s % 60) };
    }
    if m < 180 {
        return format!("{m}m");
    }
    let h = m / 60;
    if h < 8 {
        return if m % 60 == 0 { format!("{h}h") } else { format!("{h}h{}m", m % 60) };
    }
    if h < 48 {
        return format!("{h}h");
    }
    if h < 192 {
        return if h % 24 == 0 { format!("{}d", h / 24) } else { format!("{}d{}h", h / 24, h % 24) };
    }
    if h < 17520 {
        return format!("{}d", h / 24);
    }
    let y = h / 24 / 365;
    let d = (h / 24) % 365;
    if h < 70080 && d != 0 { format!("{y}y{d}d") } else { format!("{y}y") }
}

pub fn translate_timestamp_since(now: Timestamp, then: Option<Timestamp>) -> String {
    match then {
        Some(then) => human_duration(now.as_millisecond() - then.as_second() * 1000),
        None => "<unknown>".into(),
    }
}
