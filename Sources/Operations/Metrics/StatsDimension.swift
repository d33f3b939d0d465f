import Catalog
/// What `imagegen stats --by` groups by.
package enum StatsDimension: String, Sendable, Hashable, Codable, CaseIterable {
    case model, provider, category, template

    /// The grouping key of a record (templates missing from a record group under "(none)").
    package func key(of record: GenerationRecord) -> String {
        switch self {
        case .model: return record.model
        case .provider: return record.provider
        case .category: return record.category
        case .template: return record.template ?? "(none)"
        }
    }
}
