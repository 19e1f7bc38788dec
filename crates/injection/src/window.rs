//! The n-gram part of every window of a segmented text — each segment, each pair of neighbouring
//! segments, the whole text — from one pass over each segment's counts.
//!
//! A window's text block is an L2-normalized tf-idf vector dotted with the margin weights, so all
//! it needs are two sums per block (characters, words): `dot = Σ tf(c)·w·idf` and
//! `norm² = Σ tf(c)²·idf²` over its buckets' counts `c`. Those sums are additive across segments
//! except where two segments share a bucket (`tf` is sublinear). So, instead of adding count
//! lists together and weighing the total again:
//! - a pair's sums are its two segments' sums plus a correction over the buckets both hold,
//!   found through a dense array tagged with the segment that wrote each entry (never cleared:
//!   an entry of another segment reads as absent);
//! - the whole text's counts are added up in a dense array and weighed once, at the end, over
//!   the buckets they touched.
//!
//! Every distinct bucket of a segment costs one visit to three arrays; nothing is sorted or
//! merged.

use vigil_features::text::{NgramCounts, sublinear_tf};

/// `sublinear_tf` of small counts, with `tf(0) = 0` (an absent bucket).
const TF_TABLE_LEN: usize = 256;

/// Per-bucket margin weights and the tf table: what weighing counts needs.
#[derive(Debug, Clone)]
pub(crate) struct BucketWeights {
    /// Per text bucket: `[idf², margin weight × idf]`, side by side so a bucket costs one
    /// memory access.
    buckets: Vec<[f32; 2]>,
    /// Buckets below this are the character block's, the rest the word block's.
    char_buckets: usize,
    tf: [f32; TF_TABLE_LEN],
}

impl BucketWeights {
    /// Weights from per-bucket idf and margin (`injection − benign`) weights; buckets from
    /// `char_buckets` on are the word block's.
    pub(crate) fn new(idf: &[f32], margin: &[f32], char_buckets: usize) -> Self {
        BucketWeights {
            buckets: idf
                .iter()
                .zip(margin)
                .map(|(&i, &w)| [i * i, w * i])
                .collect(),
            char_buckets,
            tf: std::array::from_fn(|c| if c == 0 { 0.0 } else { sublinear_tf(c as u32) }),
        }
    }

    /// Number of buckets.
    pub(crate) fn len(&self) -> usize {
        self.buckets.len()
    }

    #[inline]
    fn tf(&self, count: u32) -> f32 {
        match self.tf.get(count as usize) {
            Some(&t) => t,
            None => sublinear_tf(count),
        }
    }

    #[inline]
    fn bucket(&self, bucket: u32) -> [f32; 2] {
        self.buckets
            .get(bucket as usize)
            .copied()
            .unwrap_or([0.0, 0.0])
    }

    /// The sums of one window given by its counts.
    pub(crate) fn stats(&self, counts: &NgramCounts) -> BlockStats {
        let mut s = BlockStats::default();
        for (block, list) in [counts.chars(), counts.words()].into_iter().enumerate() {
            for &(bucket, count) in list {
                let t = self.tf(count);
                let [idf2, w_idf] = self.bucket(bucket);
                s.norm2[block] += t * t * idf2;
                s.dot[block] += t * w_idf;
            }
        }
        s
    }
}

/// A window's text sums, per block (characters, words).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct BlockStats {
    dot: [f32; 2],
    norm2: [f32; 2],
}

impl BlockStats {
    /// The text part of the window's margin: each block's normalized dot product, summed.
    pub(crate) fn margin(&self) -> f32 {
        (0..2)
            .map(|b| {
                if self.norm2[b] > 0.0 {
                    self.dot[b] / self.norm2[b].sqrt()
                } else {
                    0.0
                }
            })
            .sum()
    }
}

impl std::ops::Add for BlockStats {
    type Output = BlockStats;

    fn add(self, o: BlockStats) -> BlockStats {
        BlockStats {
            dot: [self.dot[0] + o.dot[0], self.dot[1] + o.dot[1]],
            norm2: [self.norm2[0] + o.norm2[0], self.norm2[1] + o.norm2[1]],
        }
    }
}

/// What one segment adds: its own sums, and the pair correction against the segment before it.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct SegmentStats {
    /// The segment alone.
    pub(crate) alone: BlockStats,
    /// Added to both segments' sums, the sums of the pair (previous, this).
    pub(crate) pair_correction: BlockStats,
}

/// Reusable dense arrays for the windows of one text at a time.
#[derive(Debug, Default, Clone)]
pub struct WindowScratch {
    /// Per bucket: the count the segment `tag` had there.
    tagged: Vec<(u32, u32)>,
    /// Tag of the segment being added; the previous segment's is one less.
    tag: u32,
    /// Per bucket: the whole text's count so far (0 outside a whole-text run).
    whole: Vec<u32>,
    /// Buckets of `whole` that are not zero.
    whole_touched: Vec<u32>,
}

impl WindowScratch {
    /// Starts a new text over `dim` buckets (no segment before the next one).
    pub(crate) fn start(&mut self, dim: usize) {
        if self.tagged.len() != dim {
            self.tagged = vec![(0, 0); dim];
            self.whole = vec![0; dim];
            self.tag = 0;
        }
        self.clear_whole();
        // A gap of one tag: the last segment of the previous text is not this text's neighbour.
        if self.tag >= u32::MAX - 2 {
            self.tagged.fill((0, 0));
            self.tag = 0;
        }
        self.tag += 1;
    }

    /// Adds the next segment's `counts`: its sums and its pair correction; with `whole`, also
    /// into the whole text's running sums.
    pub(crate) fn add_segment(
        &mut self,
        weights: &BucketWeights,
        counts: &NgramCounts,
        whole: bool,
    ) -> SegmentStats {
        self.tag += 1;
        let (tag, previous) = (self.tag, self.tag - 1);
        let mut out = SegmentStats::default();
        for (block, list) in [counts.chars(), counts.words()].into_iter().enumerate() {
            for &(bucket, count) in list {
                let b = bucket as usize;
                let [idf2, w_idf] = weights.bucket(bucket);
                let t = weights.tf(count);
                out.alone.norm2[block] += t * t * idf2;
                out.alone.dot[block] += t * w_idf;
                let Some(slot) = self.tagged.get_mut(b) else {
                    continue;
                };
                if slot.1 == previous {
                    let p = slot.0;
                    let (tp, tpc) = (weights.tf(p), weights.tf(p + count));
                    out.pair_correction.dot[block] += (tpc - tp - t) * w_idf;
                    out.pair_correction.norm2[block] += (tpc * tpc - tp * tp - t * t) * idf2;
                }
                *slot = (count, tag);
                if whole {
                    let total = &mut self.whole[b];
                    if *total == 0 {
                        self.whole_touched.push(bucket);
                    }
                    *total += count;
                }
            }
        }
        out
    }

    /// The whole text's sums (of the segments added with `whole`), emptying its counts.
    pub(crate) fn take_whole_stats(&mut self, weights: &BucketWeights) -> BlockStats {
        let mut s = BlockStats::default();
        for &bucket in &self.whole_touched {
            let count = std::mem::take(&mut self.whole[bucket as usize]);
            let block = usize::from(bucket as usize >= weights.char_buckets);
            let t = weights.tf(count);
            let [idf2, w_idf] = weights.bucket(bucket);
            s.norm2[block] += t * t * idf2;
            s.dot[block] += t * w_idf;
        }
        self.whole_touched.clear();
        s
    }

    /// Empties the whole-text counts (only the buckets touched).
    fn clear_whole(&mut self) {
        for &b in &self.whole_touched {
            self.whole[b as usize] = 0;
        }
        self.whole_touched.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vigil_features::text::{NgramAccumulator, TextFeaturizer, TextParams, TextScratch};

    fn close(a: BlockStats, b: BlockStats) -> bool {
        (0..2).all(|k| {
            (a.dot[k] - b.dot[k]).abs() <= 1e-3 * (1.0 + b.dot[k].abs())
                && (a.norm2[k] - b.norm2[k]).abs() <= 1e-3 * (1.0 + b.norm2[k].abs())
        })
    }

    #[test]
    fn running_sums_equal_the_sums_of_merged_counts() {
        let params = TextParams {
            char_buckets: 1 << 10,
            word_buckets: 1 << 8,
            ..TextParams::default()
        };
        let f = TextFeaturizer::fit(params, ["fit text", "more text to fit"]).unwrap();
        let dim = f.dim();
        // Margin weights of both signs, so cancellations are exercised.
        let margin: Vec<f32> = (0..dim).map(|i| ((i % 7) as f32 - 3.0) * 0.1).collect();
        let w = BucketWeights::new(f.idf(), &margin, f.params().char_buckets as usize);
        let segments = [
            "send the report to the team",
            "the team sends the report back",
            "aaaa aaaa aaaa aaaa aaaa aaaa aaaa aaaa aaaa aaaa aaaa aaaa aaaa aaaa aaaa aaaa aaaa",
            "unrelated words here",
        ];
        let mut ts = TextScratch::default();
        let mut counts: Vec<NgramCounts> = Vec::new();
        for s in segments {
            let mut c = NgramCounts::default();
            f.count_into(s, &mut ts, &mut c);
            counts.push(c);
        }
        let mut scratch = WindowScratch::default();
        for round in 0..2 {
            scratch.start(dim);
            let mut whole = NgramAccumulator::default();
            let mut previous: Option<BlockStats> = None;
            for (i, c) in counts.iter().enumerate() {
                let s = scratch.add_segment(&w, c, true);
                assert!(close(s.alone, w.stats(c)), "round {round} segment {i}");
                if let Some(p) = previous {
                    let mut pair = NgramAccumulator::default();
                    pair.add(&counts[i - 1]);
                    pair.add(c);
                    let mut merged = NgramCounts::default();
                    pair.drain_into(&mut merged);
                    let expected = w.stats(&merged);
                    assert!(
                        close(p + s.alone + s.pair_correction, expected),
                        "round {round} pair {i}"
                    );
                } else {
                    // The first segment of a text has no neighbour, even after another text.
                    assert_eq!(s.pair_correction, BlockStats::default());
                }
                previous = Some(s.alone);
                whole.add(c);
            }
            let mut merged = NgramCounts::default();
            whole.drain_into(&mut merged);
            assert!(
                close(scratch.take_whole_stats(&w), w.stats(&merged)),
                "round {round}"
            );
        }
    }
}
