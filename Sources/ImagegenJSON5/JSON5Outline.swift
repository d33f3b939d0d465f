/// Where every value and key of a JSON5 document sits in its text.
///
/// Foundation's `JSONDecoder` (with `allowsJSON5`) does the decoding, but on bad input it only says
/// "The given data was not valid JSON", and it keeps the first of two duplicate keys silently. The outline
/// exists to give template authors positions: syntax errors, duplicate and unknown keys, and — through
/// `node(at:)` — the place of any value a semantic check or a `DecodingError` coding path names. It also lets
/// a template file be edited in place (promote) without losing the author's comments and layout.
///
/// Offsets are indices into the document's Unicode scalars; `SourceLineIndex` turns them into line/column.
package struct JSON5Outline: Sendable {
    package let root: JSON5Node
    /// Keys that appear twice in one object (the later occurrence), with the offset of the first.
    package let duplicateKeys: [JSON5DuplicateKey]
}

package struct JSON5DuplicateKey: Sendable, Hashable {
    package let key: String
    package let offset: Int
    package let firstOffset: Int
}

/// One value in the document, with the scalar range it spans (`start..<end`).
package struct JSON5Node: Sendable {
    package enum Kind: Sendable {
        case object([JSON5Member])
        case array([JSON5Node])
        case string(String)
        case number
        case bool(Bool)
        case null
    }

    package let kind: Kind
    package let start: Int
    package let end: Int

    /// A short name of the value's type for messages ("a string", "an object").
    package var typeDescription: String {
        switch kind {
        case .object: return "an object"
        case .array: return "an array"
        case .string: return "a string"
        case .number: return "a number"
        case .bool: return "a boolean"
        case .null: return "null"
        }
    }

    package var members: [JSON5Member] {
        if case .object(let members) = kind { return members }
        return []
    }

    package var elements: [JSON5Node] {
        if case .array(let elements) = kind { return elements }
        return []
    }

    package var stringValue: String? {
        if case .string(let value) = kind { return value }
        return nil
    }

    package func member(_ key: String) -> JSON5Member? {
        members.first { $0.key == key }
    }

    /// The node at a path of keys and array indices, or nil when the path leaves the document.
    package func node(at path: [JSON5PathComponent]) -> JSON5Node? {
        var current = self
        for component in path {
            switch component {
            case .key(let key):
                guard let member = current.member(key) else { return nil }
                current = member.value
            case .index(let index):
                let elements = current.elements
                guard elements.indices.contains(index) else { return nil }
                current = elements[index]
            }
        }
        return current
    }

    /// The deepest node along `path` that exists: where to point when the full path is missing.
    package func nearestNode(at path: [JSON5PathComponent]) -> JSON5Node {
        var current = self
        for component in path {
            switch component {
            case .key(let key):
                guard let member = current.member(key) else { return current }
                current = member.value
            case .index(let index):
                let elements = current.elements
                guard elements.indices.contains(index) else { return current }
                current = elements[index]
            }
        }
        return current
    }

    /// The member for the last key of `path`, so a message can point at the key rather than its value.
    package func memberNode(at path: [JSON5PathComponent]) -> JSON5Member? {
        guard case .key(let key)? = path.last, let parent = node(at: Array(path.dropLast())) else { return nil }
        return parent.member(key)
    }
}

/// `key: value` in an object. `commaEnd` is the offset just after the comma that follows the value, if any.
package struct JSON5Member: Sendable {
    package let key: String
    package let keyStart: Int
    package let value: JSON5Node
    package let commaEnd: Int?
}

/// A step in a path through a document: an object key or an array index.
package enum JSON5PathComponent: Hashable, Sendable, CustomStringConvertible {
    case key(String)
    case index(Int)

    package var description: String {
        switch self {
        case .key(let key): return key
        case .index(let index): return "[\(index)]"
        }
    }

    /// Converts a `DecodingError` coding path (array positions arrive as keys with an `intValue`).
    package static func path(from codingPath: [any CodingKey]) -> [JSON5PathComponent] {
        codingPath.map { key in
            if let index = key.intValue { return .index(index) }
            return .key(key.stringValue)
        }
    }
}
