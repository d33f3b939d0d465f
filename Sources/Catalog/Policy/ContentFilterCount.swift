import Foundation

/// How often the providers' safety filters refused a template's jobs: the signal for the
/// "template filtered repeatedly" alert (the ops module's alert rules read it). A filtered job is
/// final — it is never retried on another provider to get around the filter — so each one here
/// is one refusal by a provider.
package struct ContentFilterCount: Sendable, Codable, Equatable {
    package var template: String
    /// Jobs of this template that ended `content_filtered` in the window.
    package var filtered: Int
    /// Jobs of this template that ended in the window, whatever their state.
    package var finished: Int
    package var lastFilteredAt: Date?

    enum CodingKeys: String, CodingKey {
        case template, filtered, finished
        case lastFilteredAt = "last_filtered_at"
    }

    package init(template: String, filtered: Int, finished: Int, lastFilteredAt: Date?) {
        self.template = template
        self.filtered = filtered
        self.finished = finished
        self.lastFilteredAt = lastFilteredAt
    }
}
