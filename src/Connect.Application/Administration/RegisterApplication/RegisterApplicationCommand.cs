namespace Connect.Application.Administration.RegisterApplication;

/// <summary>Register an application under its permanent anchor with its first client-auth public key.</summary>
/// <param name="Anchor">The anchor as the operator typed it (not yet validated).</param>
/// <param name="PublicKeyPem">The text of a <c>-----BEGIN PUBLIC KEY-----</c> PEM file.</param>
/// <param name="Sector">The sector to join, or <c>null</c> for a fresh sector of its own.</param>
public sealed record RegisterApplicationCommand(string Anchor, string PublicKeyPem, SectorId? Sector)
    : IRequest<AdministrationOutcome<RegisterApplicationResult>>;

public sealed record RegisterApplicationResult(ApplicationAnchor Anchor, SectorId Sector, KeyId KeyId);
