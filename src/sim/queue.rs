//! The clock's event queue and the controllers' work queues.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::hash::Hash;

use crate::hash::HashSet;
use crate::time::Millis;

/// Timed events keyed by (time, sequence number): ties fire in insertion order.
pub struct TimerQueue<E> {
    heap: BinaryHeap<Reverse<(Millis, u64, Slot)>>,
    events: Vec<Option<E>>,
    free: Vec<usize>,
    seq: u64,
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Slot(usize);

impl<E> Default for TimerQueue<E> {
    fn default() -> Self {
        TimerQueue { heap: BinaryHeap::new(), events: Vec::new(), free: Vec::new(), seq: 0 }
    }
}

impl<E> TimerQueue<E> {
    pub fn push(&mut self, at: Millis, event: E) {
        let slot = match self.free.pop() {
            Some(i) => {
                self.events[i] = Some(event);
                i
            }
            None => {
                self.events.push(Some(event));
                self.events.len() - 1
            }
        };
        self.seq += 1;
        self.heap.push(Reverse((at, self.seq, Slot(slot))));
    }

    pub fn next_time(&self) -> Option<Millis> {
        self.heap.peek().map(|Reverse((t, _, _))| *t)
    }

    /// Removes and returns the earliest event if it is due at or before `limit`.
    pub fn pop_due(&mut self, limit: Millis) -> Option<(Millis, E)> {
        let Reverse((t, _, _)) = *self.heap.peek()?;
        if t > limit {
            return None;
        }
        let Reverse((t, _, Slot(i))) = self.heap.pop()?;
        let event = self.events[i].take().expect("live slot");
        self.free.push(i);
        Some((t, event))
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

/// A de-duplicating FIFO of keys, like client-go's workqueue: a key queued twice before
/// it is processed is processed once.
pub struct WorkQueue<K: Hash + Eq + Clone> {
    order: VecDeque<K>,
    queued: HashSet<K>,
}

impl<K: Hash + Eq + Clone> Default for WorkQueue<K> {
    fn default() -> Self {
        WorkQueue { order: VecDeque::new(), queued: HashSet::default() }
    }
}

impl<K: Hash + Eq + Clone> WorkQueue<K> {
    pub fn add(&mut self, key: K) {
        if self.queued.insert(key.clone()) {
            self.order.push_back(key);
        }
    }

    /// Takes everything queued now; keys added while processing go to the next batch.
    pub fn drain(&mut self) -> Vec<K> {
        self.queued.clear();
        self.order.drain(..).collect()
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timers_fire_in_time_then_insertion_order() {
        let mut q = TimerQueue::default();
        q.push(10, "b");
        q.push(5, "a");
        q.push(10, "c");
        assert_eq!(q.pop_due(100), Some((5, "a")));
        assert_eq!(q.pop_due(100), Some((10, "b")));
        assert_eq!(q.pop_due(9), None);
        assert_eq!(q.pop_due(10), Some((10, "c")));
    }

    #[test]
    fn work_queue_dedups() {
        let mut w = WorkQueue::default();
        w.add(1);
        w.add(2);
        w.add(1);
        assert_eq!(w.drain(), vec![1, 2]);
        assert!(w.is_empty());
    }
}
