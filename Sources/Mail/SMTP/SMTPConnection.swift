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
}

/// A line-oriented connection to an SMTP server: send a command, read the (possibly multi-line) reply.
/// Every reply has a deadline: when the server has not sent it in time, the connection is closed and the
/// read throws `SMTPConnectionError.timeout`. The deadline is the server's, checked on the event loop where
/// the lines arrive: a reply that arrived in time counts even when the task reading it runs late.
/// Used by one task at a time.
final class SMTPConnection {
    private let channel: any Channel
    private let continuation: AsyncThrowingStream<SMTPReply, any Error>.Continuation
    private var replies: AsyncThrowingStream<SMTPReply, any Error>.AsyncIterator
    private let timeout: TimeAmount
    /// Replies the server has sent (counted by `SMTPReplyHandler` as it hands them over) and those read so far.
    private let repliesArrived: NIOLockedValueBox<Int>
    private var repliesRead = 0

    private init(
        channel: any Channel, stream: AsyncThrowingStream<SMTPReply, any Error>, continuation: AsyncThrowingStream<SMTPReply, any Error>.Continuation,
        repliesArrived: NIOLockedValueBox<Int>, timeout: TimeAmount
    ) {
        self.channel = channel
        self.replies = stream.makeAsyncIterator()
        self.continuation = continuation
        self.repliesArrived = repliesArrived
        self.timeout = timeout
    }

    /// Connects to `host:port`, with TLS from the start when `tls` is given.
    static func connect(host: String, port: Int, tls: NIOSSLContext?, timeout: TimeAmount) async throws -> SMTPConnection {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: SMTPReply.self, throwing: (any Error).self)
        let repliesArrived = NIOLockedValueBox(0)
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tls, serverHostname: Self.sniName(host)))
                    }
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineBasedFrameDecoder()))
                    try channel.pipeline.syncOperations.addHandler(SMTPReplyHandler(continuation: continuation, repliesArrived: repliesArrived))
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
        guard let reply = try await replies.next() else { throw SMTPConnectionError.closed }
        repliesRead += 1
        return reply
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

/// Puts received lines together into replies (`250-a`, `250 b` → 250, ["a", "b"]) and hands each complete one
/// to the connection's stream, counting it; a malformed line, errors and the end of the connection finish it.
final class SMTPReplyHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    let continuation: AsyncThrowingStream<SMTPReply, any Error>.Continuation
    let repliesArrived: NIOLockedValueBox<Int>
    /// The lines of the reply being received.
    private var texts: [String] = []

    init(continuation: AsyncThrowingStream<SMTPReply, any Error>.Continuation, repliesArrived: NIOLockedValueBox<Int>) {
        self.continuation = continuation
        self.repliesArrived = repliesArrived
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let line = String(buffer: unwrapInboundIn(data))
        guard line.count >= 3, let code = Int(line.prefix(3)) else {
            continuation.finish(throwing: SMTPConnectionError.malformedReply(line))
            context.close(promise: nil)
            return
        }
        texts.append(String(line.dropFirst(4)))
        // The last line of a reply is its code alone, or its code and a space; `250-` lines go on.
        guard line.count == 3 || line[line.index(line.startIndex, offsetBy: 3)] == " " else { return }
        let reply = SMTPReply(code: code, lines: texts)
        texts = []
        repliesArrived.withLockedValue { $0 += 1 }
        continuation.yield(reply)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        continuation.finish(throwing: error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        continuation.finish()
    }
}
