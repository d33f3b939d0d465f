import Glibc

/// One client connection and its HTTP/1.1 state machine, driven by the socket loop.
///
/// A connection carries at most one request at a time: while its handler runs, further input is
/// only buffered (up to `readAheadLimit`, then left in the kernel) and parsed after the response,
/// so responses necessarily leave in request order (the SwiftNIO pipelining rule,
/// `reference/http-server.md` §4.2). The handler task sends its response itself through `channel`;
/// the connection collects the outcome (`collectCompletion`). Confined to the socket thread.
final class HTTPConnection {
    enum Phase: Equatable {
        /// Between requests (or before the first): nothing of the next request has arrived.
        case idle
        case readingHead
        case readingBody
        /// The handler task runs; the socket is not read.
        case handling
        /// The response is being sent.
        case writing
        /// Write side shut down after a final response; unread input is drained until EOF or deadline.
        case lingering
    }

    let id: UInt64
    let channel: HTTPConnectionChannel
    var fd: Int32 { channel.fd }
    let remoteAddress: String
    private let context: HTTPEventLoopContext

    private(set) var phase = Phase.idle
    private(set) var isClosed = false
    /// Monotonic deadline of the current phase; `UInt64.max` when none applies.
    private(set) var deadline: UInt64

    private var input: [UInt8] = []
    private var inputStart = 0
    private var headParser: HTTPRequestHeadParser
    private var headerDeadlineArmed = true

    private var head: HTTPRequestHead?
    /// The name of the bearer token the current request presented, decided with its head.
    private var tokenName: String?
    private var body: [UInt8] = []
    private var bodyRemaining = 0
    private var chunkDecoder: ChunkedBodyDecoder?
    private var bodyDeadlineCap: UInt64 = 0

    private var output: [UInt8] = []
    private var outputSent = 0
    private var closeAfterWrite = false
    private var lingerAfterWrite = false

    private var requestsServed = 0
    private var handlerTask: Task<Void, Never>?
    /// The peer shut down its sending side; requests already buffered are still answered.
    private var inputEnded = false
    /// Guards against re-entering `process()` when a response finishes synchronously inside it.
    private var isProcessing = false

    /// Beyond this, buffers are released after use instead of being kept for the next request.
    private static let retainedBufferCapacity = 64 * 1024
    /// Pipelined input buffered while a handler runs; beyond it the socket is not read.
    private static let readAheadLimit = 64 * 1024

    init(id: UInt64, fd: Int32, remoteAddress: String, context: HTTPEventLoopContext) {
        self.id = id
        channel = HTTPConnectionChannel(fd: fd)
        self.remoteAddress = remoteAddress
        self.context = context
        headParser = HTTPRequestHeadParser(limits: context.limits)
        // The first request's head must arrive within the header timeout, counted from accept.
        deadline = context.now &+ context.timeouts.headerRead
    }

    var wantsRead: Bool {
        switch phase {
        case .idle, .readingHead, .readingBody, .lingering: return true
        // Reading while the handler runs lets the next request's arrival report the finished response.
        case .handling: return !inputEnded && input.count - inputStart < Self.readAheadLimit
        case .writing: return false
        }
    }

    var wantsWrite: Bool { outputSent < output.count }

    /// Idle with nothing buffered: safe to close when draining.
    var isIdle: Bool { phase == .idle && input.count == inputStart && !wantsWrite }

    /// Idle after serving at least one request. A fresh connection that has sent nothing yet
    /// counts with the ones still sending a head: whether its first bytes were read before a
    /// reclaim is a race, and must not decide which client loses its connection.
    var isIdleKeepAlive: Bool { isIdle && requestsServed > 0 }

    /// No request of it has reached a handler, and nothing is owed to it: closing it to admit
    /// another client under connection pressure loses no work. Idle keep-alive connections, and
    /// ones still sending a request head (slowloris).
    var isReclaimable: Bool { !isClosed && !wantsWrite && (phase == .idle || phase == .readingHead) }

    // MARK: Events from the loop

    func handleReadable() {
        let received = context.receiveBuffer.withUnsafeMutableBytes { raw in
            recv(fd, raw.baseAddress, raw.count, 0)
        }
        if received > 0 {
            if phase == .lingering { return }
            if phase == .handling {
                // One lock round with the task (it may hold the lock while it sends). A streamed
                // response owns the connection until it closes: input is not a request then.
                let arrival = channel.noteInputWaiting()
                if case .streaming = arrival { return }
                input.append(contentsOf: context.receiveBuffer[0..<received])
                if case .completed(let completion) = arrival { finish(completion) }
                return
            }
            input.append(contentsOf: context.receiveBuffer[0..<received])
            if phase == .readingBody { refreshBodyDeadline() }
            process()
        } else if received == 0 {
            if phase == .handling && channel.isStreaming {
                // The client left a stream: end it now (cancels its producer, frees its buffer).
                close()
            } else if phase == .handling {
                // A half-closed client still gets the response to what it sent.
                inputEnded = true
            } else {
                // Nothing more can complete a partial request.
                close()
            }
        } else if errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR {
            close()
        }
    }

    func handleWritable() {
        flush()
    }

    /// Picks up the outcome of a handler task that has finished, if any.
    func collectCompletion() {
        guard phase == .handling, !isClosed, let completion = channel.takeCompletion() else { return }
        finish(completion)
    }

    private func finish(_ completion: HTTPConnectionChannel.Completion) {
        handlerTask = nil
        if completion.failed {
            close()
            return
        }
        output.append(contentsOf: completion.unsent)
        closeAfterWrite = completion.closeAfter
        lingerAfterWrite = false
        startWriting()
    }

    /// A response produced on the socket thread itself (no handler task ran); the request is
    /// already counted in `requestsServed`.
    private func respondOnLoop(_ response: HTTPResponse, framing: HTTPConnectionChannel.ResponseFraming) {
        let keepAlive = framing.keepAlive && !context.draining
        HTTPResponseSerializer.serialize(
            response, omitBody: framing.omitBody, connection: Self.connectionHeader(keepAlive: keepAlive, http10: framing.http10),
            dateLine: context.dateClock.currentLine(), defaults: context.defaultHeaders, into: &output)
        closeAfterWrite = !keepAlive
        lingerAfterWrite = false
        startWriting()
    }

    static func connectionHeader(keepAlive: Bool, http10: Bool) -> HTTPResponseSerializer.ConnectionHeader {
        !keepAlive ? .close : (http10 ? .keepAlive : .none)
    }

    /// The phase deadline passed.
    func handleDeadline() {
        if phase != .handling { HTTPServerCounters.increment(context.counters.timeouts) }
        switch phase {
        case .idle, .writing, .lingering:
            close()
        case .readingHead:
            respondWithError(.requestTimeout, code: "request_timeout",
                             message: "request headers were not received in time")
        case .readingBody:
            if wantsWrite {
                close()
            } else {
                respondWithError(.requestTimeout, code: "request_timeout",
                                 message: "request body was not received in time")
            }
        case .handling:
            break
        }
    }

    func close() {
        guard !isClosed else { return }
        isClosed = true
        // Close first: a cancelled handler wakes at once and must find the socket gone.
        channel.close()
        handlerTask?.cancel()
        handlerTask = nil
        context.closedConnections.append(id)
    }

    // MARK: Reading requests

    /// Runs the state machine over buffered input until it needs more bytes or hands off.
    private func process() {
        guard !isProcessing else { return }
        isProcessing = true
        defer { isProcessing = false }
        while !isClosed {
            switch phase {
            case .idle, .readingHead:
                guard input.count > inputStart else { return }
                if phase == .idle {
                    phase = .readingHead
                    if !headerDeadlineArmed {
                        headerDeadlineArmed = true
                        deadline = context.now &+ context.timeouts.headerRead
                    }
                }
                let start = inputStart
                let outcome = input.withUnsafeBufferPointer { buffer in
                    headParser.parse(UnsafeBufferPointer(rebasing: buffer[start...]))
                }
                switch outcome {
                case .incomplete:
                    return
                case .failed(let error):
                    respondToParseError(error)
                    return
                case .complete(let parsed, let consumed):
                    inputStart += consumed
                    headParser.reset()
                    begin(parsed)
                }
            case .readingBody:
                guard input.count > inputStart else { return }
                readBody()
            case .handling, .writing, .lingering:
                return
            }
        }
    }

    private func begin(_ parsed: HTTPRequestHead) {
        guard parsed.method.isImplemented else {
            HTTPServerCounters.increment(context.counters.requestsRejected)
            respondWithError(.notImplemented, code: "not_implemented",
                             message: "method \(parsed.method) is not implemented by this server")
            return
        }
        tokenName = nil
        if let auth = context.auth {
            let name = auth.holder(of: parsed.headers)
            let admitted = name == nil && context.admitsWithoutToken.map {
                $0(parsed.method, HTTPRequestTarget.split(parsed.target).path, parsed.headers)
            } == true
            guard name != nil || admitted else {
                HTTPServerCounters.increment(context.counters.requestsUnauthorized)
                // Decided from the head alone: an unauthenticated body is never read.
                respondFinal(BearerTokenAuth.rejection, for: parsed)
                return
            }
            tokenName = name
        }
        head = parsed
        switch parsed.framing {
        case .none:
            dispatch()
        case .contentLength(let length):
            body = []
            // Memory follows the bytes that actually arrive, not what a (slow) client declares.
            body.reserveCapacity(min(length, Self.retainedBufferCapacity))
            bodyRemaining = length
            startBody(expectsContinue: parsed.expectsContinue && input.count - inputStart < length)
        case .chunked:
            chunkDecoder = ChunkedBodyDecoder(limits: context.limits)
            body = []
            startBody(expectsContinue: parsed.expectsContinue && input.count == inputStart)
        }
    }

    private func startBody(expectsContinue: Bool) {
        phase = .readingBody
        bodyDeadlineCap = context.now &+ context.timeouts.bodyTotal
        refreshBodyDeadline()
        if expectsContinue {
            // Limits were checked from the head already, so the client may now send the body.
            output.append(contentsOf: HTTPResponseSerializer.continueResponse)
            flush()
        }
    }

    private func refreshBodyDeadline() {
        deadline = min(context.now &+ context.timeouts.bodyReadGap, bodyDeadlineCap)
    }

    private func readBody() {
        let start = inputStart
        if var decoder = chunkDecoder {
            let outcome = input.withUnsafeBufferPointer { buffer in
                decoder.decode(UnsafeBufferPointer(rebasing: buffer[start...]), into: &body)
            }
            chunkDecoder = decoder
            switch outcome {
            case .needMore(let consumed):
                inputStart += consumed
                releaseConsumedInput()
            case .done(let consumed):
                inputStart += consumed
                dispatch()
            case .failed(let error):
                respondToParseError(error)
            }
        } else {
            let take = min(input.count - inputStart, bodyRemaining)
            body.append(contentsOf: input[inputStart..<(inputStart + take)])
            inputStart += take
            bodyRemaining -= take
            if bodyRemaining == 0 {
                dispatch()
            } else {
                releaseConsumedInput()
            }
        }
    }

    /// While a body streams in, fully consumed input is dropped so it is not held twice.
    private func releaseConsumedInput() {
        guard inputStart == input.count else { return }
        input.removeAll(keepingCapacity: input.capacity <= Self.retainedBufferCapacity)
        inputStart = 0
    }

    // MARK: Handing off to the handler

    private func dispatch() {
        guard let head else { return }
        var request = HTTPRequest(
            method: head.method, target: head.target, headers: head.headers, body: body,
            remoteAddress: remoteAddress, version: head.version)
        request.bearerTokenName = tokenName
        self.head = nil
        tokenName = nil
        body = []
        chunkDecoder = nil
        requestsServed += 1
        HTTPServerCounters.increment(context.counters.requestsHandled)
        let framing = HTTPConnectionChannel.ResponseFraming(
            omitBody: head.method == .head, http10: !head.version.isAtLeastHTTP11,
            keepAlive: head.keepAlive && requestsServed < context.limits.maxRequestsPerConnection)
        // A cheap read answered in place: no task, no thread hop (a streamed answer cannot be
        // sent from here, so one would go to the handler instead).
        if let response = context.loopResponder?(request), response.stream == nil {
            HTTPServerCounters.increment(context.counters.requestsAnsweredOnLoop)
            respondOnLoop(response, framing: framing)
            return
        }
        phase = .handling
        deadline = .max
        channel.beginRequest(inputWaiting: input.count > inputStart, outputQueued: wantsWrite)

        let handler = context.handler
        let mailbox = context.mailbox
        let channel = self.channel
        let dateClock = context.dateClock
        let defaults = context.defaultHeaders
        let draining = context.drainingFlag
        let id = self.id
        let streamBufferLimit = context.limits.maxStreamBufferBytes
        handlerTask = Task.detached {
            let response = await handler(request)
            if response.stream != nil {
                await HTTPConnection.stream(response, framing: framing, channel: channel, dateLine: dateClock.currentLine(),
                                            defaults: defaults, bufferLimit: streamBufferLimit)
                if channel.complete(sending: [], closeAfter: true) { mailbox.post(.responseReady(connection: id)) }
                return
            }
            let keepAlive = framing.keepAlive && !draining.isSet
            var bytes: [UInt8] = []
            HTTPResponseSerializer.serialize(
                response, omitBody: framing.omitBody,
                connection: HTTPConnection.connectionHeader(keepAlive: keepAlive, http10: framing.http10),
                dateLine: dateClock.currentLine(), defaults: defaults, into: &bytes)
            if channel.complete(sending: bytes, closeAfter: !keepAlive) {
                mailbox.post(.responseReady(connection: id))
            }
        }
    }

    // MARK: Writing responses

    private func startWriting() {
        phase = .writing
        deadline = context.now &+ context.timeouts.writeStall
        flush()
    }

    private func flush() {
        while outputSent < output.count {
            let sent = output.withUnsafeBytes { raw in
                send(fd, raw.baseAddress! + outputSent, raw.count - outputSent, Int32(MSG_NOSIGNAL))
            }
            if sent > 0 {
                outputSent += sent
                if phase == .writing { deadline = context.now &+ context.timeouts.writeStall }
            } else if sent < 0 && errno == EINTR {
                continue
            } else if sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                return // the loop polls for POLLOUT
            } else {
                close()
                return
            }
        }
        output.removeAll(keepingCapacity: output.capacity <= Self.retainedBufferCapacity)
        outputSent = 0
        if phase == .writing { responseWritten() }
    }

    private func responseWritten() {
        if closeAfterWrite || context.draining {
            if lingerAfterWrite || input.count > inputStart {
                startLingering()
            } else {
                close()
            }
            return
        }
        // Keep unparsed pipelined bytes, drop the consumed prefix.
        if inputStart == input.count {
            input.removeAll(keepingCapacity: input.capacity <= Self.retainedBufferCapacity)
        } else {
            input.removeSubrange(0..<inputStart)
        }
        inputStart = 0
        phase = .idle
        headerDeadlineArmed = false
        deadline = context.now &+ context.timeouts.idle
        // Pipelined requests already buffered are served; once they run out, a half-closed
        // peer's EOF is read again and closes the connection.
        process()
    }

    private func startLingering() {
        shutdown(fd, Int32(SHUT_WR))
        phase = .lingering
        input = []
        inputStart = 0
        deadline = context.now &+ context.timeouts.linger
    }

    // MARK: Errors

    private func respondToParseError(_ error: HTTPParseError) {
        HTTPServerCounters.increment(context.counters.requestsRejected)
        respondWithError(error.status, code: error.code, message: error.description)
    }

    /// A server-generated final response after which the connection closes (framing can no
    /// longer be trusted, or the request was refused before its body was read).
    private func respondWithError(_ status: HTTPStatus, code: String, message: String) {
        sendFinal(HTTPResponse.error(status, code: code, message: message), omitBody: false)
    }

    /// Answers `parsed` without running a handler. The connection may persist only if no body
    /// is left unread.
    private func respondFinal(_ response: HTTPResponse, for parsed: HTTPRequestHead) {
        guard parsed.framing == .none, parsed.keepAlive, !context.draining else {
            sendFinal(response, omitBody: parsed.method == .head)
            return
        }
        requestsServed += 1
        respondOnLoop(response, framing: HTTPConnectionChannel.ResponseFraming(
            omitBody: parsed.method == .head, http10: !parsed.version.isAtLeastHTTP11,
            keepAlive: requestsServed < context.limits.maxRequestsPerConnection))
    }

    private func sendFinal(_ response: HTTPResponse, omitBody: Bool) {
        head = nil
        body = []
        chunkDecoder = nil
        HTTPResponseSerializer.serialize(
            response, omitBody: omitBody, connection: .close, dateLine: context.dateClock.currentLine(), defaults: context.defaultHeaders, into: &output)
        closeAfterWrite = true
        lingerAfterWrite = true
        startWriting()
    }
}
