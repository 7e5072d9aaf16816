namespace Connect.Application.Administration.DeleteAccount;

public sealed class DeleteAccountHandler(IAccountRegistry accounts)
    : IRequestHandler<DeleteAccountCommand, AdministrationOutcome<DeleteAccountResult>>
{
    public async Task<AdministrationOutcome<DeleteAccountResult>> Handle(
        DeleteAccountCommand request, CancellationToken cancellationToken)
    {
        var deletion = await accounts.DeleteAsync(request.Account, cancellationToken).ConfigureAwait(false);
        return deletion.Outcome switch
        {
            AccountDeletionOutcome.UnknownAccount => AdministrationError.UnknownAccount(request.Account),
            // A second delete is most likely a mistaken id or a repeated script line: say so rather than answer 0.
            AccountDeletionOutcome.AlreadyDeleted => AdministrationError.AccountDeleted(request.Account),
            _ => new DeleteAccountResult(request.Account, deletion.SessionsRevoked),
        };
    }
}
