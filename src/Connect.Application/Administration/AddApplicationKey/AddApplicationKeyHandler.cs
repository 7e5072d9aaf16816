using Connect.Domain.Applications;
using MediatR;

namespace Connect.Application.Administration.AddApplicationKey;

public sealed class AddApplicationKeyHandler(IApplicationRegistry applications)
    : IRequestHandler<AddApplicationKeyCommand, AdministrationOutcome<AddApplicationKeyResult>>
{
    public async Task<AdministrationOutcome<AddApplicationKeyResult>> Handle(
        AddApplicationKeyCommand request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!ClientPublicKey.TryFromPem(request.PublicKeyPem, out var key, out var problem))
        {
            return AdministrationError.InvalidPublicKey(problem);
        }

        // Adding a key the application already holds (or once retired) leaves it active: the call is idempotent.
        var anchor = new ApplicationAnchor(request.Anchor);
        return await applications.AddKeyAsync(anchor, key, cancellationToken).ConfigureAwait(false)
            ? new AddApplicationKeyResult(anchor, key.Id)
            : AdministrationError.UnknownAnchor(request.Anchor);
    }
}
