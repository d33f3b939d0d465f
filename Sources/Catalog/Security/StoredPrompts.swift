/// An image's prompt fields as stored (sealed or, for legacy rows, plaintext): what a key
/// rotation reads and rewrites.
package struct StoredImagePrompts: Sendable, Equatable {
    package var imageID: String
    package var prompt: String
    package var negativePrompt: String?
    /// The image file, relative to the data folder (its sidecar repeats the prompts).
    package var filePath: String

    package init(imageID: String, prompt: String, negativePrompt: String?, filePath: String) {
        self.imageID = imageID
        self.prompt = prompt
        self.negativePrompt = negativePrompt
        self.filePath = filePath
    }
}

/// A job's sealed fields as stored: prompts and the provider's reference (`job_ref`, a JSON
/// string holding an envelope, or legacy JSON in the clear).
package struct StoredJobPrompts: Sendable, Equatable {
    package var jobID: String
    package var prompt: String
    package var negativePrompt: String?
    package var reference: String?

    package init(jobID: String, prompt: String, negativePrompt: String?, reference: String?) {
        self.jobID = jobID
        self.prompt = prompt
        self.negativePrompt = negativePrompt
        self.reference = reference
    }
}

/// An image's prompts re-sealed under the current key, with its word-index tokens when the
/// index is kept (nil: leave the index alone).
package struct ImagePromptRewrap: Sendable, Equatable {
    package var imageID: String
    package var prompt: String
    package var negativePrompt: String?
    package var searchTokens: [String]?

    package init(imageID: String, prompt: String, negativePrompt: String?, searchTokens: [String]?) {
        self.imageID = imageID
        self.prompt = prompt
        self.negativePrompt = negativePrompt
        self.searchTokens = searchTokens
    }
}

/// How many stored prompts each key sealed, and how many are still plaintext (`keys status`).
package struct PromptKeyCensus: Sendable, Equatable {
    /// Rows (images and jobs) per key id.
    package var byKey: [String: Int] = [:]
    package var plaintext = 0

    package init(byKey: [String: Int] = [:], plaintext: Int = 0) {
        self.byKey = byKey
        self.plaintext = plaintext
    }
}
