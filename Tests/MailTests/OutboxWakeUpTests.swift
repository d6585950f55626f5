import Synchronization
import Testing
@testable import Mail

/// The delivery service's nudge. The bounds below are lower bounds (a slow machine only makes a wait longer)
/// or generous upper ones.
@Suite struct OutboxWakeUpTests {
    static func elapsed(_ body: () async -> Void) async -> Duration {
        let start = ContinuousClock.now
        await body()
        return ContinuousClock.now - start
    }

    @Test func aWaitAfterATimedOutWaitStillWaitsItsTimeout() async {
        let wakeUp = OutboxWakeUp()
        await wakeUp.wait(timeout: .milliseconds(50))
        for _ in 0..<3 {
            let waited = await Self.elapsed { await wakeUp.wait(timeout: .milliseconds(300)) }
            #expect(waited >= .milliseconds(250), "an idle service sleeps between rounds instead of spinning: \(waited)")
        }
    }

    @Test func aSignalEndsTheWaitAndOneSentBeforeIsKept() async {
        let wakeUp = OutboxWakeUp()
        await wakeUp.wait(timeout: .milliseconds(20))
        wakeUp.signal()
        wakeUp.signal()  // coalesced with the first
        let kept = await Self.elapsed { await wakeUp.wait(timeout: .seconds(60)) }
        #expect(kept < .seconds(30), "a signal sent before the wait ends it at once")
        let coalesced = await Self.elapsed { await wakeUp.wait(timeout: .milliseconds(300)) }
        #expect(coalesced >= .milliseconds(250), "two signals are one wake-up")

        let waiter = Task { await Self.elapsed { await wakeUp.wait(timeout: .seconds(60)) } }
        try? await Task.sleep(for: .milliseconds(50))
        wakeUp.signal()
        #expect(await waiter.value < .seconds(30), "a signal during the wait ends it")
    }

    @Test func theTimeoutIsAskedForOnlyWhenNoSignalWaits() async {
        let wakeUp = OutboxWakeUp()
        let asked = Mutex(0)
        wakeUp.signal()
        await wakeUp.wait {
            asked.withLock { $0 += 1 }
            return .seconds(60)
        }
        #expect(asked.withLock { $0 } == 0, "a waiting signal ends the wait before the timeout is asked for")
        let waited = await Self.elapsed {
            await wakeUp.wait {
                asked.withLock { $0 += 1 }
                return .milliseconds(300)
            }
        }
        #expect(asked.withLock { $0 } == 1 && waited >= .milliseconds(250), "without a signal it waits the timeout: \(waited)")
    }
}
