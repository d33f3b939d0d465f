import Glibc

/// Where the server listens: a numeric IPv4 or IPv6 address and a port (0 = any free port).
///
/// Only numeric addresses (plus `localhost` for 127.0.0.1) are accepted so that whether the
/// listener is loopback — and therefore whether it may run without a token — is decided from the
/// configuration itself, not from a name lookup.
package struct HTTPListenAddress: Sendable, Hashable, CustomStringConvertible {
    package enum Family: Sendable, Hashable {
        case ipv4
        case ipv6
    }

    package let family: Family
    /// Network-order address bytes: 4 for IPv4, 16 for IPv6.
    let addressBytes: [UInt8]
    package let port: Int

    /// 127.0.0.1:`port`.
    package static func loopback(port: Int) -> HTTPListenAddress {
        HTTPListenAddress(family: .ipv4, addressBytes: [127, 0, 0, 1], port: port)
    }

    init(family: Family, addressBytes: [UInt8], port: Int) {
        self.family = family
        self.addressBytes = addressBytes
        self.port = port
    }

    /// Parses `127.0.0.1:8080`, `0.0.0.0:8080`, `[::1]:8080`, `[::]:8080` or `localhost:8080`.
    package init(parsing text: String) throws(HTTPListenAddressError) {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw .invalidHost(text) }
            host = text[text.index(after: text.startIndex)..<close]
            let after = text[text.index(after: close)...]
            guard after.hasPrefix(":") else { throw .missingPort(text) }
            portText = after.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw .missingPort(text) }
            host = text[..<colon]
            guard !host.contains(":") else { throw .invalidHost(text) } // unbracketed IPv6
            portText = text[text.index(after: colon)...]
        }
        guard !portText.isEmpty, portText.allSatisfy(\.isASCII), portText.allSatisfy(\.isNumber),
              portText.count <= 5, let port = Int(portText), port <= 65535
        else { throw .invalidPort(text) }

        let isBracketed = text.hasPrefix("[")
        if !isBracketed && host == "localhost" {
            self = .loopback(port: port)
            return
        }
        if isBracketed, let bytes = Self.parse(String(host), family: AF_INET6, count: 16) {
            self.init(family: .ipv6, addressBytes: bytes, port: port)
        } else if !isBracketed, let bytes = Self.parse(String(host), family: AF_INET, count: 4) {
            self.init(family: .ipv4, addressBytes: bytes, port: port)
        } else {
            throw .invalidHost(text)
        }
    }

    /// The same address with another port (e.g. the port the kernel picked for port 0).
    package func with(port: Int) -> HTTPListenAddress {
        HTTPListenAddress(family: family, addressBytes: addressBytes, port: port)
    }

    /// 127.0.0.0/8, ::1 and IPv4-mapped 127.x. Only these may serve without a bearer token.
    package var isLoopback: Bool {
        switch family {
        case .ipv4:
            return addressBytes[0] == 127
        case .ipv6:
            if addressBytes == [UInt8](repeating: 0, count: 15) + [1] { return true }
            let mappedPrefix = [UInt8](repeating: 0, count: 10) + [0xFF, 0xFF]
            return Array(addressBytes[0..<12]) == mappedPrefix && addressBytes[12] == 127
        }
    }

    /// The address in numeric form, without the port.
    package var host: String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let family = self.family == .ipv4 ? AF_INET : AF_INET6
        _ = addressBytes.withUnsafeBytes { raw in inet_ntop(family, raw.baseAddress, &text, socklen_t(text.count)) }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    package var description: String {
        family == .ipv4 ? "\(host):\(port)" : "[\(host)]:\(port)"
    }

    private static func parse(_ host: String, family: Int32, count: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        let ok = bytes.withUnsafeMutableBytes { raw in inet_pton(family, host, raw.baseAddress) }
        return ok == 1 ? bytes : nil
    }
}
