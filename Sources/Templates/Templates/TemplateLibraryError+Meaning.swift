import ImagegenCore

/// The template library could not be read: the host's problem, not the request's (500, exit 1).
extension TemplateLibraryError: MeaningfulError {
    public var meaning: ErrorMeaning { .internal }
    public var errorCode: String { "templates_unavailable" }
}
