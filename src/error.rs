//! The one error type of framepick. Each variant maps to a stable `code` string that the
//! JavaScript side receives on its `Error` objects, so apps can branch on it.

use thiserror::Error;

#[derive(Debug, Error, Clone, PartialEq)]
pub enum FramepickError {
    #[error("not a supported video container ({detail}); framepick reads MP4/MOV files")]
    UnsupportedContainer { detail: String },

    #[error("the video codec {codec} cannot be decoded here; re-encode as H.264, VP9 or AV1")]
    UnsupportedCodec { codec: String },

    #[error("the file is damaged: {detail}")]
    CorruptMedia { detail: String },

    #[error("the file has no video track")]
    NoVideoTrack,

    #[error("no frame of the video could be decoded")]
    NoFrames,

    #[error("model {name} could not be loaded: {detail}")]
    ModelLoadFailed { name: String, detail: String },

    #[error("the run was cancelled during {during}")]
    Aborted { during: &'static str },

    #[error("invalid argument: {detail}")]
    InvalidArgument { detail: String },

    #[error("could not read the input: {detail}")]
    Io { detail: String },

    #[error("not enough memory: {detail}")]
    OutOfMemory { detail: String },
}

impl FramepickError {
    /// The stable machine-readable code exposed to JavaScript as `error.code`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::UnsupportedContainer { .. } => "UNSUPPORTED_CONTAINER",
            Self::UnsupportedCodec { .. } => "UNSUPPORTED_CODEC",
            Self::CorruptMedia { .. } => "CORRUPT_MEDIA",
            Self::NoVideoTrack => "NO_VIDEO_TRACK",
            Self::NoFrames => "NO_FRAMES",
            Self::ModelLoadFailed { .. } => "MODEL_LOAD_FAILED",
            Self::Aborted { .. } => "ABORTED",
            Self::InvalidArgument { .. } => "INVALID_ARGUMENT",
            Self::Io { .. } => "IO_ERROR",
            Self::OutOfMemory { .. } => "OUT_OF_MEMORY",
        }
    }

    pub fn corrupt(detail: impl Into<String>) -> Self {
        Self::CorruptMedia {
            detail: detail.into(),
        }
    }

    pub fn invalid(detail: impl Into<String>) -> Self {
        Self::InvalidArgument {
            detail: detail.into(),
        }
    }
}

impl From<std::io::Error> for FramepickError {
    fn from(e: std::io::Error) -> Self {
        // A read past the end means the file is shorter than its own index says.
        if e.kind() == std::io::ErrorKind::UnexpectedEof {
            Self::corrupt(format!("file ends early ({e})"))
        } else {
            Self::Io {
                detail: e.to_string(),
            }
        }
    }
}

pub type Result<T, E = FramepickError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable() {
        assert_eq!(FramepickError::NoFrames.code(), "NO_FRAMES");
        assert_eq!(
            FramepickError::UnsupportedCodec {
                codec: "hev1".into()
            }
            .code(),
            "UNSUPPORTED_CODEC"
        );
        let eof = std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "eof");
        assert_eq!(FramepickError::from(eof).code(), "CORRUPT_MEDIA");
    }

    #[test]
    fn messages_name_the_codec() {
        let e = FramepickError::UnsupportedCodec {
            codec: "hev1.1.6.L93.B0".into(),
        };
        assert!(e.to_string().contains("hev1.1.6.L93.B0"));
    }
}
