namespace Connect.Application.Administration.CountSessions;

public sealed class CountSessionsHandler(IApplicationRegistry applications, IAccountRegistry accounts)
    : IRequestHandler<CountSessionsQuery, AdministrationOutcome<SessionCounts>>
{
    public async Task<AdministrationOutcome<SessionCounts>> Handle(
        CountSessionsQuery request, CancellationToken cancellationToken)
    {
        var target = await SessionTarget
            .ResolveAsync(applications, accounts, request.Anchor, request.Account, cancellationToken).ConfigureAwait(false);
        if (!target.Succeeded)
        {
            return target.Failure;
        }

        return await accounts.CountSessionsAsync(request.Account, target.Value, cancellationToken).ConfigureAwait(false);
    }
}
