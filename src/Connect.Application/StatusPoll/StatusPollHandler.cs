namespace Connect.Application.StatusPoll;

public sealed class StatusPollHandler(IInquiryStore inquiries, ConfirmationKeys confirmationKeys, TimeProvider clock)
    : IRequestHandler<StatusPollQuery, Outcome<StatusPollResult>>
{
    public async Task<Outcome<StatusPollResult>> Handle(StatusPollQuery request, CancellationToken cancellationToken)
    {
        var inquiry = await inquiries.FindAsync(request.ExposureKey!, cancellationToken).ConfigureAwait(false);

        // A wrong hidden key answers exactly as an unknown inquiry: the exposure key is public, the pair is not.
        if (inquiry is null || !InquiryKeys.Matches(request.HiddenKey, inquiry.HiddenKeyHash))
        {
            return ReasonCode.InquiryNotFound;
        }

        switch (InquiryStates.Of(inquiry, clock.GetUtcNow()))
        {
            case InquiryState.Unknown:
                return ReasonCode.InquiryNotFound;
            case InquiryState.Redeemed:
                return ReasonCode.InquiryAlreadyRedeemed;
            case InquiryState.Expired:
                return ReasonCode.InquiryExpired;
        }

        // Counted only once the pair proved the caller, so that knowing the public exposure key cannot use up the polls.
        if (!await inquiries.TryCountPollAsync(inquiry.Id, InquiryOptions.MaxPolls, cancellationToken).ConfigureAwait(false))
        {
            return ReasonCode.InquiryExpired;
        }

        return new StatusPollResult(inquiry.RealizedBy is { } realized
            ? confirmationKeys.Make(inquiry.Id, realized.ConfirmationNonce)
            : null);
    }
}
