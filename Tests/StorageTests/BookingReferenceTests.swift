import Foundation
import Testing
@testable import Storage

@Suite struct BookingReferenceTests {
    @Test func referencesAreVersion7UUIDsThatSortByTimeAndNeverRepeat() throws {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let references = (0..<1_000).map { BookingReference.make(at: start.addingTimeInterval(Double($0) / 100)) }
        for reference in references {
            #expect(UUID(uuidString: reference)?.uuidString.lowercased() == reference)
            #expect(Array(reference)[14] == "7", "version 7: \(reference)")
            #expect("89ab".contains(Array(reference)[19]), "RFC 9562 variant: \(reference)")
        }
        #expect(Set(references).count == references.count)
        // Each 10 ms step changes the time prefix, so later references sort after earlier ones.
        #expect(references == references.sorted())
        // The first 48 bits are the milliseconds since 1970.
        #expect(references[0].replacingOccurrences(of: "-", with: "").prefix(12) == String(1_800_000_000_000, radix: 16).leftPadded(to: 12))
    }

    @Test func textIsFoundationsLowercased() {
        for seed in 0..<256 {
            let bytes = (0..<16).map { UInt8(truncatingIfNeeded: seed &* 37 &+ $0 &* 101) }
            let uuid = UUID(uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
            #expect(BookingReference.lowercaseUUIDString(bytes) == uuid.uuidString.lowercased())
        }
    }

    @Test func referencesOfTheSameMillisecondDifferInEveryRandomDigit() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let digits = (0..<200).map { _ in Array(BookingReference.make(at: now).replacingOccurrences(of: "-", with: "")) }
        #expect(Set(digits).count == digits.count)
        // Digits 0-11 are the time and 12 the version; every later one carries random bits.
        for position in 13..<32 {
            #expect(Set(digits.map { $0[position] }).count > 1, "hex digit \(position) never changes")
        }
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
