namespace Connect.Application.SignIn.StartPasskeyCeremony;

public sealed class StartPasskeyCeremonyHandler(
    IMediator mediator,
    IPasskeyCeremony ceremony,
    IWebAuthnChallengeStore challenges,
    IOptions<PasskeyOptions> options,
    TimeProvider clock)
    : IRequestHandler<StartPasskeyCeremonyCommand, SignInOutcome<CeremonyStarted>>
{
    public async Task<SignInOutcome<CeremonyStarted>> Handle(
        StartPasskeyCeremonyCommand request, CancellationToken cancellationToken)
    {
        var inquiry = await mediator.Send(new DescribeInquiryQuery(request.ExposureKey), cancellationToken).ConfigureAwait(false);
        if (SignInSteps.Unavailable(inquiry) is { } unavailable)
        {
            return unavailable;
        }

        if (request.Purpose == CeremonyPurpose.SignUp && !inquiry.SignUpOpen)
        {
            return SignInFailure.SignUpClosed;
        }

        var optionsJson = request.Purpose == CeremonyPurpose.SignUp
            ? ceremony.BeginRegistration(SignInRules.NewUserHandle(), options.Value.RelyingPartyName + " account")
            : ceremony.BeginAssertion();
        var id = Guid.NewGuid();
        // One ceremony's time at most, and never past the inquiry, which takes its challenges with it.
        var expiresAt = clock.GetUtcNow().AddSeconds(options.Value.CeremonyTimeoutSeconds);
        var saved = await challenges.SaveAsync(
            new WebAuthnChallenge(id, request.Purpose, request.ExposureKey, null, optionsJson, expiresAt),
            cancellationToken).ConfigureAwait(false);
        return saved ? new CeremonyStarted(id, optionsJson) : SignInFailure.InquiryNotFound;
    }
}
