//! Nearest-rank percentiles, as the benchmarks print them.

/// The smallest sample with at least `p` percent of the samples at or below it. `p` in
/// 1..=100; `None` for no samples.
pub fn percentile(samples: &[u64], p: u32) -> Option<u64> {
    if samples.is_empty() {
        return None;
    }
    let mut sorted = samples.to_vec();
    sorted.sort_unstable();
    let n = sorted.len();
    let rank = (p.clamp(1, 100) as usize * n).div_ceil(100);
    Some(sorted[rank.clamp(1, n) - 1])
}

#[cfg(test)]
mod tests {
    use super::percentile;

    #[test]
    fn nearest_rank_percentiles() {
        let twenty: Vec<u64> = (1..=20).rev().collect();
        assert_eq!(percentile(&twenty, 50), Some(10));
        assert_eq!(percentile(&twenty, 95), Some(19));
        assert_eq!(percentile(&twenty, 100), Some(20));
        assert_eq!(percentile(&twenty, 1), Some(1));
        let five = [500, 100, 400, 200, 300];
        assert_eq!(percentile(&five, 50), Some(300));
        assert_eq!(percentile(&five, 95), Some(500));
        assert_eq!(percentile(&[7], 50), Some(7));
        assert_eq!(percentile(&[7], 95), Some(7));
        assert_eq!(percentile(&[2, 1], 50), Some(1));
        assert_eq!(percentile(&[], 50), None);
    }
}
