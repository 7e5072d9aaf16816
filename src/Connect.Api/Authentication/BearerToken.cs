using Connect.Application.SessionTokens;
using Microsoft.Extensions.Primitives;

namespace Connect.Api.Authentication;

/// <summary>The access token of an <c>Authorization: Bearer</c> header (RFC 6750 §2.1), read strictly.</summary>
internal static class BearerToken
{
    private const string Scheme = "Bearer ";

    /// <returns>
    /// The token, or <c>null</c> for no header, several, another scheme, or a value no access token could be (empty,
    /// longer than a token may be, or with anything but the token after the one space).
    /// </returns>
    public static string? From(StringValues authorization)
    {
        if (authorization.Count != 1 || authorization[0] is not { } value)
        {
            return null;
        }

        // The scheme is case-insensitive (RFC 9110 §11.1); the token is b64token, so no whitespace inside it.
        if (!value.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase)
            || value.Length == Scheme.Length
            || value.Length - Scheme.Length > SessionTokenLimits.MaxTokenLength)
        {
            return null;
        }

        var token = value[Scheme.Length..];
        return token.AsSpan().ContainsAny(' ', '\t') ? null : token;
    }
}
