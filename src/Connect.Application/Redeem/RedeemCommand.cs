namespace Connect.Application.Redeem;

/// <summary>
/// <c>POST /redeem</c>: the three keys prove the caller holds a realized inquiry; it is exchanged, once, for the first
/// token pair of the account's new session in the application.
/// </summary>
public sealed record RedeemCommand(string? ExposureKey, string? HiddenKey, string? ConfirmationKey)
    : IRequest<Outcome<RedeemResult>>;

public sealed record RedeemResult(string ApplicationAnchor, string SessionId, string AccessToken, string RefreshToken);
