import Foundation
import Synchronization
import ImagegenConfig
import Pipeline

/// The template categories for validation and routing, re-read at most once a second.
/// `TemplateStore.categories()` lists and `stat`s the templates folder on every call, and the
/// service asks on every request and every job: under load that was a few percent of the
/// server's CPU for an answer that changes when an operator edits a file.
package final class TemplateCategoryCache: Sendable {
    private let templates: TemplateStore
    private let maximumAge: TimeInterval
    private let cached = Mutex<(at: Date, categories: [String: CategorySettings])?>(nil)

    package init(templates: TemplateStore, maximumAge: TimeInterval = 1) {
        self.templates = templates
        self.maximumAge = maximumAge
    }

    package func categories() -> [String: CategorySettings] {
        let now = Date()
        if let c = cached.withLock({ $0 }), now.timeIntervalSince(c.at) < maximumAge { return c.categories }
        let fresh = templates.categories()
        cached.withLock { $0 = (now, fresh) }
        return fresh
    }
}
