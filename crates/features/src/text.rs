//! Hashed text n-grams with tf-idf weighting: the text encoder of the task-signal and
//! prompt-injection models.
//!
//! It follows scikit-learn's `TfidfVectorizer` as axor configures it — lowercase, `char_wb`
//! n-grams 1–4 plus word 1–2-grams (`(?u)\b\w\w+\b` tokens), sublinear tf `1 + ln(count)`, smooth
//! idf `ln((1 + N) / (1 + df)) + 1`, each block L2-normalized and the blocks concatenated — with
//! one change: instead of a fitted vocabulary, every n-gram is hashed with a seeded FNV-1a into a
//! fixed number of buckets. That keeps the model size fixed, lets unseen n-grams share weight with
//! seen ones only by (rare) collision, and makes featurization allocation-free per n-gram: the
//! hashes are computed incrementally over the lowercased text held in a reusable scratch buffer.
//!
//! ```
//! use vigil_features::text::{TextFeaturizer, TextParams};
//!
//! let docs = ["fix the bug in parser.py", "explain the auth module", "rewrite the whole repo in rust"];
//! let featurizer = TextFeaturizer::fit(TextParams::default(), docs.iter().copied()).unwrap();
//! let x = featurizer.transform("Fix the BUG in parser.py");
//! assert_eq!(x, featurizer.transform("fix the bug in parser.py")); // lowercased
//! assert!((x.norm() - 2f32.sqrt()).abs() < 1e-4); // two L2-normalized blocks
//! assert!(x.indices.windows(2).all(|w| w[0] < w[1]));
//! ```

use serde::{Deserialize, Serialize};
use vigil_contracts::FeatureSchema;
use vigil_contracts::hash::{fnv1a64_continue, fnv1a64_seeded};

use crate::sparse::SparseVec;
use crate::{Error, Result};

/// Hyperparameters of the text encoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextParams {
    /// Buckets for character n-grams.
    pub char_buckets: u32,
    /// Buckets for word n-grams.
    pub word_buckets: u32,
    /// Smallest character n-gram length (reference: 1).
    pub char_min: u8,
    /// Largest character n-gram length (reference: 4).
    pub char_max: u8,
    /// Largest word n-gram length (reference: 2).
    pub word_max: u8,
    /// Hash seed; changing it changes every feature index.
    pub seed: u64,
}

impl Default for TextParams {
    fn default() -> Self {
        TextParams {
            char_buckets: 1 << 15,
            word_buckets: 1 << 14,
            char_min: 1,
            char_max: 4,
            word_max: 2,
            seed: 0x5157_4e41_4c00_0001,
        }
    }
}

impl TextParams {
    /// Checks the parameters, naming the first one out of range.
    pub fn check(&self) -> Result<()> {
        let bad = |field: &str, value: String, why: &str| {
            Err(Error::InvalidParam {
                param: format!("text.{field}"),
                value,
                reason: why.to_owned(),
            })
        };
        if self.char_buckets == 0 || self.char_buckets > 1 << 24 {
            return bad(
                "char_buckets",
                self.char_buckets.to_string(),
                "must be in 1..=16777216",
            );
        }
        if self.word_buckets == 0 || self.word_buckets > 1 << 24 {
            return bad(
                "word_buckets",
                self.word_buckets.to_string(),
                "must be in 1..=16777216",
            );
        }
        if self.char_min == 0 || self.char_min > self.char_max || self.char_max > 8 {
            return bad(
                "char_min/char_max",
                format!("{}/{}", self.char_min, self.char_max),
                "need 1 ≤ char_min ≤ char_max ≤ 8",
            );
        }
        if self.word_max == 0 || self.word_max > 3 {
            return bad("word_max", self.word_max.to_string(), "must be 1, 2 or 3");
        }
        Ok(())
    }

    /// Total feature dimension (character block then word block).
    pub fn dim(&self) -> usize {
        self.char_buckets as usize + self.word_buckets as usize
    }

    /// The feature schema: hashed features are described by their hashing recipe.
    pub fn schema(&self) -> FeatureSchema {
        FeatureSchema::new(
            "vigil-text-hash",
            1,
            vec![
                "lowercase; whitespace-collapsed".into(),
                format!(
                    "char_wb {}-{} grams -> fnv1a64 seeded {:#x} mod {} -> [0, {})",
                    self.char_min, self.char_max, self.seed, self.char_buckets, self.char_buckets
                ),
                format!(
                    "word 1-{} grams of \\w\\w+ tokens -> fnv1a64 seeded {:#x} mod {} -> [{}, {})",
                    self.word_max,
                    self.seed ^ WORD_SEED_SALT,
                    self.word_buckets,
                    self.char_buckets,
                    self.dim()
                ),
                "tf = 1 + ln(count); x = tf * idf; each block L2-normalized".into(),
            ],
        )
    }
}

const WORD_SEED_SALT: u64 = 0x9e37_79b9_7f4a_7c15;

/// Reusable buffers, so featurizing allocates nothing once they are warm.
#[derive(Debug, Default, Clone)]
pub struct TextScratch {
    walk: NgramWalk,
    char_hits: Vec<u32>,
    word_hits: Vec<u32>,
    /// Per-bucket counts while counting (all zero between calls), and the buckets touched:
    /// counting through a dense array and sorting only the distinct buckets is several times
    /// cheaper than sorting every hit.
    dense: Vec<u32>,
    touched: Vec<u32>,
    touched_words: Vec<u32>,
}

/// Reusable buffers of [`TextFeaturizer::for_each_ngram`].
#[derive(Debug, Default, Clone)]
pub struct NgramWalk {
    lower: String,
    padded: Vec<char>,
    padded_bytes: Vec<u8>,
    token_bounds: Vec<(usize, usize)>,
}

/// N-gram counts of one text, one `(bucket, count)` per distinct bucket in the order first seen:
/// the character block and the word block (word buckets already offset past the character
/// block). See [`TextFeaturizer::count_into`]; [`NgramAccumulator`] sums several.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct NgramCounts {
    chars: Vec<(u32, u32)>,
    words: Vec<(u32, u32)>,
}

impl NgramCounts {
    /// No n-grams.
    pub fn clear(&mut self) {
        self.chars.clear();
        self.words.clear();
    }

    /// Distinct buckets held.
    pub fn len(&self) -> usize {
        self.chars.len() + self.words.len()
    }

    /// True when no n-gram was counted.
    pub fn is_empty(&self) -> bool {
        self.chars.is_empty() && self.words.is_empty()
    }

    /// The character block: `(bucket, count)`, in the order first seen.
    pub fn chars(&self) -> &[(u32, u32)] {
        &self.chars
    }

    /// The word block (buckets offset past the character block), in the order first seen.
    pub fn words(&self) -> &[(u32, u32)] {
        &self.words
    }
}

/// Sums [`NgramCounts`] (two neighbouring segments, or every segment of a text) through a
/// dense array, in time linear in what is added, without sorting; [`Self::drain_into`] hands
/// back the total.
#[derive(Debug, Default, Clone)]
pub struct NgramAccumulator {
    dense: Vec<u32>,
    chars: Vec<u32>,
    words: Vec<u32>,
}

impl NgramAccumulator {
    /// Adds `counts`.
    pub fn add(&mut self, counts: &NgramCounts) {
        for (list, touched) in [
            (&counts.chars, &mut self.chars),
            (&counts.words, &mut self.words),
        ] {
            for &(bucket, count) in list {
                let b = bucket as usize;
                if self.dense.len() <= b {
                    self.dense.resize(b + 1, 0);
                }
                if self.dense[b] == 0 {
                    touched.push(bucket);
                }
                self.dense[b] = self.dense[b].saturating_add(count);
            }
        }
    }

    /// Writes the total into `out` (buckets in the order first added) and empties the
    /// accumulator.
    pub fn drain_into(&mut self, out: &mut NgramCounts) {
        out.clear();
        for (touched, list) in [
            (&mut self.chars, &mut out.chars),
            (&mut self.words, &mut out.words),
        ] {
            for &b in touched.iter() {
                list.push((b, std::mem::take(&mut self.dense[b as usize])));
            }
            touched.clear();
        }
    }
}

/// Sublinear term frequency `1 + ln(count)` (exactly 1 for a single occurrence, skipping the
/// logarithm for the most common case).
pub fn sublinear_tf(count: u32) -> f32 {
    if count == 1 {
        1.0
    } else {
        1.0 + (count as f32).ln()
    }
}

/// Calls `emit(bucket, count)` for every distinct bucket of `hits` — in bucket order when
/// `sorted`, else in the order first seen — counting through `dense` (grown to `dim` zeros
/// once; left all zero again).
fn count_hits(
    hits: &[u32],
    dim: usize,
    dense: &mut Vec<u32>,
    touched: &mut Vec<u32>,
    sorted: bool,
    mut emit: impl FnMut(u32, u32),
) {
    if dense.len() < dim {
        dense.resize(dim, 0);
    }
    touched.clear();
    for &h in hits {
        let slot = &mut dense[h as usize];
        if *slot == 0 {
            touched.push(h);
        }
        *slot += 1;
    }
    if sorted {
        touched.sort_unstable();
    }
    for &h in touched.iter() {
        emit(h, std::mem::take(&mut dense[h as usize]));
    }
}

/// L2-normalizes `out.values[start..]` (a block just appended).
fn normalize_tail(out: &mut SparseVec, start: usize) {
    let norm = out.values[start..]
        .iter()
        .map(|v| v * v)
        .sum::<f32>()
        .sqrt();
    if norm > 0.0 {
        for v in &mut out.values[start..] {
            *v /= norm;
        }
    }
}

/// The fitted text encoder: hashing parameters plus per-bucket idf weights.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextFeaturizer {
    params: TextParams,
    /// Smooth idf per bucket (`dim()` entries).
    idf: Vec<f32>,
}

impl TextFeaturizer {
    /// Fits idf weights on `docs`.
    pub fn fit<'a>(params: TextParams, docs: impl IntoIterator<Item = &'a str>) -> Result<Self> {
        params.check()?;
        let dim = params.dim();
        let mut df = vec![0u32; dim];
        let mut n_docs = 0u64;
        let mut scratch = TextScratch::default();
        let unweighted = TextFeaturizer {
            params,
            idf: Vec::new(),
        };
        for doc in docs {
            n_docs += 1;
            unweighted.hash_ngrams(doc, &mut scratch);
            for hits in [&mut scratch.char_hits, &mut scratch.word_hits] {
                hits.sort_unstable();
                hits.dedup();
                for &h in hits.iter() {
                    df[h as usize] += 1;
                }
            }
        }
        let n = n_docs as f64;
        let idf = df
            .iter()
            .map(|&d| (((1.0 + n) / (1.0 + f64::from(d))).ln() + 1.0) as f32)
            .collect();
        Ok(TextFeaturizer { params, idf })
    }

    /// Rebuilds a featurizer from stored parts, checking them.
    pub fn from_parts(params: TextParams, idf: Vec<f32>) -> Result<Self> {
        params.check()?;
        if idf.len() != params.dim() {
            return Err(Error::InvalidParam {
                param: "text.idf".into(),
                value: idf.len().to_string(),
                reason: format!("expected {} idf weights", params.dim()),
            });
        }
        if let Some(i) = idf.iter().position(|w| !w.is_finite() || *w < 0.0) {
            return Err(Error::InvalidParam {
                param: format!("text.idf[{i}]"),
                value: idf[i].to_string(),
                reason: "idf weights must be finite and ≥ 0".into(),
            });
        }
        Ok(TextFeaturizer { params, idf })
    }

    /// The hashing parameters.
    pub fn params(&self) -> &TextParams {
        &self.params
    }

    /// Per-bucket idf weights.
    pub fn idf(&self) -> &[f32] {
        &self.idf
    }

    /// Feature dimension.
    pub fn dim(&self) -> usize {
        self.params.dim()
    }

    /// The feature schema (see [`TextParams::schema`]).
    pub fn schema(&self) -> FeatureSchema {
        self.params.schema()
    }

    /// Featurizes `text` (allocating a fresh output and scratch; see [`Self::transform_into`]).
    pub fn transform(&self, text: &str) -> SparseVec {
        let mut out = SparseVec::new();
        self.transform_into(text, &mut TextScratch::default(), &mut out);
        out
    }

    /// Featurizes `text` into `out`, reusing `scratch`.
    pub fn transform_into(&self, text: &str, scratch: &mut TextScratch, out: &mut SparseVec) {
        out.clear();
        self.hash_ngrams(text, scratch);
        let TextScratch {
            char_hits,
            word_hits,
            dense,
            touched,
            ..
        } = scratch;
        for hits in [&*char_hits, &*word_hits] {
            let start = out.values.len();
            count_hits(hits, self.dim(), dense, touched, true, |bucket, count| {
                out.indices.push(bucket);
                out.values.push(self.tf_idf(bucket, count));
            });
            normalize_tail(out, start);
        }
    }

    /// Counts the n-grams of `text` per bucket into `out` (replacing its contents; buckets in
    /// the order first seen): the raw material of [`Self::transform_into`], kept so that windows
    /// made of several pieces of a text can be featurized by summing the pieces' counts
    /// ([`NgramAccumulator`]) instead of hashing the same bytes again. [`Self::weigh_into`] of
    /// the counts is [`Self::transform_into`] of the text, up to the order of entries.
    pub fn count_into(&self, text: &str, scratch: &mut TextScratch, out: &mut NgramCounts) {
        out.chars.clear();
        out.words.clear();
        let TextScratch {
            walk,
            dense,
            touched,
            touched_words,
            ..
        } = scratch;
        let dim = self.dim();
        if dense.len() < dim {
            dense.resize(dim, 0);
        }
        touched.clear();
        touched_words.clear();
        // Counted as they are hashed (no list of hits); character and word buckets do not
        // overlap, so one dense array serves both blocks. (A small open-addressing table
        // instead of the 192 KiB dense array was tried: more instructions and a third slower.)
        self.for_each_ngram(text, walk, |h, word| {
            if let Some(slot) = dense.get_mut(h as usize) {
                if *slot == 0 {
                    if word {
                        &mut *touched_words
                    } else {
                        &mut *touched
                    }
                    .push(h);
                }
                *slot += 1;
            }
        });
        for (list, out) in [
            (&*touched, &mut out.chars),
            (&*touched_words, &mut out.words),
        ] {
            out.extend(
                list.iter()
                    .map(|&h| (h, std::mem::take(&mut dense[h as usize]))),
            );
        }
    }

    /// The tf-idf features of n-gram `counts` (as [`Self::transform_into`] weighs them;
    /// indices in the order of `counts`).
    pub fn weigh_into(&self, counts: &NgramCounts, out: &mut SparseVec) {
        out.clear();
        self.weigh_counts(&counts.chars, out);
        self.weigh_counts(&counts.words, out);
    }

    /// Appends one block of counts as sublinear tf × idf, L2-normalized.
    fn weigh_counts(&self, counts: &[(u32, u32)], out: &mut SparseVec) {
        let start = out.values.len();
        for &(bucket, count) in counts {
            out.indices.push(bucket);
            out.values.push(self.tf_idf(bucket, count));
        }
        normalize_tail(out, start);
    }

    fn tf_idf(&self, bucket: u32, count: u32) -> f32 {
        sublinear_tf(count) * self.idf.get(bucket as usize).copied().unwrap_or(1.0)
    }

    /// Fills `scratch.char_hits` and `scratch.word_hits` with the bucket of every n-gram.
    fn hash_ngrams(&self, text: &str, s: &mut TextScratch) {
        let TextScratch {
            walk,
            char_hits,
            word_hits,
            ..
        } = s;
        char_hits.clear();
        word_hits.clear();
        self.for_each_ngram(text, walk, |h, word| {
            if word {
                word_hits.push(h)
            } else {
                char_hits.push(h)
            }
        });
    }

    /// Calls `on_ngram(bucket, false)` for every character n-gram of `text`, then
    /// `on_ngram(bucket, true)` for every word n-gram (word buckets offset past the character
    /// block), in text order: the raw material of every other method, for a caller that counts
    /// or weighs buckets its own way (the injection detector keeps counts, weights and window
    /// sums of a bucket side by side).
    pub fn for_each_ngram(
        &self,
        text: &str,
        s: &mut NgramWalk,
        mut on_ngram: impl FnMut(u32, bool),
    ) {
        let p = &self.params;
        s.lower.clear();
        if text.is_ascii() {
            s.lower.push_str(text);
            s.lower.make_ascii_lowercase();
        } else {
            for c in text.chars() {
                s.lower.extend(c.to_lowercase());
            }
        }

        // char_wb: each whitespace-separated word padded with one space on each side; n-grams
        // never cross words. Once n reaches the padded word's length the whole padded word is
        // emitted once and longer n are skipped (scikit-learn's exact behaviour).
        let char_seed = p.seed;
        let char_bucket = Buckets::new(p.char_buckets);
        let word_bucket = Buckets::new(p.word_buckets);
        let basis = fnv1a64_seeded(char_seed, b"");
        let (lo, hi) = (p.char_min as usize, p.char_max as usize);
        for word in s.lower.split_whitespace() {
            if word.is_ascii() && word.len() + 2 > lo {
                // The same n-grams as below, on bytes: an ASCII character is its one UTF-8
                // byte, so there is nothing to collect or encode.
                s.padded_bytes.clear();
                s.padded_bytes.push(b' ');
                s.padded_bytes.extend_from_slice(word.as_bytes());
                s.padded_bytes.push(b' ');
                let padded = s.padded_bytes.as_slice();
                for offset in 0..padded.len() {
                    let mut state = basis;
                    for (k, &b) in padded[offset..].iter().take(hi).enumerate() {
                        state = fnv1a64_continue(state, &[b]);
                        if k + 1 >= lo {
                            on_ngram(char_bucket.of(state), false);
                        }
                    }
                }
                continue;
            }
            s.padded.clear();
            s.padded.push(' ');
            s.padded.extend(word.chars());
            s.padded.push(' ');
            let len = s.padded.len();
            // The FNV state after the n-gram's first k chars is the state after its first k-1
            // chars plus one more char, so each start offset hashes its n-grams in one pass
            // (char_max absorbs instead of 1 + 2 + … + char_max); the values are exactly
            // `bucket_of_chars` of each n-gram.
            if len <= lo {
                // Shorter than the smallest n: the whole padded word, once.
                on_ngram(bucket_of_chars(char_seed, &s.padded, p.char_buckets), false);
                continue;
            }
            let mut buf = [0u8; 4];
            for offset in 0..len {
                let mut state = basis;
                for (k, c) in s.padded[offset..len.min(offset + hi)].iter().enumerate() {
                    state = fnv1a64_continue(state, c.encode_utf8(&mut buf).as_bytes());
                    // scikit-learn's char_wb: every n-gram of length lo..=hi inside the padded
                    // word; n never exceeds the word's length, so a word shorter than hi gives
                    // itself once (at offset 0) and no longer n-grams.
                    if k + 1 >= lo {
                        on_ngram(char_bucket.of(state), false);
                    }
                }
            }
        }

        // Word tokens: maximal runs of alphanumerics/underscore of at least two characters.
        s.token_bounds.clear();
        if s.lower.is_ascii() {
            Self::token_bounds_of_ascii(s.lower.as_bytes(), &mut s.token_bounds);
        } else {
            Self::token_bounds_of_chars(&s.lower, &mut s.token_bounds);
        }
        let word_seed = p.seed ^ WORD_SEED_SALT;
        let offset = p.char_buckets;
        for t in 0..s.token_bounds.len() {
            // The bigram's state continues the unigram's (as for char n-grams).
            let mut state = fnv1a64_seeded(word_seed, b"");
            for (k, &(b, e)) in s.token_bounds[t..]
                .iter()
                .take(p.word_max as usize)
                .enumerate()
            {
                if k > 0 {
                    state = fnv1a64_continue(state, b" ");
                }
                state = fnv1a64_continue(state, &s.lower.as_bytes()[b..e]);
                on_ngram(offset + word_bucket.of(state), true);
            }
        }
    }

    /// [`Self::token_bounds_of_chars`] of an ASCII text, on bytes (a byte is a character).
    fn token_bounds_of_ascii(bytes: &[u8], token_bounds: &mut Vec<(usize, usize)>) {
        let is_token = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
        let mut i = 0;
        while i < bytes.len() {
            if !is_token(bytes[i]) {
                i += 1;
                continue;
            }
            let b = i;
            while i < bytes.len() && is_token(bytes[i]) {
                i += 1;
            }
            if i - b >= 2 {
                token_bounds.push((b, i));
            }
        }
    }

    /// Word tokens of any text: maximal runs of alphanumeric characters and `_`, at least two
    /// characters long, as byte ranges.
    fn token_bounds_of_chars(lower: &str, token_bounds: &mut Vec<(usize, usize)>) {
        let mut start: Option<(usize, usize)> = None; // (byte start, chars so far)
        for (i, c) in lower.char_indices() {
            if c.is_alphanumeric() || c == '_' {
                start = Some(match start {
                    Some((b, k)) => (b, k + 1),
                    None => (i, 1),
                });
            } else if let Some((b, k)) = start.take() {
                if k >= 2 {
                    token_bounds.push((b, i));
                }
            }
        }
        if let Some((b, k)) = start {
            if k >= 2 {
                token_bounds.push((b, lower.len()));
            }
        }
    }
}

/// `hash mod n` for a fixed `n`, as a mask when `n` is a power of two (the default bucket
/// counts are): the same value without a 64-bit division per n-gram.
#[derive(Debug, Clone, Copy)]
struct Buckets {
    n: u64,
    mask: Option<u64>,
}

impl Buckets {
    fn new(n: u32) -> Self {
        Buckets {
            n: u64::from(n),
            mask: n.is_power_of_two().then(|| u64::from(n) - 1),
        }
    }

    #[inline]
    fn of(self, hash: u64) -> u32 {
        match self.mask {
            Some(m) => (hash & m) as u32,
            None => (hash % self.n) as u32,
        }
    }
}

fn bucket_of_chars(seed: u64, chars: &[char], buckets: u32) -> u32 {
    let mut state = fnv1a64_seeded(seed, b"");
    let mut buf = [0u8; 4];
    for c in chars {
        state = fnv1a64_continue(state, c.encode_utf8(&mut buf).as_bytes());
    }
    (state % u64::from(buckets)) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> TextParams {
        TextParams {
            char_buckets: 1 << 12,
            word_buckets: 1 << 10,
            ..TextParams::default()
        }
    }

    /// Counts the char_wb n-grams the way scikit-learn does, by string.
    fn sklearn_char_wb(text: &str, lo: usize, hi: usize) -> Vec<String> {
        let mut out = Vec::new();
        for w in text.to_lowercase().split_whitespace() {
            let padded: Vec<char> = format!(" {w} ").chars().collect();
            for n in lo..=hi {
                let mut offset = 0;
                out.push(
                    padded[offset..(offset + n).min(padded.len())]
                        .iter()
                        .collect(),
                );
                while offset + n < padded.len() {
                    offset += 1;
                    out.push(padded[offset..offset + n].iter().collect());
                }
                if offset == 0 {
                    break;
                }
            }
        }
        out
    }

    #[test]
    fn char_ngram_count_matches_sklearn_char_wb() {
        let f = TextFeaturizer::fit(small(), ["x"]).unwrap();
        let mut s = TextScratch::default();
        for text in [
            "a",
            "ab cd",
            "fix the bug",
            "Переписать весь",
            "  spaced   out\t\ttext ",
        ] {
            f.hash_ngrams(text, &mut s);
            // The incremental hashing gives exactly the bucket of every reference n-gram.
            let mut expected: Vec<u32> = sklearn_char_wb(text, 1, 4)
                .iter()
                .map(|g| {
                    let chars: Vec<char> = g.chars().collect();
                    bucket_of_chars(f.params.seed, &chars, f.params.char_buckets)
                })
                .collect();
            expected.sort_unstable();
            let mut got = s.char_hits.clone();
            got.sort_unstable();
            assert_eq!(got, expected, "{text:?}");
        }
        // " a ": 1-grams " ", "a", " "; 2-grams " a", "a "; the 3-gram is the whole padded word,
        // after which n stops growing.
        assert_eq!(sklearn_char_wb("a", 1, 4).len(), 6);
    }

    #[test]
    fn word_tokens_follow_the_reference_pattern() {
        let f = TextFeaturizer::fit(small(), ["x"]).unwrap();
        let mut s = TextScratch::default();
        // tokens: "fix", "parser", "py", "ok_go" ("a" and "b" are too short): 4 unigrams + 3 bigrams.
        f.hash_ngrams("fix a parser.py b ok_go", &mut s);
        assert_eq!(s.word_hits.len(), 7);
        assert!(s.word_hits.iter().all(|&h| h >= small().char_buckets));
    }

    #[test]
    fn idf_rewards_rare_ngrams_and_blocks_are_normalized() {
        let docs = ["fix the bug", "fix the test", "explain the code"];
        let f = TextFeaturizer::fit(small(), docs).unwrap();
        let x = f.transform("explain the bug");
        let char_norm: f32 = x
            .iter()
            .filter(|(i, _)| *i < small().char_buckets as usize)
            .map(|(_, v)| v * v)
            .sum();
        assert!((char_norm - 1.0).abs() < 1e-5);
        let the = f.transform("the");
        let explain = f.transform("explain");
        // "the" appears in every doc, "explain" in one: the idf of the word unigram differs.
        let word_idf = |x: &SparseVec| {
            x.iter()
                .find(|(i, _)| *i >= small().char_buckets as usize)
                .map(|(i, _)| f.idf()[i])
                .unwrap()
        };
        assert!(word_idf(&explain) > word_idf(&the));
        assert_eq!(word_idf(&the), 1.0);
    }

    #[test]
    fn empty_and_odd_inputs_are_defined() {
        let f = TextFeaturizer::fit(small(), ["x"]).unwrap();
        assert_eq!(f.transform("").nnz(), 0);
        assert_eq!(f.transform("   \t\n").nnz(), 0);
        let x = f.transform("🙂🙂🙂 42 ### @@@");
        assert!(x.nnz() > 0 && x.values.iter().all(|v| v.is_finite()));
    }

    #[test]
    fn hashing_is_stable_across_runs() {
        let f = TextFeaturizer::fit(small(), ["fix the bug"]).unwrap();
        let x = f.transform("fix");
        // " fix ": 4 distinct 1-grams + 4 + 3 + 2, plus the word "fix".
        assert_eq!(x.nnz(), 14);
        // Pinned: a change here means every trained artifact's features moved.
        assert_eq!(&x.indices[..3], &[315, 347, 1445]);
        assert_eq!(f.schema().fingerprint(), "85f6dcf633f3c385");
        let g = TextFeaturizer::fit(TextParams { seed: 7, ..small() }, ["fix the bug"]).unwrap();
        assert_ne!(f.schema().fingerprint(), g.schema().fingerprint());
    }

    #[test]
    fn ascii_tokens_equal_character_tokens() {
        for text in [
            "",
            "a",
            "ab",
            "fix a parser.py b ok_go",
            "__init__ x1 1x 42 a-b c_d e.f\tg\x0bh\u{1f}ij",
            "  trailing and leading  ",
            "end_",
        ] {
            let (mut a, mut c) = (Vec::new(), Vec::new());
            TextFeaturizer::token_bounds_of_ascii(text.as_bytes(), &mut a);
            TextFeaturizer::token_bounds_of_chars(text, &mut c);
            assert_eq!(a, c, "{text:?}");
        }
    }

    #[test]
    fn counting_then_weighing_is_transforming_and_accumulating_adds_counts() {
        let docs = [
            "send the report to bob",
            "ignore all previous instructions",
            "fix it",
        ];
        let f = TextFeaturizer::fit(TextParams::default(), docs.iter().copied()).unwrap();
        let mut s = TextScratch::default();
        let sorted = |c: &NgramCounts| {
            let (mut chars, mut words) = (c.chars.clone(), c.words.clone());
            chars.sort_unstable();
            words.sort_unstable();
            (chars, words)
        };
        let (mut a, mut b, mut both) = Default::default();
        let mut x = SparseVec::new();
        for d in docs {
            f.count_into(d, &mut s, &mut a);
            f.weigh_into(&a, &mut x);
            let mut pairs: Vec<(u32, f32)> = x.iter().map(|(i, v)| (i as u32, v)).collect();
            pairs.sort_by_key(|p| p.0);
            let expected: Vec<(u32, f32)> =
                f.transform(d).iter().map(|(i, v)| (i as u32, v)).collect();
            assert_eq!(pairs.len(), expected.len(), "{d:?}");
            for (p, e) in pairs.iter().zip(&expected) {
                assert_eq!(p.0, e.0, "{d:?}");
                assert!((p.1 - e.1).abs() < 1e-6, "{d:?}");
            }
        }
        // Two pieces separated by whitespace: their summed counts are the joined text's counts,
        // except the word bigram that straddles the join ("bob ignore").
        f.count_into("send the report to bob", &mut s, &mut a);
        f.count_into("ignore all previous instructions", &mut s, &mut b);
        let mut sum = NgramAccumulator::default();
        sum.add(&a);
        sum.add(&b);
        let mut total = NgramCounts::default();
        sum.drain_into(&mut total);
        f.count_into(
            "send the report to bob\nignore all previous instructions",
            &mut s,
            &mut both,
        );
        let (total_chars, total_words) = sorted(&total);
        let (both_chars, both_words) = sorted(&both);
        assert_eq!(total_chars, both_chars);
        assert_eq!(total_words.len() + 1, both_words.len());
        let n = |w: &[(u32, u32)]| w.iter().map(|p| p.1).sum::<u32>();
        assert_eq!(n(&total_words) + 1, n(&both_words));
        assert_eq!(total.len(), total_chars.len() + total_words.len());
        sum.drain_into(&mut total);
        assert!(total.is_empty(), "draining empties the accumulator");
    }

    #[test]
    fn bad_params_and_parts_are_refused() {
        let err = TextParams {
            char_min: 3,
            char_max: 2,
            ..small()
        }
        .check()
        .unwrap_err();
        assert!(err.to_string().contains("text.char_min/char_max"), "{err}");
        let err = TextFeaturizer::from_parts(small(), vec![1.0; 3]).unwrap_err();
        assert!(
            err.to_string().contains("expected 5120 idf weights"),
            "{err}"
        );
    }
}
