//! Crops: for each thumbnail shape (16:9, 1:1, 4:5, 9:16 and any ratio the caller
//! asks), the rectangle of a pick that keeps its faces whole and its subject, in the
//! picture's own pixels (upright, full size), with the exact ratio.
//!
//! **Size.** The largest rectangle of exactly the ratio that fits the frame:
//! `k·rw × k·rh` for the reduced ratio `rw:rh` and the largest whole `k`, so
//! `width·rh == height·rw` holds to the pixel and the crop keeps all the resolution the
//! frame has. A smaller crop never keeps more faces whole, so the size is not traded
//! for framing. A frame smaller than `rw × rh` pixels has no such rectangle: `upscale`
//! (the shape needs the picture enlarged), width and height 0.
//!
//! **Position.** Candidate positions along each axis: the frame's edges and centre, a
//! coarse grid, every place where an edge of the crop meets an edge of a face box
//! (every run of positions that cuts no face starts or ends at one of those, so the
//! best face-keeping position is always among them), where the main face's eyes land
//! on the upper third, and where the subject's energy is centred. Each is ranked, in
//! this order, by:
//! 1. the main face (largest × confidence) whole — or, when it is larger than the crop,
//!    as much of it as possible;
//! 2. fewest faces cut: a face is wholly in or wholly out whenever some position allows;
//! 3. most face weight (box area × confidence) kept;
//! 4. the look ([`Crop::score`]): the main face's eyes near the upper third (and near a
//!    vertical third or the centre line), the subject's gradient energy kept and
//!    balanced, the editable region (room for a title) kept.
//!
//! Face boxes that leave the frame count by their visible part.

use serde::Serialize;

use crate::error::{FramepickError, Result};
use crate::judging::editability::{EditableRegion, ROOM_FOR_TITLE};
use crate::judging::faces::Face;

/// The four shapes every candidate gets: video thumbnail, square post, portrait post,
/// story / short cover.
pub const DEFAULT_RATIOS: [Ratio; 4] = [
    Ratio { w: 16, h: 9 },
    Ratio { w: 1, h: 1 },
    Ratio { w: 4, h: 5 },
    Ratio { w: 9, h: 16 },
];

/// Most extra ratios a caller may ask for (each costs a search per candidate and an
/// image per pick).
pub const MAX_RATIOS: usize = 12;
/// Largest reduced ratio term: the crop's size steps by it, so larger terms would make
/// "exact" crops of ordinary frames impossible.
const MAX_TERM: u64 = 10_000;
/// Most faces the search weighs (the largest ones); more only slow it down.
const MAX_FACES: usize = 32;
/// Grid steps tried along an axis besides the face-driven positions.
const GRID_STEPS: u32 = 16;

/// An aspect ratio `w:h` in lowest terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ratio {
    pub w: u32,
    pub h: u32,
}

impl Ratio {
    /// `w:h` reduced to lowest terms; both must be positive, neither over 10 000 once
    /// reduced, and the shape no flatter than 20:1 either way.
    pub fn new(w: u64, h: u64) -> Result<Self> {
        if w == 0 || h == 0 {
            return Err(FramepickError::invalid(format!(
                "crop ratio {w}:{h} has a zero term"
            )));
        }
        let g = gcd(w, h);
        let (rw, rh) = (w / g, h / g);
        if rw > MAX_TERM || rh > MAX_TERM || rw > 20 * rh || rh > 20 * rw {
            return Err(FramepickError::invalid(format!(
                "crop ratio {w}:{h} is out of range (terms up to {MAX_TERM} in lowest terms, \
                 at most 20:1 either way)"
            )));
        }
        Ok(Self {
            w: rw as u32,
            h: rh as u32,
        })
    }

    /// `"16:9"`, `"4:5"`, `"1.91:1"` (up to three decimals), also with `x` or `/` between
    /// the terms. Anything else is `INVALID_ARGUMENT`.
    pub fn parse(s: &str) -> Result<Self> {
        let bad = || {
            FramepickError::invalid(format!(
                "crop ratio '{s}': expected W:H with positive numbers, e.g. 16:9 or 1.91:1"
            ))
        };
        let t = s.trim();
        let (a, b) = t.split_once([':', 'x', 'X', '/']).ok_or_else(bad)?;
        let (a, da) = decimal(a.trim()).ok_or_else(bad)?;
        let (b, db) = decimal(b.trim()).ok_or_else(bad)?;
        // Same number of decimals on both sides: 1.91:1 → 191:100.
        let d = da.max(db);
        let (a, b) = (a * 10u64.pow(d - da), b * 10u64.pow(d - db));
        Self::new(a, b).map_err(|e| match e {
            FramepickError::InvalidArgument { detail } => {
                FramepickError::invalid(format!("crop ratio '{s}': {detail}"))
            }
            other => other,
        })
    }

    /// `"16:9"`: the label crops carry (lowest terms, so `"32:18"` asked reads `"16:9"`).
    pub fn label(&self) -> String {
        format!("{}:{}", self.w, self.h)
    }

    /// The largest `k·w × k·h` inside `width × height` (0×0 when none).
    pub fn largest_in(&self, width: u32, height: u32) -> (u32, u32) {
        let k = (width / self.w).min(height / self.h);
        (k * self.w, k * self.h)
    }
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// `"12"` → (12, 0), `"1.91"` → (191, 2); at most three decimals, at most 7 digits.
fn decimal(s: &str) -> Option<(u64, u32)> {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let all = |p: &str| p.bytes().all(|c| c.is_ascii_digit());
    if int.is_empty() && frac.is_empty() || !all(int) || !all(frac) || frac.len() > 3 {
        return None;
    }
    let digits = format!("{int}{frac}");
    if digits.len() > 7 {
        return None;
    }
    Some((digits.parse().ok()?, frac.len() as u32))
}

/// The caller's ratio strings, parsed; at most [`MAX_RATIOS`].
pub fn parse_ratios<S: AsRef<str>>(items: &[S]) -> Result<Vec<Ratio>> {
    if items.len() > MAX_RATIOS {
        return Err(FramepickError::invalid(format!(
            "at most {MAX_RATIOS} crop ratios, not {}",
            items.len()
        )));
    }
    items.iter().map(|s| Ratio::parse(s.as_ref())).collect()
}

/// The four default shapes, then the caller's extra ones (each shape once).
pub fn with_defaults(extra: &[Ratio]) -> Vec<Ratio> {
    let mut all = DEFAULT_RATIOS.to_vec();
    for r in extra {
        if !all.contains(r) {
            all.push(*r);
        }
    }
    all
}

/// Where a frame's detail is: gradient energy summed over a coarse grid (at most
/// 32×32 cells), kept as a summed-area table so the energy inside any rectangle costs
/// four lookups. Coordinates are 0–1 of the frame, so the map made on the analysis
/// image serves the full-size picture.
#[derive(Debug, Clone, PartialEq)]
pub struct EnergyMap {
    cols: usize,
    rows: usize,
    /// `(cols + 1) × (rows + 1)`: energy of cells `[0, c) × [0, r)`.
    sat: Vec<f64>,
    /// Centre of the energy, 0–1 (the frame centre when there is none).
    centroid: (f64, f64),
}

impl EnergyMap {
    /// From a `w × h` gradient magnitude plane (`aesthetics::gradient_magnitude`).
    pub fn from_gradient(gradient: &[f32], w: usize, h: usize) -> Self {
        let (cols, rows) = (w.clamp(1, 32), h.clamp(1, 32));
        let mut cells = vec![0.0f64; cols * rows];
        if gradient.len() >= w * h {
            for y in 0..h {
                let r = y * rows / h;
                for x in 0..w {
                    cells[r * cols + x * cols / w] += f64::from(gradient[y * w + x]);
                }
            }
        }
        Self::from_cells(cols, rows, &cells)
    }

    /// From `cols × rows` cell energies, row by row.
    pub fn from_cells(cols: usize, rows: usize, cells: &[f64]) -> Self {
        let (cols, rows) = (cols.max(1), rows.max(1));
        let mut sat = vec![0.0; (cols + 1) * (rows + 1)];
        let (mut sx, mut sy) = (0.0, 0.0);
        for r in 0..rows {
            for c in 0..cols {
                let e = cells.get(r * cols + c).copied().unwrap_or(0.0).max(0.0);
                sx += e * (c as f64 + 0.5) / cols as f64;
                sy += e * (r as f64 + 0.5) / rows as f64;
                sat[(r + 1) * (cols + 1) + c + 1] =
                    e + sat[r * (cols + 1) + c + 1] + sat[(r + 1) * (cols + 1) + c]
                        - sat[r * (cols + 1) + c];
            }
        }
        let total = sat[(cols + 1) * (rows + 1) - 1];
        let centroid = if total > 0.0 {
            (sx / total, sy / total)
        } else {
            (0.5, 0.5)
        };
        Self {
            cols,
            rows,
            sat,
            centroid,
        }
    }

    fn total(&self) -> f64 {
        self.sat[self.sat.len() - 1]
    }

    /// Energy of `[0, u) × [0, v)` (u, v 0–1). Energy is spread evenly inside a cell, so
    /// the summed-area table is bilinear inside each cell: exact for fractional edges.
    fn below(&self, u: f64, v: f64) -> f64 {
        let (fu, fv) = (
            u.clamp(0.0, 1.0) * self.cols as f64,
            v.clamp(0.0, 1.0) * self.rows as f64,
        );
        let (c, r) = (
            (fu.floor() as usize).min(self.cols - 1),
            (fv.floor() as usize).min(self.rows - 1),
        );
        let (tu, tv) = (fu - c as f64, fv - r as f64);
        let at = |c: usize, r: usize| self.sat[r * (self.cols + 1) + c];
        let top = at(c, r) * (1.0 - tu) + at(c + 1, r) * tu;
        let bottom = at(c, r + 1) * (1.0 - tu) + at(c + 1, r + 1) * tu;
        top * (1.0 - tv) + bottom * tv
    }

    /// Energy inside the rectangle `[x0, x1) × [y0, y1)` (0–1 coordinates).
    fn inside(&self, x0: f64, y0: f64, x1: f64, y1: f64) -> f64 {
        (self.below(x1, y1) - self.below(x0, y1) - self.below(x1, y0) + self.below(x0, y0)).max(0.0)
    }
}

/// What a crop is chosen from: one picture, in its own pixels.
#[derive(Debug, Clone, Copy)]
pub struct Scene<'a> {
    pub width: u32,
    pub height: u32,
    /// Face boxes and landmarks in the same pixels.
    pub faces: &'a [Face],
    pub energy: Option<&'a EnergyMap>,
    /// Room for a title, 0–1 of the frame; counts when its score reaches
    /// [`ROOM_FOR_TITLE`] (a sliver of calm is no room).
    pub editable: Option<&'a EditableRegion>,
}

/// One shape of a candidate.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Crop {
    /// `"16:9"`, in lowest terms.
    pub ratio: String,
    /// The rectangle in the picture's pixels; `width * h == height * w` exactly.
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
    /// 0–1: the look of the framing (eyes on the upper third, subject and title room
    /// kept), halved when the main face is cut, lower for each other face cut; 0 when
    /// the frame is too small for the shape.
    pub score: f32,
    /// A few words: "keeps 2 faces, eyes on the upper third".
    pub reason: String,
    /// Faces wholly inside, and faces the crop cuts through.
    pub faces_kept: u32,
    pub faces_cut: u32,
    pub cuts_faces: bool,
    /// Every face whole inside, at full resolution: the shape costs nothing.
    pub fits: bool,
    /// The frame is smaller than the smallest whole-pixel rectangle of the shape.
    pub upscale: bool,
    /// The caller asked for this shape (`crops` option): the browser encodes its image
    /// (`blob`), the command line writes it.
    pub asked: bool,
}

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
struct FaceBox {
    x0: u32,
    y0: u32,
    x1: u32,
    y1: u32,
    weight: f64,
    eye: (f64, f64),
}

impl FaceBox {
    fn fits(&self, w: u32, h: u32) -> bool {
        self.x1 - self.x0 <= w && self.y1 - self.y0 <= h
    }
}

/// Visible face boxes, the main one (largest × confidence) first, at most [`MAX_FACES`].
fn face_boxes(scene: &Scene<'_>) -> Vec<FaceBox> {
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
struct Eval {
    faces: Placement,
    look: f64,
    /// Tie-break: distance from the centred position.
    off_centre: f64,
}

/// Equal up to float noise.
fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

impl Eval {
    fn better_than(&self, o: &Eval) -> bool {
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
enum Cover {
    In,
    Out,
    Cut,
}

fn cover(f: &FaceBox, x: u32, y: u32, cw: u32, ch: u32) -> Cover {
    if f.x0 >= x && f.x1 <= x + cw && f.y0 >= y && f.y1 <= y + ch {
        Cover::In
    } else if f.x1 <= x || f.x0 >= x + cw || f.y1 <= y || f.y0 >= y + ch {
        Cover::Out
    } else {
        Cover::Cut
    }
}

/// Share of a face's box inside the rectangle.
fn covered(f: &FaceBox, x: u32, y: u32, cw: u32, ch: u32) -> f64 {
    let ix = (f.x1.min(x + cw)).saturating_sub(f.x0.max(x));
    let iy = (f.y1.min(y + ch)).saturating_sub(f.y0.max(y));
    f64::from(ix) * f64::from(iy) / (f64::from(f.x1 - f.x0) * f64::from(f.y1 - f.y0))
}

/// What a position does to the faces: the first three keys of the ranking.
#[derive(Debug, Clone, Copy)]
struct Placement {
    /// 1 when the main face is whole; its covered share when it is larger than the crop.
    main: f64,
    /// Faces cut, not counting a main face larger than the crop (cut wherever it goes).
    cut: u32,
    /// Weight of the faces wholly inside.
    kept: f64,
}

impl PartialEq for Placement {
    fn eq(&self, o: &Self) -> bool {
        close(self.main, o.main) && self.cut == o.cut && close(self.kept, o.kept)
    }
}

impl Placement {
    /// Main face first, then fewest cut, then most kept.
    fn better_than(&self, o: &Placement) -> bool {
        if !close(self.main, o.main) {
            return self.main > o.main;
        }
        if self.cut != o.cut {
            return self.cut < o.cut;
        }
        !close(self.kept, o.kept) && self.kept > o.kept
    }
}

fn placement(boxes: &[FaceBox], (x, y, cw, ch): (u32, u32, u32, u32)) -> Placement {
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
fn axis_positions(slack: u32, len: u32, spans: &[(u32, u32)], targets: &[f64]) -> Vec<u32> {
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
struct Look {
    score: f64,
    eyes: Option<f64>,
    energy: Option<f64>,
    room: Option<f64>,
}

fn look(
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

fn crop_with(scene: &Scene<'_>, boxes: &[FaceBox], ratio: Ratio) -> Crop {
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
fn describe(
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A square face box at (x, y) of `size`, eyes a third down.
    fn face(x: f32, y: f32, size: f32) -> Face {
        Face::square(x, y, size)
    }

    fn scene(width: u32, height: u32, faces: &[Face]) -> Scene<'_> {
        Scene {
            width,
            height,
            faces,
            energy: None,
            editable: None,
        }
    }

    fn inside(f: &Face, c: &Crop) -> bool {
        f.x >= c.x as f32
            && f.y >= c.y as f32
            && f.x + f.width <= (c.x + c.width) as f32
            && f.y + f.height <= (c.y + c.height) as f32
    }

    /// The invariants every crop keeps, whatever the scene.
    fn check_shape(c: &Crop, r: Ratio, w: u32, h: u32) {
        assert_eq!(c.ratio, r.label());
        assert_eq!(
            u64::from(c.width) * u64::from(r.h),
            u64::from(c.height) * u64::from(r.w),
            "{c:?}"
        );
        assert!(
            c.x + c.width <= w && c.y + c.height <= h,
            "{c:?} in {w}x{h}"
        );
        // The largest: one more step of the ratio would not fit.
        assert!(c.width + r.w > w || c.height + r.h > h, "{c:?} in {w}x{h}");
        assert_eq!(c.upscale, c.width == 0);
        assert!((0.0..=1.0).contains(&c.score), "{c:?}");
        assert!(!c.reason.is_empty());
    }

    #[test]
    fn ratios_parse_reduce_and_refuse_nonsense() {
        assert_eq!(Ratio::parse("16:9").unwrap(), Ratio { w: 16, h: 9 });
        assert_eq!(Ratio::parse(" 32 : 18 ").unwrap().label(), "16:9");
        assert_eq!(Ratio::parse("1.91:1").unwrap().label(), "191:100");
        assert_eq!(Ratio::parse("4x5").unwrap().label(), "4:5");
        assert_eq!(Ratio::parse("2/3").unwrap().label(), "2:3");
        for bad in [
            "",
            "16",
            "16:",
            ":9",
            "0:1",
            "1:0",
            "-1:1",
            "a:b",
            "1e3:1",
            "1:30",
            "1.2345:1",
            "16:9:1",
            "99999999:1",
        ] {
            let e = Ratio::parse(bad).unwrap_err();
            assert_eq!(e.code(), "INVALID_ARGUMENT", "{bad}");
            assert!(e.to_string().contains("crop ratio"), "{e}");
        }
        let many: Vec<String> = (1..=13).map(|i| format!("{i}:1")).collect();
        assert_eq!(parse_ratios(&many).unwrap_err().code(), "INVALID_ARGUMENT");
        let extra = parse_ratios(&["16:9", "3:2", "6:4"]).unwrap();
        let all = with_defaults(&extra);
        let labels: Vec<String> = all.iter().map(Ratio::label).collect();
        assert_eq!(labels, ["16:9", "1:1", "4:5", "9:16", "3:2"]);
    }

    #[test]
    fn tiny_frames_give_exact_crops_or_say_they_need_upscaling() {
        for (w, h) in [
            (1, 1),
            (3, 2),
            (2, 3),
            (16, 9),
            (15, 9),
            (9, 16),
            (17, 31),
            (4, 5),
        ] {
            for r in DEFAULT_RATIOS {
                let c = crop(&scene(w, h, &[]), r);
                check_shape(&c, r, w, h);
                if c.upscale {
                    assert!(c.reason.contains("upscaling"), "{c:?}");
                    assert!(!c.fits);
                }
            }
        }
        let one = crops(&scene(1, 1, &[]), &DEFAULT_RATIOS);
        assert_eq!((one[1].width, one[1].height), (1, 1));
        assert!(one[0].upscale && one[2].upscale && one[3].upscale);
        let c = crop(&scene(16, 9, &[]), DEFAULT_RATIOS[0]);
        assert_eq!((c.x, c.y, c.width, c.height), (0, 0, 16, 9));
        assert!(c.reason.starts_with("the whole frame"), "{c:?}");
    }

    #[test]
    fn landscape_faces_near_either_edge_stay_whole_in_the_portrait_shapes() {
        let (w, h) = (1280, 720);
        for fx in [0.0, 20.0, 600.0, 1100.0, 1180.0] {
            let faces = [face(fx, 150.0, 100.0)];
            for r in DEFAULT_RATIOS {
                let c = crop(&scene(w, h, &faces), r);
                check_shape(&c, r, w, h);
                assert!(inside(&faces[0], &c), "{fx} {c:?}");
                assert!(c.fits && !c.cuts_faces && c.faces_kept == 1, "{c:?}");
            }
        }
        // A 9:16 crop of a landscape frame is 405 px wide: the face is placed on a
        // vertical third or the centre line, not pushed to the crop's edge.
        let faces = [face(600.0, 150.0, 100.0)];
        let c = crop(&scene(w, h, &faces), Ratio { w: 9, h: 16 });
        assert_eq!((c.width, c.height), (405, 720));
        let nx = (650.0 - c.x as f32) / c.width as f32;
        assert!((0.3..=0.7).contains(&nx), "{nx} {c:?}");
    }

    #[test]
    fn portrait_faces_near_top_or_bottom_stay_whole_with_eyes_on_the_upper_third() {
        let (w, h) = (720, 1280);
        for fy in [0.0, 10.0, 500.0, 1000.0, 1180.0] {
            let faces = [face(300.0, fy, 100.0)];
            for r in DEFAULT_RATIOS {
                let c = crop(&scene(w, h, &faces), r);
                check_shape(&c, r, w, h);
                assert!(inside(&faces[0], &c), "{fy} {c:?}");
                assert!(c.fits, "{c:?}");
            }
        }
        // Room to move: the eyes land on the upper third of a 16:9 crop.
        let faces = [face(300.0, 600.0, 100.0)];
        let c = crop(&scene(w, h, &faces), Ratio { w: 16, h: 9 });
        assert_eq!((c.width, c.height), (720, 405));
        let ey = 600.0 + 100.0 / 3.0;
        let ny = (ey - c.y as f32) / c.height as f32;
        assert!((ny - 1.0 / 3.0).abs() < 0.02, "{ny} {c:?}");
        assert!(c.reason.contains("eyes on the upper third"), "{}", c.reason);
    }

    #[test]
    fn a_group_that_fits_stays_whole_and_a_wide_one_keeps_the_main_face() {
        let (w, h) = (1280, 720);
        let group = [
            face(420.0, 200.0, 90.0),
            face(540.0, 220.0, 110.0),
            face(680.0, 210.0, 95.0),
        ];
        for r in DEFAULT_RATIOS {
            let c = crop(&scene(w, h, &group), r);
            assert!(group.iter().all(|f| inside(f, &c)), "{c:?}");
            assert_eq!(c.faces_kept, 3);
            assert!(c.reason.starts_with("keeps all 3 faces") || c.reason.contains("keeps all 3"));
        }
        // Spread wider than a 9:16 crop: the largest face whole, none cut.
        let wide = [
            face(40.0, 200.0, 90.0),
            face(600.0, 220.0, 140.0),
            face(1150.0, 210.0, 95.0),
        ];
        let c = crop(&scene(w, h, &wide), Ratio { w: 9, h: 16 });
        assert!(inside(&wide[1], &c), "{c:?}");
        assert_eq!((c.faces_kept, c.faces_cut), (1, 0), "{c:?}");
        assert!(!c.fits && !c.cuts_faces);
        assert!(c.reason.contains("keeps 1 of 3 faces"), "{}", c.reason);
    }

    #[test]
    fn a_face_larger_than_the_crop_is_cut_and_says_so() {
        // A close-up 500 px wide: the 9:16 crop of a 1280×720 frame is 405 px wide.
        let faces = [face(400.0, 100.0, 500.0)];
        let c = crop(&scene(1280, 720, &faces), Ratio { w: 9, h: 16 });
        assert!(c.cuts_faces && !c.fits, "{c:?}");
        assert!(
            c.reason.contains("larger than the 9:16 crop"),
            "{}",
            c.reason
        );
        // As much of it as the crop can hold: the crop lies over the face.
        assert!(c.x >= 400 && c.x + c.width <= 900, "{c:?}");
        assert!(c.score <= 0.5 + 1e-6);
    }

    #[test]
    fn without_faces_the_crop_follows_the_detail_and_the_room_for_a_title() {
        // All the detail in the right quarter of a landscape frame.
        let mut cells = vec![0.0; 32 * 18];
        for r in 0..18 {
            for c in 24..32 {
                cells[r * 32 + c] = 10.0;
            }
        }
        let energy = EnergyMap::from_cells(32, 18, &cells);
        let s = Scene {
            energy: Some(&energy),
            ..scene(1280, 720, &[])
        };
        let c = crop(&s, Ratio { w: 9, h: 16 });
        assert!(c.x + c.width >= 1240 && c.x >= 800, "{c:?}");
        assert!(c.reason.starts_with("no faces"), "{}", c.reason);
        // A flat frame with room for a title on the left: the square keeps it.
        let room = EditableRegion {
            x: 0.0,
            y: 0.1,
            width: 0.3,
            height: 0.4,
            score: 1.0,
        };
        let s = Scene {
            editable: Some(&room),
            ..scene(1280, 720, &[])
        };
        let c = crop(&s, Ratio { w: 1, h: 1 });
        assert_eq!(c.x, 0, "{c:?}");
        assert!(c.reason.contains("room for a title"), "{}", c.reason);
    }

    #[test]
    fn the_energy_map_sums_rectangles_exactly() {
        let g: Vec<f32> = (0..64 * 36).map(|i| (i % 7) as f32).collect();
        let m = EnergyMap::from_gradient(&g, 64, 36);
        let total: f64 = g.iter().map(|&v| f64::from(v)).sum();
        assert!((m.total() - total).abs() < 1e-6 * total);
        assert!((m.inside(0.0, 0.0, 1.0, 1.0) - total).abs() < 1e-6 * total);
        let halves = m.inside(0.0, 0.0, 0.5, 1.0) + m.inside(0.5, 0.0, 1.0, 1.0);
        assert!((halves - total).abs() < 1e-6 * total);
        let e = EnergyMap::from_gradient(&[], 0, 0);
        assert_eq!(e.total(), 0.0);
    }

    /// xorshift64*: a deterministic stream for the layouts below.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
        fn below(&mut self, n: u32) -> u32 {
            (self.next() % u64::from(n.max(1))) as u32
        }
    }

    /// Every position of a crop, searched by brute force: the best (main face whole,
    /// fewest cut, most kept) any position can do.
    fn brute_best(boxes: &[FaceBox], w: u32, h: u32, cw: u32, ch: u32) -> Placement {
        let mut best: Option<Placement> = None;
        for y in 0..=h - ch {
            for x in 0..=w - cw {
                let p = placement(boxes, (x, y, cw, ch));
                if best.is_none_or(|b| p.better_than(&b)) {
                    best = Some(p);
                }
            }
        }
        best.unwrap()
    }

    #[test]
    fn random_layouts_keep_every_face_that_can_be_kept() {
        let mut rng = Rng(0x5eed_cafe);
        let ratios = with_defaults(&parse_ratios(&["3:2", "2:1", "1.91:1"]).unwrap());
        // How often a crop had to leave a face out or cut one: the layouts must bite.
        let (mut left_out, mut cut_some) = (0, 0);
        for case in 0..400 {
            let portrait = case % 2 == 1;
            let (long, short) = (80 + rng.below(160), 40 + rng.below(90));
            let (w, h) = if portrait {
                (short, long)
            } else {
                (long, short)
            };
            let n = rng.below(5);
            let faces: Vec<Face> = (0..n)
                .map(|_| {
                    let size = 4.0 + rng.below(w.min(h) / 2) as f32 + rng.below(100) as f32 / 100.0;
                    // Some boxes reach past the frame's edges.
                    let x = rng.below(w + 10) as f32 - 5.0 + rng.below(100) as f32 / 100.0;
                    let y = rng.below(h + 10) as f32 - 5.0;
                    face(x, y, size)
                })
                .collect();
            let s = scene(w, h, &faces);
            let boxes = face_boxes(&s);
            for (r, c) in ratios.iter().zip(crops(&s, &ratios)) {
                check_shape(&c, *r, w, h);
                if c.upscale {
                    continue;
                }
                let (cw, ch) = (c.width, c.height);
                let best = brute_best(&boxes, w, h, cw, ch);
                let got = placement(&boxes, (c.x, c.y, cw, ch));
                let ctx = format!("case {case} {w}x{h} {c:?} faces {faces:?}");
                // The main face whole whenever it fits; no face cut that some position
                // keeps whole or out; as much face kept as any such position: as good as
                // the best of every position.
                if let Some(m) = boxes.first().filter(|m| m.fits(cw, ch)) {
                    assert_eq!(cover(m, c.x, c.y, cw, ch), Cover::In, "{ctx}");
                }
                assert_eq!(got, best, "{ctx}");
                // Every face inside when all of them fit together.
                if let (Some(x0), Some(y0)) = (
                    boxes.iter().map(|b| b.x0).min(),
                    boxes.iter().map(|b| b.y0).min(),
                ) {
                    let x1 = boxes.iter().map(|b| b.x1).max().unwrap();
                    let y1 = boxes.iter().map(|b| b.y1).max().unwrap();
                    if x1 - x0 <= cw && y1 - y0 <= ch {
                        assert!(c.fits && c.faces_kept == boxes.len() as u32, "{ctx}");
                    }
                }
                assert_eq!(c.cuts_faces, c.faces_cut > 0);
                left_out += u32::from(!c.fits && !c.cuts_faces);
                cut_some += u32::from(c.cuts_faces);
            }
        }
        assert!(left_out > 20 && cut_some > 20, "{left_out} {cut_some}");
    }
}
