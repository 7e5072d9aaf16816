namespace Connect.Application.Administration.DeleteAccount;

/// <summary>
/// Delete an account for good (docs/contract/sign-in.md, "Accounts that people own"): every live session it has in
/// every application ends, its subjects are removed, and a tombstone stays. Deleting it again is refused.
/// </summary>
public sealed record DeleteAccountCommand(AccountId Account) : IRequest<AdministrationOutcome<DeleteAccountResult>>;

/// <param name="SessionsRevoked">The live sessions this deletion ended, over every application.</param>
public sealed record DeleteAccountResult(AccountId Account, int SessionsRevoked);
