//! Stable hashing (FNV-1a, 64-bit) for everything that reaches a feature or an artifact.
//!
//! `std`'s `DefaultHasher` is randomly keyed per process (harombe's event-type feature changed
//! from run to run because of exactly this), so vigil never uses it for features.

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// FNV-1a of `bytes`.
///
/// ```
/// assert_eq!(vigil_contracts::hash::fnv1a64(b""), 0xcbf29ce484222325);
/// assert_eq!(vigil_contracts::hash::fnv1a64(b"a"), 0xaf63dc4c8601ec8c);
/// ```
pub const fn fnv1a64(bytes: &[u8]) -> u64 {
    fnv1a64_continue(FNV_OFFSET, bytes)
}

/// Continues an FNV-1a hash from `state`, so multi-part keys hash without concatenating.
pub const fn fnv1a64_continue(mut state: u64, bytes: &[u8]) -> u64 {
    let mut i = 0;
    while i < bytes.len() {
        state ^= bytes[i] as u64;
        state = state.wrapping_mul(FNV_PRIME);
        i += 1;
    }
    state
}

/// FNV-1a seeded with `seed` (mixed into the offset basis), for independent hash families.
pub const fn fnv1a64_seeded(seed: u64, bytes: &[u8]) -> u64 {
    fnv1a64_continue(FNV_OFFSET ^ seed.wrapping_mul(FNV_PRIME), bytes)
}

/// Incremental FNV-1a hasher.
#[derive(Debug, Clone, Copy)]
pub struct Fnv1a64(u64);

impl Default for Fnv1a64 {
    fn default() -> Self {
        Fnv1a64(FNV_OFFSET)
    }
}

impl Fnv1a64 {
    /// A hasher in its initial state.
    pub fn new() -> Self {
        Self::default()
    }
    /// Feeds bytes.
    pub fn write(&mut self, bytes: &[u8]) {
        self.0 = fnv1a64_continue(self.0, bytes);
    }
    /// The hash so far.
    pub fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incremental_equals_one_shot() {
        let mut h = Fnv1a64::new();
        h.write(b"foo");
        h.write(b"bar");
        assert_eq!(h.finish(), fnv1a64(b"foobar"));
        assert_eq!(fnv1a64(b"foobar"), 0x85944171f73967e8);
    }

    #[test]
    fn seeds_give_different_families() {
        assert_ne!(fnv1a64_seeded(1, b"x"), fnv1a64_seeded(2, b"x"));
        assert_eq!(fnv1a64_seeded(7, b"x"), 0xaf679d4c860b30a8);
    }
}
