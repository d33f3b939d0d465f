import ImagegenJSON5

/// `providers.<id>` sections whose id no loaded plugin reports: `providers: { stability: … }` when
/// the plugin's id is `stabilityai` used to be ignored without a word.
package enum ProviderSectionCheck {
    /// One message per configured id that no loaded plugin reports, naming the loaded ids and the
    /// nearest one.
    package static func problems(configured: some Sequence<String>, loaded: some Sequence<String>) -> [String] {
        let loaded = Array(Set(loaded)).sorted()
        return Array(Set(configured)).sorted().filter { !loaded.contains($0) }.map { id in
            let hint = KeySuggestion.suggestion(for: id, among: loaded).map { " → did you mean providers.\($0)?" }
                ?? nearestByPrefix(id, loaded).map { " → did you mean providers.\($0)?" } ?? ""
            let names = loaded.isEmpty ? "none" : loaded.joined(separator: ", ")
            return "providers.\(id): no loaded plugin has the id \"\(id)\", so this section is not used\(hint) "
                + "Loaded plugin ids: \(names)."
        }
    }

    /// `stability` for `stabilityai`: a loaded id that starts with the configured one (or the reverse).
    private static func nearestByPrefix(_ id: String, _ loaded: [String]) -> String? {
        let lower = id.lowercased()
        return loaded.first { $0.lowercased().hasPrefix(lower) || lower.hasPrefix($0.lowercased()) }
    }
}
