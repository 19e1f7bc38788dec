//! The embedded model's complete-tree layout (what `score_window` runs) answers bit for bit as
//! the node walk over the artifact's arrays.

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::SeedableRng;
use vigil_anomaly::{AnomalyModel, CompleteTrees};
use vigil_features::window::VigilWindowV1;

#[test]
fn embedded_model_layout_matches_the_node_walk() {
    let trees = AnomalyModel::embedded().unwrap().model.trees;
    let complete = CompleteTrees::new(&trees).expect("the embedded model is shallow");
    let mut rng = ChaCha8Rng::seed_from_u64(0x9e37_79b9_7f4a_7c15);
    let mut x = [0f32; VigilWindowV1::LEN];
    for sample in 0..20_000 {
        for (j, v) in x.iter_mut().enumerate() {
            let r: u32 = rng.r#gen();
            // Counts 0..=10 (mostly small, as windows are), flags 0/1, reputations in [0, 1].
            *v = if j + 2 >= VigilWindowV1::LEN {
                (r % 101) as f32 / 100.0
            } else if sample % 2 == 0 {
                (r % 11) as f32
            } else {
                (r % 3 / 2) as f32
            };
        }
        let (mut a, mut b) = ([0f32; 3], [0f32; 3]);
        trees.raw_scores(&x, &mut a);
        complete.raw_scores(&x, &mut b);
        assert_eq!(a.map(f32::to_bits), b.map(f32::to_bits), "x {x:?}");
        trees.probabilities(&x, &mut a);
        complete.probabilities(&x, &mut b);
        assert_eq!(a.map(f32::to_bits), b.map(f32::to_bits), "x {x:?}");
    }
}
