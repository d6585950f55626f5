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
}
