//! Choosing the final picks: best scores first, spread across the video, no two
//! pictures that look the same (perceptual hash).

use crate::quality::hamming;

/// Hamming distance at or below which two perceptual hashes are the same picture.
pub const DUPLICATE_HAMMING: u32 = 6;

/// Whether frame `i` may join the frames already chosen.
type Admits<'a> = dyn Fn(&[usize], usize) -> bool + 'a;

/// Best scores first, spread over time and shots, without near-duplicates: a
/// frame whose hash is within [`DUPLICATE_HAMMING`] bits of an already chosen one is
/// skipped while other frames remain. Order of preference: a new shot, far in time
/// and distinct in look; then distinct in look; then (a still or very short video)
/// whatever is left, best first, so `top` picks come back whenever there are that
/// many frames. `shots[i]` is frame i's shot, `None` when unknown (never a clash).
/// Returns indices, best first, and how many frames were left out as near-duplicates.
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
    // Each round takes the best frames that pass its test, until `top` are chosen.
    let mut chosen: Vec<usize> = Vec::with_capacity(top);
    let rounds: [&Admits; 3] = [
        &|c, i| far(c, i) && new_shot(c, i) && distinct(c, i),
        &|c, i| distinct(c, i),
        &|_, _| true,
    ];
    for round in rounds {
        for &i in &order {
            if chosen.len() == top {
                break;
            }
            if !chosen.contains(&i) && round(&chosen, i) {
                chosen.push(i);
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
