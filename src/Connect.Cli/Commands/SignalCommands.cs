namespace Connect.Cli.Commands;

/// <summary>
/// <c>app receiver add | list | remove</c> and <c>signals status | retry</c>: where an application's signals go, and
/// what is still owed (docs/contract/signals.md "Receivers").
/// </summary>
internal static class SignalCommands
{
    public static Command ReceiverGroup(IConfiguration configuration) =>
        new("receiver", "Add, list or remove the receivers the application's signals are sent to.")
        {
            AddReceiver(configuration), ListReceivers(configuration), RemoveReceiver(configuration),
        };

    public static Command Group(IConfiguration configuration) =>
        new("signals", "See what the receivers are still owed, and send dead letters again.")
        {
            Status(configuration), Retry(configuration),
        };

    private static Command AddReceiver(IConfiguration configuration)
    {
        var anchor = AdministrationOptions.Anchor();
        var url = new Option<string>("--url")
        {
            Description = "Where signals are posted: https, or http to a loopback host while Connect:Signals:AllowLoopbackReceivers is true.",
            Required = true,
        };
        var format = new Option<string>("--format")
        {
            Description = $"{SignalNames.BackchannelLogout} (OpenID Connect Back-Channel Logout) or {SignalNames.Caep} (CAEP session-revoked).",
            Required = true,
        };
        format.AcceptOnlyFromAmong(SignalNames.BackchannelLogout, SignalNames.Caep);
        var audience = new Option<string?>("--audience") { Description = "The aud of the receiver's tokens (default: the anchor)." };
        var command = new Command("add", "Send the application's signals to a receiver; prints its id.") { anchor, url, format, audience };
        command.SetAction((parse, cancellationToken) => AdministrationServices.SendAsync(
            parse,
            configuration,
            new AddSignalReceiverCommand(
                parse.GetRequiredValue(anchor), parse.GetRequiredValue(url), parse.GetRequiredValue(format), parse.GetValue(audience)),
            result => new
            {
                anchor = result.Anchor.Value,
                receiverId = result.Receiver.Value,
                url = result.Url,
                format = SignalNames.Of(result.Format),
                audience = result.Audience,
            },
            cancellationToken));
        return command;
    }

    private static Command ListReceivers(IConfiguration configuration)
    {
        var anchor = AdministrationOptions.Anchor();
        var command = new Command("list", "List the application's receivers, oldest first, with the signals each is owed.") { anchor };
        command.SetAction((parse, cancellationToken) => AdministrationServices.SendAsync(
            parse,
            configuration,
            new ListSignalReceiversQuery(parse.GetRequiredValue(anchor)),
            result => new
            {
                anchor = result.Anchor.Value,
                // The contract's members first, then the audience the operator chose (docs/decisions.md).
                receivers = result.Receivers.Select(receiver => new
                {
                    receiverId = receiver.Id.Value,
                    url = receiver.Url,
                    format = SignalNames.Of(receiver.Format),
                    pending = receiver.Pending,
                    deadLetters = receiver.DeadLetters,
                    audience = receiver.Audience,
                }),
            },
            cancellationToken));
        return command;
    }

    private static Command RemoveReceiver(IConfiguration configuration)
    {
        var anchor = AdministrationOptions.Anchor();
        var receiverId = AdministrationOptions.ReceiverId();
        var command = new Command("remove", "Remove a receiver; the signals it was still owed are dropped (audited with their number).")
        {
            anchor, receiverId,
        };
        command.SetAction((parse, cancellationToken) => AdministrationServices.SendAsync(
            parse,
            configuration,
            new RemoveSignalReceiverCommand(parse.GetRequiredValue(anchor), new ReceiverId(parse.GetValue(receiverId))),
            result => new { anchor = result.Anchor.Value, receiverId = result.Receiver.Value, removed = true },
            cancellationToken));
        return command;
    }

    private static Command Status(IConfiguration configuration)
    {
        var command = new Command("status", "Pending signals and dead letters, in all and per receiver (never a token).");
        command.SetAction((parse, cancellationToken) => AdministrationServices.SendAsync(
            parse,
            configuration,
            new ShowSignalsStatusQuery(),
            status => new
            {
                pending = status.Pending,
                oldestPendingSeconds = status.OldestPendingSeconds,
                deadLetters = status.DeadLetters,
                receivers = status.Receivers.Select(each => new
                {
                    anchor = each.Receiver.Anchor.Value,
                    receiverId = each.Receiver.Id.Value,
                    url = each.Receiver.Url,
                    format = SignalNames.Of(each.Receiver.Format),
                    pending = each.Receiver.Pending,
                    deadLetters = each.Receiver.DeadLetters,
                    oldestPendingSeconds = each.OldestPendingSeconds,
                    lastOutcome = each.Receiver.LastOutcome,
                }),
            },
            cancellationToken));
        return command;
    }

    private static Command Retry(IConfiguration configuration)
    {
        var receiverId = AdministrationOptions.ReceiverId();
        var command = new Command("retry", "Send a receiver's dead letters again: they go back to pending, due now.") { receiverId };
        command.SetAction((parse, cancellationToken) => AdministrationServices.SendAsync(
            parse,
            configuration,
            new RetryDeadLettersCommand(new ReceiverId(parse.GetValue(receiverId))),
            result => new { requeued = result.Requeued },
            cancellationToken));
        return command;
    }
}
