//! Niche profiles: how much each score component counts in the final ranking.
//!
//! | niche | quality | faces | emotion | composition | editability | aesthetics | why |
//! | --- | --- | --- | --- | --- | --- | --- | --- |
//! | `general` | 0.30 | 0.20 | 0.10 | 0.15 | 0.10 | 0.15 | balanced default |
//! | `vlog` | 0.20 | 0.30 | 0.20 | 0.15 | 0.05 | 0.10 | the creator's face and expression sell the video |
//! | `gaming` | 0.25 | 0.10 | 0.15 | 0.05 | 0.15 | 0.30 | vivid gameplay, a facecam reaction helps, text overlays are common |
//! | `education` | 0.30 | 0.15 | 0.05 | 0.15 | 0.25 | 0.10 | clear frame with room for a title |
//! | `tutorial` | 0.35 | 0.05 | 0.00 | 0.10 | 0.30 | 0.20 | sharp screen/steps, room for text, faces optional |
//! | `music` | 0.20 | 0.20 | 0.15 | 0.15 | 0.05 | 0.25 | mood and colour, the artist |
//! | `sports` | 0.35 | 0.10 | 0.15 | 0.15 | 0.05 | 0.20 | sharp action first |
//!
//! Every row sums to 1. Caller weights ([`WeightOverrides`]) replace single entries of
//! the niche's row; the final score divides by the sum of the weights actually used
//! (components that could not be computed, e.g. emotion without its model, drop out),
//! so any non-negative scale works and the score stays 0–1. See docs/scoring.md.

use serde::{Deserialize, Serialize};

use crate::choosing::select::FacePolicy;
use crate::error::{FramepickError, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Niche {
    #[default]
    General,
    Vlog,
    Gaming,
    Education,
    Tutorial,
    Music,
    Sports,
}

impl Niche {
    pub const ALL: [Niche; 7] = [
        Niche::General,
        Niche::Vlog,
        Niche::Gaming,
        Niche::Education,
        Niche::Tutorial,
        Niche::Music,
        Niche::Sports,
    ];

    /// The documented weight table of this niche (see the module docs).
    pub fn weights(self) -> Weights {
        let w = |quality, faces, emotion, composition, editability, aesthetics| Weights {
            quality,
            faces,
            emotion,
            composition,
            editability,
            aesthetics,
        };
        match self {
            Niche::General => w(0.30, 0.20, 0.10, 0.15, 0.10, 0.15),
            Niche::Vlog => w(0.20, 0.30, 0.20, 0.15, 0.05, 0.10),
            Niche::Gaming => w(0.25, 0.10, 0.15, 0.05, 0.15, 0.30),
            Niche::Education => w(0.30, 0.15, 0.05, 0.15, 0.25, 0.10),
            Niche::Tutorial => w(0.35, 0.05, 0.00, 0.10, 0.30, 0.20),
            Niche::Music => w(0.20, 0.20, 0.15, 0.15, 0.05, 0.25),
            Niche::Sports => w(0.35, 0.10, 0.15, 0.15, 0.05, 0.20),
        }
    }

    /// How much this niche wants faces among its picks: talking heads always when a
    /// clean face exists; the general, music and education picks cover every shot
    /// with a face before the others; gaming, tutorial and sports by score only.
    pub fn face_policy(self) -> FacePolicy {
        match self {
            Niche::Vlog => FacePolicy::Always,
            Niche::General | Niche::Music | Niche::Education => FacePolicy::First,
            Niche::Gaming | Niche::Tutorial | Niche::Sports => FacePolicy::Score,
        }
    }

    pub fn parse(name: &str) -> Result<Niche> {
        Niche::ALL
            .into_iter()
            .find(|n| n.name() == name.trim().to_ascii_lowercase())
            .ok_or_else(|| {
                FramepickError::invalid(format!(
                    "unknown niche {name:?}; use one of general, vlog, gaming, education, \
                     tutorial, music, sports"
                ))
            })
    }

    pub fn name(self) -> &'static str {
        match self {
            Niche::General => "general",
            Niche::Vlog => "vlog",
            Niche::Gaming => "gaming",
            Niche::Education => "education",
            Niche::Tutorial => "tutorial",
            Niche::Music => "music",
            Niche::Sports => "sports",
        }
    }
}

/// Weight of each score component. Non-negative; need not sum to 1.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Weights {
    pub quality: f32,
    pub faces: f32,
    pub emotion: f32,
    pub composition: f32,
    pub editability: f32,
    pub aesthetics: f32,
}

impl Default for Weights {
    fn default() -> Self {
        Niche::General.weights()
    }
}

impl Weights {
    pub fn as_array(&self) -> [f32; 6] {
        [
            self.quality,
            self.faces,
            self.emotion,
            self.composition,
            self.editability,
            self.aesthetics,
        ]
    }

    pub fn validate(&self) -> Result<()> {
        let a = self.as_array();
        if a.iter().any(|w| !w.is_finite() || *w < 0.0) {
            return Err(FramepickError::invalid(
                "weights must be finite and non-negative",
            ));
        }
        if a.iter().sum::<f32>() <= 0.0 {
            return Err(FramepickError::invalid("at least one weight must be > 0"));
        }
        Ok(())
    }
}

/// Caller weights as JS passes them: any subset, e.g. `{ faces: 0.5, editability: 0 }`;
/// the rest come from the niche's table. Unknown keys are refused (a typo would
/// otherwise be silently ignored).
#[derive(Debug, Clone, Copy, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WeightOverrides {
    pub quality: Option<f32>,
    pub faces: Option<f32>,
    pub emotion: Option<f32>,
    pub composition: Option<f32>,
    pub editability: Option<f32>,
    pub aesthetics: Option<f32>,
}

impl WeightOverrides {
    pub fn apply(&self, base: Weights) -> Result<Weights> {
        let w = Weights {
            quality: self.quality.unwrap_or(base.quality),
            faces: self.faces.unwrap_or(base.faces),
            emotion: self.emotion.unwrap_or(base.emotion),
            composition: self.composition.unwrap_or(base.composition),
            editability: self.editability.unwrap_or(base.editability),
            aesthetics: self.aesthetics.unwrap_or(base.aesthetics),
        };
        w.validate()?;
        Ok(w)
    }
}

/// What JS passes as scoring options: `{ niche: 'vlog', weights: { faces: 0.5 } }`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ScoringOptions {
    pub niche: Option<Niche>,
    pub weights: Option<WeightOverrides>,
}

impl ScoringOptions {
    /// The niche (general when absent) and its table with the overrides applied.
    pub fn resolve(&self) -> Result<(Niche, Weights)> {
        let niche = self.niche.unwrap_or_default();
        let w = match self.weights {
            Some(o) => o.apply(niche.weights())?,
            None => niche.weights(),
        };
        Ok((niche, w))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_sums_to_one() {
        for n in Niche::ALL {
            let s: f32 = n.weights().as_array().iter().sum();
            assert!((s - 1.0).abs() < 1e-5, "{n:?} sums to {s}");
            assert_eq!(Niche::parse(n.name()).unwrap(), n);
        }
        assert_eq!(Niche::parse("nope").unwrap_err().code(), "INVALID_ARGUMENT");
    }

    #[test]
    fn vlog_counts_faces_more_than_tutorial() {
        assert!(Niche::Vlog.weights().faces > Niche::Tutorial.weights().faces);
        assert!(Niche::Tutorial.weights().editability > Niche::Vlog.weights().editability);
    }

    #[test]
    fn partial_overrides_from_json() {
        let o: ScoringOptions =
            serde_json::from_str(r#"{"niche":"gaming","weights":{"faces":0.5}}"#).unwrap();
        let (n, w) = o.resolve().unwrap();
        assert_eq!(n, Niche::Gaming);
        assert_eq!(w.faces, 0.5);
        assert_eq!(w.aesthetics, Niche::Gaming.weights().aesthetics);
        assert!(serde_json::from_str::<ScoringOptions>(r#"{"weights":{"face":1}}"#).is_err());
        let neg: ScoringOptions = serde_json::from_str(r#"{"weights":{"faces":-1}}"#).unwrap();
        assert!(neg.resolve().is_err());
        let full: Weights = serde_json::from_str(
            r#"{"quality":1,"faces":0,"emotion":0,"composition":0,"editability":0,"aesthetics":0}"#,
        )
        .unwrap();
        assert_eq!(full.quality, 1.0);
    }
}
