namespace Connect.Application.Administration.CreateAccount;

/// <summary>Create an internal user. Its id is for operators only; applications see sector subjects.</summary>
public sealed record CreateAccountCommand : IRequest<AdministrationOutcome<CreateAccountResult>>;

public sealed record CreateAccountResult(AccountId Account);
