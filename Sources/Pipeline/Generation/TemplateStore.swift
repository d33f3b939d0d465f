import Foundation
import Catalog
import ImagegenConfig
import ImagegenCore
import Templates

/// The templates folder as a library: the default set is installed on first use, the files
/// are re-read when they change, and every version seen is recorded in the catalog (so
/// `imagegen templates history` and each image's `template_version` stay meaningful).
public final class TemplateStore: Sendable {
    public let folder: URL
    /// Where every version seen is recorded (nil: nowhere, e.g. a throwaway library).
    let catalog: (any TemplateHistoryStore)?
    /// The content policy's check of every template at load (refused ones become problems).
    let screen: TemplateScreen?
    private let cache = NSLock()
    nonisolated(unsafe) private var cached: (stamp: String, library: TemplateLibrary)?
    nonisolated(unsafe) private var screened: (stamp: String, library: TemplateLibrary)?

    public init(folder: URL, catalog: (any TemplateHistoryStore)?, screen: TemplateScreen? = nil) {
        self.folder = folder
        self.catalog = catalog
        self.screen = screen
    }

    /// The folder from config (`templates.folder`), else `<data>/templates`.
    public static func folder(configuration: Configuration, paths: HostPaths) -> URL {
        if let f = configuration.sections["templates"]?["folder"]?.string {
            return URL(fileURLWithPath: f.hasPrefix("/") ? f : paths.data + "/" + f)
        }
        return URL(fileURLWithPath: paths.data + "/templates")
    }

    /// The library as the files are now. Problems in one file never stop the others; templates
    /// the content policy refuses are problems too (never generated).
    public func library() throws -> TemplateLibrary {
        let (stamp, loaded) = try unscreenedLibrary()
        guard let screen else { return loaded }
        cache.lock()
        if let screened, screened.stamp == stamp {
            cache.unlock()
            return screened.library
        }
        cache.unlock()
        let library = screen.screen(loaded)
        cache.lock()
        screened = (stamp, library)
        cache.unlock()
        return library
    }

    /// The files as loaded, before the content policy's screen (categories need none).
    func unscreenedLibrary() throws -> (stamp: String, library: TemplateLibrary) {
        _ = try DefaultTemplates.installIfFirstUse(into: folder)
        let stamp = TemplateStore.stamp(folder)
        cache.lock()
        if let cached, cached.stamp == stamp {
            cache.unlock()
            return cached
        }
        cache.unlock()
        let library = try TemplateLibrary.load(folder: folder)
        try catalog?.recordTemplateVersions(library.templates, reason: "loaded", now: Date())
        cache.lock()
        cached = (stamp, library)
        cache.unlock()
        return (stamp, library)
    }

    /// Names, sizes and modification times of the folder's files: changes when a file does.
    static func stamp(_ folder: URL) -> String {
        // try?: a cache key only; an unreadable folder or file makes the load that follows report the error
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
        return names.map { name -> String in
            // try?: a cache key only (see above)
            let a = try? FileManager.default.attributesOfItem(atPath: folder.path + "/" + name)
            let m = (a?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            return "\(name):\((a?[.size] as? NSNumber)?.intValue ?? 0):\(m)"
        }.joined(separator: "|")
    }

    /// Categories the templates declare (with their adult flag), for validation and routing.
    public func categories() -> [String: CategorySettings] {
        // try?: templates that do not load declare no categories; generating from them reports the load error itself
        guard let library = try? unscreenedLibrary().library else { return [:] }
        return Dictionary(library.categories.map { ($0.name, CategorySettings(adult: $0.adult)) }, uniquingKeysWith: { a, _ in a })
    }
}
