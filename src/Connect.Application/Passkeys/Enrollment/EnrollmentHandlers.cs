namespace Connect.Application.Passkeys.Enrollment;

public sealed class ShowEnrollmentPageHandler(IEnrollmentLinks links)
    : IRequestHandler<ShowEnrollmentPageQuery, SignInOutcome<EnrollmentPage>>
{
    public async Task<SignInOutcome<EnrollmentPage>> Handle(ShowEnrollmentPageQuery request, CancellationToken cancellationToken)
    {
        if (!SignInRules.IsKey(request.Token))
        {
            return SignInFailure.LinkUnavailable;
        }

        var link = await links.FindUsableAsync(SignInRules.Hash(request.Token), cancellationToken).ConfigureAwait(false);
        return link is null ? SignInFailure.LinkUnavailable : new EnrollmentPage(link.ExpiresAt);
    }
}

public sealed class StartEnrollmentHandler(
    IEnrollmentLinks links,
    IPasskeyCeremony ceremony,
    IWebAuthnChallengeStore challenges,
    IOptions<PasskeyOptions> options,
    TimeProvider clock)
    : IRequestHandler<StartEnrollmentCommand, SignInOutcome<CeremonyStarted>>
{
    public async Task<SignInOutcome<CeremonyStarted>> Handle(StartEnrollmentCommand request, CancellationToken cancellationToken)
    {
        var link = await links.FindUsableAsync(SignInRules.Hash(request.Token), cancellationToken).ConfigureAwait(false);
        if (link is null)
        {
            return SignInFailure.LinkUnavailable;
        }

        // The account's existing handle: an authenticator that already holds a passkey for it replaces that one.
        var optionsJson = ceremony.BeginRegistration(
            link.UserHandle ?? SignInRules.NewUserHandle(), options.Value.RelyingPartyName + " account");
        var id = Guid.NewGuid();
        var ceremonyEnds = clock.GetUtcNow().AddSeconds(options.Value.CeremonyTimeoutSeconds);
        var expiresAt = ceremonyEnds < link.ExpiresAt ? ceremonyEnds : link.ExpiresAt;
        await challenges.SaveAsync(
            new WebAuthnChallenge(id, CeremonyPurpose.Enroll, null, link.Id, optionsJson, expiresAt), cancellationToken)
            .ConfigureAwait(false);
        return new CeremonyStarted(id, optionsJson);
    }
}

public sealed class FinishEnrollmentHandler(
    IEnrollmentLinks links, IPasskeyCeremony ceremony, IWebAuthnChallengeStore challenges, IMediator mediator)
    : IRequestHandler<FinishEnrollmentCommand, SignInOutcome<Enrolled>>
{
    public async Task<SignInOutcome<Enrolled>> Handle(FinishEnrollmentCommand request, CancellationToken cancellationToken)
    {
        var link = await links.FindUsableAsync(SignInRules.Hash(request.Token), cancellationToken).ConfigureAwait(false);
        if (link is null)
        {
            return SignInFailure.LinkUnavailable;
        }

        var options = await challenges.TakeAsync(request.Ceremony, CeremonyPurpose.Enroll, null, link.Id, cancellationToken)
            .ConfigureAwait(false);
        if (options is null)
        {
            return SignInFailure.AttemptExpired;
        }

        var passkey = await ceremony.FinishRegistrationAsync(options, request.Credential, cancellationToken).ConfigureAwait(false);
        if (passkey is null)
        {
            return SignInFailure.PasskeyRefused;
        }

        // The statement that adds the passkey also uses the link up, so of two pages racing one link, one adds.
        if (!await links.AddPasskeyAsync(link.Id, passkey, cancellationToken).ConfigureAwait(false))
        {
            return SignInFailure.LinkUnavailable;
        }

        if (request.ExposureKey is null)
        {
            return new Enrolled();
        }

        // The passkey stays added whatever the inquiry says: the link was for the account, the inquiry a courtesy.
        var realized = await mediator.Send(
            new RealizeInquiryCommand(request.ExposureKey, link.Account, RealizationMethod.Enrollment), cancellationToken)
            .ConfigureAwait(false);
        if (realized.Refusal is { } refusal)
        {
            return SignInSteps.Refused(refusal);
        }

        await challenges.DropForInquiryAsync(request.ExposureKey, cancellationToken).ConfigureAwait(false);
        return new Enrolled(new RealizedInquiry(realized.CallbackUrl is { } url ? new Uri(url) : null));
    }
}
