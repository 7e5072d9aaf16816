namespace Connect.Api.Authentication;

/// <summary>The access token of an <c>Authorization: Bearer</c> header (RFC 6750 §2.1), read strictly.</summary>
internal static class BearerToken
{
    private const string Scheme = "Bearer ";

    /// <returns>
    /// The token, or <c>null</c> for no header, several, another scheme, or a value no access token could be (empty,
    /// longer than a token may be, or with anything after the token).
    /// </returns>
    public static string? From(StringValues authorization)
    {
        if (authorization.Count != 1 || authorization[0] is not { } value)
        {
            return null;
        }

        // RFC 9110 §11.4: the scheme is case-insensitive and one or more spaces follow it; the token is b64token
        // (RFC 6750 §2.1), so nothing after it. The token is measured as the bodies' tokens are (bytes, not
        // characters) before anything else is done with it; Kestrel already bounds the whole header.
        if (!value.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var token = value.AsSpan(Scheme.Length).TrimStart(' ');
        return token.IsEmpty || !SessionTokenLimits.IsWithinMaxLength(token) || token.ContainsAny(' ', '\t')
            ? null
            : token.ToString();
    }
}
