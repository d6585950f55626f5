import Foundation
import Testing
@testable import Storage

@Suite struct BookingReferenceTests {
    @Test func referencesAreVersion7UUIDsThatSortByTimeAndNeverRepeat() throws {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let references = (0..<1_000).map { BookingReference.make(at: start.addingTimeInterval(Double($0) / 100)) }
        for reference in references {
            #expect(UUID(uuidString: reference) != nil && reference == reference.lowercased())
            #expect(Array(reference)[14] == "7", "version 7: \(reference)")
            #expect("89ab".contains(Array(reference)[19]), "RFC 9562 variant: \(reference)")
        }
        #expect(Set(references).count == references.count)
        // Each 10 ms step changes the time prefix, so later references sort after earlier ones.
        #expect(references == references.sorted())
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
