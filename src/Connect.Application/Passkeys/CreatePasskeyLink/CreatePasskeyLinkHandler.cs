namespace Connect.Application.Passkeys.CreatePasskeyLink;

public sealed class CreatePasskeyLinkHandler(IEnrollmentLinks links, IOptions<PasskeyOptions> options, TimeProvider clock)
    : IRequestHandler<CreatePasskeyLinkCommand, AdministrationOutcome<PasskeyLink>>
{
    public async Task<AdministrationOutcome<PasskeyLink>> Handle(CreatePasskeyLinkCommand request, CancellationToken cancellationToken)
    {
        // 256 bits: the link is the whole credential of whoever holds it. Only its hash is stored.
        var token = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var expiresAt = clock.GetUtcNow().AddSeconds(request.ExpiresInSeconds ?? PasskeyOptions.DefaultEnrollmentLinkSeconds);
        if (!await links.CreateAsync(Guid.CreateVersion7(), request.Account, SignInRules.Hash(token), expiresAt, cancellationToken)
                .ConfigureAwait(false))
        {
            return AdministrationError.UnknownAccount(request.Account);
        }

        var url = new Uri($"{options.Value.EffectivePublicUrl}/sign-in/enroll?token={token}");
        return new PasskeyLink(request.Account, url, expiresAt);
    }
}
