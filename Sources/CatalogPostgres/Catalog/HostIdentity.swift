import Foundation

/// This host's name as other hosts see it in the catalog (leases, post-processing runs,
/// `imagegen hosts`): `IMAGEGEN_HOST_NAME`, else the machine's host name, plus the process id so
/// two hosts on one machine (tests, a rolling restart) are told apart.
package struct HostIdentity: Sendable {
    package let name: String
    /// The name without the process id: what outlives a restart. Upload rows carry it, so only the
    /// host whose data folder holds a file claims its upload (another host would find no file).
    package let machine: String

    package static let current: HostIdentity = {
        let env = ProcessInfo.processInfo.environment["IMAGEGEN_HOST_NAME"].flatMap { $0.isEmpty ? nil : $0 }
        let machine = env ?? ProcessInfo.processInfo.hostName
        return HostIdentity(name: "\(machine):\(getpid())", machine: machine)
    }()
}
