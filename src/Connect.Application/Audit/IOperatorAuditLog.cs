namespace Connect.Application.Audit;

/// <summary>
/// Records the operator's changes to applications and keys (docs/contract/sessions.md "Audit"), written by the administrative
/// use cases once their change has landed, and listed with the events that end sessions (<c>audit list</c>).
/// </summary>
public interface IOperatorAuditLog
{
    Task RecordAsync(OperatorAuditEvent audited, CancellationToken cancellationToken);
}

/// <summary>One change an operator made.</summary>
/// <param name="Kind">One of <see cref="AuditKinds"/>' operator kinds.</param>
/// <param name="KeyId">The client-auth or token-signing key the change was about, when one was.</param>
public sealed record OperatorAuditEvent(string Kind, ApplicationAnchor Anchor, string? KeyId = null);

/// <summary>The kinds of audit event, as stored and as <c>audit list</c> prints them.</summary>
public static class AuditKinds
{
    public const string RevokeAll = "revoke_all";
    public const string Logout = "logout";
    public const string ReuseDetected = "reuse_detected";
    public const string ApplicationRegistered = "application_registered";
    public const string ApplicationEnabled = "application_enabled";
    public const string ApplicationDisabled = "application_disabled";
    public const string ApplicationUpdated = "application_updated";
    public const string ClientKeyAdded = "client_key_added";
    public const string ClientKeyRetired = "client_key_retired";
    public const string SigningKeyRotated = "signing_key_rotated";
    public const string SigningKeyRemoved = "signing_key_removed";
    public const string InquiryRealized = "inquiry_realized";
    public const string InquiryRedeemed = "inquiry_redeemed";
    public const string PasskeyAdded = "passkey_added";
    public const string PasskeyRemoved = "passkey_removed";
    public const string AccountDisabled = "account_disabled";
    public const string AccountEnabled = "account_enabled";
    public const string AccountDeleted = "account_deleted";
    public const string ReceiverAdded = "receiver_added";
    public const string ReceiverRemoved = "receiver_removed";
    public const string SignalDeadLettered = "signal_dead_lettered";
    public const string AdoptionThresholdExceeded = "adoption_threshold_exceeded";

    /// <summary>Whether the kind ends sessions (and names an account and a count), rather than an operator's change.</summary>
    public static bool EndsSessions(string kind) => kind is RevokeAll or Logout or ReuseDetected or AccountDeleted;
}
