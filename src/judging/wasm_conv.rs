//! A convolution kernel for tract on wasm32: the detector's first layer without im2col.
//!
//! tract computes a convolution with few input channels and wide rows (at most 576 inputs per
//! output point, output rows of 128 points or more: here the detector's first layer, 3×3 over
//! RGB, 160 points a row) as a filter along each row, four output channels at a time, where
//! the machine has a `ConvW4` kernel. tract has one for x86-64 and arm64, none for wasm32, so
//! in the browser that layer went through im2col and a matrix product with `k` = 27: packing
//! dominated, and it took 0.8 ms of a 15 ms frame against 0.3 ms natively.
//!
//! This is that kernel for wasm32 SIMD, registered in tract's routine registry so tract's own
//! `DirectSpatialConv` picks it: eight output points by four channels a step (8 accumulators,
//! 2 input vectors, a broadcast tap), input strides 1 and 2 in vectors, the rest one point at
//! a time. It follows tract-linalg 0.23.9's `x86_64/conv_w4.rs` (MIT OR Apache-2.0), with
//! four-lane vectors.

use std::arch::wasm32::*;

use tract_linalg::isa::{Arch, IsaReq};
use tract_linalg::routines::{Func, Routine, RoutineFactory};

use super::wasm_matmul::madd;

/// The kernel's name in tract's registry.
pub const KERNEL_NAME: &str = "framepick_wasm_conv_w4_f32";

inventory::submit! {
    Routine {
        func: Func::ConvW4,
        arch: Some(Arch::Wasm32Simd128),
        isa: IsaReq::ANY,
        boost: 0,
        round_trip: false,
        factory: RoutineFactory::ConvW4F32 { name: KERNEL_NAME, run: conv_w4_f32 },
    }
}

/// The kernel tract runs for `ConvW4` here (the wasm tests ask).
pub fn kernel_name() -> Option<&'static str> {
    tract_linalg::routines::best_for(
        Func::ConvW4,
        tract_onnx::prelude::DatumType::F32,
        &tract_linalg::isa::native(),
    )
    .map(|r| r.name())
}

/// The inputs of four output points `stride` elements apart, from `p`. Stride 2 reads eight
/// elements, one past the fourth point's: the next point's neighbour.
#[inline(always)]
unsafe fn load4(p: *const f32, stride: isize) -> v128 {
    unsafe {
        if stride == 1 {
            return v128_load(p as *const v128);
        }
        let a = v128_load(p as *const v128);
        let b = v128_load(p.add(4) as *const v128);
        i32x4_shuffle::<0, 2, 4, 6>(a, b)
    }
}

/// tract's `ConvW4F32`: four output channels along a row of `len` points. Point `i` of channel
/// `o` is `bias[o]` plus every `taps[o * offsets.len() + t] * input[offsets[t] + i * in_stride]`,
/// written at `output + o * oc_stride + i`.
///
/// # Safety
/// As `tract_linalg::routines::ConvW4F32`: every `input + offsets[t] + i * in_stride` readable
/// for `i < len`, `taps` four times as long as `offsets`, `len` points writable per channel.
/// No read goes past `offsets[t] + (len - 1) * in_stride`.
#[allow(clippy::too_many_arguments)]
pub unsafe fn conv_w4_f32(
    input: *const f32,
    output: *mut f32,
    taps: &[f32],
    offsets: &[isize],
    bias: &[f32; 4],
    len: usize,
    in_stride: isize,
    oc_stride: isize,
) {
    let n = offsets.len();
    let mut i = 0;
    if in_stride == 1 || in_stride == 2 {
        // At stride 2 a vector's last read is the next point's input, so that point must be
        // in the run: a step of `points` needs `points + 1` left.
        let extra = (in_stride == 2) as usize;
        let start =
            |t: usize, i: usize| unsafe { input.offset(offsets[t] + i as isize * in_stride) };
        let tap = |o: usize, t: usize| unsafe {
            v128_load32_splat(taps.as_ptr().add(o * n + t) as *const u32)
        };
        let out = |o: usize, i: usize| unsafe {
            output.offset(o as isize * oc_stride).add(i) as *mut v128
        };
        let b: [v128; 4] = std::array::from_fn(|o| f32x4_splat(bias[o]));
        while i + 8 + extra <= len {
            let mut acc = [b[0], b[1], b[2], b[3], b[0], b[1], b[2], b[3]];
            for t in 0..n {
                let x = unsafe { load4(start(t, i), in_stride) };
                let y = unsafe { load4(start(t, i + 4), in_stride) };
                for o in 0..4 {
                    let k = tap(o, t);
                    acc[o] = madd(acc[o], x, k);
                    acc[4 + o] = madd(acc[4 + o], y, k);
                }
            }
            for o in 0..4 {
                unsafe {
                    v128_store(out(o, i), acc[o]);
                    v128_store(out(o, i + 4), acc[4 + o]);
                }
            }
            i += 8;
        }
        while i + 4 + extra <= len {
            let mut acc = b;
            for t in 0..n {
                let x = unsafe { load4(start(t, i), in_stride) };
                for (o, a) in acc.iter_mut().enumerate() {
                    *a = madd(*a, x, tap(o, t));
                }
            }
            for (o, a) in acc.into_iter().enumerate() {
                unsafe { v128_store(out(o, i), a) };
            }
            i += 4;
        }
    }
    for i in i..len {
        for o in 0..4 {
            let mut sum = bias[o];
            for t in 0..n {
                sum +=
                    taps[o * n + t] * unsafe { *input.offset(offsets[t] + i as isize * in_stride) };
            }
            unsafe { *output.offset(o as isize * oc_stride).add(i) = sum };
        }
    }
}
