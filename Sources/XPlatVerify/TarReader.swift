// Reading tar archives (what `docker export` and BuildKit's `-o type=tar` write): ustar and POSIX
// pax (`path`, `linkpath`, `size` records), GNU long names (`L`, `K`) and base-256 sizes; symlinks
// and hardlinks kept so the interpreter check can resolve them inside the archive. Non-ELF members
// are skipped after their first 64 bytes; ELF members are read whole and inspected from memory.
// Compressed archives are refused with a hint: reading gzip needs zlib, which xplat does not link.

import XPlatELF

#if canImport(Glibc)
import Glibc
#endif

/// One member of an archive.
struct TarMember: Sendable {
    enum Kind: Sendable, Hashable { case file, directory, symlink, hardlink, other }
    /// Normalized absolute path (`/usr/bin/ls`).
    var path: String
    var kind: Kind
    var link: String?
    /// For ELF members: the inspection.
    var scanned: ScannedFile?
}

enum TarReader {
    /// True when `block` (the first 512 bytes of a file) is a tar header: ustar magic, or a valid
    /// checksum (old v7 archives).
    static func looksLikeTar(_ block: [UInt8]) -> Bool {
        guard block.count >= 512 else { return false }
        if Array(block[257..<262]) == Array("ustar".utf8) { return true }
        return block[0] != 0 && checksumValid(block)
    }

    static func checksumValid(_ block: [UInt8]) -> Bool {
        guard let stored = octal(block[148..<156]) else { return false }
        var sum = 0
        for (i, byte) in block.enumerated() { sum += (148..<156).contains(i) ? 32 : Int(byte) }
        return stored == sum
    }

    static func octal(_ field: ArraySlice<UInt8>) -> Int? {
        var value = 0
        var digits = 0
        for byte in field {
            if byte == 0 || byte == 32 { if digits > 0 { break } else { continue } }
            guard byte >= 48 && byte <= 55 else { return nil }
            value = value * 8 + Int(byte - 48)
            digits += 1
            guard value < 1 << 50 else { return nil }
        }
        return value
    }

    static func number(_ field: ArraySlice<UInt8>) -> Int? {
        guard let first = field.first else { return nil }
        if first & 0x80 != 0 {
            // GNU base-256: big-endian, first byte's top bit is the marker.
            var value = Int(first & 0x3F)
            for byte in field.dropFirst() {
                guard value < 1 << 50 else { return nil }
                value = value << 8 | Int(byte)
            }
            return value
        }
        return octal(field)
    }

    static func string(_ field: ArraySlice<UInt8>) -> String {
        String(decoding: field.prefix(while: { $0 != 0 }), as: UTF8.self)
    }

    /// `./a/../b/` -> `/b`.
    static func normalize(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/") {
            if part == "." { continue }
            if part == ".." { _ = parts.popLast(); continue }
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }

    /// Reads every member of the archive at `path`.
    /// - Throws: `VerifyError` when the archive cannot be read or is not a well-formed tar.
    static func read(path archive: String) throws -> [TarMember] {
        let fd = open(archive, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw VerifyError(archive, "cannot open: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw VerifyError(archive, "cannot stat: \(String(cString: strerror(errno)))") }
        let fileSize = Int(st.st_size)

        func readExactly(_ count: Int, at offset: Int, _ what: String) throws -> [UInt8] {
            guard count <= fileSize - offset else {
                throw VerifyError(archive, "truncated tar: \(what) at offset \(offset) needs \(count) bytes, the file ends at \(fileSize)")
            }
            var buffer = [UInt8](repeating: 0, count: count)
            var done = 0
            while done < count {
                let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, count - done, off_t(offset + done)) }
                guard n > 0 else { throw VerifyError(archive, "read error at offset \(offset + done): \(String(cString: strerror(errno)))") }
                done += n
            }
            return buffer
        }

        var members: [TarMember] = []
        var offset = 0
        var longName: String?
        var longLink: String?
        var pax: [String: String] = [:]
        while offset + 512 <= fileSize {
            let header = try readExactly(512, at: offset, "header")
            if header.allSatisfy({ $0 == 0 }) { break }  // end of archive
            guard checksumValid(header) else {
                throw VerifyError(archive, "corrupt tar: bad header checksum at offset \(offset)")
            }
            guard var size = number(header[124..<136]) else {
                throw VerifyError(archive, "corrupt tar: bad size field at offset \(offset)")
            }
            if let paxSize = pax["size"], let value = Int(paxSize) { size = value }
            let dataOffset = offset + 512
            let next = dataOffset + (size + 511) / 512 * 512
            guard size <= fileSize - dataOffset else {
                throw VerifyError(archive, "truncated tar: member at offset \(offset) needs \(size) bytes, the file ends at \(fileSize)")
            }
            let type = header[156]
            switch type {
            case UInt8(ascii: "x"):
                pax = parsePax(try readExactly(size, at: dataOffset, "pax header"))
                offset = next
                continue
            case UInt8(ascii: "g"):
                offset = next
                continue
            case UInt8(ascii: "L"):
                longName = string(try readExactly(size, at: dataOffset, "GNU long name")[...])
                offset = next
                continue
            case UInt8(ascii: "K"):
                longLink = string(try readExactly(size, at: dataOffset, "GNU long link")[...])
                offset = next
                continue
            default:
                break
            }
            var name = string(header[0..<100])
            if Array(header[257..<263]) == Array("ustar\0".utf8) {
                let prefix = string(header[345..<500])
                if !prefix.isEmpty { name = prefix + "/" + name }
            }
            name = pax["path"] ?? longName ?? name
            let link = pax["linkpath"] ?? longLink ?? string(header[157..<257])
            pax = [:]
            longName = nil
            longLink = nil
            let memberPath = normalize(name)
            var member = TarMember(path: memberPath, kind: .other)
            switch type {
            case UInt8(ascii: "0"), 0, UInt8(ascii: "7"):
                member.kind = .file
                if size >= 4 {
                    let head = try readExactly(min(64, size), at: dataOffset, "member \(name)")
                    if head.withUnsafeBytes({ ELFInspector.hasMagic($0) }) {
                        let bytes = try readExactly(size, at: dataOffset, "member \(name)")
                        let display = archive + ":" + memberPath
                        var scanned = ScannedFile(root: 0, path: memberPath, size: UInt64(size), hash: ContentHash.of(bytes))
                        do {
                            scanned.info = try ELFInspector.inspect(bytes: bytes, path: display)
                        } catch let error as ELFError {
                            scanned.error = error
                        }
                        member.scanned = scanned
                    }
                }
            case UInt8(ascii: "5"): member.kind = .directory
            case UInt8(ascii: "2"): member.kind = .symlink; member.link = link
            case UInt8(ascii: "1"): member.kind = .hardlink; member.link = normalize(link)
            default: member.kind = .other
            }
            if member.path != "/" { members.append(member) }
            offset = next
        }
        return members
    }

    /// pax extended header records: "LEN key=value\n".
    static func parsePax(_ data: [UInt8]) -> [String: String] {
        var result: [String: String] = [:]
        var at = 0
        while at < data.count {
            var space = at
            while space < data.count, data[space] != 32 { space += 1 }
            guard space < data.count, let length = Int(String(decoding: data[at..<space], as: UTF8.self)),
                  length > 0, at + length <= data.count else { break }
            let record = data[(space + 1)..<(at + length - 1)]
            if let equals = record.firstIndex(of: UInt8(ascii: "=")) {
                result[String(decoding: record[record.startIndex..<equals], as: UTF8.self)] =
                    String(decoding: record[(equals + 1)...], as: UTF8.self)
            }
            at += length
        }
        return result
    }
}
