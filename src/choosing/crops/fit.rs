use super::*;

/// Crops of `scene` for each ratio, in order.
pub fn crops(scene: &Scene<'_>, ratios: &[Ratio]) -> Vec<Crop> {
    let boxes = face_boxes(scene);
    ratios
        .iter()
        .map(|r| crop_with(scene, &boxes, *r))
        .collect()
}

/// The crop of `scene` for one ratio.
pub fn crop(scene: &Scene<'_>, ratio: Ratio) -> Crop {
    crop_with(scene, &face_boxes(scene), ratio)
}

/// A face as the search sees it: its visible box in whole pixels, its weight and eyes.
#[derive(Debug, Clone, Copy)]
pub(super) struct FaceBox {
    pub(super) x0: u32,
    pub(super) y0: u32,
    pub(super) x1: u32,
    pub(super) y1: u32,
    pub(super) weight: f64,
    pub(super) eye: (f64, f64),
}

impl FaceBox {
    pub(super) fn fits(&self, w: u32, h: u32) -> bool {
        self.x1 - self.x0 <= w && self.y1 - self.y0 <= h
    }
}

/// Visible face boxes, the main one (largest × confidence) first, at most [`MAX_FACES`].
pub(super) fn face_boxes(scene: &Scene<'_>) -> Vec<FaceBox> {
    let (w, h) = (scene.width as f32, scene.height as f32);
    let mut boxes: Vec<FaceBox> = scene
        .faces
        .iter()
        .filter(|f| {
            f.width.is_finite() && f.height.is_finite() && f.x.is_finite() && f.y.is_finite()
        })
        .filter_map(|f| {
            // Whole pixels that hold the box: floor the start, ceil the end.
            let x0 = f.x.floor().clamp(0.0, w) as u32;
            let y0 = f.y.floor().clamp(0.0, h) as u32;
            let x1 = (f.x + f.width).ceil().clamp(0.0, w) as u32;
            let y1 = (f.y + f.height).ceil().clamp(0.0, h) as u32;
            if x1 <= x0 || y1 <= y0 {
                return None;
            }
            let (ex, ey) = crate::judging::composition::eye_point(f);
            Some(FaceBox {
                x0,
                y0,
                x1,
                y1,
                weight: f64::from((x1 - x0) * (y1 - y0)) * f64::from(f.score.clamp(0.01, 1.0)),
                eye: (f64::from(ex), f64::from(ey)),
            })
        })
        .collect();
    boxes.sort_by(|a, b| b.weight.total_cmp(&a.weight));
    boxes.truncate(MAX_FACES);
    boxes
}

/// How one position does, compared field by field (see the module docs).
#[derive(Debug, Clone, Copy)]
pub(super) struct Eval {
    pub(super) faces: Placement,
    pub(super) look: f64,
    /// Tie-break: distance from the centred position.
    pub(super) off_centre: f64,
}

/// Equal up to float noise.
pub(super) fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

impl Eval {
    pub(super) fn better_than(&self, o: &Eval) -> bool {
        if self.faces != o.faces {
            return self.faces.better_than(&o.faces);
        }
        if !close(self.look, o.look) {
            return self.look > o.look;
        }
        self.off_centre < o.off_centre
    }
}

/// Where a rectangle `[x, x + cw) × [y, y + ch)` leaves a face: wholly in, wholly out,
/// or cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Cover {
    In,
    Out,
    Cut,
}

pub(super) fn cover(f: &FaceBox, x: u32, y: u32, cw: u32, ch: u32) -> Cover {
    if f.x0 >= x && f.x1 <= x + cw && f.y0 >= y && f.y1 <= y + ch {
        Cover::In
    } else if f.x1 <= x || f.x0 >= x + cw || f.y1 <= y || f.y0 >= y + ch {
        Cover::Out
    } else {
        Cover::Cut
    }
}

/// Share of a face's box inside the rectangle.
pub(super) fn covered(f: &FaceBox, x: u32, y: u32, cw: u32, ch: u32) -> f64 {
    let ix = (f.x1.min(x + cw)).saturating_sub(f.x0.max(x));
    let iy = (f.y1.min(y + ch)).saturating_sub(f.y0.max(y));
    f64::from(ix) * f64::from(iy) / (f64::from(f.x1 - f.x0) * f64::from(f.y1 - f.y0))
}

/// What a position does to the faces: the first three keys of the ranking.
#[derive(Debug, Clone, Copy)]
pub(super) struct Placement {
    /// 1 when the main face is whole; its covered share when it is larger than the crop.
    pub(super) main: f64,
    /// Faces cut, not counting a main face larger than the crop (cut wherever it goes).
    pub(super) cut: u32,
    /// Weight of the faces wholly inside.
    pub(super) kept: f64,
}

impl PartialEq for Placement {
    fn eq(&self, o: &Self) -> bool {
        close(self.main, o.main) && self.cut == o.cut && close(self.kept, o.kept)
    }
}

impl Placement {
    /// Main face first, then fewest cut, then most kept.
    pub(super) fn better_than(&self, o: &Placement) -> bool {
        if !close(self.main, o.main) {
            return self.main > o.main;
        }
        if self.cut != o.cut {
            return self.cut < o.cut;
        }
        !close(self.kept, o.kept) && self.kept > o.kept
    }
}

pub(super) fn placement(boxes: &[FaceBox], (x, y, cw, ch): (u32, u32, u32, u32)) -> Placement {
    let main_too_big = boxes.first().is_some_and(|m| !m.fits(cw, ch));
    let mut p = Placement {
        main: 1.0,
        cut: 0,
        kept: 0.0,
    };
    for (i, b) in boxes.iter().enumerate() {
        match cover(b, x, y, cw, ch) {
            Cover::In => p.kept += b.weight,
            Cover::Cut if i > 0 || !main_too_big => p.cut += 1,
            _ => {}
        }
    }
    if let Some(m) = boxes.first() {
        p.main = if main_too_big {
            covered(m, x, y, cw, ch)
        } else {
            f64::from(u8::from(cover(m, x, y, cw, ch) == Cover::In))
        };
    }
    p
}

/// Positions `0..=slack` worth trying along one axis: edges, centre, a grid, where the
/// crop's edges meet face edges (`spans`: each face's start and end on this axis), and
/// `targets` (wanted start positions, rounded and clamped).
pub(super) fn axis_positions(
    slack: u32,
    len: u32,
    spans: &[(u32, u32)],
    targets: &[f64],
) -> Vec<u32> {
    if slack == 0 {
        return vec![0];
    }
    let mut p: Vec<u32> = (0..=GRID_STEPS)
        .map(|i| (u64::from(slack) * u64::from(i) / u64::from(GRID_STEPS)) as u32)
        .collect();
    p.push(slack / 2);
    for &(a, b) in spans {
        // Crop starts at the face's start / just after its end; crop ends at the face's
        // end / just before its start.
        p.extend(
            [Some(a), Some(b), b.checked_sub(len), a.checked_sub(len)]
                .into_iter()
                .flatten(),
        );
    }
    p.extend(
        targets
            .iter()
            .filter(|t| t.is_finite())
            .map(|t| t.round().max(0.0) as u32),
    );
    for v in &mut p {
        *v = (*v).min(slack);
    }
    p.sort_unstable();
    p.dedup();
    p
}

/// The look of a position, 0–1, and its parts for the reason.
pub(super) struct Look {
    pub(super) score: f64,
    pub(super) eyes: Option<f64>,
    pub(super) energy: Option<f64>,
    pub(super) room: Option<f64>,
}

pub(super) fn look(
    scene: &Scene<'_>,
    boxes: &[FaceBox],
    kept_share: f64,
    (x, y, cw, ch): (u32, u32, u32, u32),
) -> Look {
    let (fw, fh) = (f64::from(scene.width), f64::from(scene.height));
    let (x0, y0, x1, y1) = (
        f64::from(x),
        f64::from(y),
        f64::from(x + cw),
        f64::from(y + ch),
    );
    let eyes = boxes.first().map(|m| {
        let (nx, ny) = (
            (m.eye.0 - x0) / f64::from(cw),
            (m.eye.1 - y0) / f64::from(ch),
        );
        if !(0.0..=1.0).contains(&nx) || !(0.0..=1.0).contains(&ny) {
            return 0.0;
        }
        let v = (1.0 - (ny - 1.0 / 3.0).abs() * 3.0).max(0.0);
        let h = [1.0 / 3.0, 0.5, 2.0 / 3.0]
            .iter()
            .map(|p| (1.0 - (nx - p).abs() / 0.25).max(0.0))
            .fold(0.0, f64::max);
        0.7 * v + 0.3 * h
    });
    let energy = scene.energy.filter(|e| e.total() > 0.0).map(|e| {
        let (u0, v0, u1, v1) = (x0 / fw, y0 / fh, x1 / fw, y1 / fh);
        let (um, vm) = ((u0 + u1) / 2.0, (v0 + v1) / 2.0);
        let share = e.inside(u0, v0, u1, v1) / e.total();
        let balance = |a: f64, b: f64| {
            if a + b > 0.0 {
                1.0 - (a - b).abs() / (a + b)
            } else {
                1.0
            }
        };
        let bx = balance(e.inside(u0, v0, um, v1), e.inside(um, v0, u1, v1));
        let by = balance(e.inside(u0, v0, u1, vm), e.inside(u0, vm, u1, v1));
        (share, (bx + by) / 2.0)
    });
    let room = scene
        .editable
        .filter(|r| r.width > 0.0 && r.height > 0.0 && r.score >= ROOM_FOR_TITLE)
        .map(|r| {
            let (rx0, ry0) = (f64::from(r.x) * fw, f64::from(r.y) * fh);
            let (rx1, ry1) = (
                rx0 + f64::from(r.width) * fw,
                ry0 + f64::from(r.height) * fh,
            );
            let ix = (rx1.min(x1) - rx0.max(x0)).max(0.0);
            let iy = (ry1.min(y1) - ry0.max(y0)).max(0.0);
            ix * iy / ((rx1 - rx0) * (ry1 - ry0))
        });
    // Weighted mean over the parts that exist for this frame.
    let mut parts: Vec<(f64, f64)> = Vec::new();
    if let Some(e) = eyes {
        parts.push((0.4, e));
        parts.push((0.2, kept_share));
    }
    if let Some((share, balance)) = energy {
        let with_faces = eyes.is_some();
        parts.push((if with_faces { 0.15 } else { 0.45 }, share));
        parts.push((if with_faces { 0.05 } else { 0.3 }, balance));
    }
    if let Some(r) = room {
        parts.push((if eyes.is_some() { 0.2 } else { 0.25 }, r));
    }
    let den: f64 = parts.iter().map(|p| p.0).sum();
    let score = if den > 0.0 {
        parts.iter().map(|p| p.0 * p.1).sum::<f64>() / den
    } else {
        // Nothing known about the picture: the most of it kept.
        (f64::from(cw) * f64::from(ch)) / (fw * fh)
    };
    Look {
        score,
        eyes,
        energy: energy.map(|e| e.0),
        room,
    }
}

pub(super) fn crop_with(scene: &Scene<'_>, boxes: &[FaceBox], ratio: Ratio) -> Crop {
    let (w, h) = (scene.width, scene.height);
    let (cw, ch) = ratio.largest_in(w, h);
    let label = ratio.label();
    if cw == 0 || ch == 0 {
        return Crop {
            ratio: label.clone(),
            x: 0,
            y: 0,
            width: 0,
            height: 0,
            score: 0.0,
            reason: format!(
                "the frame ({w}×{h}) is smaller than the smallest {label} picture ({}×{} px): \
                 it would need upscaling",
                ratio.w, ratio.h
            ),
            faces_kept: 0,
            faces_cut: 0,
            cuts_faces: false,
            fits: false,
            upscale: true,
            asked: false,
        };
    }
    let (sx, sy) = (w - cw, h - ch);
    let main = boxes.first();
    let energy_centre = scene.energy.map(|e| e.centroid);
    let mut tx = Vec::new();
    let mut ty = Vec::new();
    if let Some(m) = main {
        for p in [1.0 / 3.0, 0.5, 2.0 / 3.0] {
            tx.push(m.eye.0 - p * f64::from(cw));
        }
        ty.push(m.eye.1 - f64::from(ch) / 3.0);
    }
    if let Some((u, v)) = energy_centre {
        tx.push(u * f64::from(w) - f64::from(cw) / 2.0);
        ty.push(v * f64::from(h) - f64::from(ch) / 2.0);
    }
    let xs = axis_positions(
        sx,
        cw,
        &boxes.iter().map(|b| (b.x0, b.x1)).collect::<Vec<_>>(),
        &tx,
    );
    let ys = axis_positions(
        sy,
        ch,
        &boxes.iter().map(|b| (b.y0, b.y1)).collect::<Vec<_>>(),
        &ty,
    );
    let total_weight: f64 = boxes.iter().map(|b| b.weight).sum();
    let evaluate = |x: u32, y: u32| -> Eval {
        let faces = placement(boxes, (x, y, cw, ch));
        let kept_share = if total_weight > 0.0 {
            faces.kept / total_weight
        } else {
            1.0
        };
        Eval {
            faces,
            look: look(scene, boxes, kept_share, (x, y, cw, ch)).score,
            off_centre: (f64::from(x) - f64::from(sx) / 2.0).abs()
                + (f64::from(y) - f64::from(sy) / 2.0).abs(),
        }
    };
    let mut best = (0, 0, evaluate(0, 0));
    for &y in &ys {
        for &x in &xs {
            let e = evaluate(x, y);
            if e.better_than(&best.2) {
                best = (x, y, e);
            }
        }
    }
    let (x, y, _) = best;
    describe(scene, boxes, ratio, (x, y, cw, ch))
}

/// The crop at its chosen place: counts, score and the reason in a few words.
pub(super) fn describe(
    scene: &Scene<'_>,
    boxes: &[FaceBox],
    ratio: Ratio,
    (x, y, cw, ch): (u32, u32, u32, u32),
) -> Crop {
    let covers: Vec<Cover> = boxes.iter().map(|b| cover(b, x, y, cw, ch)).collect();
    let count = |c: Cover| covers.iter().filter(|&&v| v == c).count() as u32;
    let (kept, cut) = (count(Cover::In), count(Cover::Cut));
    let total_weight: f64 = boxes.iter().map(|b| b.weight).sum();
    let kept_weight: f64 = boxes
        .iter()
        .zip(&covers)
        .filter(|(_, &c)| c == Cover::In)
        .map(|(b, _)| b.weight)
        .sum();
    let kept_share = if total_weight > 0.0 {
        kept_weight / total_weight
    } else {
        1.0
    };
    let l = look(scene, boxes, kept_share, (x, y, cw, ch));
    let main_cut = covers.first() == Some(&Cover::Cut);
    let others_cut = cut - u32::from(main_cut);
    let penalty = if main_cut { 0.5 } else { 1.0 } * (1.0 - 0.15 * f64::from(others_cut)).max(0.4);
    let n = boxes.len() as u32;
    let label = ratio.label();
    let mut words: Vec<String> = Vec::new();
    if cw == scene.width && ch == scene.height {
        words.push("the whole frame".into());
    }
    if n == 0 {
        words.push(match l.energy {
            Some(e) if e < 0.999 => format!("no faces: keeps {:.0} % of the detail", 100.0 * e),
            _ => "no faces".into(),
        });
    } else {
        let faces = |k: u32| {
            if k == 1 {
                "face".to_string()
            } else {
                format!("{k} faces")
            }
        };
        words.push(match (kept, cut) {
            (k, 0) if k == n && n == 1 => "keeps the face".into(),
            (k, 0) if k == n => format!("keeps all {n} faces"),
            (k, 0) => {
                format!("keeps {k} of {n} faces whole, cuts none (the faces are too far apart for {label})")
            }
            (_, c) if main_cut && !boxes[0].fits(cw, ch) => format!(
                "cuts {}: the main face is larger than the {label} crop",
                faces(c)
            ),
            (_, c) => format!("cuts {}: no {label} crop holds them whole", faces(c)),
        });
        if l.eyes.is_some_and(|e| e >= 0.7) {
            words.push("eyes on the upper third".into());
        }
    }
    if l.room.is_some_and(|r| r >= 0.8) {
        words.push("keeps the room for a title".into());
    }
    Crop {
        ratio: label,
        x,
        y,
        width: cw,
        height: ch,
        score: (l.score * penalty).clamp(0.0, 1.0) as f32,
        reason: words.join(", "),
        faces_kept: kept,
        faces_cut: cut,
        cuts_faces: cut > 0,
        fits: kept == n,
        upscale: false,
        asked: false,
    }
}
