import NIOCore
import NIOPosix
import Testing

/// What the live-binary tests stand on: the suites run in parallel, and a port `freePort()` released may be taken
/// before the server binds it.
@Suite struct LiveServerTests {
    @Test func aServerWhosePortIsTakenStartsOnAnother() async throws {
        let holder = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        defer { holder.close(promise: nil) }
        let taken = try #require(holder.localAddress?.port)
        let server = try await LiveServer.unseeded(port: taken)
        do {
            try await server.serve()
            #expect(server.port != taken)
            #expect(try await server.request(.GET, "/health/live").status == 200)
        } catch {
            await server.shutdown()
            throw error
        }
        await server.shutdown()
    }
}
