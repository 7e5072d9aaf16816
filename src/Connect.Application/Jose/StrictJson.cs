namespace Connect.Application.Jose;

/// <summary>A top-level member of a JSON object as <see cref="StrictJson"/> found it.</summary>
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
/// The one strict JSON reader, for token segments and request bodies alike, with one depth limit. Anything not
/// strict JSON text is refused: comments, trailing commas, content after the value, nesting deeper than
/// <see cref="MaxDepth"/>, a member name twice in one object at any level (compared after unescaping), bytes that
/// are not UTF-8, and any string or member name, read or not, that escapes a lone surrogate. It is
/// System.Text.Json's own <see cref="JsonDocument"/> with .NET 10's duplicate check: measured against the
/// hand-written single pass it replaced, that pass was not fast enough to keep (docs/performance.md, "The strict
/// JSON reader").
/// </summary>
public static class StrictJson
{
    /// <summary>
    /// The deepest nesting accepted, the outermost object or array counting one. Tokens and bodies need four at
    /// most (a sign-in body's constraint payload's subject list); eight leaves room and refuses stack games.
    /// </summary>
    public const int MaxDepth = 8;

    private static readonly JsonDocumentOptions Strict = new()
    {
        MaxDepth = MaxDepth,
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
        // RFC 8725 §3.8 spirit: two parsers may keep different copies of a duplicated member, at any level.
        AllowDuplicateProperties = false,
    };

    // Bodies are bound from a document this reader already accepted; the binding adds only its own rules.
    private static readonly JsonSerializerOptions Binding = new()
    {
        MaxDepth = MaxDepth,
        AllowDuplicateProperties = false,
        PropertyNameCaseInsensitive = false,
        NumberHandling = JsonNumberHandling.Strict,
    };

    private static readonly JsonSerializerOptions BindingWithoutUnknownMembers = new(Binding)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>
    /// Parses <paramref name="json"/> strictly; <c>false</c> (and no document) when it is not strict JSON text.
    /// The caller disposes the document.
    /// </summary>
    public static bool TryParse(ReadOnlyMemory<byte> json, [NotNullWhen(true)] out JsonDocument? document)
    {
        document = null;

        // RFC 8259 §8.1: JSON text is UTF-8. The document checks a string's bytes only when its text is asked for.
        if (!Utf8.IsValid(json.Span))
        {
            return false;
        }

        JsonDocument? parsed = null;
        try
        {
            parsed = JsonDocument.Parse(json, Strict);

            // RFC 8259 §8.2: in valid UTF-8 only an escape can spell a lone surrogate; reading the text of every
            // name and string refuses it (InvalidOperationException), in members no rule reads too.
            if (json.Span.IndexOf("\\u"u8) >= 0)
            {
                ReadAllText(parsed.RootElement);
            }

            document = parsed;
            return true;
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException)
        {
            parsed?.Dispose();
            return false;
        }
    }

    /// <summary>
    /// Reads one JSON object strictly; <paramref name="members"/>[i] receives the top-level member named
    /// <paramref name="names"/>[i], or stays absent, and <paramref name="topLevelMembers"/> counts the object's
    /// members, asked for or not (a reader that wants exactly its members compares the count).
    /// </summary>
    internal static bool TryRead(
        ReadOnlyMemory<byte> json, ReadOnlySpan<byte[]> names, Span<JsonMember> members, out int topLevelMembers)
    {
        members.Clear();
        topLevelMembers = 0;
        if (!TryParse(json, out var document))
        {
            return false;
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            foreach (var member in document.RootElement.EnumerateObject())
            {
                topLevelMembers++;
                var wanted = IndexOf(names, member);
                if (wanted >= 0)
                {
                    members[wanted] = Member(member.Value);
                }
            }

            return true;
        }
    }

    /// <inheritdoc cref="TryRead(ReadOnlyMemory{byte}, ReadOnlySpan{byte[]}, Span{JsonMember}, out int)"/>
    internal static bool TryRead(ReadOnlyMemory<byte> json, ReadOnlySpan<byte[]> names, Span<JsonMember> members) =>
        TryRead(json, names, members, out _);

    /// <summary>
    /// A request body: strict JSON text as <see cref="TryParse"/> reads it, bound to <typeparamref name="T"/> with
    /// names matched exactly and numbers only as numbers; <paramref name="refuseUnknownMembers"/> refuses a member
    /// <typeparamref name="T"/> does not name instead of ignoring it. <c>null</c> when the body is not that.
    /// </summary>
    public static T? Deserialize<T>(ReadOnlyMemory<byte> body, bool refuseUnknownMembers)
        where T : class
    {
        if (!TryParse(body, out var document))
        {
            return null;
        }

        using (document)
        {
            try
            {
                return document.Deserialize<T>(refuseUnknownMembers ? BindingWithoutUnknownMembers : Binding);
            }
            catch (Exception exception) when (exception is JsonException or InvalidOperationException or ArgumentException)
            {
                // The parser's message never leaves the process.
                return null;
            }
        }
    }

    private static JsonMember Member(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => new JsonMember(JsonTokenType.String, Text: value.GetString()),
        // RFC 7519 NumericDate held to JSON integers: no fraction or exponent, within a long.
        JsonValueKind.Number => new JsonMember(
            JsonTokenType.Number,
            Integer: JsonMarshal.GetRawUtf8Value(value).IndexOfAny((byte)'.', (byte)'e', (byte)'E') < 0
                && value.TryGetInt64(out var integer) ? integer : null),
        JsonValueKind.Object => new JsonMember(JsonTokenType.StartObject),
        JsonValueKind.Array => new JsonMember(JsonTokenType.StartArray),
        JsonValueKind.True => new JsonMember(JsonTokenType.True),
        JsonValueKind.False => new JsonMember(JsonTokenType.False),
        _ => new JsonMember(JsonTokenType.Null),
    };

    /// <summary>Compares after unescaping, so a name spelled with escapes is still the name it spells.</summary>
    private static int IndexOf(ReadOnlySpan<byte[]> names, JsonProperty member)
    {
        for (var i = 0; i < names.Length; i++)
        {
            if (member.NameEquals(names[i]))
            {
                return i;
            }
        }

        return -1;
    }

    private static void ReadAllText(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var member in element.EnumerateObject())
                {
                    _ = member.Name;
                    ReadAllText(member.Value);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    ReadAllText(item);
                }

                break;
            case JsonValueKind.String:
                _ = element.GetString();
                break;
        }
    }
}
