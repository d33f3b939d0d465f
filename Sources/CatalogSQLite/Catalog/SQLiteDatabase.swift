import CSQLite
import Foundation
import Synchronization

/// A SQLite connection: the few calls the catalog needs, with errors that say which statement
/// failed. One connection, serialised by a mutex: SQLite allows one writer at a time anyway,
/// and WAL keeps other processes' readers unblocked.
public final class SQLiteDatabase: @unchecked Sendable {
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var code: Int32
        public var message: String
        public var description: String { message }
        /// Another process holds the write lock longer than the busy timeout.
        public var isBusy: Bool { code == SQLITE_BUSY || code == SQLITE_LOCKED }
        public var isConstraint: Bool { code & 0xff == SQLITE_CONSTRAINT }
    }

    /// A value bound to or read from a statement.
    public enum Value: Sendable, Equatable {
        case null, integer(Int64), real(Double), text(String), blob([UInt8])

        public var int: Int64? { if case .integer(let i) = self { return i }; return nil }
        public var double: Double? {
            switch self { case .real(let d): return d; case .integer(let i): return Double(i); default: return nil }
        }
        public var string: String? { if case .text(let s) = self { return s }; return nil }
        public var isNull: Bool { self == .null }
    }

    public typealias Row = [String: Value]

    let handle: OpaquePointer
    let lock = NSRecursiveLock()
    public let path: String
    /// Prepared statements by their SQL, kept for the connection's life (guarded by `lock`):
    /// preparing costs more than running most of the catalog's statements.
    private var prepared: [String: OpaquePointer] = [:]
    private static let preparedLimit = 512

    /// Statements run by every connection of the process (the pipeline benchmark reports it per job).
    package static let statementsRun = Atomic<Int>(0)
    /// Counts by statement (its first line) while `countingStatements` is on: the pipeline
    /// benchmark prints them to show where a job's statements come from. Off, it costs one load.
    package static let countingStatements = Atomic<Bool>(false)
    package static let statementCounts = Mutex<[String: Int]>([:])

    private static func counted(_ sql: String) {
        statementsRun.add(1, ordering: .relaxed)
        guard countingStatements.load(ordering: .relaxed) else { return }
        let head = sql.split(separator: "\n").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? sql
        statementCounts.withLock { $0[String(head.prefix(100)), default: 0] += 1 }
    }

    public init(path: String, readOnly: Bool = false) throws(Failure) {
        var db: OpaquePointer?
        let flags = readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        let rc = sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let db { sqlite3_close(db) }
            throw Failure(code: rc, message: "cannot open the catalog \(path): \(message)")
        }
        handle = db
        self.path = path
        sqlite3_busy_timeout(db, 10_000)
    }

    deinit {
        for statement in prepared.values { sqlite3_finalize(statement) }
        sqlite3_close_v2(handle)
    }

    /// The prepared statement for `sql`, from the cache or prepared now. Called with `lock` held.
    private func statement(_ sql: String) throws(Failure) -> OpaquePointer {
        if let cached = prepared[sql] { return cached }
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v2(handle, sql, -1, &stmt, nil)
        guard rc == SQLITE_OK, let stmt else { throw failure(rc, sql) }
        if prepared.count >= Self.preparedLimit {
            // Statements built from variable lists (IN (?, ?, …)) could grow the cache without bound.
            for statement in prepared.values { sqlite3_finalize(statement) }
            prepared.removeAll(keepingCapacity: true)
        }
        prepared[sql] = stmt
        return stmt
    }

    func failure(_ rc: Int32, _ sql: String) -> Failure {
        let message = String(cString: sqlite3_errmsg(handle))
        let head = sql.split(separator: "\n").first.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? sql
        return Failure(code: rc, message: "catalog: \(message) (in: \(head.prefix(80)))")
    }

    /// Runs one or more statements without results.
    public func execute(_ sql: String) throws(Failure) {
        lock.lock()
        defer { lock.unlock() }
        Self.counted(sql)
        var err: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &err)
        if rc != SQLITE_OK {
            let message = err.map { String(cString: $0) } ?? "error \(rc)"
            sqlite3_free(err)
            throw Failure(code: rc, message: "catalog: \(message)")
        }
    }

    /// Runs one statement and returns its rows.
    @discardableResult
    public func query(_ sql: String, _ bindings: [Value] = []) throws(Failure) -> [Row] {
        lock.lock()
        defer { lock.unlock() }
        Self.counted(sql)
        let stmt = try statement(sql)
        defer {
            sqlite3_reset(stmt)
            sqlite3_clear_bindings(stmt)
        }
        var rc: Int32
        for (i, value) in bindings.enumerated() {
            let idx = Int32(i + 1)
            switch value {
            case .null: rc = sqlite3_bind_null(stmt, idx)
            case .integer(let v): rc = sqlite3_bind_int64(stmt, idx, v)
            case .real(let v): rc = sqlite3_bind_double(stmt, idx, v)
            case .text(let v): rc = sqlite3_bind_text(stmt, idx, v, -1, csqlite_transient())
            case .blob(let v): rc = v.withUnsafeBytes { sqlite3_bind_blob(stmt, idx, $0.baseAddress, Int32($0.count), csqlite_transient()) }
            }
            guard rc == SQLITE_OK else { throw failure(rc, sql) }
        }
        var rows: [Row] = []
        let columns = sqlite3_column_count(stmt)
        let names = (0..<columns).map { String(cString: sqlite3_column_name(stmt, $0)) }
        while true {
            rc = sqlite3_step(stmt)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw failure(rc, sql) }
            var row = Row(minimumCapacity: Int(columns))
            for c in 0..<columns {
                let name = names[Int(c)]
                switch sqlite3_column_type(stmt, c) {
                case SQLITE_INTEGER: row[name] = .integer(sqlite3_column_int64(stmt, c))
                case SQLITE_FLOAT: row[name] = .real(sqlite3_column_double(stmt, c))
                case SQLITE_TEXT: row[name] = .text(String(cString: sqlite3_column_text(stmt, c)))
                case SQLITE_BLOB:
                    let n = Int(sqlite3_column_bytes(stmt, c))
                    let p = sqlite3_column_blob(stmt, c)
                    row[name] = .blob(p.map { Array(UnsafeRawBufferPointer(start: $0, count: n)) } ?? [])
                default: row[name] = .null
                }
            }
            rows.append(row)
        }
        return rows
    }

    /// Rows changed by the last statement.
    public var changes: Int { Int(sqlite3_changes(handle)) }

    /// Runs `body` in one transaction. BEGIN IMMEDIATE takes the write lock up front, so a
    /// read-check-write (a budget check) cannot interleave with another writer.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        try query("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try query("COMMIT")
            return result
        } catch {
            // try?: the transaction's own error is rethrown below; a failed ROLLBACK leaves SQLite to roll back when the connection closes
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// A consistent copy of the whole database into `destination` (SQLite's online backup).
    public func backup(to destination: String) throws(Failure) {
        lock.lock()
        defer { lock.unlock() }
        var dest: OpaquePointer?
        guard sqlite3_open(destination, &dest) == SQLITE_OK, let dest else {
            throw Failure(code: SQLITE_CANTOPEN, message: "cannot create the backup \(destination)")
        }
        defer { sqlite3_close(dest) }
        guard let b = sqlite3_backup_init(dest, "main", handle, "main") else {
            throw Failure(code: sqlite3_errcode(dest), message: "backup: \(String(cString: sqlite3_errmsg(dest)))")
        }
        let rc = sqlite3_backup_step(b, -1)
        sqlite3_backup_finish(b)
        guard rc == SQLITE_DONE else { throw Failure(code: rc, message: "backup of the catalog failed (\(rc))") }
    }
}
