import Foundation

/// New booking references: UUIDs of version 7 (RFC 9562), lowercase.
///
/// The first 48 bits are the creation time in milliseconds and 74 of the rest are random, so a reference
/// is as unguessable as it needs to be (it is also checked against its owner on every read) while new
/// references sort after old ones. That matters to the UNIQUE index on `booking_reference`: random v4
/// references put every insert on a random leaf of a large B-tree, so on a database of a million bookings
/// each batch dirtied (and fsynced) pages all over the index; time-ordered ones append.
enum BookingReference {
    static func make(at date: Date = Date()) -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = [UInt8](repeating: 0, count: 16)
        let milliseconds = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: milliseconds >> (8 * (5 - index))) }
        // Two draws, not one per byte: each draw from the system generator is a getrandom(2) call.
        let random = (generator.next(), generator.next())
        for index in 6..<11 { bytes[index] = UInt8(truncatingIfNeeded: random.0 >> (8 * (index - 6))) }
        for index in 11..<16 { bytes[index] = UInt8(truncatingIfNeeded: random.1 >> (8 * (index - 11))) }
        bytes[6] = 0x70 | (bytes[6] & 0x0F)  // version 7
        bytes[8] = 0x80 | (bytes[8] & 0x3F)  // RFC 9562 variant
        return lowercaseUUIDString(bytes)
    }

    /// `UUID(uuid:).uuidString.lowercased()`, written directly: Foundation's string and the lowercasing cost
    /// more than the rest of making a reference.
    static func lowercaseUUIDString(_ bytes: [UInt8]) -> String {
        String(unsafeUninitializedCapacity: 36) { text in
            var index = 0
            for (position, byte) in bytes.enumerated() {
                if position == 4 || position == 6 || position == 8 || position == 10 {
                    text[index] = UInt8(ascii: "-")
                    index += 1
                }
                text[index] = hexDigits[Int(byte >> 4)]
                text[index + 1] = hexDigits[Int(byte & 0x0F)]
                index += 2
            }
            return index
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}
