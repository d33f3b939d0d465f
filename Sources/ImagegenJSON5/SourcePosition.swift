/// A 1-based line and column in a text file, as an editor shows it.
///
/// Columns count Unicode scalars from the start of the line, so a line with accented letters
/// or emoji still points at the right character (byte offsets would not).
public struct SourcePosition: Hashable, Sendable, Codable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public var description: String { "\(line):\(column)" }
}

/// Maps scalar offsets of a text to line/column positions.
///
/// Built once per file: it records where every line starts, so each lookup is a binary search.
/// Line terminators follow JSON5 (ECMAScript): LF, CR, CR LF, U+2028 and U+2029.
package struct SourceLineIndex: Sendable {
    private let lineStarts: [Int]

    package init(_ scalars: [Unicode.Scalar]) {
        var starts = [0]
        var index = 0
        while index < scalars.count {
            let value = scalars[index].value
            if value == 0x0D, index + 1 < scalars.count, scalars[index + 1].value == 0x0A {
                index += 2
                starts.append(index)
                continue
            }
            index += 1
            if value == 0x0A || value == 0x0D || value == 0x2028 || value == 0x2029 {
                starts.append(index)
            }
        }
        lineStarts = starts
    }

    /// The position of the scalar at `offset` (an offset past the end maps to the end of the last line).
    package func position(of offset: Int) -> SourcePosition {
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if lineStarts[middle] <= offset { low = middle } else { high = middle - 1 }
        }
        return SourcePosition(line: low + 1, column: offset - lineStarts[low] + 1)
    }

    /// The scalar offset where the line containing `offset` starts.
    package func lineStart(containing offset: Int) -> Int {
        lineStarts[position(of: offset).line - 1]
    }
}
