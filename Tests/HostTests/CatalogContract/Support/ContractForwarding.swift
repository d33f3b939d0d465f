import Foundation
import XCTest

/// Linux finds tests by reading source, not the runtime, so a subclass runs only the tests it
/// declares (swiftlang/swift-package-manager#5573): every subclass of a contract overrides each
/// contract test with a one-line forward and calls this from a test of its own, which fails when
/// a test is added to the contract and not forwarded.
/// - Parameters:
///   - contractFile: the contract's file name, in the subclass's folder.
///   - minimum: fewer tests than this found in the contract means the file was not read right.
func assertForwardsEveryTest(of contractFile: String, minimum: Int, subclassFile: StaticString,
                             file: StaticString, line: UInt) throws {
    let folder = ("\(subclassFile)" as NSString).deletingLastPathComponent
    let contract = try String(contentsOfFile: folder + "/" + contractFile, encoding: .utf8)
    let subclass = try String(contentsOfFile: "\(subclassFile)", encoding: .utf8)
    func names(_ source: String, _ pattern: String) throws -> Set<String> {
        let regex = try NSRegularExpression(pattern: pattern, options: [.anchorsMatchLines])
        return Set(regex.matches(in: source, range: NSRange(source.startIndex..., in: source)).compactMap {
            Range($0.range(at: 1), in: source).map { String(source[$0]) }
        })
    }
    let required = try names(contract, #"^    func (test\w+)\("#)
    let forwarded = try names(subclass, #"^    override func (test\w+)\(\) throws \{ try super\.\1\(\) \}"#)
    XCTAssertGreaterThanOrEqual(required.count, minimum, "the tests of \(contractFile) were not found in \(folder)", file: file, line: line)
    XCTAssertEqual(required.subtracting(forwarded).sorted(), [], "tests of \(contractFile) not forwarded by \(subclassFile)",
                   file: file, line: line)
}
