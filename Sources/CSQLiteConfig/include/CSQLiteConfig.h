#ifndef CSQLITECONFIG_H
#define CSQLITECONFIG_H

/// Process-wide settings of the SQLite library, in C where Swift cannot reach them: `sqlite3_config` is variadic,
/// and a VFS is a table of C functions. `SQLiteLibrary` applies them.

/// SQLITE_CONFIG_MEMSTATUS off: SQLite stops counting the memory it allocates, which it does under a
/// process-wide mutex on every allocation, for every connection. Like every `sqlite3_config`, it takes effect
/// only before SQLite initializes (before the process opens its first connection), and returns SQLITE_MISUSE
/// after.
int csqlite_config_disable_memory_statistics(void);

/// Registers "unix-wal-gathering" as SQLite's default VFS: SQLite's own default ("unix") with the writes of a
/// commit to a WAL file gathered into write calls of up to 124 KB (WALWriteGathering.c). Connections opened before it keep
/// the VFS they opened with. Returns SQLITE_OK, also when it was registered before. It initializes SQLite, so
/// it comes after `csqlite_config_disable_memory_statistics`.
int csqlite_register_wal_write_gathering(void);

#endif
