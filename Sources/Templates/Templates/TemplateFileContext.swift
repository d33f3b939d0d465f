import ImagegenJSON5
/// One template file being checked: its outline, its line index and the problems found so far.
///
/// Checks name a place by its JSON path (`templates[2].parameters.width`); the context turns that into a
/// line and column and remembers whether the problem disqualifies one template or the whole file.
struct TemplateFileContext {
    let file: String
    let scalars: [Unicode.Scalar]
    let lines: SourceLineIndex
    let outline: JSON5Outline
    private(set) var problems: [TemplateProblem] = []
    /// Indices of templates that have an error and must not load.
    private(set) var failedTemplates: Set<Int> = []
    /// Set by an error outside any template: nothing from the file loads.
    private(set) var fileFailed = false

    init(file: String, scalars: [Unicode.Scalar], lines: SourceLineIndex, outline: JSON5Outline) {
        self.file = file
        self.scalars = scalars
        self.lines = lines
        self.outline = outline
    }

    /// Where a path points: the key of its last member when it names one, else the value itself.
    func offset(of path: [JSON5PathComponent]) -> Int {
        if let member = outline.root.memberNode(at: path) { return member.keyStart }
        return outline.root.nearestNode(at: path).start
    }

    /// Where `text` (e.g. a `{{placeholder}}` as written) sits inside the string at `path`;
    /// the string's start when the literal text cannot be found (escapes in between).
    func offset(of text: String, inStringAt path: [JSON5PathComponent]) -> Int {
        guard let node = outline.root.node(at: path) else { return offset(of: path) }
        let needle = Array(text.unicodeScalars)
        guard !needle.isEmpty, node.end - node.start >= needle.count else { return node.start }
        for start in node.start...(node.end - needle.count) where scalars[start] == needle[0] {
            if Array(scalars[start..<(start + needle.count)]) == needle { return start }
        }
        return node.start
    }

    func position(of offset: Int) -> SourcePosition {
        lines.position(of: offset)
    }

    /// The index of the template whose object contains `offset`, if any.
    func templateIndex(containing offset: Int) -> Int? {
        outline.root.member("templates")?.value.elements.firstIndex { $0.start <= offset && offset < $0.end }
    }

    /// The template's name as written, for messages (nil when it has none or it is not a string).
    func templateName(at index: Int) -> String? {
        outline.root.node(at: [.key("templates"), .index(index), .key("name")])?.stringValue
    }

    mutating func report(_ issue: TemplateIssue, at offset: Int) {
        let index = templateIndex(containing: offset)
        report(issue, at: offset, templateIndex: index)
    }

    /// Reports a problem that belongs to a template even if its position lies elsewhere
    /// (e.g. a file default that this template cannot use).
    mutating func report(_ issue: TemplateIssue, at offset: Int, templateIndex index: Int?) {
        problems.append(TemplateProblem(file: file, position: lines.position(of: offset),
                                        template: index.flatMap(templateName(at:)), issue: issue))
        guard issue.severity == .error else { return }
        if let index { failedTemplates.insert(index) } else { fileFailed = true }
    }

    mutating func report(_ issue: TemplateIssue, at path: [JSON5PathComponent]) {
        report(issue, at: offset(of: path))
    }
}
