import Foundation
import XCTest
@testable import Host

/// Issue 16: `imagegen costs --since 999999999999d` died with SIGILL (exit 132). Every option
/// that takes a date, a span or a number is run through the built binary with hostile values:
/// the process must never end by a signal, and an out-of-range time is a usage error (exit 2)
/// naming the option. Bounded: a fixed list, one run each.
final class CLIHostileOptionTests: XCTestCase {
    static let hostileTimes = ["999999999999d", "-999999999999d", "1e300d", "1e300h", "-1e300h", "9.3e15h",
                               "nand", "infd", "10000-01-01", "0000-00-00", "99999-12-31T00:00:00Z"]

    func testHostileDatesAndSpansAreUsageErrorsNotCrashes() throws {
        let host = try TestHost(label: "cli-hostile-dates")
        let commands: [[String]] = [["costs"], ["stats"], ["images", "list"], ["audit"], ["alerts"], ["plan", "history"]]
        for command in commands {
            for value in Self.hostileTimes {
                let out = try host.cli(command + ["--since", value])
                XCTAssertFalse(out.signalled, "imagegen \(command.joined(separator: " ")) --since \(value) died by a signal: \(out.status)")
                XCTAssertEqual(out.status, 2, "imagegen \(command.joined(separator: " ")) --since \(value): \(out.stderr)")
                XCTAssertTrue(out.stderr.contains("--since"), out.stderr)
            }
        }
    }

    func testHostileNumbersAreRefusedNotCrashes() throws {
        let host = try TestHost(label: "cli-hostile-numbers")
        let numbers = ["1e300", "-1e300", "9223372036854775808", "-9223372036854775809", "99999999999999999999",
                       "9223372036854775807", "-9223372036854775807", "nan", "inf"]
        let commands: [([String], String)] = [
            (["images", "list"], "limit"), (["jobs"], "limit"), (["audit"], "limit"), (["alerts"], "limit"),
            (["plan", "history"], "limit"), (["plan", "upcoming"], "days"),
            (["generate", "--prompt", "x"], "width"), (["generate", "--prompt", "x"], "height"),
            (["generate", "--prompt", "x"], "steps"), (["generate", "--prompt", "x"], "guidance"),
            (["generate", "--prompt", "x"], "seed"), (["generate", "--prompt", "x"], "variations"),
            (["generate", "--prompt", "x"], "priority"), (["generate", "--prompt", "x"], "deadline"),
            (["serve", "--listen", "127.0.0.1:0"], "grace"),
        ]
        for (command, option) in commands {
            for value in numbers {
                let out = try host.cli(command + ["--\(option)", value])
                XCTAssertFalse(out.signalled, "imagegen \(command.joined(separator: " ")) --\(option) \(value) died by a signal: \(out.status)")
                // A huge limit is merely generous; anything else out of range is refused.
                if option != "limit" {
                    XCTAssertEqual(out.status, 2, "imagegen \(command.joined(separator: " ")) --\(option) \(value): \(out.stderr)")
                }
            }
        }
    }
}
