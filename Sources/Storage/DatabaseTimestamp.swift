import Foundation

/// A date in the text form GRDB stores dates in (`YYYY-MM-DD HH:MM:SS.SSS`, UTC), made by arithmetic.
///
/// GRDB formats every `Date` it binds with a `DateFormatter` (ICU); a booking binds its time five times,
/// and that formatting was about 3% of the service's CPU in a booking rush. The hot commands format their
/// time once with this and bind the text, which GRDB reads back as the same `Date` as its own form.
enum DatabaseTimestamp {
    static func string(_ date: Date) -> String {
        let time = UTCDateTime(date)
        var text = ""
        text.reserveCapacity(23)
        text.append(time.year, width: 4)
        text += "-"
        text.append(time.month, width: 2)
        text += "-"
        text.append(time.day, width: 2)
        text += " "
        text.append(time.hour, width: 2)
        text += ":"
        text.append(time.minute, width: 2)
        text += ":"
        text.append(time.second, width: 2)
        text += "."
        text.append(time.millisecond, width: 3)
        return text
    }
}
