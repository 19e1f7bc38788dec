//! Post-hoc probability calibration on held-out data: temperature scaling for multiclass
//! softmax models and Platt scaling for binary scores.

use crate::link::softmax;

/// Fits the temperature `T` minimizing the negative log-likelihood of `softmax(z / T)` on
/// held-out logits (golden-section search over ln T ∈ [ln 0.05, ln 20]).
pub fn fit_temperature(logits: &[Vec<f32>], labels: &[usize]) -> f32 {
    let nll = |log_t: f64| -> f64 {
        let t = log_t.exp() as f32;
        logits
            .iter()
            .zip(labels)
            .map(|(z, &y)| -f64::from(softmax(z, t)[y].max(1e-12)).ln())
            .sum::<f64>()
    };
    golden_section(nll, 0.05f64.ln(), 20f64.ln(), 60).exp() as f32
}

/// Platt scaling parameters: `p = 1 / (1 + exp(a·s + b))`.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Platt {
    /// Slope (negative when higher scores mean "more positive").
    pub a: f64,
    /// Intercept.
    pub b: f64,
}

impl Platt {
    /// Calibrated probability of a score.
    pub fn probability(&self, score: f64) -> f64 {
        let z = self.a * score + self.b;
        if z >= 0.0 {
            let e = (-z).exp();
            e / (1.0 + e)
        } else {
            1.0 / (1.0 + z.exp())
        }
    }
}

/// Fits Platt scaling to `(score, positive)` pairs with Platt's smoothed targets, by Newton's
/// method with backtracking (Lin, Lin & Weng 2007).
pub fn fit_platt(scores: &[f64], positive: &[bool]) -> Platt {
    let n_pos = positive.iter().filter(|p| **p).count() as f64;
    let n_neg = positive.len() as f64 - n_pos;
    let hi = (n_pos + 1.0) / (n_pos + 2.0);
    let lo = 1.0 / (n_neg + 2.0);
    let targets: Vec<f64> = positive.iter().map(|&p| if p { hi } else { lo }).collect();
    let objective = |a: f64, b: f64| -> f64 {
        scores
            .iter()
            .zip(&targets)
            .map(|(&s, &t)| {
                let z = a * s + b;
                // −[t ln p + (1 − t) ln(1 − p)] with p = 1/(1+e^z), computed stably.
                if z >= 0.0 {
                    t * z + (1.0 + (-z).exp()).ln()
                } else {
                    (t - 1.0) * z + (1.0 + z.exp()).ln()
                }
            })
            .sum()
    };
    let (mut a, mut b) = (0.0, ((n_neg + 1.0) / (n_pos + 1.0)).ln());
    let mut f = objective(a, b);
    for _ in 0..100 {
        let (mut g1, mut g2, mut h11, mut h22, mut h21) = (0.0, 0.0, 1e-12, 1e-12, 0.0);
        for (&s, &t) in scores.iter().zip(&targets) {
            let p = Platt { a, b }.probability(s);
            let q = 1.0 - p;
            let d2 = p * q;
            h11 += s * s * d2;
            h22 += d2;
            h21 += s * d2;
            let d1 = t - p;
            g1 += s * d1;
            g2 += d1;
        }
        if g1.abs() < 1e-7 && g2.abs() < 1e-7 {
            break;
        }
        let det = h11 * h22 - h21 * h21;
        let da = -(h22 * g1 - h21 * g2) / det;
        let db = -(-h21 * g1 + h11 * g2) / det;
        let gd = g1 * da + g2 * db;
        let mut step = 1.0;
        let mut improved = false;
        while step >= 1e-10 {
            let (na, nb) = (a + step * da, b + step * db);
            let nf = objective(na, nb);
            if nf < f + 1e-4 * step * gd {
                a = na;
                b = nb;
                f = nf;
                improved = true;
                break;
            }
            step /= 2.0;
        }
        if !improved {
            break;
        }
    }
    Platt { a, b }
}

fn golden_section(f: impl Fn(f64) -> f64, mut lo: f64, mut hi: f64, iters: usize) -> f64 {
    let r = (5f64.sqrt() - 1.0) / 2.0;
    let mut x1 = hi - r * (hi - lo);
    let mut x2 = lo + r * (hi - lo);
    let (mut f1, mut f2) = (f(x1), f(x2));
    for _ in 0..iters {
        if f1 <= f2 {
            hi = x2;
            x2 = x1;
            f2 = f1;
            x1 = hi - r * (hi - lo);
            f1 = f(x1);
        } else {
            lo = x1;
            x1 = x2;
            f1 = f2;
            x2 = lo + r * (hi - lo);
            f2 = f(x2);
        }
    }
    (lo + hi) / 2.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temperature_undoes_overconfidence() {
        // Logits scaled ×3 from a calibrated model: the fitted temperature is about 3.
        let mut logits = Vec::new();
        let mut labels = Vec::new();
        for i in 0..400 {
            let base = [1.0f32, 0.0];
            // 73% of rows belong to class 0, matching softmax([1, 0]) ≈ 0.731.
            labels.push(usize::from(i % 100 >= 73));
            logits.push(base.iter().map(|v| v * 3.0).collect());
        }
        let t = fit_temperature(&logits, &labels);
        assert!((t - 3.0).abs() < 0.1, "{t}");
    }

    #[test]
    fn platt_recovers_a_logistic_link() {
        // Scores s with true P(positive | s) = 1 / (1 + exp(-2 s)), i.e. a = -2, b = 0.
        let mut scores = Vec::new();
        let mut labels = Vec::new();
        for i in 0..2000 {
            let s = (i % 41) as f64 / 10.0 - 2.0;
            let p = 1.0 / (1.0 + (-2.0 * s).exp());
            scores.push(s);
            // Deterministic "sampling": a low-discrepancy sequence.
            labels.push(((i as f64 * 0.618_033_988_7) % 1.0) < p);
        }
        let platt = fit_platt(&scores, &labels);
        assert!(
            (platt.a + 2.0).abs() < 0.25 && platt.b.abs() < 0.2,
            "{platt:?}"
        );
        assert!(platt.probability(3.0) > 0.99);
        assert!(platt.probability(-3.0) < 0.01);
    }
}
