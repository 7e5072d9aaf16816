namespace Connect.Api.Authentication;

/// <summary>
/// Configuration section <c>Connect:RateLimit</c>: the application's ceiling and <c>/revoke-all</c>'s bucket (the
/// contract's 100, refilled at 50 a second, each), each session's own, smaller bucket, and each client address's
/// bucket on the paths that carry no credential (<see cref="AddressBudget"/>), with the proxies whose
/// <c>X-Forwarded-For</c> names that address (<see cref="ClientAddresses"/>).
/// </summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "Connect:RateLimit";

    public int BurstLimit { get; set; } = 100;

    public int TokensPerSecond { get; set; } = 50;

    /// <summary>One session's burst: a fifth of the ceiling, so one token cannot spend its application's budget.</summary>
    public int SessionBurstLimit { get; set; } = 20;

    public int SessionTokensPerSecond { get; set; } = 10;

    /// <summary>
    /// One client address's burst on JWKS, <c>/status-poll</c>, <c>/redeem</c> and <c>/info</c> together: generous,
    /// because an application's back end polls all its users' sign-ins from one address.
    /// </summary>
    public int AddressBurstLimit { get; set; } = 600;

    /// <summary>At least 1, so that <c>Retry-After: 1</c> always brings the next token.</summary>
    public int AddressTokensPerSecond { get; set; } = 300;

    /// <summary>
    /// The proxies (IP addresses) whose right-most <c>X-Forwarded-For</c> entry is taken as the client's address;
    /// nobody else's header is read. Empty by default: the client is the socket's peer.
    /// </summary>
    public IList<string> TrustedProxies { get; } = [];

    /// <summary>What is wrong with these figures, or <c>null</c>; checked at start.</summary>
    public string? Problem()
    {
        var counts = new (string Name, int Value)[]
        {
            (nameof(BurstLimit), BurstLimit), (nameof(TokensPerSecond), TokensPerSecond),
            (nameof(SessionBurstLimit), SessionBurstLimit), (nameof(SessionTokensPerSecond), SessionTokensPerSecond),
            (nameof(AddressBurstLimit), AddressBurstLimit), (nameof(AddressTokensPerSecond), AddressTokensPerSecond),
        };
        if (counts.FirstOrDefault(count => count.Value < 1) is { Name: { } name })
        {
            return $"{SectionName}:{name} must be at least 1.";
        }

        return TrustedProxies.FirstOrDefault(proxy => !IPAddress.TryParse(proxy, out _)) is { } bad
            ? $"{SectionName}:TrustedProxies: '{bad}' is not an IP address."
            : null;
    }
}

/// <summary>
/// The request budgets: the application's and the session's (<see cref="ApplicationRateBudget"/>), spent only once the
/// application is proved (a verified client JWT or a verified session token), so one application can never spend
/// another's budget and unauthenticated traffic never reaches it; and the client address's
/// (<see cref="AddressBudget"/>), only on the paths that have no credential step before their work.
/// </summary>
internal static class RateLimiting
{
    public static IServiceCollection AddRateBudgets(this IServiceCollection services)
    {
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RateLimitOptions>, RateLimitOptionsValidator>();
        services.AddSingleton<ClientAddresses>();
        services.AddRateLimiter(limiter => limiter.AddPolicy<string, AddressBudget>(AddressBudget.Policy));
        return services.AddSingleton<IApplicationRateBudget, ApplicationRateBudget>();
    }

    /// <summary>Names the figure that is wrong, so the one line at start says what to fix.</summary>
    private sealed class RateLimitOptionsValidator : IValidateOptions<RateLimitOptions>
    {
        public ValidateOptionsResult Validate(string? name, RateLimitOptions options) =>
            options.Problem() is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
    }

    internal static TokenBucketRateLimiterOptions Bucket(int burstLimit, int tokensPerSecond) => new()
    {
        TokenLimit = burstLimit,
        TokensPerPeriod = tokensPerSecond,
        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        QueueLimit = 0,
        AutoReplenishment = true,
    };
}
