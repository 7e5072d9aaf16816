namespace Connect.Application.Administration.CreateAccount;

public sealed class CreateAccountHandler(IAccountRegistry accounts)
    : AdministrationHandler<CreateAccountCommand, CreateAccountResult>
{
    protected override async Task<AdministrationOutcome<CreateAccountResult>> RunAsync(CreateAccountCommand request, CancellationToken cancellationToken)
    {
        var account = await accounts.CreateAccountAsync(cancellationToken).ConfigureAwait(false);
        return new CreateAccountResult(account);
    }
}
