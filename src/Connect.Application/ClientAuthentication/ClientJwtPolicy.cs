namespace Connect.Application.ClientAuthentication;

/// <summary>
/// The <c>SudomimusClientJWT</c> client-authentication rules of the contract, as one pure policy: it takes the
/// Authorization header value and the raw body bytes and answers the authenticated application or the reason
/// it is refused. Checks run in the contract's order; the replay record is written last so that a tampered
/// request cannot burn the genuine request's jti.
/// </summary>
public sealed class ClientJwtPolicy
{
    public const string Scheme = "SudomimusClientJWT";

    // Reads of the current application per request; more are needed only while it is being changed.
    private const int MaxCurrentReads = 3;

    private readonly IClientApplicationDirectory _applications;
    private readonly IClientJwtReplayStore _replays;
    private readonly TimeProvider _clock;
    private readonly IReadOnlySet<string> _audiences;
    private readonly ClientJwtSignature _signature = new();
    private readonly ClientApplicationCache _cache;

    public ClientJwtPolicy(
        IClientApplicationDirectory applications,
        IClientJwtReplayStore replays,
        TimeProvider clock,
        IOptions<ClientJwtOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _applications = applications;
        _replays = replays;
        _clock = clock;
        _cache = new ClientApplicationCache(clock);
        _audiences = options.Value.EffectiveAudiences;
    }

    public async Task<Outcome<AuthenticatedApplication>> AuthenticateAsync(
        string? authorization, ReadOnlyMemory<byte> body, CancellationToken cancellationToken) =>
        (await DecideAsync(authorization, body, cancellationToken).ConfigureAwait(false)).Outcome;

    /// <summary>
    /// The same decision, with the application whose key verified the signature even when a later check
    /// refused the request (audience, times, body hash, replay, disabled): an operator needs that name to find
    /// the misconfigured integration. Before the signature verifies, <c>iss</c> is only a claim and is not given.
    /// </summary>
    public Task<ClientJwtDecision> DecideAsync(
        string? authorization, ReadOnlyMemory<byte> body, CancellationToken cancellationToken) =>
        DecideAsync(authorization, body, recordLater: false, cancellationToken);

    /// <summary>
    /// The same decision; with <paramref name="recordLater"/>, a request that passes every check against an enabled
    /// application is accepted with its replay record unwritten (<see cref="AuthenticatedApplication.Unrecorded"/>),
    /// for the endpoint's own statement to write with its work: one transaction a request instead of two. A request
    /// refused by any check, or for a disabled application, is decided exactly as without it (the record written first
    /// where the order puts the replay check before the refusal).
    /// </summary>
    public async Task<ClientJwtDecision> DecideAsync(
        string? authorization, ReadOnlyMemory<byte> body, bool recordLater, CancellationToken cancellationToken)
    {
        if (!TryGetCredentials(authorization, out var token))
        {
            return ClientJwtDecision.RefusedUnverified(ReasonCode.ClientJwtMissing);
        }

        var read = ClientJwtReader.Read(token);
        if (!read.Succeeded)
        {
            return ClientJwtDecision.RefusedUnverified(read.Failure);
        }

        var jwt = read.Value;

        var later = recordLater ? DecidingAlone(authorization, body) : null;

        // RFC 8725 §3.1, RFC 7518 §3.1: exactly one algorithm, case-sensitive; "none", HS*, ES*, PS* are out. The
        // header never chooses it: a token without alg (the Python clients send the header {}) is verified as RS256
        // like every other, and an alg that is present must say RS256.
        if (jwt.Algorithm is not null && !string.Equals(jwt.Algorithm, "RS256", StringComparison.Ordinal))
        {
            return ClientJwtDecision.RefusedUnverified(ReasonCode.ClientJwtAlgorithmRejected);
        }

        // RFC 7523 §3 A: iss names the client; matched exactly. What this instance keeps is tried first (see
        // ClientApplicationCache): a kept copy may accept only if the replay record confirms it is current, and
        // refuses only where a read cannot change the answer or was just made.
        var anchor = new ApplicationAnchor(jwt.Issuer);
        if (_cache.IsKnownUnknown(anchor))
        {
            return ClientJwtDecision.RefusedUnverified(ReasonCode.ClientJwtUnknownApplication);
        }

        ClientApplication? refusedCopy = null;
        ApplicationAnchor? signedBy = null;
        if (_cache.Find(anchor) is { } cached)
        {
            var outcome = await AuthenticateAgainstAsync(jwt, cached, body, later, cancellationToken).ConfigureAwait(false);

            // A signature the copy cannot verify may be by a key added since, unless the kid names one of the copy's
            // keys (a kid is the key's thumbprint: no read can make that key verify), or a read just found the copy
            // current. Each forged token would otherwise cost a database read.
            if (outcome is { } decided)
            {
                if (decided.Failure != ReasonCode.ClientJwtInvalidSignature)
                {
                    return new ClientJwtDecision(decided, cached.Anchor);
                }

                if (NamesAKeptKey(jwt, cached) || !_cache.MayReadAgain(anchor, cached))
                {
                    return ClientJwtDecision.RefusedUnverified(ReasonCode.ClientJwtInvalidSignature);
                }

                refusedCopy = cached;
            }
        }

        for (var attempt = 0; attempt < MaxCurrentReads; attempt++)
        {
            // The first read is shared with concurrent requests for the anchor; a read after the application changed
            // under a replay record must be this request's own, made after that change.
            var application = attempt == 0
                ? await _cache.ReadAsync(anchor, _applications.FindByAnchorAsync, cancellationToken).ConfigureAwait(false)
                : await _applications.FindByAnchorAsync(anchor, cancellationToken).ConfigureAwait(false);
            _cache.Remember(anchor, application, refusedCopy);
            if (application is null)
            {
                return ClientJwtDecision.RefusedUnverified(ReasonCode.ClientJwtUnknownApplication);
            }

            // The copy that refused the signature was current after all: the refusal stands without a second verify.
            if (refusedCopy is not null && refusedCopy.Id == application.Id && refusedCopy.Revision == application.Revision)
            {
                return ClientJwtDecision.RefusedUnverified(ReasonCode.ClientJwtInvalidSignature);
            }

            var outcome = await AuthenticateAgainstAsync(jwt, application, body, later, cancellationToken).ConfigureAwait(false);
            if (outcome is { } decided)
            {
                return decided.Failure == ReasonCode.ClientJwtInvalidSignature
                    ? ClientJwtDecision.RefusedUnverified(decided.Failure)
                    : new ClientJwtDecision(decided, application.Anchor);
            }

            // Only a verified request reaches the replay record, where the application was found changed.
            signedBy = application.Anchor;
        }

        // The application changed between each read and its replay record: someone is changing it right now.
        // Nothing was recorded, so the caller may simply send the same request again.
        return new ClientJwtDecision(ReasonCode.ServiceUnavailable, signedBy);
    }

    /// <summary>
    /// The checks after the application is known, in the contract's order, against one copy of it; <c>null</c>
    /// when that copy is no longer the application's current revision (then nothing was recorded).
    /// </summary>
    private async Task<Outcome<AuthenticatedApplication>?> AuthenticateAgainstAsync(
        ClientJwt jwt,
        ClientApplication application,
        ReadOnlyMemory<byte> body,
        Func<CancellationToken, Task<Outcome<AuthenticatedApplication>>>? recordLater,
        CancellationToken cancellationToken)
    {
        if (!_signature.Verify(jwt, application.ActiveKeys))
        {
            return ReasonCode.ClientJwtInvalidSignature;
        }

        // RFC 7523 §3 C: the server must find itself in aud.
        if (!_audiences.Contains(jwt.Audience))
        {
            return ReasonCode.ClientJwtAudienceMismatch;
        }

        var timeFailure = CheckTimes(jwt, _clock.GetUtcNow().ToUnixTimeSeconds());
        if (timeFailure is not null)
        {
            return timeFailure;
        }

        if (!BodyHashMatches(jwt.BodySha256, body.Span))
        {
            return ReasonCode.ClientJwtBodyHashMismatch;
        }

        // RFC 7523 §3 G: a jti is honoured once, kept until exp plus the skew so it cannot come back valid. The
        // record is written only if the application is still at the revision checked above.
        var keepUntil = DateTimeOffset.FromUnixTimeSeconds(jwt.ExpiresAt + ClientJwtLimits.AllowedSkewSeconds);
        if (recordLater is not null && application.Enabled)
        {
            // Nothing is left for the record to refuse but a replay or a changed application, and the endpoint's
            // statement writes it under the same condition, or its refusal records it first (UnrecordedClientJwt).
            var use = new JtiFirstUse(application.Id, application.Revision, jwt.Id, keepUntil);
            return Accepted(jwt, application) with { Unrecorded = new UnrecordedClientJwt(use, recordLater) };
        }

        var recording = await _replays
            .TryRecordFirstUseAsync(application.Id, application.Revision, jwt.Id, keepUntil, cancellationToken)
            .ConfigureAwait(false);
        switch (recording)
        {
            case JtiRecording.ApplicationChanged:
                return null;
            case JtiRecording.Replayed:
                return ReasonCode.ClientJwtReplayed;
        }

        // Only now may the caller learn the application's status.
        if (!application.Enabled)
        {
            return ReasonCode.ApplicationDisabled;
        }

        return Accepted(jwt, application);
    }

    private static AuthenticatedApplication Accepted(ClientJwt jwt, ClientApplication application) =>
        new(application.Id, application.Anchor, application.Sector) { Audience = jwt.Audience };

    /// <summary>What a late record decides with: the same request, its record written alone. (A method of its own, so
    /// that a request decided without it allocates no closure.)</summary>
    private Func<CancellationToken, Task<Outcome<AuthenticatedApplication>>> DecidingAlone(
        string? authorization, ReadOnlyMemory<byte> body) =>
        cancellationToken => AuthenticateAsync(authorization, body, cancellationToken);

    private static bool NamesAKeptKey(ClientJwt jwt, ClientApplication copy)
    {
        if (jwt.KeyId is null)
        {
            return false;
        }

        foreach (var key in copy.ActiveKeys)
        {
            if (string.Equals(key.Id.Value, jwt.KeyId, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// RFC 9110 §11.4: <c>scheme 1*SP token68</c>, the scheme case-insensitive. Anything else (no header,
    /// another scheme, no credentials) is treated as no client JWT at all.
    /// </summary>
    private static bool TryGetCredentials(string? authorization, out string token)
    {
        token = string.Empty;
        if (authorization is null
            || authorization.Length <= Scheme.Length
            || !authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase)
            || authorization[Scheme.Length] != ' ')
        {
            return false;
        }

        token = authorization[(Scheme.Length + 1)..].TrimStart(' ');
        return token.Length > 0;
    }

    /// <summary>
    /// Integer-second comparisons against floor(now): "exp strictly after now" is exp &gt; floor(now) for an
    /// integer exp, and "iat at most 30 s ahead" is iat &lt;= floor(now) + 30. No skew beyond that 30 s.
    /// </summary>
    private static ReasonCode? CheckTimes(ClientJwt jwt, long now)
    {
        if (jwt.ExpiresAt <= now)
        {
            return ReasonCode.ClientJwtExpired;
        }

        if (jwt.IssuedAt > now + ClientJwtLimits.AllowedSkewSeconds
            || jwt.NotBefore > now + ClientJwtLimits.AllowedSkewSeconds)
        {
            return ReasonCode.ClientJwtNotYetValid;
        }

        // Wide arithmetic: a hostile iat near long.MinValue must not wrap around.
        var lifetime = (Int128)jwt.ExpiresAt - jwt.IssuedAt;
        return lifetime <= 0 || lifetime > ClientJwtLimits.MaxLifetimeSeconds
            ? ReasonCode.ClientJwtLifetimeTooLong
            : null;
    }

    /// <summary>The token binds the exact raw body bytes: standard base64 (padded) of their SHA-256.</summary>
    private static bool BodyHashMatches(string claimed, ReadOnlySpan<byte> body)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(body, digest);
        Span<char> encoded = stackalloc char[(SHA256.HashSizeInBytes + 2) / 3 * 4];
        return Convert.TryToBase64Chars(digest, encoded, out var written)
            && encoded[..written].SequenceEqual(claimed);
    }
}
