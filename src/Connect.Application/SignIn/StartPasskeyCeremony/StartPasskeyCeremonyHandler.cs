using Connect.Application.Passkeys;
using MediatR;
using Microsoft.Extensions.Options;

namespace Connect.Application.SignIn.StartPasskeyCeremony;

public sealed class StartPasskeyCeremonyHandler(
    ISignInInquiries inquiries,
    IPasskeyCeremony ceremony,
    IWebAuthnChallengeStore challenges,
    IOptions<PasskeyOptions> options,
    TimeProvider clock)
    : IRequestHandler<StartPasskeyCeremonyCommand, SignInOutcome<CeremonyStarted>>
{
    public async Task<SignInOutcome<CeremonyStarted>> Handle(
        StartPasskeyCeremonyCommand request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var inquiry = await inquiries.DescribeAsync(request.ExposureKey, cancellationToken).ConfigureAwait(false);
        if (SignInSteps.Unavailable(inquiry) is { } unavailable)
        {
            return unavailable;
        }

        if (request.Purpose == CeremonyPurpose.SignUp && !inquiry!.SignUpOpen)
        {
            return SignInFailure.SignUpClosed;
        }

        var optionsJson = request.Purpose == CeremonyPurpose.SignUp
            ? ceremony.BeginRegistration(SignInRules.NewUserHandle(), options.Value.RelyingPartyName + " account")
            : ceremony.BeginAssertion();
        var id = Guid.NewGuid();
        // The inquiry's own expiry is checked again when it is realized; the challenge may live only one ceremony.
        var expiresAt = clock.GetUtcNow().AddSeconds(options.Value.CeremonyTimeoutSeconds);
        await challenges.SaveAsync(
            new WebAuthnChallenge(id, request.Purpose, SignInRules.Hash(request.ExposureKey), null, optionsJson, expiresAt),
            cancellationToken).ConfigureAwait(false);
        return new CeremonyStarted(id, optionsJson);
    }
}
