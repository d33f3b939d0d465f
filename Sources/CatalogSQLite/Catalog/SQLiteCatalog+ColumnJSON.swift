import ImagegenJSON

/// The JSON columns read and written on every job (`tried`, `extra` with the tags, image
/// `tags` and `extra`, id lists for `json_each`), without JSONEncoder/JSONDecoder: those cost
/// tens of µs per value on Linux, several times per job. The generic `encode`/`decode` remain
/// for the other shapes; overload resolution picks these for the types they name.
extension SQLiteCatalog {
    package static func encode(_ strings: [String]) throws -> String {
        String(decoding: JSONValue.array(strings.map(JSONValue.string)).encoded(), as: UTF8.self)
    }

    package static func encode(_ object: [String: String]) throws -> String {
        String(decoding: JSONValue.object(object.mapValues(JSONValue.string)).encoded(), as: UTF8.self)
    }

    package static func encode(_ v: JobExtra) throws -> String {
        String(decoding: JSONValue.object(["extra": .object(v.extra.mapValues(JSONValue.string)),
                                           "tags": .array(v.tags.map(JSONValue.string))]).encoded(), as: UTF8.self)
    }

    /// nil, as the generic `decode`, when the text is not an array of strings.
    package static func decode(_ t: [String].Type, _ s: String?) -> [String]? {
        guard let s, let value = JSONValue.parse(s.utf8) else { return nil }
        return strings(value)
    }

    package static func decode(_ t: [String: String].Type, _ s: String?) -> [String: String]? {
        guard let s, let value = JSONValue.parse(s.utf8) else { return nil }
        return stringObject(value)
    }

    package static func decode(_ t: JobExtra.Type, _ s: String?) -> JobExtra? {
        guard let s, let value = JSONValue.parse(s.utf8), let extra = value["extra"].flatMap(stringObject),
              let tags = value["tags"].flatMap(strings) else { return nil }
        return JobExtra(extra: extra, tags: tags)
    }

    private static func strings(_ value: JSONValue) -> [String]? {
        guard let array = value.array else { return nil }
        var out: [String] = []
        out.reserveCapacity(array.count)
        for element in array {
            guard let s = element.string else { return nil }
            out.append(s)
        }
        return out
    }

    private static func stringObject(_ value: JSONValue) -> [String: String]? {
        guard let object = value.object else { return nil }
        var out: [String: String] = [:]
        out.reserveCapacity(object.count)
        for (key, element) in object {
            guard let s = element.string else { return nil }
            out[key] = s
        }
        return out
    }
}
