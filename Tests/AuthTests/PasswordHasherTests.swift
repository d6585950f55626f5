import Dispatch
#if canImport(Glibc)
import Glibc
#endif
import NIOPosix
import Synchronization
import Testing
@testable import Auth

/// A count shared by concurrent tasks.
final class SharedCount: Sendable {
    private let count = Mutex(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}

@Suite struct PasswordHasherTests {
    let hasher = PasswordHasher(costLog2: 8)

    @Test func rightPasswordVerifiesAndWrongOneDoesNot() async throws {
        let hash = try await hasher.hash("Correct-Horse-1")
        #expect(hash.hasPrefix("$scrypt$ln=8,r=8,p=1$"))
        #expect(!hash.contains("Correct-Horse-1"))
        #expect(try await hasher.verify("Correct-Horse-1", against: hash))
        #expect(try await !hasher.verify("correct-horse-1", against: hash))
    }

    @Test func samePasswordHashesDifferentlyEachTime() async throws {
        let first = try await hasher.hash("Same-Pass-1")
        let second = try await hasher.hash("Same-Pass-1")
        #expect(first != second, "every hash has its own salt")
    }

    @Test func hashMadeWithAnotherCostStillVerifies() async throws {
        let old = try await PasswordHasher(costLog2: 6).hash("Old-Pass-1")
        #expect(try await hasher.verify("Old-Pass-1", against: old))
    }

    @Test func unknownUserNeverVerifies() async throws {
        #expect(try await !hasher.verify("", against: nil))
        #expect(try await !hasher.verify("anything", against: nil))
    }

    @Test func garbledHashIsAnError() async throws {
        await #expect(throws: AuthError.unreadablePasswordHash) { _ = try await hasher.verify("x", against: "$bcrypt$nope") }
    }

    #if os(Linux)
    @Test func hashingThreadsYieldToTheRestOfTheProcess() async throws {
        @Sendable func niceness() -> Int32 { getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0) }
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        let hasher = PasswordHasher(costLog2: 6, threadPool: pool, threads: 1)
        let requestThread = niceness()
        let before = try await pool.runIfActive { niceness() }
        #expect(before == requestThread, "a new thread starts at the process's priority")
        let hash = try await hasher.hash("Pass-1")
        #expect(try await pool.runIfActive { niceness() } == PasswordHasher.niceness, "the thread that hashed runs below it")
        #expect(try await hasher.verify("Pass-1", against: hash))
        #expect(niceness() == requestThread, "the other threads keep their priority")
        try await pool.shutdownGracefully()
    }
    #endif

    @Test func hashesBeyondTheRunningAndWaitingPlacesAreRefusedAfterTheDelayWithoutAPlace() async throws {
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        // The pool's one thread is taken by a job of the test's own, so admitted hashes wait in its queue.
        let gate = DispatchSemaphore(value: 0)
        let blocking = SharedCount()
        let blocker = Task {
            try await pool.runIfActive {
                blocking.increment()
                gate.wait()
            }
        }
        // A task starts when the pool gets to it: before that, the hashes below would have the thread to themselves.
        // The deadlines are long: in the full suite (every target in one process, live servers and rushes beside
        // it) this test's tasks have waited 10-15 s for a turn on a 2-core machine; alone it takes 0.2 s.
        let blockDeadline = ContinuousClock.now + .seconds(60)
        while blocking.value == 0, ContinuousClock.now < blockDeadline { try await Task.sleep(for: .milliseconds(1)) }
        try #require(blocking.value == 1, "the pool's thread is taken")
        // One running place, one waiting.
        let hasher = PasswordHasher(costLog2: 6, threadPool: pool, threads: 1, refusalDelay: .milliseconds(200))
        let refused = SharedCount()
        let attempts = (0..<5).map { index in
            Task { () -> String? in
                let started = ContinuousClock.now
                do {
                    return try await hasher.hash("Pass-\(index)")
                } catch AuthError.busy {
                    #expect(ContinuousClock.now - started >= .milliseconds(200), "a refusal comes after the delay")
                    refused.increment()
                    return nil
                }
            }
        }
        let deadline = ContinuousClock.now + .seconds(60)
        while refused.value < 3, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(1)) }
        #expect(refused.value == 3, "the three beyond one running and one waiting were refused while no place was free")
        #expect(hasher.slots.inUse == 2)
        gate.signal()
        try await blocker.value
        var hashed = 0
        for attempt in attempts where try await attempt.value != nil { hashed += 1 }
        #expect(hashed == 2, "the admitted ones finish once the pool is free")
        #expect(hasher.slots.inUse == 0, "every place is given back")
        try await pool.shutdownGracefully()
    }
}
