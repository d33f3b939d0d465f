import Foundation

/// A webhook delivery not yet acknowledged, as written in the outbox folder before the first
/// attempt: a killed server sends it again at its next start. The body is the exact bytes that
/// are signed; the receiver de-duplicates on `delivery` (the same on every attempt and restart).
struct PendingDelivery: Codable, Sendable {
    var delivery: String
    var url: String
    var type: String
    var body: String
}
