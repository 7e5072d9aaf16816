using Connect.Domain.Applications;
using MediatR;

namespace Connect.Application.Administration.SetApplicationEnabled;

public sealed class SetApplicationEnabledHandler(IApplicationRegistry applications)
    : IRequestHandler<SetApplicationEnabledCommand, AdministrationOutcome<SetApplicationEnabledResult>>
{
    public async Task<AdministrationOutcome<SetApplicationEnabledResult>> Handle(
        SetApplicationEnabledCommand request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var anchor = new ApplicationAnchor(request.Anchor);
        return await applications.SetEnabledAsync(anchor, request.Enabled, cancellationToken).ConfigureAwait(false)
            ? new SetApplicationEnabledResult(anchor, request.Enabled)
            : AdministrationError.UnknownAnchor(request.Anchor);
    }
}
