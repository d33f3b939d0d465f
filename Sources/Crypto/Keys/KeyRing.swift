/// The master keys the host holds: one current key that encrypts and signs everything new,
/// and previous keys kept only to open what was written before a rotation.
///
/// Rotation never leaves a prompt unreadable: the operator adds the new key as current and keeps
/// the old one as previous until `imagegen keys rotate` has re-encrypted every envelope.
public struct KeyRing: Sendable, CustomStringConvertible {
    public let current: MasterKey
    public let previous: [MasterKey]

    public init(current: MasterKey, previous: [MasterKey] = [], source: String = "the key ring") throws {
        var seen: Set<KeyID> = [current.id]
        for key in previous {
            guard seen.insert(key.id).inserted else { throw MasterKeyError.duplicateKey(key.id, source: source) }
        }
        self.current = current
        self.previous = previous
    }

    /// All key ids, current first.
    public var keyIDs: [KeyID] { [current.id] + previous.map(\.id) }

    public var allKeys: [MasterKey] { [current] + previous }

    public func key(for id: KeyID) -> MasterKey? {
        allKeys.first { $0.id == id }
    }

    public var description: String {
        "KeyRing(current: \(current.id), previous: [\(previous.map(\.id.rawValue).joined(separator: ", "))])"
    }
}
