//! The frame type the core works on: small RGBA images, already downscaled by the
//! browser (or by the caller natively). No browser types here.

use crate::error::{FramepickError, Result};

#[derive(Clone, Debug, PartialEq)]
pub struct RgbaFrame {
    pub width: u32,
    pub height: u32,
    /// Row-major RGBA, 4 bytes a pixel, no padding.
    pub data: Vec<u8>,
}

impl RgbaFrame {
    pub fn new(width: u32, height: u32, data: Vec<u8>) -> Result<Self> {
        let want = width as usize * height as usize * 4;
        if width == 0 || height == 0 || data.len() != want {
            return Err(FramepickError::invalid(format!(
                "a {width}x{height} RGBA frame needs {want} bytes, got {}",
                data.len()
            )));
        }
        Ok(Self {
            width,
            height,
            data,
        })
    }

    /// A frame of one colour (tests, synthetic inputs).
    pub fn filled(width: u32, height: u32, rgba: [u8; 4]) -> Self {
        let data = rgba
            .iter()
            .copied()
            .cycle()
            .take(width as usize * height as usize * 4)
            .collect();
        Self {
            width,
            height,
            data,
        }
    }

    pub fn from_image(img: &image::RgbaImage) -> Self {
        Self {
            width: img.width(),
            height: img.height(),
            data: img.as_raw().clone(),
        }
    }

    /// ITU-R BT.601 luma, 0–255, one value a pixel.
    pub fn luma(&self) -> Vec<f32> {
        self.data
            .chunks_exact(4)
            .map(|p| 0.299 * p[0] as f32 + 0.587 * p[1] as f32 + 0.114 * p[2] as f32)
            .collect()
    }

    pub fn pixel_count(&self) -> usize {
        self.width as usize * self.height as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_mismatch_is_an_invalid_argument() {
        let err = RgbaFrame::new(4, 4, vec![0; 10]).unwrap_err();
        assert_eq!(err.code(), "INVALID_ARGUMENT");
    }

    #[test]
    fn luma_of_white_is_255() {
        let f = RgbaFrame::filled(2, 2, [255, 255, 255, 255]);
        assert!(f.luma().iter().all(|&y| (y - 255.0).abs() < 0.01));
    }
}
