//! Model cards: Markdown written by `cargo xtask train` into `docs/models/<model>.md`, with SVG
//! pictures beside it. Cards contain only reproducible facts (no timings, no dates), so a
//! retrain with the same seed rewrites them byte for byte.

use std::fmt::Write;
use std::path::{Path, PathBuf};

use vigil_contracts::artifact::write_atomic;

/// A Markdown model card under construction.
#[derive(Debug, Clone, Default)]
pub struct Card {
    text: String,
    pictures: Vec<(String, String)>,
}

impl Card {
    /// Starts a card titled `# {title}`.
    pub fn new(title: &str) -> Self {
        Card {
            text: format!("# {title}\n\n_Written by `cargo xtask train`; do not edit by hand._\n"),
            pictures: Vec::new(),
        }
    }

    /// Adds a `## heading` section with a Markdown body.
    pub fn section(&mut self, heading: &str, body: &str) -> &mut Self {
        let _ = write!(self.text, "\n## {heading}\n\n{}\n", body.trim_end());
        self
    }

    /// Renders a Markdown table.
    pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
        let mut t = format!(
            "| {} |\n|{}\n",
            headers.join(" | "),
            "---|".repeat(headers.len())
        );
        for r in rows {
            let _ = writeln!(t, "| {} |", r.join(" | "));
        }
        t
    }

    /// Adds an SVG picture written beside the card as `{file_name}` and linked from the text.
    pub fn picture(&mut self, alt: &str, file_name: &str, svg: String) -> &mut Self {
        let _ = writeln!(self.text, "\n![{alt}]({file_name})");
        self.pictures.push((file_name.to_owned(), svg));
        self
    }

    /// The Markdown text so far.
    pub fn markdown(&self) -> &str {
        &self.text
    }

    /// Writes `{dir}/{stem}.md` and its pictures; returns the card's path.
    pub fn write(&self, dir: &Path, stem: &str) -> crate::Result<PathBuf> {
        let path = dir.join(format!("{stem}.md"));
        write_atomic(&path, self.text.as_bytes())?;
        for (name, svg) in &self.pictures {
            write_atomic(&dir.join(name), svg.as_bytes())?;
        }
        Ok(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn card_renders_sections_tables_and_pictures() {
        let mut card = Card::new("demo");
        card.section(
            "Metrics",
            &Card::table(
                &["head", "accuracy"],
                &[vec!["nature".into(), "0.950".into()]],
            ),
        );
        card.picture("confusion", "demo-confusion.svg", "<svg/>".into());
        let md = card.markdown();
        assert!(md.starts_with("# demo\n"));
        assert!(md.contains("| head | accuracy |\n|---|---|\n| nature | 0.950 |"));
        assert!(md.contains("![confusion](demo-confusion.svg)"));
        let dir = tempfile::tempdir().unwrap();
        let path = card.write(dir.path(), "demo").unwrap();
        assert_eq!(std::fs::read_to_string(path).unwrap(), md);
        assert_eq!(
            std::fs::read_to_string(dir.path().join("demo-confusion.svg")).unwrap(),
            "<svg/>"
        );
    }
}
