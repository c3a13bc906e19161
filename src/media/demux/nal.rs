//! H.264 samples the decoder can do without. A picture whose slices all have
//! `nal_ref_idc == 0` is never used to predict another one (x264's non-pyramid B-frames,
//! for example: about half the frames of a default encode), so a frame we do not want
//! need not be decoded at all on the way to one we do. Skipping it keeps the stream
//! valid: `frame_num` only counts reference pictures.

/// Bytes of each NAL unit's length prefix, from an `avcC` record (1, 2 or 4).
pub fn nal_length_size(avcc: &[u8]) -> Option<usize> {
    let size = usize::from(avcc.get(4)? & 0b11) + 1;
    (size != 3).then_some(size)
}

/// Whether this length-prefixed H.264 sample is a picture that nothing references:
/// it has slices, and every slice has `nal_ref_idc == 0`. Anything that does not
/// parse is kept (answer `false`): skipping a needed frame would break the ones after.
pub fn is_disposable_avc(sample: &[u8], length_size: usize) -> bool {
    let mut at = 0;
    let mut slices = 0;
    while at < sample.len() {
        let Some(prefix) = sample.get(at..at + length_size) else {
            return false;
        };
        let len = prefix
            .iter()
            .fold(0usize, |n, &b| (n << 8) | usize::from(b));
        at += length_size;
        let Some(&header) = sample.get(at) else {
            return false;
        };
        // Not `at + len`: a 4-byte length near 2³² wraps on wasm32 and would send the
        // walk backwards (`at` is inside the sample here, so this cannot underflow).
        if len == 0 || len > sample.len() - at {
            return false;
        }
        let (ref_idc, kind) = (header >> 5 & 0b11, header & 0x1f);
        // 1: non-IDR slice, 2–4: data partitions, 5: IDR slice.
        if (1..=5).contains(&kind) {
            if ref_idc != 0 {
                return false;
            }
            slices += 1;
        }
        at += len;
    }
    slices > 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nal(header: u8, body: &[u8]) -> Vec<u8> {
        let mut v = ((body.len() + 1) as u32).to_be_bytes().to_vec();
        v.push(header);
        v.extend_from_slice(body);
        v
    }

    #[test]
    fn only_pictures_without_references_are_disposable() {
        let sei = nal(0x06, &[1, 2]);
        let b_nonref = nal(0x01, &[0x9e, 0]); // nal_ref_idc 0, non-IDR slice
        let p_ref = nal(0x41, &[0x9a, 0]); // nal_ref_idc 2
        let idr = nal(0x65, &[0x88, 0]);
        assert!(is_disposable_avc(
            &[sei.clone(), b_nonref.clone()].concat(),
            4
        ));
        assert!(!is_disposable_avc(
            &[sei.clone(), p_ref.clone()].concat(),
            4
        ));
        assert!(!is_disposable_avc(&idr, 4));
        // A picture with a referenced slice among unreferenced ones is kept.
        assert!(!is_disposable_avc(&[b_nonref.clone(), p_ref].concat(), 4));
        // No slice at all, truncated, or a length past the end: kept.
        assert!(!is_disposable_avc(&sei, 4));
        assert!(!is_disposable_avc(&b_nonref[..b_nonref.len() - 1], 4));
        assert!(!is_disposable_avc(&[], 4));
        assert!(!is_disposable_avc(&[0, 0, 0, 0, 0x01], 4));
        // A length near 2³² (which `at + len` would wrap on a 32-bit target): kept.
        let huge = [b_nonref.clone(), vec![0xff, 0xff, 0xff, 0xfa, 0x01, 0x9e]].concat();
        assert!(!is_disposable_avc(&huge, 4));
    }

    #[test]
    fn length_size_comes_from_avcc() {
        assert_eq!(nal_length_size(&[1, 0x64, 0, 0x1f, 0xff]), Some(4));
        assert_eq!(nal_length_size(&[1, 0x64, 0, 0x1f, 0xfd]), Some(2));
        assert_eq!(nal_length_size(&[1, 0x64, 0, 0x1f, 0xfe]), None);
        assert_eq!(nal_length_size(&[1, 0x64]), None);
    }
}
