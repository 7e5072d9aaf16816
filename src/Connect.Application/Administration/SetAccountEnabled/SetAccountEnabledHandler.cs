namespace Connect.Application.Administration.SetAccountEnabled;

public sealed class SetAccountEnabledHandler(IAccountRegistry accounts)
    : IRequestHandler<SetAccountEnabledCommand, AdministrationOutcome<SetAccountEnabledResult>>
{
    public async Task<AdministrationOutcome<SetAccountEnabledResult>> Handle(
        SetAccountEnabledCommand request, CancellationToken cancellationToken)
    {
        // Audited by the same statement, also when the status was already the one asked for: the decision is the event.
        return await accounts.SetEnabledAsync(request.Account, request.Enabled, cancellationToken).ConfigureAwait(false) switch
        {
            AccountStatus.Unknown => AdministrationError.UnknownAccount(request.Account),
            AccountStatus.Deleted => AdministrationError.AccountDeleted(request.Account),
            var status => new SetAccountEnabledResult(request.Account, status == AccountStatus.Enabled),
        };
    }
}
