import Foundation

/// A position in the newest-first image listing: the last image of a page (its time and id).
/// Keyset pagination: the next page is a range scan from here, as fast at image 10,000 as at
/// image 1, and stable while new images arrive. Callers see it as an opaque string.
public struct ImageCursor: Sendable, Equatable {
    public var generatedAtMilliseconds: Int64
    public var imageID: String

    public init(generatedAtMilliseconds: Int64, imageID: String) {
        self.generatedAtMilliseconds = generatedAtMilliseconds
        self.imageID = imageID
    }

    /// `<ms>.<id>`, base64url without padding.
    public var token: String {
        Data("\(generatedAtMilliseconds).\(imageID)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Reads a token made by `token`; nil for anything else.
    public init?(token: String) {
        guard token.count <= 400, token.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else { return nil }
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8),
              let dot = text.firstIndex(of: "."), let ms = Int64(text[..<dot]) else { return nil }
        let id = String(text[text.index(after: dot)...])
        guard !id.isEmpty else { return nil }
        self.init(generatedAtMilliseconds: ms, imageID: id)
    }
}
