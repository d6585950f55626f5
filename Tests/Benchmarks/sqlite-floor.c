// What SQLite alone costs a booking, for the README's "Benchmarks": the booking writer's statements for a booking
// on one of EVENTS events, drawn at random (read the event, the version-guarded UPDATE, the booking, its outbox row
// and its ledger entry), `batch` bookings per IMMEDIATE transaction, and each batch marking the last batch's mails
// sent, as the delivery service does, and settling the by-event tables as the writer does (AppDatabase+ByEvent.swift).
// With "savepoints" each command runs in a savepoint of its own, as the writer runs a batch again when a command
// refused after writing (BookingWriter.swift). schema.sql, WAL, the writer's
// pragmas and SQLite configured as the service configures it (SQLiteLibrary.swift: no memory statistics, and with
// VFS "gathering" the WAL's writes gathered by WALWriteGathering.c; "unix" is SQLite's own), prepared statements, C:
// no HTTP, no Swift, no GRDB. Prints CPU time (user + system, the WAL's pwrite and fdatasync included) and wall time
// per booking. `make bench-floor`; usage:
// sqlite-floor SCHEMA DIR BATCHES BATCH_SIZE SYNCHRONOUS EVENTS VFS [savepoints]
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include "CSQLiteConfig.h"

static char *readFile(const char *path) {
    FILE *file = fopen(path, "rb");
    if (!file) { perror(path); exit(1); }
    fseek(file, 0, SEEK_END);
    long size = ftell(file);
    rewind(file);
    char *text = malloc(size + 1);
    if (fread(text, 1, size, file) != (size_t)size) { perror(path); exit(1); }
    text[size] = 0;
    fclose(file);
    return text;
}

static void execute(sqlite3 *db, const char *sql) {
    char *error = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &error) != SQLITE_OK) { fprintf(stderr, "%s: %s\n", sql, error); exit(1); }
}

static sqlite3_stmt *prepare(sqlite3 *db, const char *sql) {
    sqlite3_stmt *statement;
    if (sqlite3_prepare_v2(db, sql, -1, &statement, NULL) != SQLITE_OK) { fprintf(stderr, "%s: %s\n", sql, sqlite3_errmsg(db)); exit(1); }
    return statement;
}

static void run(sqlite3 *db, sqlite3_stmt *statement) {
    int code;
    while ((code = sqlite3_step(statement)) == SQLITE_ROW) {}
    if (code != SQLITE_DONE) { fprintf(stderr, "%s: %s\n", sqlite3_sql(statement), sqlite3_errmsg(db)); exit(1); }
    sqlite3_reset(statement);
}

static double cpuSeconds(void) {
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}

static double wallSeconds(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec + now.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (!(argc == 8 || (argc == 9 && strcmp(argv[8], "savepoints") == 0)) || atoi(argv[6]) < 1 ||
        (strcmp(argv[7], "gathering") != 0 && strcmp(argv[7], "unix") != 0)) {
        fprintf(stderr, "usage: %s SCHEMA DIR BATCHES BATCH_SIZE SYNCHRONOUS EVENTS gathering|unix [savepoints]\n", argv[0]);
        return 2;
    }
    int batches = atoi(argv[3]), batchSize = atoi(argv[4]), events = atoi(argv[6]), users = 64, savepoints = argc == 9;
    int gathering = strcmp(argv[7], "gathering") == 0;
    char path[4096], sql[512];
    snprintf(path, sizeof path, "%s/floor.sqlite", argv[2]);
    sqlite3 *db;
    csqlite_config_disable_memory_statistics();
    if (gathering) csqlite_register_wal_write_gathering();
    if (sqlite3_open(path, &db) != SQLITE_OK) { fprintf(stderr, "%s: %s\n", path, sqlite3_errmsg(db)); return 1; }
    // As the service's writer connection has them (DatabaseConnections.openWritable).
    execute(db, "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY; PRAGMA wal_autocheckpoint = 4000");
    snprintf(sql, sizeof sql, "PRAGMA synchronous = %s", argv[5]);
    execute(db, sql);
    execute(db, readFile(argv[1]));
    const char *now = "2026-11-28T10:00:00.000Z";
    execute(db, "INSERT INTO users (email, firstname, lastname, password_hash, country, role, created_at, updated_at) "
                "VALUES ('organizer@example.com', 'O', 'O', 'x', 'DE', 'ORGANIZER', 'x', 'x')");
    for (int user = 0; user < users; user++) {
        snprintf(sql, sizeof sql, "INSERT INTO users (email, firstname, lastname, password_hash, country, created_at, updated_at) "
                                  "VALUES ('user%d@example.com', 'U', 'U', 'x', 'DE', 'x', 'x')", user);
        execute(db, sql);
    }
    for (int event = 0; event < events; event++) {
        execute(db, "INSERT INTO events (title, total_seats, available_seats, status, organizer_id, created_at, updated_at) "
                    "VALUES ('Benchmark', 1000000, 1000000, 'PUBLISHED', 1, 'x', 'x')");
    }

    sqlite3_stmt *begin = prepare(db, "BEGIN IMMEDIATE"), *commit = prepare(db, "COMMIT");
    sqlite3_stmt *savepoint = prepare(db, "SAVEPOINT command"), *release = prepare(db, "RELEASE SAVEPOINT command");
    sqlite3_stmt *readEvent = prepare(db, "SELECT * FROM events WHERE id = ?1");
    sqlite3_stmt *takeSeats = prepare(db,
        "UPDATE events SET available_seats = available_seats - 1, version = version + 1, updated_at = ?1 "
        "WHERE id = ?3 AND version = ?2 AND available_seats >= 1");
    sqlite3_stmt *insertBooking = prepare(db,
        "INSERT INTO bookings (booking_reference, event_id, user_id, seat_count, status, created_at, updated_at) "
        "VALUES (?1, ?4, ?2, 1, 'CONFIRMED', ?3, ?3)");
    sqlite3_stmt *enqueueMail = prepare(db,
        "INSERT INTO outbox (kind, booking_id, status, attempts, next_attempt_at, created_at) VALUES ('booking-confirmed', ?1, 'PENDING', 0, ?2, ?2)");
    sqlite3_stmt *recordSeats = prepare(db,
        "INSERT INTO seat_ledger (event_id, delta, reason, available_after, version, booking_reference, hold_reference, actor_id, created_at) "
        "VALUES (?6, -1, 'BOOKED', ?1, ?2, ?3, NULL, ?4, ?5)");
    sqlite3_stmt *markSent = prepare(db,
        "UPDATE outbox SET status = 'SENT', sent_at = ?1, payload = NULL, attempts = attempts + 1, last_error = NULL "
        "WHERE id IN (SELECT value FROM json_each(?2)) AND status = 'PENDING'");
    // The writer's settling of the by-event tables (AppDatabase+ByEvent.swift), once 1,024 rows wait.
    sqlite3_stmt *settledThrough = prepare(db,
        "SELECT bookings_through, seat_ledger_through, (SELECT COALESCE(MAX(id), 0) FROM bookings), "
        "(SELECT COALESCE(MAX(id), 0) FROM seat_ledger) FROM by_event_settled");
    sqlite3_stmt *settleBookings = prepare(db,
        "INSERT OR IGNORE INTO bookings_by_event (event_id, booking_id) SELECT event_id, id FROM bookings WHERE id > ?1 AND id <= ?2 "
        "ORDER BY event_id, id");
    sqlite3_stmt *settleEntries = prepare(db,
        "INSERT OR IGNORE INTO seat_ledger_by_event (event_id, entry_id) SELECT event_id, id FROM seat_ledger WHERE id > ?1 AND id <= ?2 "
        "ORDER BY event_id, id");
    sqlite3_stmt *moveSettled = prepare(db, "UPDATE by_event_settled SET bookings_through = ?1, seat_ledger_through = ?2");
    int versionColumn = -1, seatsColumn = -1;
    for (int column = 0; column < sqlite3_column_count(readEvent); column++) {
        const char *name = sqlite3_column_name(readEvent, column);
        if (sqlite3_stricmp(name, "version") == 0) versionColumn = column;
        if (sqlite3_stricmp(name, "available_seats") == 0) seatsColumn = column;
    }

    long booked = 0, lastMarked = 0;
    double cpuStart = cpuSeconds(), wallStart = wallSeconds();
    for (int batch = 0; batch < batches; batch++) {
        run(db, begin);
        for (int command = 0; command < batchSize; command++) {
            if (savepoints) run(db, savepoint);
            long long version = 0, seats = 0, eventId = 1 + rand() % events;
            sqlite3_bind_int64(readEvent, 1, eventId);
            if (sqlite3_step(readEvent) == SQLITE_ROW) {
                version = sqlite3_column_int64(readEvent, versionColumn);
                seats = sqlite3_column_int64(readEvent, seatsColumn);
            }
            sqlite3_reset(readEvent);
            sqlite3_bind_text(takeSeats, 1, now, -1, SQLITE_STATIC);
            sqlite3_bind_int64(takeSeats, 2, version);
            sqlite3_bind_int64(takeSeats, 3, eventId);
            run(db, takeSeats);
            if (sqlite3_changes(db) != 1) { fprintf(stderr, "lost the version race alone\n"); return 1; }
            // Time-ordered like the service's UUIDv7 references.
            char reference[48];  // 36 for a booking; room for a 16-digit count, so -Wall has nothing to say
            snprintf(reference, sizeof reference, "0190f3a2-%04lx-7abc-9def-%012lx", (booked >> 16) & 0xffff, booked);
            long long userId = 2 + rand() % users;
            sqlite3_bind_text(insertBooking, 1, reference, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(insertBooking, 2, userId);
            sqlite3_bind_int64(insertBooking, 4, eventId);
            sqlite3_bind_text(insertBooking, 3, now, -1, SQLITE_STATIC);
            run(db, insertBooking);
            sqlite3_bind_int64(enqueueMail, 1, sqlite3_last_insert_rowid(db));
            sqlite3_bind_text(enqueueMail, 2, now, -1, SQLITE_STATIC);
            run(db, enqueueMail);
            sqlite3_bind_int64(recordSeats, 1, seats - 1);
            sqlite3_bind_int64(recordSeats, 2, version + 1);
            sqlite3_bind_text(recordSeats, 3, reference, -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(recordSeats, 4, userId);
            sqlite3_bind_text(recordSeats, 5, now, -1, SQLITE_STATIC);
            sqlite3_bind_int64(recordSeats, 6, eventId);
            run(db, recordSeats);
            if (savepoints) run(db, release);
            booked++;
        }
        // The delivery service's command: the mails of the batch before, marked sent.
        char list[16 * 1024];
        int length = snprintf(list, sizeof list, "[");
        for (long id = lastMarked + 1; id <= lastMarked + batchSize && batch > 0; id++) {
            length += snprintf(list + length, sizeof list - length, "%s%ld", id > lastMarked + 1 ? "," : "", id);
        }
        snprintf(list + length, sizeof list - length, "]");
        if (batch > 0) lastMarked += batchSize;
        if (savepoints) run(db, savepoint);
        sqlite3_bind_text(markSent, 1, now, -1, SQLITE_STATIC);
        sqlite3_bind_text(markSent, 2, list, -1, SQLITE_TRANSIENT);
        run(db, markSent);
        if (savepoints) run(db, release);
        if (sqlite3_step(settledThrough) != SQLITE_ROW) { fprintf(stderr, "no by_event_settled row\n"); return 1; }
        long long bookingsThrough = sqlite3_column_int64(settledThrough, 0), entriesThrough = sqlite3_column_int64(settledThrough, 1);
        long long lastBooking = sqlite3_column_int64(settledThrough, 2), lastEntry = sqlite3_column_int64(settledThrough, 3);
        sqlite3_reset(settledThrough);
        if (lastBooking - bookingsThrough >= 1024 || lastEntry - entriesThrough >= 1024) {
            sqlite3_bind_int64(settleBookings, 1, bookingsThrough);
            sqlite3_bind_int64(settleBookings, 2, lastBooking);
            run(db, settleBookings);
            sqlite3_bind_int64(settleEntries, 1, entriesThrough);
            sqlite3_bind_int64(settleEntries, 2, lastEntry);
            run(db, settleEntries);
            sqlite3_bind_int64(moveSettled, 1, lastBooking);
            sqlite3_bind_int64(moveSettled, 2, lastEntry);
            run(db, moveSettled);
        }
        run(db, commit);
    }
    printf("synchronous %s, %d bookings a commit on %d event%s, VFS %s%s: %.1f us of CPU and %.1f us of wall time a booking (%ld bookings)\n",
           argv[5], batchSize, events, events == 1 ? "" : "s", argv[7], savepoints ? ", each in a savepoint" : "",
           (cpuSeconds() - cpuStart) / booked * 1e6, (wallSeconds() - wallStart) / booked * 1e6, booked);
    sqlite3_close(db);
    return 0;
}
