import Foundation
import Templates

/// Every version a template ever had, so `imagegen templates history` and each image's
/// `template_version` stay meaningful after the template's file has changed.
public protocol TemplateHistoryStore: Sendable {
    /// Records the versions of `templates` first seen now, for `reason` ("loaded", "promoted
    /// arm …"); versions already known are left as they are. One committed transaction.
    func recordTemplateVersions(_ templates: [PromptTemplate], reason: String, now: Date) throws
    /// The versions of template `name`, oldest first. One read.
    func templateHistory(_ name: String) throws -> [TemplateVersionRecord]
}
