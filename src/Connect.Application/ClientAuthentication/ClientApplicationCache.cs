namespace Connect.Application.ClientAuthentication;

/// <summary>
/// What this instance last read about each anchor, so that a request, genuine or forged, seldom costs a round
/// trip. <see cref="ClientJwtPolicy"/> accepts a request checked against a kept copy only when the replay record,
/// written in the same statement as a check of the application's revision, confirms the copy was current: a kept
/// copy can never let through what the current state refuses. It may refuse from what it keeps only where a read
/// cannot change the answer or was just made:
/// <list type="bullet">
/// <item>an anchor read as unknown is refused for <see cref="UnknownLifetime"/> without reading again (a newly
/// registered application is accepted within that second, on every instance);</item>
/// <item>a signature the copy cannot verify is read again only when the token's <c>kid</c> is not one of the copy's
/// keys (a <c>kid</c> is the key's thumbprint: the same <c>kid</c> is the same key), and not again for
/// <see cref="ReReadInterval"/> once a read found the copy current;</item>
/// <item>concurrent reads of one anchor are one read.</item>
/// </list>
/// Every copy is read again after <see cref="CopyLifetime"/>, a backstop should a change ever bypass the revision.
/// </summary>
internal sealed class ClientApplicationCache(TimeProvider clock)
{
    // Registered applications: bounds memory against a flood of registrations, not against callers.
    internal const int MaxApplications = 10_000;

    // Made-up anchors: bounds memory against callers; a flood of them is the front proxy's to limit per source.
    internal const int MaxUnknownAnchors = 10_000;

    internal static readonly TimeSpan UnknownLifetime = TimeSpan.FromSeconds(1);

    internal static readonly TimeSpan ReReadInterval = TimeSpan.FromSeconds(1);

    internal static readonly TimeSpan CopyLifetime = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<ApplicationAnchor, Kept> _applications = new();
    private readonly ConcurrentDictionary<ApplicationAnchor, long> _unknown = new();
    private readonly ConcurrentDictionary<ApplicationAnchor, Task<ClientApplication?>> _reading = new();

    /// <summary>The kept copy of the anchor's application, if one younger than <see cref="CopyLifetime"/> is kept.</summary>
    public ClientApplication? Find(ApplicationAnchor anchor) =>
        _applications.TryGetValue(anchor, out var kept) && clock.GetElapsedTime(kept.ReadAt) < CopyLifetime
            ? kept.Application
            : null;

    /// <summary>Whether a read less than <see cref="UnknownLifetime"/> ago found no application with this anchor.</summary>
    public bool IsKnownUnknown(ApplicationAnchor anchor)
    {
        if (!_unknown.TryGetValue(anchor, out var readAt))
        {
            return false;
        }

        if (clock.GetElapsedTime(readAt) < UnknownLifetime)
        {
            return true;
        }

        _unknown.TryRemove(KeyValuePair.Create(anchor, readAt));
        return false;
    }

    /// <summary>
    /// Whether reading <paramref name="copy"/>'s anchor again may find something new: not when a read in the last
    /// <see cref="ReReadInterval"/> found that very revision after it refused a signature.
    /// </summary>
    public bool MayReadAgain(ApplicationAnchor anchor, ClientApplication copy) =>
        !(_applications.TryGetValue(anchor, out var kept)
            && kept.ConfirmedAt is { } confirmedAt
            && IsSameRevision(kept.Application, copy)
            && clock.GetElapsedTime(confirmedAt) < ReReadInterval);

    /// <summary>
    /// Reads the anchor through <paramref name="read"/>, sharing one read among concurrent callers. The read runs
    /// with the token of the caller that started it; should that caller leave, the others read for themselves.
    /// </summary>
    public async Task<ClientApplication?> ReadAsync(
        ApplicationAnchor anchor,
        Func<ApplicationAnchor, CancellationToken, Task<ClientApplication?>> read,
        CancellationToken cancellationToken)
    {
        var mine = new TaskCompletionSource<ClientApplication?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var shared = _reading.GetOrAdd(anchor, mine.Task);
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
            return await read(anchor, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Keeps what a read found for <paramref name="anchor"/>. <paramref name="refusedCopy"/> is the copy whose
    /// refusal of a signature caused the read: if the read found that same revision, the copy is confirmed current
    /// and is not read again for <see cref="ReReadInterval"/>.
    /// </summary>
    public void Remember(ApplicationAnchor anchor, ClientApplication? application, ClientApplication? refusedCopy = null)
    {
        var now = clock.GetTimestamp();
        if (application is null)
        {
            _applications.TryRemove(anchor, out _);
            if (_unknown.Count >= MaxUnknownAnchors)
            {
                _unknown.Clear();
            }

            _unknown[anchor] = now;
            return;
        }

        _unknown.TryRemove(anchor, out _);
        if (_applications.Count >= MaxApplications && !_applications.ContainsKey(anchor))
        {
            _applications.Clear();
        }

        long? confirmedAt = refusedCopy is not null && IsSameRevision(refusedCopy, application) ? now : null;
        var read = new Kept(application, now, confirmedAt);

        // Two requests may read the same application concurrently: keep the newer revision.
        _applications.AddOrUpdate(
            anchor,
            read,
            (_, current) => current.Application.Id == application.Id && current.Application.Revision > application.Revision ? current : read);
    }

    private static bool IsSameRevision(ClientApplication a, ClientApplication b) => a.Id == b.Id && a.Revision == b.Revision;

    private async Task ReadForAllAsync(
        ApplicationAnchor anchor,
        Func<ApplicationAnchor, CancellationToken, Task<ClientApplication?>> read,
        TaskCompletionSource<ClientApplication?> result,
        CancellationToken cancellationToken)
    {
        try
        {
            result.SetResult(await read(anchor, cancellationToken).ConfigureAwait(false));
        }
        catch (Exception exception)
        {
            result.SetException(exception);
        }
        finally
        {
            _reading.TryRemove(KeyValuePair.Create(anchor, result.Task));
        }
    }

    /// <param name="ConfirmedAt">When a read after a refused signature found this revision still current.</param>
    private sealed record Kept(ClientApplication Application, long ReadAt, long? ConfirmedAt);
}
