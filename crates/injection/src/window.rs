//! The n-gram part of every window of a segmented text — each segment, each pair of neighbouring
//! segments, the whole text — from one pass over each segment's n-grams.
//!
//! A window's text block is an L2-normalized tf-idf vector dotted with the margin weights, so all
//! it needs are two sums per block (characters, words): `dot = Σ tf(c)·w·idf` and
//! `norm² = Σ tf(c)²·idf²` over its buckets' counts `c`. Those sums are additive across segments
//! except where two segments share a bucket (`tf` is sublinear). So, instead of adding count
//! lists together and weighing the total again:
//! - a pair's sums are its two segments' sums plus a correction over the buckets both hold,
//!   found through the count each bucket last had, tagged with the segment that wrote it (never
//!   cleared: an entry of another segment reads as absent);
//! - the whole text's counts are added up per bucket and weighed once, at the end, over the
//!   buckets they touched.
//!
//! Everything a bucket needs — its two weights, the current segment's count, the previous
//! segment's, the whole text's — sits side by side in one [`Slot`], so a bucket costs one
//! cache line however many windows it is in: the table of 49,152 buckets does not fit the
//! level-1 cache, and three separate arrays made every bucket wait three times.

#[cfg(test)]
use vigil_features::text::NgramCounts;
use vigil_features::text::{NgramWalk, TextFeaturizer, sublinear_tf};

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
    /// A hash of the weights: a [`WindowScratch`] holding a copy of other weights recopies.
    id: u64,
}

impl BucketWeights {
    /// Weights from per-bucket idf and margin (`injection − benign`) weights; buckets from
    /// `char_buckets` on are the word block's.
    pub(crate) fn new(idf: &[f32], margin: &[f32], char_buckets: usize) -> Self {
        let buckets: Vec<[f32; 2]> = idf
            .iter()
            .zip(margin)
            .map(|(&i, &w)| [i * i, w * i])
            .collect();
        // Not a defence against anyone (whoever chooses the model chooses the weights), only
        // a fingerprint telling two models apart.
        let id = buckets
            .iter()
            .flatten()
            .fold(0xcbf2_9ce4_8422_2325u64 ^ char_buckets as u64, |h, w| {
                (h ^ u64::from(w.to_bits())).wrapping_mul(0x0000_0100_0000_01b3)
            })
            .max(1);
        BucketWeights {
            buckets,
            char_buckets,
            tf: std::array::from_fn(|c| if c == 0 { 0.0 } else { sublinear_tf(c as u32) }),
            id,
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

    #[cfg(test)]
    fn bucket(&self, bucket: u32) -> [f32; 2] {
        self.buckets
            .get(bucket as usize)
            .copied()
            .unwrap_or([0.0, 0.0])
    }

    /// The sums of one window given by its counts.
    #[cfg(test)]
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

/// What the windows need of one bucket, side by side.
#[derive(Debug, Clone, Copy, Default)]
struct Slot {
    /// `idf²` and margin weight × idf (a copy of the model's [`BucketWeights`]).
    idf2: f32,
    w_idf: f32,
    /// The count in the segment being counted (0 between segments).
    count: u32,
    /// The count the segment `tag` had.
    tagged_count: u32,
    tag: u32,
    /// The whole text's count so far (0 outside a whole-text run).
    whole: u32,
}

/// Reusable per-bucket table for the windows of one text at a time.
#[derive(Debug, Default, Clone)]
pub struct WindowScratch {
    slots: Vec<Slot>,
    /// The id of the weights copied into `slots` (0: none).
    weights_id: u64,
    /// Tag of the segment being added; the previous segment's is one less.
    tag: u32,
    walk: NgramWalk,
    /// Buckets of the segment being counted, per block, in the order first seen.
    touched: [Vec<u32>; 2],
    /// Buckets whose whole-text count is not zero.
    whole_touched: Vec<u32>,
}

impl WindowScratch {
    /// Makes `slots` hold `weights` (recopied only when the weights differ from the last ones).
    fn bind(&mut self, weights: &BucketWeights) {
        if self.weights_id == weights.id && self.slots.len() == weights.len() {
            return;
        }
        self.slots = weights
            .buckets
            .iter()
            .map(|&[idf2, w_idf]| Slot {
                idf2,
                w_idf,
                ..Slot::default()
            })
            .collect();
        self.weights_id = weights.id;
        self.tag = 0;
        self.whole_touched.clear();
    }

    /// Starts a new text (no segment before the next one).
    pub(crate) fn start(&mut self, weights: &BucketWeights) {
        self.bind(weights);
        self.clear_whole();
        // A gap of one tag: the last segment of the previous text is not this text's neighbour.
        if self.tag >= u32::MAX - 2 {
            for slot in &mut self.slots {
                slot.tag = 0;
            }
            self.tag = 0;
        }
        self.tag += 1;
    }

    /// Counts the n-grams of `text` into the slots' `count` (the buckets in `touched`).
    fn count(&mut self, featurizer: &TextFeaturizer, text: &str) {
        let WindowScratch {
            slots,
            walk,
            touched,
            ..
        } = self;
        touched[0].clear();
        touched[1].clear();
        featurizer.for_each_ngram(text, walk, |bucket, word| {
            if let Some(slot) = slots.get_mut(bucket as usize) {
                if slot.count == 0 {
                    touched[usize::from(word)].push(bucket);
                }
                slot.count += 1;
            }
        });
    }

    /// The sums of `text` taken as one window on its own (no pair or whole-text bookkeeping).
    pub(crate) fn single(
        &mut self,
        featurizer: &TextFeaturizer,
        weights: &BucketWeights,
        text: &str,
    ) -> BlockStats {
        self.bind(weights);
        self.count(featurizer, text);
        let mut s = BlockStats::default();
        for (block, list) in self.touched.iter().enumerate() {
            for &bucket in list {
                let slot = &mut self.slots[bucket as usize];
                let t = weights.tf(std::mem::take(&mut slot.count));
                s.norm2[block] += t * t * slot.idf2;
                s.dot[block] += t * slot.w_idf;
            }
        }
        s
    }

    /// Adds the next segment, `text` (its detection copy): its sums and its pair correction;
    /// with `whole`, also its counts into the whole text's.
    pub(crate) fn add_segment(
        &mut self,
        featurizer: &TextFeaturizer,
        weights: &BucketWeights,
        text: &str,
        whole: bool,
    ) -> SegmentStats {
        self.count(featurizer, text);
        self.tag += 1;
        let (tag, previous) = (self.tag, self.tag - 1);
        let mut out = SegmentStats::default();
        for (block, list) in self.touched.iter().enumerate() {
            for &bucket in list {
                let slot = &mut self.slots[bucket as usize];
                let count = std::mem::take(&mut slot.count);
                let t = weights.tf(count);
                let (idf2, w_idf) = (slot.idf2, slot.w_idf);
                out.alone.norm2[block] += t * t * idf2;
                out.alone.dot[block] += t * w_idf;
                if slot.tag == previous {
                    let p = slot.tagged_count;
                    let (tp, tpc) = (weights.tf(p), weights.tf(p + count));
                    out.pair_correction.dot[block] += (tpc - tp - t) * w_idf;
                    out.pair_correction.norm2[block] += (tpc * tpc - tp * tp - t * t) * idf2;
                }
                slot.tagged_count = count;
                slot.tag = tag;
                if whole {
                    if slot.whole == 0 {
                        self.whole_touched.push(bucket);
                    }
                    slot.whole += count;
                }
            }
        }
        out
    }

    /// The whole text's sums (of the segments added with `whole`), emptying its counts.
    pub(crate) fn take_whole_stats(&mut self, weights: &BucketWeights) -> BlockStats {
        let mut s = BlockStats::default();
        for &bucket in &self.whole_touched {
            let slot = &mut self.slots[bucket as usize];
            let block = usize::from(bucket as usize >= weights.char_buckets);
            let t = weights.tf(std::mem::take(&mut slot.whole));
            s.norm2[block] += t * t * slot.idf2;
            s.dot[block] += t * slot.w_idf;
        }
        self.whole_touched.clear();
        s
    }

    /// Empties the whole-text counts (only the buckets touched).
    fn clear_whole(&mut self) {
        for &b in &self.whole_touched {
            if let Some(slot) = self.slots.get_mut(b as usize) {
                slot.whole = 0;
            }
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
        assert_eq!(dim, 1280);
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
            scratch.start(&w);
            let mut whole = NgramAccumulator::default();
            let mut previous: Option<BlockStats> = None;
            for (i, c) in counts.iter().enumerate() {
                let s = scratch.add_segment(&f, &w, segments[i], true);
                assert!(close(s.alone, w.stats(c)), "round {round} segment {i}");
                // The same text alone, as a single window.
                let single = WindowScratch::default().single(&f, &w, segments[i]);
                assert!(close(single, w.stats(c)), "round {round} single {i}");
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
