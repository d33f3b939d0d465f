extension ContentPolicy {
    public static let attestationRuleID = "routing.adult.attestation"
    public static let nsfwModelRuleID = "routing.adult.nsfw-model"
}
