import Foundation
import Catalog
import HTTPServer

/// `GET /v1/hosts`: the hosts serving this catalog, heard from within the last 30 s, with their
/// leases and load, and which one runs the singletons.
extension ServerAPI {
    /// A host whose heartbeat (every 5 s) is older than this is not listed: dead or cut off.
    static let liveWithin: TimeInterval = 30

    struct HostsBody: Encodable {
        var hosts: [HostStatus]
        var liveWithinSeconds: Int
        enum CodingKeys: String, CodingKey {
            case hosts
            case liveWithinSeconds = "live_within_seconds"
        }
    }

    func listHosts(_ request: HTTPRequest) async -> HTTPResponse {
        await answer {
            APIEncoding.json(HostsBody(hosts: try catalog.liveHosts(within: Self.liveWithin), liveWithinSeconds: Int(Self.liveWithin)))
        }
    }
}
