namespace Connect.Application.SigningKeys;

/// <summary>
/// Decides each key's state from its stored times and the moment asked about; pure, so the clock is the caller's.
/// <list type="bullet">
/// <item>removed on purpose: removed;</item>
/// <item>not yet at its <c>current_from</c>: next (published, so no client's cached JWKS lacks it when it signs);</item>
/// <item>the highest generation that has reached its <c>current_from</c>: current;</item>
/// <item>any older such key: retiring while a token it signed may still be valid (before <c>signs_until</c>),
/// removed after.</item>
/// </list>
/// </summary>
public static class SigningKeyLifecycle
{
    /// <summary>The most keys an application publishes at once (docs/contract/sessions.md).</summary>
    public const int MaxPublishedKeys = 32;

    public static StoredSigningKey? Current(IEnumerable<StoredSigningKey> keys, DateTimeOffset now) =>
        keys.Where(key => key.RemovedAt is null && key.CurrentFrom <= now).MaxBy(key => key.Generation);

    public static SigningKeyState StateOf(StoredSigningKey key, IReadOnlyCollection<StoredSigningKey> keys, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.RemovedAt is not null)
        {
            return SigningKeyState.Removed;
        }

        if (key.CurrentFrom > now)
        {
            return SigningKeyState.Next;
        }

        if (Current(keys, now) is { } current && current.Generation == key.Generation)
        {
            return SigningKeyState.Current;
        }

        // A token expires at its exp: from signs_until on, nothing this key signed can still be valid.
        return now < key.SignsUntil ? SigningKeyState.Retiring : SigningKeyState.Removed;
    }

    /// <summary>The keys the JWKS shows and verifiers accept (next, current, retiring), newest first.</summary>
    public static IReadOnlyList<StoredSigningKey> Published(IReadOnlyCollection<StoredSigningKey> keys, DateTimeOffset now) =>
        keys.Where(key => StateOf(key, keys, now) != SigningKeyState.Removed)
            .OrderByDescending(key => key.Generation)
            .Take(MaxPublishedKeys)
            .ToList();

    /// <summary>The generation the next key of this application takes.</summary>
    public static int NextGeneration(IEnumerable<StoredSigningKey> keys) => keys.Select(key => key.Generation).DefaultIfEmpty(0).Max() + 1;

    /// <summary>
    /// The bound a key's <c>signs_until</c> is raised to before it signs a token expiring at <paramref name="expiresAt"/>:
    /// the next UTC midnight, so the store is written about once a day per key rather than once per token. A key
    /// therefore stays published up to a day longer than strictly needed, which costs nothing.
    /// </summary>
    public static DateTimeOffset SignsUntilFor(DateTimeOffset expiresAt)
    {
        var day = new DateTimeOffset(expiresAt.UtcDateTime.Date, TimeSpan.Zero);
        return day == expiresAt ? day : day.AddDays(1);
    }
}
