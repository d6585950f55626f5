import Foundation
import NIOCore
import NIOPosix
import Testing
@testable import App

/// A client that trickles its request head (slowloris) is disconnected after HTTP_IDLE_TIMEOUT.
@Suite struct IdleTimeoutTests {
    /// Counts the bytes the server sends back.
    final class Received: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        var bytes = 0
        func channelRead(context: ChannelHandlerContext, data: NIOAny) { bytes += unwrapInboundIn(data).readableBytes }
    }

    @Test func connectionStillSendingItsHeadersIsClosed() async throws {
        try await TestApp.run(.live, configure: { $0.httpIdleTimeout = 1 }) { api in
            let port = try #require(api.client.port)
            let received = Received()
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelInitializer { channel in channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(received) } }
                .connect(host: "127.0.0.1", port: port).get()
            // Half a request head, and then nothing: a complete request never arrives. On a loaded machine the server
            // may hang up before even this arrives (a connection that sends nothing is idle too): that is no failure.
            try? await channel.writeAndFlush(ByteBuffer(string: "GET /health/live HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")).get()
            // The server closes the connection. Waiting is bounded so that a regression fails instead of hanging:
            // after 20 s the client closes it itself, which also ends the wait on `closeFuture`.
            let closed = try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask { try await channel.closeFuture.get(); return true }
                group.addTask {
                    try await Task.sleep(for: .seconds(20))
                    try? await channel.close()
                    return false
                }
                let first = try await group.next()!
                group.cancelAll()
                return first
            }
            #expect(closed, "the server hung up on the half-sent request")
            #expect(try await channel.eventLoop.submit { received.bytes }.get() == 0, "and answered nothing")
        }
    }
}
