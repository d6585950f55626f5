#ifndef CSQLITECONFIG_H
#define CSQLITECONFIG_H

/// `sqlite3_config` for Swift, which cannot call a variadic C function. Like `sqlite3_config`, each takes
/// effect only before SQLite initializes (before the process opens its first connection), and returns
/// SQLITE_MISUSE after.

/// SQLITE_CONFIG_MEMSTATUS off: SQLite stops counting the memory it allocates, which it does under a
/// process-wide mutex on every allocation, for every connection.
int csqlite_config_disable_memory_statistics(void);

#endif
