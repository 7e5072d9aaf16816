namespace Connect.Application.Administration.RemoveSignalReceiver;

/// <summary>
/// Remove one of the application's receivers (<c>app receiver remove</c>): the signals it was still owed go with it,
/// and the removal is audited with their number.
/// </summary>
public sealed record RemoveSignalReceiverCommand(string Anchor, ReceiverId Receiver)
    : IRequest<AdministrationOutcome<RemoveSignalReceiverResult>>;

/// <param name="SignalsDropped">The pending or dead signals removed with it (audited as <c>signalCount</c>).</param>
public sealed record RemoveSignalReceiverResult(ApplicationAnchor Anchor, ReceiverId Receiver, int SignalsDropped);
