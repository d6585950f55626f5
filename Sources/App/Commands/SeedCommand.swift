import ArgumentParser
import Auth
import Foundation
import Storage

/// `event-booking seed`: sample organizer, users and events for demos (like the original `npm run seed`).
struct SeedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "seed", abstract: "Add sample users and events (once).")

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        let configuration = try await options.configuration()
        let database = try AppDatabase(path: configuration.databasePath, durability: configuration.durability)
        defer { try? database.close() }
        let seeded = try await SampleData.seed(database, passwords: PasswordHasher(costLog2: configuration.passwordHashCost))
        guard seeded else {
            print("sample data already present; nothing added")
            return
        }
        print("sample data added. Logins (email / password):")
        for login in SampleData.logins { print("  \(login.role.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) \(login.email) / \(login.password)") }
    }
}

/// The demo data `seed` adds: one organizer, two users, three published events and a draft.
enum SampleData {
    struct Login {
        var email: String
        var password: String
        var firstname: String
        var lastname: String
        var role: UserRole
    }

    static let logins = [
        Login(email: "organizer@example.com", password: "Organizer123!", firstname: "Olivia", lastname: "Organizer", role: .organizer),
        Login(email: "alice@example.com", password: "Password123!", firstname: "Alice", lastname: "Attendee", role: .user),
        Login(email: "bob@example.com", password: "Password123!", firstname: "Bob", lastname: "Booker", role: .user),
    ]

    /// Adds the sample data unless its organizer exists; true when it added it.
    static func seed(_ database: AppDatabase, passwords: PasswordHasher, now: Date = Date()) async throws -> Bool {
        if try await database.user(email: logins[0].email) != nil { return false }
        var organizerId: Int64 = 0
        for login in logins {
            let user = try await database.createUser(
                NewUser(
                    email: login.email, firstname: login.firstname, lastname: login.lastname,
                    passwordHash: try await passwords.hash(login.password), country: "Germany", role: login.role),
                now: now)
            if login.role == .organizer { organizerId = user.id! }
        }
        let day: TimeInterval = 86_400
        let events = [
            NewEvent(title: "Swift Server Conference", description: "Two days of talks on Swift on the server.", totalSeats: 200, status: .published, eventDate: now.addingTimeInterval(30 * day)),
            NewEvent(title: "SQLite Internals Workshop", description: "WAL, locking and the query planner, hands on.", totalSeats: 25, status: .published, eventDate: now.addingTimeInterval(14 * day)),
            NewEvent(title: "Open Air Jazz Night", description: "Bring a blanket.", totalSeats: 500, status: .published, eventDate: now.addingTimeInterval(45 * day)),
            NewEvent(title: "Planning Meeting (draft)", description: "Only the organizer sees this one.", totalSeats: 10, status: .draft, eventDate: nil),
        ]
        for event in events { _ = try await database.createEvent(event, organizerId: organizerId, now: now) }
        return true
    }
}
