using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Unicode;

namespace Connect.Application.ClientAuthentication;

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
    public static bool TryRead(ReadOnlySpan<byte> json, ReadOnlySpan<byte[]> names, Span<JsonMember> members)
    {
        members.Clear();

        // RFC 8259 §8.1: JSON text is UTF-8. The reader checks a string's bytes only when its text is asked for,
        // so the whole text is checked here, and only escapes remain to be checked string by string.
        if (!Utf8.IsValid(json))
        {
            return false;
        }

        // Names held for the duplicate check take at most 1.5 times the text (see MemberNames), and an unescaped
        // string is never longer than its escaped form.
        var workspace = ArrayPool<byte>.Shared.Rent(3 * json.Length);
        try
        {
            var area = workspace.AsSpan(0, 3 * json.Length);
            return TryWalk(json, names, members, area[..(2 * json.Length)], area[(2 * json.Length)..]);
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException)
        {
            // JsonException: not strict JSON text. InvalidOperationException: an escape that denotes a lone
            // surrogate (RFC 8259 §8.2), which is no Unicode text.
            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(workspace);
        }
    }

    private static bool TryWalk(
        ReadOnlySpan<byte> json, ReadOnlySpan<byte[]> names, Span<JsonMember> members, Span<byte> nameStore, Span<byte> scratch)
    {
        var reader = new Utf8JsonReader(json, Strict);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        Span<int> objectStarts = stackalloc int[MaxDepth + 1];
        var seen = new MemberNames(nameStore, objectStarts);
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

                    wanted = reader.CurrentDepth == 1 ? IndexOf(names, name) : -1;
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
    /// The member names of every open object, compared after unescaping, so that a name spelled once plainly and
    /// once with escapes is still a duplicate (RFC 8725 §3.8 spirit: two parsers may keep different copies).
    /// Each name is held as [hash:4][length:2][bytes]: at most 1.5 times the JSON text it came from, which holds it
    /// in at least length + 4 bytes. The check is a scan of the object's names, quadratic only within one object
    /// and bounded by the token's length limit.
    /// </summary>
    private ref struct MemberNames(Span<byte> store, Span<int> objectStarts)
    {
        private const int EntryHeader = 6;

        private readonly Span<byte> _store = store;
        private readonly Span<int> _objectStarts = objectStarts;
        private int _length;
        private int _depth;

        public void Open() => _objectStarts[_depth++] = _length;

        public void Close() => _length = _objectStarts[--_depth];

        public bool TryAdd(ReadOnlySpan<byte> name)
        {
            var hash = Hash(name);
            for (var at = _objectStarts[_depth - 1]; at < _length;)
            {
                var length = BinaryPrimitives.ReadUInt16LittleEndian(_store[(at + 4)..]);
                if (BinaryPrimitives.ReadInt32LittleEndian(_store[at..]) == hash
                    && _store.Slice(at + EntryHeader, length).SequenceEqual(name))
                {
                    return false;
                }

                at += EntryHeader + length;
            }

            BinaryPrimitives.WriteInt32LittleEndian(_store[_length..], hash);
            BinaryPrimitives.WriteUInt16LittleEndian(_store[(_length + 4)..], (ushort)name.Length);
            name.CopyTo(_store[(_length + EntryHeader)..]);
            _length += EntryHeader + name.Length;
            return true;
        }

        /// <summary>FNV-1a: only a cheap filter before the byte comparison.</summary>
        private static int Hash(ReadOnlySpan<byte> name)
        {
            var hash = 2166136261u;
            foreach (var b in name)
            {
                hash = (hash ^ b) * 16777619u;
            }

            return (int)hash;
        }
    }
}
