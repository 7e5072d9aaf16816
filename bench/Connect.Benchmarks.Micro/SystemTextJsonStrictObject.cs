using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Unicode;
using Connect.Application.Jose;

namespace Connect.Benchmarks.Micro;

/// <summary>
/// What <see cref="StrictJsonObject"/> would be if System.Text.Json did the work: the same answer (the top-level
/// members asked for, and the count) under the same refusals, from one <see cref="JsonDocument"/> parsed with
/// .NET 10's <see cref="JsonDocumentOptions.AllowDuplicateProperties"/> off.
/// </summary>
internal static class SystemTextJsonStrictObject
{
    private static readonly JsonDocumentOptions Strict = new()
    {
        MaxDepth = StrictJsonObject.MaxDepth,
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
        AllowDuplicateProperties = false,
    };

    public static bool TryRead(
        ReadOnlyMemory<byte> json, ReadOnlySpan<byte[]> names, Span<JsonMember> members, out int topLevelMembers)
    {
        members.Clear();
        topLevelMembers = 0;

        // The document checks a string's bytes only when its text is asked for.
        if (!Utf8.IsValid(json.Span))
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(json, Strict);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            // Only an escape can spell a lone surrogate in valid UTF-8; reading every string's text refuses it.
            if (json.Span.IndexOf("\\u"u8) >= 0)
            {
                IsText(root);
            }

            foreach (var member in root.EnumerateObject())
            {
                topLevelMembers++;
                var wanted = IndexOf(names, member);
                if (wanted >= 0)
                {
                    members[wanted] = Read(member.Value);
                }
            }

            return true;
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException)
        {
            return false;
        }
    }

    private static JsonMember Read(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => new JsonMember(JsonTokenType.String, Text: value.GetString()),
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

    /// <summary>Reads the text of every name and string; an escaped lone surrogate throws.</summary>
    private static void IsText(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var member in element.EnumerateObject())
                {
                    _ = member.Name;
                    IsText(member.Value);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    IsText(item);
                }

                break;
            case JsonValueKind.String:
                _ = element.GetString();
                break;
        }
    }
}
