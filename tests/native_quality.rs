//! Quick metrics, shots/transitions and importance segments on real photos
//! (tests/fixtures/astronaut.jpg, coffee.jpg) at the analysis size, 320×180.
//!
//! Timing: `cargo test --release --test native_quality -- --ignored --nocapture`.

use framepick::frame::RgbaFrame;
use framepick::quality::{
    hamming, quick_metrics_batch, QuickMetrics, Rejection, PAGE_MIN_LAYOUT, WASHED_OUT_MAX_DARK,
};
use framepick::scenes::{detect_shots, SampleFeatures, ShotConfig};
use framepick::segments::{dense_plan, score_segments, DenseConfig, Level, SegmentConfig};
use image::imageops::{self, FilterType};
use image::RgbaImage;

const W: u32 = 320;
const H: u32 = 180;

fn photo(name: &str, w: u32, h: u32) -> RgbaImage {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let img = image::open(&path).unwrap().to_rgba8();
    imageops::resize(&img, w, h, FilterType::Triangle)
}

fn frame(img: &RgbaImage) -> RgbaFrame {
    RgbaFrame::from_image(img)
}

/// The scalar metrics only (the Debug of the histograms and grids is long).
fn brief(m: &QuickMetrics) -> String {
    serde_json::to_string(m).unwrap()
}

fn astronaut() -> RgbaFrame {
    frame(&photo("astronaut.jpg", W, H))
}

fn coffee() -> RgbaFrame {
    frame(&photo("coffee.jpg", W, H))
}

fn map_rgb(f: &RgbaFrame, g: impl Fn(u8) -> u8) -> RgbaFrame {
    let mut out = f.clone();
    for p in out.data.chunks_exact_mut(4) {
        for c in &mut p[..3] {
            *c = g(*c);
        }
    }
    out
}

fn noised(f: &RgbaFrame, amp: i32) -> RgbaFrame {
    let mut s = 0x9E37_79B9u32;
    let mut out = f.clone();
    for p in out.data.chunks_exact_mut(4) {
        for c in &mut p[..3] {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            let n = (s % (2 * amp as u32 + 1)) as i32 - amp;
            *c = (*c as i32 + n).clamp(0, 255) as u8;
        }
    }
    out
}

fn mix(a: &RgbaFrame, b: &RgbaFrame, t: f32) -> RgbaFrame {
    let data = a
        .data
        .iter()
        .zip(&b.data)
        .map(|(&x, &y)| (x as f32 * (1.0 - t) + y as f32 * t).round() as u8)
        .collect();
    RgbaFrame::new(a.width, a.height, data).unwrap()
}

fn features(frames: &[RgbaFrame], step_us: i64) -> Vec<SampleFeatures> {
    quick_metrics_batch(frames)
        .iter()
        .enumerate()
        .map(|(i, m)| SampleFeatures::new(i as i64 * step_us, m))
        .collect()
}

#[test]
fn photos_pass_the_quick_filter() {
    for f in [astronaut(), coffee()] {
        let m = QuickMetrics::of(&f);
        assert_eq!(m.rejection(), None, "{}", brief(&m));
        assert!(m.score() > 0.4, "{}", brief(&m));
        assert!(m.entropy > 0.8, "{}", brief(&m));
        assert!(m.colorfulness > 15.0, "{}", brief(&m));
        assert!(m.gradient > 0.01, "{}", brief(&m));
    }
}

#[test]
fn blurred_photo_scores_lower_sharpness_and_gradient() {
    for img in [photo("astronaut.jpg", W, H), photo("coffee.jpg", W, H)] {
        let sharp = QuickMetrics::of(&frame(&img));
        let blurred = QuickMetrics::of(&frame(&imageops::blur(&img, 3.0)));
        let why = format!("{} {}", brief(&sharp), brief(&blurred));
        assert!(sharp.sharpness > blurred.sharpness * 2.0, "{why}");
        assert!(sharp.gradient > blurred.gradient * 1.5, "{why}");
        assert!(sharp.score() > blurred.score(), "{why}");
        assert!(blurred.sharpness < 0.15, "{why}");
    }
}

#[test]
fn dark_copy_is_rejected_too_dark() {
    let dark = QuickMetrics::of(&map_rgb(&astronaut(), |c| c / 10));
    assert_eq!(
        dark.rejection(),
        Some(Rejection::TooDark),
        "{}",
        brief(&dark)
    );
    assert!(dark.clipped_shadows > 0.2, "{}", brief(&dark));
}

#[test]
fn black_frame_is_uniform_and_dark() {
    let m = QuickMetrics::of(&RgbaFrame::filled(W, H, [0, 0, 0, 255]));
    assert!(m.uniformity >= 0.99);
    assert_eq!(m.clipped_shadows, 1.0);
    assert_eq!(m.rejection(), Some(Rejection::TooDark));
}

#[test]
fn blown_out_copy_has_clipped_highlights() {
    let orig = QuickMetrics::of(&astronaut());
    let blown = QuickMetrics::of(&map_rgb(&astronaut(), |c| (c as u32 * 3).min(255) as u8));
    assert!(
        blown.clipped_highlights > 0.4,
        "{} {}",
        brief(&blown),
        brief(&orig)
    );
    assert!(
        blown.clipped_highlights > orig.clipped_highlights + 0.3,
        "{}",
        brief(&orig)
    );
    assert!(
        blown.entropy < orig.entropy,
        "{} {}",
        brief(&blown),
        brief(&orig)
    );
    let strict = framepick::quality::QuickFilter::strict();
    assert_eq!(
        blown.rejection_with(&strict),
        Some(Rejection::BlownOut),
        "{} {}",
        brief(&blown),
        brief(&orig)
    );
}

#[test]
fn phash_is_stable_under_noise_and_rescale_and_tells_photos_apart() {
    let a = QuickMetrics::of(&astronaut());
    let a_noisy = QuickMetrics::of(&noised(&astronaut(), 12));
    let a_small = QuickMetrics::of(&frame(&photo("astronaut.jpg", 200, 112)));
    let c = QuickMetrics::of(&coffee());
    let c_noisy = QuickMetrics::of(&noised(&coffee(), 12));
    assert!(
        hamming(a.phash, a_noisy.phash) <= 6,
        "{}",
        hamming(a.phash, a_noisy.phash)
    );
    assert!(
        hamming(a.phash, a_small.phash) <= 6,
        "{}",
        hamming(a.phash, a_small.phash)
    );
    assert!(
        hamming(c.phash, c_noisy.phash) <= 6,
        "{}",
        hamming(c.phash, c_noisy.phash)
    );
    assert!(
        hamming(a.phash, c.phash) >= 20,
        "{}",
        hamming(a.phash, c.phash)
    );
}

#[test]
fn one_cut_between_astronaut_and_coffee() {
    // Ten samples of each, slightly different noise each sample (sensor noise).
    let (a, c) = (astronaut(), coffee());
    let frames: Vec<RgbaFrame> = (0..20)
        .map(|i| noised(if i < 10 { &a } else { &c }, 2 + i % 3))
        .collect();
    let s = detect_shots(&features(&frames, 1_000_000), &ShotConfig::default());
    assert_eq!(s.cuts, vec![10], "{:?}", s.change);
    assert_eq!(s.shots.len(), 2);
    assert_eq!((s.shots[0].start_idx, s.shots[0].end_idx), (0, 9));
    assert_eq!(
        (s.shots[1].start_us, s.shots[1].end_us),
        (10_000_000, 19_000_000)
    );
    assert!(s.transition.iter().all(|t| !t));
}

#[test]
fn crossfade_is_a_transition_without_cut() {
    let (a, c) = (astronaut(), coffee());
    let mut frames: Vec<RgbaFrame> = (0..8).map(|_| a.clone()).collect();
    frames.extend((1..=6).map(|k| mix(&a, &c, k as f32 / 7.0)));
    frames.extend((0..8).map(|_| c.clone()));
    let s = detect_shots(&features(&frames, 500_000), &ShotConfig::default());
    assert!(s.cuts.is_empty(), "{:?} {:?}", s.cuts, s.change);
    let marked: Vec<usize> = (0..frames.len()).filter(|&i| s.transition[i]).collect();
    assert_eq!(marked, (8..14).collect::<Vec<_>>());
    assert_eq!(s.shots.len(), 2);
    assert_eq!((s.shots[0].end_idx, s.shots[1].start_idx), (7, 14));
}

#[test]
fn fade_to_black_is_a_transition() {
    let a = coffee();
    let black = RgbaFrame::filled(W, H, [0, 0, 0, 255]);
    let mut frames: Vec<RgbaFrame> = (0..6).map(|_| noised(&a, 2)).collect();
    frames.extend((1..=4).map(|k| mix(&a, &black, k as f32 / 5.0)));
    frames.extend((0..3).map(|_| black.clone()));
    let s = detect_shots(&features(&frames, 1_000_000), &ShotConfig::default());
    let marked: Vec<usize> = (0..frames.len()).filter(|&i| s.transition[i]).collect();
    assert_eq!(marked, (6..13).collect::<Vec<_>>(), "{:?}", s.change);
    assert!(s.cuts.is_empty());
    assert_eq!(s.shots.len(), 1);
    assert_eq!(s.shots[0].end_idx, 5);
}

/// A slow camera pan over one scene: each sample is the next crop of a taller picture.
/// Cell by cell it looks like a mix of its neighbours, but it is motion, not a dissolve.
#[test]
fn slow_pans_are_not_transitions() {
    for (name, step) in [("coffee.jpg", 14), ("astronaut.jpg", 20)] {
        let tall = photo(name, W, 2 * H);
        let frames: Vec<RgbaFrame> = (0..10)
            .map(|k| frame(&imageops::crop_imm(&tall, 0, k * step, W, H).to_image()))
            .collect();
        let s = detect_shots(&features(&frames, 2_000_000), &ShotConfig::default());
        let marked: Vec<usize> = (0..frames.len()).filter(|&i| s.transition[i]).collect();
        assert!(
            marked.is_empty(),
            "{name}: samples {marked:?} taken for a dissolve"
        );
        assert_eq!(s.shots.len(), 1, "{name}: {:?}", s.cuts);
    }
}

#[test]
fn segments_and_dense_plan_on_photos() {
    // astronaut still (face given) 10 s, 2 s of blurred and noisy coffee, astronaut again.
    let (a, c) = (astronaut(), coffee());
    let blur = frame(&imageops::blur(&photo("coffee.jpg", W, H), 4.0));
    let mut frames: Vec<RgbaFrame> = (0..10).map(|i| noised(&a, 1 + i % 2)).collect();
    frames.push(noised(&c, 40));
    frames.push(noised(&blur, 30));
    let samples = features(&frames, 1_000_000);
    let shots = detect_shots(&samples, &ShotConfig::default());
    assert_eq!(shots.cuts.first(), Some(&10), "{:?}", shots.change);
    let faces = [(4_000_000i64, 0.95f32)];
    let segs = score_segments(
        &samples,
        &shots,
        Some(&faces),
        None,
        // One segment per shot here (the default splits shots longer than 8 s).
        &SegmentConfig {
            max_segment_us: 20_000_000,
            ..Default::default()
        },
    );
    assert!(segs.len() >= 2, "{segs:?}");
    let (still, rest) = (segs[0], &segs[1..]);
    assert_eq!((still.start_idx, still.end_idx), (0, 9));
    assert!(rest.iter().all(|s| s.level < still.level), "{segs:?}");
    assert!(still.level >= Level::High, "{segs:?}");
    let plan = dense_plan(&segs, &DenseConfig::default());
    let in_still = plan.iter().filter(|&&t| t <= 9_000_000).count();
    assert!((3..=6).contains(&in_still), "{plan:?}");
    // Low/minimal segments get nothing.
    for s in rest.iter().filter(|s| s.level <= Level::Low) {
        assert!(
            plan.iter().all(|t| !(s.start_us..=s.end_us).contains(t)),
            "{plan:?}"
        );
    }
}

#[test]
#[ignore = "timing; run with --release -- --ignored --nocapture"]
fn time_quick_metrics_320x180() {
    let frames: Vec<RgbaFrame> = (0..50)
        .map(|i| noised(&if i % 2 == 0 { astronaut() } else { coffee() }, 3))
        .collect();
    let _ = QuickMetrics::of(&frames[0]);
    let t = std::time::Instant::now();
    let rounds = 20;
    let mut acc = 0u64;
    for _ in 0..rounds {
        for f in &frames {
            acc ^= QuickMetrics::of(f).phash;
        }
    }
    let one = t.elapsed().as_secs_f64() * 1e3 / (rounds * frames.len()) as f64;
    let t = std::time::Instant::now();
    for _ in 0..rounds {
        acc ^= quick_metrics_batch(&frames)[0].phash;
    }
    let batch = t.elapsed().as_secs_f64() * 1e3 / (rounds * frames.len()) as f64;
    let samples = features(&frames, 1_000_000);
    let t = std::time::Instant::now();
    let shots = detect_shots(&samples, &ShotConfig::default());
    let shots_ms = t.elapsed().as_secs_f64() * 1e3;
    println!(
        "QuickMetrics 320x180: {one:.3} ms/frame one thread, {batch:.3} ms/frame batch \
         ({} threads); detect_shots on 50 samples: {shots_ms:.3} ms ({} shots) [{acc:x}]",
        rayon::current_num_threads(),
        shots.shots.len()
    );
}

/// Screen recordings (tests/fixtures/screen-*.png: source code drawn by FFmpeg in
/// DejaVu Sans Mono on a dark and a light theme, 1280×720 scaled to 320×180) are a plain
/// background with fine text: Hecate's uniformity rule (and the brightness rule, for
/// the white page) would reject them all. They pass as screens; a title card on one
/// colour and an over-exposed photo, which are what those rules are for, still fail.
#[test]
fn code_on_a_dark_or_light_theme_is_a_screen_not_a_flat_or_blown_frame() {
    for name in ["screen-dark-code.png", "screen-light-code.png"] {
        let m = QuickMetrics::of(&frame(&photo(name, W, H)));
        assert!(m.uniformity >= 0.8, "{name}: {}", brief(&m)); // what the rule alone sees
        assert!(m.is_screen_like(), "{name}: {}", brief(&m));
        assert_eq!(m.rejection(), None, "{name}: {}", brief(&m));
        assert!(m.score() > 0.0);
    }
    let title = QuickMetrics::of(&frame(&photo("screen-title-card.png", W, H)));
    assert!(!title.is_screen_like());
    assert_eq!(
        title.rejection(),
        Some(Rejection::Uniform),
        "{}",
        brief(&title)
    );
    let blown = QuickMetrics::of(&map_rgb(&astronaut(), |c| {
        (f32::from(c) * 0.5 + 204.0).min(255.0) as u8
    }));
    assert!(!blown.is_screen_like(), "{}", brief(&blown));
    assert_eq!(
        blown.rejection(),
        Some(Rejection::BlownOut),
        "{}",
        brief(&blown)
    );
}

/// A white page (tests/fixtures/screen-white-page.png: Chromium's screenshot of
/// docs/api.md as 16 px text on white, 1280×720) is mostly clipped white with no deep
/// tones, like a blown-out photo, and passes as a screen. A gravel photo blown out
/// (tests/fixtures/blown-gravel.png: bench/eval's screen-03 at 15 s, scikit-image's `gravel`
/// × 2.6 + 70 and clipped, area-scaled to 320×180 as the page scales it) leaves
/// an even texture that is screen-like too; its flat layout says it is no page.
#[test]
fn a_white_page_is_a_screen_a_blown_out_texture_is_not() {
    let page = QuickMetrics::of(&frame(&photo("screen-white-page.png", W, H)));
    assert!(page.is_screen_like(), "{}", brief(&page));
    assert!(page.clipped_highlights > 0.5 && page.dark_tones() < WASHED_OUT_MAX_DARK);
    assert!(page.layout_spread() >= PAGE_MIN_LAYOUT);
    assert_eq!(page.rejection(), None, "{}", brief(&page));
    let gravel = QuickMetrics::of(&frame(&photo("blown-gravel.png", W, H)));
    assert!(gravel.is_screen_like(), "{}", brief(&gravel));
    assert!(gravel.layout_spread() < PAGE_MIN_LAYOUT);
    assert_eq!(
        gravel.rejection(),
        Some(Rejection::BlownOut),
        "{}",
        brief(&gravel)
    );
}
