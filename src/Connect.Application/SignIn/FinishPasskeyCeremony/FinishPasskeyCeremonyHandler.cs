namespace Connect.Application.SignIn.FinishPasskeyCeremony;

/// <summary>
/// Verifies the browser's answer and realizes the inquiry: sign-up creates the account with its first passkey,
/// sign-in finds the account by the discoverable credential. Every way a passkey can fail reads the same
/// (<see cref="SignInFailure.PasskeyRefused"/>), so the page never tells whether an account exists.
/// </summary>
public sealed class FinishPasskeyCeremonyHandler(
    IMediator mediator,
    IPasskeyCeremony ceremony,
    IWebAuthnChallengeStore challenges,
    IPasskeyStore passkeys)
    : IRequestHandler<FinishPasskeyCeremonyCommand, SignInOutcome<RealizedInquiry>>
{
    public async Task<SignInOutcome<RealizedInquiry>> Handle(
        FinishPasskeyCeremonyCommand request, CancellationToken cancellationToken)
    {
        var options = await challenges.TakeAsync(request.Ceremony, request.Purpose, request.ExposureKey, null, cancellationToken)
            .ConfigureAwait(false);
        if (options is null)
        {
            return SignInFailure.AttemptExpired;
        }

        // Checked before an account is made: a sign-up on an inquiry that is gone must leave nothing behind.
        var inquiry = await mediator.Send(new DescribeInquiryQuery(request.ExposureKey), cancellationToken).ConfigureAwait(false);
        if (SignInSteps.Unavailable(inquiry) is { } unavailable)
        {
            return unavailable;
        }

        var account = request.Purpose == CeremonyPurpose.SignUp
            ? await SignUpAsync(inquiry, options, request.Credential, cancellationToken).ConfigureAwait(false)
            : await SignInAsync(options, request.Credential, cancellationToken).ConfigureAwait(false);
        if (!account.Succeeded)
        {
            return account.Failure.Value;
        }

        var realized = await mediator.Send(
            new RealizeInquiryCommand(request.ExposureKey, account.Value, RealizationMethod.Passkey), cancellationToken)
            .ConfigureAwait(false);
        if (realized.Refusal is { } refusal)
        {
            return SignInSteps.Refused(refusal);
        }

        // The inquiry is spent: no other ceremony begun on it may be answered.
        await challenges.DropForInquiryAsync(request.ExposureKey, cancellationToken).ConfigureAwait(false);
        return new RealizedInquiry(realized.CallbackUrl is { } url ? new Uri(url) : null);
    }

    private async Task<SignInOutcome<AccountId>> SignUpAsync(
        InquiryDescription inquiry, string options, ReadOnlyMemory<byte> credential, CancellationToken cancellationToken)
    {
        if (!inquiry.SignUpOpen)
        {
            return SignInFailure.SignUpClosed;
        }

        var passkey = await ceremony.FinishRegistrationAsync(options, credential, cancellationToken).ConfigureAwait(false);
        if (passkey is null)
        {
            return SignInFailure.PasskeyRefused;
        }

        var account = await passkeys.CreateAccountWithPasskeyAsync(passkey, cancellationToken).ConfigureAwait(false);
        return account is { } created ? created : SignInFailure.PasskeyRefused;
    }

    private async Task<SignInOutcome<AccountId>> SignInAsync(
        string options, ReadOnlyMemory<byte> credential, CancellationToken cancellationToken)
    {
        var assertion = await ceremony.FinishAssertionAsync(options, credential, passkeys.FindAsync, cancellationToken)
            .ConfigureAwait(false);
        switch (assertion)
        {
            case { Status: AssertionStatus.Verified, Passkey: { } passkey }:
                if (await passkeys.RecordUseAsync(passkey.Id, assertion.Counter, cancellationToken).ConfigureAwait(false))
                {
                    return passkey.Account;
                }

                // A concurrent use of the same counter got there first: that is a regression too.
                await passkeys.RecordCounterRegressionAsync(passkey, cancellationToken).ConfigureAwait(false);
                return SignInFailure.PasskeyRefused;
            case { Status: AssertionStatus.CounterRegressed, Passkey: { } regressed }:
                await passkeys.RecordCounterRegressionAsync(regressed, cancellationToken).ConfigureAwait(false);
                return SignInFailure.PasskeyRefused;
            default:
                return SignInFailure.PasskeyRefused;
        }
    }
}
