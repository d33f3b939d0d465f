extension ContentPolicy {
    package static let attestationRuleID = "routing.adult.attestation"
    package static let nsfwModelRuleID = "routing.adult.nsfw-model"
}
