import ImagegenJSON5
import Foundation

/// All templates of the templates folder: the ones that loaded, and the problems of the ones that did not.
///
/// Loading never fails because of one file: each file (and each template in it) is checked on its own,
/// problems are collected with file, line and column, and everything else is usable. Templates are keyed by
/// name, which is unique across the library (the first definition wins; later ones are reported).
public struct TemplateLibrary: Sendable {
    /// The category files are `*.json5` in this folder (not recursive).
    public static let fileExtension = "json5"

    public let categories: [TemplateCategory]
    /// In category-name order, then file order.
    public let templates: [PromptTemplate]
    /// Ordered by file, then position.
    public let problems: [TemplateProblem]
    private let sources: [String: TemplateSource]
    private let index: [String: Int]

    /// True when any file or template has an error (warnings do not count): `templates check` exits non-zero.
    public var hasErrors: Bool { problems.contains { $0.severity == .error } }

    public func template(named name: String) -> PromptTemplate? {
        index[name].map { templates[$0] }
    }

    public func templates(inCategory category: String) -> [PromptTemplate] {
        templates.filter { $0.category == category }
    }

    public func category(named name: String) -> TemplateCategory? {
        categories.first { $0.name == name }
    }

    public func source(of name: String) -> TemplateSource? {
        sources[name]
    }

    /// Current versions by template name, to be recorded for the next comparison.
    public var versions: [String: TemplateVersion] {
        Dictionary(uniqueKeysWithValues: templates.map { ($0.name, $0.version) })
    }

    /// Compares the loaded templates with versions recorded earlier. Sorted by template name.
    public func versionChanges(since known: [String: TemplateVersion]) -> [TemplateVersionChange] {
        var changes: [TemplateVersionChange] = []
        let current = versions
        for (name, version) in current {
            if let old = known[name] {
                if old != version { changes.append(.changed(name: name, from: old, to: version)) }
            } else {
                changes.append(.added(name: name, version: version))
            }
        }
        for (name, version) in known where current[name] == nil {
            changes.append(.removed(name: name, lastVersion: version))
        }
        return changes.sorted { $0.templateName < $1.templateName }
    }

    /// The library without the `refused` templates, each reported as an error problem at its
    /// definition: what the content policy's screening at load time leaves (see `TemplateScreen`).
    public func refusing(_ refused: [String: TemplateIssue]) -> TemplateLibrary {
        guard !refused.isEmpty else { return self }
        let kept = templates.filter { refused[$0.name] == nil }
        var problems = self.problems
        for template in templates {
            guard let issue = refused[template.name] else { continue }
            let source = sources[template.name]
            problems.append(TemplateProblem(file: source?.file ?? template.category, position: source?.position ?? SourcePosition(line: 1, column: 1),
                                            template: template.name, issue: issue))
        }
        let categories = self.categories.map { category -> TemplateCategory in
            var copy = category
            copy.templateNames = category.templateNames.filter { refused[$0] == nil }
            return copy
        }
        return TemplateLibrary(categories: categories, templates: kept, problems: problems,
                               sources: sources.filter { refused[$0.key] == nil },
                               index: Dictionary(uniqueKeysWithValues: kept.enumerated().map { ($1.name, $0) }))
    }

    // MARK: Loading

    /// Loads every `*.json5` file of `folder`, in file-name order.
    public static func load(folder: URL) throws(TemplateLibraryError) -> TemplateLibrary {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        } catch {
            throw .folderUnreadable(path: folder.path, reason: error.localizedDescription)
        }
        var files: [(file: String, data: Data?, failure: String?)] = []
        for name in names.sorted() where name.hasSuffix(".\(fileExtension)") && !name.hasPrefix(".") {
            let url = folder.appendingPathComponent(name)
            do {
                files.append((url.path, try Data(contentsOf: url), nil))
            } catch {
                files.append((url.path, nil, error.localizedDescription))
            }
        }
        return assemble(files.map { entry in
            if let data = entry.data { return TemplateFileLoader.load(file: entry.file, data: data) }
            return TemplateFileLoad(category: nil, templates: [], problems: [
                TemplateProblem(file: entry.file, position: SourcePosition(line: 1, column: 1),
                                issue: .unreadableFile(reason: entry.failure ?? "unknown error")),
            ])
        })
    }

    /// Loads in-memory files (name → JSON5 text), in name order: for tests, `templates check` of edited
    /// text, and verifying an edit before it is written.
    public static func load(texts: [String: String]) -> TemplateLibrary {
        assemble(texts.keys.sorted().map { TemplateFileLoader.load(file: $0, text: texts[$0] ?? "") })
    }

    /// Combines per-file results, enforcing unique categories and template names across files.
    private static func assemble(_ loads: [TemplateFileLoad]) -> TemplateLibrary {
        var categories: [TemplateCategory] = []
        var templates: [PromptTemplate] = []
        var problems: [TemplateProblem] = []
        var sources: [String: TemplateSource] = [:]
        var categoryFiles: [String: String] = [:]
        for load in loads {
            problems += load.problems
            guard var category = load.category else { continue }
            if let firstFile = categoryFiles[category.name] {
                problems.append(TemplateProblem(file: category.file, position: load.categoryPosition,
                                                issue: .duplicateCategory(category: category.name, firstFile: firstFile)))
                continue
            }
            categoryFiles[category.name] = category.file
            var kept: [String] = []
            for (template, source) in load.templates {
                if let first = sources[template.name] {
                    problems.append(TemplateProblem(file: source.file, position: source.position, template: template.name,
                                                    issue: .duplicateTemplateName(name: template.name, firstFile: first.file,
                                                                                  firstAt: first.position)))
                    continue
                }
                sources[template.name] = source
                templates.append(template)
                kept.append(template.name)
            }
            category.templateNames = kept
            categories.append(category)
        }
        categories.sort { $0.name < $1.name }
        let order = Dictionary(uniqueKeysWithValues: categories.enumerated().map { ($1.name, $0) })
        let sortedTemplates = templates.enumerated().sorted { lhs, rhs in
            let left = order[lhs.element.category] ?? 0
            let right = order[rhs.element.category] ?? 0
            return left != right ? left < right : lhs.offset < rhs.offset
        }.map(\.element)
        return TemplateLibrary(categories: categories, templates: sortedTemplates, problems: problems, sources: sources,
                               index: Dictionary(uniqueKeysWithValues: sortedTemplates.enumerated().map { ($1.name, $0) }))
    }
}
