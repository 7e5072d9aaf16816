namespace Connect.Application.Administration;

/// <summary>The application and account a session command names, or why the operator's arguments name none.</summary>
internal static class SessionTarget
{
    public static async Task<AdministrationOutcome<AppId>> ResolveAsync(
        IApplicationRegistry applications,
        IAccountRegistry accounts,
        string anchor,
        AccountId account,
        CancellationToken cancellationToken)
    {
        var application = await applications.FindAsync(new ApplicationAnchor(anchor), cancellationToken).ConfigureAwait(false);
        if (application is not { Id: var applicationId })
        {
            return AdministrationError.UnknownAnchor(anchor);
        }

        // An unknown account would count all zeros or fail on a foreign key; say so instead (a typo is the likely
        // cause). Accounts are never removed (a deleted one stays as a tombstone), so the answer cannot go stale before
        // the statement that follows.
        return await accounts.AccountExistsAsync(account, cancellationToken).ConfigureAwait(false)
            ? applicationId
            : AdministrationError.UnknownAccount(account);
    }
}
