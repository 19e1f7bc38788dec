//! L-BFGS for smooth convex objectives (the logistic regressions here).
//!
//! Deterministic: no randomness, fixed iteration order. Backtracking line search with the Armijo
//! condition; stops on a small gradient, a small relative decrease, or the iteration limit.
//!
//! ```
//! use vigil_learn::optim::{LbfgsParams, minimize};
//!
//! // f(x) = (x − 3)²
//! let params = LbfgsParams::default().check().unwrap();
//! let m = minimize(|x, g| { g[0] = 2.0 * (x[0] - 3.0); (x[0] - 3.0).powi(2) }, vec![0.0], &params);
//! assert!(m.converged && (m.x[0] - 3.0).abs() < 1e-6);
//! ```

use crate::{Error, Result};

/// How long floating-point sums (dot products, the objective's accumulations) are added up.
/// Both are deterministic; they round differently, so a model fitted one way is not bit-identical
/// to one fitted the other way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Summation {
    /// One running sum, left to right: every term waits for the previous addition.
    #[default]
    Sequential,
    /// Four interleaved partial sums (terms `j mod 4`), combined as `(s0 + s1) + (s2 + s3)`:
    /// no chain of dependent additions, so the processor overlaps them (several times faster on
    /// long vectors).
    Lanes,
}

impl Summation {
    /// `Σ a_j · b_j` over the common length.
    pub fn dot(self, a: &[f64], b: &[f64]) -> f64 {
        match self {
            Summation::Sequential => a.iter().zip(b).map(|(x, y)| x * y).sum(),
            Summation::Lanes => {
                let n = a.len().min(b.len());
                let (a, b) = (&a[..n], &b[..n]);
                let mut acc = [0.0f64; 4];
                let (ca, cb) = (a.chunks_exact(4), b.chunks_exact(4));
                let (ra, rb) = (ca.remainder(), cb.remainder());
                for (x, y) in ca.zip(cb) {
                    for l in 0..4 {
                        acc[l] += x[l] * y[l];
                    }
                }
                for (l, (x, y)) in ra.iter().zip(rb).enumerate() {
                    acc[l] += x * y;
                }
                (acc[0] + acc[1]) + (acc[2] + acc[3])
            }
        }
    }
}

/// Settings of [`minimize`]; [`LbfgsParams::check`] turns them into [`ValidLbfgsParams`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LbfgsParams {
    /// Number of correction pairs kept.
    pub memory: usize,
    /// Maximum iterations.
    pub max_iter: usize,
    /// Stop when the largest gradient component falls below this.
    pub gradient_tol: f64,
    /// Stop when the objective improves by less than this, relatively.
    pub relative_tol: f64,
    /// How dot products are summed (and, for [`crate::logistic`], the objective's sums).
    pub summation: Summation,
}

impl Default for LbfgsParams {
    fn default() -> Self {
        LbfgsParams {
            memory: 10,
            max_iter: 500,
            gradient_tol: 1e-6,
            relative_tol: 1e-9,
            summation: Summation::Sequential,
        }
    }
}

/// [`LbfgsParams`] that passed [`LbfgsParams::check`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ValidLbfgsParams(LbfgsParams);

impl LbfgsParams {
    /// Checks every field: at least one correction pair and one iteration, finite
    /// non-negative tolerances.
    pub fn check(self) -> Result<ValidLbfgsParams> {
        let invalid = |message: String| Err(Error::InvalidParams(message));
        if self.memory == 0 {
            return invalid("lbfgs memory 0 is below 1".into());
        }
        if self.max_iter == 0 {
            return invalid("lbfgs max_iter 0 is below 1".into());
        }
        for (name, tol) in [
            ("gradient_tol", self.gradient_tol),
            ("relative_tol", self.relative_tol),
        ] {
            if !(tol.is_finite() && tol >= 0.0) {
                return invalid(format!("lbfgs {name} {tol} must be finite and ≥ 0"));
            }
        }
        Ok(ValidLbfgsParams(self))
    }
}

impl ValidLbfgsParams {
    /// The checked parameters.
    pub fn get(&self) -> &LbfgsParams {
        &self.0
    }
}

/// Outcome of [`minimize`].
#[derive(Debug, Clone, PartialEq)]
pub struct Minimum {
    /// The minimizer found.
    pub x: Vec<f64>,
    /// Objective value there.
    pub value: f64,
    /// Iterations used.
    pub iterations: usize,
    /// Whether a tolerance (rather than the iteration limit) stopped it.
    pub converged: bool,
}

/// Minimizes `f` from `x0`. `f(x, grad)` returns the objective and writes the gradient.
pub fn minimize(
    mut f: impl FnMut(&[f64], &mut [f64]) -> f64,
    x0: Vec<f64>,
    params: &ValidLbfgsParams,
) -> Minimum {
    let params = params.get();
    let sum = params.summation;
    let n = x0.len();
    let mut x = x0;
    let mut g = vec![0.0; n];
    let mut fx = f(&x, &mut g);
    let mut s_hist: Vec<Vec<f64>> = Vec::new();
    let mut y_hist: Vec<Vec<f64>> = Vec::new();
    let mut rho: Vec<f64> = Vec::new();
    let mut direction = vec![0.0; n];
    let mut x_new = vec![0.0; n];
    let mut g_new = vec![0.0; n];
    let mut alpha = vec![0.0; params.memory.max(1)];
    let mut s_next = vec![0.0; n];
    let mut y_next = vec![0.0; n];

    for iter in 0..params.max_iter {
        if max_abs(&g) < params.gradient_tol {
            return Minimum {
                x,
                value: fx,
                iterations: iter,
                converged: true,
            };
        }
        // Two-loop recursion: direction = -H·g.
        direction.copy_from_slice(&g);
        let m = s_hist.len();
        for i in (0..m).rev() {
            alpha[i] = rho[i] * sum.dot(&s_hist[i], &direction);
            axpy(-alpha[i], &y_hist[i], &mut direction);
        }
        if m > 0 {
            let gamma =
                sum.dot(&s_hist[m - 1], &y_hist[m - 1]) / sum.dot(&y_hist[m - 1], &y_hist[m - 1]);
            direction.iter_mut().for_each(|d| *d *= gamma);
        } else {
            // First step: a unit-length move along the negative gradient.
            let scale = 1.0 / sum.dot(&g, &g).sqrt().max(1e-12);
            direction.iter_mut().for_each(|d| *d *= scale);
        }
        for i in 0..m {
            let beta = rho[i] * sum.dot(&y_hist[i], &direction);
            axpy(alpha[i] - beta, &s_hist[i], &mut direction);
        }
        direction.iter_mut().for_each(|d| *d = -*d);
        let mut slope = sum.dot(&g, &direction);
        if slope >= 0.0 {
            // Not a descent direction (numerical trouble): restart from steepest descent.
            s_hist.clear();
            y_hist.clear();
            rho.clear();
            let scale = 1.0 / sum.dot(&g, &g).sqrt().max(1e-12);
            for (d, gi) in direction.iter_mut().zip(&g) {
                *d = -gi * scale;
            }
            slope = sum.dot(&g, &direction);
        }
        // Backtracking line search (Armijo).
        let mut step = 1.0;
        let mut f_new;
        loop {
            for i in 0..n {
                x_new[i] = x[i] + step * direction[i];
            }
            f_new = f(&x_new, &mut g_new);
            if f_new <= fx + 1e-4 * step * slope || step < 1e-12 {
                break;
            }
            step *= 0.5;
        }
        if !f_new.is_finite() || f_new > fx {
            return Minimum {
                x,
                value: fx,
                iterations: iter,
                converged: false,
            };
        }
        for (si, (a, b)) in s_next.iter_mut().zip(x_new.iter().zip(&x)) {
            *si = a - b;
        }
        for (yi, (a, b)) in y_next.iter_mut().zip(g_new.iter().zip(&g)) {
            *yi = a - b;
        }
        let sy = sum.dot(&s_next, &y_next);
        let decrease = (fx - f_new) / fx.abs().max(1e-12);
        std::mem::swap(&mut x, &mut x_new);
        std::mem::swap(&mut g, &mut g_new);
        fx = f_new;
        if sy > 1e-12 {
            // The pair joins the history; the oldest pair's buffers (or fresh ones) become the
            // scratch for the next pair, so no iteration allocates once the memory is full.
            let (s_free, y_free) = if s_hist.len() == params.memory {
                rho.remove(0);
                (s_hist.remove(0), y_hist.remove(0))
            } else {
                (vec![0.0; n], vec![0.0; n])
            };
            rho.push(1.0 / sy);
            s_hist.push(std::mem::replace(&mut s_next, s_free));
            y_hist.push(std::mem::replace(&mut y_next, y_free));
        }
        if decrease < params.relative_tol {
            return Minimum {
                x,
                value: fx,
                iterations: iter + 1,
                converged: true,
            };
        }
    }
    Minimum {
        x,
        value: fx,
        iterations: params.max_iter,
        converged: false,
    }
}

/// The largest |a_j|: a maximum does not depend on the order it is taken in, so four lanes
/// (no chain of dependent comparisons) give exactly the sequential result.
fn max_abs(a: &[f64]) -> f64 {
    let mut acc = [0.0f64; 4];
    let chunks = a.chunks_exact(4);
    let rest = chunks.remainder();
    for c in chunks {
        for l in 0..4 {
            acc[l] = acc[l].max(c[l].abs());
        }
    }
    for v in rest {
        acc[0] = acc[0].max(v.abs());
    }
    acc.iter().fold(0.0, |m, v| m.max(*v))
}

fn axpy(a: f64, x: &[f64], y: &mut [f64]) {
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += a * xi;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimizes_a_quadratic() {
        // f = (x - 3)² + 10 (y + 1)²
        let m = minimize(
            |x, g| {
                g[0] = 2.0 * (x[0] - 3.0);
                g[1] = 20.0 * (x[1] + 1.0);
                (x[0] - 3.0).powi(2) + 10.0 * (x[1] + 1.0).powi(2)
            },
            vec![0.0, 0.0],
            &LbfgsParams::default().check().unwrap(),
        );
        assert!(m.converged);
        assert!(
            (m.x[0] - 3.0).abs() < 1e-5 && (m.x[1] + 1.0).abs() < 1e-5,
            "{:?}",
            m.x
        );
    }

    #[test]
    fn minimizes_rosenbrock() {
        let m = minimize(
            |x, g| {
                let (a, b) = (x[0], x[1]);
                g[0] = -2.0 * (1.0 - a) - 400.0 * a * (b - a * a);
                g[1] = 200.0 * (b - a * a);
                (1.0 - a).powi(2) + 100.0 * (b - a * a).powi(2)
            },
            vec![-1.2, 1.0],
            &LbfgsParams {
                max_iter: 1000,
                relative_tol: 1e-15,
                ..LbfgsParams::default()
            }
            .check()
            .unwrap(),
        );
        assert!(
            (m.x[0] - 1.0).abs() < 1e-3 && (m.x[1] - 1.0).abs() < 1e-3,
            "{:?}",
            m.x
        );
    }

    #[test]
    fn lane_summation_adds_the_same_terms_in_four_partial_sums() {
        let a: Vec<f64> = (0..11).map(|i| f64::from(i) * 0.5).collect();
        let b: Vec<f64> = (0..11).map(|i| 1.0 + f64::from(i)).collect();
        // lanes: j ≡ 0..3 (mod 4) over 0..11, terms a_j·b_j = 0.5·j·(j + 1).
        let lanes = [
            0.0 + 10.0 + 36.0,
            1.0 + 15.0 + 45.0,
            3.0 + 21.0 + 55.0,
            6.0 + 28.0,
        ];
        assert_eq!(
            Summation::Lanes.dot(&a, &b),
            (lanes[0] + lanes[1]) + (lanes[2] + lanes[3])
        );
        assert_eq!(Summation::Sequential.dot(&a, &b), 220.0);
        assert_eq!(Summation::Lanes.dot(&a, &b), 220.0);
        // Different rounding, same value up to it.
        let x: Vec<f64> = (0..1000).map(|i| 1.0 / f64::from(i + 1)).collect();
        let (s, l) = (
            Summation::Sequential.dot(&x, &x),
            Summation::Lanes.dot(&x, &x),
        );
        assert!((s - l).abs() < 1e-12, "{s} vs {l}");
        assert_eq!(Summation::Lanes.dot(&[], &[]), 0.0);
        assert_eq!(max_abs(&[1.0, -7.5, 3.0, 2.0, 0.5, -7.0]), 7.5);
    }

    #[test]
    fn lane_summation_minimizes_too() {
        let params = LbfgsParams {
            summation: Summation::Lanes,
            ..LbfgsParams::default()
        }
        .check()
        .unwrap();
        let f = |x: &[f64], g: &mut [f64]| {
            let mut v = 0.0;
            for (i, (xi, gi)) in x.iter().zip(g.iter_mut()).enumerate() {
                let c = i as f64;
                *gi = 2.0 * (xi - c);
                v += (xi - c).powi(2);
            }
            v
        };
        let m = minimize(f, vec![0.0; 9], &params);
        assert!(m.converged);
        assert!(
            m.x.iter()
                .enumerate()
                .all(|(i, x)| (x - i as f64).abs() < 1e-5),
            "{:?}",
            m.x
        );
    }

    #[test]
    fn bad_params_are_refused_by_name() {
        let refused = |p: LbfgsParams| p.check().unwrap_err().to_string();
        let default = LbfgsParams::default;
        let e = refused(LbfgsParams {
            memory: 0,
            ..default()
        });
        assert_eq!(e, "lbfgs memory 0 is below 1");
        let e = refused(LbfgsParams {
            gradient_tol: f64::NAN,
            ..default()
        });
        assert!(e.contains("gradient_tol NaN"), "{e}");
    }
}
