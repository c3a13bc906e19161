//! Composition of a frame from its faces (analysis-frame pixels), each part 0–1:
//!
//! - `face_size`: height of the main face over the frame height; 0.25–0.6 reads 1
//!   (a thumbnail face must survive being shown at 168 px wide), less ramps down
//!   linearly to 0, more (a face filling the frame) down to 0.6.
//! - `thirds`: distance of the main face's eye line (mean of the eye landmarks, or a
//!   third down the box when the landmarks are unusable) to the nearest rule-of-thirds
//!   power point, or to the top-centre point (½, ⅓) that centred vlog shots use
//!   (scored 0.9 there); 0 at a quarter of the frame away or more.
//! - `headroom`: space above the main face over the frame height; 4–25 % reads 1, a
//!   face touching or cut by the top edge 0, a face sunk low in the frame down to 0.3.
//! - `cut_faces`: faces the frame cuts through ([`Face::cut_by_frame`]: a landmark
//!   outside the frame, or the box out by more than 10 % of its size).
//!   A cut main face halves the score, each other cut face costs 0.1.
//! - `balance`: how close the centre of visual weight (face areas, plus gradient
//!   energy when given) sits to the frame centre.
//! - `eyes_open`: always `None`. RetinaFace's five landmarks (eyes, nose, mouth corners)
//!   locate the eyes but say nothing about eyelids, so open/closed cannot be told.
//!
//! `score = (0.3·face_size + 0.3·thirds + 0.25·headroom + 0.15·balance) · cut penalty`.
//! Without faces there is no subject to place: `score = 0.3 + 0.4·balance`, so a
//! faceless frame sits between a badly and a well composed face frame.

use serde::Serialize;

use crate::judging::faces::Face;

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Composition {
    pub face_size: f32,
    pub thirds: f32,
    pub headroom: f32,
    pub cut_faces: u32,
    pub balance: f32,
    pub eyes_open: Option<bool>,
    pub score: f32,
}

/// The face the frame is about: the largest, weighted by confidence.
pub fn main_face(faces: &[Face]) -> Option<&Face> {
    faces
        .iter()
        .max_by(|a, b| (a.width * a.height * a.score).total_cmp(&(b.width * b.height * b.score)))
}

/// Where the eyes are: mean of the two eye landmarks when they fall inside the box,
/// else a third of the way down the box.
pub fn eye_point(f: &Face) -> (f32, f32) {
    let (ex, ey) = (
        (f.landmarks[0][0] + f.landmarks[1][0]) / 2.0,
        (f.landmarks[0][1] + f.landmarks[1][1]) / 2.0,
    );
    let inside =
        ex >= f.x && ex <= f.x + f.width && ey >= f.y && ey <= f.y + f.height && f.width > 0.0;
    if inside {
        (ex, ey)
    } else {
        (f.x + f.width / 2.0, f.y + f.height / 3.0)
    }
}

fn face_size_score(rel_h: f32) -> f32 {
    if rel_h < 0.25 {
        (rel_h / 0.25).max(0.0)
    } else if rel_h <= 0.6 {
        1.0
    } else {
        (1.0 - (rel_h - 0.6) / 0.4 * 0.4).clamp(0.6, 1.0)
    }
}

fn thirds_score(nx: f32, ny: f32) -> f32 {
    let points = [
        (1.0 / 3.0, 1.0 / 3.0, 1.0),
        (2.0 / 3.0, 1.0 / 3.0, 1.0),
        (1.0 / 3.0, 2.0 / 3.0, 1.0),
        (2.0 / 3.0, 2.0 / 3.0, 1.0),
        (0.5, 1.0 / 3.0, 0.9),
    ];
    points
        .iter()
        .map(|&(px, py, best)| {
            let d = ((nx - px).powi(2) + (ny - py).powi(2)).sqrt();
            best * (1.0 - d / 0.25).max(0.0)
        })
        .fold(0.0, f32::max)
}

fn headroom_score(rel: f32) -> f32 {
    if rel <= 0.0 {
        0.0
    } else if rel < 0.04 {
        rel / 0.04
    } else if rel <= 0.25 {
        1.0
    } else {
        (1.0 - (rel - 0.25) / 0.35 * 0.7).max(0.3)
    }
}

/// `energy_centroid`: optional normalized centre of gradient energy `(x, y, weight)`,
/// where weight is that energy's share against the faces (0–1).
pub fn composition(
    faces: &[Face],
    width: u32,
    height: u32,
    energy_centroid: Option<(f32, f32)>,
) -> Composition {
    let (w, h) = (width as f32, height as f32);
    // Centre of visual weight: faces count by area, gradient energy as one more mass.
    let mut mass = 0.0;
    let (mut cx, mut cy) = (0.0, 0.0);
    for f in faces {
        let a = (f.width * f.height / (w * h)).clamp(0.0, 1.0) * f.score;
        mass += a;
        cx += a * (f.x + f.width / 2.0) / w;
        cy += a * (f.y + f.height / 2.0) / h;
    }
    if let Some((ex, ey)) = energy_centroid {
        let a = if faces.is_empty() { 1.0 } else { 0.1 };
        mass += a;
        cx += a * ex;
        cy += a * ey;
    }
    let balance = if mass > 0.0 {
        let d = ((cx / mass - 0.5).powi(2) + (cy / mass - 0.5).powi(2)).sqrt();
        (1.0 - d / 0.5).clamp(0.0, 1.0)
    } else {
        1.0
    };
    let cut: Vec<bool> = faces.iter().map(|f| f.cut_by_frame(w, h)).collect();
    let cut_faces = cut.iter().filter(|&&c| c).count() as u32;
    let Some(main) = main_face(faces) else {
        return Composition {
            face_size: 0.0,
            thirds: 0.0,
            headroom: 0.0,
            cut_faces,
            balance,
            eyes_open: None,
            score: 0.3 + 0.4 * balance,
        };
    };
    let face_size = face_size_score(main.height / h);
    let (ex, ey) = eye_point(main);
    let thirds = thirds_score(ex / w, ey / h);
    let headroom = headroom_score(main.y / h);
    let main_cut = main.cut_by_frame(w, h);
    let others_cut = cut_faces - u32::from(main_cut);
    let main_penalty = if main_cut { 0.5 } else { 1.0 };
    let penalty = main_penalty * (1.0 - 0.1 * others_cut as f32).max(0.5);
    let score = (0.3 * face_size + 0.3 * thirds + 0.25 * headroom + 0.15 * balance) * penalty;
    Composition {
        face_size,
        thirds,
        headroom,
        cut_faces,
        balance,
        eyes_open: None,
        score: score.clamp(0.0, 1.0),
    }
}

/// Normalized centre of gradient energy of a frame.
pub fn energy_centroid(gradient: &[f32], w: usize, h: usize) -> Option<(f32, f32)> {
    let (mut s, mut sx, mut sy) = (0.0f64, 0.0f64, 0.0f64);
    for y in 0..h {
        for x in 0..w {
            let g = gradient[y * w + x] as f64;
            s += g;
            sx += g * (x as f64 + 0.5);
            sy += g * (y as f64 + 0.5);
        }
    }
    (s > 0.0).then(|| ((sx / s / w as f64) as f32, (sy / s / h as f64) as f32))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A face whose eyes sit at (ex, ey), box `size` square, eyes a third down.
    fn face_at(ex: f32, ey: f32, size: f32) -> Face {
        Face::square(ex - size / 2.0, ey - size / 3.0, size)
    }

    #[test]
    fn a_face_on_a_thirds_point_beats_one_at_the_edge() {
        let (w, h) = (320, 180);
        let thirds = composition(&[face_at(320.0 / 3.0, 60.0, 60.0)], w, h, None);
        let edge = composition(&[face_at(300.0, 150.0, 60.0)], w, h, None);
        assert!(thirds.thirds > 0.95, "{thirds:?}");
        assert!(edge.thirds < 0.3, "{edge:?}");
        assert!(thirds.score > edge.score + 0.2, "{thirds:?} {edge:?}");
        assert_eq!(thirds.eyes_open, None);
    }

    #[test]
    fn a_face_cut_by_the_top_edge_loses_headroom_and_counts_as_cut() {
        let (w, h) = (320, 180);
        let ok = composition(&[face_at(160.0, 60.0, 60.0)], w, h, None);
        let cut = composition(&[face_at(160.0, 5.0, 60.0)], w, h, None);
        assert!(ok.headroom > 0.9 && ok.cut_faces == 0, "{ok:?}");
        assert_eq!(cut.headroom, 0.0);
        assert_eq!(cut.cut_faces, 1);
        assert!(cut.score < ok.score / 2.0 + 0.01);
    }

    #[test]
    fn tiny_faces_score_low_on_size() {
        let c = composition(&[face_at(320.0 / 3.0, 60.0, 9.0)], 320, 180, None);
        assert!(c.face_size < 0.25, "{c:?}");
        let big = composition(&[face_at(320.0 / 3.0, 60.0, 70.0)], 320, 180, None);
        assert_eq!(big.face_size, 1.0);
    }

    #[test]
    fn without_faces_balance_decides() {
        let centred = composition(&[], 100, 100, Some((0.5, 0.5)));
        let corner = composition(&[], 100, 100, Some((0.95, 0.95)));
        assert!(centred.score > corner.score);
        assert!(centred.score <= 0.7 + 1e-6);
    }
}
