import Foundation
import GRDB

/// A person's role: `USER` books seats, `ORGANIZER` also owns events.
public enum UserRole: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
    case user = "USER"
    case organizer = "ORGANIZER"
}

/// A row of `users`. `passwordHash` never leaves the service.
public struct User: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "users"
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
    public static let databaseColumnEncodingStrategy = DatabaseColumnEncodingStrategy.convertToSnakeCase

    public var id: Int64?
    public var email: String
    public var firstname: String
    public var lastname: String
    public var passwordHash: String
    public var country: String
    public var role: UserRole
    public var createdAt: Date
    public var updatedAt: Date

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

extension User {
    /// Decodes by column name without Codable, which costs several times more on the hot path.
    public init(row: Row) throws {
        id = row["id"]
        email = row["email"]
        firstname = row["firstname"]
        lastname = row["lastname"]
        passwordHash = row["password_hash"]
        country = row["country"]
        role = row["role"]
        createdAt = row["created_at"]
        updatedAt = row["updated_at"]
    }
}

/// What registration needs to create a user; the email is lowercased on insert.
public struct NewUser: Sendable {
    public var email: String
    public var firstname: String
    public var lastname: String
    public var passwordHash: String
    public var country: String
    public var role: UserRole

    public init(email: String, firstname: String, lastname: String, passwordHash: String, country: String, role: UserRole) {
        self.email = email
        self.firstname = firstname
        self.lastname = lastname
        self.passwordHash = passwordHash
        self.country = country
        self.role = role
    }
}
