import Foundation
@testable import Host

/// A tiny TCP proxy in front of moto that answers the first `count` requests whose request line
/// contains `match` with a fault — an S3 error status and XML body, or silence (a stall) — and
/// forwards everything else untouched (moto re-verifies the signature, so `Host` passes through).
///
/// moto closes the connection after every response, so each request arrives on its own connection and
/// the proxy only needs to inspect the first request line of each. It is Python, like moto, to keep
/// the test process free of socket-server code.
final class FaultInjectingProxy {
    enum Fault {
        case status(Int, code: String)
        /// Accept the request and never answer (until the client gives up, at most 20 s).
        case stall
    }

    let port: Int
    let endpoint: URL
    private let child: TestChildProcess

    init(upstreamPort: Int, fault: Fault, count: Int, match: String = "") async throws {
        port = LoopbackPort.free()
        endpoint = URL(string: "http://127.0.0.1:\(port)")!
        let (status, code): (String, String) = switch fault {
        case let .status(status, code): (String(status), code)
        case .stall: ("stall", "")
        }
        child = try TestChildProcess(arguments: ["-c", Self.script, String(port), String(upstreamPort), String(count),
                                                 match, status, code], name: "fault-proxy")
        guard await LoopbackPort.waitUntilAccepting(port, process: child.process, timeout: 10) else {
            let log = child.logTail
            child.stop()
            throw MotoStartError(message: "the fault proxy did not start: \(log)")
        }
    }

    func stop() { child.stop() }

    /// The request line of every request the proxy saw, faulted or forwarded, in arrival order
    /// (e.g. `PUT /bucket/key HTTP/1.1`) — lets a test count uploads.
    func requestLines() -> [String] {
        let log = (try? String(contentsOfFile: child.logPath, encoding: .utf8)) ?? ""
        return log.split(separator: "\n").compactMap { line in
            line.hasPrefix("request ") ? String(line.dropFirst("request ".count)) : nil
        }
    }

    private static let script = #"""
import socket, sys, threading, time
listen_port, upstream_port, count = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
match, status, code = sys.argv[4], sys.argv[5], sys.argv[6]
lock = threading.Lock()
faults = [0]
REASONS = {"400": "Bad Request", "403": "Forbidden", "500": "Internal Server Error", "503": "Slow Down"}

def read_head(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    return data

def drain_body(conn, data):
    head, _, rest = data.partition(b"\r\n\r\n")
    length, expect = 0, False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
        if name.strip().lower() == b"expect":
            expect = True
    if expect:
        return  # the client waits for 100-continue; the final status makes it skip the body
    remaining = length - len(rest)
    conn.settimeout(5)
    while remaining > 0:
        chunk = conn.recv(min(remaining, 65536))
        if not chunk:
            break
        remaining -= len(chunk)

def pipe(src, dst):
    try:
        while True:
            chunk = src.recv(65536)
            if not chunk:
                break
            dst.sendall(chunk)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

def handle(conn):
    try:
        data = read_head(conn)
        if data is None:
            return  # a readiness probe: connect and close
        line = data.split(b"\r\n", 1)[0].decode("latin-1")
        with lock:
            # One whole line per write, under the lock: concurrent prints interleave.
            sys.stdout.write("request " + line + "\n")
            sys.stdout.flush()
            fault = match in line and faults[0] < count
            if fault:
                faults[0] += 1
        if fault:
            with lock:
                sys.stdout.write("fault " + status + " " + line + "\n")
                sys.stdout.flush()
            if status == "stall":
                conn.settimeout(20)
                try:
                    while conn.recv(65536):
                        pass
                except OSError:
                    pass
                return
            drain_body(conn, data)
            body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>%s</Code>"
                    "<Message>injected by the test proxy</Message><RequestId>fault</RequestId></Error>" % code).encode()
            head = "HTTP/1.1 %s %s\r\nContent-Type: application/xml\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % (
                status, REASONS.get(status, "Error"), len(body))
            conn.sendall(head.encode() + body)
            return
        upstream = socket.create_connection(("127.0.0.1", upstream_port))
        upstream.sendall(data)
        back = threading.Thread(target=pipe, args=(upstream, conn), daemon=True)
        back.start()
        pipe(conn, upstream)
        back.join(30)
        upstream.close()
    finally:
        conn.close()

server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", listen_port))
server.listen(64)
while True:
    client, _ = server.accept()
    threading.Thread(target=handle, args=(client,), daemon=True).start()
"""#
}
