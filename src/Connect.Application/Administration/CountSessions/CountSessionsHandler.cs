using Connect.Domain.Applications;
using MediatR;

namespace Connect.Application.Administration.CountSessions;

public sealed class CountSessionsHandler(IApplicationRegistry applications, IAccountRegistry accounts)
    : IRequestHandler<CountSessionsQuery, AdministrationOutcome<SessionCounts>>
{
    public async Task<AdministrationOutcome<SessionCounts>> Handle(
        CountSessionsQuery request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var application = await applications
            .FindAsync(new ApplicationAnchor(request.Anchor), cancellationToken).ConfigureAwait(false);
        if (application is not { Id: var applicationId })
        {
            return AdministrationError.UnknownAnchor(request.Anchor);
        }

        // An unknown account would count all zeros; say so instead, as a typo is the likely cause.
        if (!await accounts.AccountExistsAsync(request.Account, cancellationToken).ConfigureAwait(false))
        {
            return AdministrationError.UnknownAccount(request.Account);
        }

        return await accounts.CountSessionsAsync(request.Account, applicationId, cancellationToken).ConfigureAwait(false);
    }
}
