namespace Connect.Application.Inquiries;

/// <summary>
/// The methods an inquiry may name (docs/contract/sign-in.md). Those this service supports; those the upstream spec
/// (connect.yaml 2.0.x) names but this service does not offer, answered MethodUnavailable; anything else is not a
/// method at all, answered InvalidBody.
/// </summary>
public static class SignInMethods
{
    public const string PasskeyUsernameless = "PASSKEY_USERNAMELESS";
    public const string Everyone = "EVERYONE";
    public const string SectorSubject = "SECTOR_SUBJECT";
    public const string StatusPoll = "STATUS_POLL";
    public const string Callback = "CALLBACK";

    public static IReadOnlySet<string> SupportedAuthentication { get; } = new HashSet<string>(StringComparer.Ordinal) { PasskeyUsernameless };

    public static IReadOnlySet<string> UpstreamAuthentication { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        PasskeyUsernameless, "PASSKEY_REASONED", "EMAIL_VERIFICATION", "STEAM_TICKET", "STEAM_OPENID",
        "ACCESS_KEY_DIRECT", "GOOGLE_OAUTH", "GITHUB_OAUTH", "DISCORD_OAUTH", "BATTLENET_OAUTH", "X_OAUTH",
    };

    public static IReadOnlySet<string> SupportedRealize { get; } = new HashSet<string>(StringComparer.Ordinal) { Everyone, SectorSubject };

    public static IReadOnlySet<string> UpstreamRealize { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        Everyone, SectorSubject, "EMAIL", "STEAM_ID", "ACCOUNT_ALIAS",
    };

    public static IReadOnlySet<string> SupportedReturn { get; } = new HashSet<string>(StringComparer.Ordinal) { StatusPoll, Callback };

    public static IReadOnlySet<string> UpstreamReturn { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        StatusPoll, Callback, "REVEAL", "DIRECT_ISSUE", "OIDC",
    };
}
