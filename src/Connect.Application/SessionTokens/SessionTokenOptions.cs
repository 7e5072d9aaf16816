namespace Connect.Application.SessionTokens;

/// <summary>Configurable parts of the session tokens (configuration section <c>Connect:SessionTokens</c>).</summary>
public sealed class SessionTokenOptions
{
    public const string SectionName = "Connect:SessionTokens";

    /// <summary>The issuer when neither <see cref="Issuer"/> nor the host's <c>Urls</c> names one: where <c>./connect up</c> serves.</summary>
    public const string DefaultIssuer = "http://127.0.0.1:5080";

    public const int DefaultAccessTokenLifetimeSeconds = 900;

    /// <summary>
    /// The <c>iss</c> of every token: an absolute http(s) URI of at most <see cref="SessionTokenLimits.MaxIssuerLength"/>
    /// characters. When not set, the first entry of the host's <c>Urls</c> (the service's own base URL), else
    /// <see cref="DefaultIssuer"/>; never a request's Host header, which the caller chooses.
    /// </summary>
    public string? Issuer { get; set; }

    /// <summary>An access token's lifetime, 1 second to 1 hour; never past its session's expiry.</summary>
    public int AccessTokenLifetimeSeconds { get; set; } = DefaultAccessTokenLifetimeSeconds;

    internal const int MaxAccessTokenLifetimeSeconds = 3600;

    /// <summary>Why these options cannot be used, in one line; <c>null</c> when they can.</summary>
    internal string? Problem()
    {
        if (AccessTokenLifetimeSeconds is < 1 or > MaxAccessTokenLifetimeSeconds)
        {
            return $"{SectionName}:AccessTokenLifetimeSeconds must be 1 to {MaxAccessTokenLifetimeSeconds}.";
        }

        return IsUsableIssuer(EffectiveIssuer)
            ? null
            : $"{SectionName}:Issuer must be an absolute http or https URI of at most {SessionTokenLimits.MaxIssuerLength} " +
              "characters without user info, query or fragment (when not set, the first of Urls must be one).";
    }

    /// <summary>The configured issuer, or <see cref="DefaultIssuer"/> when none is set.</summary>
    internal string EffectiveIssuer => string.IsNullOrWhiteSpace(Issuer) ? DefaultIssuer : Issuer;

    /// <summary>The issuer an unset <see cref="Issuer"/> stands for: the first of the host's <c>Urls</c>, else the default.</summary>
    internal static string IssuerFromUrls(string? urls)
    {
        var first = urls?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        return string.IsNullOrEmpty(first) ? DefaultIssuer : first.TrimEnd('/');
    }

    /// <summary>
    /// RFC 7519 §4.1.1 asks only for a StringOrURI; an absolute URI a client can compare as it is written. A
    /// wildcard listening address (<c>http://*:5080</c>, <c>http://+:80</c>, <c>http://0.0.0.0:80</c>,
    /// <c>http://[::]:80</c>) names no host and is refused.
    /// </summary>
    private static bool IsUsableIssuer(string? issuer) =>
        issuer is { Length: > 0 and <= SessionTokenLimits.MaxIssuerLength }
        && Uri.TryCreate(issuer, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
        && uri.UserInfo.Length == 0 && uri.Query.Length == 0 && uri.Fragment.Length == 0
        && uri.Host is { Length: > 0 } host && host is not ("*" or "+")
        && !(IPAddress.TryParse(host.Trim('[', ']'), out var address) && (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any)))
        && !issuer.Any(char.IsWhiteSpace) && !issuer.Any(char.IsControl);
}

/// <summary>Stops the start with one plain line when the session-token settings cannot be used.</summary>
internal sealed class SessionTokenOptionsValidator : IValidateOptions<SessionTokenOptions>
{
    public ValidateOptionsResult Validate(string? name, SessionTokenOptions options) =>
        options.Problem() is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
}
