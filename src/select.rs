//! Choosing the final picks: best scores first, spread across the video.

/// Greedy selection by score with a minimum time gap between picks; if the gap leaves
/// fewer than `top`, the best remaining frames fill the rest (a short video still
/// returns what it has). `items` are `(pts_us, score)`; returns indices, best first.
pub fn pick_diverse(items: &[(i64, f32)], top: usize, min_gap_us: i64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by(|&a, &b| items[b].1.total_cmp(&items[a].1));
    let mut chosen: Vec<usize> = Vec::with_capacity(top);
    for &i in &order {
        if chosen.len() == top {
            break;
        }
        let far = chosen
            .iter()
            .all(|&c| (items[c].0 - items[i].0).abs() >= min_gap_us);
        if far {
            chosen.push(i);
        }
    }
    for &i in &order {
        if chosen.len() == top {
            break;
        }
        if !chosen.contains(&i) {
            chosen.push(i);
        }
    }
    chosen.sort_by(|&a, &b| items[b].1.total_cmp(&items[a].1));
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neighbours_of_the_best_frame_give_way() {
        let items = [(0, 0.9), (100, 0.89), (5_000_000, 0.5)];
        assert_eq!(pick_diverse(&items, 2, 1_000_000), vec![0, 2]);
    }

    #[test]
    fn fills_up_when_the_gap_leaves_too_few() {
        let items = [(0, 0.9), (100, 0.8), (200, 0.7)];
        assert_eq!(pick_diverse(&items, 3, 1_000_000), vec![0, 1, 2]);
    }

    #[test]
    fn never_more_than_available() {
        assert_eq!(pick_diverse(&[(0, 1.0)], 5, 0).len(), 1);
        assert!(pick_diverse(&[], 5, 0).is_empty());
    }
}
