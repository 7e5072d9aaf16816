namespace Connect.Application.Redeem;

/// <summary>
/// Begins the session exactly as <c>session issue</c> does (docs/contract/sessions.md "Issuing a session": version 1, the subject
/// issued on first need, stored before any token is handed out), but only through the inquiry's one redemption.
/// </summary>
public sealed class RedeemHandler(
    IInquiryStore inquiries,
    IAccountRegistry accounts,
    ICurrentSigningKey signingKeys,
    SessionTokenCodec tokens,
    TimeProvider clock)
    : IRequestHandler<RedeemCommand, Outcome<RedeemResult>>
{
    public async Task<Outcome<RedeemResult>> Handle(RedeemCommand request, CancellationToken cancellationToken)
    {
        var inquiry = await inquiries.FindAsync(request.ExposureKey!, cancellationToken).ConfigureAwait(false);
        if (Judge(inquiry, request, clock.GetUtcNow()) is { } refusal)
        {
            return refusal;
        }

        var application = inquiry!.Application!;
        var realized = inquiry.RealizedBy!;

        // The sub of the session's access tokens. A returning person's was read with the inquiry; a first sign-in's
        // is issued now (created on first need, the same on every later call). A subject read is never stale in a way
        // that matters: it changes only by the account's deletion, which the redeeming statement refuses.
        if ((realized.Standing.Subject
                ?? await accounts.IssueSubjectAsync(realized.Account, application.Sector, cancellationToken).ConfigureAwait(false))
            is not { } subject)
        {
            return ReasonCode.AccountNotFound;
        }

        // Whole seconds, as the tokens carry them: the refresh token's exp is exactly the session's expiry.
        var issuedAt = DateTimeOffset.FromUnixTimeSeconds(clock.GetUtcNow().ToUnixTimeSeconds());
        var expiresAt = issuedAt.AddSeconds(inquiry.RefreshTokenTtlSeconds ?? IssueSessionsCommand.DefaultExpiresInSeconds);
        var key = await signingKeys.GetCurrentSigningKeyAsync(application.Id, expiresAt, cancellationToken).ConfigureAwait(false);
        if (key is null)
        {
            return ReasonCode.InquiryApplicationNotFound;
        }

        var sessionId = SessionTokenCodec.NewOpaqueId();
        var refresh = new RefreshTokenClaims(
            tokens.Issuer, application.Anchor.Value, sessionId, SessionTokenCodec.NewOpaqueId(), issuedAt.ToUnixTimeSeconds(),
            expiresAt.ToUnixTimeSeconds(), RotationVersion: 1);
        // The inquiry's own access lifetime (or the configured one), still never past the session's end; stored on the
        // session, so every /refresh mints with it too.
        var access = tokens.NewAccessClaims(application.Anchor, subject, sessionId, expiresAt, inquiry.AccessTokenTtlSeconds);

        // Stored before any token is handed out, in the one statement that marks the inquiry redeemed.
        var redeemed = await inquiries.TryRedeemAsync(
            new InquiryRedemption(
                inquiry.Id, realized.Account, application.Id, realized.ConfirmationKeyHash, sessionId, refresh.TokenId,
                key.KeyId, issuedAt, expiresAt, inquiry.AccessTokenTtlSeconds, clock.GetUtcNow()),
            cancellationToken).ConfigureAwait(false);
        if (!redeemed)
        {
            // Most often a concurrent redemption won; otherwise say what moved since the read.
            var again = await inquiries.FindAsync(request.ExposureKey!, cancellationToken).ConfigureAwait(false);
            return Judge(again, request, clock.GetUtcNow()) ?? ReasonCode.InquiryAlreadyRedeemed;
        }

        return new RedeemResult(application.Anchor.Value, sessionId, tokens.Mint(access, key), tokens.Mint(refresh, key));
    }

    /// <summary>The checks of docs/contract/sign-in.md in order; <c>null</c> when the inquiry may be redeemed.</summary>
    private static ReasonCode? Judge(StoredInquiry? inquiry, RedeemCommand request, DateTimeOffset now)
    {
        // The pair first: without the hidden key nothing else about the inquiry is told.
        if (inquiry is null || !InquiryKeys.Matches(request.HiddenKey, inquiry.HiddenKeyHash))
        {
            return ReasonCode.InquiryNotFound;
        }

        if (inquiry.RedeemedAt is not null)
        {
            return ReasonCode.InquiryAlreadyRedeemed;
        }

        if (inquiry.ExpiresAt <= now)
        {
            return ReasonCode.InquiryExpired;
        }

        if (inquiry.Application is not { } application)
        {
            return ReasonCode.InquiryApplicationNotFound;
        }

        if (inquiry.RealizedBy is not { } realized)
        {
            return ReasonCode.InquiryNotRealized;
        }

        // The triple must resolve: a wrong confirmation key is as good as no inquiry.
        if (!InquiryKeys.Matches(request.ConfirmationKey, realized.ConfirmationKeyHash))
        {
            return ReasonCode.InquiryNotFound;
        }

        if (!application.Enabled)
        {
            return ReasonCode.ApplicationDisabled;
        }

        return realized.Standing switch
        {
            { Exists: false } => ReasonCode.AccountNotFound,
            { Deleted: true } => ReasonCode.AccountDeleted,
            { Enabled: false } => ReasonCode.AccountDisabled,
            _ => null,
        };
    }
}
