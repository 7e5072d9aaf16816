namespace Connect.Application.Administration.ListSignalReceivers;

/// <summary>The application's receivers and what each is still owed (<c>app receiver list</c>).</summary>
public sealed record ListSignalReceiversQuery(string Anchor) : IRequest<AdministrationOutcome<SignalReceiverList>>;

/// <param name="Receivers">Oldest first.</param>
public sealed record SignalReceiverList(ApplicationAnchor Anchor, IReadOnlyList<SignalReceiverSummary> Receivers);
