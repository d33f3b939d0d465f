/// An image's prompt fields as stored (sealed or, for legacy rows, plaintext): what a key
/// rotation reads and rewrites.
public struct StoredImagePrompts: Sendable, Equatable {
    public var imageID: String
    public var prompt: String
    public var negativePrompt: String?
    /// The image file, relative to the data folder (its sidecar repeats the prompts).
    public var filePath: String

    public init(imageID: String, prompt: String, negativePrompt: String?, filePath: String) {
        self.imageID = imageID
        self.prompt = prompt
        self.negativePrompt = negativePrompt
        self.filePath = filePath
    }
}

/// A job's sealed fields as stored: prompts and the provider's reference (`job_ref`, a JSON
/// string holding an envelope, or legacy JSON in the clear).
public struct StoredJobPrompts: Sendable, Equatable {
    public var jobID: String
    public var prompt: String
    public var negativePrompt: String?
    public var reference: String?

    public init(jobID: String, prompt: String, negativePrompt: String?, reference: String?) {
        self.jobID = jobID
        self.prompt = prompt
        self.negativePrompt = negativePrompt
        self.reference = reference
    }
}

/// An image's prompts re-sealed under the current key, with its word-index tokens when the
/// index is kept (nil: leave the index alone).
public struct ImagePromptRewrap: Sendable, Equatable {
    public var imageID: String
    public var prompt: String
    public var negativePrompt: String?
    public var searchTokens: [String]?

    public init(imageID: String, prompt: String, negativePrompt: String?, searchTokens: [String]?) {
        self.imageID = imageID
        self.prompt = prompt
        self.negativePrompt = negativePrompt
        self.searchTokens = searchTokens
    }
}

/// How many stored prompts each key sealed, and how many are still plaintext (`keys status`).
public struct PromptKeyCensus: Sendable, Equatable {
    /// Rows (images and jobs) per key id.
    public var byKey: [String: Int] = [:]
    public var plaintext = 0

    public init(byKey: [String: Int] = [:], plaintext: Int = 0) {
        self.byKey = byKey
        self.plaintext = plaintext
    }
}
