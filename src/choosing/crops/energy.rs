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
    pub(super) centroid: (f64, f64),
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

    pub(super) fn total(&self) -> f64 {
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
    pub(super) fn inside(&self, x0: f64, y0: f64, x1: f64, y1: f64) -> f64 {
        (self.below(x1, y1) - self.below(x0, y1) - self.below(x1, y0) + self.below(x0, y0)).max(0.0)
    }
}
