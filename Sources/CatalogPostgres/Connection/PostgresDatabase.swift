import CPostgres
import CatalogSQLite
import Foundation

/// One libpq connection: the few calls the catalog needs, values always sent as parameters
/// (`PQexecParams`), never spliced into SQL. Serialised by a lock like the SQLite connection:
/// a transaction holds it from BEGIN to COMMIT, so the statements of two threads never mix.
///
/// Rows come back as the same `Row` of `Value`s the SQLite catalog reads, so the row mapping
/// (jobs, images, ledger) is one piece of code for both engines.
package final class PostgresDatabase: @unchecked Sendable {
    package typealias Value = SQLiteDatabase.Value
    package typealias Row = SQLiteDatabase.Row

    private var handle: OpaquePointer
    private let lock = NSRecursiveLock()
    private var transactionDepth = 0
    /// Where the connection goes, without any password (for messages).
    package let location: String

    /// - Parameters:
    ///   - url: a `postgresql://` URL without a password (libpq parses it).
    ///   - password: from the secrets file; nil lets libpq read `PGPASSWORD` (or `~/.pgpass`).
    package init(url: String, password: String?, location: String) throws(PostgresFailure) {
        self.location = location
        handle = try Self.connect(url: url, password: password, location: location)
    }

    deinit { PQfinish(handle) }

    private static func connect(url: String, password: String?, location: String) throws(PostgresFailure) -> OpaquePointer {
        var pairs: [(String, String)] = [("dbname", url), ("application_name", "imagegen"), ("connect_timeout", "10")]
        if let password { pairs.append(("password", password)) }
        let keys = pairs.map { strdup($0.0) }
        let values = pairs.map { strdup($0.1) }
        defer { (keys + values).forEach { free($0) } }
        let connection = (keys.map { UnsafePointer($0) } + [nil]).withUnsafeBufferPointer { k in
            (values.map { UnsafePointer($0) } + [nil]).withUnsafeBufferPointer { v in
                PQconnectdbParams(k.baseAddress, v.baseAddress, 1)
            }
        }
        guard let conn = connection else {
            throw PostgresFailure(sqlState: "08000", message: "cannot connect to the catalog \(location): out of memory")
        }
        guard PQstatus(conn) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(conn)).trimmingCharacters(in: .whitespacesAndNewlines)
            PQfinish(conn)
            throw PostgresFailure(sqlState: "08001", message: "cannot connect to the catalog \(location): \(message). "
                                  + "Check that the server runs and the URL; the password comes from PGPASSWORD or the secrets file")
        }
        // Notices (e.g. "relation already exists, skipping") are not the host's log lines.
        PQsetNoticeProcessor(conn, { _, _ in }, nil)
        return conn
    }

    /// A broken connection (the server restarted) is reopened once between transactions;
    /// inside one the transaction's work is lost, so its error is the caller's.
    private func ensureConnected() throws(PostgresFailure) {
        guard PQstatus(handle) != CONNECTION_OK, transactionDepth == 0 else { return }
        PQreset(handle)
        guard PQstatus(handle) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(handle)).trimmingCharacters(in: .whitespacesAndNewlines)
            throw PostgresFailure(sqlState: "08006", message: "the catalog \(location) is unreachable: \(message)")
        }
    }

    /// Runs one or more statements without parameters or results (migrations, BEGIN/COMMIT).
    package func execute(_ sql: String) throws(PostgresFailure) {
        lock.lock()
        defer { lock.unlock() }
        try ensureConnected()
        let result = PQexec(handle, sql)
        defer { PQclear(result) }
        try check(result, sql)
    }

    /// Runs one statement with `bindings` as `$1, $2, …` and returns its rows.
    @discardableResult
    package func query(_ sql: String, _ bindings: [Value] = []) throws(PostgresFailure) -> [Row] {
        lock.lock()
        defer { lock.unlock() }
        try ensureConnected()
        let result = Self.withParameters(bindings) { types, values in
            PQexecParams(handle, sql, Int32(bindings.count), types, values, nil, nil, 0)
        }
        defer { PQclear(result) }
        try check(result, sql)
        return Self.rows(of: result!)
    }

    /// Rows a statement changed (UPDATE/DELETE/INSERT), as `query` but counting instead of reading.
    package func update(_ sql: String, _ bindings: [Value] = []) throws(PostgresFailure) -> Int {
        lock.lock()
        defer { lock.unlock() }
        try ensureConnected()
        let result = Self.withParameters(bindings) { types, values in
            PQexecParams(handle, sql, Int32(bindings.count), types, values, nil, nil, 0)
        }
        defer { PQclear(result) }
        try check(result, sql)
        return Int(String(cString: PQcmdTuples(result))) ?? 0
    }

    /// Runs `body` in one transaction (nested calls join the outer one). A failure rolls back.
    package func transaction<T>(_ body: () throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        if transactionDepth > 0 { return try body() }
        try execute("BEGIN")
        transactionDepth = 1
        defer { transactionDepth = 0 }
        do {
            let result = try body()
            transactionDepth = 0
            try execute("COMMIT")
            return result
        } catch {
            transactionDepth = 0
            try? execute("ROLLBACK")  // try?: the transaction's own error is rethrown below; a failed ROLLBACK means the connection is gone, and the server rolls back a transaction whose connection closed
            throw error
        }
    }

    // MARK: - libpq plumbing

    private func check(_ result: OpaquePointer?, _ sql: String) throws(PostgresFailure) {
        let status = result.map(PQresultStatus) ?? PGRES_FATAL_ERROR
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
            let state = result.flatMap { PQresultErrorField($0, Int32(UInt8(ascii: "C"))) }.map { String(cString: $0) } ?? "08006"
            let primary = result.flatMap { PQresultErrorField($0, Int32(UInt8(ascii: "M"))) }.map { String(cString: $0) }
                ?? String(cString: PQerrorMessage(handle)).trimmingCharacters(in: .whitespacesAndNewlines)
            let head = sql.split(separator: "\n").first.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? sql
            throw PostgresFailure(sqlState: state, message: "catalog: \(primary) (in: \(head.prefix(80)))")
        }
    }

    /// Each value as text with its type, so `$n IS NULL OR column = $n` and numbers compare as
    /// numbers; NULL is sent untyped and takes its type from the statement.
    private static func withParameters<R>(_ bindings: [Value],
                                          _ body: (UnsafePointer<Oid>?, UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
        var types: [Oid] = []
        var texts: [UnsafeMutablePointer<CChar>?] = []
        types.reserveCapacity(bindings.count)
        texts.reserveCapacity(bindings.count)
        for value in bindings {
            switch value {
            case .null: types.append(0); texts.append(nil)
            case .integer(let v): types.append(20); texts.append(strdup(String(v)))
            case .real(let v): types.append(701); texts.append(strdup(v.isFinite ? "\(v)" : (v.isNaN ? "NaN" : (v > 0 ? "Infinity" : "-Infinity"))))
            case .text(let v): types.append(25); texts.append(strdup(v))
            case .blob(let v): types.append(17); texts.append(strdup("\\x" + v.map { String(format: "%02x", $0) }.joined()))
            }
        }
        defer { for t in texts { free(t) } }
        return types.withUnsafeBufferPointer { typePointer in
            texts.map { UnsafePointer($0) }.withUnsafeBufferPointer { valuePointer in
                body(typePointer.baseAddress, valuePointer.baseAddress)
            }
        }
    }

    private static func rows(of result: OpaquePointer) -> [Row] {
        let count = Int(PQntuples(result))
        let fields = Int(PQnfields(result))
        guard count > 0 else { return [] }
        let names = (0..<fields).map { String(cString: PQfname(result, Int32($0))) }
        let types = (0..<fields).map { PQftype(result, Int32($0)) }
        var rows: [Row] = []
        rows.reserveCapacity(count)
        for r in 0..<Int32(count) {
            var row = Row(minimumCapacity: fields)
            for c in 0..<fields {
                let column = Int32(c)
                if PQgetisnull(result, r, column) == 1 { row[names[c]] = .null; continue }
                let text = String(cString: PQgetvalue(result, r, column))
                switch types[c] {
                case 20, 21, 23, 26: row[names[c]] = Int64(text).map { .integer($0) } ?? .text(text)
                case 700, 701, 1700: row[names[c]] = Double(text).map { .real($0) } ?? .text(text)
                case 16: row[names[c]] = .integer(text == "t" ? 1 : 0)
                default: row[names[c]] = .text(text)
                }
            }
            rows.append(row)
        }
        return rows
    }
}
