namespace Connect.Application.Inquiries;

/// <summary>Reads an application's sign-in settings (display name, sign-up, callback hosts) by its anchor.</summary>
public interface ISignInApplicationDirectory
{
    Task<SignInApplication?> FindAsync(ApplicationAnchor anchor, CancellationToken cancellationToken);
}

/// <param name="CallbackHosts">The hosts a CALLBACK may name, lower case, matched exactly.</param>
public sealed record SignInApplication(
    AppId Id, ApplicationAnchor Anchor, SectorId Sector, bool Enabled, string? DisplayName, bool SignUpOpen,
    IReadOnlyList<string> CallbackHosts)
{
    /// <summary>The name a person reads: the display name, or the anchor when there is none.</summary>
    public string Name => DisplayName ?? Anchor.Value;
}
