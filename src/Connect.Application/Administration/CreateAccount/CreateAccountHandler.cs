namespace Connect.Application.Administration.CreateAccount;

public sealed class CreateAccountHandler(IAccountRegistry accounts)
    : IRequestHandler<CreateAccountCommand, AdministrationOutcome<CreateAccountResult>>
{
    public async Task<AdministrationOutcome<CreateAccountResult>> Handle(
        CreateAccountCommand request, CancellationToken cancellationToken)
    {
        var account = await accounts.CreateAccountAsync(cancellationToken).ConfigureAwait(false);
        return new CreateAccountResult(account);
    }
}
