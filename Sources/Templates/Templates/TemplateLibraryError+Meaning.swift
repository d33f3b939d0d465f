import ImagegenCore

/// The template library could not be read: the host's problem, not the request's (500, exit 1).
extension TemplateLibraryError: MeaningfulError {
    package var meaning: ErrorMeaning { .internal }
    package var errorCode: String { "templates_unavailable" }
}
