extension HTTPConnection {
    /// Sends a streamed response's head, then runs its producer until it returns or the client
    /// is gone. The connection closes afterwards (the body is delimited by the close).
    static func stream(_ response: HTTPResponse, framing: HTTPConnectionChannel.ResponseFraming, channel: HTTPConnectionChannel,
                       dateLine: [UInt8], defaults: HTTPHeaders, bufferLimit: Int) async {
        var head: [UInt8] = []
        HTTPResponseSerializer.serialize(response, omitBody: true, connection: .close, dateLine: dateLine, defaults: defaults, into: &head)
        channel.beginStream()
        let writer = HTTPStreamWriter(channel: channel, bufferLimit: bufferLimit)
        guard let stream = response.stream else { return }
        // The producer always runs (it may hold resources to release); with nobody to write to
        // (HEAD, or the client already gone) its first write reports the stream over.
        if !writer.write(head) || framing.omitBody { _ = writer.finish() }
        await stream.produce(writer)
        // What the kernel has not taken yet: one last try, then the rest is dropped with the
        // connection (a stream has no end the client could miss; it resumes by event id).
        _ = channel.send(writer.finish())
    }
}
