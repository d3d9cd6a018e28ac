//! The `Events:` table that ends every description (`DescribeEvents`).
//!
//! kubesim keeps events as compact [`EventRecord`]s. kubectl, however, reads core/v1
//! Events, whose fields depend on how the reporter wrote them: the classic recorder sets
//! `firstTimestamp`/`lastTimestamp`/`count`/`source`, the events.k8s.io recorder only
//! `eventTime` (plus a `series` once it repeats) and `reportingController`. So each
//! record is first projected onto the core/v1 fields the real apiserver would serve
//! ([`CoreView`]), and the version's rules are then applied to that view exactly as
//! kubectl applies them.

use jiff::Timestamp;

use super::DescribeEnv;
use super::style::{DescribeStyle, EventAge, EventFrom};
use super::writer::Writer;
use crate::api::event::EventRecord;
use crate::kubectl::humanize::{translate_micro_timestamp_since, translate_timestamp_since};
use crate::time::truncate_to_second;

/// The core/v1 Event fields kubectl's event table reads.
struct CoreView<'a> {
    record: &'a EventRecord,
    first_timestamp: Option<Timestamp>,
    last_timestamp: Option<Timestamp>,
    /// `eventTime` (MicroTime; kubesim keeps milliseconds).
    event_time: Option<Timestamp>,
    /// Classic `count`; 0 for events.k8s.io events, which count in their series.
    count: u32,
    /// `series.count` and `series.lastObservedTime`.
    series: Option<(u32, Timestamp)>,
    /// Whether the event was written through events.k8s.io.
    events_api: bool,
}

impl<'a> CoreView<'a> {
    fn new(record: &'a EventRecord, env: &DescribeEnv, style: &DescribeStyle) -> Self {
        let first = env.clock.at(record.first);
        let last = env.clock.at(record.last);
        if style.events_api_reporters.contains(&record.component) {
            CoreView {
                record,
                first_timestamp: None,
                last_timestamp: None,
                event_time: Some(first),
                count: 0,
                series: (record.count > 1).then_some((record.count, last)),
                events_api: true,
            }
        } else {
            CoreView {
                record,
                first_timestamp: Some(truncate_to_second(first)),
                last_timestamp: Some(truncate_to_second(last)),
                event_time: None,
                count: record.count,
                series: None,
                events_api: false,
            }
        }
    }

    /// The Age cell.
    fn age(&self, now: Timestamp, rule: EventAge) -> String {
        let since = |t| translate_timestamp_since(now, t);
        let micro_since = |t| translate_micro_timestamp_since(now, t);
        let first = match rule {
            EventAge::FirstTimestamp => since(self.first_timestamp),
            EventAge::EventTimeFallback if self.first_timestamp.is_none() => micro_since(self.event_time),
            EventAge::EventTimeFallback => since(self.first_timestamp),
            EventAge::SeriesAware if self.event_time.is_some() => micro_since(self.event_time),
            EventAge::SeriesAware => since(self.first_timestamp),
        };
        match (rule, self.series) {
            (EventAge::SeriesAware, Some((count, last))) => {
                format!("{} (x{count} over {first})", micro_since(Some(last)))
            }
            _ if self.count > 1 => format!("{} (x{} over {first})", since(self.last_timestamp), self.count),
            _ => first,
        }
    }

    /// The From cell. Events written through events.k8s.io show their reporting
    /// controller in every version (old apiservers copied it into `source`), never a
    /// host.
    fn from(&self, rule: EventFrom) -> String {
        let component = self.record.component;
        match (rule, &self.record.host) {
            (EventFrom::ComponentAndHost, Some(host)) if !self.events_api && !host.is_empty() => {
                format!("{component}, {host}")
            }
            _ => component.to_string(),
        }
    }
}

/// Writes the events table, or `Events:\t<none>` (which, having a tab, aligns with the
/// block above it).
pub(crate) fn describe_events(w: &mut Writer, env: &DescribeEnv, events: &[&EventRecord]) {
    if events.is_empty() {
        w.field(0, "Events", "<none>");
        return;
    }
    let style = w.style();
    let mut views: Vec<CoreView> = events.iter().map(|e| CoreView::new(e, env, style)).collect();
    // kubectl sorts by lastTimestamp; events without one (events.k8s.io) come first.
    // Go's sort is not stable, but for the short lists describe shows (≤ 12) it is an
    // insertion sort, which is: ties keep the server's (name = creation) order.
    views.sort_by_key(|v| v.last_timestamp);
    let now = env.clock.at(env.now);
    w.line(0, "Events:");
    w.line(1, "Type\tReason\tAge\tFrom\tMessage");
    w.line(1, "----\t------\t----\t----\t-------");
    for v in &views {
        let e = v.record;
        let row = format!(
            "{}\t{}\t{}\t{}\t{}",
            e.type_.as_str(),
            e.reason,
            v.age(now, style.event_age),
            v.from(style.event_from),
            e.message.trim()
        );
        w.line(1, &row);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::event::{EventType, InvolvedObject};
    use crate::profile::Profile;
    use crate::time::{MINUTE, Millis, SECOND, WallClock};

    fn record(reason: &str, component: &'static str, first: Millis, last: Millis, count: u32) -> EventRecord {
        EventRecord {
            name_suffix: 0,
            involved: std::sync::Arc::new(InvolvedObject {
                kind: "Pod".into(),
                namespace: "default".into(),
                name: "p".into(),
                uid: "u".into(),
                field_path: None,
                api_version: "v1".into(),
            }),
            type_: EventType::Normal,
            reason: reason.into(),
            message: format!(" {reason} happened \n").into(),
            component,
            host: (component == "kubelet").then(|| "node-1".into()),
            first,
            last,
            count,
        }
    }

    fn render(minor: u32, events: &[EventRecord], now: Millis) -> String {
        let profile = Profile::for_minor(minor);
        let style = DescribeStyle::for_profile(&profile);
        let env = DescribeEnv {
            profile: &profile,
            clock: WallClock::new("2024-01-01T00:00:00Z".parse().unwrap()),
            now,
            events: events.iter().collect(),
        };
        let mut w = Writer::new(&style);
        describe_events(&mut w, &env, &env.events);
        w.finish()
    }

    #[test]
    fn empty_list() {
        assert_eq!(render(33, &[], 0), "Events:  <none>\n");
    }

    #[test]
    fn modern_layout_sorts_events_api_first_and_counts_repeats() {
        let events = [
            record("Pulled", "kubelet", 10 * SECOND, 10 * SECOND + 900, 1),
            record("BackOff", "kubelet", 20 * SECOND, 5 * MINUTE, 9),
            record("Scheduled", "default-scheduler", 9 * SECOND + 500, 9 * SECOND + 500, 1),
        ];
        let out = render(33, &events, 5 * MINUTE + 10 * SECOND);
        let row = |a: &str, b: &str, c: &str, d: &str, e: &str| format!("  {a:<8}{b:<11}{c:<21}{d:<19}{e}\n");
        let expected = [
            "Events:\n".to_string(),
            row("Type", "Reason", "Age", "From", "Message"),
            row("----", "------", "----", "----", "-------"),
            row("Normal", "Scheduled", "5m", "default-scheduler", "Scheduled happened"),
            row("Normal", "Pulled", "5m", "kubelet", "Pulled happened"),
            row("Normal", "BackOff", "10s (x9 over 4m50s)", "kubelet", "BackOff happened"),
        ]
        .concat();
        assert_eq!(out, expected);
    }

    #[test]
    fn old_layout_shows_host_and_unknown_scheduler_age() {
        let events = [
            record("Scheduled", "default-scheduler", 0, 0, 1),
            record("Pulled", "kubelet", 2 * SECOND, 2 * SECOND, 1),
        ];
        let out = render(17, &events, MINUTE);
        assert_eq!(
            out,
            "Events:\n  Type    Reason     Age        From               Message\n  \
             ----    ------     ----       ----               -------\n  \
             Normal  Scheduled  <unknown>  default-scheduler  Scheduled happened\n  \
             Normal  Pulled     58s        kubelet, node-1    Pulled happened\n"
        );
    }

    #[test]
    fn repeated_events_api_event_is_a_series() {
        let events = [record("FailedScheduling", "default-scheduler", 0, 9 * MINUTE, 4)];
        let out = render(33, &events, 10 * MINUTE);
        assert!(out.contains("60s (x4 over 10m)"), "{out}");
        // 1.17 knew nothing of series: count is 0 and firstTimestamp is missing.
        let out = render(17, &events, 10 * MINUTE);
        assert!(out.contains("  <unknown>  "), "{out}");
    }
}
