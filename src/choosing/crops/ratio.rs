use super::*;

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
