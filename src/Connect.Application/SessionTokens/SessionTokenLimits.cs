namespace Connect.Application.SessionTokens;

/// <summary>The fixed bounds of a session token; the reader refuses anything beyond them and the minter never makes it.</summary>
public static class SessionTokenLimits
{
    /// <summary>
    /// The largest session token, in bytes of its UTF-8 (docs/contract/sessions.md: 4 KiB); measure a token only with
    /// <see cref="IsWithinMaxLength"/>, never with <see cref="string.Length"/>.
    /// </summary>
    public const int MaxTokenBytes = 4096;

    public const int MaxIssuerLength = 255;

    public const int MaxAudienceLength = ApplicationAnchor.MaxLength;

    public const int MaxSubjectLength = SectorSubject.MaxLength;

    /// <summary><c>sid</c>, <c>jti</c> and <c>kid</c>: 1 to this many characters of the base64url alphabet.</summary>
    public const int MaxIdLength = 128;

    /// <summary>The last second of year 9999: every time a token carries is a valid <see cref="DateTimeOffset"/>.</summary>
    public const long MaxTime = 253_402_300_799;

    private static readonly SearchValues<char> IdAlphabet =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    internal static bool IsId(string value) =>
        value.Length is > 0 and <= MaxIdLength && !value.AsSpan().ContainsAnyExcept(IdAlphabet);

    /// <summary>Non-empty, bounded, and no NUL (which PostgreSQL text cannot hold, so no lookup could match it).</summary>
    internal static bool IsText(string value, int maxLength) =>
        value.Length > 0 && value.Length <= maxLength && !value.Contains('\0', StringComparison.Ordinal);

    /// <summary>
    /// The one length rule of a session token, wherever one arrives (a body's string, a Bearer header) or is minted:
    /// at most <see cref="MaxTokenBytes"/> bytes of UTF-8. A genuine token is base64url, one byte a character; a string
    /// that is not one is measured as it would travel, so every endpoint refuses the same strings as too long.
    /// </summary>
    public static bool IsWithinMaxLength(ReadOnlySpan<char> token) => CompactJws.IsWithinBytes(token, MaxTokenBytes);

    internal static bool IsTime(long value) => value is >= 0 and <= MaxTime;
}
