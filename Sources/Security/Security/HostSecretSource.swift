import PluginHost
/// What plugins get from the host's `get_secret` and `${secret:NAME}`: the secret store (the
/// environment and the 0600 secrets file), never the config text and never the master key.
///
/// A name the store does not list (a plugin's `secret_name` pointing at an unusual variable) is
/// still read from the environment, as before, but its value is taught to the redaction first.
package struct HostSecretSource: SecretSource {
    package let store: SecretStore
    let environment: [String: String]
    let redaction: LiveRedaction

    package init(store: SecretStore, environment: [String: String], redaction: LiveRedaction) {
        self.store = store
        self.environment = environment
        self.redaction = redaction
    }

    package func secret(named name: String) -> String? {
        guard !SecretStore.isMasterKeyName(name) else { return nil }
        if let value = store.value(named: name), !value.isEmpty { return value }
        guard let value = environment[name], !value.isEmpty else { return nil }
        redaction.learn(name: name, value: value)
        return value
    }

    package var knownValues: [String] { store.namedValues.map(\.value) }
}
