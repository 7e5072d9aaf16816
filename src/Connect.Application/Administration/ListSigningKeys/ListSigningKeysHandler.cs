namespace Connect.Application.Administration.ListSigningKeys;

public sealed class ListSigningKeysHandler(ISigningKeyStore store, TimeProvider clock)
    : IRequestHandler<ListSigningKeysQuery, AdministrationOutcome<SigningKeyList>>
{
    public async Task<AdministrationOutcome<SigningKeyList>> Handle(ListSigningKeysQuery request, CancellationToken cancellationToken)
    {
        var set = await store.LoadAsync(new ApplicationAnchor(request.Anchor), cancellationToken).ConfigureAwait(false);
        if (set is null)
        {
            return AdministrationError.UnknownAnchor(request.Anchor);
        }

        var now = clock.GetUtcNow();
        return new SigningKeyList(
            set.Anchor,
            [.. set.Keys.Select(key => new SigningKeySummary(key.KeyId, SigningKeyLifecycle.StateOf(key, set.Keys, now), key.CreatedAt, key.CurrentFrom))]);
    }
}
