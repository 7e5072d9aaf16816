namespace Connect.Application.Administration.UpdateApplication;

/// <summary>
/// Change what an application's sign-in page shows and allows (<c>app update</c>). A <c>null</c> leaves the setting
/// as it is; <paramref name="CallbackHosts"/> replaces the whole list, and an empty list clears it.
/// </summary>
public sealed record UpdateApplicationCommand(
    string Anchor, string? Name = null, bool? SignUpOpen = null, IReadOnlyList<string>? CallbackHosts = null)
    : IRequest<AdministrationOutcome<ApplicationSignInSettings>>;
