namespace Connect.Cli.Commands;

/// <summary><c>session issue</c> and <c>session count</c>: an account's refresh-token sessions for one application.</summary>
internal static class SessionCommands
{
    public static Command Group(IConfiguration configuration) =>
        new("session", "Issue or count an account's refresh-token sessions for an application.")
        {
            Issue(configuration),
            Count(configuration),
        };

    private static Command Issue(IConfiguration configuration)
    {
        var account = AdministrationOptions.Account();
        var anchor = AdministrationOptions.Anchor();
        var count = AdministrationOptions.Count();
        var expiresIn = AdministrationOptions.ExpiresIn();
        var command = new Command("issue", "Issue active sessions.") { account, anchor, count, expiresIn };
        command.SetAction((parse, cancellationToken) => AdministrationServices.SendAsync(
            parse,
            configuration,
            new IssueSessionsCommand(
                new(parse.GetValue(account)), parse.GetRequiredValue(anchor), parse.GetValue(count), parse.GetValue(expiresIn)),
            result => new
            {
                issued = result.Issued,
                sessions = result.Sessions.Select(session => new
                {
                    sessionId = session.SessionId,
                    accessToken = session.AccessToken,
                    refreshToken = session.RefreshToken,
                }),
            },
            cancellationToken));
        return command;
    }

    private static Command Count(IConfiguration configuration)
    {
        var account = AdministrationOptions.Account();
        var anchor = AdministrationOptions.Anchor();
        var command = new Command("count", "Count active, revoked and expired sessions.") { account, anchor };
        command.SetAction((parse, cancellationToken) => AdministrationServices.SendAsync(
            parse, configuration, new CountSessionsQuery(new(parse.GetValue(account)), parse.GetRequiredValue(anchor)),
            counts => new { active = counts.Active, revoked = counts.Revoked, expired = counts.Expired },
            cancellationToken));
        return command;
    }
}
