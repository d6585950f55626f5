// A VFS over SQLite's default ("unix") that gathers the writes of a commit to its WAL into few `pwrite`s.
//
// SQLite writes each WAL frame as two writes: its 24-byte header, then its page. A commit of a batch of 20
// bookings writes 40-75 frames, so 80-150 `pwrite`s, each a system call and a trip through the file system's
// locks, on the one writer's thread. This VFS keeps a WAL file's consecutive writes in a buffer of 124 KB and
// writes it when it is full or the commit is complete. Nothing else changes: the database file, the journal and
// the shared memory go straight through.
//
// What it buffers: appends to the WAL, which are the frames of a transaction being written (and the WAL's header,
// when SQLite starts the file over). A write to a part of the file written before (SQLite rewriting a frame of the
// same transaction, or its checksums) goes straight through, after what is buffered.
//
// Why readers and a crash see what they would have seen without it:
// - Another connection finds a frame only through the wal-index, whose header SQLite updates after the commit's
//   frames are written. The last frame of a commit has a header whose bytes 4-7 (the database's size) are not 0;
//   once that frame's page is buffered, everything buffered is written, before `xWrite` returns. Whatever SQLite
//   writes after it for that commit (rewritten checksums) is a rewrite, so it goes straight through: every commit
//   is in the file when SQLite's write calls for it return, with any `synchronous` setting.
// - Without SQLITE_IOCAP_POWERSAFE_OVERWRITE on the database file (a URI's psow=0) SQLite pads a commit to a sector
//   with copies of its last frame, and splits the frame that crosses the sector's end around a sync: the rest of it
//   would stay in the buffer after the commit. Such a database's WAL goes straight through. SQLite asks the database
//   file, not the WAL (which unix opens without the URI, so it always has the capability), and so does this VFS.
// - The connection's own reads, size, sync, truncate and close write what is buffered first.
// - A crash loses only frames of a commit that had not finished, which SQLite ignores on recovery anyway.
// - A failed write is reported to SQLite by the call that wrote it. When that call is not a write (a read of a
//   frame spilled earlier in the same transaction), the frames it held are gone, so every later read or write
//   past them fails too, until SQLite writes from there again (after it rolled the transaction back).
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include "CSQLiteConfig.h"

// unix's xWrite writes at most 128 KB - 1 bytes in one call (seekAndWriteFd masks the length with 0x1ffff).
enum { bufferCapacity = 124 * 1024, walHeaderSize = 32, frameHeaderSize = 24 };

typedef struct GatheringFile {
    sqlite3_file base;
    sqlite3_file *wrapped;  // unix's file, in the same allocation, right after this struct
    int isWAL;
    int flushAfterNextWrite;  // the commit frame's header is buffered; its page comes next
    sqlite3_int64 appendedUpTo;  // the end of what was written since the WAL's header: a write from here on appends
    char *buffer;  // allocated at the first write: a reader's WAL file never gets one
    int length;
    sqlite3_int64 start;
    int failure;  // SQLITE_OK, or the error of a write that lost what the buffer held from `lostFrom` on
    sqlite3_int64 lostFrom;
} GatheringFile;

static sqlite3_vfs *unixVFS;
static sqlite3_vfs gatheringVFS;

static int flush(GatheringFile *file) {
    if (file->length == 0) return SQLITE_OK;
    int length = file->length;
    file->length = 0;
    int code = file->wrapped->pMethods->xWrite(file->wrapped, file->buffer, length, file->start);
    if (code != SQLITE_OK) {
        file->failure = code;
        file->lostFrom = file->start;
    }
    return code;
}

// What the WAL's own reads, syncs, size, truncation and closing do first; nothing for any other file.
static int flushIfWAL(GatheringFile *file) { return file->isWAL ? flush(file) : SQLITE_OK; }

static int buffer(GatheringFile *file, const void *data, int amount, sqlite3_int64 offset) {
    if (file->length > 0 && offset == file->start + file->length && file->length + amount <= bufferCapacity) {
        memcpy(file->buffer + file->length, data, amount);
        file->length += amount;
        return SQLITE_OK;
    }
    int code = flush(file);
    if (code != SQLITE_OK) return code;
    if (amount >= bufferCapacity || (file->buffer == NULL && (file->buffer = malloc(bufferCapacity)) == NULL)) {
        return file->wrapped->pMethods->xWrite(file->wrapped, data, amount, offset);
    }
    memcpy(file->buffer, data, amount);
    file->start = offset;
    file->length = amount;
    return SQLITE_OK;
}

static int gatheringWrite(sqlite3_file *base, const void *data, int amount, sqlite3_int64 offset) {
    GatheringFile *file = (GatheringFile *)base;
    if (!file->isWAL) return file->wrapped->pMethods->xWrite(file->wrapped, data, amount, offset);
    if (file->failure != SQLITE_OK) {
        if (offset > file->lostFrom) return file->failure;
        file->failure = SQLITE_OK;
    }
    if (offset != 0 && offset < file->appendedUpTo) {
        int code = flush(file);
        return code != SQLITE_OK ? code : file->wrapped->pMethods->xWrite(file->wrapped, data, amount, offset);
    }
    file->appendedUpTo = offset + amount;
    int code = buffer(file, data, amount, offset);
    if (code != SQLITE_OK) return code;
    if (file->flushAfterNextWrite) {
        file->flushAfterNextWrite = 0;
        return flush(file);
    }
    const unsigned char *header = data;
    if (amount == frameHeaderSize && offset >= walHeaderSize && (header[4] | header[5] | header[6] | header[7]) != 0) {
        file->flushAfterNextWrite = 1;
    }
    return SQLITE_OK;
}

static int gatheringRead(sqlite3_file *base, void *out, int amount, sqlite3_int64 offset) {
    GatheringFile *file = (GatheringFile *)base;
    int code = flushIfWAL(file);
    if (code != SQLITE_OK) return code;
    if (file->failure != SQLITE_OK && offset + amount > file->lostFrom) return file->failure;
    return file->wrapped->pMethods->xRead(file->wrapped, out, amount, offset);
}

static int gatheringSync(sqlite3_file *base, int flags) {
    GatheringFile *file = (GatheringFile *)base;
    int code = flushIfWAL(file);
    return code != SQLITE_OK ? code : file->wrapped->pMethods->xSync(file->wrapped, flags);
}

static int gatheringTruncate(sqlite3_file *base, sqlite3_int64 size) {
    GatheringFile *file = (GatheringFile *)base;
    int code = flushIfWAL(file);
    if (code != SQLITE_OK) return code;
    if (file->failure != SQLITE_OK && size <= file->lostFrom) file->failure = SQLITE_OK;
    return file->wrapped->pMethods->xTruncate(file->wrapped, size);
}

static int gatheringFileSize(sqlite3_file *base, sqlite3_int64 *size) {
    GatheringFile *file = (GatheringFile *)base;
    int code = flushIfWAL(file);
    return code != SQLITE_OK ? code : file->wrapped->pMethods->xFileSize(file->wrapped, size);
}

static int gatheringClose(sqlite3_file *base) {
    GatheringFile *file = (GatheringFile *)base;
    int code = flushIfWAL(file);
    free(file->buffer);
    file->buffer = NULL;
    int closed = file->wrapped->pMethods->xClose(file->wrapped);
    return code != SQLITE_OK ? code : closed;
}

#define WRAPPED(base) (((GatheringFile *)(base))->wrapped)
static int gatheringLock(sqlite3_file *base, int level) { return WRAPPED(base)->pMethods->xLock(WRAPPED(base), level); }
static int gatheringUnlock(sqlite3_file *base, int level) { return WRAPPED(base)->pMethods->xUnlock(WRAPPED(base), level); }
static int gatheringCheckReservedLock(sqlite3_file *base, int *out) {
    return WRAPPED(base)->pMethods->xCheckReservedLock(WRAPPED(base), out);
}
static int gatheringFileControl(sqlite3_file *base, int operation, void *argument) {
    return WRAPPED(base)->pMethods->xFileControl(WRAPPED(base), operation, argument);
}
static int gatheringSectorSize(sqlite3_file *base) { return WRAPPED(base)->pMethods->xSectorSize(WRAPPED(base)); }
static int gatheringDeviceCharacteristics(sqlite3_file *base) {
    return WRAPPED(base)->pMethods->xDeviceCharacteristics(WRAPPED(base));
}
static int gatheringShmMap(sqlite3_file *base, int region, int size, int extend, void volatile **out) {
    return WRAPPED(base)->pMethods->xShmMap(WRAPPED(base), region, size, extend, out);
}
static int gatheringShmLock(sqlite3_file *base, int offset, int count, int flags) {
    return WRAPPED(base)->pMethods->xShmLock(WRAPPED(base), offset, count, flags);
}
static void gatheringShmBarrier(sqlite3_file *base) { WRAPPED(base)->pMethods->xShmBarrier(WRAPPED(base)); }
static int gatheringShmUnmap(sqlite3_file *base, int delete) { return WRAPPED(base)->pMethods->xShmUnmap(WRAPPED(base), delete); }
static int gatheringFetch(sqlite3_file *base, sqlite3_int64 offset, int amount, void **out) {
    return WRAPPED(base)->pMethods->xFetch(WRAPPED(base), offset, amount, out);
}
static int gatheringUnfetch(sqlite3_file *base, sqlite3_int64 offset, void *page) {
    return WRAPPED(base)->pMethods->xUnfetch(WRAPPED(base), offset, page);
}

static const sqlite3_io_methods gatheringMethods = {
    3, gatheringClose, gatheringRead, gatheringWrite, gatheringTruncate, gatheringSync, gatheringFileSize,
    gatheringLock, gatheringUnlock, gatheringCheckReservedLock, gatheringFileControl, gatheringSectorSize,
    gatheringDeviceCharacteristics, gatheringShmMap, gatheringShmLock, gatheringShmBarrier, gatheringShmUnmap,
    gatheringFetch, gatheringUnfetch,
};

// For a file whose methods are older than version 3 (none of unix's POSIX-locking files): no shared memory, so
// no WAL, and SQLite calls none of the methods past xDeviceCharacteristics.
static const sqlite3_io_methods gatheringMethodsWithoutSharedMemory = {
    1, gatheringClose, gatheringRead, gatheringWrite, gatheringTruncate, gatheringSync, gatheringFileSize,
    gatheringLock, gatheringUnlock, gatheringCheckReservedLock, gatheringFileControl, gatheringSectorSize,
    gatheringDeviceCharacteristics,
};

static int gatheringOpen(sqlite3_vfs *vfs, const char *name, sqlite3_file *base, int flags, int *outFlags) {
    GatheringFile *file = (GatheringFile *)base;
    memset(file, 0, sizeof *file);
    file->wrapped = (sqlite3_file *)(file + 1);
    int code = unixVFS->xOpen(unixVFS, name, file->wrapped, flags, outFlags);
    if (code != SQLITE_OK || file->wrapped->pMethods == NULL) {
        // SQLite calls xClose only on a file whose pMethods is set; unix leaves nothing open when it fails.
        file->base.pMethods = NULL;
        return code;
    }
    if (flags & SQLITE_OPEN_WAL) {
        // The database file's characteristics decide whether SQLite pads the WAL (sqlite3WalOpen).
        sqlite3_file *database = sqlite3_database_file_object(name);
        int characteristics = database != NULL && database->pMethods != NULL ? database->pMethods->xDeviceCharacteristics(database) : 0;
        file->isWAL = (characteristics & SQLITE_IOCAP_POWERSAFE_OVERWRITE) != 0;
    }
    file->base.pMethods = file->wrapped->pMethods->iVersion >= 3 ? &gatheringMethods : &gatheringMethodsWithoutSharedMemory;
    return SQLITE_OK;
}

int csqlite_register_wal_write_gathering(void) {
    if (unixVFS != NULL) return SQLITE_OK;
    sqlite3_vfs *defaultVFS = sqlite3_vfs_find(NULL);
    if (defaultVFS == NULL) return SQLITE_ERROR;
    unixVFS = defaultVFS;
    gatheringVFS = *defaultVFS;
    gatheringVFS.zName = "unix-wal-gathering";
    gatheringVFS.szOsFile = (int)sizeof(GatheringFile) + defaultVFS->szOsFile;
    gatheringVFS.xOpen = gatheringOpen;
    gatheringVFS.pNext = NULL;
    return sqlite3_vfs_register(&gatheringVFS, 1);
}
