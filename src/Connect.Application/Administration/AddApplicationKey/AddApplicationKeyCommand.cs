namespace Connect.Application.Administration.AddApplicationKey;

/// <summary>Give an application one more client-auth public key, so that it can rotate without downtime.</summary>
/// <param name="PublicKeyPem">The text of a <c>-----BEGIN PUBLIC KEY-----</c> PEM file.</param>
public sealed record AddApplicationKeyCommand(string Anchor, string PublicKeyPem)
    : IRequest<AdministrationOutcome<AddApplicationKeyResult>>;

public sealed record AddApplicationKeyResult(ApplicationAnchor Anchor, KeyId KeyId);
