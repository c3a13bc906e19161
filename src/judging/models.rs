//! Model files and their integrity. The expected digests come from
//! `models/SHA256SUMS`, the same file `build.sh` checks, so there is one source of truth.

use sha2::{Digest, Sha256};

use crate::error::{FramepickError, Result};

pub const FACE_MODEL: &str = "retinaface-mnet025.onnx";
pub const EMOTION_MODEL: &str = "emotion-minixception.onnx";

const SHA256SUMS: &str = include_str!("../../models/SHA256SUMS");

/// The expected sha256 (hex) of a shipped model file.
pub fn expected_sha256(name: &str) -> Option<&'static str> {
    SHA256SUMS.lines().find_map(|line| {
        let (hash, file) = line.split_once(char::is_whitespace)?;
        let file = file.trim_start().trim_start_matches('*');
        (file == name).then_some(hash)
    })
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Refuse bytes that are not the model we ship (truncated download, wrong file, tampering).
pub fn verify(name: &str, bytes: &[u8]) -> Result<()> {
    let expected = expected_sha256(name).ok_or_else(|| FramepickError::ModelLoadFailed {
        name: name.into(),
        detail: "unknown model name".into(),
    })?;
    let got = sha256_hex(bytes);
    if got != expected {
        return Err(FramepickError::ModelLoadFailed {
            name: name.into(),
            detail: format!(
                "sha256 mismatch ({} bytes, sha256 {got}, expected {expected}); \
                 serve the file from the framepick package unchanged",
                bytes.len()
            ),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn face_model_digest_is_listed() {
        assert_eq!(
            expected_sha256(FACE_MODEL),
            Some("b7a7acab55e104dce6f32cdfff929bd83946da5cd869b9e2e9bdffafd1b7e4a5")
        );
    }

    #[test]
    fn wrong_bytes_are_refused() {
        let err = verify(FACE_MODEL, b"not a model").unwrap_err();
        assert_eq!(err.code(), "MODEL_LOAD_FAILED");
        assert!(err.to_string().contains("sha256 mismatch"));
    }
}
