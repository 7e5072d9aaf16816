namespace Connect.Application.ApplicationInfo;

/// <summary>
/// <c>POST /info</c>: an application's name for people and the public key of its current token-signing key.
/// </summary>
/// <param name="Locale">A BCP 47 tag. No name is kept per locale, so every locale falls back to the display name.</param>
public sealed record ApplicationInfoQuery(string? ApplicationAnchor, string? Locale) : IRequest<Outcome<ApplicationInfoResult>>
{
    /// <summary>RFC 5646 §4.4.1 asks implementations to handle tags of at least 35 characters; this allows more.</summary>
    public const int MaxLocaleLength = 64;
}

/// <param name="ApplicationPublicKey">The current token-signing key's public key as a PEM SubjectPublicKeyInfo.</param>
public sealed record ApplicationInfoResult(string ApplicationAnchor, string ApplicationName, string ApplicationPublicKey);
