namespace Connect.Application.Administration.AddSignalReceiver;

/// <summary>
/// Register a receiver of the application's signals (<c>app receiver add</c>, docs/contract/signals.md "Receivers"):
/// where they are posted, in which form, and the <c>aud</c> of their tokens (the anchor when <c>null</c>).
/// </summary>
/// <param name="Format"><c>backchannel-logout</c> or <c>caep</c>.</param>
public sealed record AddSignalReceiverCommand(string Anchor, string Url, string Format, string? Audience = null)
    : IRequest<AdministrationOutcome<AddSignalReceiverResult>>
{
    /// <summary>Each receiver is owed a copy of every signal: a bound on what one revocation writes.</summary>
    public const int MaxPerApplication = 16;

    /// <summary>The column's own bound.</summary>
    public const int MaxAudienceLength = 255;
}

public sealed record AddSignalReceiverResult(
    ApplicationAnchor Anchor, ReceiverId Receiver, string Url, SignalFormat Format, string Audience);
