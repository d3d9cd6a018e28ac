//! One kind's objects: stored in stable slots (so indexes can point at an object without
//! a keyed lookup), with an ordered (namespace, name) index for lists and lookups.

use std::collections::BTreeMap;

use super::store::ObjKey;
use crate::hash::HashMap;

pub struct Table<T> {
    /// Boxed so that growing the slot vector moves pointers, not objects.
    slots: Vec<Option<Box<T>>>,
    /// Per slot, a number that changes on every write to it: lets controllers keep facts
    /// about an object until it changes, without reading it again.
    versions: Vec<u64>,
    writes: u64,
    free: Vec<usize>,
    /// (namespace, name) order, for lists.
    index: BTreeMap<ObjKey, usize>,
    /// The same map hashed, for lookups by key (no string comparisons down a tree).
    lookup: HashMap<ObjKey, usize>,
}

impl<T> Default for Table<T> {
    fn default() -> Self {
        Table {
            slots: Vec::new(),
            versions: Vec::new(),
            writes: 0,
            free: Vec::new(),
            index: BTreeMap::new(),
            lookup: HashMap::default(),
        }
    }
}

impl<T> Table<T> {
    pub fn get(&self, key: &ObjKey) -> Option<&T> {
        self.lookup.get(key).and_then(|&i| self.slots[i].as_deref())
    }

    pub fn contains_key(&self, key: &ObjKey) -> bool {
        self.lookup.contains_key(key)
    }

    /// The slot of an object, stable while the object exists.
    pub fn slot_of(&self, key: &ObjKey) -> Option<usize> {
        self.lookup.get(key).copied()
    }

    pub fn by_slot(&self, slot: usize) -> Option<&T> {
        self.slots.get(slot).and_then(|o| o.as_deref())
    }

    /// The write version of a slot (see `versions`).
    pub fn version(&self, slot: usize) -> u64 {
        self.versions.get(slot).copied().unwrap_or(0)
    }

    /// The object, to be changed in place: counts as a write (its version changes).
    pub fn get_mut(&mut self, key: &ObjKey) -> Option<&mut T> {
        let &i = self.lookup.get(key)?;
        self.writes += 1;
        self.versions[i] = self.writes;
        self.slots[i].as_deref_mut()
    }

    /// The slot the next [`Table::insert`] of a new key takes.
    pub fn vacant_slot(&self) -> usize {
        self.free.last().copied().unwrap_or(self.slots.len())
    }

    /// Inserts or replaces; a replaced object keeps its slot. Returns the slot.
    pub fn insert(&mut self, key: ObjKey, value: T) -> usize {
        let value = Box::new(value);
        self.writes += 1;
        if let Some(&i) = self.lookup.get(&key) {
            self.slots[i] = Some(value);
            self.versions[i] = self.writes;
            return i;
        }
        let i = match self.free.pop() {
            Some(i) => {
                self.slots[i] = Some(value);
                self.versions[i] = self.writes;
                i
            }
            None => {
                self.slots.push(Some(value));
                self.versions.push(self.writes);
                self.slots.len() - 1
            }
        };
        self.lookup.insert(key.clone(), i);
        self.index.insert(key, i);
        i
    }

    /// Takes an object out; its slot stays reserved until [`Table::insert`] refills it
    /// under the same key or [`Table::remove`] frees it.
    pub fn take(&mut self, key: &ObjKey) -> Option<T> {
        let &i = self.lookup.get(key)?;
        self.slots[i].take().map(|b| *b)
    }

    pub fn remove(&mut self, key: &ObjKey) -> Option<T> {
        let i = self.index.remove(key)?;
        self.lookup.remove(key);
        self.free.push(i);
        self.slots[i].take().map(|b| *b)
    }

    pub fn len(&self) -> usize {
        self.index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// Objects in (namespace, name) order.
    pub fn iter(&self) -> impl Iterator<Item = (&ObjKey, &T)> {
        self.index.iter().filter_map(|(k, &i)| self.slots[i].as_deref().map(|v| (k, v)))
    }

    /// Objects of one namespace in name order.
    pub fn in_namespace<'a>(&'a self, ns: &'a str) -> impl Iterator<Item = (&'a ObjKey, &'a T)> + 'a {
        self.index
            .range((ns.to_string(), String::new())..)
            .take_while(move |((n, _), _)| n == ns)
            .filter_map(|(k, &i)| self.slots[i].as_deref().map(|v| (k, v)))
    }
}
