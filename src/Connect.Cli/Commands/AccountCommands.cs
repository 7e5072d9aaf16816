namespace Connect.Cli.Commands;

/// <summary>
/// <c>account create | disable | enable | delete | passkey-link | passkeys</c> and <c>subject issue</c>: the user and
/// the names applications know it by.
/// </summary>
internal static class AccountCommands
{
    public static Command AccountGroup(IConfiguration configuration) =>
        new("account", "Manage accounts, the internal users.")
        {
            Create(configuration),
            PasskeyLink(configuration),
            Passkeys(configuration),
            SetEnabled(configuration, "disable", enabled: false),
            SetEnabled(configuration, "enable", enabled: true),
            Delete(configuration),
        };

    public static Command SubjectGroup(IConfiguration configuration) =>
        new("subject", "Issue the sector subjects applications see for an account.") { IssueSubject(configuration) };

    private static Command Create(IConfiguration configuration)
    {
        var command = new Command("create", "Create an account.");
        command.SetAction((parse, cancellationToken) => AdministrationServices.SendAsync(
            parse, configuration, new CreateAccountCommand(),
            result => new { accountId = result.Account.Value }, cancellationToken));
        return command;
    }

    private static Command SetEnabled(IConfiguration configuration, string name, bool enabled)
    {
        var account = AdministrationOptions.Account();
        var command = new Command(
            name,
            enabled
                ? "Enable an account again: its sessions refresh and introspect as before."
                : "Disable an account: its sessions are kept, but none refreshes or introspects as active meanwhile.")
        {
            account,
        };
        command.SetAction((parse, cancellationToken) => AdministrationServices.SendAsync(
            parse, configuration, new SetAccountEnabledCommand(new(parse.GetValue(account)), enabled),
            result => new { accountId = result.Account.Value, enabled = result.Enabled }, cancellationToken));
        return command;
    }

    private static Command Delete(IConfiguration configuration)
    {
        var account = AdministrationOptions.Account();
        var command = new Command(
            "delete", "Delete an account for good: every session it has ends, in every application, and its subjects go.")
        {
            account,
        };
        command.SetAction((parse, cancellationToken) => AdministrationServices.SendAsync(
            parse, configuration, new DeleteAccountCommand(new(parse.GetValue(account))),
            result => new { accountId = result.Account.Value, deleted = true, sessionsRevoked = result.SessionsRevoked },
            cancellationToken));
        return command;
    }

    private static Command IssueSubject(IConfiguration configuration)
    {
        var account = AdministrationOptions.Account();
        var anchor = AdministrationOptions.Anchor();
        var command = new Command("issue", "The account's subject in the application's sector (the same on every call).")
        {
            account,
            anchor,
        };
        command.SetAction((parse, cancellationToken) => AdministrationServices.SendAsync(
            parse, configuration, new IssueSubjectCommand(new(parse.GetValue(account)), parse.GetRequiredValue(anchor)),
            result => new { subject = result.Subject.Value }, cancellationToken));
        return command;
    }

    private static Command PasskeyLink(IConfiguration configuration)
    {
        var account = AdministrationOptions.Account();
        var expiresIn = AdministrationOptions.LinkExpiresIn();
        var command = new Command("passkey-link", "A one-time link that adds a passkey to the account.") { account, expiresIn };
        command.SetAction((parse, cancellationToken) => AdministrationServices.SendAsync(
            parse, configuration, new CreatePasskeyLinkCommand(new(parse.GetValue(account)), parse.GetValue(expiresIn)),
            result => new { accountId = result.Account.Value, url = result.Url.AbsoluteUri, expiresAt = result.ExpiresAt.UtcDateTime },
            cancellationToken));
        return command;
    }

    private static Command Passkeys(IConfiguration configuration)
    {
        var account = AdministrationOptions.Account();
        var command = new Command("passkeys", "The account's passkeys, oldest first (never key material).") { account };
        command.SetAction((parse, cancellationToken) => AdministrationServices.SendAsync(
            parse, configuration, new ListPasskeysQuery(new(parse.GetValue(account))),
            result => new
            {
                accountId = result.Account.Value,
                passkeys = result.Passkeys.Select(passkey => new
                {
                    id = passkey.Id,
                    createdAt = passkey.CreatedAt.UtcDateTime,
                    lastUsedAt = passkey.LastUsedAt?.UtcDateTime,
                }),
            },
            cancellationToken));
        return command;
    }
}
