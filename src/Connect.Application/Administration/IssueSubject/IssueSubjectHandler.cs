namespace Connect.Application.Administration.IssueSubject;

public sealed class IssueSubjectHandler(IApplicationRegistry applications, IAccountRegistry accounts)
    : IRequestHandler<IssueSubjectCommand, AdministrationOutcome<IssueSubjectResult>>
{
    public async Task<AdministrationOutcome<IssueSubjectResult>> Handle(
        IssueSubjectCommand request, CancellationToken cancellationToken)
    {
        var application = await applications
            .FindAsync(new ApplicationAnchor(request.Anchor), cancellationToken).ConfigureAwait(false);
        if (application is not { Sector: var sector })
        {
            return AdministrationError.UnknownAnchor(request.Anchor);
        }

        var subject = await accounts.IssueSubjectAsync(request.Account, sector, cancellationToken).ConfigureAwait(false);
        if (subject is { } issued)
        {
            return new IssueSubjectResult(issued);
        }

        // A deleted account's subjects were removed with it and are never issued again.
        var status = await accounts.GetStatusAsync(request.Account, cancellationToken).ConfigureAwait(false);
        return status == AccountStatus.Deleted
            ? AdministrationError.AccountDeleted(request.Account)
            : AdministrationError.UnknownAccount(request.Account);
    }
}
