namespace Connect.Application.RealizeInquiry;

public sealed class RealizeInquiryHandler(IInquiryStore inquiries, ConfirmationKeys confirmationKeys, TimeProvider clock)
    : IRequestHandler<RealizeInquiryCommand, RealizeInquiryResult>
{
    public async Task<RealizeInquiryResult> Handle(RealizeInquiryCommand request, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var inquiry = await inquiries.FindAsync(request.ExposureKey, cancellationToken).ConfigureAwait(false);
        if (await JudgeAsync(inquiry, request, now, cancellationToken).ConfigureAwait(false) is { } refusal)
        {
            return RealizeInquiryResult.Refused(refusal);
        }

        var nonce = ConfirmationKeys.NewNonce();
        var confirmationKey = confirmationKeys.Make(inquiry!.Id, nonce);
        var realized = await inquiries.TryRealizeAsync(
            new InquiryRealization(
                inquiry.Id, inquiry.Application!.Id, request.Account, request.How, nonce,
                InquiryKeys.Hash(confirmationKey), now),
            cancellationToken).ConfigureAwait(false);
        if (!realized)
        {
            // A condition moved between the read and the write (most often a concurrent realization): say which.
            var later = clock.GetUtcNow();
            var again = await inquiries.FindAsync(request.ExposureKey, cancellationToken).ConfigureAwait(false);
            return RealizeInquiryResult.Refused(
                await JudgeAsync(again, request, later, cancellationToken).ConfigureAwait(false)
                ?? RealizeRefusal.InquiryAlreadyRealized);
        }

        return RealizeInquiryResult.Done(inquiry.CallbackUrl is { } callbackUrl
            ? CallbackUrls.WithKeys(callbackUrl, inquiry.ExposureKey, confirmationKey)
            : null);
    }

    private async Task<RealizeRefusal?> JudgeAsync(
        StoredInquiry? inquiry, RealizeInquiryCommand request, DateTimeOffset now, CancellationToken cancellationToken)
    {
        switch (InquiryStates.Of(inquiry, now))
        {
            case InquiryState.Unknown:
                return RealizeRefusal.InquiryNotFound;
            case InquiryState.Redeemed:
                return RealizeRefusal.InquiryAlreadyRedeemed;
            case InquiryState.Expired:
                return RealizeRefusal.InquiryExpired;
            case InquiryState.Realized:
                return RealizeRefusal.InquiryAlreadyRealized;
        }

        var application = inquiry!.Application!;
        if (!application.Enabled)
        {
            return RealizeRefusal.ApplicationDisabled;
        }

        var account = await inquiries.FindAccountAsync(request.Account, application.Sector, cancellationToken).ConfigureAwait(false);
        if (!account.Exists)
        {
            return RealizeRefusal.AccountNotFound;
        }

        if (account.Deleted)
        {
            return RealizeRefusal.AccountDeleted;
        }

        if (!account.Enabled)
        {
            return RealizeRefusal.AccountDisabled;
        }

        // Re-authentication of a known user: an account with no subject in the sector is not one of the allowed.
        if (inquiry.AllowedSectorSubjects is { } allowed
            && (account.Subject is not { } subject || !allowed.Contains(subject.Value, StringComparer.Ordinal)))
        {
            return RealizeRefusal.SubjectNotAllowed;
        }

        return null;
    }
}
