//! Hash maps and sets with a fixed, fast hasher (foldhash). The simulator's maps are
//! keyed by short strings (names, uids, node names) and never face adversarial input,
//! so SipHash's flooding resistance buys nothing; a fixed seed also makes any iteration
//! order the same on every run.

pub type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::FixedState>;
pub type HashSet<K> = std::collections::HashSet<K, foldhash::fast::FixedState>;
