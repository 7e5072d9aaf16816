namespace Connect.Application.SessionTokens;

/// <summary>
/// The one gate of every endpoint that takes a session token (<c>/refresh</c>, <c>/logout</c>, <c>/introspect</c>,
/// <c>/userinfo</c>, <c>/claim-state</c>), in docs/contract/sessions.md's order, for either kind of token
/// (<see cref="SessionTokenKind"/>: the kinds differ only by how they are read and the reasons they answer):
/// <list type="number">
/// <item>steps 3 to 5: structure and type, the <c>iss</c> (this service's own, exactly: a token another deployment
/// minted is no token here, and checking it before any key costs nothing), the application its <c>aud</c> names, and
/// the signature under that application's published key named by <c>kid</c>;</item>
/// <item>where the endpoint judges it (the Bearer ones), the token's <c>exp</c> on the injected clock;</item>
/// <item>step 6: the session's budget under its application's ceiling, spent once, and only for a token whose
/// signature verified (<c>RateLimited</c>);</item>
/// <item>the endpoint's one statement, which also confirms the keys the token verified under: when it says the
/// application moved on from them, and changed nothing, the token is verified again with the keys read anew and the
/// statement runs once more (<see cref="PassAsync"/>); for the endpoints that only read the session first, that
/// statement is the session read (<see cref="ReadSessionAsync"/>).</item>
/// </list>
/// <para>
/// Verification uses the kept copy of the application's keys without reading anything, and the verified token
/// carries the revision of that copy, unconfirmed; the endpoint's statement confirms it (docs/decisions.md, "Session
/// endpoints in one round trip"). A bad signature under a kept key is refused without a read (the kid is the key's
/// thumbprint). Only when no copy is kept, or the kept copy has no key with the token's kid (the key may be new), is
/// the application's revision read first, as the confirming pass always does, and then as one read shared by
/// concurrent requests for the anchor, whose answer (no such application; no such key at the revision just read)
/// stands for a second (docs/security.md, "What an unauthenticated caller costs"). So a flood of forged tokens costs
/// at most one indexed read per anchor a second and no session lookup or budget, and a key just added on another
/// instance verifies here within that second.
/// </para>
/// Once a signature verifies, and only then, the request's observation is told the application and the session,
/// so the access log of every session-token endpoint names them.
/// </summary>
public sealed class SessionTokenGate(
    SessionTokenCodec codec,
    SigningKeyRing keys,
    IApplicationRateBudget budget,
    ISessionStore sessions,
    TimeProvider clock,
    IRequestObservation? observation = null)
{
    /// <summary>
    /// The gate of an endpoint that reads the session before it answers (<c>/logout</c>, <c>/introspect</c>,
    /// <c>/userinfo</c>, <c>/claim-state</c>): the checks, then <see cref="ISessionStore.FindAsync(SessionId, AppId, CancellationToken)"/>,
    /// one round trip that returns the session with the revision of the token's application beside it. A session
    /// the read shows ended for good is told to the budget (<see cref="IApplicationRateBudget.SessionEnded"/>).
    /// </summary>
    /// <param name="judgeExpiry">Refuse a token whose <c>exp</c> has passed (<see cref="SessionTokenKind{TClaims}.Invalid"/>),
    /// before the budget and the read, which it makes pointless.</param>
    /// <returns>The token as finally verified and its session (or none); or the reason of the first check that failed.</returns>
    public async Task<Outcome<SessionTokenPass<TClaims>>> ReadSessionAsync<TClaims>(
        SessionTokenKind<TClaims> kind, string? presented, bool judgeExpiry, Activity? activity, CancellationToken cancellationToken)
        where TClaims : class, ISessionTokenClaims
    {
        var passed = await PassAsync(
            kind, presented, judgeExpiry, activity, sessions,
            static (sessions, token, fromKeptCopy, cancellationToken) => ReadAsync(sessions, token, fromKeptCopy, cancellationToken),
            cancellationToken).ConfigureAwait(false);

        // A read that shows the session ended for good: its later requests spend no more of the application's ceiling.
        if (passed.Succeeded && passed.Value.Session is { } session && SessionStatusRules.HasEnded(session, clock.GetUtcNow()))
        {
            budget.SessionEnded(session.Id);
        }

        return passed;
    }

    /// <summary>
    /// The checks, then <paramref name="use"/>: the endpoint's one statement with the verified token. When the token
    /// verified under the kept copy and the statement found the application at another revision, it changes nothing and
    /// answers <see cref="KeptCopyAttempt.Stale{T}"/>; the token is then verified again with the keys read anew (the
    /// budget is not spent again: it is one request) and used once more, confirmed.
    /// </summary>
    /// <param name="state">Whatever <paramref name="use"/> needs, so that it can be a static lambda.</param>
    /// <param name="use">Called once with <c>fromKeptCopy</c> true (the statement must confirm the token's
    /// <see cref="VerifiedSessionToken{TClaims}.Revision"/>), and again with false, after the confirming verification,
    /// only when that answered stale; it must not answer stale then.</param>
    public async Task<Outcome<TResult>> PassAsync<TClaims, TState, TResult>(
        SessionTokenKind<TClaims> kind,
        string? presented,
        bool judgeExpiry,
        Activity? activity,
        TState state,
        Func<TState, VerifiedSessionToken<TClaims>, bool, CancellationToken, Task<KeptCopyAttempt<TResult>>> use,
        CancellationToken cancellationToken)
        where TClaims : class, ISessionTokenClaims
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(use);
        var verified = await VerifyAsync(kind, presented, confirm: false, cancellationToken).ConfigureAwait(false);
        if (!verified.Succeeded)
        {
            return verified.Failure;
        }

        var token = verified.Value;
        activity?.SetTag("connect.application.anchor", token.Anchor.Value);

        // The token's own exp, on the injected clock (a refresh token's is its session's, judged with the session).
        if (judgeExpiry && clock.GetUtcNow().ToUnixTimeSeconds() >= token.Claims.ExpiresAt)
        {
            return kind.Invalid;
        }

        // The session's own budget under the application's ceiling: one token cannot starve its application.
        if (!budget.TrySpend(token.Anchor, new SessionId(token.Claims.SessionId)))
        {
            return ReasonCode.RateLimited;
        }

        var attempt = await use(state, token, true, cancellationToken).ConfigureAwait(false);
        if (!attempt.IsStale)
        {
            return attempt.Answer;
        }

        // The application changed since this instance kept its keys (a key removed, added or raised, the application
        // disabled or deleted): nothing was changed, and the request is judged again from verification, confirmed by
        // reads as before.
        activity?.SetTag("connect.keys_reloaded", true);
        var confirmed = await VerifyAsync(kind, presented, confirm: true, cancellationToken).ConfigureAwait(false);
        if (!confirmed.Succeeded)
        {
            return confirmed.Failure;
        }

        var again = await use(state, confirmed.Value, false, cancellationToken).ConfigureAwait(false);
        return again.IsStale
            ? throw new InvalidOperationException("A token verified under keys read for this request was answered as verified under a stale copy.")
            : again.Answer;
    }

    private static async Task<KeptCopyAttempt<SessionTokenPass<TClaims>>> ReadAsync<TClaims>(
        ISessionStore sessions, VerifiedSessionToken<TClaims> token, bool fromKeptCopy, CancellationToken cancellationToken)
        where TClaims : class, ISessionTokenClaims
    {
        var id = new SessionId(token.Claims.SessionId);
        if (!fromKeptCopy)
        {
            // Verified again with keys read for this request: nothing left to confirm.
            return new SessionTokenPass<TClaims>(token, await sessions.FindAsync(id, cancellationToken).ConfigureAwait(false));
        }

        var read = await sessions.FindAsync(id, token.Application, cancellationToken).ConfigureAwait(false);
        return token.Confirmed || read.ApplicationRevision == token.Revision
            ? new SessionTokenPass<TClaims>(token, read.Session)
            : KeptCopyAttempt.Stale<SessionTokenPass<TClaims>>();
    }

    /// <param name="confirm">Read the application's revision before trusting the kept copy.</param>
    private async Task<Outcome<VerifiedSessionToken<TClaims>>> VerifyAsync<TClaims>(
        SessionTokenKind<TClaims> kind, string? presented, bool confirm, CancellationToken cancellationToken)
        where TClaims : class, ISessionTokenClaims
    {
        var read = kind.Read(codec, presented);
        if (!read.Succeeded)
        {
            return read.Failure;
        }

        var unverified = read.Value;
        if (!codec.IsOwnIssuer(unverified.Claims.Issuer))
        {
            return kind.Invalid;
        }

        var anchor = new ApplicationAnchor(unverified.Claims.Audience);
        var key = await FindKeyAsync(anchor, unverified, confirm, cancellationToken).ConfigureAwait(false);
        if (key.Outcome != KeyOutcome.Verified)
        {
            return key.Outcome == KeyOutcome.UnknownApplication ? kind.Invalid : kind.InvalidSignature;
        }

        observation?.SignedBy(anchor);
        observation?.ConcernsSession(new SessionId(unverified.Claims.SessionId));
        return new VerifiedSessionToken<TClaims>(key.Application, anchor, unverified.KeyId, unverified.Claims)
        {
            Revision = key.Revision,
            Confirmed = key.Confirmed,
        };
    }

    // A ValueTask: the kept-copy path allocates no task.
    private async ValueTask<FoundKey> FindKeyAsync<TClaims>(
        ApplicationAnchor anchor, UnverifiedSessionToken<TClaims> token, bool confirm, CancellationToken cancellationToken)
        where TClaims : class, ISessionTokenClaims
    {
        if (!confirm)
        {
            if (keys.FindKeptPublishedKey(anchor, token.KeyId) is { } kept)
            {
                // A kid is its key's thumbprint: a read could find this very key or none, and the signature fails
                // under both, so a bad signature under a kept key is refused without a read (docs/security.md).
                return new FoundKey(
                    codec.Verifies(token, kept.Key) ? KeyOutcome.Verified : KeyOutcome.BadSignature, kept.Application, kept.Revision, Confirmed: false);
            }

            // A read a moment ago already said no: an unknown aud, or a kid the current copy lacks.
            if (keys.IsKnownUnknown(anchor))
            {
                return new FoundKey(KeyOutcome.UnknownApplication, default, 0, Confirmed: false);
            }

            if (keys.IsKnownWithoutKey(anchor, token.KeyId))
            {
                return new FoundKey(KeyOutcome.BadSignature, default, 0, Confirmed: false);
            }
        }

        var found = await keys.FindPublishedKeyAsync(anchor, token.KeyId, cancellationToken, unverified: !confirm).ConfigureAwait(false);
        if (found is not { } application)
        {
            return new FoundKey(KeyOutcome.UnknownApplication, default, 0, Confirmed: true);
        }

        var verified = application.Key is { } key && codec.Verifies(token, key);
        return new FoundKey(verified ? KeyOutcome.Verified : KeyOutcome.BadSignature, application.Application, application.Revision, Confirmed: true);
    }

    private enum KeyOutcome
    {
        Verified,
        UnknownApplication,
        BadSignature,
    }

    private readonly record struct FoundKey(KeyOutcome Outcome, AppId Application, long Revision, bool Confirmed);
}

/// <summary>A session token of either kind whose signature verified under its application's published key; an access
/// token's expiry is judged only where the endpoint asked the gate to.</summary>
/// <param name="Application">The application its <c>aud</c> names.</param>
/// <param name="KeyId">The signing key that verified it.</param>
public sealed record VerifiedSessionToken<TClaims>(AppId Application, ApplicationAnchor Anchor, string KeyId, TClaims Claims)
    where TClaims : class, ISessionTokenClaims
{
    /// <summary>The revision of the application's keys the signature verified under.</summary>
    public long Revision { get; init; }

    /// <summary>Whether <see cref="Revision"/> was read from the database for this request; otherwise it is the kept
    /// copy's, and the request's own statement must confirm it.</summary>
    public bool Confirmed { get; init; }
}

/// <summary>What <see cref="SessionTokenGate.ReadSessionAsync"/> lets through: the token as finally verified (its
/// application, anchor and claims, the subject among an access token's) and the session it names, or none.</summary>
public sealed record SessionTokenPass<TClaims>(VerifiedSessionToken<TClaims> Token, SessionState? Session)
    where TClaims : class, ISessionTokenClaims;

/// <summary>
/// What an endpoint's statement made of a token verified under the kept copy: its answer, or stale (the default):
/// the application had moved on from the copy's revision, and nothing was changed.
/// </summary>
public readonly struct KeptCopyAttempt<T>
{
    private readonly bool _answered;

    private KeptCopyAttempt(Outcome<T> answer)
    {
        Answer = answer;
        _answered = true;
    }

    /// <summary>The kept copy was not current; the gate verifies again with keys read anew.</summary>
    public bool IsStale => !_answered;

    public Outcome<T> Answer { get; }

#pragma warning disable CA2225 // KeptCopyAttempt.Stale and these conversions are the whole surface
    public static implicit operator KeptCopyAttempt<T>(Outcome<T> answer) => new(answer);

    public static implicit operator KeptCopyAttempt<T>(T value) => new(value);

    public static implicit operator KeptCopyAttempt<T>(ReasonCode reason) => new(reason);
#pragma warning restore CA2225
}

/// <summary>The stale <see cref="KeptCopyAttempt{T}"/>.</summary>
public static class KeptCopyAttempt
{
    public static KeptCopyAttempt<T> Stale<T>() => default;
}
