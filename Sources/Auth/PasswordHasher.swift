import Crypto
import CryptoExtras
import Foundation
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// Hashes and verifies passwords with scrypt (swift-crypto), on threads of their own so that the tens of
/// milliseconds it costs never block an event loop or the cooperative pool. At most one hash per thread
/// of that pool runs, with as many again waiting (`HashingSlots`); past that, `AuthError.busy` after
/// `refusalDelay`.
///
/// Those threads hash at a lower scheduling priority (nice 10) than the threads that serve requests: when
/// both want the cores, as in a flood of wrong-password logins during a booking rush, the bookings get them
/// first and the hashes use what is left. On an idle machine a hash runs as fast as before.
///
/// Stored form: `$scrypt$ln=15,r=8,p=1$<salt base64>$<hash base64>`; the parameters travel with the
/// hash, so raising the cost later still verifies old hashes.
public struct PasswordHasher: Sendable {
    /// log2 of scrypt's N. 15 (~75 ms here) in production; tests use less.
    public let costLog2: Int
    let threadPool: NIOThreadPool
    let slots: HashingSlots

    /// `threads` is how many threads `threadPool` runs: that many hashes run at once, and as many again may
    /// wait. Each thread of `threadPool` that hashes is lowered to `Self.niceness` for good, so the pool must be
    /// the hasher's own (the default, `hashingThreads`, is: one thread per core, started on first use).
    /// `refusalDelay` is how long a refused request waits for its `busy` (see `HashingSlots`).
    public init(
        costLog2: Int = 15, threadPool: NIOThreadPool = hashingThreads, threads: Int = System.coreCount,
        refusalDelay: Duration = .milliseconds(250)
    ) {
        self.costLog2 = costLog2
        self.threadPool = threadPool
        self.slots = HashingSlots(running: threads, waiting: threads, refusalDelay: refusalDelay)
    }

    /// The threads of every hasher made with the default pool; never shut down, like NIO's own singletons.
    public static let hashingThreads: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: System.coreCount)
        pool.start()
        return pool
    }()

    /// The nice value of a thread while it hashes, and after (0 is a request thread's; 19 the lowest priority).
    static let niceness: Int32 = 10

    /// Lowers the calling thread's scheduling priority to `niceness` (on Linux a nice value belongs to a
    /// thread). It never rises again: only root may raise a priority.
    static func yieldToRequests() {
        #if os(Linux)
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, niceness)
        #endif
    }

    /// A new salted hash of `password`.
    public func hash(_ password: String) async throws -> String {
        let cost = costLog2
        return try await slots.withSlot {
            try await threadPool.runIfActive {
                Self.yieldToRequests()
                var salt = [UInt8](repeating: 0, count: 16)
                var generator = SystemRandomNumberGenerator()
                for index in salt.indices { salt[index] = generator.next() }
                let derived = try Self.derive(password, salt: salt, costLog2: cost, blockSize: 8, parallelism: 1)
                return "$scrypt$ln=\(cost),r=8,p=1$\(Data(salt).base64EncodedString())$\(Data(derived).base64EncodedString())"
            }
        }
    }

    /// True when `password` matches `storedHash`. With no stored hash (unknown user) it still spends
    /// the time of one verification, so both failures look alike from outside.
    public func verify(_ password: String, against storedHash: String?) async throws -> Bool {
        let stored = storedHash ?? "$scrypt$ln=\(costLog2),r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
        let parts = stored.split(separator: "$", omittingEmptySubsequences: true)
        guard parts.count == 4, parts[0] == "scrypt",
            let parameters = Self.parameters(parts[1]),
            let salt = Data(base64Encoded: String(parts[2])), let expected = Data(base64Encoded: String(parts[3]))
        else { throw AuthError.unreadablePasswordHash }
        let matches = try await slots.withSlot {
            try await threadPool.runIfActive {
                Self.yieldToRequests()
                let derived = try Self.derive(password, salt: [UInt8](salt), costLog2: parameters.ln, blockSize: parameters.r, parallelism: parameters.p)
                return Self.constantTimeEquals(derived, [UInt8](expected))
            }
        }
        return matches && storedHash != nil
    }

    private static func derive(_ password: String, salt: [UInt8], costLog2: Int, blockSize: Int, parallelism: Int) throws -> [UInt8] {
        let key = try KDF.Scrypt.deriveKey(
            from: Array(password.utf8), salt: salt, outputByteCount: 32, rounds: 1 << costLog2, blockSize: blockSize,
            parallelism: parallelism)
        return key.withUnsafeBytes { Array($0) }
    }

    private static func parameters(_ text: Substring) -> (ln: Int, r: Int, p: Int)? {
        var values: [Substring: Int] = [:]
        for pair in text.split(separator: ",") {
            let keyValue = pair.split(separator: "=")
            guard keyValue.count == 2, let value = Int(keyValue[1]) else { return nil }
            values[keyValue[0]] = value
        }
        guard let ln = values["ln"], let r = values["r"], let p = values["p"], (1...20).contains(ln), (1...32).contains(r), (1...16).contains(p)
        else { return nil }
        return (ln, r, p)
    }

    private static func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }
}
