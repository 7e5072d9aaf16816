using Connect.Domain.Applications;
using MediatR;

namespace Connect.Application.Administration.IssueSessions;

public sealed class IssueSessionsHandler(IApplicationRegistry applications, IAccountRegistry accounts, TimeProvider clock)
    : IRequestHandler<IssueSessionsCommand, AdministrationOutcome<IssueSessionsResult>>
{
    public async Task<AdministrationOutcome<IssueSessionsResult>> Handle(
        IssueSessionsCommand request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var application = await applications
            .FindAsync(new ApplicationAnchor(request.Anchor), cancellationToken).ConfigureAwait(false);
        if (application is not { Id: var applicationId })
        {
            return AdministrationError.UnknownAnchor(request.Anchor);
        }

        // Accounts are never deleted, so the check cannot go stale before the insert.
        if (!await accounts.AccountExistsAsync(request.Account, cancellationToken).ConfigureAwait(false))
        {
            return AdministrationError.UnknownAccount(request.Account);
        }

        var issuedAt = clock.GetUtcNow();
        var issued = await accounts.IssueSessionsAsync(
            request.Account, applicationId, request.Count, issuedAt, issuedAt.AddSeconds(request.ExpiresInSeconds),
            cancellationToken).ConfigureAwait(false);
        return new IssueSessionsResult(issued);
    }
}
