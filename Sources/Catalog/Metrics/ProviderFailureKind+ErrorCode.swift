extension ProviderFailureKind {
    /// The failure class of a failed job, from the `error_code` (and, for fail-over, the message)
    /// the job runner recorded.
    ///
    /// Most codes are the ABI status names and map one to one. Two need care:
    /// - `no_provider`: the runner tried every candidate and gave up; its message lists each
    ///   candidate's failure as `<candidate>: <status>: <detail>` after "Failures:", and the last
    ///   listed status is the reason (so a provider answering 429 until fail-over ran out still
    ///   counts as `rate_limited`, which the quota alert needs);
    /// - `submit_outcome_unknown`: the submit timed out, so the class is `timeout`.
    /// Host-side problems (storage, catalog) are `internal`; anything else is `provider_error`.
    package init(errorCode: String?, message: String?) {
        if let code = errorCode, let direct = ProviderFailureKind(rawValue: code) {
            self = direct
            return
        }
        switch errorCode {
        case "submit_outcome_unknown":
            self = .timeout
        case "storage", "catalog":
            self = .internal
        case "plugin_unavailable", "model_unavailable":
            self = .unsupported
        case "no_provider":
            self = Self.lastListedFailure(in: message ?? "") ?? .providerError
        default:
            self = .providerError
        }
    }

    /// The last `: <kind>: ` in the "Failures:" part of a fail-over message.
    static func lastListedFailure(in message: String) -> ProviderFailureKind? {
        guard let failures = message.range(of: "Failures: ", options: .backwards) else { return nil }
        let tail = message[failures.upperBound...]
        var best: (position: String.Index, kind: ProviderFailureKind)?
        for kind in ProviderFailureKind.allCases {
            guard let found = tail.range(of: ": \(kind.rawValue): ", options: .backwards) else { continue }
            if best == nil || found.lowerBound > best!.position { best = (found.lowerBound, kind) }
        }
        return best?.kind
    }
}
