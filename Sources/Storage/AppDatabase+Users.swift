import Foundation
import GRDB

extension AppDatabase {
    /// Inserts a user (email lowercased); `StorageError.emailInUse` when the address is taken.
    public func createUser(_ newUser: NewUser, now: Date = Date()) async throws -> User {
        try await write { db in try Self.insertUser(newUser, now: now, db) }
    }

    /// The user with this id, or nil; from `UserCache` when it was read lately (every authenticated request asks).
    public func user(id: Int64) async throws -> User? {
        if let user = users.user(id: id) { return user }
        let user = try await pool.read { db in try User.fetchOne(db.cachedStatement(sql: "SELECT * FROM users WHERE id = ?"), arguments: [id]) }
        if let user { users.store(user) }
        return user
    }

    /// The user with this email (any case), or nil.
    public func user(email: String) async throws -> User? {
        try await pool.read { db in
            // A login's lookup, also thousands a second in a flood of wrong passwords: the statement stays prepared.
            try User.fetchOne(db.cachedStatement(sql: "SELECT * FROM users WHERE email = ?"), arguments: [email.lowercased()])
        }
    }

    /// Gives the user with this email (any case) `role`; `notFound(.user)` when there is none. A server in this
    /// process sees it at once; one in another process within `UserCache`'s lifetime.
    public func setRole(_ role: UserRole, email: String, now: Date = Date()) async throws -> User {
        let user = try await write { db in
            try User.fetchOne(
                db, sql: "UPDATE users SET role = ?, updated_at = ? WHERE email = ? RETURNING *", arguments: [role, now, email.lowercased()])
        }
        guard let user else { throw StorageError.notFound(.user) }
        users.store(user)
        return user
    }

    static func insertUser(_ newUser: NewUser, now: Date, _ db: Database) throws -> User {
        var user = User(
            id: nil, email: newUser.email.lowercased(), firstname: newUser.firstname, lastname: newUser.lastname,
            passwordHash: newUser.passwordHash, country: newUser.country, role: newUser.role,
            createdAt: now, updatedAt: now)
        do {
            try user.insert(db)
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            throw StorageError.emailInUse
        }
        return user
    }
}
