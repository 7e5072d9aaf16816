namespace Connect.Cli.Commands;

/// <summary><c>audit list</c>: the events that ended sessions and the operator's changes, newest first.</summary>
internal static class AuditCommands
{
    public static Command Audit(IConfiguration configuration)
    {
        var anchor = new Option<string?>("--anchor") { Description = "Only the events of this application." };
        var limit = new Option<int>("--limit")
        {
            Description = $"How many events, 1 to {ListAuditEventsQuery.MaxLimit}.",
            DefaultValueFactory = _ => ListAuditEventsQuery.DefaultLimit,
        };
        var list = new Command("list", "List audit events (sessions ended, operator changes), newest first.") { anchor, limit };
        list.SetAction(async (parse, cancellationToken) =>
        {
            var anchorValue = parse.GetValue(anchor);
            var limitValue = parse.GetValue(limit);
            await using var database = await AdministrationServices.OpenDatabaseAsync(configuration, cancellationToken);
            await using var services = AdministrationServices.Build(configuration, database);
            if (await AdministrationServices.FindKeyProblemAsync(services, cancellationToken) is { } problem)
            {
                return Output.Fail(parse, problem);
            }

            var outcome = await services.GetRequiredService<IMediator>().Send(
                new ListAuditEventsQuery(anchorValue is null ? null : new ApplicationAnchor(anchorValue), limitValue),
                cancellationToken);
            if (!outcome.Succeeded)
            {
                // The query's validator decides; this only says which argument it refused.
                return Output.Fail(parse, limitValue is < 1 or > ListAuditEventsQuery.MaxLimit
                    ? $"--limit must be between 1 and {ListAuditEventsQuery.MaxLimit}"
                    : $"--anchor must be 1 to {ApplicationAnchor.MaxLength} characters");
            }

            if (outcome.Value.UnknownAnchor)
            {
                return Output.Fail(parse, $"no application has the anchor '{anchorValue}'");
            }

            return Output.Json(parse, new { events = outcome.Value.Events.Select(Printed) });
        });
        return new Command("audit", "Read the audit.") { list };
    }

    /// <summary>
    /// Each kind with the fields that apply (docs/contract/cli.md): <c>at</c>, <c>kind</c>; <c>anchor</c> when it names an
    /// application (account and passkey events may not); <c>accountId</c> when it names an account; an event that
    /// ended sessions adds <c>revokedCount</c>, and a logout, reuse or redeemed inquiry its <c>sessionId</c>; an
    /// operator's change adds the <c>keyId</c> it was about, and a realized inquiry <c>how</c>; the signal kinds add their
    /// <c>receiverId</c>, a receiver's removal the <c>signalCount</c> it dropped, and a dead letter its <c>detail</c>.
    /// </summary>
    private static Dictionary<string, object> Printed(AuditEvent audited)
    {
        var printed = new Dictionary<string, object>
        {
            ["at"] = audited.At.UtcDateTime,
            ["kind"] = audited.Kind,
        };
        if (audited.Anchor is { } anchor)
        {
            printed["anchor"] = anchor.Value;
        }

        if (audited.Account is { } account)
        {
            printed["accountId"] = account.Value;
        }

        if (AuditKinds.EndsSessions(audited.Kind))
        {
            printed["revokedCount"] = audited.RevokedCount;
        }

        if (audited.SessionId is { } session)
        {
            printed["sessionId"] = session;
        }

        if (audited.KeyId is { } key)
        {
            printed["keyId"] = key;
        }

        if (audited.ReceiverId is { } receiver)
        {
            printed["receiverId"] = receiver;
        }

        if (audited.SignalCount is { } dropped)
        {
            printed["signalCount"] = dropped;
        }

        if (audited.Detail is { } detail)
        {
            // A realized inquiry's detail says how; a dead letter's says why it died.
            printed[audited.Kind == AuditKinds.SignalDeadLettered ? "detail" : "how"] = detail;
        }

        return printed;
    }
}
