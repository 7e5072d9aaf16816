using Connect.Application.Observability;
using Connect.Application.SigningKeys;
using Connect.Domain.Applications;
using Connect.Domain.Outcomes;
using Connect.Domain.Sessions;

namespace Connect.Application.SessionTokens;

/// <summary>
/// Steps 3 to 5 of SESSIONS.md for every endpoint that takes a session token: structure and type, the application
/// its <c>aud</c> names, and the signature under that application's published key named by <c>kid</c>. Nothing
/// here touches the database except reading the application's keys (kept in memory while their revision holds),
/// so a forged token costs no session lookup. Once a signature verifies, and only then, the request's observation
/// is told the application and the session, so the access log of every session-token endpoint names them.
/// </summary>
public sealed class SessionTokenVerifier(SessionTokenCodec codec, SigningKeyRing keys, IRequestObservation? observation = null)
{
    /// <returns>The verified token, or <c>RefreshTokenInvalid</c>, <c>RefreshTokenInvalidType</c>, <c>RefreshTokenInvalidSignature</c>.</returns>
    public async Task<Outcome<VerifiedRefreshToken>> VerifyRefreshAsync(string? token, CancellationToken cancellationToken)
    {
        var read = codec.ReadRefresh(token);
        if (!read.Succeeded)
        {
            return read.Failure;
        }

        var unverified = read.Value!;
        var found = await keys.FindPublishedKeyAsync(new ApplicationAnchor(unverified.Claims.Audience), unverified.KeyId, cancellationToken)
            .ConfigureAwait(false);
        if (found is not { } application)
        {
            return ReasonCode.RefreshTokenInvalid;
        }

        if (application.Key is not { } key || !codec.Verifies(unverified, key))
        {
            return ReasonCode.RefreshTokenInvalidSignature;
        }

        var verified = new VerifiedRefreshToken(application.Application, new ApplicationAnchor(unverified.Claims.Audience), unverified.KeyId, unverified.Claims);
        Observe(verified.Anchor, verified.Claims.SessionId);
        return verified;
    }

    /// <returns>The verified token, or <c>AccessTokenInvalid</c>, <c>AccessTokenInvalidSignature</c>. Its <c>exp</c> is not judged here.</returns>
    public async Task<Outcome<VerifiedAccessToken>> VerifyAccessAsync(string? token, CancellationToken cancellationToken)
    {
        var read = codec.ReadAccess(token);
        if (!read.Succeeded)
        {
            return read.Failure;
        }

        var unverified = read.Value!;
        var found = await keys.FindPublishedKeyAsync(new ApplicationAnchor(unverified.Claims.Audience), unverified.KeyId, cancellationToken)
            .ConfigureAwait(false);
        if (found is not { } application)
        {
            return ReasonCode.AccessTokenInvalid;
        }

        if (application.Key is not { } key || !codec.Verifies(unverified, key))
        {
            return ReasonCode.AccessTokenInvalidSignature;
        }

        var verified = new VerifiedAccessToken(application.Application, new ApplicationAnchor(unverified.Claims.Audience), unverified.KeyId, unverified.Claims);
        Observe(verified.Anchor, verified.Claims.SessionId);
        return verified;
    }

    private void Observe(ApplicationAnchor application, string sessionId)
    {
        observation?.SignedBy(application);
        observation?.ConcernsSession(new SessionId(sessionId));
    }
}

/// <summary>A refresh token whose signature verified under its application's published key.</summary>
/// <param name="Application">The application its <c>aud</c> names.</param>
/// <param name="KeyId">The signing key that verified it.</param>
public sealed record VerifiedRefreshToken(AppId Application, ApplicationAnchor Anchor, string KeyId, RefreshTokenClaims Claims);

/// <summary>An access token whose signature verified under its application's published key; its expiry is not judged.</summary>
public sealed record VerifiedAccessToken(AppId Application, ApplicationAnchor Anchor, string KeyId, AccessTokenClaims Claims);
