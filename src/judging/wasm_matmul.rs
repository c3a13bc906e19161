//! A matrix-product kernel for tract on wasm32, picked ahead of tract's own (issue 15).
//!
//! Both models spend most of their time in matrix products (the convolutions). tract's wasm
//! tier runs every f32 product through its 8×8 kernel: 16 accumulators, and each step of `k`
//! spreads the 8 values of A over the lanes with 8 shuffles. On x86-64 V8 allocates 15 SIMD
//! registers, so 16 accumulators plus the operands spill, and the shuffles queue on one port.
//! This kernel works in 4×8 blocks: 8 accumulators, 2 vectors of B and one broadcast stay in
//! registers, and each value of A is read with `v128.load32_splat` (a broadcast from memory,
//! which runs on the load ports). Built with `+relaxed-simd` its multiply-adds are fused
//! (`f32x4.relaxed_madd`).
//!
//! Measured in Chromium 156 on this machine (BENCHMARKS.md, "Inference"): the products alone
//! run at 36–37 GFLOP/s fused, 29–33 plain, tract's 8×8 at 22–27; face detection a frame
//! 21 → 17 ms (single-thread build) and 16 ms (threaded build, fused).
//!
//! The fused-op handling (everything but `AddMatMul`) follows tract-linalg 0.23.9's
//! `wasm_f32_4x16` (MIT OR Apache-2.0): the same row-major accumulator layout, so the same
//! tile semantics.
//!
//! Registration goes through tract's own registries: the kernel is one more `MmmRoutine`, and
//! a dispatch tier above tract's wasm tier names it for every f32 product with more than one
//! column (tract's matrix-vector kernels keep `n = 1`).

use std::any::Any;
use std::arch::wasm32::*;

use tract_linalg::isa::{Arch, IsaSet};
use tract_linalg::mmm::{DynKernel, FusedKerSpec, MatMatMul, OutputStoreKer, Query, Suitable};
use tract_linalg::mmm_routines::MmmRoutine;
use tract_linalg::mmm_tiers::MmmTier;
use tract_onnx::prelude::DatumType;

/// Rows of a block held in registers (values of A per step of `k`).
const ROWS: usize = 4;
/// Vectors per row: 8 columns of B per step of `k`.
const NV: usize = 2;
/// Row passes per tile: tract sees an 8×8 tile, computed as two 4×8 blocks. As fast as a
/// 4×8 tile (half the tile calls; B read twice, from L1), and `DynKernel<8, 8, f32>` is the
/// type of tract's own 8×8 kernel, so tract's generic tile loop is compiled once for both (a
/// 4×8 tile added 11 KB of code to the wasm).
const PASSES: usize = 2;
const MR: usize = ROWS * PASSES;
const NR: usize = NV * 4;

/// The tile the kernel computes: rows × columns (tests build panels of this shape).
pub const TILE: (usize, usize) = (MR, NR);

/// The kernel's name in tract's registries.
pub const KERNEL_NAME: &str = "framepick_wasm_f32_8x8";

type Tile = [v128; ROWS * NV];

/// tract's own 8×8 f32 kernel, which ours takes the shape of.
const TRACT_KERNEL_NAME: &str = "wasm_f32_8x8";

/// Ours, made by copying tract's 8×8 kernel object and swapping its name and function. The
/// copy is made by tract's code, so the `MatMatMul` implementation behind it (tract's
/// generic tile loop, some 11 KB of wasm) is the one tract already compiled for its 8×8;
/// building a `DynKernel` here would compile a second copy into this crate.
fn make() -> Box<dyn MatMatMul> {
    let mut mmm = tract_linalg::mmm_routines::declared()
        .filter(|r| !std::ptr::fn_addr_eq(r.make, make as fn() -> Box<dyn MatMatMul>))
        .map(|r| (r.make)())
        .find(|m| m.name() == TRACT_KERNEL_NAME)
        .expect("tract-linalg registers its wasm 8×8 kernel");
    let ours = (&mut *mmm as &mut dyn Any)
        .downcast_mut::<DynKernel<MR, NR, f32>>()
        .expect("tract's 8×8 kernel is a DynKernel<8, 8, f32>");
    ours.name = KERNEL_NAME.to_string();
    ours.kernel = kernel;
    mmm
}

inventory::submit! {
    MmmRoutine { make }
}

fn preferred(_: &IsaSet, acc: DatumType, query: &Query, _: &[Suitable]) -> Option<&'static str> {
    (acc == DatumType::F32 && query.n != Some(1)).then_some(KERNEL_NAME)
}

inventory::submit! {
    MmmTier {
        arch: Some(Arch::Wasm32Simd128),
        // tract's own wasm tier is 1; the highest precedence answers first.
        precedence: 2,
        name: "framepick-wasm-8x8",
        applies: |_| true,
        preferred,
    }
}

/// The kernel tract would run for an f32 product of this shape (the wasm tests ask).
pub fn kernel_for(m: usize, k: usize, n: usize) -> Option<String> {
    tract_linalg::mmm::MmmDispatch::native()
        .preferred_kernel(DatumType::F32, Some(m), Some(k), Some(n))
        .map(|mmm| mmm.name().to_string())
}

#[inline(always)]
pub(super) fn madd(acc: v128, a: v128, b: v128) -> v128 {
    #[cfg(target_feature = "relaxed-simd")]
    {
        f32x4_relaxed_madd(a, b, acc)
    }
    #[cfg(not(target_feature = "relaxed-simd"))]
    {
        f32x4_add(acc, f32x4_mul(a, b))
    }
}

#[inline(always)]
fn each(acc: &mut Tile, op: impl Fn(v128) -> v128) {
    for v in acc.iter_mut() {
        *v = op(*v);
    }
}

/// `op(row value, accumulator)` for every accumulator of each row.
#[inline(always)]
unsafe fn per_row(acc: &mut Tile, rows: *const f32, op: impl Fn(v128, v128) -> v128) {
    for r in 0..ROWS {
        let s = f32x4_splat(unsafe { *rows.add(r) });
        for j in 0..NV {
            acc[r * NV + j] = op(s, acc[r * NV + j]);
        }
    }
}

/// `op(column values, accumulator)` for every row.
#[inline(always)]
unsafe fn per_col(acc: &mut Tile, cols: *const f32, op: impl Fn(v128, v128) -> v128) {
    let p = cols as *const v128;
    for r in 0..ROWS {
        for j in 0..NV {
            acc[r * NV + j] = op(unsafe { v128_load(p.add(j)) }, acc[r * NV + j]);
        }
    }
}

/// Element (r, c) of an output tile.
#[inline(always)]
fn at(tile: &OutputStoreKer, r: usize, c: usize) -> *mut f32 {
    tile.ptr
        .wrapping_offset(tile.row_byte_stride * r as isize + tile.col_byte_stride * c as isize)
        as *mut f32
}

/// Columns c..c+4 of row r, where the output's columns are side by side (a convolution's
/// output in NCHW: its columns are pixels).
#[inline(always)]
unsafe fn load4(tile: &OutputStoreKer, r: usize, c: usize) -> v128 {
    if tile.col_byte_stride == 4 {
        return unsafe { v128_load(at(tile, r, c) as *const v128) };
    }
    let x = |l: usize| unsafe { *at(tile, r, c + l) };
    f32x4(x(0), x(1), x(2), x(3))
}

#[inline(always)]
unsafe fn store4(tile: &OutputStoreKer, r: usize, c: usize, v: v128) {
    unsafe {
        if tile.col_byte_stride == 4 {
            v128_store(at(tile, r, c) as *mut v128, v);
            return;
        }
        *at(tile, r, c) = f32x4_extract_lane::<0>(v);
        *at(tile, r, c + 1) = f32x4_extract_lane::<1>(v);
        *at(tile, r, c + 2) = f32x4_extract_lane::<2>(v);
        *at(tile, r, c + 3) = f32x4_extract_lane::<3>(v);
    }
}

/// A 4×4 block's rows as its columns (and back: the transpose is its own inverse).
#[inline(always)]
fn transpose([a, b, c, d]: [v128; 4]) -> [v128; 4] {
    let ab_lo = i32x4_shuffle::<0, 4, 1, 5>(a, b);
    let cd_lo = i32x4_shuffle::<0, 4, 1, 5>(c, d);
    let ab_hi = i32x4_shuffle::<2, 6, 3, 7>(a, b);
    let cd_hi = i32x4_shuffle::<2, 6, 3, 7>(c, d);
    [
        i32x4_shuffle::<0, 1, 4, 5>(ab_lo, cd_lo),
        i32x4_shuffle::<2, 3, 6, 7>(ab_lo, cd_lo),
        i32x4_shuffle::<0, 1, 4, 5>(ab_hi, cd_hi),
        i32x4_shuffle::<2, 3, 6, 7>(ab_hi, cd_hi),
    ]
}

/// Whether the tile's rows, not its columns, are next to each other in memory.
#[inline(always)]
fn rows_side_by_side(tile: &OutputStoreKer) -> bool {
    tile.row_byte_stride == 4 && tile.col_byte_stride != 4
}

/// The accumulators of rows `r0..r0 + 4`, columns `4j..4j + 4`.
#[inline(always)]
fn block(acc: &Tile, j: usize) -> [v128; 4] {
    std::array::from_fn(|r| acc[r * NV + j])
}

/// Rows r0..r0+4 of the tile from memory. Where the rows are side by side instead (a 1×1
/// convolution run with pixels as rows), each 4×4 block is read by columns and transposed:
/// 4 vector loads and 8 shuffles where 16 scalar loads would do.
#[inline(always)]
unsafe fn load_rows(tile: &OutputStoreKer, r0: usize) -> Tile {
    let mut acc: Tile = [f32x4_splat(0.0); ROWS * NV];
    for j in 0..NV {
        let rows = if rows_side_by_side(tile) {
            let col = |c: usize| unsafe { v128_load(at(tile, r0, j * 4 + c) as *const v128) };
            transpose([col(0), col(1), col(2), col(3)])
        } else {
            std::array::from_fn(|r| unsafe { load4(tile, r0 + r, j * 4) })
        };
        for (r, v) in rows.into_iter().enumerate() {
            acc[r * NV + j] = v;
        }
    }
    acc
}

/// Rows r0..r0+4 of the tile to memory, by columns where the rows are side by side.
#[inline(always)]
unsafe fn store_rows(tile: &OutputStoreKer, r0: usize, acc: &Tile) {
    for j in 0..NV {
        if rows_side_by_side(tile) {
            for (c, v) in transpose(block(acc, j)).into_iter().enumerate() {
                unsafe { v128_store(at(tile, r0, j * 4 + c) as *mut v128, v) };
            }
        } else {
            for (r, v) in block(acc, j).into_iter().enumerate() {
                unsafe { store4(tile, r0 + r, j * 4, v) };
            }
        }
    }
}

/// 4 rows of a packed `k`×8 panel of A (`pa` points at the pass's first row) times a packed
/// `k`×8 panel of B, added to the block.
#[inline(always)]
unsafe fn add_mat_mul(acc: &mut Tile, k: usize, pa: *const f32, pb: *const v128) {
    for i in 0..k {
        let (a, b) = unsafe { (pa.add(MR * i), pb.add(NV * i)) };
        let b: [v128; NV] = std::array::from_fn(|j| unsafe { v128_load(b.add(j)) });
        for r in 0..ROWS {
            let s = unsafe { v128_load32_splat(a.add(r) as *const u32) };
            for j in 0..NV {
                acc[r * NV + j] = madd(acc[r * NV + j], s, b[j]);
            }
        }
    }
}

/// Rows `r0..r0 + 4` of the tile, over the whole list of fused ops: every op is done row by
/// row, so each pass does its share.
unsafe fn run(mut op: *const FusedKerSpec<f32>, r0: usize) {
    let mut acc: Tile = [f32x4_splat(0.0); ROWS * NV];
    let scale = |acc: &mut Tile, s: f32| each(acc, |v| f32x4_mul(f32x4_splat(s), v));
    loop {
        match unsafe { *op } {
            FusedKerSpec::Done => break,
            FusedKerSpec::Clear => acc = [f32x4_splat(0.0); ROWS * NV],
            FusedKerSpec::LoadTile(_, rows) => {
                for r in 0..ROWS {
                    for j in 0..NV {
                        let p = unsafe { rows.add((r0 + r) * NR + j * 4) } as *const v128;
                        acc[r * NV + j] = unsafe { v128_load(p) };
                    }
                }
            }
            FusedKerSpec::ScalarMin(a) => each(&mut acc, |v| f32x4_min(f32x4_splat(a), v)),
            FusedKerSpec::ScalarMax(a) => each(&mut acc, |v| f32x4_max(f32x4_splat(a), v)),
            FusedKerSpec::ScalarAdd(a) => each(&mut acc, |v| f32x4_add(f32x4_splat(a), v)),
            FusedKerSpec::ScalarMul(a) => scale(&mut acc, a),
            FusedKerSpec::ScalarSub(a) => each(&mut acc, |v| f32x4_sub(f32x4_splat(a), v)),
            FusedKerSpec::ScalarSubF(a) => each(&mut acc, |v| f32x4_sub(v, f32x4_splat(a))),
            FusedKerSpec::LeakyRelu(a) => each(&mut acc, |v| {
                let positive = f32x4_gt(v, f32x4_splat(0.0));
                v128_bitselect(v, f32x4_mul(f32x4_splat(a), v), positive)
            }),
            FusedKerSpec::PerRowMin(p) => unsafe {
                per_row(&mut acc, p.add(r0), |s, v| f32x4_min(s, v))
            },
            FusedKerSpec::PerRowMax(p) => unsafe {
                per_row(&mut acc, p.add(r0), |s, v| f32x4_max(s, v))
            },
            FusedKerSpec::PerRowAdd(p) => unsafe {
                per_row(&mut acc, p.add(r0), |s, v| f32x4_add(s, v))
            },
            FusedKerSpec::PerRowMul(p) => unsafe {
                per_row(&mut acc, p.add(r0), |s, v| f32x4_mul(s, v))
            },
            FusedKerSpec::PerRowSub(p) => unsafe {
                per_row(&mut acc, p.add(r0), |s, v| f32x4_sub(s, v))
            },
            FusedKerSpec::PerRowSubF(p) => unsafe {
                per_row(&mut acc, p.add(r0), |s, v| f32x4_sub(v, s))
            },
            FusedKerSpec::PerColMin(p) => unsafe { per_col(&mut acc, p, |s, v| f32x4_min(s, v)) },
            FusedKerSpec::PerColMax(p) => unsafe { per_col(&mut acc, p, |s, v| f32x4_max(s, v)) },
            FusedKerSpec::PerColAdd(p) => unsafe { per_col(&mut acc, p, |s, v| f32x4_add(s, v)) },
            FusedKerSpec::PerColMul(p) => unsafe { per_col(&mut acc, p, |s, v| f32x4_mul(s, v)) },
            FusedKerSpec::PerColSub(p) => unsafe { per_col(&mut acc, p, |s, v| f32x4_sub(s, v)) },
            FusedKerSpec::PerColSubF(p) => unsafe { per_col(&mut acc, p, |c, v| f32x4_sub(v, c)) },
            FusedKerSpec::QScale(shift, policy, mult) => scale(
                &mut acc,
                tract_linalg::Scaler::from_fuse_params(shift, policy, mult).scale,
            ),
            FusedKerSpec::RoundingShiftRight(shift, _) => {
                scale(&mut acc, 2f32.powi(-(shift as i32)))
            }
            FusedKerSpec::ShiftLeft(shift) => scale(&mut acc, 2f32.powi(shift as i32)),
            FusedKerSpec::AddRowColProducts(rows, cols) => {
                let c = cols as *const v128;
                for r in 0..ROWS {
                    let s = f32x4_splat(unsafe { *rows.add(r0 + r) });
                    for j in 0..NV {
                        acc[r * NV + j] = madd(acc[r * NV + j], s, unsafe { v128_load(c.add(j)) });
                    }
                }
            }
            FusedKerSpec::AddUnicast(tile) => {
                let x = unsafe { load_rows(&tile, r0) };
                for (v, x) in acc.iter_mut().zip(x) {
                    *v = f32x4_add(x, *v);
                }
            }
            FusedKerSpec::Store(tile) => unsafe { store_rows(&tile, r0, &acc) },
            FusedKerSpec::AddMatMul { k, pa, pb, .. } => unsafe {
                add_mat_mul(&mut acc, k, (pa as *const f32).add(r0), pb as *const v128)
            },
        }
        op = unsafe { op.add(1) };
    }
}

/// tract's kernel signature: the fused ops of one 8×8 tile, ending with `Done`; 0 is success.
///
/// # Safety
/// Every pointer in `ops` must be valid for the tile's reads and writes, as tract guarantees.
pub unsafe fn kernel(ops: &[FusedKerSpec<f32>]) -> isize {
    for pass in 0..PASSES {
        unsafe { run(ops.as_ptr(), pass * ROWS) };
    }
    0
}
