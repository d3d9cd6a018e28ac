//! `kubectl get events`: LAST SEEN TYPE REASON OBJECT MESSAGE.

use std::collections::BTreeMap;

use super::{Column, Row, col};
use crate::api::event::EventRecord;
use crate::kubectl::humanize::translate_timestamp_since;
use crate::time::WallClock;

pub const COLUMNS: &[Column] = &[col("LAST SEEN"), col("TYPE"), col("REASON"), col("OBJECT"), col("MESSAGE")];

pub fn print(ev: &EventRecord, clock: &WallClock, now: jiff::Timestamp) -> Row {
    let last = translate_timestamp_since(now, Some(clock.at(ev.last)));
    Row {
        name: ev.name(),
        namespace: ev.involved.namespace.clone(),
        labels: BTreeMap::new(),
        cells: vec![
            ev.type_.as_str().to_string(),
            ev.reason.to_string(),
            format!("{}/{}", ev.involved.kind.to_ascii_lowercase(), ev.involved.name),
            ev.message.trim().to_string(),
        ],
    }
    .with_first(last)
}

impl Row {
    /// Events have no NAME column: their first cell takes the name's place.
    fn with_first(mut self, first: String) -> Row {
        self.name = first;
        self
    }
}
