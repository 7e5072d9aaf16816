using MediatR;

namespace Connect.Application.Administration.IssueSessions;

public sealed class IssueSessionsHandler(IApplicationRegistry applications, IAccountRegistry accounts, TimeProvider clock)
    : IRequestHandler<IssueSessionsCommand, AdministrationOutcome<IssueSessionsResult>>
{
    public async Task<AdministrationOutcome<IssueSessionsResult>> Handle(
        IssueSessionsCommand request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var target = await SessionTarget
            .ResolveAsync(applications, accounts, request.Anchor, request.Account, cancellationToken).ConfigureAwait(false);
        if (!target.Succeeded)
        {
            return target.Failure;
        }

        var issuedAt = clock.GetUtcNow();
        var issued = await accounts.IssueSessionsAsync(
            request.Account, target.Value, request.Count, issuedAt, issuedAt.AddSeconds(request.ExpiresInSeconds),
            cancellationToken).ConfigureAwait(false);
        return new IssueSessionsResult(issued);
    }
}
