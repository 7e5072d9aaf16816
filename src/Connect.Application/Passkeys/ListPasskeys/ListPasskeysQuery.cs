namespace Connect.Application.Passkeys.ListPasskeys;

/// <summary><c>account passkeys</c>: the account's passkeys, oldest first, never key material.</summary>
public sealed record ListPasskeysQuery(AccountId Account) : IRequest<AdministrationOutcome<PasskeyList>>;

public sealed record PasskeyList(AccountId Account, IReadOnlyList<PasskeySummary> Passkeys);

public sealed class ListPasskeysHandler(IPasskeyStore passkeys)
    : IRequestHandler<ListPasskeysQuery, AdministrationOutcome<PasskeyList>>
{
    public async Task<AdministrationOutcome<PasskeyList>> Handle(ListPasskeysQuery request, CancellationToken cancellationToken)
    {
        var list = await passkeys.ListAsync(request.Account, cancellationToken).ConfigureAwait(false);
        return list is null ? AdministrationError.UnknownAccount(request.Account) : new PasskeyList(request.Account, list);
    }
}
