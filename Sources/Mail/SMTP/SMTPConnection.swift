import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOExtras
import NIOPosix
import NIOSSL

/// One server reply: its code and its lines' text (`250-a`, `250 b` → 250, ["a", "b"]).
struct SMTPReply: Sendable, Equatable {
    var code: Int
    var lines: [String]

    var text: String { "\(code) \(lines.joined(separator: " / "))" }

    /// Whether `line` ends a reply: its code alone, or its code and a space (`250-` lines go on).
    static func isLastLine(_ line: Substring) -> Bool {
        line.count == 3 || (line.count > 3 && line[line.index(line.startIndex, offsetBy: 3)] == " ")
    }
}

/// A line-oriented connection to an SMTP server: send a command, read the (possibly multi-line) reply.
/// Every reply has a deadline: when the server has not sent it in time, the connection is closed and the
/// read throws `SMTPConnectionError.timeout`. The deadline is the server's, checked on the event loop where
/// the lines arrive: a reply that arrived in time counts even when the task reading it runs late.
/// Used by one task at a time.
final class SMTPConnection {
    private let channel: any Channel
    private let continuation: AsyncThrowingStream<String, any Error>.Continuation
    private var lines: AsyncThrowingStream<String, any Error>.AsyncIterator
    private let timeout: TimeAmount
    /// Complete replies the server has sent (counted by `SMTPLineHandler`) and those read so far.
    private let repliesArrived: NIOLockedValueBox<Int>
    private var repliesRead = 0

    private init(
        channel: any Channel, stream: AsyncThrowingStream<String, any Error>, continuation: AsyncThrowingStream<String, any Error>.Continuation,
        repliesArrived: NIOLockedValueBox<Int>, timeout: TimeAmount
    ) {
        self.channel = channel
        self.lines = stream.makeAsyncIterator()
        self.continuation = continuation
        self.repliesArrived = repliesArrived
        self.timeout = timeout
    }

    /// Connects to `host:port`, with TLS from the start when `tls` is given.
    static func connect(host: String, port: Int, tls: NIOSSLContext?, timeout: TimeAmount) async throws -> SMTPConnection {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: String.self, throwing: (any Error).self)
        let repliesArrived = NIOLockedValueBox(0)
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tls, serverHostname: Self.sniName(host)))
                    }
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineBasedFrameDecoder()))
                    try channel.pipeline.syncOperations.addHandler(SMTPLineHandler(continuation: continuation, repliesArrived: repliesArrived))
                }
            }
            .connect(host: host, port: port)
            .get()
        return SMTPConnection(channel: channel, stream: stream, continuation: continuation, repliesArrived: repliesArrived, timeout: timeout)
    }

    /// Reads one complete reply.
    func readReply() async throws -> SMTPReply {
        let continuation = self.continuation
        let channel = self.channel
        let repliesArrived = self.repliesArrived
        let awaited = repliesRead + 1
        let timer = channel.eventLoop.scheduleTask(in: timeout) {
            if repliesArrived.withLockedValue({ $0 }) >= awaited { return }
            continuation.finish(throwing: SMTPConnectionError.timeout)
            channel.close(promise: nil)
        }
        defer { timer.cancel() }
        var texts: [String] = []
        while true {
            guard let line = try await lines.next() else { throw SMTPConnectionError.closed }
            guard line.count >= 3, let code = Int(line.prefix(3)) else { throw SMTPConnectionError.malformedReply(line) }
            texts.append(String(line.dropFirst(4)))
            if SMTPReply.isLastLine(line[...]) {
                repliesRead += 1
                return SMTPReply(code: code, lines: texts)
            }
        }
    }

    /// Sends `command` (CRLF added) and reads the reply.
    func send(_ command: String) async throws -> SMTPReply {
        try await write(command + "\r\n")
        return try await readReply()
    }

    /// Writes raw text (the message data) without reading.
    func write(_ text: String) async throws {
        try await channel.writeAndFlush(ByteBuffer(string: text)).get()
    }

    /// Upgrades the connection to TLS after the server accepted STARTTLS.
    func startTLS(_ context: NIOSSLContext, host: String) async throws {
        let channel = self.channel
        try await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.addHandler(
                NIOSSLClientHandler(context: context, serverHostname: Self.sniName(host)), position: .first)
        }.get()
    }

    func close() async {
        try? await channel.close().get()
    }

    /// SNI takes a host name, never an IP address.
    private static func sniName(_ host: String) -> String? {
        host.allSatisfy({ $0.isNumber || $0 == "." || $0 == ":" }) ? nil : host
    }
}

/// Why the conversation with the server broke off (all worth trying again later).
enum SMTPConnectionError: Error, Equatable, CustomStringConvertible {
    case timeout
    case closed
    case malformedReply(String)

    var description: String {
        switch self {
        case .timeout: "the server did not answer in time"
        case .closed: "the server closed the connection"
        case .malformedReply(let line): "malformed reply: \(line.prefix(100))"
        }
    }
}

/// Hands each received line to the connection's stream, counting complete replies; errors and the end of
/// the connection finish it.
private final class SMTPLineHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    let continuation: AsyncThrowingStream<String, any Error>.Continuation
    let repliesArrived: NIOLockedValueBox<Int>

    init(continuation: AsyncThrowingStream<String, any Error>.Continuation, repliesArrived: NIOLockedValueBox<Int>) {
        self.continuation = continuation
        self.repliesArrived = repliesArrived
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let line = String(buffer: unwrapInboundIn(data))
        if SMTPReply.isLastLine(line[...]) { repliesArrived.withLockedValue { $0 += 1 } }
        continuation.yield(line)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        continuation.finish(throwing: error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        continuation.finish()
    }
}
