//! Choosing the final picks: best scores first, spread across the video, no two
//! pictures that look the same (perceptual hash).

use crate::quality::hamming;

/// Hamming distance at or below which two perceptual hashes are the same picture.
pub const DUPLICATE_HAMMING: u32 = 6;

/// Weight of a frame's own score against its similarity to the picks so far
/// (Carbonell & Goldstein's λ): 1 would be plain best-first.
pub const MMR_LAMBDA: f32 = 0.7;

/// How alike two frames are, 0–1: the larger of closeness in time
/// (`exp(−|Δt| / time_scale)`) and likeness in look (1 − hamming / 32: unrelated
/// pictures differ in about half of the 64 hash bits).
pub fn similarity(dt_us: i64, hamming_bits: u32, time_scale_us: f32) -> f32 {
    let time = (-(dt_us.abs() as f32) / time_scale_us.max(1.0)).exp();
    let look = (1.0 - hamming_bits as f32 / 32.0).clamp(0.0, 1.0);
    time.max(look)
}

/// Whether frame `i` may join the frames already chosen.
type Admits<'a> = dyn Fn(&[usize], usize) -> bool + 'a;

/// Maximal-marginal-relevance picks, spread over time and shots, without
/// near-duplicates. Each step takes the frame with the best
/// `λ·score − (1−λ)·similarity to the frames already chosen` ([`MMR_LAMBDA`];
/// similarity in [`similarity`]: close in time or alike in look) among the frames
/// its round admits. Rounds, in order of preference: a new shot, far in time and
/// distinct in look; then distinct in look (a frame within [`DUPLICATE_HAMMING`]
/// bits of a chosen one waits); then (a still or very short video) whatever is
/// left, so `top` picks come back whenever there are that many frames. `shots[i]` is
/// frame i's shot, `None` when unknown (never a clash). Returns indices, best score
/// first, and how many frames were left out as near-duplicates.
pub fn pick_diverse_hashed(
    items: &[(i64, f32)],
    hashes: &[u64],
    shots: &[Option<usize>],
    top: usize,
    min_gap_us: i64,
) -> (Vec<usize>, usize) {
    assert_eq!(items.len(), hashes.len());
    assert_eq!(items.len(), shots.len());
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by(|&a, &b| items[b].1.total_cmp(&items[a].1));
    let distinct = |chosen: &[usize], i: usize| {
        chosen
            .iter()
            .all(|&c| hamming(hashes[c], hashes[i]) > DUPLICATE_HAMMING)
    };
    let new_shot = |chosen: &[usize], i: usize| {
        shots[i].is_none() || chosen.iter().all(|&c| shots[c] != shots[i])
    };
    let far = |chosen: &[usize], i: usize| {
        chosen
            .iter()
            .all(|&c| (items[c].0 - items[i].0).abs() >= min_gap_us)
    };
    let mut chosen: Vec<usize> = Vec::with_capacity(top);
    let rounds: [&Admits; 3] = [
        &|c, i| far(c, i) && new_shot(c, i) && distinct(c, i),
        &|c, i| distinct(c, i),
        &|_, _| true,
    ];
    let best = items
        .iter()
        .map(|it| it.1)
        .fold(f32::MIN, f32::max)
        .max(1e-6);
    let span = items.iter().map(|it| it.0).max().unwrap_or(0)
        - items.iter().map(|it| it.0).min().unwrap_or(0);
    // Frames closer than about a (2·top)-th of the video read as "the same moment".
    let time_scale = ((span as f32) / (2 * top.max(1)) as f32).max(min_gap_us.max(1) as f32);
    let relevance = |chosen: &[usize], i: usize| {
        let sim = chosen
            .iter()
            .map(|&c| {
                similarity(
                    items[c].0 - items[i].0,
                    hamming(hashes[c], hashes[i]),
                    time_scale,
                )
            })
            .fold(0.0f32, f32::max);
        MMR_LAMBDA * items[i].1 / best - (1.0 - MMR_LAMBDA) * sim
    };
    for round in rounds {
        while chosen.len() < top {
            let next = order
                .iter()
                .copied()
                .filter(|&i| !chosen.contains(&i) && round(&chosen, i))
                .map(|i| (i, relevance(&chosen, i)))
                .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
            match next {
                Some((i, _)) => chosen.push(i),
                None => break,
            }
        }
    }
    chosen.sort_by(|&a, &b| items[b].1.total_cmp(&items[a].1));
    let dupes_left_out = order
        .iter()
        .filter(|&&i| !chosen.contains(&i) && !distinct(&chosen, i))
        .count();
    (chosen, dupes_left_out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOOKS: [u64; 3] = [0, u64::MAX, 0xF0F0_F0F0_F0F0_F0F0];

    #[test]
    fn neighbours_of_the_best_frame_give_way() {
        let items = [(0, 0.9), (100, 0.89), (5_000_000, 0.5)];
        let (p, _) = pick_diverse_hashed(&items, &LOOKS, &[None; 3], 2, 1_000_000);
        assert_eq!(p, vec![0, 2]);
    }

    #[test]
    fn fills_up_when_the_gap_leaves_too_few() {
        let items = [(0, 0.9), (100, 0.8), (200, 0.7)];
        let (p, _) = pick_diverse_hashed(&items, &LOOKS, &[None; 3], 3, 1_000_000);
        assert_eq!(p, vec![0, 1, 2]);
    }

    #[test]
    fn one_pick_per_shot_while_other_shots_remain() {
        // Frames 0 and 1 are far apart but in the same shot; frame 2 is weaker, elsewhere.
        let items = [(0, 0.9), (8_000_000, 0.85), (4_000_000, 0.5)];
        let hashes = [0u64, u64::MAX, 0xF0F0_F0F0_F0F0_F0F0];
        let shots = [Some(0), Some(0), Some(1)];
        let (p, _) = pick_diverse_hashed(&items, &hashes, &shots, 2, 1_000_000);
        assert_eq!(p, vec![0, 2]);
        // Asked for more than there are shots: the same shot fills up.
        let (p, _) = pick_diverse_hashed(&items, &hashes, &shots, 3, 1_000_000);
        assert_eq!(p, vec![0, 1, 2]);
    }

    #[test]
    fn near_duplicates_give_way_to_distinct_frames() {
        let items = [(0, 0.9), (5_000_000, 0.85), (9_000_000, 0.5)];
        let hashes = [0u64, 0b11, u64::MAX];
        let (p, skipped) = pick_diverse_hashed(&items, &hashes, &[None; 3], 2, 1_000_000);
        assert_eq!(p, vec![0, 2]);
        assert_eq!(skipped, 1);
        // A still video: duplicates fill up rather than returning too few.
        let (p, _) = pick_diverse_hashed(&items, &[7, 7, 7], &[None; 3], 3, 1_000_000);
        assert_eq!(p.len(), 3);
    }

    #[test]
    fn relevance_weighs_a_distant_moment_over_a_neighbour() {
        // B is nearly as good as A but only 1.2 s after it (another shot); C is weaker
        // but a minute away. Best-first would take A, B; MMR takes A, C.
        let items = [(0, 0.9), (1_200_000, 0.88), (60_000_000, 0.8)];
        let shots = [Some(0), Some(1), Some(2)];
        let (p, _) = pick_diverse_hashed(&items, &LOOKS, &shots, 2, 1_000_000);
        assert_eq!(p, vec![0, 2]);
        // Asked for all three, all three come back, best first.
        let (p, _) = pick_diverse_hashed(&items, &LOOKS, &shots, 3, 1_000_000);
        assert_eq!(p, vec![0, 1, 2]);
    }

    #[test]
    fn similarity_is_time_or_look() {
        assert!(similarity(0, 32, 1e6) > 0.99);
        assert!(similarity(60_000_000, 0, 1e6) > 0.99);
        assert!(similarity(60_000_000, 32, 1e6) < 0.01);
    }

    #[test]
    fn never_more_than_available() {
        assert_eq!(
            pick_diverse_hashed(&[(0, 1.0)], &[0], &[None], 5, 0)
                .0
                .len(),
            1
        );
        assert!(pick_diverse_hashed(&[], &[], &[], 5, 0).0.is_empty());
    }
}
