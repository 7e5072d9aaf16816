using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Unicode;

namespace Connect.Application.Jose;

/// <summary>A top-level member of a JSON object as <see cref="StrictJsonObject"/> found it.</summary>
/// <param name="Type">The value's token type; <see cref="JsonTokenType.None"/> when the member is absent.</param>
/// <param name="Text">The value of a string.</param>
/// <param name="Integer">The value of a number written as an integer (no fraction, no exponent) that fits a long.</param>
internal readonly record struct JsonMember(JsonTokenType Type, string? Text = null, long? Integer = null)
{
    public bool IsPresent => Type != JsonTokenType.None;
}

/// <summary>Room on the stack for the members one object is read for.</summary>
[InlineArray(Capacity)]
internal struct JsonMembers
{
    public const int Capacity = 16;

    private JsonMember _first;
}

/// <summary>
/// Reads one JSON object in a single pass, strictly, and captures the top-level members it is asked for. Anything
/// not strict JSON text is refused: comments, trailing commas, content after the object, nesting deeper than
/// <see cref="MaxDepth"/>, a member name twice in one object at any level, and any string or member name (read by
/// a rule or not) that is not valid Unicode text.
/// </summary>
internal static class StrictJsonObject
{
    public const int MaxDepth = 8;

    private static readonly JsonReaderOptions Strict = new()
    {
        MaxDepth = MaxDepth,
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
    };

    /// <summary>
    /// Reads <paramref name="json"/>; <paramref name="members"/>[i] receives the top-level member named
    /// <paramref name="names"/>[i], or stays absent.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> json, ReadOnlySpan<byte[]> names, Span<JsonMember> members) =>
        TryRead(json, names, members, out _);

    /// <summary>
    /// As <see cref="TryRead(ReadOnlySpan{byte}, ReadOnlySpan{byte[]}, Span{JsonMember})"/>, and counts the
    /// object's top-level members, asked for or not: a reader that wants exactly its members compares the count.
    /// </summary>
    public static bool TryRead(
        ReadOnlySpan<byte> json, ReadOnlySpan<byte[]> names, Span<JsonMember> members, out int topLevelMembers)
    {
        members.Clear();
        topLevelMembers = 0;

        // RFC 8259 §8.1: JSON text is UTF-8. The reader checks a string's bytes only when its text is asked for,
        // so the whole text is checked here, and only escapes remain to be checked string by string.
        if (!Utf8.IsValid(json))
        {
            return false;
        }

        // Names held for the duplicate check take at most 1.5 times the text (see MemberNames), and an unescaped
        // string is never longer than its escaped form.
        var workspace = ArrayPool<byte>.Shared.Rent(3 * json.Length);
        var table = ArrayPool<int>.Shared.Rent(MemberNames.TableSize(json.Length));
        try
        {
            var area = workspace.AsSpan(0, 3 * json.Length);
            var seen = new MemberNames(
                area[..(2 * json.Length)], table.AsSpan(0, MemberNames.TableSize(json.Length)), stackalloc int[MaxDepth + 1]);
            return TryWalk(json, names, members, ref seen, area[(2 * json.Length)..], ref topLevelMembers);
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException)
        {
            // JsonException: not strict JSON text. InvalidOperationException: an escape that denotes a lone
            // surrogate (RFC 8259 §8.2), which is no Unicode text.
            return false;
        }
        finally
        {
            ArrayPool<int>.Shared.Return(table);
            ArrayPool<byte>.Shared.Return(workspace);
        }
    }

    private static bool TryWalk(
        ReadOnlySpan<byte> json,
        ReadOnlySpan<byte[]> names,
        Span<JsonMember> members,
        ref MemberNames seen,
        Span<byte> scratch,
        ref int topLevelMembers)
    {
        var reader = new Utf8JsonReader(json, Strict);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        seen.Open();

        // The top-level member whose value is the next token, or -1.
        var wanted = -1;
        while (reader.Read())
        {
            var capture = wanted;
            wanted = -1;
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    var name = Text(ref reader, scratch);
                    if (!seen.TryAdd(name))
                    {
                        return false;
                    }

                    if (reader.CurrentDepth == 1)
                    {
                        topLevelMembers++;
                        wanted = IndexOf(names, name);
                    }


                    continue;
                case JsonTokenType.StartObject:
                    seen.Open();
                    break;
                case JsonTokenType.EndObject:
                    seen.Close();
                    break;
                case JsonTokenType.String when capture >= 0:
                    members[capture] = new JsonMember(JsonTokenType.String, Text: reader.GetString());
                    continue;
                case JsonTokenType.String:
                    _ = Text(ref reader, scratch);
                    break;
                case JsonTokenType.Number when capture >= 0:
                    members[capture] = new JsonMember(JsonTokenType.Number, Integer: Integer(ref reader));
                    continue;
            }

            if (capture >= 0)
            {
                members[capture] = new JsonMember(reader.TokenType);
            }
        }

        // Read answered false: the object closed and nothing but whitespace followed (anything else throws).
        return true;
    }

    /// <summary>A string's or name's UTF-8 text; unescaping throws on an escaped lone surrogate.</summary>
    private static ReadOnlySpan<byte> Text(ref Utf8JsonReader reader, Span<byte> scratch) =>
        reader.ValueIsEscaped ? scratch[..reader.CopyString(scratch)] : reader.ValueSpan;

    /// <summary>RFC 7519 NumericDate held to JSON integers: no fraction or exponent, within a long.</summary>
    private static long? Integer(ref Utf8JsonReader reader) =>
        reader.ValueSpan.IndexOfAny((byte)'.', (byte)'e', (byte)'E') < 0 && reader.TryGetInt64(out var value) ? value : null;

    private static int IndexOf(ReadOnlySpan<byte[]> names, ReadOnlySpan<byte> name)
    {
        for (var i = 0; i < names.Length; i++)
        {
            if (name.SequenceEqual(names[i]))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// The member names of each object, compared after unescaping, so that a name spelled once plainly and once
    /// with escapes is still a duplicate (RFC 8725 §3.8 spirit: two parsers may keep different copies). A hash
    /// table keyed by object and name keeps the check linear in the number of members: a token of many members
    /// costs no more per member than a small one. The hash is seeded per process, so names cannot be chosen to
    /// collide. Each name is held as [object:4][length:2][bytes], at most 1.5 times the JSON text it came from
    /// (which holds it in at least length + 4 bytes).
    /// </summary>
    private ref struct MemberNames(Span<byte> store, Span<int> table, Span<int> openObjects)
    {
        private const int EntryHeader = 6;

        private readonly Span<byte> _store = store;
        private readonly Span<int> _table = Cleared(table);
        private readonly Span<int> _openObjects = openObjects;
        private int _length;
        private int _depth;
        private int _objects;

        /// <summary>
        /// A power of two at least twice the most members <paramref name="jsonLength"/> bytes can hold (each takes
        /// at least 4: <c>"":0</c>), so the table stays at most half full.
        /// </summary>
        public static int TableSize(int jsonLength) => (int)BitOperations.RoundUpToPowerOf2((uint)(2 * ((jsonLength / 4) + 1)));

        public void Open() => _openObjects[_depth++] = _objects++;

        public void Close() => _depth--;

        public bool TryAdd(scoped ReadOnlySpan<byte> name)
        {
            var owner = _openObjects[_depth - 1];
            var hash = default(HashCode);
            hash.Add(owner);
            hash.AddBytes(name);
            var mask = _table.Length - 1;
            for (var slot = hash.ToHashCode() & mask; ; slot = (slot + 1) & mask)
            {
                var entry = _table[slot] - 1;
                if (entry < 0)
                {
                    _table[slot] = _length + 1;
                    BinaryPrimitives.WriteInt32LittleEndian(_store[_length..], owner);
                    BinaryPrimitives.WriteUInt16LittleEndian(_store[(_length + 4)..], (ushort)name.Length);
                    name.CopyTo(_store[(_length + EntryHeader)..]);
                    _length += EntryHeader + name.Length;
                    return true;
                }

                if (BinaryPrimitives.ReadInt32LittleEndian(_store[entry..]) == owner
                    && BinaryPrimitives.ReadUInt16LittleEndian(_store[(entry + 4)..]) == name.Length
                    && _store.Slice(entry + EntryHeader, name.Length).SequenceEqual(name))
                {
                    return false;
                }
            }
        }

        private static Span<int> Cleared(Span<int> table)
        {
            table.Clear();
            return table;
        }
    }
}
