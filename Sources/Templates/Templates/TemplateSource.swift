import ImagegenJSON5
/// Where a loaded template is defined, for `templates show` and for editing its file (promote).
public struct TemplateSource: Codable, Sendable, Hashable {
    public var file: String
    /// The template's `{` in the file.
    public var position: SourcePosition
    /// Its index in the file's `templates` array.
    public var index: Int

    public init(file: String, position: SourcePosition, index: Int) {
        self.file = file
        self.position = position
        self.index = index
    }
}
