namespace Connect.Application.SignIn.FinishPasskeyCeremony;

/// <summary>The page's second call: the browser's WebAuthn answer to the ceremony's challenge.</summary>
/// <param name="Credential">The PublicKeyCredential as the page serialized it (JSON, base64url fields).</param>
public sealed record FinishPasskeyCeremonyCommand(
    string ExposureKey, CeremonyPurpose Purpose, Guid Ceremony, ReadOnlyMemory<byte> Credential)
    : IRequest<SignInOutcome<RealizedInquiry>>;
