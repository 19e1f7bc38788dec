//! # vigil-features
//!
//! Deterministic encoders shared by the vigil models: everything that turns text, tool calls,
//! plans or agent events into numbers, each with a named, fingerprinted
//! [`FeatureSchema`](vigil_contracts::FeatureSchema), plus the small linear-model inference the
//! runtime crates share.
//!
//! ## The big picture
//!
//! | module | what |
//! |---|---|
//! | [`sparse`] | sorted sparse vectors |
//! | [`fold`] | the look-alike fold (NFKC, invisible characters, Cyrillic/Greek confusables) applied before names and patterns are compared |
//! | [`text`] | char_wb 1–4 + word 1–2 n-grams, stable-hashed into buckets, sublinear tf-idf, per-block L2 |
//! | [`plan`] | plan annotation: tool annotator (catalog + lexicon), argument scan, endpoints, and the 9 NEXUS plan features |
//! | [`linear`] | softmax (multinomial logistic) inference over sparse features, with a calibration temperature |
//! | [`intent`] | the intent normalizer: raw `{tool, args}` calls of a session → [`NormalizedIntent`](vigil_contracts::NormalizedIntent)s |
//! | [`json_walk`] | the strings inside JSON tool arguments, and the one nesting limit ([`MAX_ARG_DEPTH`](json_walk::MAX_ARG_DEPTH)) every encoder shares |
//! | [`literal_gate`] | which patterns of a table could match a text, from one Aho-Corasick pass over the literals each needs |
//! | [`regex_fast`] | regexes and regex sets with Unicode `\b` that stay on the lazy DFA for text without non-ASCII word characters |
//! | [`window`] | window encoders: axor's 300-D `axor-v1` layout and vigil's position-invariant `vigil-window-v1` |
//!
//! Every hash that reaches a feature is FNV-1a with a fixed seed, so a feature index means the
//! same thing in every process and every artifact.
//!
//! ```
//! use vigil_features::text::{TextFeaturizer, TextParams};
//!
//! let f = TextFeaturizer::fit(TextParams::default(), ["refactor the auth module"]).unwrap();
//! let x = f.transform("refactor the auth module");
//! assert!(x.nnz() > 40);
//! assert_eq!(f.schema().name, "vigil-text-hash");
//! ```
//!
//! ## What it does not do
//!
//! No training beyond idf counting (that is `vigil-trainer`), no I/O, no scoring.
#![deny(missing_docs)]

mod error;
pub mod event;
pub mod fold;
pub mod intent;
pub mod json_walk;
pub mod linear;
pub mod literal_gate;
pub mod plan;
pub mod regex_fast;
pub mod sparse;
pub mod text;
pub mod window;

pub use error::{Error, Result};
