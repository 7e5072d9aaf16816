namespace Connect.Api.SignIn;

/// <summary>Configuration section <c>Connect:SignInPage</c>: the page's JSON calls' budgets (docs/operations.md).</summary>
public sealed class SignInPageOptions
{
    public const string SectionName = "Connect:SignInPage";

    /// <summary>Calls one client address may make per minute, over every inquiry (a sign-in is two calls).</summary>
    public int CallsPerMinutePerAddress { get; set; } = 60;

    /// <summary>Calls one inquiry (or enrollment link) may receive per minute, from every address together.</summary>
    public int CallsPerMinutePerInquiry { get; set; } = 20;
}

/// <summary>
/// What stands before the page's JSON calls: the caller's Origin must be one of the relying party's (a page
/// elsewhere must not drive a ceremony here), and two token buckets, per client address and per inquiry, bound
/// how fast anyone can try passkeys or exhaust an inquiry.
/// </summary>
public sealed class SignInPageGuard : IDisposable
{
    private readonly HashSet<string> _origins;
    private readonly PartitionedRateLimiter<string> _perAddress;
    private readonly PartitionedRateLimiter<string> _perInquiry;

    private readonly ClientAddresses _addresses;

    public SignInPageGuard(IOptions<PasskeyOptions> passkeys, IOptions<SignInPageOptions> options, ClientAddresses addresses)
    {
        _addresses = addresses;
        _origins = passkeys.Value.EffectiveOrigins.ToHashSet(StringComparer.Ordinal);
        _perAddress = PerMinute(options.Value.CallsPerMinutePerAddress);
        _perInquiry = PerMinute(options.Value.CallsPerMinutePerInquiry);
    }

    /// <summary>
    /// The Fetch standard sends Origin on every POST; one that is missing or not ours is refused, so that no other
    /// site can start or finish a ceremony in a person's browser.
    /// </summary>
    internal bool IsOwnOrigin(HttpRequest request) =>
        request.Headers.Origin is [{ } origin] && _origins.Contains(origin);

    /// <summary>
    /// One call's budget from both buckets; the address is the one the address budget spends by (the peer, or a
    /// trusted proxy's <c>X-Forwarded-For</c>); the inquiry is named by its key's hash, never the key.
    /// </summary>
    internal bool TryAcquire(HttpContext context, string inquiryKey)
    {
        using var byAddress = _perAddress.AttemptAcquire(_addresses.BudgetKey(context));
        if (!byAddress.IsAcquired)
        {
            return false;
        }

        using var byInquiry = _perInquiry.AttemptAcquire(Convert.ToBase64String(Application.SignIn.SignInRules.Hash(inquiryKey)));
        return byInquiry.IsAcquired;
    }

    public void Dispose()
    {
        _perAddress.Dispose();
        _perInquiry.Dispose();
    }

    private static PartitionedRateLimiter<string> PerMinute(int calls) =>
        PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = calls,
            TokensPerPeriod = calls,
            ReplenishmentPeriod = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));
}
