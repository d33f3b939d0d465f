import Foundation
import ImagegenJSON
import ImagegenConfig

/// Reads one module's config section (kept as JSON by `Configuration.sections`) key by key, so
/// every error names the file and the full key (`storage.s3.bucket`) and says what is expected.
package struct ConfigSectionReader {
    let file: String
    /// The section's dotted path, e.g. `storage.s3`.
    let path: String

    package func object(_ value: JSONValue) throws(ConfigurationError) -> [String: JSONValue] {
        guard let object = value.object else { throw .invalidValue(file: file, key: path, detail: "must be an object { ... }") }
        return object
    }

    package func rejectUnknown(_ object: [String: JSONValue], known: [String]) throws(ConfigurationError) {
        for key in object.keys.sorted() where !known.contains(key) {
            throw .unknownKey(file: file, key: "\(path).\(key)", known: known)
        }
    }

    package func string(_ object: [String: JSONValue], _ key: String) throws(ConfigurationError) -> String? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let text = value.string else { throw .invalidValue(file: file, key: "\(path).\(key)", detail: "expected a string") }
        return text
    }

    func bool(_ object: [String: JSONValue], _ key: String) throws(ConfigurationError) -> Bool? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let flag = value.bool else { throw .invalidValue(file: file, key: "\(path).\(key)", detail: "expected true or false") }
        return flag
    }

    func number(_ object: [String: JSONValue], _ key: String, minimum: Double) throws(ConfigurationError) -> Double? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let number = value.number, number.isFinite else {
            throw .invalidValue(file: file, key: "\(path).\(key)", detail: "expected a number")
        }
        guard number >= minimum else {
            throw .invalidValue(file: file, key: "\(path).\(key)", detail: "must be at least \(Self.format(minimum)), got \(Self.format(number))")
        }
        return number
    }

    package func integer(_ object: [String: JSONValue], _ key: String, range: ClosedRange<Int>) throws(ConfigurationError) -> Int? {
        guard let value = object[key], !value.isNull else { return nil }
        guard let integer = value.int else { throw .invalidValue(file: file, key: "\(path).\(key)", detail: "expected a whole number") }
        guard range.contains(integer) else {
            let bound = range.upperBound == Int.max ? "at least \(range.lowerBound)" : "within \(range.lowerBound)...\(range.upperBound)"
            throw .invalidValue(file: file, key: "\(path).\(key)", detail: "must be \(bound), got \(integer)")
        }
        return integer
    }

    private static func format(_ number: Double) -> String {
        number == number.rounded() ? String(Int(number)) : String(number)
    }
    package init(file: String, path: String) {
        self.file = file
        self.path = path
    }
}
