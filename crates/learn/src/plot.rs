//! Small, dependency-free SVG pictures for model cards: reliability diagrams and confusion
//! matrices. Output is deterministic text (fixed number formatting), so cards diff cleanly.
//!
//! Plots read [`metrics`](crate::metrics) types; metrics never depend on plots.
//!
//! ```
//! use vigil_learn::metrics::{ConfusionMatrix, reliability_bins};
//! use vigil_learn::plot;
//!
//! let m = ConfusionMatrix::new(&["benign", "harmful"], &[0, 1, 1], &[0, 1, 0]);
//! assert!(plot::confusion_matrix(&m, "demo").starts_with("<svg"));
//! let bins = reliability_bins(&[0.2, 0.9], &[false, true], 10);
//! assert!(plot::reliability_diagram(&bins, "demo").ends_with("</svg>\n"));
//! ```

use std::fmt::Write;

use crate::metrics::{ConfusionMatrix, ReliabilityBin};

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A reliability diagram: bars of accuracy per confidence bin against the diagonal, with the
/// bin counts written under the bars.
pub fn reliability_diagram(bins: &[ReliabilityBin], title: &str) -> String {
    let (w, h, m) = (360.0, 360.0, 40.0);
    let plot = w - 2.0 * m;
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{}" viewBox="0 0 {w} {}" font-family="sans-serif" font-size="11">"#,
        h + 20.0,
        h + 20.0
    );
    let _ = writeln!(
        s,
        r#"<text x="{}" y="18" text-anchor="middle" font-size="13">{}</text>"#,
        w / 2.0,
        escape(title)
    );
    let _ = writeln!(
        s,
        r##"<rect x="{m}" y="{m}" width="{plot}" height="{plot}" fill="none" stroke="#444"/>"##
    );
    let _ = writeln!(
        s,
        r##"<line x1="{m}" y1="{}" x2="{}" y2="{m}" stroke="#999" stroke-dasharray="4 3"/>"##,
        m + plot,
        m + plot
    );
    for b in bins {
        let x = m + b.lower * plot;
        let bw = (b.upper - b.lower) * plot;
        if b.count > 0 {
            let bh = b.accuracy * plot;
            let _ = writeln!(
                s,
                r##"<rect x="{x:.1}" y="{:.1}" width="{:.1}" height="{bh:.1}" fill="#4878cf" fill-opacity="0.8" stroke="#fff"/>"##,
                m + plot - bh,
                bw
            );
            let cy = m + plot - b.mean_confidence * plot;
            let _ = writeln!(
                s,
                r##"<circle cx="{:.1}" cy="{cy:.1}" r="2.5" fill="#d65f5f"/>"##,
                x + bw / 2.0
            );
        }
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="8">{}</text>"#,
            x + bw / 2.0,
            m + plot + 12.0,
            b.count
        );
    }
    let _ = writeln!(
        s,
        r#"<text x="{}" y="{}" text-anchor="middle">confidence (bar: accuracy, dot: mean confidence, numbers: rows)</text>"#,
        w / 2.0,
        h + 8.0
    );
    let _ = writeln!(
        s,
        r#"<text x="12" y="{}" transform="rotate(-90 12 {})" text-anchor="middle">accuracy</text>"#,
        h / 2.0,
        h / 2.0
    );
    s.push_str("</svg>\n");
    s
}

/// A confusion matrix heat map (rows: truth, columns: prediction), shaded by row share.
pub fn confusion_matrix(m: &ConfusionMatrix, title: &str) -> String {
    let k = m.labels.len().max(1);
    let cell = 56.0;
    let left = 110.0;
    let top = 70.0;
    let w = left + cell * k as f64 + 20.0;
    let h = top + cell * k as f64 + 20.0;
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="11">"#
    );
    let _ = writeln!(
        s,
        r#"<text x="{}" y="18" text-anchor="middle" font-size="13">{}</text>"#,
        w / 2.0,
        escape(title)
    );
    let _ = writeln!(
        s,
        r#"<text x="{}" y="36" text-anchor="middle">predicted</text>"#,
        left + cell * k as f64 / 2.0
    );
    for (j, label) in m.labels.iter().enumerate() {
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{}" text-anchor="middle" font-size="9">{}</text>"#,
            left + cell * (j as f64 + 0.5),
            top - 8.0,
            escape(label)
        );
    }
    for (i, row) in m.counts.iter().enumerate() {
        let total: usize = row.iter().sum();
        let y = top + cell * i as f64;
        let _ = writeln!(
            s,
            r#"<text x="{}" y="{:.1}" text-anchor="end" font-size="9">{}</text>"#,
            left - 6.0,
            y + cell / 2.0 + 3.0,
            escape(&m.labels[i])
        );
        for (j, &c) in row.iter().enumerate() {
            let share = if total == 0 {
                0.0
            } else {
                c as f64 / total as f64
            };
            let x = left + cell * j as f64;
            let (fill, ink) = if i == j {
                ("#2f7d32", "#fff")
            } else {
                ("#c62828", "#fff")
            };
            let ink = if share < 0.45 { "#222" } else { ink };
            let _ = writeln!(
                s,
                r##"<rect x="{x:.1}" y="{y:.1}" width="{cell}" height="{cell}" fill="{fill}" fill-opacity="{:.3}" stroke="#ddd"/>"##,
                share.max(0.03)
            );
            let _ = writeln!(
                s,
                r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="{ink}">{c}</text>"#,
                x + cell / 2.0,
                y + cell / 2.0 + 4.0
            );
        }
    }
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::reliability_bins;

    #[test]
    fn pictures_are_well_formed_and_deterministic() {
        let bins = reliability_bins(&[0.1, 0.9, 0.95], &[false, true, true], 10);
        let a = reliability_diagram(&bins, "task <signal>");
        assert_eq!(a, reliability_diagram(&bins, "task <signal>"));
        assert!(a.starts_with("<svg") && a.trim_end().ends_with("</svg>"));
        assert!(a.contains("task &lt;signal&gt;"));
        let m = ConfusionMatrix::new(&["normal", "critical"], &[0, 1, 1], &[0, 1, 0]);
        let c = confusion_matrix(&m, "anomaly");
        assert_eq!(c.matches("<rect").count(), 4);
        assert!(c.contains(">critical</text>"));
    }
}
