import Glibc

/// The non-blocking listening socket and the accept step (`reference/http-server.md` §8).
struct ListeningSocket {
    enum AcceptOutcome {
        case accepted(fd: Int32, peer: String)
        /// Nothing pending.
        case wouldBlock
        /// Routine (peer reset before accept, signal): try again at once.
        case retry
        /// Out of descriptors or kernel memory: back off, the listener would stay readable and spin.
        case exhausted(errno: Int32)
        case failed(errno: Int32)
    }

    let fd: Int32
    /// The address actually bound (with the kernel-chosen port when 0 was asked for).
    let address: HTTPListenAddress

    static func open(_ address: HTTPListenAddress, backlog: Int32) throws(HTTPServerError) -> ListeningSocket {
        let family = address.family == .ipv4 ? AF_INET : AF_INET6
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let fd = socket(family, type, 0)
        guard fd >= 0 else { throw .socketFailed(operation: "socket()", listen: address.description, errno: errno) }
        func fail(_ operation: String) -> HTTPServerError {
            let code = errno
            Glibc.close(fd)
            return .socketFailed(operation: operation, listen: address.description, errno: code)
        }
        var one: Int32 = 1
        // Rebinding right after a restart must not fail while old connections sit in TIME_WAIT.
        guard setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            throw fail("setsockopt(SO_REUSEADDR)")
        }
        var bound: Int32
        if address.family == .ipv4 {
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = in_port_t(UInt16(address.port).bigEndian)
            withUnsafeMutableBytes(of: &sin.sin_addr) { $0.copyBytes(from: address.addressBytes) }
            bound = withUnsafePointer(to: &sin) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        } else {
            // An IPv6 listener serves IPv6 only; dual-stack would silently widen what "[::1]" means.
            guard setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &one, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
                throw fail("setsockopt(IPV6_V6ONLY)")
            }
            var sin6 = sockaddr_in6()
            sin6.sin6_family = sa_family_t(AF_INET6)
            sin6.sin6_port = in_port_t(UInt16(address.port).bigEndian)
            withUnsafeMutableBytes(of: &sin6.sin6_addr) { $0.copyBytes(from: address.addressBytes) }
            bound = withUnsafePointer(to: &sin6) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        }
        guard bound == 0 else { throw fail("bind()") }
        guard listen(fd, backlog) == 0 else { throw fail("listen()") }

        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw fail("getsockname()") }
        let port = SocketPeerAddress.port(of: storage)
        return ListeningSocket(fd: fd, address: address.with(port: port))
    }

    func accept() -> AcceptOutcome {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let client = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.accept(fd, $0, &length) }
        }
        guard client >= 0 else {
            switch errno {
            case EAGAIN, EWOULDBLOCK: return .wouldBlock
            case ECONNABORTED, EINTR, EPROTO, EPERM: return .retry
            case EMFILE, ENFILE, ENOBUFS, ENOMEM: return .exhausted(errno: errno)
            default: return .failed(errno: errno)
            }
        }
        _ = fcntl(client, F_SETFD, FD_CLOEXEC)
        _ = fcntl(client, F_SETFL, fcntl(client, F_GETFL) | O_NONBLOCK)
        var one: Int32 = 1
        // Small responses must not wait for the peer's delayed ACK (§8.4).
        _ = setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        return .accepted(fd: client, peer: SocketPeerAddress.describe(storage))
    }

    func close() {
        Glibc.close(fd)
    }
}
