namespace Connect.Application.ApplicationInfo;

public sealed class ApplicationInfoHandler(
    ISignInApplicationDirectory applications, ICurrentSigningKey signingKeys, TimeProvider clock)
    : IRequestHandler<ApplicationInfoQuery, Outcome<ApplicationInfoResult>>
{
    public async Task<Outcome<ApplicationInfoResult>> Handle(ApplicationInfoQuery request, CancellationToken cancellationToken)
    {
        var anchor = new ApplicationAnchor(request.ApplicationAnchor!);
        if (await applications.FindAsync(anchor, cancellationToken).ConfigureAwait(false) is not { } application)
        {
            return ReasonCode.ApplicationNotFound;
        }

        // The key that signs now: the one the Connect 1.4.0 client verifies new tokens with.
        var key = await signingKeys.GetCurrentSigningKeyAsync(application.Id, clock.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        if (key is null)
        {
            return ReasonCode.ApplicationNotFound;
        }

        return new ApplicationInfoResult(anchor.Value, application.Name, key.PrivateKey.ExportSubjectPublicKeyInfoPem());
    }
}
