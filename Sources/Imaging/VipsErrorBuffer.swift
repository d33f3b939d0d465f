import CVips
import Foundation

/// libvips' error messages: a process-wide text buffer that failed calls append to.
enum VipsErrorBuffer {
    /// Takes (and clears) what libvips reported since the last call, as one line.
    static func take() -> String {
        guard let copy = cvips_error_buffer_copy() else { return "no reason given by libvips" }
        defer { cvips_g_free(copy) }
        let text = String(cString: copy)
            .split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
            .joined(separator: "; ")
        return text.isEmpty ? "no reason given by libvips" : text
    }
}
