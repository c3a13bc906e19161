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

mod energy;
mod fit;
mod ratio;

use serde::Serialize;

use crate::error::{FramepickError, Result};
use crate::judging::editability::{EditableRegion, ROOM_FOR_TITLE};
use crate::judging::faces::Face;
pub use energy::EnergyMap;
pub use fit::{crop, crops};
pub use ratio::{parse_ratios, with_defaults, Ratio, DEFAULT_RATIOS, MAX_RATIOS};

/// Most faces the search weighs (the largest ones); more only slow it down.
const MAX_FACES: usize = 32;
/// Grid steps tried along an axis besides the face-driven positions.
const GRID_STEPS: u32 = 16;

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

#[cfg(test)]
mod tests {
    use super::fit::*;
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
