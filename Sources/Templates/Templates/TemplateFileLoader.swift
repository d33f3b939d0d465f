import ImagegenJSON5
import Foundation

/// Loads one category file: JSON5 syntax (with positions), decoding (Foundation), then validation.
///
/// The order matters for good messages: the outline parser finds syntax errors with their exact position
/// before Foundation would reject the file without one; then decoding errors are mapped back to positions
/// through their coding path; then `TemplateValidator` checks meaning.
enum TemplateFileLoader {
    static func load(file: String, data: Data) -> TemplateFileLoad {
        guard let text = String(data: data, encoding: .utf8) else {
            let decoded = Array(String(decoding: data, as: UTF8.self).unicodeScalars)
            let bad = decoded.firstIndex(of: "\u{FFFD}") ?? 0
            let position = SourceLineIndex(decoded).position(of: bad)
            return failure(file: file, position: position, issue: .invalidEncoding)
        }
        return load(file: file, text: text)
    }

    static func load(file: String, text: String) -> TemplateFileLoad {
        let scalars = Array(text.unicodeScalars)
        let lines = SourceLineIndex(scalars)
        let outline: JSON5Outline
        do {
            outline = try JSON5OutlineParser.parse(text)
        } catch {
            return failure(file: file, position: lines.position(of: error.offset), issue: .syntax(error.message))
        }
        var context = TemplateFileContext(file: file, scalars: scalars, lines: lines, outline: outline)
        guard case .object = outline.root.kind else {
            context.report(.wrongType(field: "the file", expected: "an object { category, adult, templates }",
                                      found: outline.root.typeDescription), at: outline.root.start)
            return TemplateFileLoad(category: nil, templates: [], problems: context.problems)
        }
        for duplicate in outline.duplicateKeys {
            context.report(.duplicateKey(key: duplicate.key, firstAt: lines.position(of: duplicate.firstOffset)),
                           at: duplicate.offset)
        }
        UnknownKeyCheck.run(&context)

        let decoder = JSONDecoder()
        decoder.allowsJSON5 = true
        let document: TemplateFileDocument
        do {
            document = try decoder.decode(TemplateFileDocument.self, from: Data(text.utf8))
        } catch let error as DecodingError {
            DecodingErrorMapping.report(error, in: &context)
            return TemplateFileLoad(category: nil, templates: [], problems: context.problems)
        } catch {
            context.report(.syntax("Foundation's JSON5 reader refused the file: \(error)"), at: 0)
            return TemplateFileLoad(category: nil, templates: [], problems: context.problems)
        }

        let validator = TemplateValidator(document: document)
        validator.checkFile(&context)
        var validated: [(PromptTemplate, TemplateSource)] = []
        for (index, slot) in document.templates.enumerated() {
            switch slot.result {
            case .failure(let error):
                DecodingErrorMapping.report(error, in: &context)
            case .success(let draft):
                if let template = validator.validate(draft, index: index, in: &context) {
                    let start = outline.root.node(at: [.key("templates"), .index(index)])?.start ?? 0
                    validated.append((template, TemplateSource(file: file, position: lines.position(of: start), index: index)))
                }
            }
        }
        if context.fileFailed {
            return TemplateFileLoad(category: nil, templates: [], problems: context.problems)
        }
        let loaded = validated.filter { !context.failedTemplates.contains($0.1.index) }
        let category = TemplateCategory(name: document.category, adult: document.adult,
                                        description: document.description, file: file,
                                        templateNames: loaded.map(\.0.name))
        return TemplateFileLoad(category: category, templates: loaded.map { (template: $0.0, source: $0.1) },
                                problems: context.problems,
                                categoryPosition: lines.position(of: context.offset(of: [.key("category")])))
    }

    private static func failure(file: String, position: SourcePosition, issue: TemplateIssue) -> TemplateFileLoad {
        TemplateFileLoad(category: nil, templates: [],
                         problems: [TemplateProblem(file: file, position: position, issue: issue)])
    }
}
