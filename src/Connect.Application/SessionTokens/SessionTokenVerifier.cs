using Connect.Application.Observability;
using Connect.Application.SigningKeys;
using Connect.Domain.Applications;
using Connect.Domain.Outcomes;
using Connect.Domain.Sessions;

namespace Connect.Application.SessionTokens;

/// <summary>
/// Steps 3 to 5 of docs/contract/sessions.md for every endpoint that takes a session token: structure and type, the
/// <c>iss</c> (this service's own issuer, exactly: a token another deployment minted is no token here, and checking it
/// before any key costs nothing), the application its <c>aud</c> names, and the signature under that application's
/// published key named by <c>kid</c>.
/// <para>
/// By default the kept copy of the application's keys is used without reading anything, and the verified token
/// carries the revision of that copy, unconfirmed: the endpoint's one statement confirms it (and, when it moved,
/// the endpoint verifies again with <c>confirm: true</c>). A bad signature under a kept key is refused without a
/// read (the kid is the key's thumbprint). Only when no copy is kept, or the kept copy has no key with the token's
/// kid (the key may be new), is the application's revision read first, as the confirming path always does, and
/// then as one read shared by concurrent requests for the anchor, whose answer (no such application; no such key
/// at the revision just read) stands for a second (docs/security.md, "What an unauthenticated caller costs"). So a
/// flood of forged tokens costs at most one indexed read per anchor a second and no session lookup, and a key just
/// added on another instance verifies here within that second.
/// </para>
/// Once a signature verifies, and only then, the request's observation is told the application and the session,
/// so the access log of every session-token endpoint names them.
/// </summary>
public sealed class SessionTokenVerifier(SessionTokenCodec codec, SigningKeyRing keys, IRequestObservation? observation = null)
{
    /// <param name="confirm">Read the application's revision before trusting the kept copy.</param>
    /// <returns>The verified token, or <c>RefreshTokenInvalid</c>, <c>RefreshTokenInvalidType</c>, <c>RefreshTokenInvalidSignature</c>.</returns>
    public async Task<Outcome<VerifiedRefreshToken>> VerifyRefreshAsync(string? token, CancellationToken cancellationToken, bool confirm = false)
    {
        var read = codec.ReadRefresh(token);
        if (!read.Succeeded)
        {
            return read.Failure;
        }

        var unverified = read.Value!;
        if (!codec.IsOwnIssuer(unverified.Claims.Issuer))
        {
            return ReasonCode.RefreshTokenInvalid;
        }

        var anchor = new ApplicationAnchor(unverified.Claims.Audience);
        var key = await FindKeyAsync(
                anchor, unverified.KeyId, static (codec, token, key) => codec.Verifies(token, key), unverified, confirm, cancellationToken)
            .ConfigureAwait(false);
        if (key.Outcome != KeyOutcome.Verified)
        {
            return key.Outcome == KeyOutcome.UnknownApplication ? ReasonCode.RefreshTokenInvalid : ReasonCode.RefreshTokenInvalidSignature;
        }

        var verified = new VerifiedRefreshToken(key.Application, anchor, unverified.KeyId, unverified.Claims)
        {
            Revision = key.Revision,
            Confirmed = key.Confirmed,
        };
        Observe(verified.Anchor, verified.Claims.SessionId);
        return verified;
    }

    /// <param name="confirm">Read the application's revision before trusting the kept copy.</param>
    /// <returns>The verified token, or <c>AccessTokenInvalid</c>, <c>AccessTokenInvalidSignature</c>. Its <c>exp</c> is not judged here.</returns>
    public async Task<Outcome<VerifiedAccessToken>> VerifyAccessAsync(string? token, CancellationToken cancellationToken, bool confirm = false)
    {
        var read = codec.ReadAccess(token);
        if (!read.Succeeded)
        {
            return read.Failure;
        }

        var unverified = read.Value!;
        if (!codec.IsOwnIssuer(unverified.Claims.Issuer))
        {
            return ReasonCode.AccessTokenInvalid;
        }

        var anchor = new ApplicationAnchor(unverified.Claims.Audience);
        var key = await FindKeyAsync(
                anchor, unverified.KeyId, static (codec, token, key) => codec.Verifies(token, key), unverified, confirm, cancellationToken)
            .ConfigureAwait(false);
        if (key.Outcome != KeyOutcome.Verified)
        {
            return key.Outcome == KeyOutcome.UnknownApplication ? ReasonCode.AccessTokenInvalid : ReasonCode.AccessTokenInvalidSignature;
        }

        var verified = new VerifiedAccessToken(key.Application, anchor, unverified.KeyId, unverified.Claims)
        {
            Revision = key.Revision,
            Confirmed = key.Confirmed,
        };
        Observe(verified.Anchor, verified.Claims.SessionId);
        return verified;
    }

    // A static callback with its token, and a ValueTask: the kept-copy path allocates no closure and no task.
    private async ValueTask<FoundKey> FindKeyAsync<TToken>(
        ApplicationAnchor anchor, string keyId, Func<SessionTokenCodec, TToken, TokenVerificationKey, bool> verifies, TToken token,
        bool confirm, CancellationToken cancellationToken)
    {
        if (!confirm)
        {
            if (keys.FindKeptPublishedKey(anchor, keyId) is { } kept)
            {
                // A kid is its key's thumbprint: a read could find this very key or none, and the signature fails
                // under both, so a bad signature under a kept key is refused without a read (docs/security.md).
                return verifies(codec, token, kept.Key)
                    ? new FoundKey(KeyOutcome.Verified, kept.Application, kept.Revision, Confirmed: false)
                    : new FoundKey(KeyOutcome.BadSignature, kept.Application, kept.Revision, Confirmed: false);
            }

            // A read a moment ago already said no: an unknown aud, or a kid the current copy lacks.
            if (keys.IsKnownUnknown(anchor))
            {
                return new FoundKey(KeyOutcome.UnknownApplication, default, 0, Confirmed: false);
            }

            if (keys.IsKnownWithoutKey(anchor, keyId))
            {
                return new FoundKey(KeyOutcome.BadSignature, default, 0, Confirmed: false);
            }
        }

        var found = await keys.FindPublishedKeyAsync(anchor, keyId, cancellationToken, unverified: !confirm).ConfigureAwait(false);
        if (found is not { } application)
        {
            return new FoundKey(KeyOutcome.UnknownApplication, default, 0, Confirmed: true);
        }

        var verified = application.Key is { } key && verifies(codec, token, key);
        return new FoundKey(verified ? KeyOutcome.Verified : KeyOutcome.BadSignature, application.Application, application.Revision, Confirmed: true);
    }

    private void Observe(ApplicationAnchor application, string sessionId)
    {
        observation?.SignedBy(application);
        observation?.ConcernsSession(new SessionId(sessionId));
    }

    private enum KeyOutcome
    {
        Verified,
        UnknownApplication,
        BadSignature,
    }

    private readonly record struct FoundKey(KeyOutcome Outcome, AppId Application, long Revision, bool Confirmed);
}

/// <summary>A refresh token whose signature verified under its application's published key.</summary>
/// <param name="Application">The application its <c>aud</c> names.</param>
/// <param name="KeyId">The signing key that verified it.</param>
public sealed record VerifiedRefreshToken(AppId Application, ApplicationAnchor Anchor, string KeyId, RefreshTokenClaims Claims)
{
    /// <summary>The revision of the application's keys the signature verified under.</summary>
    public long Revision { get; init; }

    /// <summary>Whether <see cref="Revision"/> was read from the database for this request; otherwise it is the kept
    /// copy's, and the request's own statement must confirm it.</summary>
    public bool Confirmed { get; init; }
}

/// <summary>An access token whose signature verified under its application's published key; its expiry is not judged.</summary>
public sealed record VerifiedAccessToken(AppId Application, ApplicationAnchor Anchor, string KeyId, AccessTokenClaims Claims)
{
    /// <inheritdoc cref="VerifiedRefreshToken.Revision"/>
    public long Revision { get; init; }

    /// <inheritdoc cref="VerifiedRefreshToken.Confirmed"/>
    public bool Confirmed { get; init; }
}
