namespace Connect.Application.Refresh;

/// <summary>
/// <c>POST /refresh</c> in docs/contract/sessions.md's order: the token (steps 3-5), the application's rate budget (6), then the
/// session. The rotation is tried first as the one conditional write (docs/decisions.md, "Sessions"): only when it
/// changes nothing is the session judged (<see cref="RefreshRules"/>, steps 7-11) to say why, so the common case is
/// one round trip and one commit, and the answers are those of the checks in their order.
/// <para>
/// That one round trip is also the only read of the application: the token is verified, and the signing key
/// chosen, from this instance's kept copy of the application's keys, and the write rotates only while the
/// application is still at that copy's revision (docs/decisions.md, "Session endpoints in one round trip"). When it
/// has moved on, nothing was rotated: the request is judged again from verification with the keys read anew, the
/// confirming path, whose write takes the application as those reads found it.
/// </para>
/// </summary>
public sealed class RefreshHandler(
    SessionTokenGate gate,
    IApplicationRateBudget rateBudget,
    ISessionStore sessions,
    SigningKeyRing signingKeys,
    SessionTokenCodec tokens,
    RefreshMetrics metrics,
    IOptions<RefreshOptions> options,
    TimeProvider clock)
    : IRequestHandler<RefreshCommand, Outcome<RefreshResult>>
{
    private readonly TimeSpan _graceWindow = options.Value.GraceWindow;

    private readonly int _adoptionAlertThreshold = options.Value.AdoptionAlertThreshold;

    public async Task<Outcome<RefreshResult>> Handle(RefreshCommand request, CancellationToken cancellationToken)
    {
        // Neither the token nor its sid is ever a tag: a span may leave the process.
        using var activity = ConnectTelemetry.Source.StartActivity("Refresh");

        // Steps 3-6 at the gate: nothing but the application's keys is read until the signature verified (and, when
        // this instance keeps a copy that verifies the token, not even they), then the session's budget. The rotation
        // below is the statement that confirms the kept copy; when the application moved on from it, nothing was
        // written and the gate verifies again with the keys read anew and comes back here once, confirmed.
        return await gate.PassAsync(
                SessionTokenKind.Refresh, request.RefreshToken, judgeExpiry: false, activity, (Handler: this, Activity: activity),
                static (state, token, fromKeptCopy, cancellationToken) => state.Handler.RefreshAsync(token, fromKeptCopy, state.Activity, cancellationToken),
                cancellationToken)
            .ConfigureAwait(false);
    }

    /// <param name="fromKeptCopy">Choose the signing key from the copy the token verified under, and make the write
    /// confirm that copy's revision; otherwise read the revision first and write without that condition.</param>
    /// <returns>The answer; stale (only <paramref name="fromKeptCopy"/>) when the kept copy was not current and
    /// nothing was written.</returns>
    private async Task<KeptCopyAttempt<RefreshResult>> RefreshAsync(
        VerifiedSessionToken<RefreshTokenClaims> token, bool fromKeptCopy, System.Diagnostics.Activity? activity, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var claims = token.Claims;
        var sessionId = new SessionId(claims.SessionId);

        // A refresh token's exp is its session's expiry (we signed it; a rotation never extends a session), so the
        // next version's claims are known before the session is read. Minted before the write, with the jti that
        // the write stores: the token answered is exactly the one the session now names.
        var sessionExpiresAt = DateTimeOffset.FromUnixTimeSeconds(claims.ExpiresAt);
        TokenSigningKey? key;
        if (fromKeptCopy)
        {
            key = await signingKeys.GetKeptCurrentSigningKeyAsync(token.Application, token.Revision, sessionExpiresAt, cancellationToken)
                .ConfigureAwait(false);
            if (key is null)
            {
                // Reloaded by another request since this one verified, or without a current key: confirm instead.
                return KeptCopyAttempt.Stale<RefreshResult>();
            }
        }
        else
        {
            key = await signingKeys.GetCurrentSigningKeyAsync(token.Application, sessionExpiresAt, cancellationToken).ConfigureAwait(false);
            if (key is null)
            {
                // The application was deleted since its key verified the token: it names nothing any more.
                return ReasonCode.RefreshTokenInvalid;
            }
        }

        var next = tokens.NewRefreshClaims(token.Anchor, claims.SessionId, claims.RotationVersion + 1, sessionExpiresAt);
        var nextToken = tokens.Mint(next, key);
        var attempt = await sessions.TryRotateAsync(
            new SessionRotation(
                sessionId, token.Application, claims.RotationVersion, claims.TokenId, next.TokenId,
                DateTimeOffset.FromUnixTimeSeconds(next.IssuedAt), key.KeyId, now, fromKeptCopy ? token.Revision : null),
            cancellationToken).ConfigureAwait(false);
        if (attempt.ApplicationChanged)
        {
            // Nothing rotated, and the session as that statement saw it must not be judged with these keys.
            return KeptCopyAttempt.Stale<RefreshResult>();
        }

        if (attempt.Rotated)
        {
            metrics.Count(RefreshMetrics.Rotated);
            activity?.SetTag("connect.refresh.outcome", RefreshMetrics.Rotated);
            return Answer(attempt.Before!, token, nextToken, key);
        }

        // Nothing rotated. If the statement's own snapshot already says why (step 7-11), that is the answer; if that
        // snapshot allowed the rotation, a concurrent write won the row: read what it left.
        var verdict = Judge(attempt.Before, token, now);
        activity?.SetTag("connect.refresh.verdict", verdict.ToString());
        if (verdict != RefreshVerdict.Rotate)
        {
            return await DecideAsync(verdict, attempt.Before, token, now, cancellationToken).ConfigureAwait(false);
        }

        var after = await sessions.FindAsync(sessionId, cancellationToken).ConfigureAwait(false);
        return await AfterLostRaceAsync(after, token, now, cancellationToken).ConfigureAwait(false);
    }

    private RefreshVerdict Judge(SessionState? session, VerifiedSessionToken<RefreshTokenClaims> token, DateTimeOffset now) =>
        RefreshRules.Judge(session, token.Application, token.Claims.RotationVersion, token.Claims.TokenId, now, _graceWindow);

    /// <summary>Steps 7-11 for a session whose state was not changed under this request.</summary>
    private async Task<Outcome<RefreshResult>> DecideAsync(
        RefreshVerdict verdict, SessionState? session, VerifiedSessionToken<RefreshTokenClaims> token, DateTimeOffset now, CancellationToken cancellationToken)
    {
        switch (verdict)
        {
            case RefreshVerdict.Adopt:
                return await AdoptAsync(session!, token, cancellationToken).ConfigureAwait(false);
            case RefreshVerdict.Reuse:
                // RFC 9700 §4.14.2: a consumed token presented again is evidence of theft; the whole session ends,
                // the thief's copy and the owner's alike, and the audit row is written by the same statement.
                await sessions.EndAsync(session!.Id, SessionEndReason.ReuseDetected, now, cancellationToken).ConfigureAwait(false);
                rateBudget.SessionEnded(session.Id);
                metrics.Count(RefreshMetrics.ReuseDetected);
                return ReasonCode.RefreshTokenFamilyCompromised;
            default:
                return Refusal(verdict, session);
        }
    }

    /// <summary>
    /// This request's conditional write lost to a concurrent one. The winner's rotation is adopted when it is exactly
    /// the next version and inside the grace window (every 200 then carries the same refresh token); a rotation it
    /// cannot adopt (the session moved on further, or was revoked after moving on) ends the session and answers the
    /// private, empty <c>RefreshTokenRotationRaceLost</c>. A winner that rotated nothing (a revocation, a disabled
    /// application) is answered as the checks would answer it now.
    /// </summary>
    private async Task<Outcome<RefreshResult>> AfterLostRaceAsync(
        SessionState? session, VerifiedSessionToken<RefreshTokenClaims> token, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var verdict = Judge(session, token, now);
        if (verdict == RefreshVerdict.Adopt)
        {
            return await AdoptAsync(session!, token, cancellationToken).ConfigureAwait(false);
        }

        if (session is null || (session.RotationVersion == token.Claims.RotationVersion && verdict != RefreshVerdict.Rotate))
        {
            return Refusal(verdict, session);
        }

        await sessions.EndAsync(session.Id, SessionEndReason.RotationRaceLost, now, cancellationToken).ConfigureAwait(false);
        rateBudget.SessionEnded(session.Id);
        metrics.Count(RefreshMetrics.RaceLost);
        return ReasonCode.RefreshTokenRotationRaceLost;
    }

    /// <summary>
    /// The previous version inside the grace window: answer the current version's refresh token byte for byte, by
    /// re-signing its stored claims with the key that signed it (RS256 is deterministic), and a fresh access token.
    /// </summary>
    private async Task<Outcome<RefreshResult>> AdoptAsync(SessionState session, VerifiedSessionToken<RefreshTokenClaims> token, CancellationToken cancellationToken)
    {
        var signedWith = session.CurrentKeyId is { } keyId
            ? await signingKeys.FindSigningKeyAsync(token.Application, keyId, cancellationToken).ConfigureAwait(false)
            : null;
        if (signedWith is null)
        {
            // The current token's key was removed on purpose (a leak): that token verifies nowhere, so there is no
            // token to converge on (docs/decisions.md, "Refresh").
            return ReasonCode.RefreshTokenInvalidSignature;
        }

        var current = new RefreshTokenClaims(
            tokens.Issuer, token.Anchor.Value, session.Id.Value, session.CurrentJti, session.RotatedAt.ToUnixTimeSeconds(),
            session.ExpiresAt.ToUnixTimeSeconds(), session.RotationVersion);
        var accessKey = await signingKeys.GetCurrentSigningKeyAsync(token.Application, session.ExpiresAt, cancellationToken).ConfigureAwait(false)
            ?? signedWith;
        metrics.Count(RefreshMetrics.Adopted);

        // Counted per session, and alerted on once past the threshold; the answer stays the adoption either way.
        if (await sessions.CountAdoptionAsync(session.Id, _adoptionAlertThreshold, cancellationToken).ConfigureAwait(false))
        {
            metrics.CountAdoptionAlert();
        }

        return Answer(session, token, tokens.Mint(current, signedWith), accessKey);
    }

    private RefreshResult Answer(SessionState session, VerifiedSessionToken<RefreshTokenClaims> token, string refreshToken, TokenSigningKey key)
    {
        // Issuance creates the account's subject in the application's sector with the session; a session without
        // one is a broken row, not a client's mistake.
        var subject = session.Subject
            ?? throw new InvalidOperationException("The session's account has no subject in its application's sector.");
        // With the session's own access lifetime when /redeem stored one, on a rotation and on an adoption alike.
        var access = tokens.NewAccessClaims(token.Anchor, subject, session.Id.Value, session.ExpiresAt, session.AccessTokenTtlSeconds);
        return new RefreshResult(tokens.Mint(access, key), refreshToken);
    }

    private ReasonCode Refusal(RefreshVerdict verdict, SessionState? session)
    {
        // Revoked and expired are for good: the session's later requests spend only its own budget.
        if (session is not null && verdict is RefreshVerdict.Revoked or RefreshVerdict.Expired)
        {
            rateBudget.SessionEnded(session.Id);
        }

        return RefusalReason(verdict);
    }

    private static ReasonCode RefusalReason(RefreshVerdict verdict) => verdict switch
    {
        RefreshVerdict.Invalid => ReasonCode.RefreshTokenInvalid,
        RefreshVerdict.Revoked => ReasonCode.RefreshTokenRevoked,
        RefreshVerdict.Expired => ReasonCode.RefreshTokenExpired,
        RefreshVerdict.ApplicationDisabled => ReasonCode.ApplicationDisabled,
        RefreshVerdict.AccountDisabled => ReasonCode.AccountDisabled,
        _ => throw new ArgumentOutOfRangeException(nameof(verdict), verdict, "not a refusal"),
    };
}
