//! Language from Unicode blocks, as axor's TaskAnalyzer guesses it.

/// The Unicode blocks axor counts, with the language each one stands for.
const BLOCKS: &[(&str, u32, u32)] = &[
    ("ru", 0x0400, 0x04FF),
    ("zh", 0x4E00, 0x9FFF),
    ("ar", 0x0600, 0x06FF),
    ("hi", 0x0900, 0x097F),
    ("ko", 0xAC00, 0xD7FF),
    ("he", 0x0590, 0x05FF),
];

/// The language of `text`: the block with the most characters (ties go to the earlier block in
/// the order ru, zh, ar, hi, ko, he), `en` when none of them occurs, `unknown` for blank text.
///
/// ```
/// use vigil_task_signal::language::detect_language;
/// assert_eq!(detect_language("исправь баг в auth.py"), "ru");
/// assert_eq!(detect_language("fix the bug"), "en");
/// assert_eq!(detect_language("   "), "unknown");
/// ```
pub fn detect_language(text: &str) -> &'static str {
    if text.trim().is_empty() {
        return "unknown";
    }
    let mut counts = [0usize; BLOCKS.len()];
    for c in text.chars() {
        let c = u32::from(c);
        if let Some(i) = BLOCKS
            .iter()
            .position(|(_, lo, hi)| (*lo..=*hi).contains(&c))
        {
            counts[i] += 1;
        }
    }
    let mut best = None;
    for (i, &n) in counts.iter().enumerate() {
        if n > 0 && best.is_none_or(|b: usize| n > counts[b]) {
            best = Some(i);
        }
    }
    best.map_or("en", |i| BLOCKS[i].0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_map_to_languages() {
        assert_eq!(detect_language("重写整个仓库"), "zh");
        assert_eq!(detect_language("اشرح هذا الكود"), "ar");
        assert_eq!(detect_language("इस कोड को समझाओ"), "hi");
        assert_eq!(detect_language("이 코드를 설명해"), "ko");
        assert_eq!(detect_language("תסביר את הקוד"), "he");
        assert_eq!(detect_language("🙂🙂🙂 42 ### @@@"), "en");
        // Majority wins: mostly Cyrillic with a Latin file name.
        assert_eq!(detect_language("перепиши parser.py"), "ru");
        // A tie goes to the earlier block.
        assert_eq!(detect_language("да 好的"), "ru");
    }
}
