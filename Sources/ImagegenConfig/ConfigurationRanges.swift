/// Values that decode but cannot mean anything (a negative budget, a zero-pixel default, a
/// poll every 0 ms): refused at load with the key and the allowed range.
extension Configuration {
    func checkRanges(file: String) throws(ConfigurationError) {
        func require(_ ok: Bool, _ key: String, _ detail: String) throws(ConfigurationError) {
            if !ok { throw .invalidValue(file: file, key: key, detail: detail) }
        }
        func money(_ value: Double?, _ key: String) throws(ConfigurationError) {
            guard let value else { return }
            try require(value.isFinite && value >= 0, key, "must be an amount in USD of 0 or more, got \(value)")
        }
        try money(budgets.daily, "budgets.daily")
        try money(budgets.monthly, "budgets.monthly")
        for (name, budget) in budgets.categories.sorted(by: { $0.key < $1.key }) {
            try money(budget.daily, "budgets.categories.\(name).daily")
            try money(budget.monthly, "budgets.categories.\(name).monthly")
        }
        try require((1...16384).contains(defaults.width), "defaults.width", "must be within 1...16384, got \(defaults.width)")
        try require((1...16384).contains(defaults.height), "defaults.height", "must be within 1...16384, got \(defaults.height)")
        try require((1...1000).contains(defaults.steps), "defaults.steps", "must be within 1...1000, got \(defaults.steps)")
        try require(defaults.guidanceScale.isFinite && defaults.guidanceScale >= 0, "defaults.guidance_scale",
                    "must be 0 or more, got \(defaults.guidanceScale)")
        try require(defaults.maxPromptLength >= 1, "defaults.max_prompt_length", "must be at least 1, got \(defaults.maxPromptLength)")
        try require(jobs.deadlineSeconds.isFinite && jobs.deadlineSeconds > 0, "jobs.deadline_seconds",
                    "must be more than 0, got \(jobs.deadlineSeconds)")
        try require(jobs.pollIntervalMs >= 1, "jobs.poll_interval_ms", "must be at least 1, got \(jobs.pollIntervalMs)")
        try require(jobs.submitAttempts >= 1, "jobs.submit_attempts", "must be at least 1, got \(jobs.submitAttempts)")
        try require(health.cooldownSeconds.isFinite && health.cooldownSeconds > 0, "health.cooldown_seconds",
                    "must be more than 0, got \(health.cooldownSeconds)")
        try require(health.maxCooldownSeconds.isFinite && health.maxCooldownSeconds >= health.cooldownSeconds,
                    "health.max_cooldown_seconds", "must be at least health.cooldown_seconds (\(health.cooldownSeconds)), got \(health.maxCooldownSeconds)")
        try require(OutputCheckSettings.detectors.contains(outputCheck.detector), "output_check.detector",
                    "unknown detector \"\(outputCheck.detector)\"; the shipped one is \(OutputCheckSettings.detectors.joined(separator: ", "))")
        try require(outputCheck.threshold.isFinite && (0.05...1).contains(outputCheck.threshold), "output_check.threshold",
                    "must be within 0.05...1, got \(outputCheck.threshold)")
        try require(outputCheck.timeoutSeconds.isFinite && (0.1...3600).contains(outputCheck.timeoutSeconds), "output_check.timeout_seconds",
                    "must be within 0.1...3600 seconds, got \(outputCheck.timeoutSeconds)")
        try require(outputCheck.python.map { !$0.isEmpty } ?? true, "output_check.python", "must be the path of a Python interpreter")
        try require((0...16).contains(outputCheck.processes), "output_check.processes",
                    "must be within 0...16 (0 = one per two cores, at most four), got \(outputCheck.processes)")
        for (key, days) in [("retention.rejected_days", retention.rejectedDays), ("retention.quarantined_days", retention.quarantinedDays)] {
            guard let days else { continue }
            try require((1...36_500).contains(days), key, "must be a number of days within 1...36500, got \(days)")
        }
        try require(retention.intervalHours.isFinite && retention.intervalHours >= 0.01, "retention.interval_hours",
                    "must be at least 0.01, got \(retention.intervalHours)")
    }
}
