//! Editability: room for a title. The frame is cut into a coarse grid (16×9 cells for
//! a landscape frame, 9×16 for a portrait one); a cell is *calm* when its mean gradient
//! magnitude is low (below [`CALM_ENERGY`] on the 0–255 luma scale) and it overlaps no
//! face and not the bottom-right corner where players draw the duration badge
//! (right 20 %, bottom 22 %). The largest calm axis-aligned rectangle is found with the
//! classic maximal-rectangle-in-a-histogram sweep (one stack pass per row), scoring
//! each maximal rectangle by its area share, discounted when it is too narrow to hold a
//! line of text (width less than 1.5× its height, in pixels).
//!
//! `score = min(1, area_share / 0.3) · shape`: a calm third of the frame reads 1.

use serde::Serialize;

use crate::judging::faces::Face;

/// Mean gradient magnitude below which a cell can carry text.
pub const CALM_ENERGY: f32 = 6.0;
/// Region score from which it counts as room for a title (the candidate's `why` says
/// so, and crops try to keep it).
pub const ROOM_FOR_TITLE: f32 = 0.5;
/// Bottom-right duration badge: right 20 %, bottom 22 % of the frame.
pub const BADGE: (f32, f32) = (0.8, 0.78);

/// A rectangle in normalized frame coordinates (0–1), top-left and size.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EditableRegion {
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
    /// 0–1, see the module docs.
    pub score: f32,
}

impl EditableRegion {
    /// "top-left", "bottom", "centre", … from the rectangle's centre.
    pub fn position(&self) -> String {
        let cx = self.x + self.width / 2.0;
        let cy = self.y + self.height / 2.0;
        let v = if cy < 0.4 {
            "top"
        } else if cy > 0.6 {
            "bottom"
        } else {
            ""
        };
        let hz = if self.width > 0.7 {
            ""
        } else if cx < 0.4 {
            "left"
        } else if cx > 0.6 {
            "right"
        } else {
            ""
        };
        match (v, hz) {
            ("", "") => "centre".into(),
            (v, "") => v.into(),
            ("", hz) => hz.into(),
            (v, hz) => format!("{v}-{hz}"),
        }
    }
}

/// `gradient` is the frame's gradient magnitude (see `aesthetics::gradient_magnitude`);
/// faces in the same pixels. `None` when no cell is calm.
pub fn editable_region(
    gradient: &[f32],
    width: u32,
    height: u32,
    faces: &[Face],
) -> Option<EditableRegion> {
    let (w, h) = (width as usize, height as usize);
    let (cols, rows) = if w >= h { (16, 9) } else { (9, 16) };
    let cols = cols.min(w);
    let rows = rows.min(h);
    if cols == 0 || rows == 0 {
        return None;
    }
    let cell_x = |c: usize| c * w / cols;
    let cell_y = |r: usize| r * h / rows;
    let mut calm = vec![false; cols * rows];
    for r in 0..rows {
        for c in 0..cols {
            let (x0, x1, y0, y1) = (cell_x(c), cell_x(c + 1), cell_y(r), cell_y(r + 1));
            let (nx0, ny0) = (x0 as f32 / w as f32, y0 as f32 / h as f32);
            let (nx1, ny1) = (x1 as f32 / w as f32, y1 as f32 / h as f32);
            if nx1 > BADGE.0 + 1e-4 && ny1 > BADGE.1 + 1e-4 {
                continue;
            }
            let on_face = faces.iter().any(|f| {
                let (fx0, fy0) = (f.x / w as f32, f.y / h as f32);
                let (fx1, fy1) = ((f.x + f.width) / w as f32, (f.y + f.height) / h as f32);
                fx0 < nx1 && fx1 > nx0 && fy0 < ny1 && fy1 > ny0
            });
            if on_face {
                continue;
            }
            let mut s = 0.0;
            for y in y0..y1 {
                s += gradient[y * w + x0..y * w + x1].iter().sum::<f32>();
            }
            let n = ((x1 - x0) * (y1 - y0)).max(1) as f32;
            calm[r * cols + c] = s / n < CALM_ENERGY;
        }
    }
    let cell_w = w as f32 / cols as f32;
    let cell_h = h as f32 / rows as f32;
    let rate = |c0: usize, c1: usize, r0: usize, r1: usize| -> f32 {
        let share = ((c1 - c0) * (r1 - r0)) as f32 / (cols * rows) as f32;
        let aspect = (c1 - c0) as f32 * cell_w / ((r1 - r0) as f32 * cell_h);
        (share / 0.3).min(1.0) * (aspect / 1.5).min(1.0) + share * 1e-3
    };
    // Histogram of calm run lengths ending at each row; a stack sweep per row finds
    // every maximal rectangle whose bottom edge is that row.
    let mut heights = vec![0usize; cols];
    let mut best: Option<(f32, usize, usize, usize, usize)> = None;
    for r in 0..rows {
        for (c, hgt) in heights.iter_mut().enumerate() {
            *hgt = if calm[r * cols + c] { *hgt + 1 } else { 0 };
        }
        let mut stack: Vec<usize> = Vec::new();
        for c in 0..=cols {
            let cur = if c < cols { heights[c] } else { 0 };
            while let Some(&top) = stack.last() {
                if heights[top] < cur {
                    break;
                }
                stack.pop();
                let hgt = heights[top];
                if hgt == 0 {
                    continue;
                }
                let left = stack.last().map_or(0, |&s| s + 1);
                let (c0, c1, r1) = (left, c, r + 1);
                // Also try the widest band of each lower height: a wide, short band
                // often holds a title better than the tallest block.
                for hh in (1..=hgt).rev() {
                    let v = rate(c0, c1, r1 - hh, r1);
                    if best.is_none_or(|b| v > b.0) {
                        best = Some((v, c0, c1, r1 - hh, r1));
                    }
                }
            }
            stack.push(c);
        }
    }
    let (v, c0, c1, r0, r1) = best?;
    let x0 = cell_x(c0) as f32 / w as f32;
    let y0 = cell_y(r0) as f32 / h as f32;
    Some(EditableRegion {
        x: x0,
        y: y0,
        width: cell_x(c1) as f32 / w as f32 - x0,
        height: cell_y(r1) as f32 / h as f32 - y0,
        score: v.min(1.0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::judging::aesthetics::gradient_magnitude;
    use crate::media::frame::RgbaFrame;

    fn busy_with_flat_rows(w: u32, h: u32, flat: impl Fn(u32, u32) -> bool) -> Vec<f32> {
        let mut data = Vec::new();
        for y in 0..h {
            for x in 0..w {
                let v = if flat(x, y) {
                    128
                } else if ((x / 2) + (y / 2)) % 2 == 0 {
                    20
                } else {
                    230
                };
                data.extend_from_slice(&[v, v, v, 255]);
            }
        }
        let f = RgbaFrame::new(w, h, data).unwrap();
        gradient_magnitude(&f.luma(), w as usize, h as usize)
    }

    #[test]
    fn a_flat_top_half_is_the_editable_region() {
        let g = busy_with_flat_rows(320, 180, |_, y| y < 90);
        let r = editable_region(&g, 320, 180, &[]).unwrap();
        assert!(r.y < 0.01 && r.y + r.height <= 0.5 + 0.01, "{r:?}");
        assert!(r.width > 0.9, "{r:?}");
        assert!(r.score > 0.9, "{r:?}");
        assert_eq!(r.position(), "top");
    }

    #[test]
    fn a_busy_frame_has_no_room() {
        let g = busy_with_flat_rows(320, 180, |_, _| false);
        assert_eq!(editable_region(&g, 320, 180, &[]), None);
    }

    #[test]
    fn the_duration_badge_corner_is_avoided() {
        // Only the bottom-right corner is flat.
        let g = busy_with_flat_rows(320, 180, |x, y| x >= 240 && y >= 120);
        if let Some(r) = editable_region(&g, 320, 180, &[]) {
            assert!(
                !(r.x + r.width > 0.81 && r.y + r.height > 0.79),
                "region overlaps the badge: {r:?}"
            );
        }
    }

    #[test]
    fn faces_are_not_covered() {
        let g = busy_with_flat_rows(320, 180, |_, _| true);
        let face = Face {
            x: 0.0,
            y: 0.0,
            width: 160.0,
            height: 180.0,
            score: 1.0,
            landmarks: [[0.0; 2]; 5],
        };
        let r = editable_region(&g, 320, 180, &[face]).unwrap();
        assert!(r.x >= 0.5 - 1e-3, "{r:?}");
        assert!(r.position().ends_with("right"), "{}", r.position());
    }
}
