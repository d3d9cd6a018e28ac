//! The simulated apiserver: objects, store, admission, selectors, events.

pub mod event;
