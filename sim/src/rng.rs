//! A small deterministic generator (SplitMix64). Hand-written on purpose: the simulator promises
//! byte-identical data for a seed, which a third-party RNG may change between versions.

pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    /// A child generator for one named stream, so adding records to one object never reshuffles another.
    pub fn fork(&self, stream: &str) -> Rng {
        let mut h = self.0;
        for b in stream.bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01B3);
        }
        Rng::new(h)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..hi` (hi exclusive); `lo` when the range is empty.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        let span = (hi - lo) as u64;
        lo + (self.next_u64() % span) as i64
    }

    /// Keeps `count` items of `items` chosen at random (a partial Fisher–Yates shuffle).
    pub fn sample<T>(&mut self, mut items: Vec<T>, count: usize) -> Vec<T> {
        let n = count.min(items.len());
        for i in 0..n {
            let j = self.range(i as i64, items.len() as i64) as usize;
            items.swap(i, j);
        }
        items.truncate(n);
        items
    }

    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.range(0, items.len() as i64) as usize]
    }

    /// A Gainsight-shaped id: a 4-character prefix and 32 upper-case alphanumerics.
    pub fn gsid(&mut self, prefix: &str) -> String {
        const ALNUM: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        let mut id = String::with_capacity(36);
        id.push_str(prefix);
        for _ in 0..32 {
            id.push(ALNUM[(self.next_u64() % ALNUM.len() as u64) as usize] as char);
        }
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_sequence_and_forks_are_independent() {
        let (mut a, mut b) = (Rng::new(7), Rng::new(7));
        let xs: Vec<u64> = (0..5).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..5).map(|_| b.next_u64()).collect();
        assert_eq!(xs, ys, "one seed must give one sequence");
        let mut c = Rng::new(7).fork("company");
        let mut d = Rng::new(7).fork("cta");
        assert_ne!(c.next_u64(), d.next_u64(), "named streams must differ");
    }

    #[test]
    fn gsid_has_the_real_shape() {
        let id = Rng::new(1).gsid("1P02");
        assert_eq!(id.len(), 36);
        assert!(id.starts_with("1P02"));
        assert!(id[4..].chars().all(|c| c.is_ascii_digit() || c.is_ascii_uppercase()));
    }
}
