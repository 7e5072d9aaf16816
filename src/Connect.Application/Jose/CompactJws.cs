namespace Connect.Application.Jose;

/// <summary>
/// The one compact-JWS writer (RFC 7515 §7.1) of every token Connect signs (session tokens and the signals' logout
/// tokens and Security Event Tokens) and of the client JWTs <see cref="ClientAuthentication.ClientJwtMinter"/>
/// makes as an application would. RS256 only; <c>alg</c> first in the header, then the caller's members; the payload
/// written member by member by the caller, so each token keeps its contract's order.
/// </summary>
internal static class CompactJws
{
    public const string Algorithm = "RS256";

    /// <summary>The RSA key sizes a token-signing key may have (docs/contract/sessions.md: at least 2048 bits); 4096 bounds a token's size.</summary>
    public const int MinKeyBits = 2048;

    public const int MaxKeyBits = 4096;

    /// <summary>
    /// The one count of a token's length, for every kind of token a request brings (a session token, a client JWT):
    /// at most <paramref name="maxBytes"/> bytes of UTF-8, the measure of the contracts' "4 KiB" and of what a token
    /// costs on the wire. A genuine token is base64url, one byte a character; a string that is not one is measured as
    /// it would travel, so no endpoint lets a bound of bytes hold three times as many bytes of characters.
    /// </summary>
    public static bool IsWithinBytes(ReadOnlySpan<char> token, int maxBytes) =>
        // A character is at least one UTF-8 byte (a lone surrogate counts as the three of U+FFFD), so a longer string
        // is refused without being counted, and the count never scans more than maxBytes characters.
        token.Length <= maxBytes && Encoding.UTF8.GetByteCount(token) <= maxBytes;

    // Deterministic text for the same members; non-ASCII stays UTF-8 (shorter than \u escapes). A token is
    // base64url, never embedded in HTML, so the relaxed encoder's HTML caveat does not apply.
    private static readonly JsonWriterOptions Writing = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Signs <paramref name="writePayload"/>'s members under <paramref name="privateKey"/>. The same members and key
    /// always give the same text: RSASSA-PKCS1-v1_5 has no randomness.
    /// </summary>
    public static string SignRs256(string type, string keyId, RSA privateKey, Action<Utf8JsonWriter> writePayload) =>
        SignRs256(
            privateKey,
            header =>
            {
                header.WriteString("kid"u8, keyId);
                header.WriteString("typ"u8, type);
            },
            writePayload);

    /// <summary>
    /// As above, with the header's members after <c>alg</c> written by <paramref name="writeHeader"/>: a client JWT
    /// keeps the SDKs' order (<c>typ</c> before <c>kid</c>), which the session tokens' contract does not share.
    /// </summary>
    public static string SignRs256(RSA privateKey, Action<Utf8JsonWriter> writeHeader, Action<Utf8JsonWriter> writePayload)
    {
        ArgumentNullException.ThrowIfNull(privateKey);
        if (privateKey.KeySize is < MinKeyBits or > MaxKeyBits)
        {
            throw new ArgumentException("The signing key's size is outside the tokens' bounds.", nameof(privateKey));
        }

        var header = Json(writer =>
        {
            writer.WriteString("alg"u8, Algorithm);
            writeHeader(writer);
        });
        var signingInput = $"{Base64Url.EncodeToString(header)}.{Base64Url.EncodeToString(Json(writePayload))}";

        // The RSA object is only read here, which .NET allows from many threads at once once its key is loaded.
        var signature = privateKey.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{signingInput}.{Base64Url.EncodeToString(signature)}";
    }

    private static byte[] Json(Action<Utf8JsonWriter> writeMembers)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, Writing))
        {
            writer.WriteStartObject();
            writeMembers(writer);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
