//! The one seeded random number generator of a simulation.
//!
//! A project-owned SplitMix64, frozen forever, so that generated names never change when a
//! dependency is upgraded (crate RNGs have changed their output between versions).

/// Kubernetes' alphabet for random suffixes: no vowels, no 0/1/3
/// (`apimachinery/pkg/util/rand/rand.go`, `alphanums`).
pub const ALPHANUMS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

#[derive(Clone, Debug)]
pub struct Rng {
    state: u64,
}

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng { state: seed }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform number below `n` (rejection sampling, no modulo bias).
    pub fn below(&mut self, n: u64) -> u64 {
        assert!(n > 0);
        let zone = u64::MAX - (u64::MAX % n);
        loop {
            let v = self.next_u64();
            if v < zone {
                return v % n;
            }
        }
    }

    /// Five characters from Kubernetes' alphabet, as `generateName` appends.
    pub fn name_suffix(&mut self) -> String {
        (0..5).map(|_| ALPHANUMS[self.below(ALPHANUMS.len() as u64) as usize] as char).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_suffixes() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        let x: Vec<String> = (0..3).map(|_| a.name_suffix()).collect();
        let y: Vec<String> = (0..3).map(|_| b.name_suffix()).collect();
        assert_eq!(x, y);
        assert!(x.iter().all(|s| s.len() == 5 && s.bytes().all(|c| ALPHANUMS.contains(&c))));
    }
}
