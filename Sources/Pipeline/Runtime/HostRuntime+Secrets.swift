import PluginHost

extension HostRuntime {
    /// Plugin id → the first secret it requires that is not set (its name, never a value), read
    /// on each routing decision: such a candidate is skipped instead of failing every job.
    public func missingSecrets() -> [String: String] {
        var missing: [String: String] = [:]
        for generation in plugins.generations {
            if let name = generation.manifest.missingSecret(in: secrets) { missing[generation.manifest.id] = name }
        }
        return missing
    }
}
