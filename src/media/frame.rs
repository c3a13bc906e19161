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

    /// From rows `stride` bytes apart (WebGPU pads texture read-backs to 256 bytes).
    pub fn from_rows(width: u32, height: u32, stride: usize, data: &[u8]) -> Result<Self> {
        let row = width as usize * 4;
        if stride < row || data.len() < stride * (height as usize).saturating_sub(1) + row {
            return Err(FramepickError::invalid(format!(
                "{} bytes cannot hold {height} rows of {width} RGBA pixels {stride} bytes apart",
                data.len()
            )));
        }
        let mut packed = Vec::with_capacity(row * height as usize);
        for r in data.chunks(stride).take(height as usize) {
            packed.extend_from_slice(&r[..row]);
        }
        Self::new(width, height, packed)
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

    /// The `width`×`height` part whose top-left corner is (`x`, `y`), clamped to the frame.
    pub fn crop(&self, x: u32, y: u32, width: u32, height: u32) -> Self {
        let x = x.min(self.width - 1);
        let y = y.min(self.height - 1);
        let width = width.clamp(1, self.width - x);
        let height = height.clamp(1, self.height - y);
        let mut data = Vec::with_capacity(width as usize * height as usize * 4);
        for row in y..y + height {
            let start = (row as usize * self.width as usize + x as usize) * 4;
            data.extend_from_slice(&self.data[start..start + width as usize * 4]);
        }
        Self {
            width,
            height,
            data,
        }
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
    fn padded_rows_are_packed() {
        let mut data = vec![9u8; 2 * 12];
        data[..8].copy_from_slice(&[1, 2, 3, 4, 5, 6, 7, 8]);
        data[12..20].copy_from_slice(&[8, 7, 6, 5, 4, 3, 2, 1]);
        let f = RgbaFrame::from_rows(2, 2, 12, &data).unwrap();
        assert_eq!(f.data, [1, 2, 3, 4, 5, 6, 7, 8, 8, 7, 6, 5, 4, 3, 2, 1]);
        assert!(RgbaFrame::from_rows(2, 2, 4, &data).is_err());
        assert!(RgbaFrame::from_rows(2, 3, 12, &data).is_err());
        assert!(RgbaFrame::from_rows(0, 2, 12, &data).is_err());
    }

    #[test]
    fn crop_takes_the_rows_and_columns_asked() {
        let data: Vec<u8> = (0..4 * 3 * 4).map(|v| v as u8).collect();
        let f = RgbaFrame::new(4, 3, data).unwrap();
        let c = f.crop(1, 1, 2, 2);
        assert_eq!((c.width, c.height), (2, 2));
        assert_eq!(&c.data[..4], &f.data[20..24]);
        assert_eq!(&c.data[8..12], &f.data[36..40]);
        // Clamped into the frame.
        assert_eq!(f.crop(3, 2, 9, 9).data, f.data[44..48]);
    }

    #[test]
    fn luma_of_white_is_255() {
        let f = RgbaFrame::filled(2, 2, [255, 255, 255, 255]);
        assert!(f.luma().iter().all(|&y| (y - 255.0).abs() < 0.01));
    }
}
