//! The simulated apiserver: objects, store, admission, selectors, events.

pub mod admission;
pub mod decode;
pub mod error;
pub mod event;
pub mod fields;
pub mod kind;
pub mod patch;
pub mod selector;
pub mod store;
pub mod stored_pod;
pub mod table;
pub mod validation;
pub mod versions;

pub use error::ApiError;
pub use kind::Kind;
pub use store::{ObjKey, Object, Store};
