/// Text crossing the plugin boundary is cut to a byte budget (a message buffer, a log line
/// cap). A cut that falls inside a multi-byte character would decode as U+FFFD, so every cut
/// here lands between characters, and a plugin's own cut tail is dropped rather than decoded.
package enum UTF8Cut {
    /// How many of `bytes` to keep so that at most `limit` bytes remain and the kept prefix
    /// does not end inside a character (the byte after the cut is not a continuation byte).
    package static func prefixLength(_ bytes: UnsafeRawBufferPointer, limit: Int) -> Int {
        var n = max(0, min(limit, bytes.count))
        guard n < bytes.count else { return n }
        while n > 0 && isContinuation(bytes[n]) { n -= 1 }
        return n
    }

    /// `bytes` without an incomplete character at its end (what a plugin's cut at a capacity
    /// leaves behind). Invalid bytes elsewhere still decode as U+FFFD.
    package static func completeLength(_ bytes: UnsafeRawBufferPointer) -> Int {
        let n = bytes.count
        guard n > 0 else { return 0 }
        var start = n - 1
        while start > 0 && n - start < 4 && isContinuation(bytes[start]) { start -= 1 }
        let lead = bytes[start]
        let expected = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
        return (lead >= 0xC0 && n - start < expected) ? start : n
    }

    /// Decodes text a plugin wrote, first dropping a character its cut left incomplete.
    package static func decode(_ bytes: UnsafeRawBufferPointer) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: bytes.prefix(completeLength(bytes))), as: UTF8.self)
    }

    /// The UTF-8 of `text`, at most `limit` bytes, cut between characters.
    package static func bytes(_ text: String, limit: Int) -> [UInt8] {
        let all = Array(text.utf8)
        return all.withUnsafeBytes { Array(all.prefix(prefixLength($0, limit: limit))) }
    }

    private static func isContinuation(_ byte: UInt8) -> Bool { byte & 0xC0 == 0x80 }
}
