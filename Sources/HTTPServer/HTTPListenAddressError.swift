/// Why a `--listen` value could not be used.
package enum HTTPListenAddressError: Error, CustomStringConvertible, Hashable {
    case missingPort(String)
    case invalidPort(String)
    case invalidHost(String)

    package var description: String {
        switch self {
        case .missingPort(let text):
            return "listen address '\(text)' has no port; write it as 127.0.0.1:8080 or [::1]:8080"
        case .invalidPort(let text):
            return "listen address '\(text)' has an invalid port; use a number from 0 to 65535 (0 picks a free port)"
        case .invalidHost(let text):
            return "listen address '\(text)' is not an IPv4 address or a bracketed IPv6 address; e.g. 127.0.0.1:8080, 0.0.0.0:8080, [::1]:8080"
        }
    }
}
