namespace Connect.Application.SigningKeys;

/// <summary>
/// What the unauthenticated paths of <see cref="SigningKeyRing"/> (a session token that the kept copy cannot verify,
/// a JWKS request) last read about each anchor, so that a flood of them costs at most one round trip per anchor a
/// second, as <c>ClientApplicationCache</c> does for the client JWT:
/// <list type="bullet">
/// <item>an anchor read as unknown is answered unknown for <see cref="UnknownLifetime"/> without reading again (a
/// newly registered application is found within that second, on every instance);</item>
/// <item>an anchor read less than <see cref="ConfirmedLifetime"/> ago at a revision is not read again to look for a
/// key id its copy at that revision lacks (a new key moves the revision, and is found within that second);</item>
/// <item>concurrent reads of one anchor are one read.</item>
/// </list>
/// Nothing kept here ever lets a token through: it only refuses, where a read a moment ago refused the same.
/// </summary>
internal sealed class AnchorReads(TimeProvider clock)
{
    // Made-up anchors: bounds memory against callers, who choose them.
    internal const int MaxAnchors = 10_000;

    internal static readonly TimeSpan UnknownLifetime = TimeSpan.FromSeconds(1);

    internal static readonly TimeSpan ConfirmedLifetime = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, long> _unknown = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (long Revision, long ReadAt)> _found = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Task<(AppId Application, long Revision)?>> _reading = new(StringComparer.Ordinal);

    /// <summary>Whether a read less than <see cref="UnknownLifetime"/> ago found no application with this anchor.</summary>
    public bool IsKnownUnknown(ApplicationAnchor anchor) =>
        _unknown.TryGetValue(anchor.Value, out var readAt) && clock.GetElapsedTime(readAt) < UnknownLifetime;

    /// <summary>Whether a read less than <see cref="ConfirmedLifetime"/> ago found the anchor's application at <paramref name="revision"/>.</summary>
    public bool IsRecentlyConfirmed(ApplicationAnchor anchor, long revision) =>
        _found.TryGetValue(anchor.Value, out var found) && found.Revision == revision
        && clock.GetElapsedTime(found.ReadAt) < ConfirmedLifetime;

    /// <summary>
    /// Reads the anchor's application and revision through <paramref name="read"/>, sharing one read among concurrent
    /// callers, and keeps what it found. The read runs with the token of the caller that started it; should that
    /// caller leave, the others read for themselves.
    /// </summary>
    public async Task<(AppId Application, long Revision)?> ReadAsync(
        ApplicationAnchor anchor,
        Func<ApplicationAnchor, CancellationToken, Task<(AppId Application, long Revision)?>> read,
        CancellationToken cancellationToken)
    {
        var mine = new TaskCompletionSource<(AppId Application, long Revision)?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var shared = _reading.GetOrAdd(anchor.Value, mine.Task);
        if (shared == mine.Task)
        {
            _ = ReadForAllAsync(anchor, read, mine, cancellationToken);
        }

        try
        {
            return await shared.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Remember(anchor, await read(anchor, cancellationToken).ConfigureAwait(false));
        }
    }

    private (AppId Application, long Revision)? Remember(ApplicationAnchor anchor, (AppId Application, long Revision)? found)
    {
        var now = clock.GetTimestamp();
        if (_unknown.Count >= MaxAnchors)
        {
            _unknown.Clear();
        }

        if (_found.Count >= MaxAnchors)
        {
            _found.Clear();
        }

        if (found is { } application)
        {
            _unknown.TryRemove(anchor.Value, out _);
            _found[anchor.Value] = (application.Revision, now);
        }
        else
        {
            _found.TryRemove(anchor.Value, out _);
            _unknown[anchor.Value] = now;
        }

        return found;
    }

    private async Task ReadForAllAsync(
        ApplicationAnchor anchor,
        Func<ApplicationAnchor, CancellationToken, Task<(AppId Application, long Revision)?>> read,
        TaskCompletionSource<(AppId Application, long Revision)?> result,
        CancellationToken cancellationToken)
    {
        try
        {
            result.SetResult(Remember(anchor, await read(anchor, cancellationToken).ConfigureAwait(false)));
        }
        catch (Exception exception)
        {
            result.SetException(exception);
        }
        finally
        {
            _reading.TryRemove(KeyValuePair.Create(anchor.Value, result.Task));
        }
    }
}
