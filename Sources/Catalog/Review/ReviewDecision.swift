import Foundation

/// What a reviewer decides about an image: approve, or reject with a reason.
public enum ReviewDecision: Sendable, Equatable {
    case approve
    case reject(reason: String)

    public var state: ReviewState {
        switch self {
        case .approve: return .approved
        case .reject: return .rejected
        }
    }

    public var reason: String? {
        if case .reject(let reason) = self { return reason }
        return nil
    }
}

extension ReviewDecision {
    /// The checks every store makes before it records anything: the batch's size and, for a
    /// rejection, a reason that is not blank and not too long. Returns the reason to store
    /// (trimmed), nil for an approval. Throws `ReviewError`.
    package func checkedReason(for imageIDs: [String]) throws(ReviewError) -> String? {
        guard !imageIDs.isEmpty else { throw .empty }
        guard imageIDs.count <= ReviewError.maxBatch else { throw .tooMany(imageIDs.count) }
        guard case .reject(let text) = self else { return nil }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw .missingReason }
        guard trimmed.count <= ReviewError.maxReasonLength else { throw .reasonTooLong(trimmed.count) }
        return trimmed
    }
}
