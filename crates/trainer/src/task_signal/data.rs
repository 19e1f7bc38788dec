//! The task-signal data: the seeded synthetic prompt generator (vocabularies in [`vocab`]) and
//! `cargo xtask data task-signal`.
//!
//! Every one of the 45 label combinations (3 complexities × 3 natures × 5 domains) is written
//! by crossing a *frame* (carrying the nature) with an *object* (carrying domain and scope),
//! filling slots, then applying paraphrase operators: leading requests, trailing pleasantries
//! (some in other languages), restated nature clauses ("don't change anything"), scope phrases,
//! label-free context sentences, terse forms, typos and casing. Coding prompts are sometimes
//! written in Russian.
//!
//! Frames and objects are split into train / calibration / validation **before** any row is
//! written, so a validation row never shares its frame or its object with a training row, and
//! rows are deduplicated across splits (train first). Validation therefore measures phrasing
//! the model has not seen, not recall of templates.

pub mod vocab;

use std::collections::BTreeSet;
use std::path::Path;

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use vigil_contracts::{Domain, TaskComplexity, TaskNature};

use crate::Result;
use vocab::Frame;

/// One labelled prompt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// The prompt.
    pub text: String,
    /// Complexity label.
    pub complexity: TaskComplexity,
    /// Nature label.
    pub nature: TaskNature,
    /// Domain label.
    pub domain: Domain,
    /// The frame × object template the row came from.
    pub template: String,
}

/// Which part of the data a template belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Split {
    /// Model fitting.
    Train,
    /// Temperature fitting.
    Calibration,
    /// Reported accuracy and gates.
    Validation,
}

/// Rows to write per label combination and split (before deduplication).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GeneratorParams {
    /// Training rows per combination.
    pub train_per_combo: usize,
    /// Calibration rows per combination.
    pub calibration_per_combo: usize,
    /// Validation rows per combination.
    pub validation_per_combo: usize,
    /// Share of frames/objects held out for validation.
    pub validation_share: f64,
    /// Share of frames/objects held out for calibration.
    pub calibration_share: f64,
    /// Noise strings to generate.
    pub noise: usize,
    /// Paraphrased copies of every axor template row (beside the row as written).
    pub axor_paraphrases: usize,
}

impl Default for GeneratorParams {
    fn default() -> Self {
        GeneratorParams {
            train_per_combo: 340,
            calibration_per_combo: 70,
            validation_per_combo: 90,
            validation_share: 0.2,
            calibration_share: 0.15,
            noise: 1_500,
            axor_paraphrases: 2,
        }
    }
}

/// The generated splits.
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    /// Training rows.
    pub train: Vec<Row>,
    /// Calibration rows (templates disjoint from train and validation).
    pub calibration: Vec<Row>,
    /// Validation rows (templates disjoint from train and calibration).
    pub validation: Vec<Row>,
    /// Label-free noise strings (emoji, symbols, digits, keyboard mash, filler words). Training
    /// adds each of them once with every class of a head — a uniform target — so text without
    /// task content gets a flat, low-confidence answer instead of an arbitrary confident one.
    pub noise: Vec<String>,
    /// Rows dropped as duplicates.
    pub duplicates_dropped: usize,
    /// Number of frames (all natures, English and Russian).
    pub frames: usize,
    /// Number of object templates.
    pub objects: usize,
    /// axor's templates (`data/axor/`) held out of fitting and calibration: their own
    /// template-held-out validation, reported apart from the synthetic one.
    pub axor_validation: Vec<Row>,
    /// axor templates per split: train, calibration, validation.
    pub axor_templates: [usize; 3],
}

/// Assigns indices `0..n` to splits: at least one to validation and calibration when `n ≥ 3`.
fn assign(n: usize, p: &GeneratorParams, rng: &mut ChaCha8Rng) -> Vec<Split> {
    let mut idx: Vec<usize> = (0..n).collect();
    idx.shuffle(rng);
    let n_val = ((n as f64 * p.validation_share).round() as usize)
        .max(1)
        .min(n.saturating_sub(2));
    let n_cal = ((n as f64 * p.calibration_share).round() as usize)
        .max(1)
        .min(n.saturating_sub(1 + n_val));
    let mut out = vec![Split::Train; n];
    for (rank, &i) in idx.iter().enumerate() {
        out[i] = if rank < n_val {
            Split::Validation
        } else if rank < n_val + n_cal {
            Split::Calibration
        } else {
            Split::Train
        };
    }
    out
}

fn slot_values(name: &str) -> &'static [&'static str] {
    vocab::SLOTS
        .iter()
        .chain(vocab::VERBS)
        .find(|(n, _)| *n == name)
        .map(|(_, v)| *v)
        .unwrap_or(&[])
}

/// Values of the structural slots of one row: `{v}` by nature, `{s}`…`{nb}` by domain.
fn structural_values(name: &str, domain: Domain, nature: TaskNature) -> &'static [&'static str] {
    let nouns = vocab::domain_nouns(domain);
    match name {
        "v" => slot_values(match nature {
            TaskNature::Readonly => "vr",
            TaskNature::Generative => "vg",
            TaskNature::Mutative => "vm",
        }),
        "s" => nouns[0],
        "m" => nouns[1],
        "b" => nouns[2],
        "ns" => nouns[3],
        "nm" => nouns[4],
        "nb" => nouns[5],
        _ => &[],
    }
}

/// One substitution pass: every `{name}` with values from `lookup` gets one choice per name,
/// reused at every occurrence; other braces are kept verbatim.
fn fill_pass<'a>(
    text: &str,
    rng: &mut ChaCha8Rng,
    lookup: impl Fn(&str) -> &'a [&'a str],
) -> String {
    let mut chosen: Vec<(String, &str)> = Vec::new();
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        let name = &rest[open + 1..open + close];
        let values = lookup(name);
        out.push_str(&rest[..open]);
        if values.is_empty() {
            out.push_str(&rest[open..=open + close]);
        } else {
            let v = match chosen.iter().find(|(n, _)| n == name) {
                Some((_, v)) => *v,
                None => {
                    let v = values[rng.gen_range(0..values.len())];
                    chosen.push((name.to_owned(), v));
                    v
                }
            };
            out.push_str(v);
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

/// Puts `object` into `frame`, then fills structural slots (verb, domain nouns), then the
/// ordinary slot vocabularies.
fn fill(
    frame: &str,
    object: &str,
    domain: Domain,
    nature: TaskNature,
    rng: &mut ChaCha8Rng,
) -> String {
    let text = frame
        .replace("{x}", object)
        .replace("{obj}", object)
        .replace("{new}", object);
    let text = fill_pass(&text, rng, |n| structural_values(n, domain, nature));
    fill_pass(&text, rng, slot_values)
}

const TYPO_LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyz";

/// One random keyboard slip: swap, drop, double or substitute a letter inside a word.
fn typo(text: &str, rng: &mut ChaCha8Rng) -> String {
    let chars: Vec<char> = text.chars().collect();
    let letters: Vec<usize> = (1..chars.len().saturating_sub(1))
        .filter(|&i| chars[i].is_alphabetic() && chars[i - 1].is_alphabetic())
        .collect();
    let Some(&i) = letters.choose(rng) else {
        return text.to_owned();
    };
    let mut c = chars;
    match rng.gen_range(0..4) {
        0 => c.swap(i - 1, i),
        1 => {
            c.remove(i);
        }
        2 => c.insert(i, c[i]),
        _ => c[i] = char::from(TYPO_LETTERS[rng.gen_range(0..TYPO_LETTERS.len())]),
    }
    c.into_iter().collect()
}

/// Terse, informal rewording: drop articles, chat abbreviations.
fn terse(text: &str) -> String {
    let mut words: Vec<&str> = text
        .split(' ')
        .filter(|w| !matches!(*w, "the" | "a" | "an" | "me" | "to"))
        .collect();
    if words.is_empty() {
        words.push(text);
    }
    words
        .join(" ")
        .replace("please", "pls")
        .replace(" you ", " u ")
        .replace("because", "bc")
        .replace("with", "w/")
}

fn pick<'a>(rng: &mut ChaCha8Rng, items: &'a [&'a str]) -> &'a str {
    items[rng.gen_range(0..items.len())]
}

/// Applies the paraphrase operators to a filled template.
fn augment(
    base: String,
    complexity: TaskComplexity,
    nature: TaskNature,
    rng: &mut ChaCha8Rng,
) -> String {
    let mut text = base;
    if rng.gen_bool(0.12) {
        text.push_str(pick(rng, vocab::nature_clauses(nature)));
    }
    if rng.gen_bool(0.12) {
        text.push_str(pick(rng, vocab::scope_phrases(complexity)));
    }
    if rng.gen_bool(0.3) {
        text.insert_str(0, pick(rng, vocab::PREFIXES));
    }
    if rng.gen_bool(0.1) {
        text.insert_str(0, pick(rng, vocab::CONTEXT));
    }
    if rng.gen_bool(0.3) {
        text.push_str(pick(rng, vocab::SUFFIXES));
    }
    if rng.gen_bool(0.12) {
        text = terse(&text);
    }
    let slips = match rng.gen_range(0..100) {
        0..=79 => 0,
        80..=94 => 1,
        _ => 2,
    };
    for _ in 0..slips {
        text = typo(&text, rng);
    }
    match rng.gen_range(0..100) {
        0..=19 => {
            let mut c = text.chars();
            if let Some(first) = c.next() {
                text = first.to_uppercase().chain(c).collect();
            }
        }
        20..=23 => text = text.to_uppercase(),
        _ => {}
    }
    text
}

/// A pool of template indices per split.
struct Pools<T> {
    items: Vec<(T, Split)>,
}

impl<T: Copy> Pools<T> {
    fn new(items: Vec<T>, p: &GeneratorParams, rng: &mut ChaCha8Rng) -> Self {
        let splits = assign(items.len(), p, rng);
        Pools {
            items: items.into_iter().zip(splits).collect(),
        }
    }
    fn of(&self, split: Split) -> Vec<(usize, T)> {
        self.items
            .iter()
            .enumerate()
            .filter(|(_, (_, s))| *s == split)
            .map(|(i, (t, _))| (i, *t))
            .collect()
    }
}

/// Generates the three splits from `seed`.
pub fn generate(seed: u64, p: &GeneratorParams) -> Dataset {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut ds = Dataset::default();

    // Template pools, split once.
    let frame_pools: Vec<Pools<&'static Frame>> = TaskNature::ALL
        .iter()
        .map(|&n| Pools::new(vocab::frames(n).iter().collect(), p, &mut rng))
        .collect();
    let generic_pool: Pools<&'static str> = Pools::new(vocab::GENERIC.to_vec(), p, &mut rng);
    let ru_frame_pools: Vec<Pools<&'static str>> = TaskNature::ALL
        .iter()
        .map(|&n| Pools::new(vocab::frames_ru(n).to_vec(), p, &mut rng))
        .collect();
    ds.frames = frame_pools.iter().map(|f| f.items.len()).sum::<usize>()
        + generic_pool.items.len()
        + ru_frame_pools.iter().map(|f| f.items.len()).sum::<usize>();
    let mut object_pools = Vec::new();
    for &d in Domain::ALL {
        for &c in TaskComplexity::ALL {
            let existing = Pools::new(vocab::objects(d, c).to_vec(), p, &mut rng);
            let new = Pools::new(vocab::new_objects(d, c).to_vec(), p, &mut rng);
            let asked = Pools::new(vocab::asked_objects(d, c).to_vec(), p, &mut rng);
            ds.objects += existing.items.len() + new.items.len() + asked.items.len();
            object_pools.push(((d, c), existing, new, asked));
        }
    }
    let mut structure_pools = Vec::new();
    for &c in TaskComplexity::ALL {
        let existing = Pools::new(vocab::structures(c, false).to_vec(), p, &mut rng);
        let new = Pools::new(vocab::structures(c, true).to_vec(), p, &mut rng);
        ds.objects += existing.items.len() + new.items.len();
        structure_pools.push((existing, new));
    }
    let mut ru_object_pools = Vec::new();
    for &c in TaskComplexity::ALL {
        let existing = Pools::new(vocab::objects_ru(c).to_vec(), p, &mut rng);
        let new = Pools::new(vocab::new_objects_ru(c).to_vec(), p, &mut rng);
        ds.objects += existing.items.len() + new.items.len();
        ru_object_pools.push((c, existing, new));
    }

    let mut seen = BTreeSet::new();
    for split in [Split::Train, Split::Calibration, Split::Validation] {
        let per_combo = match split {
            Split::Train => p.train_per_combo,
            Split::Calibration => p.calibration_per_combo,
            Split::Validation => p.validation_per_combo,
        };
        let mut rows = Vec::new();
        for &d in Domain::ALL {
            for &c in TaskComplexity::ALL {
                for &n in TaskNature::ALL {
                    let ni = n.index();
                    let (_, existing, new, asked) = object_pools
                        .iter()
                        .find(|(k, ..)| *k == (d, c))
                        .expect("every domain × complexity has objects");
                    let generative = n == TaskNature::Generative;
                    // Objects tagged by pool: things to produce, existing things, and (for
                    // readonly rows only) things one asks about.
                    let tagged = |pool: &Pools<&'static str>, tag: &'static str| {
                        pool.of(split).into_iter().map(move |(i, o)| (tag, i, o))
                    };
                    let objects: Vec<(&str, usize, &str)> = match n {
                        TaskNature::Generative => tagged(new, "new").collect(),
                        TaskNature::Mutative => tagged(existing, "existing").collect(),
                        TaskNature::Readonly => tagged(existing, "existing")
                            .chain(tagged(asked, "asked"))
                            .collect(),
                    };
                    let (s_existing, s_new) = &structure_pools[c.index()];
                    let structures = if generative {
                        s_new.of(split)
                    } else {
                        s_existing.of(split)
                    };
                    let mut frames: Vec<(usize, &Frame)> = frame_pools[ni]
                        .of(split)
                        .into_iter()
                        .filter(|(_, fr)| fr.only.is_none_or(|o| o == c))
                        .collect();
                    if frames.is_empty() {
                        frames = frame_pools[ni]
                            .of(split)
                            .into_iter()
                            .filter(|(_, fr)| fr.only.is_none())
                            .collect();
                    }
                    let generic = generic_pool.of(split);
                    let (_, ru_existing, ru_new) = &ru_object_pools[c.index()];
                    let ru_objects = if generative {
                        ru_new.of(split)
                    } else {
                        ru_existing.of(split)
                    };
                    let ru_frames = ru_frame_pools[ni].of(split);
                    for _ in 0..per_combo {
                        let russian = d == Domain::Coding
                            && rng.gen_bool(0.15)
                            && !ru_frames.is_empty()
                            && !ru_objects.is_empty();
                        let (template, base) = if russian {
                            let (fi, fr) = ru_frames[rng.gen_range(0..ru_frames.len())];
                            let (oi, ob) = ru_objects[rng.gen_range(0..ru_objects.len())];
                            (
                                format!(
                                    "ru-{n}:{fi}|ru-{c}/{}:{oi}",
                                    if generative { "new" } else { "existing" }
                                ),
                                fill(fr, ob, d, n, &mut rng),
                            )
                        } else {
                            let (frame_id, frame) = if rng.gen_bool(0.5) {
                                let (fi, fr) = generic[rng.gen_range(0..generic.len())];
                                (format!("generic:{fi}"), fr)
                            } else {
                                let (fi, fr) = frames[rng.gen_range(0..frames.len())];
                                (format!("{n}:{fi}"), fr.text)
                            };
                            let (object_id, object) = if rng.gen_bool(0.5) {
                                let (tag, oi, ob) = objects[rng.gen_range(0..objects.len())];
                                (format!("{d}/{c}/{tag}:{oi}"), ob)
                            } else {
                                let (oi, ob) = structures[rng.gen_range(0..structures.len())];
                                (
                                    format!(
                                        "structure/{c}/{}:{oi}",
                                        if generative { "new" } else { "existing" }
                                    ),
                                    ob,
                                )
                            };
                            (
                                format!("{frame_id}|{object_id}"),
                                fill(frame, object, d, n, &mut rng),
                            )
                        };
                        let text = augment(base, c, n, &mut rng);
                        let key = text.trim().to_lowercase();
                        if !seen.insert(key) {
                            ds.duplicates_dropped += 1;
                            continue;
                        }
                        rows.push(Row {
                            text,
                            complexity: c,
                            nature: n,
                            domain: d,
                            template,
                        });
                    }
                }
            }
        }
        rows.shuffle(&mut rng);
        match split {
            Split::Train => ds.train = rows,
            Split::Calibration => ds.calibration = rows,
            Split::Validation => ds.validation = rows,
        }
    }
    while ds.noise.len() < p.noise {
        let text = noise(&mut rng);
        if seen.insert(text.trim().to_lowercase()) && !text.trim().is_empty() {
            ds.noise.push(text);
        }
    }
    ds
}

/// axor-classifier-simple 0.2.1's training templates, rendered (`data/axor/task_signal.jsonl`,
/// MIT; provenance, license and the rebuild script beside it). Embedded so training needs no
/// file access; `generate_hard()`, axor's evaluation set, is not in it.
pub const AXOR_TEMPLATES: &str = include_str!("../../../../data/axor/task_signal.jsonl");

/// A label combination.
type Combo = (TaskComplexity, TaskNature, Domain);

/// Parses [`AXOR_TEMPLATES`], naming the line of a malformed record.
pub fn read_axor() -> Result<Vec<Row>> {
    parse_axor(AXOR_TEMPLATES)
}

fn parse_axor(text: &str) -> Result<Vec<Row>> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let row: Row = vigil_contracts::from_json_str(line).map_err(|e| {
            crate::Error::Invalid(format!("data/axor/task_signal.jsonl:{}: {e}", i + 1))
        })?;
        out.push(row);
    }
    Ok(out)
}

/// Adds axor's rendered templates as one more training source: every template goes, whole,
/// to train, calibration or axor's own validation (the shares of `p`, per label combination,
/// seeded), so no template is on both sides. Each row is kept as written and once more through
/// the generator's paraphrase operators. Rows whose text the synthetic data already holds are
/// dropped. The synthetic rows are untouched (their random stream is separate).
pub fn add_axor(ds: &mut Dataset, seed: u64, p: &GeneratorParams, rows: &[Row]) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xA708_0002_0001);
    let mut seen: BTreeSet<String> = ds
        .train
        .iter()
        .chain(&ds.calibration)
        .chain(&ds.validation)
        .map(|r| r.text.trim().to_lowercase())
        .collect();
    // Templates in first-seen order, grouped by label combination.
    let mut combos: Vec<(Combo, Vec<&str>)> = Vec::new();
    for r in rows {
        let key = (r.complexity, r.nature, r.domain);
        let at = match combos.iter().position(|(k, _)| *k == key) {
            Some(at) => at,
            None => {
                combos.push((key, Vec::new()));
                combos.len() - 1
            }
        };
        if !combos[at].1.contains(&r.template.as_str()) {
            combos[at].1.push(r.template.as_str());
        }
    }
    let mut split_of = std::collections::BTreeMap::new();
    for (_, templates) in &combos {
        for (t, split) in templates.iter().zip(assign(templates.len(), p, &mut rng)) {
            split_of.insert(*t, split);
            ds.axor_templates[split as usize] += 1;
        }
    }
    let (mut train, mut cal, mut val) = (Vec::new(), Vec::new(), Vec::new());
    for r in rows {
        let split = split_of
            .get(r.template.as_str())
            .copied()
            .unwrap_or(Split::Train);
        let mut texts = vec![r.text.clone()];
        for _ in 0..p.axor_paraphrases {
            texts.push(augment(r.text.clone(), r.complexity, r.nature, &mut rng));
        }
        for text in texts {
            if !seen.insert(text.trim().to_lowercase()) {
                ds.duplicates_dropped += 1;
                continue;
            }
            let row = Row { text, ..r.clone() };
            match split {
                Split::Train => train.push(row),
                Split::Calibration => cal.push(row),
                Split::Validation => val.push(row),
            }
        }
    }
    train.shuffle(&mut rng);
    ds.train.extend(train);
    ds.calibration.extend(cal);
    ds.axor_validation = val;
}

const NOISE_TOKENS: &[&str] = &[
    "🙂",
    "🔥",
    "👍",
    "🎉",
    "😂",
    "🤔",
    "✨",
    "💀",
    "###",
    "@@@",
    "...",
    "!!!",
    "???",
    "™",
    "©",
    "®",
    "---",
    "***",
    "$$$",
    "%%",
    "asdf",
    "qwerty",
    "lorem",
    "ipsum",
    "dolor",
    "test",
    "hello",
    "ok",
    "hmm",
    "?",
    "lol",
    "xd",
    "null",
    "undefined",
    "n/a",
    "...?",
    "<>",
    "[]",
    "{}",
    "//",
    "~~~",
];

/// A label-free string: 1–6 tokens of emoji, symbols, digit runs, random letters or filler words.
fn noise(rng: &mut ChaCha8Rng) -> String {
    let n = rng.gen_range(1..=6);
    let mut parts = Vec::with_capacity(n);
    for _ in 0..n {
        let part = match rng.gen_range(0..4) {
            0 => NOISE_TOKENS[rng.gen_range(0..NOISE_TOKENS.len())].to_owned(),
            1 => (0..rng.gen_range(1..12))
                .map(|_| char::from(b'0' + rng.gen_range(0..10)))
                .collect(),
            2 => {
                let word: String = (0..rng.gen_range(2..8))
                    .map(|_| char::from(TYPO_LETTERS[rng.gen_range(0..TYPO_LETTERS.len())]))
                    .collect();
                if rng.gen_bool(0.3) {
                    format!("{word} {word}")
                } else {
                    word
                }
            }
            _ => NOISE_TOKENS[rng.gen_range(0..NOISE_TOKENS.len())].repeat(rng.gen_range(1..4)),
        };
        parts.push(part);
    }
    parts.join(" ")
}

/// `cargo xtask data task-signal`: every generated row as JSON Lines with its split.
pub fn write_data(seed: u64, out: &Path) -> Result<usize> {
    let mut ds = generate(seed, &GeneratorParams::default());
    add_axor(&mut ds, seed, &GeneratorParams::default(), &read_axor()?);
    let splits = [
        ("train", &ds.train),
        ("calibration", &ds.calibration),
        ("validation", &ds.validation),
    ];
    let rows = splits.into_iter().flat_map(|(split, rows)| {
        rows.iter().map(move |r| {
            let mut v = serde_json::to_value(r).unwrap_or_default();
            v["split"] = serde_json::Value::from(split);
            v
        })
    });
    let noise = (ds.noise.iter()).map(|t| serde_json::json!({"text": t, "split": "noise"}));
    crate::jsonl::write(out, rows.chain(noise))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> GeneratorParams {
        GeneratorParams {
            train_per_combo: 20,
            calibration_per_combo: 5,
            validation_per_combo: 5,
            ..GeneratorParams::default()
        }
    }

    #[test]
    fn every_placeholder_has_fillers() {
        let mut templates: Vec<&str> = Vec::new();
        for &n in TaskNature::ALL {
            templates.extend(vocab::frames(n).iter().map(|f| f.text));
            templates.extend(vocab::frames_ru(n));
        }
        for &d in Domain::ALL {
            for &c in TaskComplexity::ALL {
                templates.extend(vocab::objects(d, c));
                templates.extend(vocab::new_objects(d, c));
                templates.extend(vocab::asked_objects(d, c));
            }
        }
        for &c in TaskComplexity::ALL {
            templates.extend(vocab::objects_ru(c));
            templates.extend(vocab::new_objects_ru(c));
        }
        templates.extend(vocab::GENERIC);
        for &c in TaskComplexity::ALL {
            templates.extend(vocab::structures(c, false));
            templates.extend(vocab::structures(c, true));
        }
        for &d in Domain::ALL {
            for nouns in vocab::domain_nouns(d) {
                templates.extend(nouns);
            }
        }
        for t in templates {
            let mut rest = t;
            while let Some(open) = rest.find('{') {
                let close = rest[open..].find('}').expect("closed placeholder") + open;
                let name = &rest[open + 1..close];
                assert!(
                    matches!(name, "obj" | "new" | "x")
                        || !slot_values(name).is_empty()
                        || !structural_values(name, Domain::Coding, TaskNature::Readonly)
                            .is_empty(),
                    "no fillers for {{{name}}} in {t:?}"
                );
                rest = &rest[close + 1..];
            }
        }
    }

    #[test]
    fn all_45_combinations_in_every_split_and_no_leaks() {
        let ds = generate(7, &small());
        for rows in [&ds.train, &ds.calibration, &ds.validation] {
            let combos: BTreeSet<(usize, usize, usize)> = rows
                .iter()
                .map(|r| (r.complexity.index(), r.nature.index(), r.domain.index()))
                .collect();
            assert_eq!(combos.len(), 45);
        }
        let train_frames: BTreeSet<&str> = ds
            .train
            .iter()
            .map(|r| r.template.split('|').next().unwrap())
            .collect();
        let train_objects: BTreeSet<&str> = ds
            .train
            .iter()
            .map(|r| r.template.split('|').nth(1).unwrap())
            .collect();
        for r in &ds.validation {
            let mut parts = r.template.split('|');
            assert!(
                !train_frames.contains(parts.next().unwrap()),
                "{}",
                r.template
            );
            assert!(
                !train_objects.contains(parts.next().unwrap()),
                "{}",
                r.template
            );
        }
        let train_texts: BTreeSet<String> = ds
            .train
            .iter()
            .map(|r| r.text.trim().to_lowercase())
            .collect();
        assert!(
            ds.validation
                .iter()
                .all(|r| !train_texts.contains(&r.text.trim().to_lowercase()))
        );
        assert!(
            ds.train
                .iter()
                .all(|r| !r.text.contains('{') || r.text.contains("\\d{"))
        );
    }

    #[test]
    fn same_seed_same_data() {
        let a = generate(3, &small());
        let b = generate(3, &small());
        assert_eq!(a.train, b.train);
        assert_eq!(a.validation, b.validation);
        assert_ne!(generate(4, &small()).train, a.train);
    }

    #[test]
    fn axor_templates_parse_and_split_whole_templates() {
        let rows = read_axor().unwrap();
        assert_eq!(rows.len(), 3035);
        let templates: BTreeSet<&str> = rows.iter().map(|r| r.template.as_str()).collect();
        // 1,114 templates; the one that renders only a hard-set prompt is dropped whole.
        assert_eq!(templates.len(), 1113);
        let mut ds = generate(7, &small());
        let synthetic = ds.train.len();
        add_axor(&mut ds, 7, &small(), &rows);
        assert!(ds.train.len() > synthetic);
        assert_eq!(ds.axor_templates.iter().sum::<usize>(), 1113);
        let side = |rs: &[Row]| -> BTreeSet<String> {
            rs.iter()
                .filter(|r| r.template.starts_with("axor:"))
                .map(|r| r.template.clone())
                .collect()
        };
        let (train, cal, val) = (
            side(&ds.train),
            side(&ds.calibration),
            side(&ds.axor_validation),
        );
        assert!(!val.is_empty() && !cal.is_empty());
        assert!(train.is_disjoint(&val) && train.is_disjoint(&cal) && cal.is_disjoint(&val));
        // The synthetic validation split is untouched.
        assert_eq!(ds.validation, generate(7, &small()).validation);
        let err = parse_axor("\n{\"text\": \"x\"}\n").unwrap_err().to_string();
        assert!(err.starts_with("data/axor/task_signal.jsonl:2: "), "{err}");
    }
}
