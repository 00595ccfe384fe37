// Reading one file through libelf/gelf and deriving its platform.

import CElf
import XPlatPlatform
import XPlatSystem

#if canImport(Glibc)
    import Glibc
#endif

/// Inspects ELF files: identity, ABI facts, linkage, and the platform they are built for.
public enum ELFInspector {
    /// The four bytes every ELF file starts with.
    public static let magic: [UInt8] = [0x7F, 0x45, 0x4C, 0x46]

    /// True when `header` (the first bytes of a file) starts with the ELF magic. Scanners read the
    /// first bytes themselves and hand only ELF files to `inspect`.
    public static func hasMagic(_ header: UnsafeRawBufferPointer) -> Bool {
        header.count >= 4 && header[0] == 0x7F && header[1] == 0x45 && header[2] == 0x4C && header[3] == 0x46
    }

    /// Opens and inspects the file at `path`.
    /// - Throws: `ELFError` (`.unreadable`, `.notELF`, `.libelf` with `elf_errmsg`, `.malformed`).
    public static func inspect(path: String) throws -> ELFInfo {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ELFError.unreadable(path: path, reason: errorText(errno)) }
        defer { close(fd) }
        return try inspect(fileDescriptor: fd, path: path)
    }

    /// Inspects an open file (read with `ELF_C_READ`: libelf preads what it needs). `path` only names
    /// the file in errors. The descriptor stays open.
    public static func inspect(fileDescriptor fd: Int32, path: String) throws -> ELFInfo {
        _ = LibELF.ready
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw ELFError.unreadable(path: path, reason: errorText(errno)) }
        let elf = try LibELF.wrap("elf_begin", path) { elf_begin(fd, ELF_C_READ, nil) }
        defer { elf_end(elf) }
        return try inspect(elf: elf, path: path, size: UInt64(st.st_size)) {
            var head: [UInt8] = [0, 0, 0, 0]
            return pread(fd, &head, 4, 0) == 4 && head == magic
        }
    }

    /// Inspects a file already in memory (a tar member). `path` only names it in errors.
    public static func inspect(bytes: [UInt8], path: String) throws -> ELFInfo {
        var copy = bytes
        return try copy.withUnsafeMutableBytes { try inspect(memory: $0, path: path) }
    }

    /// Inspects a file in memory the caller owns, without copying it. libelf may rewrite the bytes
    /// (byte order conversion), so they are not to be used afterwards.
    public static func inspect(memory raw: UnsafeMutableRawBufferPointer, path: String) throws -> ELFInfo {
        _ = LibELF.ready
        guard raw.count > 0, let start = raw.baseAddress else { throw ELFError.notELF(path: path) }
        let base = start.assumingMemoryBound(to: CChar.self)
        let elf = try LibELF.wrap("elf_memory", path) { elf_memory(base, raw.count) }
        defer { elf_end(elf) }
        return try inspect(elf: elf, path: path, size: UInt64(raw.count)) {
            raw.count >= 4 && raw.prefix(4).elementsEqual(magic)
        }
    }

    // MARK: - Reading

    static func inspect(elf: OpaquePointer, path: String, size: UInt64, startsWithMagic: () -> Bool) throws -> ELFInfo {
        guard elf_kind(elf) == ELF_K_ELF else {
            if elf_kind(elf) == ELF_K_AR {
                throw ELFError.malformed(path: path, reason: "an ar archive, not an ELF file")
            }
            if startsWithMagic() {
                throw ELFError.malformed(path: path, reason: "truncated: \(size) bytes, too short for an ELF header")
            }
            throw ELFError.notELF(path: path)
        }
        var ehdr = GElf_Ehdr()
        _ = try LibELF.wrap("gelf_getehdr", path) { gelf_getehdr(elf, &ehdr) }
        let ident = withUnsafeBytes(of: ehdr.e_ident) { Array($0) }
        let elfClass: ELFClass
        switch Int32(ident[Int(EI_CLASS)]) {
        case ELFCLASS32: elfClass = .elf32
        case ELFCLASS64: elfClass = .elf64
        case let c: throw ELFError.malformed(path: path, reason: "unknown ELF class \(c) in e_ident")
        }
        let order: ByteOrder
        switch Int32(ident[Int(EI_DATA)]) {
        case ELFDATA2LSB: order = .little
        case ELFDATA2MSB: order = .big
        case let d: throw ELFError.malformed(path: path, reason: "unknown ELF data encoding \(d) in e_ident")
        }
        try checkTables(ehdr, elfClass: elfClass, size: size, path: path)
        var reader = Reader(elf: elf, path: path, order: order, elfClass: elfClass)
        var info = ELFInfo(
            elfClass: elfClass, byteOrder: order, machine: ehdr.e_machine, osABI: ident[Int(EI_OSABI)],
            type: ehdr.e_type, flags: ehdr.e_flags, needed: [], evidence: PlatformEvidence())

        try reader.readProgramHeaders(into: &info)
        try reader.readSections(into: &info)
        if info.machine == ELFMachine.arm {
            info.armEABIVersion = Int((info.flags & 0xFF00_0000) >> 24)
        }
        if info.machine == ELFMachine.riscv {
            info.riscvFloatABI = ["soft", "single", "double", "quad"][Int((info.flags & 0x6) >> 1)]
        }
        Derivation.classify(&info, hasPIEFlag: reader.hasPIEFlag)
        Derivation.platform(&info, vfpArgs: reader.vfpArgs)
        return info
    }

    /// libelf quietly treats a program or section header table that lies outside the file as empty;
    /// such a file is corrupt (truncated, or a hostile header), and a check must say so.
    private static func checkTables(_ ehdr: GElf_Ehdr, elfClass: ELFClass, size: UInt64, path: String) throws {
        let (phentsize, shentsize): (UInt64, UInt64) = elfClass == .elf64 ? (56, 64) : (32, 40)
        if ehdr.e_phnum > 0 {
            try checkTable(
                "program", "ph", offset: ehdr.e_phoff, count: ehdr.e_phnum, entrySize: ehdr.e_phentsize,
                expected: phentsize, size: size, path: path)
        }
        // e_shnum 0 with e_shoff set means the count is in section 0's sh_size (more than 0xff00
        // sections); libelf handles that case and checks it.
        if ehdr.e_shnum > 0 {
            try checkTable(
                "section", "sh", offset: ehdr.e_shoff, count: ehdr.e_shnum, entrySize: ehdr.e_shentsize,
                expected: shentsize, size: size, path: path)
            guard ehdr.e_shstrndx < ehdr.e_shnum || ehdr.e_shstrndx == UInt16(SHN_XINDEX) else {
                throw ELFError.malformed(
                    path: path, reason: "e_shstrndx \(ehdr.e_shstrndx) is not below e_shnum \(ehdr.e_shnum)")
            }
        }
    }

    /// One header table (`program`/`ph`, `section`/`sh`): entries of the size the ELF class defines,
    /// `count` of them from `offset`, all inside the file's `size` bytes.
    private static func checkTable(
        _ name: String, _ field: String, offset: UInt64, count: UInt16, entrySize: UInt16,
        expected: UInt64, size: UInt64, path: String
    ) throws {
        guard UInt64(entrySize) == expected else {
            throw ELFError.malformed(path: path, reason: "e_\(field)entsize \(entrySize), expected \(expected)")
        }
        let end = offset.addingReportingOverflow(UInt64(count) * expected)
        guard !end.overflow, end.partialValue <= size else {
            throw ELFError.malformed(
                path: path,
                reason:
                    "\(name) headers (e_\(field)off \(offset), e_\(field)num \(count)) end past the file's \(size) "
                    + "bytes"
            )
        }
    }

    /// Program headers, the dynamic section and notes, read through gelf.
    struct Reader {
        let elf: OpaquePointer
        let path: String
        let order: ByteOrder
        let elfClass: ELFClass
        var hasPIEFlag = false
        var vfpArgs: Int?

        init(elf: OpaquePointer, path: String, order: ByteOrder, elfClass: ELFClass) {
            self.elf = elf
            self.path = path
            self.order = order
            self.elfClass = elfClass
        }

        /// Bytes of the file through libelf (`elf_getdata_rawchunk` checks the range against the file).
        func chunk(_ what: String, offset: UInt64, size: UInt64, type: Elf_Type = ELF_T_BYTE) throws
            -> UnsafeMutablePointer<Elf_Data>
        {
            guard offset <= UInt64(Int64.max), size <= UInt64(Int.max) else {
                throw ELFError.malformed(
                    path: path, reason: "\(what) at offset \(offset), size \(size), is outside the file")
            }
            return try LibELF.wrap("elf_getdata_rawchunk(\(what))", path) {
                elf_getdata_rawchunk(elf, Int64(offset), Int(size), type)
            }
        }

        static func bytes(_ data: UnsafeMutablePointer<Elf_Data>) -> UnsafeRawBufferPointer {
            guard let buf = data.pointee.d_buf else { return UnsafeRawBufferPointer(start: nil, count: 0) }
            return UnsafeRawBufferPointer(start: buf, count: data.pointee.d_size)
        }

        mutating func readProgramHeaders(into info: inout ELFInfo) throws {
            var count = 0
            try LibELF.wrap("elf_getphdrnum", path) { elf_getphdrnum(elf, &count) }
            var loads: [(vaddr: UInt64, offset: UInt64, size: UInt64)] = []
            var dynamic: (offset: UInt64, size: UInt64)?
            var notes: [(offset: UInt64, size: UInt64, align: UInt64, property: Bool)] = []
            for index in 0..<count {
                var phdr = GElf_Phdr()
                _ = try LibELF.wrap("gelf_getphdr(\(index))", path) { gelf_getphdr(elf, Int32(index), &phdr) }
                switch phdr.p_type {
                case UInt32(PT_INTERP):
                    // Separate debug-info files keep the program headers but not the bytes.
                    if phdr.p_filesz == 0 { continue }
                    guard phdr.p_filesz <= 4096 else {
                        throw ELFError.malformed(path: path, reason: "PT_INTERP of \(phdr.p_filesz) bytes")
                    }
                    let data = try chunk("PT_INTERP", offset: phdr.p_offset, size: phdr.p_filesz)
                    let raw = Self.bytes(data)
                    info.interpreter = String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
                case UInt32(PT_LOAD):
                    loads.append((phdr.p_vaddr, phdr.p_offset, phdr.p_filesz))
                case UInt32(PT_DYNAMIC):
                    dynamic = (phdr.p_offset, phdr.p_filesz)
                case UInt32(PT_NOTE):
                    notes.append((phdr.p_offset, phdr.p_filesz, phdr.p_align, false))
                case UInt32(PT_GNU_PROPERTY):
                    notes.append((phdr.p_offset, phdr.p_filesz, phdr.p_align, true))
                default:
                    break
                }
            }
            if let dynamic, dynamic.size > 0 {
                try readDynamic(offset: dynamic.offset, size: dynamic.size, loads: loads, into: &info)
            }
            if info.machine == ELFMachine.x86_64 || info.machine == ELFMachine.i386 {
                // PT_GNU_PROPERTY points at exactly the property note; older links only have PT_NOTE.
                let chosen = notes.contains(where: \.property) ? notes.filter(\.property) : notes
                for note in chosen where note.size > 0 {
                    try readNotes(offset: note.offset, size: note.size, align: note.align, into: &info)
                }
            }
        }

        mutating func readDynamic(
            offset: UInt64, size: UInt64, loads: [(vaddr: UInt64, offset: UInt64, size: UInt64)],
            into info: inout ELFInfo
        ) throws {
            let data = try chunk("PT_DYNAMIC", offset: offset, size: size, type: ELF_T_DYN)
            let entrySize = gelf_fsize(elf, ELF_T_DYN, 1, UInt32(EV_CURRENT))
            guard entrySize > 0 else {
                throw ELFError.libelf(path: path, operation: "gelf_fsize", message: LibELF.lastMessage())
            }
            let count = data.pointee.d_size / entrySize
            var neededOffsets: [UInt64] = []
            var strtab: UInt64?
            var strsz: UInt64?
            for index in 0..<count {
                var dyn = GElf_Dyn()
                _ = try LibELF.wrap("gelf_getdyn(\(index))", path) { gelf_getdyn(data, Int32(index), &dyn) }
                switch dyn.d_tag {
                case Int64(DT_NULL): break
                case Int64(DT_NEEDED): neededOffsets.append(dyn.d_un.d_val)
                case Int64(DT_STRTAB): strtab = dyn.d_un.d_ptr
                case Int64(DT_STRSZ): strsz = dyn.d_un.d_val
                case Int64(DT_FLAGS_1): hasPIEFlag = dyn.d_un.d_val & UInt64(DF_1_PIE) != 0
                default: continue
                }
                if dyn.d_tag == Int64(DT_NULL) { break }
            }
            guard !neededOffsets.isEmpty else { return }
            guard let strtab, let strsz, strsz > 0 else {
                throw ELFError.malformed(path: path, reason: "DT_NEEDED without DT_STRTAB/DT_STRSZ")
            }
            // DT_STRTAB is an address: find the loaded segment holding it to get a file offset.
            guard let load = loads.first(where: { strtab >= $0.vaddr && strtab - $0.vaddr < $0.size }) else {
                throw ELFError.malformed(
                    path: path, reason: "DT_STRTAB 0x\(String(strtab, radix: 16)) is in no PT_LOAD segment")
            }
            let fileOffset = load.offset + (strtab - load.vaddr)
            let table = Self.bytes(
                try chunk("DT_STRTAB", offset: fileOffset, size: min(strsz, load.size - (strtab - load.vaddr))))
            for nameOffset in neededOffsets {
                guard nameOffset < UInt64(table.count) else {
                    throw ELFError.malformed(
                        path: path, reason: "DT_NEEDED name offset \(nameOffset) beyond DT_STRSZ \(strsz)")
                }
                let rest = table[Int(nameOffset)...]
                info.needed.append(String(decoding: rest.prefix(while: { $0 != 0 }), as: UTF8.self))
            }
        }

        func u32(_ raw: UnsafeRawBufferPointer, _ at: Int) -> UInt32 {
            let b = (UInt32(raw[at]), UInt32(raw[at + 1]), UInt32(raw[at + 2]), UInt32(raw[at + 3]))
            return order == .little ? b.0 | b.1 << 8 | b.2 << 16 | b.3 << 24 : b.3 | b.2 << 8 | b.1 << 16 | b.0 << 24
        }

        mutating func readNotes(offset: UInt64, size: UInt64, align: UInt64, into info: inout ELFInfo) throws {
            let data = try chunk("PT_NOTE", offset: offset, size: size, type: align == 8 ? ELF_T_NHDR8 : ELF_T_NHDR)
            let raw = Self.bytes(data)
            var next = 0
            while next < raw.count {
                var nhdr = GElf_Nhdr()
                var nameOffset = 0
                var descOffset = 0
                let after = gelf_getnote(data, next, &nhdr, &nameOffset, &descOffset)
                guard after > next else { break }
                next = after
                guard nhdr.n_type == UInt32(NT_GNU_PROPERTY_TYPE_0), nhdr.n_namesz == 4,
                    descOffset + Int(nhdr.n_descsz) <= raw.count,
                    raw[nameOffset] == UInt8(ascii: "G"), raw[nameOffset + 1] == UInt8(ascii: "N"),
                    raw[nameOffset + 2] == UInt8(ascii: "U")
                else { continue }
                // Properties: pr_type, pr_datasz, data padded to 8 (ELF64) or 4 (ELF32) bytes.
                let pad = elfClass == .elf64 ? 8 : 4
                var at = descOffset
                let end = descOffset + Int(nhdr.n_descsz)
                while at + 8 <= end {
                    let type = u32(raw, at)
                    let length = Int(u32(raw, at + 4))
                    guard length <= end - at - 8 else { break }
                    if type == UInt32(GNU_PROPERTY_X86_ISA_1_NEEDED), length >= 4 {
                        let bits = u32(raw, at + 8)
                        if bits != 0 { info.x86ISALevel = 32 - bits.leadingZeroBitCount }
                    }
                    at += 8 + (length + pad - 1) / pad * pad
                }
            }
        }

        mutating func readSections(into info: inout ELFInfo) throws {
            var count = 0
            try LibELF.wrap("elf_getshdrnum", path) { elf_getshdrnum(elf, &count) }
            guard count > 1 else { return }
            var names = 0
            try LibELF.wrap("elf_getshdrstrndx", path) { elf_getshdrstrndx(elf, &names) }
            var scn: OpaquePointer? = nil
            while let section = elf_nextscn(elf, scn) {
                scn = section
                var shdr = GElf_Shdr()
                _ = try LibELF.wrap("gelf_getshdr", path) { gelf_getshdr(section, &shdr) }
                let isAttributes = info.machine == ELFMachine.arm && shdr.sh_type == UInt32(SHT_ARM_ATTRIBUTES)
                let mayBeGo = shdr.sh_type == UInt32(SHT_PROGBITS) && shdr.sh_size >= 32
                guard isAttributes || mayBeGo else { continue }
                if mayBeGo {
                    guard let name = elf_strptr(elf, names, Int(shdr.sh_name)), strcmp(name, ".go.buildinfo") == 0
                    else { continue }
                    let data = try chunk(".go.buildinfo", offset: shdr.sh_offset, size: min(shdr.sh_size, 1 << 20))
                    info.go = GoBuildInfoParser.parse(Self.bytes(data))
                } else {
                    guard shdr.sh_size <= 1 << 20 else {
                        throw ELFError.malformed(path: path, reason: ".ARM.attributes of \(shdr.sh_size) bytes")
                    }
                    let data = try chunk(".ARM.attributes", offset: shdr.sh_offset, size: shdr.sh_size)
                    let attributes = try ARMAttributes.parse(Self.bytes(data), order: order, path: path)
                    if let arch = attributes.cpuArch { info.armArchitecture = ARMArchitecture(tag: arch) }
                    vfpArgs = attributes.vfpArgs
                }
            }
        }
    }
}
