/// A binary form of `JSONValue` for values oidc-fcgi stores and reads back
/// itself (the claims in a session record). Containers carry their byte
/// length, so one member of an object can be found and decoded without
/// decoding the rest: the auth answer reads the few claims it maps to
/// headers, and only a claim rule needs them all.
///
/// Tags: null, false, true; integer and number (8 bytes, little-endian);
/// string (length, UTF-8); array and object (byte length, then the items;
/// an object's items are key string, value).
enum CompactJSON {
    private enum Tag: UInt8 {
        case null = 0, falseValue = 1, trueValue = 2, integer = 3, number = 4, string = 5, array = 6, object = 7
    }

    /// Deeper values are refused: claims nest a few levels, never hundreds.
    static let maxDepth = 64

    static func encode(_ value: JSONValue) -> [UInt8] {
        var writer = ByteWriter()
        encode(value, into: &writer)
        return writer.bytes
    }

    static func encode(_ value: JSONValue, into writer: inout ByteWriter) {
        switch value {
        case .null: writer.byte(Tag.null.rawValue)
        case .bool(let flag): writer.byte(flag ? Tag.trueValue.rawValue : Tag.falseValue.rawValue)
        case .integer(let number):
            writer.byte(Tag.integer.rawValue)
            writer.int64(number)
        case .number(let number):
            writer.byte(Tag.number.rawValue)
            writer.int64(Int64(bitPattern: number.bitPattern))
        case .string(let text):
            writer.byte(Tag.string.rawValue)
            writer.string(text)
        case .array(let items):
            writer.byte(Tag.array.rawValue)
            writer.lengthPrefixed { inner in for item in items { encode(item, into: &inner) } }
        case .object(let members):
            writer.byte(Tag.object.rawValue)
            // Sorted, so equal objects encode to equal bytes.
            writer.lengthPrefixed { inner in
                for key in members.keys.sorted() {
                    inner.string(key)
                    encode(members[key]!, into: &inner)
                }
            }
        }
    }

    /// Nil when the bytes are not exactly one encoded value.
    static func decode(_ bytes: ArraySlice<UInt8>) -> JSONValue? {
        var reader = ByteReader(bytes)
        guard let value = decode(&reader, depth: 0), reader.isAtEnd else { return nil }
        return value
    }

    /// The value of `name` in an encoded object, decoding only that member.
    /// Nil when the object has no such member or is not an encoded object.
    static func member(_ name: String, inObject bytes: ArraySlice<UInt8>) -> JSONValue? {
        var reader = ByteReader(bytes)
        guard reader.byte() == Tag.object.rawValue, let body = reader.lengthPrefixed() else { return nil }
        var members = ByteReader(body)
        var name = name
        return name.withUTF8 { wanted -> JSONValue? in
            while !members.isAtEnd {
                guard let key = members.lengthPrefixed() else { return nil }
                if key.elementsEqual(wanted) { return decode(&members, depth: 1) }
                guard skip(&members) else { return nil }
            }
            return nil
        }
    }

    /// True when the bytes are exactly one well-formed encoded object: checks
    /// the structure (tags and lengths) without building any value; text is
    /// checked to be UTF-8 when a member is decoded.
    static func isObject(_ bytes: ArraySlice<UInt8>) -> Bool {
        var reader = ByteReader(bytes)
        guard bytes.first == Tag.object.rawValue, validate(&reader, depth: 0) else { return false }
        return reader.isAtEnd
    }

    private static func validate(_ reader: inout ByteReader, depth: Int) -> Bool {
        guard depth <= maxDepth, let raw = reader.byte(), let tag = Tag(rawValue: raw) else { return false }
        switch tag {
        case .null, .falseValue, .trueValue: return true
        case .integer, .number: return reader.take(8) != nil
        case .string: return reader.lengthPrefixed() != nil
        case .array:
            guard let body = reader.lengthPrefixed() else { return false }
            var items = ByteReader(body)
            while !items.isAtEnd { guard validate(&items, depth: depth + 1) else { return false } }
            return true
        case .object:
            guard let body = reader.lengthPrefixed() else { return false }
            var items = ByteReader(body)
            while !items.isAtEnd {
                guard items.lengthPrefixed() != nil, validate(&items, depth: depth + 1) else { return false }
            }
            return true
        }
    }

    /// Every member of an encoded object; nil when it is not one.
    static func members(ofObject bytes: ArraySlice<UInt8>) -> [String: JSONValue]? {
        guard case .object(let members)? = decode(bytes) else { return nil }
        return members
    }

    private static func decode(_ reader: inout ByteReader, depth: Int) -> JSONValue? {
        guard depth <= maxDepth, let raw = reader.byte(), let tag = Tag(rawValue: raw) else { return nil }
        switch tag {
        case .null: return .null
        case .falseValue: return .bool(false)
        case .trueValue: return .bool(true)
        case .integer: return reader.int64().map(JSONValue.integer)
        case .number: return reader.int64().map { .number(Double(bitPattern: UInt64(bitPattern: $0))) }
        case .string: return reader.string().map(JSONValue.string)
        case .array:
            guard let body = reader.lengthPrefixed() else { return nil }
            var items = ByteReader(body)
            var values: [JSONValue] = []
            while !items.isAtEnd {
                guard let item = decode(&items, depth: depth + 1) else { return nil }
                values.append(item)
            }
            return .array(values)
        case .object:
            guard let body = reader.lengthPrefixed() else { return nil }
            var items = ByteReader(body)
            var members: [String: JSONValue] = [:]
            while !items.isAtEnd {
                guard let key = items.string(), let value = decode(&items, depth: depth + 1) else { return nil }
                members[key] = value
            }
            return .object(members)
        }
    }

    /// Steps over one value without decoding it.
    private static func skip(_ reader: inout ByteReader) -> Bool {
        guard let raw = reader.byte(), let tag = Tag(rawValue: raw) else { return false }
        switch tag {
        case .null, .falseValue, .trueValue: return true
        case .integer, .number: return reader.take(8) != nil
        case .string, .array, .object: return reader.lengthPrefixed() != nil
        }
    }
}
