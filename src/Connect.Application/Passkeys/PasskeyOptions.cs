namespace Connect.Application.Passkeys;

/// <summary>
/// The sign-in page's passkeys (configuration section <c>Connect:Passkeys</c>, docs/operations.md). Unset, the
/// public URL is the session tokens' issuer, and the relying party and the one allowed origin follow from it.
/// </summary>
public sealed class PasskeyOptions
{
    public const string SectionName = "Connect:Passkeys";

    /// <summary>Where people reach the service: the sign-in page and the enrollment links live under it.</summary>
    public string? PublicUrl { get; set; }

    /// <summary>The WebAuthn relying-party id: the public URL's host, or a registrable suffix of it.</summary>
    public string? RelyingPartyId { get; set; }

    /// <summary>The origins a ceremony may come from (exact, scheme://host[:port]); unset, the public URL's.</summary>
    public IList<string> Origins { get; } = [];

    /// <summary>What the authenticator shows as the site a passkey is for.</summary>
    public string RelyingPartyName { get; set; } = "Connect";

    /// <summary>How long the browser may wait for the person; the challenge itself dies with its inquiry.</summary>
    public int CeremonyTimeoutSeconds { get; set; } = 120;

    /// <summary>An enrollment link's lifetime when <c>--expires-in</c> is not given (24 hours).</summary>
    public const int DefaultEnrollmentLinkSeconds = 86_400;

    /// <summary>The longest an enrollment link may live (30 days).</summary>
    public const int MaxEnrollmentLinkSeconds = 2_592_000;

    /// <summary>
    /// The configured public URL, else the issuer's. A loopback IP address becomes <c>localhost</c>: WebAuthn refuses an
    /// IP address as relying-party id, and localhost reaches the same service (as <c>./connect up</c> serves it).
    /// </summary>
    public string EffectivePublicUrl
    {
        get
        {
            var url = (string.IsNullOrWhiteSpace(PublicUrl) ? FallbackPublicUrl : PublicUrl).TrimEnd('/');
            return Uri.TryCreate(url, UriKind.Absolute, out var parsed) && parsed.IsLoopback && parsed.HostNameType != UriHostNameType.Dns
                ? new UriBuilder(parsed) { Host = "localhost" }.Uri.AbsoluteUri.TrimEnd('/')
                : url;
        }
    }

    /// <summary>Set by the host from the session tokens' issuer.</summary>
    internal string FallbackPublicUrl { get; set; } = SessionTokens.SessionTokenOptions.DefaultIssuer;

    public string EffectiveRelyingPartyId =>
        string.IsNullOrWhiteSpace(RelyingPartyId) ? new Uri(EffectivePublicUrl).Host : RelyingPartyId;

    public IReadOnlyList<string> EffectiveOrigins =>
        Origins.Count > 0 ? [.. Origins] : [new Uri(EffectivePublicUrl).GetLeftPart(UriPartial.Authority)];

    /// <summary>Why these options cannot be used, in one line; <c>null</c> when they can.</summary>
    public string? Problem()
    {
        if (!Uri.TryCreate(EffectivePublicUrl, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
        {
            return $"{SectionName}:PublicUrl must be an absolute http or https URL.";
        }

        if (CeremonyTimeoutSeconds is < 10 or > 600)
        {
            return $"{SectionName}:CeremonyTimeoutSeconds must be 10 to 600.";
        }

        foreach (var origin in EffectiveOrigins)
        {
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var parsed) || parsed.GetLeftPart(UriPartial.Authority) != origin)
            {
                return $"{SectionName}:Origins must each be scheme://host[:port], with nothing after it ('{origin}' is not).";
            }
        }

        return null;
    }
}
