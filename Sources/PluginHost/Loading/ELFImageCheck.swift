import Glibc

/// Checks, before `dlopen`, that an ELF shared object is complete: every loadable segment and
/// the section header table lie within the file. The dynamic loader maps segments by offset
/// and touches them at once; a truncated file (a copy still in progress, a full disk) makes
/// that touch a SIGBUS that kills the whole host, so it must be refused before it is mapped.
enum ELFImageCheck {
    /// nil when complete; otherwise what is wrong, for the refusal message.
    static func problem(_ bytes: [UInt8]) -> String? {
        let headerSize = MemoryLayout<Elf64_Ehdr>.size
        guard bytes.count >= headerSize else { return "shorter than an ELF header (\(bytes.count) bytes)" }
        guard bytes[Int(EI_CLASS)] == UInt8(ELFCLASS64), bytes[Int(EI_DATA)] == UInt8(ELFDATA2LSB) else {
            return "not a 64-bit little-endian ELF object"
        }
        return bytes.withUnsafeBytes { raw -> String? in
            let header = raw.loadUnaligned(as: Elf64_Ehdr.self)
            let size = UInt64(bytes.count)
            let sections = UInt64(header.e_shoff) + UInt64(header.e_shnum) * UInt64(header.e_shentsize)
            if header.e_shoff != 0 && sections > size {
                return "its section headers end at byte \(sections), but the file has \(size)"
            }
            let entry = UInt64(header.e_phentsize)
            guard entry >= UInt64(MemoryLayout<Elf64_Phdr>.size) || header.e_phnum == 0 else {
                return "its program header entries are too small (\(entry) bytes)"
            }
            let table = UInt64(header.e_phoff) + UInt64(header.e_phnum) * entry
            guard table <= size else { return "its program headers end at byte \(table), but the file has \(size)" }
            for i in 0..<UInt64(header.e_phnum) {
                let segment = raw.loadUnaligned(fromByteOffset: Int(UInt64(header.e_phoff) + i * entry), as: Elf64_Phdr.self)
                guard segment.p_type == UInt32(PT_LOAD) else { continue }
                let end = UInt64(segment.p_offset) + UInt64(segment.p_filesz)
                if end > size { return "a loadable segment ends at byte \(end), but the file has \(size)" }
            }
            return nil
        }
    }
}
