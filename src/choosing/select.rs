//! Choosing the final picks: best scores first, spread across the video, no two
//! pictures that look the same to a viewer ([`crate::screening::look::Look`], bars cropped), and
//! faces first where the niche wants them.

/// Look distance at or below which two frames are the same picture.
pub use crate::screening::look::SAME_LOOK;

/// Weight of a frame's own score against its similarity to the picks so far
/// (Carbonell & Goldstein's λ): 1 would be plain best-first.
pub const MMR_LAMBDA: f32 = 0.7;

/// How alike two frames are, 0–1: the larger of closeness in time
/// (`exp(−|Δt| / time_scale)`) and likeness in look (1 at distance 0, 0 from twice
/// [`SAME_LOOK`] on).
pub fn similarity(dt_us: i64, look_distance: f32, time_scale_us: f32) -> f32 {
    let time = (-(dt_us.abs() as f32) / time_scale_us.max(1.0)).exp();
    let look = (1.0 - look_distance / (2.0 * SAME_LOOK)).clamp(0.0, 1.0);
    time.max(look)
}

/// How much a niche wants faces among its picks (see `profiles`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FacePolicy {
    /// Faces count only through the score.
    Score,
    /// Each shot with a clean face is covered before shots without one.
    First,
    /// Clean faces whenever there are any: every face shot, look and framing before any
    /// frame without a face (but never the same face picture twice before another
    /// picture: identical moments of a still are not two thumbnails); then one frame of
    /// each picture without a face; then more face moments apart in time.
    Always,
}

/// One frame the choice is made from.
#[derive(Debug, Clone, Copy)]
pub struct Choice {
    pub pts_us: i64,
    pub score: f32,
    /// The shot it belongs to; `None` when unknown (never a clash).
    pub shot: Option<usize>,
    /// A clean, reasonably large face is in it.
    pub face: bool,
}

/// Whether frame `i` may join the frames already chosen.
type Admits<'a> = dyn Fn(&[usize], usize) -> bool + 'a;

/// Maximal-marginal-relevance picks, spread over time, shots and looks. Each step
/// takes the frame with the best `λ·score − (1−λ)·similarity to the frames already
/// chosen` ([`MMR_LAMBDA`]; [`similarity`]: close in time or alike in look) among the
/// frames its round admits. Rounds, in order of preference: a new shot, far in time
/// and a new look (faces first under [`FacePolicy::First`]); then a new shot and a new
/// look at any distance; then a new shot far in time in another framing (the same
/// picture framed again — not the same framing again, which is how a spoiled spell of
/// a shot looks); then a new look within a shot; then far in time; then (a still or
/// very short video) whatever is left, so `top` picks come
/// back whenever there are that many frames. Under [`FacePolicy::Always`] the first
/// four rounds are run for face frames before any is run for the others, and after one
/// frame of each other picture, face frames far in time come before the rest.
/// `distance(i, j)` is the
/// look distance of frames i and j, `same_framing(i, j)` whether they show one
/// framing. Returns indices, best score first, and how many frames were left out as
/// the same picture as a pick.
pub fn pick_diverse(
    items: &[Choice],
    distance: &dyn Fn(usize, usize) -> f32,
    same_framing: &dyn Fn(usize, usize) -> bool,
    top: usize,
    min_gap_us: i64,
    faces: FacePolicy,
) -> (Vec<usize>, usize) {
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by(|&a, &b| items[b].score.total_cmp(&items[a].score));
    let new_look = |chosen: &[usize], i: usize| chosen.iter().all(|&c| distance(c, i) > SAME_LOOK);
    let new_shot = |chosen: &[usize], i: usize| {
        items[i].shot.is_none() || chosen.iter().all(|&c| items[c].shot != items[i].shot)
    };
    let far = |chosen: &[usize], i: usize| {
        chosen
            .iter()
            .all(|&c| (items[c].pts_us - items[i].pts_us).abs() >= min_gap_us)
    };
    let face = |_: &[usize], i: usize| items[i].face;
    let diverse = |c: &[usize], i: usize| far(c, i) && new_shot(c, i) && new_look(c, i);
    let reframed = |c: &[usize], i: usize| {
        far(c, i) && new_shot(c, i) && c.iter().all(|&k| !same_framing(k, i))
    };
    let fresh = |c: &[usize], i: usize| new_shot(c, i) && new_look(c, i);
    let any = |_: &[usize], _: usize| true;
    let plain: [&Admits; 6] = [&diverse, &fresh, &reframed, &new_look, &far, &any];
    let mut rounds: Vec<Box<Admits>> = Vec::new();
    match faces {
        FacePolicy::Score => rounds.extend(plain.map(|r| Box::new(r) as Box<Admits>)),
        FacePolicy::First => {
            rounds.push(Box::new(|c: &[usize], i| face(c, i) && diverse(c, i)));
            rounds.extend(plain.map(|r| Box::new(r) as Box<Admits>));
        }
        FacePolicy::Always => {
            // Every face shot, look and framing; then one frame of each new picture
            // without a face; then more face moments apart in time; then the rest.
            for r in &plain[..4] {
                rounds.push(Box::new(move |c: &[usize], i| face(c, i) && r(c, i)));
            }
            rounds.push(Box::new(diverse));
            rounds.push(Box::new(fresh));
            rounds.push(Box::new(move |c: &[usize], i| face(c, i) && far(c, i)));
            rounds.extend(plain[2..].iter().map(|&r| Box::new(r) as Box<Admits>));
        }
    }
    let best = items
        .iter()
        .map(|it| it.score)
        .fold(f32::MIN, f32::max)
        .max(1e-6);
    let span = items.iter().map(|it| it.pts_us).max().unwrap_or(0)
        - items.iter().map(|it| it.pts_us).min().unwrap_or(0);
    // Frames closer than about a (2·top)-th of the video read as "the same moment".
    let time_scale = ((span as f32) / (2 * top.max(1)) as f32).max(min_gap_us.max(1) as f32);
    let relevance = |chosen: &[usize], i: usize| {
        let sim = chosen
            .iter()
            .map(|&c| {
                similarity(
                    items[c].pts_us - items[i].pts_us,
                    distance(c, i),
                    time_scale,
                )
            })
            .fold(0.0f32, f32::max);
        MMR_LAMBDA * items[i].score / best - (1.0 - MMR_LAMBDA) * sim
    };
    let mut chosen: Vec<usize> = Vec::with_capacity(top);
    for round in &rounds {
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
    chosen.sort_by(|&a, &b| items[b].score.total_cmp(&items[a].score));
    let same_picture_left_out = order
        .iter()
        .filter(|&&i| !chosen.contains(&i) && !new_look(&chosen, i))
        .count();
    (chosen, same_picture_left_out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choices(items: &[(i64, f32)], shots: &[Option<usize>]) -> Vec<Choice> {
        items
            .iter()
            .zip(shots)
            .map(|(&(pts_us, score), &shot)| Choice {
                pts_us,
                score,
                shot,
                face: false,
            })
            .collect()
    }

    /// Every frame a picture of its own.
    fn apart(i: usize, j: usize) -> f32 {
        if i == j {
            0.0
        } else {
            1.0
        }
    }

    fn never(_: usize, _: usize) -> bool {
        false
    }

    fn pick(items: &[Choice], top: usize) -> Vec<usize> {
        pick_diverse(items, &apart, &never, top, 1_000_000, FacePolicy::Score).0
    }

    #[test]
    fn neighbours_of_the_best_frame_give_way() {
        let items = choices(&[(0, 0.9), (100, 0.89), (5_000_000, 0.5)], &[None; 3]);
        assert_eq!(pick(&items, 2), vec![0, 2]);
    }

    #[test]
    fn fills_up_when_the_gap_leaves_too_few() {
        let items = choices(&[(0, 0.9), (100, 0.8), (200, 0.7)], &[None; 3]);
        assert_eq!(pick(&items, 3), vec![0, 1, 2]);
    }

    #[test]
    fn one_pick_per_shot_while_other_shots_remain() {
        // Frames 0 and 1 are far apart but in the same shot; frame 2 is weaker, elsewhere.
        let items = choices(
            &[(0, 0.9), (8_000_000, 0.85), (4_000_000, 0.5)],
            &[Some(0), Some(0), Some(1)],
        );
        assert_eq!(pick(&items, 2), vec![0, 2]);
        // Asked for more than there are shots: the same shot fills up.
        assert_eq!(pick(&items, 3), vec![0, 1, 2]);
    }

    #[test]
    fn the_same_picture_gives_way_to_another() {
        let items = choices(&[(0, 0.9), (5_000_000, 0.85), (9_000_000, 0.5)], &[None; 3]);
        // Frames 0 and 1 show one picture (another framing), frame 2 another.
        let looks = |i: usize, j: usize| if i.max(j) == 2 && i != j { 0.8 } else { 0.1 };
        let (p, skipped) = pick_diverse(&items, &looks, &never, 2, 1_000_000, FacePolicy::Score);
        assert_eq!(p, vec![0, 2]);
        assert_eq!(skipped, 1);
        // A still video: the same picture fills up rather than returning too few.
        let (p, _) = pick_diverse(&items, &|_, _| 0.0, &never, 3, 1_000_000, FacePolicy::Score);
        assert_eq!(p.len(), 3);
    }

    #[test]
    fn a_reframed_picture_comes_before_a_neighbour_in_time() {
        // 0 and 1 show one photo in two shots; 2 is 0.5 s after 0 in its shot.
        let items = choices(
            &[(0, 0.9), (20_000_000, 0.6), (500_000, 0.85)],
            &[Some(0), Some(1), Some(0)],
        );
        let looks = |i: usize, j: usize| if i == j || i.max(j) == 2 { 0.0 } else { 0.1 };
        let (p, _) = pick_diverse(&items, &looks, &never, 2, 1_000_000, FacePolicy::Score);
        assert_eq!(p, vec![0, 1]);
    }

    #[test]
    fn the_same_framing_in_another_shot_waits_for_the_fill() {
        // 1 is frame 0's framing again (a spoiled spell cut as a shot of its own), 2 the
        // same photo framed otherwise: the other framing comes first.
        let items = choices(
            &[(0, 0.9), (10_000_000, 0.8), (20_000_000, 0.6)],
            &[Some(0), Some(1), Some(2)],
        );
        let looks = |_: usize, _: usize| 0.1;
        let framing = |i: usize, j: usize| i.min(j) == 0 && i.max(j) == 1;
        let (p, _) = pick_diverse(&items, &looks, &framing, 2, 1_000_000, FacePolicy::Score);
        assert_eq!(p, vec![0, 2]);
        let (p, _) = pick_diverse(&items, &looks, &never, 2, 1_000_000, FacePolicy::Score);
        assert_eq!(p, vec![0, 1]);
    }

    #[test]
    fn faces_first_covers_every_face_shot() {
        // Scenery scores higher; two face shots must still be picked first.
        let mut items = choices(
            &[
                (0, 0.9),
                (10_000_000, 0.88),
                (20_000_000, 0.6),
                (30_000_000, 0.55),
            ],
            &[Some(0), Some(1), Some(2), Some(3)],
        );
        items[2].face = true;
        items[3].face = true;
        let (p, _) = pick_diverse(&items, &apart, &never, 2, 1_000_000, FacePolicy::Score);
        assert_eq!(p, vec![0, 1]);
        let (p, _) = pick_diverse(&items, &apart, &never, 2, 1_000_000, FacePolicy::First);
        assert_eq!(p, vec![2, 3]);
        let (p, _) = pick_diverse(&items, &apart, &never, 3, 1_000_000, FacePolicy::First);
        assert_eq!(p, vec![0, 2, 3]);
    }

    #[test]
    fn faces_always_takes_every_face_look_before_anything_else() {
        // One face shot with two looks, and better scenery: vlog takes both faces.
        let mut items = choices(
            &[
                (0, 0.9),
                (10_000_000, 0.5),
                (14_000_000, 0.45),
                (30_000_000, 0.8),
            ],
            &[Some(0), Some(1), Some(1), Some(2)],
        );
        items[1].face = true;
        items[2].face = true;
        let (p, _) = pick_diverse(&items, &apart, &never, 2, 1_000_000, FacePolicy::First);
        assert_eq!(p, vec![0, 1]);
        let (p, _) = pick_diverse(&items, &apart, &never, 2, 1_000_000, FacePolicy::Always);
        assert_eq!(p, vec![1, 2]);
        // The same face moment again (same shot, same look, within the minimum gap)
        // waits for the scenery.
        let alike = |i: usize, j: usize| {
            if i.min(j) == 1 && i.max(j) == 2 {
                0.1
            } else {
                apart(i, j)
            }
        };
        let (p, _) = pick_diverse(&items, &alike, &never, 2, 5_000_000, FacePolicy::Always);
        assert_eq!(p, vec![0, 1]);
    }

    #[test]
    fn faces_always_fills_with_face_moments_after_one_frame_of_each_other_picture() {
        // One face shot (frames 0, 1, 2 apart in time, one look) and two scenery shots
        // of one look (3, 4) that score higher.
        let mut items = choices(
            &[
                (0, 0.5),
                (5_000_000, 0.5),
                (10_000_000, 0.5),
                (20_000_000, 0.9),
                (30_000_000, 0.9),
            ],
            &[Some(0), Some(0), Some(0), Some(1), Some(2)],
        );
        for it in &mut items[..3] {
            it.face = true;
        }
        let looks = |i: usize, j: usize| if (i < 3) == (j < 3) { 0.1 } else { 1.0 };
        let (mut p, _) = pick_diverse(&items, &looks, &never, 4, 1_000_000, FacePolicy::Always);
        p.sort_unstable();
        // The face shot, one scenery picture, then the other face moments.
        assert_eq!(p[..3], [0, 1, 2]);
        assert!(p[3] >= 3, "{p:?}");
    }

    #[test]
    fn relevance_weighs_a_distant_moment_over_a_neighbour() {
        // B is nearly as good as A but only 1.2 s after it (another shot); C is weaker
        // but a minute away. Best-first would take A, B; MMR takes A, C.
        let items = choices(
            &[(0, 0.9), (1_200_000, 0.88), (60_000_000, 0.8)],
            &[Some(0), Some(1), Some(2)],
        );
        assert_eq!(pick(&items, 2), vec![0, 2]);
        // Asked for all three, all three come back, best first.
        assert_eq!(pick(&items, 3), vec![0, 1, 2]);
    }

    #[test]
    fn similarity_is_time_or_look() {
        assert!(similarity(0, 1.0, 1e6) > 0.99);
        assert!(similarity(60_000_000, 0.0, 1e6) > 0.99);
        assert!(similarity(60_000_000, 1.0, 1e6) < 0.01);
    }

    #[test]
    fn never_more_than_available() {
        let one = choices(&[(0, 1.0)], &[None]);
        assert_eq!(pick(&one, 5).len(), 1);
        assert!(pick(&[], 5).is_empty());
    }
}
