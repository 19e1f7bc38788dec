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
    lower: String,
    padded: Vec<char>,
    char_hits: Vec<u32>,
    word_hits: Vec<u32>,
    token_bounds: Vec<(usize, usize)>,
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
        self.weigh_block(&mut scratch.char_hits, out);
        self.weigh_block(&mut scratch.word_hits, out);
    }

    /// Sorts one block's bucket hits, turns counts into sublinear tf × idf, L2-normalizes the
    /// block and appends it to `out`.
    fn weigh_block(&self, hits: &mut [u32], out: &mut SparseVec) {
        hits.sort_unstable();
        let start = out.values.len();
        let mut i = 0;
        while i < hits.len() {
            let bucket = hits[i];
            let mut j = i + 1;
            while j < hits.len() && hits[j] == bucket {
                j += 1;
            }
            let tf = 1.0 + ((j - i) as f32).ln();
            let w = tf * self.idf.get(bucket as usize).copied().unwrap_or(1.0);
            out.indices.push(bucket);
            out.values.push(w);
            i = j;
        }
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

    /// Fills `scratch.char_hits` and `scratch.word_hits` with the bucket of every n-gram.
    fn hash_ngrams(&self, text: &str, s: &mut TextScratch) {
        let p = &self.params;
        s.lower.clear();
        for c in text.chars() {
            s.lower.extend(c.to_lowercase());
        }
        s.char_hits.clear();
        s.word_hits.clear();

        // char_wb: each whitespace-separated word padded with one space on each side; n-grams
        // never cross words. Once n reaches the padded word's length the whole padded word is
        // emitted once and longer n are skipped (scikit-learn's exact behaviour).
        let char_seed = p.seed;
        for word in s.lower.split_whitespace() {
            s.padded.clear();
            s.padded.push(' ');
            s.padded.extend(word.chars());
            s.padded.push(' ');
            let len = s.padded.len();
            for n in p.char_min as usize..=p.char_max as usize {
                let mut offset = 0;
                loop {
                    let end = (offset + n).min(len);
                    s.char_hits.push(bucket_of_chars(
                        char_seed,
                        &s.padded[offset..end],
                        p.char_buckets,
                    ));
                    if offset + n >= len {
                        break;
                    }
                    offset += 1;
                }
                if offset == 0 {
                    break;
                }
            }
        }

        // Word tokens: maximal runs of alphanumerics/underscore of at least two characters.
        s.token_bounds.clear();
        let mut start: Option<(usize, usize)> = None; // (byte start, chars so far)
        for (i, c) in s.lower.char_indices() {
            if c.is_alphanumeric() || c == '_' {
                start = Some(match start {
                    Some((b, k)) => (b, k + 1),
                    None => (i, 1),
                });
            } else if let Some((b, k)) = start.take() {
                if k >= 2 {
                    s.token_bounds.push((b, i));
                }
            }
        }
        if let Some((b, k)) = start {
            if k >= 2 {
                s.token_bounds.push((b, s.lower.len()));
            }
        }
        let word_seed = p.seed ^ WORD_SEED_SALT;
        let offset = p.char_buckets;
        for t in 0..s.token_bounds.len() {
            for n in 1..=p.word_max as usize {
                if t + n > s.token_bounds.len() {
                    break;
                }
                let mut state = fnv1a64_seeded(word_seed, b"");
                for (k, &(b, e)) in s.token_bounds[t..t + n].iter().enumerate() {
                    if k > 0 {
                        state = fnv1a64_continue(state, b" ");
                    }
                    state = fnv1a64_continue(state, &s.lower.as_bytes()[b..e]);
                }
                s.word_hits
                    .push(offset + (state % u64::from(p.word_buckets)) as u32);
            }
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
            assert_eq!(
                s.char_hits.len(),
                sklearn_char_wb(text, 1, 4).len(),
                "{text:?}"
            );
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
