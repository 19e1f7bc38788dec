//! Pre-routing vocabulary (open-classify): certainty tags, injection risk levels, actions,
//! model tiers and specializations.

use crate::string_enum;

string_enum! {
    /// A classifier's certainty label; [`Certainty::score`] gives open-classify's number for it.
    pub enum Certainty: "certainty" {
        /// 0.00
        NoSignal => "no_signal",
        /// 0.15
        VeryWeak => "very_weak",
        /// 0.30
        Weak => "weak",
        /// 0.45
        Tentative => "tentative",
        /// 0.60
        Reasonable => "reasonable",
        /// 0.75
        Strong => "strong",
        /// 0.88
        VeryStrong => "very_strong",
        /// 0.97
        NearCertain => "near_certain",
    }
}

impl Certainty {
    /// open-classify's score for the label.
    pub const fn score(self) -> f64 {
        match self {
            Certainty::NoSignal => 0.00,
            Certainty::VeryWeak => 0.15,
            Certainty::Weak => 0.30,
            Certainty::Tentative => 0.45,
            Certainty::Reasonable => 0.60,
            Certainty::Strong => 0.75,
            Certainty::VeryStrong => 0.88,
            Certainty::NearCertain => 0.97,
        }
    }

    /// The highest label whose score does not exceed `p` (a calibrated probability), so a
    /// label never claims more certainty than the model has. NaN maps to `no_signal`.
    pub fn from_probability(p: f64) -> Self {
        Self::ALL
            .iter()
            .rev()
            .copied()
            .find(|c| p >= c.score())
            .unwrap_or(Certainty::NoSignal)
    }
}

string_enum! {
    /// Prompt-injection risk of a text.
    pub enum RiskLevel: "risk_level" {
        /// No sign of injection.
        Normal => "normal",
        /// Some signs; advisory.
        Suspicious => "suspicious",
        /// An injection attempt.
        HighRisk => "high_risk",
        /// Could not tell (treated as a block by the aggregator).
        Unknown => "unknown",
    }
}

string_enum! {
    /// What the pre-router does with a message.
    pub enum Action: "action" {
        /// Send it on to a downstream model.
        Route => "route",
        /// Answer it directly.
        Reply => "reply",
        /// Refuse it.
        Block => "block",
    }
}

string_enum! {
    /// Downstream model tier.
    pub enum ModelTier: "tier" {
        /// Small, fast local model.
        LocalFast => "local_fast",
        /// Small local model.
        LocalSmall => "local_small",
        /// Strong local model.
        LocalStrong => "local_strong",
        /// Local coding model.
        LocalCoding => "local_coding",
        /// Fast hosted model.
        FrontierFast => "frontier_fast",
        /// Strong hosted model.
        FrontierStrong => "frontier_strong",
        /// Hosted coding model.
        FrontierCoding => "frontier_coding",
    }
}

string_enum! {
    /// What a downstream model is good at.
    pub enum Specialization: "specialization" {
        /// Conversation.
        Chat => "chat",
        /// Multi-step reasoning.
        Reasoning => "reasoning",
        /// Planning.
        Planning => "planning",
        /// Writing.
        Writing => "writing",
        /// Summaries.
        Summarization => "summarization",
        /// Code.
        Coding => "coding",
        /// Tool calling.
        ToolUse => "tool_use",
        /// Operating a computer.
        ComputerUse => "computer_use",
        /// Images.
        Vision => "vision",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certainty_scores_match_reference_table() {
        let scores: Vec<f64> = Certainty::ALL.iter().map(|c| c.score()).collect();
        assert_eq!(scores, [0.0, 0.15, 0.30, 0.45, 0.60, 0.75, 0.88, 0.97]);
        assert_eq!(Certainty::from_probability(0.99), Certainty::NearCertain);
        assert_eq!(Certainty::from_probability(0.74), Certainty::Reasonable);
        assert_eq!(Certainty::from_probability(0.75), Certainty::Strong);
        assert_eq!(Certainty::from_probability(0.0), Certainty::NoSignal);
        assert_eq!(Certainty::from_probability(f64::NAN), Certainty::NoSignal);
    }
}
