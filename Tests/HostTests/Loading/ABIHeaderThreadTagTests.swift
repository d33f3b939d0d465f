import Foundation
import XCTest

/// The header states threads on every function (as CLAP does): each function pointer, in the
/// tables, the extensions and the entry typedef, sits right under a `/* THREADS: [tag] ... */`
/// line whose tags are all defined in the legend at the top of the header.
final class ABIHeaderThreadTagTests: XCTestCase {
    static let header = TestEnvironment.repositoryRoot + "/Sources/PluginAPI/include/imagegen_plugin.h"
    /// Tags that say which thread calls the function; every tag line needs one of them.
    static let threadTags: Set<String> = ["[load-thread]", "[any-thread]", "[on-call-thread]"]

    /// The text with comments blanked out, newlines kept, so line numbers still match.
    static func code(_ text: String) -> String {
        var out = ""
        var inComment = false
        var i = text.startIndex
        while i < text.endIndex {
            let rest = text[i...]
            if inComment {
                if rest.hasPrefix("*/") { inComment = false; out += "  "; i = text.index(i, offsetBy: 2); continue }
            } else if rest.hasPrefix("/*") {
                inComment = true; out += "  "; i = text.index(i, offsetBy: 2); continue
            } else {
                out.append(text[i]); i = text.index(after: i); continue
            }
            out.append(text[i] == "\n" ? "\n" : " ")
            i = text.index(after: i)
        }
        return out
    }

    func testEveryFunctionPointerHasAThreadTagLineFromTheLegend() throws {
        let text = try String(contentsOfFile: Self.header, encoding: .utf8)
        let lines = text.components(separatedBy: "\n")
        let codeLines = Self.code(text).components(separatedBy: "\n")
        XCTAssertEqual(lines.count, codeLines.count)

        // The legend: "*   [tag]   meaning" lines in the leading comment.
        let preamble = text.components(separatedBy: "#ifndef IMAGEGEN_PLUGIN_H")[0]
        let legendLine = try NSRegularExpression(pattern: #"^\s*\*\s+(\[[a-z-]+\])\s{2,}\S"#)
        var legend: Set<String> = []
        for line in preamble.components(separatedBy: "\n") {
            let ns = line as NSString
            if let m = legendLine.firstMatch(in: line, range: NSRange(location: 0, length: ns.length)) {
                legend.insert(ns.substring(with: m.range(at: 1)))
            }
        }
        XCTAssertTrue(Self.threadTags.isSubset(of: legend), "legend: \(legend.sorted())")

        let pointer = try NSRegularExpression(pattern: #"\(\s*\*\s*(\w+)\s*\)\s*\("#)
        let tagLine = try NSRegularExpression(pattern: #"^\s*/\* THREADS:((?:\s+\[[a-z-]+\])+)\s*\*/\s*$"#)
        let tag = try NSRegularExpression(pattern: #"\[[a-z-]+\]"#)
        var names: [String] = []
        for (n, line) in codeLines.enumerated() {
            let ns = line as NSString
            guard let m = pointer.firstMatch(in: line, range: NSRange(location: 0, length: ns.length)) else { continue }
            let name = ns.substring(with: m.range(at: 1))
            names.append(name)
            let above = n > 0 ? lines[n - 1] : ""
            let ans = above as NSString
            guard tagLine.firstMatch(in: above, range: NSRange(location: 0, length: ans.length)) != nil else {
                XCTFail("\(name) (line \(n + 1)) is not right under a /* THREADS: [tag] ... */ line")
                continue
            }
            let tags = Set(tag.matches(in: above, range: NSRange(location: 0, length: ans.length)).map { ans.substring(with: $0.range) })
            XCTAssertTrue(tags.isSubset(of: legend), "\(name): tags not in the legend: \(tags.subtracting(legend).sorted())")
            XCTAssertFalse(tags.isDisjoint(with: Self.threadTags), "\(name): no tag says which thread calls it")
        }
        // 6 host services, 10 plugin functions, balance, reconcile, the entry typedef.
        for expected in ["log", "get_secret", "http", "http_release", "now_ms", "describe", "create", "destroy",
                         "submit", "poll", "fetch", "cancel", "release", "shutdown", "balance", "reconcile",
                         "imagegen_plugin_entry_v1_fn"] {
            XCTAssertTrue(names.contains(expected), "the scan missed \(expected): \(names)")
        }
        XCTAssertEqual(names.filter { $0 == "get_extension" }.count, 2)
    }
}
