use super::*;

/// Median of a histogram with bins of width 1, interpolated inside its bin.
pub(super) fn median_bin(hist: &[u32; 256]) -> f32 {
    let total: u64 = hist.iter().map(|&c| u64::from(c)).sum();
    if total == 0 {
        return 0.0;
    }
    let half = total as f64 / 2.0;
    let mut below = 0u64;
    for (bin, &c) in hist.iter().enumerate() {
        let c = u64::from(c);
        if (below + c) as f64 >= half && c > 0 {
            return (bin as f64 + (half - below as f64) / c as f64) as f32;
        }
        below += c;
    }
    255.0
}

pub(super) fn uniformity(hist: &[u32; 256], n: usize) -> f32 {
    let mut hist = *hist;
    hist.sort_unstable_by(|a, b| b.cmp(a));
    // Top 5 % of 256 bins, as Hecate does.
    let top: u32 = hist[..13].iter().sum();
    top as f32 / n as f32
}

pub(super) fn entropy(hist: &[u32; 256], n: usize) -> f32 {
    let n = n as f32;
    let h: f32 = hist
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f32 / n;
            -p * p.log2()
        })
        .sum();
    (h / 8.0).clamp(0.0, 1.0)
}

/// `rg`, `yb2`: Σ and Σ² of R − G and of R + G − 2B (= 2·yb).
pub(super) fn colorfulness(rg: [f64; 2], yb2: [f64; 2], n: usize) -> f32 {
    let n = n as f64;
    let (rg_m, yb_m) = (rg[0] / n, yb2[0] / n / 2.0);
    let rg_v = (rg[1] / n - rg_m.powi(2)).max(0.0);
    let yb_v = ((yb2[1] / n - (yb2[0] / n).powi(2)) / 4.0).max(0.0);
    ((rg_v + yb_v).sqrt() + 0.3 * (rg_m * rg_m + yb_m * yb_m).sqrt()) as f32
}

/// DCT-II basis for the 8 lowest frequencies of a 32-point transform.
pub(super) fn dct_basis() -> &'static [[f32; 32]; 8] {
    static BASIS: OnceLock<[[f32; 32]; 8]> = OnceLock::new();
    BASIS.get_or_init(|| {
        let mut b = [[0.0f32; 32]; 8];
        for (u, row) in b.iter_mut().enumerate() {
            for (x, v) in row.iter_mut().enumerate() {
                *v = ((2 * x + 1) as f32 * u as f32 * std::f32::consts::PI / 64.0).cos();
            }
        }
        b
    })
}

/// pHash: 8×8 lowest DCT coefficients of the 32×32 luma means; a bit is set where a
/// coefficient exceeds the median of the 63 non-DC ones.
/// The 32×32 cell means averaged over 2×2 blocks: 16×16.
pub(super) fn pool2(c32: &[f32; 32 * 32]) -> [f32; FINE_CELLS] {
    let mut out = [0.0f32; FINE_CELLS];
    for (i, o) in out.iter_mut().enumerate() {
        let (y, x) = (2 * (i / FINE_GRID), 2 * (i % FINE_GRID));
        *o = (c32[y * 32 + x]
            + c32[y * 32 + x + 1]
            + c32[(y + 1) * 32 + x]
            + c32[(y + 1) * 32 + x + 1])
            / 4.0;
    }
    out
}

pub(super) fn phash(cells: &[f32; 32 * 32]) -> u64 {
    let c = dct_basis();
    // Rows first: t[y][u] = Σx c[u][x] · m[y][x].
    let mut t = [[0.0f32; 8]; 32];
    for (y, ty) in t.iter_mut().enumerate() {
        let row = &cells[y * 32..y * 32 + 32];
        for (u, tu) in ty.iter_mut().enumerate() {
            *tu = c[u].iter().zip(row).map(|(a, b)| a * b).sum();
        }
    }
    let mut coef = [0.0f32; 64];
    for v in 0..8 {
        for u in 0..8 {
            coef[v * 8 + u] = (0..32).map(|y| c[v][y] * t[y][u]).sum();
        }
    }
    let mut ac: Vec<f32> = coef[1..].to_vec();
    ac.sort_unstable_by(f32::total_cmp);
    let median = ac[ac.len() / 2];
    coef.iter()
        .enumerate()
        .fold(0u64, |h, (i, &v)| if v > median { h | (1 << i) } else { h })
}

/// Running sums for the Pearson correlation of paired values (the layout comparisons
/// of `spoils` and `scenes`).
#[derive(Debug, Default, Clone, Copy)]
pub struct Pearson {
    su: f32,
    sv: f32,
    suu: f32,
    svv: f32,
    suv: f32,
    n: usize,
}

impl Pearson {
    pub fn add(&mut self, u: f32, v: f32) {
        self.su += u;
        self.sv += v;
        self.suu += u * u;
        self.svv += v * v;
        self.suv += u * v;
        self.n += 1;
    }

    /// Pairs added so far.
    pub fn count(&self) -> usize {
        self.n
    }

    /// The correlation, −1 to 1; `None` when either side's variance is at most
    /// `min_variance` (a flat layout correlates with nothing).
    pub fn correlation(&self, min_variance: f32) -> Option<f32> {
        let n = self.n as f32;
        let vu = self.suu / n - (self.su / n) * (self.su / n);
        let vv = self.svv / n - (self.sv / n) * (self.sv / n);
        (vu > min_variance && vv > min_variance)
            .then(|| (self.suv / n - self.su * self.sv / (n * n)) / (vu * vv).sqrt())
    }
}
