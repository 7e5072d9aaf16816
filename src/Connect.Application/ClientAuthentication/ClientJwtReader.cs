using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Text.Unicode;
using System.Text.Json;
using Connect.Domain.Outcomes;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Connect.Application.ClientAuthentication;

/// <summary>
/// Checks the structure of a compact JWS and the types of its members, strictly. Everything it rejects is
/// <see cref="ReasonCode.ClientJwtMalformed"/>; the algorithm's value and all trust decisions come later.
/// </summary>
internal static class ClientJwtReader
{
    // RFC 8725 §3.1 and §2.3: never let the token pick where its key comes from, and refuse extensions we do
    // not implement (RFC 7515 §4.1.11: an unknown crit must be rejected; we accept no crit at all).
    private static readonly string[] RejectedHeaderParameters = ["crit", "jku", "jwk", "x5u", "x5c", "zip", "enc", "b64"];

    private static readonly JsonDocumentOptions StrictJson = new()
    {
        // A duplicated member is ambiguous: two parsers may pick different values (RFC 8725 §3.8 spirit).
        AllowDuplicateProperties = false,
        MaxDepth = 8,
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
    };

    public static Outcome<ClientJwt> Read(string token)
    {
        if (token.Length > ClientJwtLimits.MaxTokenLength)
        {
            return ReasonCode.ClientJwtMalformed;
        }

        var segments = token.Split('.');
        if (segments.Length != 3
            || !TryDecodeSegment(segments[0], out var headerBytes)
            || !TryDecodeSegment(segments[1], out var payloadBytes)
            || !TryDecodeSegment(segments[2], out _)
            // RFC 8259 §8.1: JSON text is UTF-8; the parser checks only the strings it is asked to read.
            || !Utf8.IsValid(headerBytes)
            || !Utf8.IsValid(payloadBytes))
        {
            return ReasonCode.ClientJwtMalformed;
        }

        try
        {
            using var header = JsonDocument.Parse(headerBytes, StrictJson);
            using var payload = JsonDocument.Parse(payloadBytes, StrictJson);
            ReadAllText(header.RootElement);
            ReadAllText(payload.RootElement);

            // Microsoft.IdentityModel's JsonWebToken is the parsed form the signature check verifies, and it holds
            // the registered members it reads to its own types (cty and x5t must be strings, so must azp): a token
            // it cannot parse is malformed here, before the algorithm is looked at.
            return ReadMembers(new JsonWebToken(token), header.RootElement, payload.RootElement);
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException or ArgumentException)
        {
            // InvalidOperationException: a string member holding a lone surrogate or invalid UTF-8.
            // ArgumentException: JsonWebToken could not parse the token.
            return ReasonCode.ClientJwtMalformed;
        }
    }

    private static Outcome<ClientJwt> ReadMembers(JsonWebToken token, JsonElement header, JsonElement payload)
    {
        if (header.ValueKind != JsonValueKind.Object || payload.ValueKind != JsonValueKind.Object)
        {
            return ReasonCode.ClientJwtMalformed;
        }

        foreach (var name in RejectedHeaderParameters)
        {
            if (header.TryGetProperty(name, out _))
            {
                return ReasonCode.ClientJwtMalformed;
            }
        }

        if (!(TryGetString(header, "alg", out var algorithm)
            && OptionalString(header, "kid", out var keyId)
            && OptionalString(header, "typ", out var type) && type is null or "JWT"
            && TryGetString(payload, "iss", out var issuer) && issuer.Length > 0
            // RFC 7523 §3 B: a sub, when present, names the client itself.
            && OptionalString(payload, "sub", out var subject) && (subject is null || subject == issuer)
            // The contract wants exactly one audience as a string; an array is the wrong type.
            && TryGetString(payload, "aud", out var audience)
            && TryGetInteger(payload, "iat", out var issuedAt)
            && TryGetInteger(payload, "exp", out var expiresAt)
            && OptionalInteger(payload, "nbf", out var notBefore)
            && TryGetString(payload, "jti", out var id) && id.Length is > 0 and <= ClientJwtLimits.MaxJtiLength
            // A jti holding NUL could not be recorded (PostgreSQL text cannot store it): refused like an over-long one.
            && !id.Contains('\0', StringComparison.Ordinal)
            && TryGetString(payload, "body_sha256", out var bodySha256)))
        {
            return ReasonCode.ClientJwtMalformed;
        }

        return new ClientJwt(token, algorithm, keyId, issuer, audience, issuedAt, expiresAt, notBefore, id, bodySha256);
    }

    /// <summary>
    /// Reads every member name and string, also of members no rule looks at: one holding an unpaired surrogate
    /// (RFC 8259 §8.2) throws here, so that such a token is malformed whatever member carries it; without this a
    /// validly signed token carrying one was refused as a bad signature instead of as malformed.
    /// </summary>
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

    /// <summary>Canonical unpadded base64url only (RFC 7515 §2): no padding, no whitespace, no stray bits.</summary>
    private static bool TryDecodeSegment(string segment, out byte[] bytes)
    {
        bytes = [];
        if (segment.Length % 4 == 1)
        {
            return false;
        }

        foreach (var c in segment)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '-' || c == '_'))
            {
                return false;
            }
        }

        try
        {
            bytes = Base64Url.DecodeFromChars(segment);
        }
        catch (FormatException)
        {
            return false;
        }

        // Unused low bits in the last character must be zero, or two texts would carry the same bytes.
        return Base64Url.EncodeToString(bytes).Equals(segment, StringComparison.Ordinal);
    }

    private static bool TryGetString(JsonElement owner, string name, [NotNullWhen(true)] out string? value)
    {
        value = null;
        if (!owner.TryGetProperty(name, out var element) || element.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        value = element.GetString();
        return value is not null;
    }

    private static bool OptionalString(JsonElement owner, string name, out string? value)
    {
        value = null;
        return !owner.TryGetProperty(name, out _) || TryGetString(owner, name, out value);
    }

    /// <summary>RFC 7519 NumericDate, held to JSON integers: no strings, fractions or exponents.</summary>
    private static bool TryGetInteger(JsonElement owner, string name, out long value)
    {
        value = 0;
        if (!owner.TryGetProperty(name, out var element) || element.ValueKind != JsonValueKind.Number)
        {
            return false;
        }

        var raw = element.GetRawText();
        return raw.AsSpan().IndexOfAny(".eE") < 0 && element.TryGetInt64(out value);
    }

    private static bool OptionalInteger(JsonElement owner, string name, out long? value)
    {
        value = null;
        if (!owner.TryGetProperty(name, out _))
        {
            return true;
        }

        if (!TryGetInteger(owner, name, out var number))
        {
            return false;
        }

        value = number;
        return true;
    }
}
