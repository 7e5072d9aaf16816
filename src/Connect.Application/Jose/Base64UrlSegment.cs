namespace Connect.Application.Jose;

/// <summary>
/// One segment of a compact JWS as canonical unpadded base64url (RFC 7515 §2): only the alphabet of RFC 4648 §5,
/// no padding, no whitespace, and no stray bits, so that a byte string has exactly one spelling.
/// </summary>
internal static class Base64UrlSegment
{
    private static readonly SearchValues<char> Alphabet =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    public static bool IsCanonical(ReadOnlySpan<char> segment)
    {
        // The decoder skips whitespace and accepts padding: anything outside the alphabet is refused first.
        if (segment.ContainsAnyExcept(Alphabet))
        {
            return false;
        }

        // RFC 4648 §3.5: the unused low bits of the last character must be zero; a lone last character holds
        // no whole byte at all.
        return (segment.Length % 4) switch
        {
            0 => true,
            1 => false,
            2 => (SextetOf(segment[^1]) & 0b1111) == 0,
            _ => (SextetOf(segment[^1]) & 0b11) == 0,
        };
    }

    /// <summary>The number of bytes a canonical segment decodes to.</summary>
    public static int DecodedLength(ReadOnlySpan<char> segment) => segment.Length * 3 / 4;

    /// <summary>Decodes a segment <see cref="IsCanonical"/> accepted into exactly <see cref="DecodedLength"/> bytes.</summary>
    public static void Decode(ReadOnlySpan<char> segment, Span<byte> bytes)
    {
        if (!Base64Url.TryDecodeFromChars(segment, bytes, out var written) || written != bytes.Length)
        {
            throw new ArgumentException("The segment is not canonical base64url.", nameof(segment));
        }
    }

    private static int SextetOf(char c) => c switch
    {
        >= 'A' and <= 'Z' => c - 'A',
        >= 'a' and <= 'z' => c - 'a' + 26,
        >= '0' and <= '9' => c - '0' + 52,
        '-' => 62,
        _ => 63,
    };
}
